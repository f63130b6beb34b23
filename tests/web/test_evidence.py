"""Evidence packs (issue #16 item 5): a table view, a filtered view and a SQL join downloaded as a
zip from the real server on the built sample catalog, and checked the way a reader would check
one: the rows against the release's SQLite file read with sqlite3, `sha256sum -c` on the pack and
on the release's database downloaded beside it, the release id against the release history, the
licences and sources against the descriptors (read as YAML here), the citation, and a second
download byte for byte. Paging and a query Datasette truncates run on an in-process Datasette
whose pages hold seven rows.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import sqlite3
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
import yaml
from conftest import SAMPLE_CATALOG

PACK_FILES = [
    "BACA-README.txt",
    "SHA256SUMS",
    "baris.csv",
    "bukti.json",
    "jendela.db.sha256",
    "sitasi.txt",
]
JOIN = (
    "select p.kode_wilayah, w.nama_wilayah, p.jenis_kelamin, p.jumlah_penduduk "
    "from penduduk_kemendagri p join wilayah w on w.kode_wilayah = p.kode_wilayah "
    "order by p.kode_wilayah, p.jenis_kelamin"
)


def db_rows(build: Path, sql: str, params=()) -> tuple[list[str], list[list[str]]]:
    """Columns and rows of `sql` on the release's database, read-only with sqlite3, as the
    strings a CSV holds (NULL is an empty cell)."""
    with sqlite3.connect(f"file:{build / 'jendela.db'}?mode=ro", uri=True) as db:
        cursor = db.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        rows = [["" if v is None else str(v) for v in row] for row in cursor]
    return columns, rows


def primary_key(build: Path, table: str) -> str:
    with sqlite3.connect(f"file:{build / 'jendela.db'}?mode=ro", uri=True) as db:
        info = db.execute(f"pragma table_info([{table}])").fetchall()
    return ", ".join(name for _, name, *_, pk in sorted(info, key=lambda c: c[-1]) if pk)


def csv_rows(pack: zipfile.ZipFile) -> tuple[list[str], list[list[str]]]:
    header, *rows = csv.reader(io.StringIO(pack.read("baris.csv").decode("utf-8")))
    return header, rows


def release_entry(build: Path) -> dict:
    """The served release as the release history lists it (newest first)."""
    return json.loads((build / "site" / "rilis" / "index.json").read_text())["releases"][0]


def descriptor_of(table: str) -> tuple[str, dict]:
    """The sample dataset whose descriptor declares `table`, and that descriptor."""
    for path in sorted(SAMPLE_CATALOG.glob("*/datapackage.yaml")):
        descriptor = yaml.safe_load(path.read_text(encoding="utf-8"))
        if any(r["name"] == table for r in descriptor.get("resources", [])):
            return path.parent.name, descriptor
    raise AssertionError(f"no sample descriptor declares {table}")


def download(server, page: str) -> bytes:
    response = httpx.get(f"{server.url}/-/bukti{page}", timeout=60)
    assert response.status_code == 200, response.text[:2000]
    assert response.headers["content-type"] == "application/zip"
    return response.content


def check_pack(server, build: Path, page: str, tmp_path: Path) -> tuple[zipfile.ZipFile, dict]:
    """What every pack must hold, checked against the release; the pack and its bukti.json."""
    body = download(server, page)
    assert download(server, page) == body  # deterministic: the same view, the same bytes
    pack = zipfile.ZipFile(io.BytesIO(body))
    release = release_entry(build)
    assert pack.namelist() == PACK_FILES  # sorted, nothing more
    date = tuple(int(part) for part in release["date"].split("-"))
    assert {info.date_time for info in pack.infolist()} == {(*date, 0, 0, 0)}
    folder = tmp_path / "pack"
    pack.extractall(folder)
    checked = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    listed = {line.split("  ")[1] for line in (folder / "SHA256SUMS").read_text().splitlines()}
    assert listed == set(PACK_FILES) - {"SHA256SUMS"}
    # The release's database, downloaded where the README says, verifies beside the pack.
    evidence = json.loads(pack.read("bukti.json"))
    db_url = f"{server.url}/rilis/{release['id']}/jendela.db"
    assert evidence["release"]["database_url"] == db_url
    (folder / "jendela.db").write_bytes(httpx.get(db_url, timeout=60).content)
    checked = subprocess.run(
        ["sha256sum", "-c", "jendela.db.sha256"], cwd=folder, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    published = hashlib.sha256((build / "jendela.db").read_bytes()).hexdigest()
    assert evidence["release"]["database_sha256"] == published
    assert (folder / "jendela.db.sha256").read_text() == f"{published}  jendela.db\n"
    rows_sha = hashlib.sha256(pack.read("baris.csv")).hexdigest()
    assert evidence["rows"]["sha256"] == rows_sha
    # The release id is the one the release history lists, and names that release's manifest.
    assert evidence["release"]["id"] == release["id"]
    assert evidence["release"]["date"] == release["date"]
    archived = build / "site" / "rilis" / release["id"] / "manifest.json"
    assert archived.read_bytes() == (build / "manifest.json").read_bytes()
    # A ready citation in both languages, naming the release id and its date.
    citation = pack.read("sitasi.txt").decode("utf-8")
    for lang in ("id", "en"):
        assert release["id"] in evidence["citation"][lang]
        assert release["date"] in evidence["citation"][lang]
        assert evidence["citation"][lang] in citation
    assert "sha256sum -c SHA256SUMS" in pack.read("BACA-README.txt").decode("utf-8")
    assert evidence["page"]["url"] == f"{server.url}{page}"
    return pack, evidence


def check_credits(evidence: dict, tables: list[str]) -> None:
    """Every table read is credited to its dataset, with the descriptor's licences and sources,
    and each dataset's title is in the citation in both languages."""
    assert sorted(t["name"] for t in evidence["tables"]) == sorted(tables)
    for table in tables:
        dataset_id, descriptor = descriptor_of(table)
        assert {"name": table, "dataset": dataset_id} in evidence["tables"]
        credit = evidence["datasets"][dataset_id]
        assert [lic["name"] for lic in credit["licenses"]] == [
            lic["name"] for lic in descriptor["licenses"]
        ]
        assert [(s["title"].strip(), s.get("path")) for s in credit["sources"]] == [
            (s["title"].strip(), s.get("path")) for s in descriptor["sources"]
        ]
        english = descriptor["jendela"].get("en", {}).get("title", descriptor["title"])
        assert descriptor["title"] in evidence["citation"]["id"]
        assert english in evidence["citation"]["en"]
    assert sorted(evidence["datasets"]) == sorted({descriptor_of(t)[0] for t in tables})


