"""The Datasette layer's small parts, without a server: formats, strings, facet cube, metadata."""

from __future__ import annotations

import ast
import asyncio
import json
import re
import sqlite3
from pathlib import Path

import datasette
import pytest
from conftest import SAMPLE_CATALOG
from datasette.app import Datasette
from datasette.utils.asgi import Request

from pipelines.catalog.datasette_metadata import (
    MAX_CUBE_ROWS,
    column_description,
    facet_cube,
    label_column,
    table_metadata,
)
from pipelines.core.manifest import DatasetEntry
from pipelines.core.registry import load_catalog
from pipelines.web import layout as datasette_layout
from pipelines.web.api_pages import openapi_view
from pipelines.web.cell_format import display_cell, format_percent, format_rupiah
from pipelines.web.error_pages import bad_filter, handle_error
from pipelines.web.facets import cube_counts, equality_filters, index_cube
from pipelines.web.i18n import (
    PLACEHOLDER,
    both,
    datasette_js_strings,
    lookup_label,
    strings,
    t,
    tt,
)
from pipelines.web.language import current
from pipelines.web.search import without_blank_search


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (1234567, "Rp 1.234.567"),
        (0, "Rp 0"),
        (999, "Rp 999"),
        (-5000, "-Rp 5.000"),
        (2_677_583_469_000, "Rp 2.677.583.469.000"),
        (1234.5, "Rp 1.234"),  # round half to even: display only
    ],
)
def test_rupiah(value, shown):
    assert format_rupiah(value) == shown


def test_percent_uses_decimal_comma():
    assert format_percent(97.04) == "97,04 %"
    assert format_percent(1234.5) == "1.234,50 %"


def test_only_money_and_percent_columns_are_formatted():
    assert display_cell("pagu_rp", 1500) == (
        '<span class="rupiah" data-value="1500">Rp 1.500</span>'
    )
    assert display_cell("realisasi_pct", 97.5).startswith('<span class="persen"')
    assert display_cell("tahun", 2023) is None
    assert display_cell("kode_wilayah", "32.71") is None
    assert display_cell("pagu_rp", None) is None
    assert display_cell("pagu_rp", "Rp 5") is None  # text is left alone
    assert display_cell("pagu_rp", True) is None


