"""The Datasette layer's small parts, without a server: formats, strings, facet cube, metadata."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import datasette
import pytest

from pipelines import catalog, datasette_layout
from pipelines.datasette_config import (
    MAX_CUBE_ROWS,
    column_description,
    facet_cube,
    label_column,
    table_metadata,
)
from pipelines.datasette_facets import cube_counts, equality_filters, index_cube
from pipelines.datasette_format import display_cell, format_percent, format_rupiah
from pipelines.datasette_i18n import (
    PLACEHOLDER,
    datasette_js_strings,
    lookup_label,
    strings,
    t,
    tt,
)
from pipelines.datasette_search import without_blank_search
from pipelines.registry import load_catalog


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
    assert all(pair["id"] and pair["en"] for pair in table.values())


def test_t_puts_english_beside_and_escapes():
    assert str(t("search")) == 'Cari <span class="en" lang="en">/ Search</span>'
    assert tt("apply_filters") == "Terapkan filter / Apply filters"
    assert tt("time_limit", ms=3000).startswith("Kueri dihentikan karena melewati batas waktu 3000")
    assert lookup_label("contains", "contains") == "memuat / contains"
    assert lookup_label("unknown-op", "weird") == "weird"


def test_database_name_is_the_catalogs():
    assert datasette_layout.DATABASE == catalog.DATABASE


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
    dataset = load_catalog().datasets["wilayah-kota-bogor"]
    entry = {
        "resources": {
            "wilayah": {"rows": 76, "downloads": [{"format": "csv", "path": "downloads/w/w.csv"}]}
        }
    }
    table = table_metadata(dataset, sample=False, entry=entry)["wilayah"]
    assert table["title"] == "Daftar kode wilayah / Region code list"
    assert table["facets"] == dataset.resource("wilayah").facet_columns
    assert table["label_column"] == "nama_wilayah"
    assert table["plugins"]["jendela"] == {
        "dataset": "wilayah-kota-bogor",
        "rows": 76,
        "downloads": {"csv": "/downloads/w/w.csv"},
    }
    assert label_column(load_catalog().datasets["tender-kota-bogor"].resource("tender")) is None


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
        literal_parts = [p for i, p in enumerate(PLACEHOLDER.split(pair["en"])) if i % 2 == 0]
        for part in filter(None, (p.strip() for p in literal_parts)):
            assert part in scripts, (key, part)
    patterns = datasette_js_strings()["patterns"]
    selected = next(p for p in patterns if p["en"] == "{n} of {total} selected")
    pattern = re.compile(selected["source"].replace("(?<", "(?P<"))
    assert pattern.fullmatch("3 of 12 selected").groupdict() == {"n": "3", "total": "12"}
    assert not pattern.fullmatch("3 dari 12 dipilih / 3 of 12 selected")  # never rewritten twice
