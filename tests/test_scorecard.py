"""The quality scorecard (issue 16 item 4) on a copied two-dataset catalog.

The expected points are the documented ones (core/scorecard.py's table: description 8,
keywords 4, documentation 4, validation 20, quarantine 5, on-time 15) applied to what the test
itself did to the descriptor and the CSV, never read back from the pipeline: the first build is
the sample as it is, the second has a short description, no keywords, 36 unreadable counts in
quarantine and a yearly frequency judged two years late.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from pathlib import Path

import yaml
from conftest import Server, publish_in
from lxml import html

DATASET = "penduduk-kota-bogor"
OTHER = "wilayah-kota-bogor"
CSV = Path("datasets") / DATASET / "data" / "penduduk.csv"
DESCRIPTOR = Path("datasets") / DATASET / "datapackage.yaml"
DOCUMENTED = {"description": 8, "keywords": 4, "validation": 20, "quarantine": 5, "on-time": 15}
BAD_ROWS = 36
LOW_NOTICE = "A red flag is a reason to look, not an accusation"


def build(project: Path, output: Path, today: str):
    result = publish_in(project, "build", "-q", "--output", str(output), "--today", today)
    assert result.returncode == 0, result.stdout + result.stderr


def card(output: Path) -> dict:
    return json.loads((output / "site/skor.json").read_text(encoding="utf-8"))


def criteria(output: Path, dataset: str) -> dict[str, int]:
    (score,) = [d for d in card(output)["datasets"] if d["dataset"] == dataset]
    return {c["slug"]: c["points"] for c in score["criteria"]}


def worsen(project: Path) -> int:
    """The descriptor and CSV changes of the module docstring; returns the rows kept."""
    descriptor = yaml.safe_load((project / DESCRIPTOR).read_text(encoding="utf-8"))
    descriptor["description"] = "Data contoh."
    del descriptor["keywords"]
    descriptor["jendela"]["frequency"] = "annual"
    (resource,) = descriptor["resources"]
    resource["jendela"]["on_error"] = "quarantine"
    (project / DESCRIPTOR).write_text(yaml.safe_dump(descriptor, allow_unicode=True))
    lines = (project / CSV).read_text(encoding="utf-8").splitlines()
    kept = len(lines) - 1
    bad = [f"327101,{2031 + n},laki-laki,banyak,jiwa,contoh,2024" for n in range(BAD_ROWS)]
    (project / CSV).write_text("\n".join(lines + bad) + "\n", encoding="utf-8")
    return kept


def test_criteria_change_by_their_declared_points(small_project, tmp_path):
    output = tmp_path / "out" / "build"
    build(small_project, output, "2026-12-05")
    before = criteria(output, DATASET)
    kept = worsen(small_project)
    # The descriptor's `updated` starts the yearly period; judged 2 years on, it is overdue.
    updated = yaml.safe_load((small_project / DESCRIPTOR).read_text())["jendela"]["updated"]
    today = f"{int(updated[:4]) + 2}{updated[4:]}"
    build(small_project, output, today)
    after = criteria(output, DATASET)

    checked = kept + BAD_ROWS
    load = 9 * BAD_ROWS  # an unreadable number weighs 9 (non-castable value)
    expected = dict(before)
    expected["description"] -= DOCUMENTED["description"]
    expected["keywords"] -= DOCUMENTED["keywords"]
    expected["validation"] = 20 * (9 * checked - load) // (9 * checked)
    expected["quarantine"] = 5 * kept // checked
    expected["on-time"] = 0
    assert before["validation"] == 20 and before["quarantine"] == 5 and before["on-time"] == 15
    assert after == expected

    # the history: this release first, then the one before, each with its total
    (score,) = [d for d in card(output)["datasets"] if d["dataset"] == DATASET]
    index = json.loads((output / "site/rilis/index.json").read_text())["releases"]
    assert [h["release"] for h in score["history"]] == [r["id"] for r in index]
    assert [h["total"] for h in score["history"]] == [sum(after.values()), sum(before.values())]

    # the page: every criterion with its points, the hint where points were lost, the notice
    page = html.parse(str(output / f"site/en/dataset/{DATASET}/index.html")).getroot()
    rows = page.xpath("//section[@id='skor']//tr[@data-criterion]")
    assert {r.get("data-criterion"): int(r.get("data-points")) for r in rows} == after
    hints = {r.get("data-criterion"): r.xpath("td[@class='hint']")[0].text_content() for r in rows}
    assert "at least 100 characters" in hints["description"]
    assert "`keywords`" in hints["keywords"]
    assert hints["licence"] == ""
    total = sum(after.values())
    assert page.xpath("//section[@id='skor']//span[@class='score-total']")[0].text == str(total)
    assert (LOW_NOTICE in page.text_content()) == (total < 60)
    assert total < 60  # 100 - 8 - 4 - 15 - 4 - 15 = 54


def test_publisher_mean_table_and_pages_agree(small_project, tmp_path):
    output = tmp_path / "out" / "build"
    worsen(small_project)
    build(small_project, output, "2026-12-05")
    data = card(output)
    totals = {d["dataset"]: d["total"] for d in data["datasets"]}
    for dataset in data["datasets"]:
        assert dataset["total"] == sum(c["points"] for c in dataset["criteria"])
    publishers = {}
    for folder in (small_project / "datasets").iterdir():
        descriptor = yaml.safe_load((folder / "datapackage.yaml").read_text())
        publishers.setdefault(descriptor["jendela"]["publisher"], []).append(folder.name)
    # documented: the mean of its datasets' totals, rounded half up to one decimal
    for publisher in data["publishers"]:
        own = [totals[d] for d in sorted(publishers[publisher["publisher"]])]
        mean = int(sum(own) * 10 / len(own) + 0.5) / 10
        assert sorted(publisher["datasets"]) == sorted(publishers[publisher["publisher"]])
        assert publisher["score"] == mean
        page = html.parse(str(output / f"site/penerbit/{publisher['publisher']}.html")).getroot()
        assert page.xpath("//span[@class='score-total']")[0].text == str(mean)
        listed = {li.get("data-dataset"): li.xpath("span[@class='score']")[0].text for li in
                  page.xpath("//li[@data-dataset]")}  # fmt: skip
        assert listed == {d: str(totals[d]) for d in publisher["datasets"]}
    index = html.parse(str(output / "site/index.html")).getroot()
    assert index.xpath('//a[@href="penerbit/index.html"]')

    # the database table holds the same figures, and Datasette serves it as JSON
    with sqlite3.connect(output / "jendela.db") as db:
        rows = db.execute("SELECT dataset, kriteria, poin FROM skor").fetchall()
    expected = {(d["dataset"], c["slug"], c["points"]) for d in data["datasets"]
                for c in d["criteria"]}  # fmt: skip
    assert set(rows) == expected and len(rows) == len(expected)
    server = Server(output)
    try:
        url = f"{server.url}/jendela/skor.json?_shape=array&_size=max&dataset={DATASET}"
        with urllib.request.urlopen(url) as answer:
            served = json.load(answer)
        with urllib.request.urlopen(f"{server.url}/skor.json") as answer:
            assert json.load(answer) == data
        with urllib.request.urlopen(f"{server.url}/en/penerbit/index.html") as answer:
            assert b'data-publisher="pemkot-bogor"' in answer.read()
    finally:
        server.stop()
    assert {r["kriteria"]: r["poin"] for r in served} == {
        slug: points for dataset, slug, points in expected if dataset == DATASET
    }


def test_rebuild_gives_the_same_scorecard_bytes(small_project, tmp_path):
    first, second = tmp_path / "a" / "build", tmp_path / "b" / "build"
    build(small_project, first, "2026-12-05")
    build(small_project, second, "2026-12-05")
    for name in ("skor.json", "penerbit/index.html", f"dataset/{OTHER}/index.html"):
        assert (first / "site" / name).read_bytes() == (second / "site" / name).read_bytes()


def test_publisher_mean_rounds_half_up_to_one_decimal():
    from decimal import ROUND_HALF_UP, Decimal

    from pipelines.core.scorecard import publisher_mean

    for totals in ([66, 67], [0, 0, 0, 1], [1, 1, 2], [1, 2, 2], [100], [59, 60, 60, 60]):
        mean = Decimal(sum(totals)) / len(totals)
        assert publisher_mean(totals) == float(mean.quantize(Decimal("0.1"), ROUND_HALF_UP))
