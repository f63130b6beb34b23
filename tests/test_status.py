"""Honest validation status on the default (real) build: "Lolos validasi" only when a table's
report is clean; a table published with warnings says "Lolos dengan N peringatan" / "Passed with
N warnings" and links to the warnings in its report. The same status reaches data.json (a note
and the reports as `references`) and DCAT (a DQV quality annotation per table).

N is read from each report's JSON (the list of warnings, counted here); the real apbd-djpk table
holds totals its source does not add up, so it must carry warnings, and a clean table must not.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import rdflib
import yaml
from conftest import REAL_CATALOG
from lxml import html

DQV = rdflib.Namespace("http://www.w3.org/ns/dqv#")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")


@pytest.fixture(scope="module")
def site(real) -> Path:
    return real.output / "site"


def reports(site: Path, real) -> list[tuple[str, str, dict]]:
    """(dataset, table, report JSON) for every report the build published, tables in the order
    their descriptor lists them."""
    found = []
    for dataset_id, entry in sorted(real.manifest["datasets"].items()):
        descriptor = yaml.safe_load((REAL_CATALOG / dataset_id / "datapackage.yaml").read_text())
        order = [r["name"] for r in descriptor["resources"]]
        for table in sorted(entry.get("reports", {}), key=order.index):
            path = site / "reports" / dataset_id / f"{table}.json"
            report = json.loads(path.read_text(encoding="utf-8"))
            # rows set aside under `on_error: quarantine`, counted in the published file itself
            quarantine = site / "downloads" / dataset_id / f"{table}.quarantine.csv"
            report["quarantine_csv_rows"] = (
                sum(1 for _ in csv.reader(quarantine.open(encoding="utf-8"))) - 1
                if quarantine.is_file()
                else 0
            )
            found.append((dataset_id, table, report))
    return found


def indonesian_number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def expected_status(report: dict) -> tuple[str, str, str]:
    """(state, Indonesian text, English text), from the report alone."""
    count = len(report["warnings"])
    assert report["warning_count"] == count
    quarantined = report["quarantine_csv_rows"]
    if not report["valid"] and quarantined:
        return (
            "quarantined",
            f"Diterbitkan tanpa {indonesian_number(quarantined)} baris bermasalah (dikarantina, "
            "lihat laporan)",
            f"Published without {quarantined:,} problem rows (quarantined, see the report)",
        )
    if not report["valid"]:
        return "invalid", "Gagal validasi", "Failed validation"
    if count == 0:
        return "valid", "Lolos validasi", "Passed validation"
    english = f"Passed with {count:,} warning" + ("" if count == 1 else "s")
    return "warnings", f"Lolos dengan {indonesian_number(count)} peringatan", english


def status_paragraph(page: Path, table: str):
    tree = html.parse(str(page))
    (paragraph,) = tree.xpath(
        f'//section[h3[@id="{table}-technical"]]//p[contains(@class, "validation")]'
    )
    return paragraph


def test_real_build_has_both_kinds_of_table(site, real):
    """The checks below cover both cases: apbd-djpk carries warnings, and clean tables exist."""
    states = {(d, t): expected_status(r)[0] for d, t, r in reports(site, real)}
    assert states[("apbd-djpk", "apbd_djpk")] == "warnings"
    assert states[("tender-spse", "tender_spse")] == "valid"
    djpk = real.report("apbd-djpk", "apbd_djpk")
    assert len(djpk["warnings"]) > 0
    assert {w["type"] for w in djpk["warnings"]} == {"hierarchy-sum-mismatch"}


def test_dataset_page_says_passed_only_when_the_report_is_clean(site, real):
    for dataset_id, table, report in reports(site, real):
        state, text_id, text_en = expected_status(report)
        for prefix, text, root in (("", text_id, "../../"), ("en/", text_en, "../../../")):
            page = site / prefix / "dataset" / dataset_id / "index.html"
            paragraph = status_paragraph(page, table)
            words = paragraph.text_content()
            assert words.startswith(text + " · "), (page, words)
            assert paragraph.get("data-status") == state
            assert ("ok" in paragraph.get("class").split()) == (state == "valid"), page
            if state == "valid":
                assert "peringatan" not in words and "warning" not in words, page
            if state == "warnings":
                (link,) = paragraph.xpath("a[1]")
                assert link.text_content() == text
                target = f"{root}reports/{dataset_id}/{table}.html#warnings"
                assert link.get("href") == target, page
                report_page = html.parse(str(page.parent / target.split("#")[0]))
                (heading,) = report_page.xpath('//h2[@id="warnings"]')
                rows = report_page.xpath('//table[contains(@class, "warnings")]/tbody/tr')
                assert len(rows) == len(report["warnings"])


def test_apbd_djpk_page_counts_its_warnings(site, real):
    """The example of the issue, spelled out: the number on the page is the report's."""
    count = len(real.report("apbd-djpk", "apbd_djpk")["warnings"])
    page = site / "dataset" / "apbd-djpk" / "index.html"
    words = status_paragraph(page, "apbd_djpk").text_content()
    assert words.startswith(f"Lolos dengan {indonesian_number(count)} peringatan")
    assert "Lolos validasi" not in words
    english = status_paragraph(site / "en/dataset/apbd-djpk/index.html", "apbd_djpk")
    assert english.text_content().startswith(f"Passed with {count:,} warnings")
    report_page = (site / "reports/apbd-djpk/apbd_djpk.html").read_text(encoding="utf-8")
    assert f"Lolos dengan {indonesian_number(count)} peringatan" in report_page
    assert "Tidak ada masalah" not in report_page


