"""The static catalog as files: pages in both languages, relative links, downloads with their
checksums, DCAT / data.json / schema.org / sitemap / Atom, deterministic bytes, and the map option.

Everything here reads the real build of the embedded catalog (`built_catalog`); the browser-driven
checks live in test_site_browser.py.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
import rdflib
import yaml
from conftest import BOUNDARIES_LICENCE, ROOT, SAMPLE_CATALOG, frictionless_validate, run_publish

from pipelines.catalog.charts import chart_spec
from pipelines.catalog.maps import Boundaries, match_features
from pipelines.core.errors import DescriptorError
from pipelines.core.indonesian import region_name_key
from pipelines.core.layout import DATABASE_FILE
from pipelines.core.model import SAMPLE_LABEL, Resource
from pipelines.core.registry import load_catalog
from pipelines.core.release import current_release
from pipelines.stages.export import _write_xlsx

SAMPLE_TEXT = f"{SAMPLE_LABEL.id} / {SAMPLE_LABEL.en}"
RESOURCE_FORMATS = {"csv", "json", "xlsx", "parquet"}
PAGE_LIMIT = 300 * 1024
# Paths that only `publish.py serve` answers (Datasette), not the static files.
SERVER_PATHS = ("jendela/", "-/")


class Page(HTMLParser):
    """Links, assets, JSON-LD blocks and visible text of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.assets: list[str] = []
        self.jsonld: list[str] = []
        self.text: list[str] = []
        self.lang: str | None = None
        self._in_jsonld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "link" and attrs.get("href"):
            (self.assets if attrs.get("rel") == "stylesheet" else self.links).append(attrs["href"])
        if tag in ("script", "img") and attrs.get("src"):
            self.assets.append(attrs["src"])
        self._in_jsonld = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_endtag(self, tag):
        self._in_jsonld = False

    def handle_data(self, data):
        if self._in_jsonld:
            self.jsonld.append(data)
        else:
            self.text.append(data)

    @property
    def plain(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.text))


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def site(built_catalog) -> Path:
    return built_catalog / "site"


@pytest.fixture(scope="module")
def manifest(built_catalog) -> dict:
    return json.loads((built_catalog / "manifest.json").read_text())


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(SAMPLE_CATALOG)


def held_coverage(build: Path, manifest: dict, dataset_id: str) -> tuple[set, set]:
    """The years (INTEGER columns named tahun/tahun_*) and region codes (kode_wilayah) the
    dataset's published tables hold, read with plain SQL: what its metadata must state."""
    years, codes = set(), set()
    with sqlite3.connect(build / "jendela.db") as db:
        for table in manifest["datasets"][dataset_id]["resources"]:
            columns = db.execute(f"PRAGMA table_info([{table}])").fetchall()
            year = next(
                (c[1] for c in columns if re.match(r"tahun(_|$)", c[1]) and c[2] == "INTEGER"),
                None,
            )
            if year:
                years |= {y for (y,) in db.execute(f"SELECT [{year}] FROM [{table}]") if y}
            if any(c[1] == "kode_wilayah" for c in columns):
                codes |= {c for (c,) in db.execute(f"SELECT kode_wilayah FROM [{table}]") if c}
    return years, codes


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "reports" not in p.parts)


def test_every_dataset_has_a_page_in_both_languages(site, manifest):
    for dataset_id in manifest["datasets"]:
        indonesian = parse(site / "dataset" / dataset_id / "index.html")
        english = parse(site / "en" / "dataset" / dataset_id / "index.html")
        assert (indonesian.lang, english.lang) == ("id", "en")
        assert "../../en/dataset/" + dataset_id + "/index.html" in indonesian.links
        assert "../../../dataset/" + dataset_id + "/index.html" in english.links
    assert parse(site / "index.html").lang == "id"
    assert parse(site / "en" / "index.html").lang == "en"


