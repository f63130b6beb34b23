"""The OpenAPI 3 document at /-/openapi.json: valid, complete, and true of the running server.

openapi-spec-validator checks the document against the OpenAPI 3 specification; schemathesis then
generates requests from it (a few examples per operation, so the run takes seconds) against the
real `publish.py serve` on loopback and checks every answer against what the document promises.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from conftest import ROOT
from openapi_spec_validator import validate

from pipelines.web.openapi import load_packages, openapi_document

TABLES = ("apbd", "penduduk", "tender", "wilayah")
QUERIES = (
    "realisasi_apbd",
    "belanja_per_penduduk",
    "kontrak_terbesar",
    "tender_terbesar",
    "penduduk_per_wilayah",
    "rup_per_metode",
)


def read_config() -> dict:
    return yaml.safe_load((Path(__file__).resolve().parents[2] / "datasette.yaml").read_text())


@pytest.fixture(scope="module")
def document(datasette_server) -> dict:
    response = httpx.get(f"{datasette_server.url}/-/openapi.json", timeout=30)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    return response.json()


def test_document_is_valid_openapi_3(document):
    validate(document)
    assert document["openapi"].startswith("3.")


def test_servers_point_at_the_address_it_was_asked_from(document, datasette_server):
    assert document["servers"] == [{"url": datasette_server.url}]


def test_every_published_table_has_json_and_csv_endpoints(document):
    for table in TABLES:
        json_op = document["paths"][f"/jendela/{table}.json"]["get"]
        names = {p["name"] for p in json_op["parameters"]}
        assert {"_size", "_facet", "_sort", "_extra"} <= names
        # The page token is the server's to issue: clients follow next_url (next_token.py).
        assert "_next" not in names
        assert (
            "next_url"
            in json_op["responses"]["200"]["content"]["application/json"]["schema"]["anyOf"][0][
                "properties"
            ]
        )
        assert "kode_wilayah" in names and "kode_wilayah__in" in names
        csv_op = document["paths"][f"/jendela/{table}.csv"]["get"]
        assert "_stream" in {p["name"] for p in csv_op["parameters"]}
    tender = {p["name"]: p for p in document["paths"]["/jendela/tender.json"]["get"]["parameters"]}
    assert "_search" in tender  # full-text search where the descriptor asks for it
    assert tender["pagu_rp__gte"]["schema"]["type"] == "integer"
    assert tender["pagu_rp__gte"]["schema"]["maximum"] == 2**63 - 1
    assert tender["jenis_pengadaan"]["schema"]["enum"][0] == "Pekerjaan Konstruksi"
    # Region-keyed tables are searched by region name (nama_wilayah, model.region_name_fields);
    # a table with no text to search and no region key offers no `_search`.
    penduduk = {p["name"] for p in document["paths"]["/jendela/penduduk.json"]["get"]["parameters"]}
    assert "_search" in penduduk and "nama_provinsi" in penduduk
    assert "_search" not in {
        p["name"]
        for p in document["paths"]["/jendela/lpse_jenis_instansi.json"]["get"]["parameters"]
    }


def test_row_schemas_come_from_the_table_schemas(document):
    tender = document["components"]["schemas"]["tender"]["properties"]
    assert tender["nilai_kontrak_rp"] == {
        "type": "integer",
        "nullable": True,
        "description": "Nilai kontrak (Rp) / Contract value (IDR)",
    }
    assert "nullable" not in tender["kode_tender"]


def test_canned_queries_are_documented_with_their_parameters(document):
    for name in QUERIES:
        operation = document["paths"][f"/jendela/{name}.json"]["get"]
        assert " / " in operation["summary"]
        assert "tahun" in {p["name"] for p in operation["parameters"]}


def test_document_is_generated_from_the_release_table_schemas(built_catalog, document):
    """Same inputs, same document; and it is the release's datapackage.json schemas."""
    packages = load_packages(built_catalog / "site")
    tables = {r["name"] for p in packages for r in p["resources"]}
    config = read_config()
    queries = config["databases"]["jendela"]["queries"]
    plugin = config["plugins"]["jendela"]
    first = openapi_document(packages, tables, queries, 1000, plugin)
    assert first == openapi_document(packages, tables, queries, 1000, plugin)
    assert json.loads(json.dumps(first)) == first
    assert first["paths"] == document["paths"]
    assert first["components"] == document["components"]


def test_api_page_has_copy_paste_examples(datasette_server):
    page = httpx.get(f"{datasette_server.url}/-/api", timeout=30).text
    assert "curl -s &#39;" in page or "curl -s '" in page
    assert "pd.read_csv(&#34;" in page or 'pd.read_csv("' in page
    assert "/downloads/tender-kota-bogor/tender.csv" in page
    assert "next_url" in page
    assert "/-/openapi.json" in page


def test_server_keeps_the_documents_promises(datasette_server, tmp_path):
    """schemathesis with its default checks, bounded: a few generated requests per operation,
    fixed seed. Every request the document allows must be accepted (`positive_data_acceptance`):
    no server error, documented status codes and content types, responses matching the schemas.
    """
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")), "run",
            f"{datasette_server.url}/-/openapi.json",
            "--phases", "examples,fuzzing", "--mode", "positive", "--max-examples", "6",
            "--seed", "20261129", "--no-shrink", "--workers", "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
             "PYTHONPATH": str(Path(__file__).parent)},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "No issues found" in result.stdout


def test_blank_search_box_is_no_search(datasette_server):
    url = f"{datasette_server.url}/jendela/tender"
    assert httpx.get(url, params={"_search": "", "tahun_anggaran": "2024"}).status_code == 200
    payload = httpx.get(f"{url}.json", params={"_search": " ", "_extra": "count"}).json()
    assert payload["count"] == 30