def test_data_json_notes_the_warnings_and_lists_the_reports(site, real):
    datasets = {
        d["identifier"].rstrip("/").rsplit("/", 1)[1]: d
        for d in json.loads((site / "data.json").read_text())["dataset"]
    }
    by_dataset: dict[str, list] = {}
    for dataset_id, table, report in reports(site, real):
        by_dataset.setdefault(dataset_id, []).append((table, report))
    base = datasets["apbd-djpk"]["identifier"].split("dataset/")[0]
    for dataset_id, tables in by_dataset.items():
        entry = datasets[dataset_id]
        urls = []
        notes = []
        for table, report in tables:
            state, text_id, _ = expected_status(report)
            url = f"{base}reports/{dataset_id}/{table}.html"
            urls.append(url + ("#warnings" if state == "warnings" else ""))
            if state != "valid":
                notes.append(f"{table}: {text_id} ({urls[-1]})")
        assert entry["references"] == urls, dataset_id
        if notes:
            note = " Catatan validasi: " + "; ".join(notes) + "."
            assert entry["description"].endswith(note), dataset_id
        else:
            assert "Catatan validasi" not in entry["description"], dataset_id


def test_dcat_annotates_each_table_with_its_status(site, real):
    graph = rdflib.Graph().parse(site / "catalog.jsonld", format="json-ld")
    data = json.loads((site / "data.json").read_text())
    base = data["dataset"][0]["identifier"].split("dataset/")[0]
    for dataset_id, table, report in reports(site, real):
        state, text_id, text_en = expected_status(report)
        dataset = rdflib.URIRef(f"{base}dataset/{dataset_id}/")
        body = rdflib.URIRef(
            f"{base}reports/{dataset_id}/{table}.html"
            + ("#warnings" if state == "warnings" else "")
        )
        (annotation,) = [
            a for a in graph.objects(dataset, DQV.hasQualityAnnotation)
            if (a, OA.hasBody, body) in graph
        ]  # fmt: skip
        assert (annotation, rdflib.RDF.type, DQV.QualityAnnotation) in graph
        assert (annotation, OA.motivatedBy, DQV.qualityAssessment) in graph
        comments = {(str(c), c.language) for c in graph.objects(annotation, rdflib.RDFS.comment)}
        assert comments == {(f"{table}: {text_id}", "id"), (f"{table}: {text_en}", "en")}