def test_internal_links_and_assets_are_relative_and_resolve(site):
    checked = 0
    for page_path in html_pages(site) + sorted((site / "reports").rglob("*.html")):
        page = parse(page_path)
        for ref in page.links + page.assets:
            if ref.startswith(("http://", "https://", "mailto:")):
                assert ref not in page.assets, f"{page_path}: external asset {ref}"
                continue
            assert not ref.startswith("/"), f"{page_path}: root-absolute link {ref}"
            target = (page_path.parent / ref.split("#")[0].split("?")[0]).resolve()
            relative = target.relative_to(site.resolve()).as_posix()
            if (relative + "/").startswith(SERVER_PATHS) or ref.startswith("#"):
                continue
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{page_path}: broken link {ref}"
            checked += 1
    assert checked > 100


def test_no_page_weighs_over_300_kb_with_its_assets(site):
    for page_path in html_pages(site):
        page = parse(page_path)
        weight = page_path.stat().st_size + sum(
            # An asset's address may carry its digest (`?v=`); the file is the address's path.
            (page_path.parent / urlsplit(ref).path).stat().st_size
            for ref in page.assets
        )
        assert weight < PAGE_LIMIT, f"{page_path} weighs {weight} bytes"


def test_downloads_are_advertised_with_true_size_and_checksum(site, manifest):
    for dataset_id, entry in manifest["datasets"].items():
        page = (site / "dataset" / dataset_id / "index.html").read_text(encoding="utf-8")
        files = [d for r in entry["resources"].values() for d in r["downloads"]]
        files += [entry["datapackage"], entry["zip"]]
        for resource in entry["resources"].values():
            assert {d["format"] for d in resource["downloads"]} >= RESOURCE_FORMATS
        for download in files:
            data = (site / download["path"]).read_bytes()
            assert len(data) == download["bytes"]
            assert hashlib.sha256(data).hexdigest() == download["sha256"]
            assert download["sha256"] in page
            assert f'href="../../{download["path"]}"' in page


def test_every_table_has_its_table_schema_as_a_download(site, manifest):
    """`<table>.schema.json` is the schema datapackage.json publishes for the table, linked on the
    table's download rows in both languages, and DCAT names it as what the table's files conform
    to (it is not itself a distribution, nor a format facet)."""
    base = "https://jendeladata.id/"
    graph = rdflib.Graph().parse(site / "catalog.jsonld", format="json-ld")
    distributions = set(graph.subjects(rdflib.RDF.type, DCAT.Distribution))
    labels = {
        lang: yaml.safe_load((ROOT / f"metadata/translations/{lang}.yaml").read_text())[
            "schema_download"
        ]
        for lang in ("id", "en")
    }
    ocds_seen = 0
    for dataset_id, entry in manifest["datasets"].items():
        package = json.loads((site / entry["datapackage"]["path"]).read_text())
        schemas = {r["name"]: r["schema"] for r in package["resources"]}
        pages = {
            (prefix, lang): (site / prefix / "dataset" / dataset_id / "index.html").read_text()
            for prefix, lang in (("", "id"), ("en/", "en"))
        }
        for name, resource in entry["resources"].items():
            (schema,) = [d for d in resource["downloads"] if d["format"] == "schema"]
            assert schema["path"] == f"downloads/{dataset_id}/{name}.schema.json"
            assert json.loads((site / schema["path"]).read_text()) == schemas[name]
            for (prefix, lang), page in pages.items():
                root = "../" * (2 + prefix.count("/"))
                link = f'href="{root}{schema["path"]}" download data-format="schema">'
                assert link + html.escape(labels[lang]) + "</a>" in page, (dataset_id, lang)
            schema_url = rdflib.URIRef(base + schema["path"])
            assert schema_url not in distributions
            for download in resource["downloads"]:
                dist = rdflib.URIRef(base + download["path"])
                if download["format"] in RESOURCE_FORMATS:
                    assert graph.value(dist, DCT.conformsTo) == schema_url, download["path"]
                elif download["format"] == "ocds":
                    ocds_seen += 1
                    assert graph.value(dist, DCT.conformsTo) == rdflib.URIRef(
                        "https://standard.open-contracting.org/schema/1__1__5/"
                        "release-package-schema.json"
                    )
                    assert str(graph.value(dist, DCAT.mediaType)).endswith("/application/json")
                    assert str(graph.value(dist, DCT["format"])).endswith("/file-type/JSON")
    assert ocds_seen == 3
    home = (site / "index.html").read_text()
    assert 'value="schema"' not in home
    assert not [f for f in re.findall(r'data-format="([^"]*)"', home) if "schema" in f.split()]


