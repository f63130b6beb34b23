"""Release history, row-level changes and freshness (issue 16 items 1-3), on the sample catalog.

Two builds of a copied project, the second after a hand-made edit of one snapshot: every
expected change below is written from the two inputs (the CSV lines and the descriptor edit),
never read back from the pipeline. The dataset is penduduk-kota-bogor (primary key kode_wilayah,
tahun, jenis_kelamin); the CSV writes district codes undotted (327101 is 32.71.01) and counts
with dot thousands (104.161 is 104161).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import urllib.request
from pathlib import Path

import yaml
from conftest import Server, publish_in
from lxml import etree, html

DATASET = "penduduk-kota-bogor"
CSV = Path("datasets") / DATASET / "data" / "penduduk.csv"
DESCRIPTOR = Path("datasets") / DATASET / "datapackage.yaml"
ATOM = "{http://www.w3.org/2005/Atom}"


def build(project: Path, output: Path, today: str = "2026-12-05", *ids: str):
    result = publish_in(project, "build", *ids, "-q", "--output", str(output), "--today", today)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def history(output: Path) -> list[dict]:
    return json.loads((output / "site/rilis/index.json").read_text())["releases"]


def change_the_snapshot(project: Path) -> None:
    """One cell changed, one row removed, one row added, a column removed (`satuan`) and one
    retyped (`periode`, string to integer)."""
    path = project / CSV
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    drop = header.index("SATUAN")
    kept = []
    for line in lines:
        cells = line.split(",")
        if cells[:3] == ["327102", "2024", "perempuan"]:
            continue  # removed
        if cells[:3] == ["327101", "2024", "laki-laki"]:
            cells[3] = "104.000"  # was 104.161
        del cells[drop]
        kept.append(cells)
    added = ["327106", "2025", "perempuan", "131.181", *kept[-1][4:]]
    kept.append(added)
    path.write_text("\n".join(",".join(c) for c in kept) + "\n", encoding="utf-8")
    descriptor = yaml.safe_load((project / DESCRIPTOR).read_text(encoding="utf-8"))
    (resource,) = descriptor["resources"]
    del resource["jendela"]["columns"]["SATUAN"]
    fields = resource["schema"]["fields"]
    resource["schema"]["fields"] = [f for f in fields if f["name"] != "satuan"]
    for field in resource["schema"]["fields"]:
        if field["name"] == "periode":
            field["type"] = "integer"
            field["jendela"]["parse"] = "integer"
    (project / DESCRIPTOR).write_text(yaml.safe_dump(descriptor, allow_unicode=True))


def test_two_builds_give_exactly_the_expected_changes(copy_project, tmp_path):
    output = tmp_path / "out" / "build"
    build(copy_project, output, "2026-12-05", DATASET)
    first = history(output)
    change_the_snapshot(copy_project)
    build(copy_project, output, "2026-12-06", DATASET)
    second = history(output)
    assert [r["id"] for r in second] == [second[0]["id"], first[0]["id"]]
    assert second[0]["id"] != first[0]["id"]
    assert [r["date"] for r in second] == ["2026-12-06", "2026-12-05"]

    with sqlite3.connect(output / "jendela.db") as db:
        rows = db.execute(
            "SELECT rilis_sebelumnya, tabel, jenis, kunci, kolom, nilai_lama, nilai_baru "
            "FROM perubahan WHERE dataset = ? ORDER BY rowid",
            (DATASET,),
        ).fetchall()
        other = db.execute("SELECT count(*) FROM perubahan WHERE dataset != ?", (DATASET,))
        assert other.fetchone() == (0,)  # wilayah-kota-bogor was carried unchanged
    base = first[0]["id"]
    schema = [r[1:] for r in rows if r[2].startswith("kolom")]
    assert schema == [
        ("penduduk", "kolom-dihapus", None, "satuan", "TEXT", None),
        ("penduduk", "kolom-tipe-diubah", None, "periode", "TEXT", "INTEGER"),
    ]
    assert {r[0] for r in rows} == {base}

    def key(code, year, sex):
        value = {"kode_wilayah": code, "tahun": year, "jenis_kelamin": sex}
        return json.dumps(value, separators=(",", ":"))

    by_kind = {}
    for row in rows:
        by_kind.setdefault(row[2], []).append(row)
    # periode was retyped (text "2024" to the number 2024): one schema change, not a changed
    # cell per row, since SQLite compares the values as numbers once one side is numeric.
    assert [(r[3], r[4], r[5], r[6]) for r in by_kind["diubah"]] == [
        (key("32.71.01", 2024, "laki-laki"), "jumlah_penduduk", 104161, 104000)
    ]
    (removed,) = by_kind["dihapus"]
    assert removed[3] == key("32.71.02", 2024, "perempuan")
    assert json.loads(removed[5])["jumlah_penduduk"] == 53151  # 53.151 in the old CSV
    (added,) = by_kind["ditambah"]
    assert added[3] == key("32.71.06", 2025, "perempuan")
    assert json.loads(added[6])["jumlah_penduduk"] == 131181

    # The same changes as JSON, on the page and in the feeds.
    data = json.loads((output / f"site/dataset/{DATASET}/perubahan.json").read_text())
    assert data["previous_release"] == base and data["release"] == second[0]["id"]
    (summary,) = data["summary"]
    assert (summary["ditambah"], summary["dihapus"], summary["rows_modified"]) == (1, 1, 1)
    page = html.parse(str(output / f"site/en/dataset/{DATASET}/perubahan.html"))
    cells = page.xpath('//table[@class="cell-changes"]/tbody/tr')
    assert [c.text_content() for c in cells[0].xpath("td")][2:] == [
        "jumlah_penduduk",
        "104161",
        "104000",
    ]
    assert "column removed" in page.xpath('string(//ul[@class="schema-changes"])')
    for page in (
        "rilis.html", "en/rilis.html", "terlambat.html", f"dataset/{DATASET}/perubahan.html",
        f"en/dataset/{DATASET}/perubahan.html", f"dataset/{DATASET}/index.html",
    ):  # fmt: skip
        assert_links_open((output / "site").resolve(), page)
    for feed in (f"site/dataset/{DATASET}/perubahan.xml", "site/perubahan.xml"):
        entries = etree.parse(str(output / feed)).findall(f"{ATOM}entry")
        assert [e.findtext(f"{ATOM}updated") for e in entries] == ["2026-12-06T00:00:00Z"]
        assert "+1 −1 ~1" in entries[0].findtext(f"{ATOM}summary")


def assert_links_open(site: Path, page: str) -> None:
    """Every relative link of `page` opens a file of the site (or a Datasette page)."""
    tree = html.parse(str(site / page))
    for href in tree.xpath("//a/@href | //link/@href"):
        if href.startswith(("http://", "https://", "mailto:", "#")):
            continue
        target = (site / page).parent / href.split("#")[0].split("?")[0]
        relative = target.resolve().relative_to(site.resolve()).as_posix()
        if relative.startswith(("jendela", "-")):
            continue  # served by Datasette
        if target.is_dir():
            target = target / "index.html"
        assert target.is_file(), (page, href)


def test_release_ids_are_stable_and_old_releases_stay_downloadable(copy_project, tmp_path):
    one, two = tmp_path / "a" / "build", tmp_path / "b" / "build"
    build(copy_project, one, "2026-12-05", DATASET)
    build(copy_project, two, "2026-12-09", DATASET)  # same inputs, another day
    assert history(one)[0]["id"] == history(two)[0]["id"]
    original = history(one)[0]
    csv_before = (one / f"site/downloads/{DATASET}/penduduk.csv").read_bytes()
    build(copy_project, one, "2026-12-07", DATASET)  # a rebuild changes no history
    assert history(one) == [original]

    # The archived database is the release's own, byte for byte, as index.json says.
    archived = one / "site" / original["files"] / "jendela.db"
    assert hashlib.sha256(archived.read_bytes()).hexdigest() == original["database_sha256"]

    path = copy_project / CSV
    ids = [original["id"]]
    for day, before, after in (
        ("2026-12-10", "98.386", "98.310"),
        ("2026-12-11", "98.310", "98.311"),
    ):
        path.write_text(path.read_text().replace(before, after, 1))
        build(copy_project, one, day, DATASET)
        ids.insert(0, history(one)[0]["id"])
    assert len(set(ids)) == 3  # data changed each time: three ids
    assert [r["id"] for r in history(one)] == ids

    # The oldest release is still served at an address naming its id, with its own bytes.
    server = Server(one)
    try:
        url = f"{server.url}/rilis/{original['id']}/downloads/{DATASET}/penduduk.csv"
        with urllib.request.urlopen(url) as response:
            assert response.read() == csv_before
        with urllib.request.urlopen(f"{server.url}/rilis/index.json") as response:
            assert [r["id"] for r in json.load(response)["releases"]] == ids
        # The changes of the newest release (98.310 became 98.311), queryable in Datasette.
        query = "jendela/perubahan.json?_shape=array&jenis=diubah"
        with urllib.request.urlopen(f"{server.url}/{query}") as response:
            found = [
                (r["rilis_sebelumnya"], r["dataset"], r["kunci"], r["kolom"])
                + (r["nilai_lama"], r["nilai_baru"])
                for r in json.load(response)
            ]
        key = {"kode_wilayah": "32.71.01", "tahun": 2024, "jenis_kelamin": "perempuan"}
        assert found == [
            (ids[1], DATASET, json.dumps(key, separators=(",", ":")), "jumlah_penduduk")
            + (98310, 98311)
        ]
        with urllib.request.urlopen(f"{server.url}/rilis.html") as response:
            listed = html.fromstring(response.read()).xpath("//table//tr/@id")
        assert listed == [f"rilis-{i}" for i in ids]
    finally:
        server.stop()


def test_pruning_keeps_the_configured_number_of_releases(copy_project, tmp_path):
    settings = copy_project / "metadata" / "catalog.yaml"
    loaded = yaml.safe_load(settings.read_text())
    settings.write_text(yaml.safe_dump({**loaded, "releases": {"keep": 2}}, allow_unicode=True))
    output = tmp_path / "out" / "build"
    path = copy_project / CSV
    ids = []
    for before, after in (("104.161", "104.170"), ("104.170", "104.171"), ("104.171", "104.172")):
        path.write_text(path.read_text().replace(before, after, 1))
        build(copy_project, output, "2026-12-05", DATASET)
        ids.insert(0, history(output)[0]["id"])
    assert [r["id"] for r in history(output)] == ids[:2]
    assert sorted(p.name for p in (output / "site/rilis").iterdir()) == sorted(
        [*ids[:2], "index.json"]
    )

    settings.write_text(yaml.safe_dump({**loaded, "releases": {"keep": 0}}, allow_unicode=True))
    result = publish_in(copy_project, "build", DATASET, "-q", "--output", str(output))
    assert result.returncode == 2
    assert "catalog.yaml: releases.keep: harus bilangan bulat 1 atau lebih" in result.stderr
    assert "must be a whole number of 1 or more, got 0" in result.stderr


def test_an_overdue_dataset_is_listed_flagged_and_in_status(copy_project, tmp_path):
    """wilayah-kota-bogor declares `frequency: annual` and `updated: 2025-05-25` (read from its
    descriptor here): due 2026-05-25, overdue the day after, not the day itself."""
    descriptor = yaml.safe_load(
        (copy_project / "datasets/wilayah-kota-bogor/datapackage.yaml").read_text()
    )
    assert descriptor["jendela"]["frequency"] == "annual"
    last = descriptor["jendela"]["updated"]
    due = f"{int(last[:4]) + 1}{last[4:]}"
    output = tmp_path / "out" / "build"
    build(copy_project, output, due, DATASET)
    listed = html.parse(str(output / "site/terlambat.html")).xpath('//ul[@class="overdue-list"]/li')
    assert "wilayah-kota-bogor" not in [li.get("id") for li in listed]

    build(copy_project, output, "2026-05-26", DATASET)
    listed = html.parse(str(output / "site/en/terlambat.html")).xpath(
        '//ul[@class="overdue-list"]/li'
    )
    assert "wilayah-kota-bogor" in [li.get("id") for li in listed]
    page = html.parse(str(output / "site/dataset/wilayah-kota-bogor/index.html"))
    assert page.xpath('string(//strong[contains(@class, "overdue")])') == "Terlambat diperbarui"
    entries = etree.parse(str(output / "site/terlambat.xml")).findall(f"{ATOM}entry")
    assert f"{due}T00:00:00Z" in [e.findtext(f"{ATOM}updated") for e in entries]

    status = publish_in(copy_project, "status", "--output", str(output), "--today", "2026-05-27")
    assert status.returncode == 0
    assert (
        f"wilayah-kota-bogor: frekuensi/frequency annual; perubahan sumber/source changed {last}; "
        f"jatuh tempo/due {due}; TERLAMBAT/OVERDUE 2 hari/days"
    ) in status.stdout.splitlines()
    assert (
        f"{DATASET}: frekuensi/frequency never; perubahan sumber/source changed 2026-11-29; "
        "jatuh tempo/due -; tanpa jadwal/no schedule"
    ) in status.stdout.splitlines()
    bad = publish_in(copy_project, "status", "--output", str(output), "--today", "kemarin")
    assert bad.returncode == 2
    assert "'kemarin' bukan tanggal TTTT-BB-HH / is not a date YYYY-MM-DD" in bad.stderr
