"""The default build describes each dataset as what its tables hold, and names who runs it.

Hand-written words that state coverage (years in a title, the region a publisher governs) are
checked against the published tables, read here with plain SQL, so a title cannot keep saying
"2021-2023" of a table that holds 2021-2024, and a city's government is never credited with
another region's data.
"""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import REAL_CATALOG, ROOT

from pipelines.core.registry import load_catalog

YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# "Kepmendagri 2025", "BPS (MFD 2018)": the edition of a code list or decree, not data years.
EDITION = re.compile(r"\b(?:Kepmendagri|Kemendagri|MFD)\s+(?:19|20)\d\d\b")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(REAL_CATALOG)


def _years_in(real, dataset) -> set[int]:
    """Every year present in the dataset's tables, from any integer column named tahun*."""
    years: set[int] = set()
    for resource in dataset.resources:
        for field in resource.fields:
            if field.get("type") == "integer" and field["name"].startswith("tahun"):
                sql = f"SELECT DISTINCT [{field['name']}] FROM [{resource.name}]"
                years |= {y for (y,) in real.query(sql) if y}
    return years


def _codes_in(real, dataset) -> set[str]:
    codes: set[str] = set()
    for resource in dataset.resources:
        if "kode_wilayah" in resource.field_names:
            sql = f"SELECT DISTINCT kode_wilayah FROM [{resource.name}]"
            codes |= {c for (c,) in real.query(sql) if c}
    return codes


def test_years_in_titles_are_the_years_the_tables_hold(real, catalog):
    """A title that names years names the first and last year present, in both languages."""
    for dataset in catalog.datasets.values():
        for title in (dataset.title, dataset.ext["en"]["title"]):
            named = {int(y) for y in YEAR.findall(EDITION.sub("", title))}
            if not named:
                continue
            present = _years_in(real, dataset)
            assert present, f"{dataset.id}: title names years, its tables hold none"
            assert min(named) == min(present) and max(named) == max(present), (
                dataset.id,
                title,
                sorted(present),
            )


def test_a_regional_publisher_is_credited_only_with_its_own_region(real, catalog):
    """A pemda publisher (publishers.yaml gives its kode_wilayah) is credited only with data
    about its own region: Pemerintah Kota Bogor never publishes Kota Bandung's tenders."""
    publishers = catalog.vocabulary.publishers
    for dataset in catalog.datasets.values():
        region = publishers[dataset.ext["publisher"]].get("kode_wilayah")
        codes = _codes_in(real, dataset)
        if region is None or not codes:
            continue
        outside = {c for c in codes if c != region and not c.startswith(region + ".")}
        assert not outside, f"{dataset.id}: {publishers[dataset.ext['publisher']]['name']} " + (
            f"credited with {sorted(outside)[:5]}"
        )


def test_every_page_names_the_operator_of_this_instance(real):
    """metadata/catalog.yaml names who runs the instance; every catalog page says so."""
    operator = yaml.safe_load((ROOT / "metadata" / "catalog.yaml").read_text())["operator"]
    site = real.output / "site"
    pages = [site / "index.html", site / "en" / "index.html"]
    pages += sorted((site / "dataset").glob("*/index.html"))
    assert len(pages) > 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        english = "/en/" in page.as_posix()
        name = operator["name_en"] if english else operator["name"]
        label = "Run by" if english else "Dikelola oleh"
        assert re.search(rf'{label} <a href="{re.escape(operator["url"])}">{name}</a>', html), page


def test_every_dataset_page_shows_the_provenance_of_its_snapshots(real, catalog):
    """Each page lists every snapshot file with its SHA-256, and quotes the licence exactly as
    the source states it (source/provenance.yaml, read here on its own)."""
    import html as html_lib

    for dataset in catalog.datasets.values():
        record = yaml.safe_load((dataset.folder / "source" / "provenance.yaml").read_text())
        page = (real.output / "site" / "dataset" / dataset.id / "index.html").read_text()
        text = html_lib.unescape(page)
        assert "Asal-usul data" in text, dataset.id
        common = record.get("common") or {}
        for entry in record["files"]:
            facts = {**common, **entry}
            assert facts["sha256"] in page, (dataset.id, entry["file"])
            assert f'class="licence-as-stated">{facts["licence_as_stated"]}<' in text, dataset.id


def test_the_catalog_is_published_by_its_operator(real):
    """DCAT names the operator as the catalog's publisher; datasets keep their own publishers."""
    import json

    operator = yaml.safe_load((ROOT / "metadata" / "catalog.yaml").read_text())["operator"]
    document = json.loads((real.output / "site" / "catalog.jsonld").read_text())
    publisher = document["dct:publisher"]
    assert publisher["@id"] == operator["url"]
    assert {v["@value"] for v in publisher["foaf:name"]} == {operator["name"], operator["name_en"]}
    credited = {d["dct:publisher"]["foaf:name"][0]["@value"] for d in document["dcat:dataset"]}
    assert operator["name"] not in credited and len(credited) > 3


def test_dates_come_from_the_sources_not_from_hand(real, catalog):
    """A dataset's 'updated' date on its page and in DCAT is the newest publication date of its
    snapshots (source/provenance.yaml; their retrieval date where that is unknown), never the
    descriptor's hand-written date."""
    import json

    document = json.loads((real.output / "site" / "catalog.jsonld").read_text())
    modified = {d["dct:identifier"]: d["dct:modified"]["@value"] for d in document["dcat:dataset"]}
    for dataset in catalog.datasets.values():
        record = yaml.safe_load((dataset.folder / "source" / "provenance.yaml").read_text())
        common = record.get("common") or {}
        files = [{**common, **f} for f in record["files"]]
        published = [str(f["commit_date"]) for f in files if f.get("commit_date")]
        newest = max(published or [str(f["retrieved"]) for f in files])
        page = (real.output / "site" / "dataset" / dataset.id / "index.html").read_text()
        assert f'datetime="{newest}"' in page, dataset.id
        assert modified[dataset.id] == newest, dataset.id