def test_xlsx_keeps_codes_as_text_and_numbers_as_numbers(site, manifest, built_catalog):
    entry = manifest["datasets"]["apbd-kota-bogor"]["resources"]["apbd"]
    xlsx = next(d for d in entry["downloads"] if d["format"] == "xlsx")
    book = openpyxl.load_workbook(site / xlsx["path"], read_only=True)
    rows = list(book["apbd"].iter_rows(values_only=True))
    header, first = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert len(rows) - 1 == entry["rows"]
    assert "kode_wilayah" in header and isinstance(first["kode_wilayah"], str)
    assert first["kode_wilayah"] == "32.71"
    # a number cell (Excel holds every number as a double: openpyxl reads "5.0" as a float,
    # pandas as the integer), equal to the integer the published table holds
    table = sqlite3.connect(current_release(built_catalog) / DATABASE_FILE)
    money = table.execute("SELECT anggaran_rp FROM apbd ORDER BY rowid LIMIT 1").fetchone()[0]
    assert isinstance(money, int) and type(first["anggaran_rp"]) in (int, float)
    assert first["anggaran_rp"] == money
    dictionary = list(book["kamus_data"].iter_rows(values_only=True))
    assert [r[0] for r in dictionary[1:]] == list(header)


def test_xlsx_never_writes_a_formula(tmp_path):
    db = sqlite3.connect(tmp_path / "t.db")
    db.execute("CREATE TABLE t (teks TEXT, tanggal TEXT)")
    db.execute("INSERT INTO t VALUES ('=HYPERLINK(\"http://x\")', '2024-08-17')")
    resource = Resource(
        name="t",
        dataset_id="d",
        folder=tmp_path,
        descriptor={
            "schema": {
                "fields": [
                    {"name": "teks", "type": "string", "description": "x"},
                    {"name": "tanggal", "type": "date", "description": "y"},
                ]
            },
            "jendela": {},
        },
    )
    _write_xlsx(db, resource, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["t"]
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("=HYPERLINK")
    assert sheet["B2"].is_date


def test_a_table_over_the_excel_limit_gets_no_xlsx_and_the_page_says_why(tmp_path, monkeypatch):
    from pipelines.build import build
    from pipelines.stages import export

    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 20)  # tender has 30 rows, penduduk 12
    output = tmp_path / "build"
    result = build(
        load_catalog(SAMPLE_CATALOG), ["tender-kota-bogor", "penduduk-kota-bogor"], output=output
    )
    assert not result.failed
    site = output / "site"
    manifest = json.loads((output / "manifest.json").read_text())
    formats = [
        d["format"]
        for d in manifest["datasets"]["tender-kota-bogor"]["resources"]["tender"]["downloads"]
    ]
    assert "xlsx" not in formats and "csv" in formats
    assert not (site / "downloads/tender-kota-bogor/tender.xlsx").exists()
    note = yaml.safe_load((ROOT / "metadata/translations/id.yaml").read_text())["xlsx_skipped"]
    assert note in (site / "dataset/tender-kota-bogor/index.html").read_text()
    assert note not in (site / "dataset/penduduk-kota-bogor/index.html").read_text()  # 12 rows


def test_report_of_a_multi_file_input_names_each_issue_file(tmp_path):
    """apbd-djpk reads one file per government and year: "row 3" is findable only with its file,
    so every issue row of the HTML report names the file it came from."""
    from pipelines.build import build

    inputs = tmp_path / "djpk"
    broken = {"2021/Kota_Bogor.csv": ("947.23", "abc"), "2023/Kota Bogor.csv": ("910,45 M", "x M")}
    for relative, (good, bad) in broken.items():
        text = (SAMPLE_CATALOG / "apbd-djpk/data" / relative).read_text(encoding="utf-8")
        assert text.count(good) == 1
        (inputs / relative).parent.mkdir(parents=True, exist_ok=True)
        (inputs / relative).write_text(text.replace(good, bad), encoding="utf-8")
    output = tmp_path / "build"
    overrides = {"apbd_djpk": inputs / "*/*.csv"}
    result = build(
        load_catalog(SAMPLE_CATALOG), ["apbd-djpk"], output=output, source_overrides=overrides
    )
    assert [r.id for r in result.failed] == ["apbd-djpk"]
    reports = output / "site/reports/apbd-djpk"
    document = json.loads((reports / "apbd_djpk.json").read_text())
    page = (reports / "apbd_djpk.html").read_text(encoding="utf-8")
    for kind, issues in (("report", document["errors"]), ("report warnings", document["warnings"])):
        table = re.search(rf'<table class="{kind}">(.*?)</table>', page, re.S).group(1)
        rows = re.findall(r"<tr><td>(?:<code>(.*?)</code>)?</td><td>(\d*)</td>", table)
        assert [(html.unescape(f), row) for f, row in rows] == [
            (i["file"], str(i["row"])) for i in issues
        ]
    files = {i["file"] for i in document["errors"]}
    assert files == {str(inputs / relative) for relative in broken}


