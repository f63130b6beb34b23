"""Dataset pages say things in words: constraints as "wajib diisi" / "salah satu dari: …" instead
of the schema's keys, Markdown rendered (never shown as backticks) and raw HTML in a descriptor
escaped, and the XLSX `kamus_data` sheet in plain text.

Expected words are made here from the descriptors and metadata/translations, not taken from the
pages under test.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import openpyxl
import yaml
from conftest import ROOT, SAMPLE_CATALOG

from pipelines.catalog.site import render_site
from pipelines.core.manifest import Manifest
from pipelines.core.markdown import summary_and_notes
from pipelines.core.registry import load_catalog

TRANSLATIONS = {
    lang: yaml.safe_load((ROOT / "metadata" / "translations" / f"{lang}.yaml").read_text())
    for lang in ("id", "en")
}


def dictionary_row(page: str, table: str, column: str) -> str:
    """The text of one data-dictionary row of a page (the row that names the column)."""
    section = page.split(f'id="{table}-dictionary"', 1)[1].split("</table>", 1)[0]
    row = next(r for r in section.split("<tr>") if f"<td><code>{column}</code>" in r)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())


def inline_fields(dataset_id: str) -> list[tuple[str, dict]]:
    descriptor = yaml.safe_load(
        (SAMPLE_CATALOG / dataset_id / "datapackage.yaml").read_text(encoding="utf-8")
    )
    return [
        (resource["name"], field)
        for resource in descriptor["resources"]
        for field in resource["schema"]["fields"]
        if field.get("constraints")
    ]


def expected_words(constraints: dict, lang: str) -> list[str]:
    words = TRANSLATIONS[lang]
    said = []
    if constraints.get("required"):
        said.append(words["constraint_required"])
    if "enum" in constraints:
        said.append(words["constraint_enum"].format(values=", ".join(constraints["enum"])))
    if isinstance(constraints.get("minimum"), int):
        number = f"{constraints['minimum']:,}"
        number = number.replace(",", ".") if lang == "id" else number
        said.append(words["constraint_minimum"].format(value=number))
    return said


def test_constraints_are_said_in_words_in_each_language(built_catalog):
    fields = inline_fields("tender-kota-bogor")
    assert {"required", "enum", "minimum"} <= {k for _, f in fields for k in f["constraints"]}
    for lang, prefix in (("id", ""), ("en", "en/")):
        page = (
            built_catalog / "site" / prefix / "dataset/tender-kota-bogor/index.html"
        ).read_text()
        assert "required: True" not in page and "enum: [" not in page and "minimum: " not in page
        for table, field in fields:
            row = dictionary_row(page, table, field["name"])
            for words in expected_words(field["constraints"], lang):
                assert words in row, (lang, field["name"], row)


def test_kamus_data_sheet_holds_plain_text_descriptions(built_catalog):
    """Every XLSX's dictionary sheet: the descriptor's Markdown without its backticks."""
    site = built_catalog / "site"
    seen_markup = 0
    for package in sorted((site / "downloads").glob("*/datapackage.json")):
        resources = json.loads(package.read_text())["resources"]
        for resource in resources:
            xlsx = package.parent / f"{resource['name']}.xlsx"
            if not xlsx.exists():
                continue
            rows = list(openpyxl.load_workbook(xlsx, read_only=True)["kamus_data"].values)
            described = {r[0]: r[3] or "" for r in rows[1:]}
            for field in resource["schema"]["fields"]:
                source = field.get("description", "")
                seen_markup += "`" in source
                # every character but backticks, spaces aside (a code span trims its own)
                plain = "".join(source.replace("`", "").split())
                assert "".join(described[field["name"]].split()) == plain, field["name"]
                assert "`" not in described[field["name"]]
    assert seen_markup > 0, "no description with Markdown to check"


def test_descriptions_render_markdown_and_escape_raw_html(copy_project, built_catalog, tmp_path):
    """A descriptor that writes HTML gets it shown as text; its Markdown is rendered."""
    path = copy_project / "datasets" / "tender-kota-bogor" / "datapackage.yaml"
    descriptor = yaml.safe_load(path.read_text(encoding="utf-8"))
    descriptor["description"] = (
        "Paket **tender** <script>alert('x')</script> kota.\n\nCatatan `kode_tender` <b>tebal</b>."
    )
    field = descriptor["resources"][0]["schema"]["fields"][0]
    field["description"] = "Kode `A` <img src=x onerror=alert(1)>"
    path.write_text(yaml.safe_dump(descriptor, allow_unicode=True), encoding="utf-8")
    catalog = load_catalog(copy_project / "datasets", copy_project / "metadata")
    # The pages read the release's validation reports (the scorecard weighs their issues); the
    # build writes them before the pages, so this release gets the sample build's.
    reports = Path("site") / "reports"
    shutil.copytree(built_catalog / reports, tmp_path / reports)
    render_site(catalog, Manifest.load(built_catalog), tmp_path)
    page = (tmp_path / "site" / "dataset" / "tender-kota-bogor" / "index.html").read_text()
    assert "<script>alert" not in page and "<b>tebal" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert" in page and "&lt;img src=x" in page
    assert "<strong>tender</strong>" in page and "<code>kode_tender</code>" in page
    assert "`" not in dictionary_row(page, descriptor["resources"][0]["name"], field["name"])
    # the summary holds the first paragraph, the technical notes the second
    summary = page.split('class="summary"', 1)[1].split("</section>", 1)[0]
    technical = page.split('class="technical"', 1)[1]
    assert "<strong>tender</strong>" in summary and "kode_tender" not in summary
    assert "<code>kode_tender</code>" in technical


def test_summary_is_the_first_paragraph_with_the_list_it_opens():
    assert summary_and_notes("Apa.\n\nCara.") == ("Apa.", "Cara.")
    assert summary_and_notes("Tiga tabel:\n\n- a\n- b\n\nCatatan.") == (
        "Tiga tabel:\n\n- a\n- b",
        "Catatan.",
    )
    assert summary_and_notes("") == ("", "")