def test_integer_filter_beyond_64_bits_is_a_clear_400(datasette_server):
    response = httpx.get(
        f"{datasette_server.url}/jendela/tender.json", params={"pagu_rp__gte": "9" * 30}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert "terlalu besar" in error and "too large" in error


def test_malformed_in_list_is_a_clear_400(datasette_server):
    response = httpx.get(
        f"{datasette_server.url}/jendela/tender.json", params={"satker__in": "[Dinas"}
    )
    assert response.status_code == 400
    assert "__in" in response.json()["error"]


def table_keys(built_catalog, table: str) -> list[str]:

    with sqlite3.connect(built_catalog / "jendela.db") as db:
        rows = db.execute(f"PRAGMA table_info([{table}])").fetchall()
    return [name for _, name, _, _, _, pk in sorted(rows, key=lambda r: r[5]) if pk]


@pytest.mark.parametrize(
    ("table", "params"),
    [
        ("penduduk", {"_next": "\\", "_sort": "jumlah_penduduk"}),  # schemathesis' token
        ("tender", {"_next": "a,b,c", "_sort": "pagu_rp"}),
        ("tender", {"_next": "a,b"}),  # two parts, one key column, no sort
        ("penduduk", {"_next": "32.71.01"}),  # one part, three key columns
        ("penduduk", {"_next": "1,2,3", "_sort_desc": "jumlah_penduduk"}),
    ],
)
@pytest.mark.parametrize("suffix", [".json", ".csv", ""])
def test_a_made_up_page_token_is_a_clear_400(
    datasette_server, built_catalog, table, params, suffix
):
    """A `_next` token with the wrong number of parts for the table's key (counted here from the
    database's own schema) answers 400 naming the token in both languages, as JSON, text or
    an HTML page, never SQLite's `near ")": syntax error`."""
    parts = len(params["_next"].split(","))
    sorted_ = "_sort" in params or "_sort_desc" in params
    keys = len(table_keys(built_catalog, table))
    assert (parts - 1 if sorted_ and parts > 1 else parts) != keys  # the token does not fit
    response = httpx.get(f"{datasette_server.url}/jendela/{table}{suffix}", params=params)
    assert response.status_code == 400, response.text[:300]
    text = response.json()["error"] if suffix == ".json" else response.text
    assert "syntax error" not in text
    if not suffix:  # an HTML page is in the reader's language: English after the switch
        assert "Penanda halaman" in text and "_next=" in text
        english = {"jendela_lang": "en"}
        url = f"{datasette_server.url}/jendela/{table}"
        text = httpx.get(url, params=params, cookies=english).text
    assert "Penanda halaman" in text or not suffix
    assert "Unknown page token" in text and "_next=" in text


def test_every_page_token_the_server_issues_is_accepted(datasette_server, built_catalog):
    """Following next_url through a sorted and an unsorted table reads every row once: the check
    refuses made-up tokens only."""
    for table, params in (
        ("tender", {"_size": 7, "_sort": "pagu_rp"}),
        ("penduduk", {"_size": 5}),
        ("penduduk", {"_size": 5, "_sort_desc": "jumlah_penduduk"}),
    ):
        url = f"{datasette_server.url}/jendela/{table}.json"
        rows, pages = [], 0
        response = httpx.get(url, params={**params, "_shape": "objects"})
        while True:
            assert response.status_code == 200, response.text[:300]
            page = response.json()
            rows += page["rows"]
            pages += 1
            if not page["next_url"]:
                break
            response = httpx.get(page["next_url"])

        with sqlite3.connect(built_catalog / "jendela.db") as db:
            total = db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]
        assert pages > 2 and len(rows) == total, table
        keys = table_keys(built_catalog, table)
        assert len({tuple(r[k] for k in keys) for r in rows}) == total


# Form fields of Datasette's HTML pages (the filter form posts them and is redirected to the
# API's own parameters), not parameters of the JSON or CSV API; `_next` is followed from next_url.
HTML_FORM_FIELDS = {"_filter_column", "_filter_op", "_filter_value", "_sort_by_desc"}
HTML_FORM_FIELDS |= {"_show_hidden"}
# The page-language switch of HTML pages: web/language.py answers it with a redirect that sets a
# cookie before Datasette sees the request, so no JSON or CSV answer depends on it.
HTML_FORM_FIELDS |= {"_lang"}
EXAMPLE_FILES = [
    *sorted((ROOT / "site" / "datasette" / "templates").glob("*.html")),
    ROOT / "site" / "datasette" / "translations.yaml",
    ROOT / "pipelines" / "web" / "api_pages.py",
    *sorted((ROOT / "site" / "templates").glob("*.html")),
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
]
SPECIAL_ARG = re.compile(r"(?<![\w$.\-/#])(_[a-z][a-z_]*)(?==|['\"])")


def test_every_parameter_our_examples_use_is_documented(document):
    """`_shape`, `_sort_desc`, `_labels`, `_nl`, ...: each special argument that our templates,
    API guide, site snippets, README or docs put in a URL is a documented parameter."""
    used = {
        name
        for path in EXAMPLE_FILES
        for name in SPECIAL_ARG.findall(path.read_text(encoding="utf-8"))
    }
    assert {"_shape", "_sort_desc", "_labels", "_stream", "_size"} <= used  # the scan sees them
    documented = {
        parameter["name"]
        for item in document["paths"].values()
        for parameter in item["get"]["parameters"]
    }
    assert {"_col", "_nocol"} <= documented
    assert used - HTML_FORM_FIELDS - {"_next"} <= documented, sorted(
        used - HTML_FORM_FIELDS - {"_next"} - documented
    )