def test_dataset_zip_is_a_frictionless_data_package(site, manifest):
    entry = manifest["datasets"]["tender-kota-bogor"]
    zip_path = site / entry["zip"]["path"]
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        # The table, and the region rows its kode_wilayah foreign key references.
        assert names == ["datapackage.json", "tender.csv", "wilayah.csv"]
        assert {i.date_time for i in archive.infolist()} == {(2026, 11, 29, 0, 0, 0)}
        package = json.loads(archive.read("datapackage.json"))
        csv = archive.read("tender.csv")
    assert package["resources"][0]["path"] == "tender.csv"
    assert csv == (site / "downloads/tender-kota-bogor/tender.csv").read_bytes()
    # The real frictionless CLI on the zip itself: rows, keys (foreign keys included), bytes, hash.
    report = frictionless_validate(zip_path)
    assert report["valid"]
    assert sorted(t["name"] for t in report["tasks"]) == ["tender", "wilayah"]
    assert [t["stats"]["rows"] for t in report["tasks"] if t["name"] == "tender"] == [
        csv.decode("utf-8").count("\n") - 1
    ]


# --- machine-readable catalog ------------------------------------------------------------------

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")


def test_dcat_catalog_is_json_ld_with_dcat_ap_properties(site, manifest):
    graph = rdflib.Graph().parse(site / "catalog.jsonld", format="json-ld")
    catalogs = list(graph.subjects(rdflib.RDF.type, DCAT.Catalog))
    datasets = set(graph.subjects(rdflib.RDF.type, DCAT.Dataset))
    assert len(catalogs) == 1
    assert set(graph.objects(catalogs[0], DCAT.dataset)) == datasets
    assert {str(graph.value(d, DCT.identifier)) for d in datasets} == set(manifest["datasets"])
    for dataset in datasets:
        titles = {t.language: str(t) for t in graph.objects(dataset, DCT.title)}
        assert set(titles) == {"id", "en"}
        for prop in (DCT.description, DCT.publisher, DCAT.theme, DCT.modified, DCAT.keyword):
            assert graph.value(dataset, prop) is not None, (dataset, prop)
        distributions = list(graph.objects(dataset, DCAT.distribution))
        assert len(distributions) >= 6
        for dist in distributions:
            assert graph.value(dist, DCAT.downloadURL) is not None
            assert graph.value(dist, DCAT.mediaType) is not None
            assert int(graph.value(dist, DCAT.byteSize)) > 0
            checksum = graph.value(dist, SPDX.checksum)
            assert re.fullmatch(r"[0-9a-f]{64}", str(graph.value(checksum, SPDX.checksumValue)))