def test_a_table_view_gives_every_row_checksums_that_verify_and_its_credits(
    datasette_server, built_catalog, tmp_path
):
    pack, evidence = check_pack(datasette_server, built_catalog, "/jendela/wilayah", tmp_path)
    expected = db_rows(built_catalog, "select * from wilayah order by kode_wilayah")
    assert csv_rows(pack) == expected and len(expected[1]) == 76
    assert evidence["rows"]["count"] == 76
    assert evidence["page"]["kind"] == "table"
    assert evidence["query"]["sql"].startswith("select kode_wilayah")
    assert db_rows(built_catalog, evidence["query"]["sql_all_rows"]) == expected
    check_credits(evidence, ["wilayah"])


def test_a_filter_on_a_boundary_value_keeps_exactly_the_rows_it_selects(
    datasette_server, built_catalog, tmp_path
):
    _, amounts = db_rows(built_catalog, "select anggaran_rp from apbd_djpk order by anggaran_rp")
    boundary = int(amounts[len(amounts) // 2][0])  # a value some row holds exactly
    page = f"/jendela/apbd_djpk?anggaran_rp__gte={boundary}"
    pack, evidence = check_pack(datasette_server, built_catalog, page, tmp_path)
    order = primary_key(built_catalog, "apbd_djpk")
    expected = db_rows(
        built_catalog,
        f"select * from apbd_djpk where anggaran_rp >= ? order by {order}",
        (boundary,),
    )
    header, rows = csv_rows(pack)
    assert (header, rows) == expected
    assert str(boundary) in [row[header.index("anggaran_rp")] for row in rows]
    assert 0 < len(rows) < len(amounts)
    assert evidence["query"]["params"] == {"p0": boundary}
    assert evidence["page"]["arguments"] == [["anggaran_rp__gte", str(boundary)]]
    check_credits(evidence, ["apbd_djpk"])


def test_a_sql_join_credits_both_tables_and_gives_the_rows_sqlite_gives(
    datasette_server, built_catalog, tmp_path
):
    page = "/jendela/-/query?" + urlencode({"sql": JOIN})
    pack, evidence = check_pack(datasette_server, built_catalog, page, tmp_path)
    expected = db_rows(built_catalog, JOIN)
    assert csv_rows(pack) == expected and expected[1]
    assert evidence["query"] == {"sql": JOIN, "params": {}}
    check_credits(evidence, ["penduduk_kemendagri", "wilayah"])


@pytest.mark.parametrize(
    ("page", "named"),
    [
        ("/jendela/-/query?sql=select+nope+from+wilayah", "no such column: nope"),
        ("/jendela/-/query?sql=delete+from+wilayah", "Statement must be a SELECT"),
        ("/jendela/-/query?sql=", "<code>sql</code>"),
        ("/jendela/tabel_tidak_ada", "<code>tabel_tidak_ada</code>"),
    ],
)
def test_a_pack_that_cannot_be_made_is_a_bilingual_400_naming_why(datasette_server, page, named):
    """The page in the reader's language (Indonesian unless the switch's cookie says English)."""
    url = f"{datasette_server.url}/-/bukti{page}"
    response = httpx.get(url, timeout=60)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "Paket bukti tidak dapat dibuat" in response.text
    assert "The evidence pack could not be made" not in response.text
    assert named in response.text
    response = httpx.get(url, timeout=60, cookies={"jendela_lang": "en"})
    assert response.status_code == 400
    assert "The evidence pack could not be made" in response.text
    assert "Paket bukti tidak dapat dibuat" not in response.text
    assert named in response.text


async def _paged_packs(release: Path, pages: list[str]) -> list[tuple[int, bytes]]:
    from pipelines.web.serve import make_datasette

    datasette = make_datasette(release, {"max_returned_rows": 7, "default_page_size": 5}, "s")
    await datasette.invoke_startup()
    answers = []
    for page in pages:
        response = await datasette.client.get(f"/-/bukti{page}")
        answers.append((response.status_code, response.content))
    return answers


def test_every_page_and_a_truncated_query_are_in_the_pack(built_catalog):
    """With seven rows a page, the table view takes eleven pages and the query is truncated by
    Datasette: the pack still holds every row, as sqlite3 reads them."""
    sql = "select kode_wilayah, nama_wilayah from wilayah where tingkat != 'provinsi'"
    answers = asyncio.run(
        _paged_packs(
            built_catalog.resolve(),
            ["/jendela/wilayah?_sort_desc=nama_wilayah", "/jendela/-/query?sql=" + sql],
        )
    )
    (table_status, table_body), (query_status, query_body) = answers
    assert table_status == 200 and query_status == 200
    table = zipfile.ZipFile(io.BytesIO(table_body))
    expected = db_rows(
        built_catalog, "select * from wilayah order by nama_wilayah desc, kode_wilayah"
    )
    assert csv_rows(table) == expected
    assert json.loads(table.read("bukti.json"))["query"]["pages"] == 11
    query = zipfile.ZipFile(io.BytesIO(query_body))
    assert csv_rows(query) == db_rows(built_catalog, sql)
    assert len(db_rows(built_catalog, sql)[1]) > 7


def test_the_button_on_a_filtered_table_page_downloads_the_pack_in_chromium(
    datasette_server, built_catalog, tmp_path
):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
        )
        page = browser.new_context(accept_downloads=True).new_page()
        page.goto(f"{datasette_server.url}/jendela/wilayah?tingkat=kecamatan")
        button = page.locator("a.evidence-pack")
        assert "Paket bukti" in button.inner_text() and "Evidence" not in button.inner_text()
        with page.expect_download() as info:
            button.click()
        target = tmp_path / info.value.suggested_filename
        info.value.save_as(target)
        browser.close()
    release = release_entry(built_catalog)
    assert target.name == f"bukti-wilayah-{release['id']}.zip"
    expected = db_rows(
        built_catalog, "select * from wilayah where tingkat = 'kecamatan' order by kode_wilayah"
    )
    assert csv_rows(zipfile.ZipFile(target)) == expected and expected[1]


def test_a_view_over_the_cap_is_refused_with_the_release_downloads_to_use(
    built_catalog, monkeypatch
):
    """Past MAX_ROWS the answer is a 400 that names the cap and links this release's complete
    downloads (a folder the reader can open), not a placeholder."""
    from pipelines.web import evidence

    monkeypatch.setattr(evidence, "MAX_ROWS", 3)
    ((status, body),) = asyncio.run(_paged_packs(built_catalog.resolve(), ["/jendela/wilayah"]))
    assert status == 400
    page = body.decode("utf-8")
    assert "paling banyak 3 baris" in page
    assert f"/rilis/{release_entry(built_catalog)['id']}/downloads/" in page
    assert "&lt;id&gt;" not in page