def test_every_string_has_both_languages_and_every_template_key_exists():
    table = strings()
    used = set()
    for template in datasette_layout.DATASETTE_TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\btt?\("([a-z_]+)"\s*[,)]""", template.read_text()))
    assert used, "templates ask for strings by key"
    assert used <= set(table), used - set(table)
    assert all(text.id and text.en for text in table.values())


LOOKERS = {"i18n": {"t", "tt"}, "error_pages": {"_bad_filter_response"}}


def test_every_string_is_used_somewhere():
    """The reverse check: no dead key. Templates ask with t("key")/tt("key"); a module importing
    t or tt, or error_pages' bad-request answer, names its keys as string literals
    (web/error_pages.py picks one of two, web/next_token.py hands one over). js_* keys are
    Datasette's own menu texts, op_* its filter lookups (both looked up by prefix)."""
    used = set()
    for template in datasette_layout.DATASETTE_TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\btt?\("([a-z_]+)"\s*[,)]""", template.read_text()))
    for module in Path(datasette_layout.__file__).parent.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        if any(
            isinstance(node, ast.ImportFrom)
            and LOOKERS.get(node.module, set()) & {alias.name for alias in node.names}
            for node in ast.walk(tree)
        ):  # a module that looks strings up itself: every string literal of it may be a key
            used |= {
                node.value
                for node in ast.walk(tree)
                if isinstance(node, ast.Constant) and isinstance(node.value, str)
            }
    unused = {k for k in strings() if not k.startswith(("js_", "op_")) and k not in used}
    assert not unused, f"translation keys no template or module uses: {sorted(unused)}"


def test_t_gives_the_page_language_and_both_gives_the_pair():
    assert str(t("search")) == "Cari"
    assert tt("apply_filters") == "Terapkan filter"
    assert both("apply_filters") == "Terapkan filter / Apply filters"
    assert both("time_limit", ms=3000).startswith("Kueri dihentikan karena melewati batas waktu")
    assert lookup_label("contains", "contains") == "memuat"
    assert lookup_label("unknown-op", "weird") == "weird"
    token = current.set("en")
    try:
        assert str(t("search")) == "Search" and lookup_label("contains", "x") == "contains"
    finally:
        current.reset(token)
    # Every lookup Datasette offers has its label (op_<lookup>), none falls back to English.
    from datasette.filters import Filters

    for key, display, _ in Filters([]).lookups():
        assert lookup_label(key, display) == tt(f"op_{key}"), key


def test_blank_search_is_dropped_but_real_search_kept():
    assert without_blank_search(b"_search=&tahun=2024") == b"tahun=2024"
    assert without_blank_search(b"_search=%20") == b""
    assert without_blank_search(b"_search=jalan&x=1") == b"_search=jalan&x=1"


@pytest.fixture
def cube():
    conn = sqlite3.connect(":memory:")
    conn.execute("create table t (jenis text, tahun integer, satker text)")
    rows = [
        ("Barang", 2023, "Dinas A"),
        ("Barang", 2023, "Dinas B"),
        ("Barang", 2024, "Dinas A"),
        ("Konstruksi", 2024, "Dinas A"),
        ("Konstruksi", 2024, None),
    ]
    conn.executemany("insert into t values (?, ?, ?)", rows)
    columns = ["jenis", "tahun", "satker"]
    return conn, index_cube(columns, facet_cube(conn, "t", columns))


def sql_counts(conn, column, where="1", params=()):
    return conn.execute(
        f"select {column}, count(*) as n from t where {where} and {column} is not null "
        f"group by {column} order by n desc, {column}",
        params,
    ).fetchall()


def test_cube_counts_equal_group_by_under_facet_filters(cube):
    conn, data = cube
    assert cube_counts(data, {}, "satker") == sql_counts(conn, "satker")
    filters = equality_filters([("tahun", "2024"), ("_size", "10")], data)
    assert filters == {1: "2024"}
    assert cube_counts(data, filters, "jenis") == sql_counts(conn, "jenis", "tahun = 2024")
    filters = equality_filters([("tahun__exact", "2023"), ("jenis", "Barang")], data)
    assert cube_counts(data, filters, "satker") == sql_counts(
        conn, "satker", "tahun = 2023 and jenis = 'Barang'"
    )


@pytest.mark.parametrize(
    "args",
    [
        [("_search", "jalan")],
        [("tahun__gte", "2023")],
        [("tahun", "2023.0")],  # SQLite would match it; the cube cannot know, so SQL answers
        [("tahun", "2023"), ("tahun", "2024")],
        [("_where", "1 = 1")],
        [("pagu_rp", "5")],
    ],
)
def test_other_filters_fall_back_to_sql(cube, args):
    assert equality_filters(args, cube[1]) is None


def test_cube_is_skipped_when_too_large():
    conn = sqlite3.connect(":memory:")
    conn.execute("create table t (x integer)")
    conn.executemany("insert into t values (?)", ((i,) for i in range(MAX_CUBE_ROWS + 1)))
    assert facet_cube(conn, "t", ["x"]) is None


def test_table_metadata_from_descriptors():
    dataset = load_catalog(SAMPLE_CATALOG).datasets["wilayah-kota-bogor"]
    entry = DatasetEntry(
        resources={
            "wilayah": {"rows": 76, "downloads": [{"format": "csv", "path": "downloads/w/w.csv"}]}
        }
    )
    table = table_metadata(dataset, sample=False, entry=entry)["wilayah"]
    assert table["title"] == "Daftar kode wilayah / Region code list"
    assert table["facets"] == dataset.resource("wilayah").facet_columns
    assert table["label_column"] == "nama_wilayah"
    plugin = table["plugins"]["jendela"]
    assert {k: plugin[k] for k in ("dataset", "rows", "downloads")} == {
        "dataset": "wilayah-kota-bogor",
        "rows": 76,
        "downloads": {"csv": "/downloads/w/w.csv"},
    }
    assert plugin["title"] == {"id": "Daftar kode wilayah", "en": "Region code list"}
    assert plugin["dataset_page"] == {
        "id": "/dataset/wilayah-kota-bogor/",
        "en": "/en/dataset/wilayah-kota-bogor/",
    }
    fields = dataset.resource("wilayah").fields
    assert list(plugin["columns"]) == [f["name"] for f in fields]
    first = fields[0]
    assert plugin["columns"][first["name"]]["title"] == {
        "id": first["title"],
        "en": first["jendela"]["en"]["title"],
    }
    assert (
        label_column(load_catalog(SAMPLE_CATALOG).datasets["tender-kota-bogor"].resource("tender"))
        is None
    )


def test_table_downloads_include_the_datapackage_and_schema():
    dataset = load_catalog(SAMPLE_CATALOG).datasets["wilayah-kota-bogor"]
    downloads = [
        {"format": "csv", "path": "downloads/w/wilayah.csv"},
        {"format": "schema", "path": "downloads/w/wilayah.schema.json"},
    ]
    entry = DatasetEntry(
        datapackage={"format": "datapackage", "path": "downloads/w/datapackage.json"},
        resources={"wilayah": {"rows": 76, "downloads": downloads}},
    )
    table = table_metadata(dataset, sample=False, entry=entry)["wilayah"]
    assert table["plugins"]["jendela"]["downloads"] == {
        "csv": "/downloads/w/wilayah.csv",
        "schema": "/downloads/w/wilayah.schema.json",
        "datapackage": "/downloads/w/datapackage.json",
    }


BIG = "9" * 25
OVERFLOW, BAD_JSON = OverflowError(), json.JSONDecodeError("Expecting value", "[Dinas", 1)


@pytest.mark.parametrize(
    ("url", "exception", "culprit"),
    [
        (f"/jendela/t.json?pagu_rp__gte={BIG}", OVERFLOW, f"pagu_rp__gte={BIG}"),
        (f"/jendela/t?x=1&n__in=[1,{BIG}]", OVERFLOW, f"n__in=[1,{BIG}]"),
        ("/jendela/t.csv?satker__notin=[Dinas", BAD_JSON, "satker__notin=[Dinas"),
        ("/jendela/t?satker__in=[Dinas", BAD_JSON, "satker__in=[Dinas"),
        # The same exceptions with nothing in the request to blame: our own fault, a 500.
        ("/-/api", OVERFLOW, None),
        (f"/jendela/t.json?pagu_rp={BIG}", OVERFLOW, None),  # `exact` compares text
        ("/jendela/t.json?pagu_rp__gte=5&satker__in=[Dinas", OVERFLOW, None),
        (f"/jendela/t.json?pagu_rp__gte={BIG}", BAD_JSON, None),
        ("/jendela/t.json?satker__in=Dinas,[A", BAD_JSON, None),
        (f"/jendela/t.json?_size={BIG}&_next=[x", OVERFLOW, None),
        (f"/jendela/t.json?pagu_rp__gte={BIG}", ValueError(), None),
    ],
)
def test_only_the_filter_that_caused_the_error_is_blamed(url, exception, culprit):
    """handle_error answers 400 naming the filter, in the page's format, or a 500 that blames
    nothing the user sent and shows no internals."""
    request = Request.fake(url)
    found = bad_filter(request.args, exception)
    assert (found and found[1]) == culprit
    ds = Datasette(memory=True, template_dir=str(datasette_layout.DATASETTE_TEMPLATES))

    async def answer():
        await ds.invoke_startup()
        return await handle_error(ds, request, exception)()

    response = asyncio.run(answer())
    if culprit is None:
        assert response.status == 500
        assert "Terjadi kesalahan di server." in response.body
        assert type(exception).__name__ not in response.body
        return
    assert response.status == 400
    if ".json" in url:
        assert f"`{culprit}`" in json.loads(response.body)["error"]
    elif ".csv" in url:
        assert response.content_type.startswith("text/plain")
        assert response.body.startswith(f"Daftar pada filter `{culprit}` tidak sah")
    else:
        assert f"<code>{culprit}</code>" in response.body and "Galat 400" in response.body


def test_openapi_404_carries_cors_like_every_answer():
    """A server with no release: the 404 is still readable by a browser client (CORS)."""
    ds = Datasette(memory=True, cors=True)
    response = asyncio.run(openapi_view(ds, Request.fake("/-/openapi.json")))
    assert response.status == 404
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert datasette_layout.cors_headers(Datasette(memory=True)) == {}


def test_column_description_joins_languages_and_unit():
    field = {
        "description": "Nilai.",
        "jendela": {"en": {"description": "Value."}, "unit": "Rupiah"},
    }
    assert column_description(field) == "Nilai. / Value. [Rupiah]"


def test_every_menu_string_we_translate_is_one_datasette_writes():
    """The js_* keys match Datasette's English exactly; a Datasette upgrade that rewords one
    would otherwise leave it untranslated without anyone noticing."""
    scripts = " ".join(
        path.read_text(encoding="utf-8")
        for path in (Path(datasette.__file__).parent / "static").glob("*.js")
    )
    for key, pair in strings().items():
        if not key.startswith("js_"):
            continue
        literal_parts = [p for i, p in enumerate(PLACEHOLDER.split(pair.en)) if i % 2 == 0]
        for part in filter(None, (p.strip() for p in literal_parts)):
            assert part in scripts, (key, part)
    patterns = datasette_js_strings("en")["patterns"]
    selected = next(p for p in patterns if p["text"] == "{n} of {total} selected")
    pattern = re.compile(selected["source"].replace("(?<", "(?P<"))
    assert pattern.fullmatch("3 of 12 selected").groupdict() == {"n": "3", "total": "12"}
    by_source = {p["source"]: p for p in datasette_js_strings("id")["patterns"]}
    indonesian = by_source[selected["source"]]
    assert indonesian["text"] == "{n} dari {total} dipilih" and indonesian["indonesian"]