def test_data_json_carries_project_open_data_required_fields(site, manifest, catalog):
    document = json.loads((site / "data.json").read_text())
    assert document["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    assert len(document["dataset"]) == len(manifest["datasets"])
    for dataset in document["dataset"]:
        for key in ("title", "description", "modified", "identifier", "accessLevel", "license"):
            assert dataset[key], key
        assert dataset["keyword"] and dataset["publisher"]["name"]
        assert dataset["contactPoint"]["fn"]
        # Required by DCAT-US: the publisher's address, or the catalog operator's contact.
        assert re.fullmatch(r"mailto:[^@\s]+@[^@\s]+\.[a-z]+", dataset["contactPoint"]["hasEmail"])
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", dataset["modified"])
        dataset_id = dataset["identifier"].rstrip("/").rsplit("/", 1)[1]
        years, _ = held_coverage(site.parent, manifest, dataset_id)
        if years:  # "if applicable" in DCAT-US: the years the tables hold
            assert dataset["temporal"] == f"{min(years)}-01-01/{max(years)}-12-31"
        else:
            assert "temporal" not in dataset
        for dist in dataset["distribution"]:
            assert dist["downloadURL"].startswith("https://") and dist["mediaType"]


def test_every_dataset_page_has_schema_org_dataset_for_google(site, manifest, catalog):
    for dataset_id in manifest["datasets"]:
        for prefix in ("", "en/"):
            page = parse(site / prefix / "dataset" / dataset_id / "index.html")
            (block,) = page.jsonld
            data = json.loads(block)
            assert data["@context"] == "https://schema.org/" and data["@type"] == "Dataset"
            assert data["name"] and 50 <= len(data["description"]) <= 5000
            assert data["url"].endswith(f"{prefix}dataset/{dataset_id}/")
            assert data["license"].startswith("https://")
            assert data["creator"]["name"] and data["dateModified"]
            years, codes = held_coverage(site.parent, manifest, dataset_id)
            assert bool(data.get("temporalCoverage")) == bool(years)
            assert bool(data["spatialCoverage"]) == bool(codes)
            assert {d["encodingFormat"] for d in data["distribution"]} >= {"text/csv"}
            assert all(d["contentUrl"].startswith("https://") for d in data["distribution"])
            assert data["variableMeasured"] and data["variableMeasured"][0]["name"]


def test_sitemap_robots_and_atom_feed(site, manifest):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "a": "http://www.w3.org/2005/Atom"}
    urls = [u.text for u in ET.parse(site / "sitemap.xml").getroot().findall("s:url/s:loc", ns)]
    assert len(urls) == 2 * (1 + len(manifest["datasets"]))
    assert "Sitemap: https://jendeladata.id/sitemap.xml" in (site / "robots.txt").read_text()
    catalog = load_catalog(SAMPLE_CATALOG)
    for prefix in ("", "en/"):
        feed = ET.parse(site / prefix / "atom.xml").getroot()
        entries = feed.findall("a:entry", ns)
        assert len(entries) == len(manifest["datasets"])
        updated = {e.find("a:id", ns).text: e.find("a:updated", ns).text for e in entries}
        for dataset_id in manifest["datasets"]:
            url = f"https://jendeladata.id/{prefix}dataset/{dataset_id}/"
            assert updated[url] == catalog.datasets[dataset_id].ext["updated"] + "T00:00:00Z"
            assert url in urls
        assert feed.find("a:updated", ns).text == max(updated.values())


def test_base_url_option_changes_every_absolute_url(tmp_path):
    output = tmp_path / "build"
    result = run_publish(
        "build", "--quiet", "--output", str(output), "--base-url", "https://data.example.org/x"
    )
    assert result.returncode == 0, result.stderr
    site = output / "site"
    settings = yaml.safe_load((ROOT / "metadata/catalog.yaml").read_text())
    for name in ("catalog.jsonld", "data.json", "sitemap.xml", "robots.txt", "atom.xml"):
        # No address of the default host remains: the operator's own website (catalog.yaml,
        # named as the catalog's publisher) and contact email are not the catalog's host.
        text = (site / name).read_text().replace(settings["operator"]["url"], "")
        assert "https://data.example.org/x/" in text and "://jendeladata.id" not in text, name
    page = (site / "dataset/penduduk-kota-bogor/index.html").read_text()
    assert "https://data.example.org/x/dataset/penduduk-kota-bogor/" in page
    bad = run_publish("build", "--quiet", "--output", str(output), "--base-url", "data.example")
    assert bad.returncode == 2 and "--base-url must be an http(s) address" in bad.stderr


# --- text: bilingual, no strings in templates, sample label ---------------------------------


def test_translation_files_have_the_same_keys():
    indonesian = yaml.safe_load((ROOT / "metadata/translations/id.yaml").read_text())
    english = yaml.safe_load((ROOT / "metadata/translations/en.yaml").read_text())
    assert set(indonesian) == set(english)


# Words a template may hold outside t(): formats, standards and code in the API snippets.
ALLOWED_WORDS = {
    "JSON",
    "CSV",
    "XLSX",
    "DCAT",
    "US",
    "AP",
    "LD",
    "data",
    "json",
    "sitemap",
    "xml",
    "Atom",
    "SHA",
    "curl",
    "import",
    "pandas",
    "as",
    "pd",
    "df",
    "read_csv",
    "dtype",
    "string",
    "from",
    "ckanapi",
    "RemoteCKAN",
    "ckan",
    "package",
    "action",
    "package_show",
    "id",
    "urls",
    "resource",
    "url",
    "for",
    "in",
    "shape",
    "array",
    "size",
    "sha256sum",
    "echo",
    "LO",
    "_shape",
    "_size",
    "amp",
    "resources",
}


def test_templates_hold_no_user_facing_words():
    for path in sorted((ROOT / "site/templates").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", text, flags=re.S)
        text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", text, flags=re.S)
        text = re.sub(r"<[^>]+>", " ", text)
        words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]+", text)) - ALLOWED_WORDS
        assert not words, f"{path.name}: hard-coded words {sorted(words)}"


def test_sample_label_on_every_page_that_shows_sample_data(site, manifest):
    samples = [d for d, e in manifest["datasets"].items() if e.get("sample")]
    assert samples
    for prefix in ("", "en/"):
        home = parse(site / prefix / "index.html").plain
        assert home.count(SAMPLE_TEXT) == len(samples)
        for dataset_id in samples:
            assert SAMPLE_TEXT in parse(site / prefix / "dataset" / dataset_id / "index.html").plain
    for dataset_id in set(manifest["datasets"]) - set(samples):
        assert SAMPLE_TEXT not in (site / "dataset" / dataset_id / "index.html").read_text()


def test_citation_in_both_languages_uses_the_update_date(site, catalog):
    page = parse(site / "dataset/wilayah-kota-bogor/index.html").plain
    updated = catalog.datasets["wilayah-kota-bogor"].ext["updated"]
    assert f"Diperbarui {updated}. https://jendeladata.id/dataset/wilayah-kota-bogor/" in page
    assert f"Updated {updated}. https://jendeladata.id/en/dataset/wilayah-kota-bogor/" in page


def test_search_index_holds_column_descriptions(site, catalog):
    index = json.loads((site / "search-index.json").read_text())
    documents = {d["id"]: d for d in index["datasets"]}
    field = catalog.datasets["tender-kota-bogor"].resource("tender").fields[0]
    columns = documents["tender-kota-bogor"]["columns"]
    assert any(field["description"] in c["text"] for c in columns)


# --- charts and maps ---------------------------------------------------------------------------


def test_charts_are_inline_svg_with_bars(site):
    page = (site / "dataset/penduduk-kota-bogor/index.html").read_text()
    svg = re.search(r'<svg class="chart".*?</svg>', page, re.S).group(0)
    widths = [float(w) for w in re.findall(r'class="bar"[^>]*width="([\d.]+)"', svg)]
    assert len(widths) == 12 and max(widths) > 100


def test_without_boundaries_the_page_says_why_there_is_no_map(site):
    notes = yaml.safe_load((ROOT / "metadata/translations/id.yaml").read_text())["map_none"]
    notes_en = yaml.safe_load((ROOT / "metadata/translations/en.yaml").read_text())["map_none"]
    page = (site / "dataset/penduduk-kota-bogor/index.html").read_text()
    assert notes in page and '<svg class="map"' not in page
    assert notes_en in (site / "en/dataset/penduduk-kota-bogor/index.html").read_text()
    # Data not below city level gets neither a map nor a note.
    assert notes not in (site / "dataset/apbd-kota-bogor/index.html").read_text()


def test_map_from_real_boundaries_read_in_place(boundaries_build):
    output = boundaries_build
    page = (output / "site/dataset/penduduk-kota-bogor/index.html").read_text()
    svg = re.search(r'<svg class="map".*?</svg>', page, re.S).group(0)
    titles = re.findall(r"<path d=\"M[^\"]+\" fill=\"(#[0-9a-f]{6})\" class=\"region\">"
                        r"<title>([^<]+)</title>", svg)  # fmt: skip
    assert len(titles) == 6
    assert all(re.search(r"\(32\.71\.0[1-6]\): [\d.]+ jiwa", t) for _, t in titles)
    assert "#d9d9d9" not in {fill for fill, _ in titles}  # every kecamatan matched by name
    assert BOUNDARIES_LICENCE in page
    assert len(svg) < 40_000
    assert not list(output.resolve().rglob("*.geojson"))
    assert "106.7352" not in svg  # projected and rounded, not the source coordinates


def test_boundaries_option_errors_name_the_file(tmp_path):
    output = str(tmp_path / "build")
    no_licence = run_publish("build", "-q", "--output", output, "--boundaries", "x.geojson")
    assert no_licence.returncode == 2 and "--boundaries-licence" in no_licence.stderr
    missing = run_publish(
        "build", "-q", "--output", output,
        "--boundaries", str(tmp_path / "none.geojson"), "--boundaries-licence", "CC0",
    )  # fmt: skip
    assert missing.returncode == 2 and "none.geojson: (file): file not found" in missing.stderr
    points = tmp_path / "points.geojson"
    points.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
        '"geometry": {"type": "Point", "coordinates": [106.8, -6.6]}}]}'
    )
    wrong = run_publish(
        "build", "-q", "--output", output, "--boundaries", str(points),
        "--boundaries-licence", "CC0",
    )  # fmt: skip
    assert wrong.returncode == 2
    assert "points.geojson: features[0].geometry.type: 'Point' is not a (Multi)Polygon" in (
        wrong.stderr
    )


def test_boundary_names_match_region_names():
    assert region_name_key("KEC. BOGOR BARAT") == region_name_key("Bogor Barat")
    assert region_name_key("KEL. MARGAJAYA") == region_name_key("Marga jaya")
    assert region_name_key("KEL. PASIR JAYA") != region_name_key("Pasir Mulya")


def test_boundary_features_match_by_the_shared_region_key(tmp_path):
    """A boundary named "KOTA BOGOR" is not drawn as Kabupaten Bogor (the map once dropped
    "Kota" and matched both); level words and spacing still do not matter."""
    features = [
        {"properties": {"NAMOBJ": "KOTA BOGOR"}, "rings": []},
        {"properties": {"WADMKC": "KEC. BOGOR BARAT", "luas": 32.85}, "rings": []},
        {"properties": {"kode": "32.71.02", "nama": "lain"}, "rings": []},
    ]
    boundaries = Boundaries(tmp_path / "b.geojson", "CC0", features)
    names = {"32.01": "Kabupaten Bogor", "32.71.01": "Bogor Barat", "32.71.02": "Bogor Timur"}
    assert [code for code, _ in match_features(boundaries, names)] == [
        None,
        "32.71.01",
        "32.71.02",
    ]
    assert match_features(boundaries, {"32.71": "Kota Bogor"})[0][0] == "32.71"


def test_chart_spec_naming_an_unknown_column_is_a_descriptor_error(catalog):
    resource = catalog.datasets["penduduk-kota-bogor"].resource("penduduk")
    broken = Resource(
        resource.name,
        resource.dataset_id,
        {**resource.descriptor, "jendela": {**resource.ext, "chart": {
            "category": "kecamatan", "values": ["jumlah_penduduk"]}}},
        resource.folder,
    )  # fmt: skip
    with pytest.raises(DescriptorError, match="jendela.chart: 'kecamatan' is not a field"):
        chart_spec(broken, "datasets/penduduk-kota-bogor/datapackage.yaml")


# --- served by publish.py serve ------------------------------------------------------------------


def test_publish_serve_mounts_the_whole_site(datasette_server, manifest):
    import httpx

    dataset_id = next(iter(manifest["datasets"]))
    paths = {
        "/": "text/html",
        "/en/": "text/html",
        f"/en/dataset/{dataset_id}/index.html": "text/html",
        "/catalog.jsonld": "application/ld+json",
        "/data.json": "application/json",
        "/search-index.json": "application/json",
        "/sitemap.xml": "xml",
        "/robots.txt": "text/plain",
        "/atom.xml": "xml",
        "/en/atom.xml": "xml",
    }
    for path, kind in paths.items():
        response = httpx.get(datasette_server.url + path)
        assert response.status_code == 200, path
        assert kind in response.headers["content-type"], (path, response.headers["content-type"])
