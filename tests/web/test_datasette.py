"""Datasette as journalists and developers meet it: a real `publish.py serve` on loopback.

Expected values are computed here from the embedded source CSVs (the raw Indonesian formats, read
with the standard library), never copied from the server's own answers.
"""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import httpx
import pytest
import yaml
from conftest import ENDLESS_QUERY, SAMPLE_CATALOG, Server

ROOT = Path(__file__).resolve().parents[2]
DATA = SAMPLE_CATALOG


def raw_rows(dataset: str, name: str) -> list[dict]:
    with open(DATA / dataset / "data" / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def rupiah(text: str) -> int | None:
    """`Rp 9.800.000.000,00` -> 9800000000 (the sample files use only this form)."""
    text = text.strip()
    if not text:
        return None
    whole, _, cents = text.removeprefix("Rp").strip().partition(",")
    assert cents.strip("0") == "", text
    return int(whole.replace(".", ""))


@pytest.fixture(scope="module")
def client(datasette_server):
    with httpx.Client(base_url=datasette_server.url, timeout=30) as http:
        yield http


@pytest.fixture(scope="module")
def tenders() -> list[dict]:
    return raw_rows("tender-kota-bogor", "tender")


def english(client, path: str, **params) -> str:
    """The page as a reader who chose English sees it (the switch's cookie)."""
    response = client.get(path, params=params, cookies={"jendela_lang": "en"})
    return response.text


def visible_text(page: str) -> str:
    """The page's text without its tags and scripts, whitespace collapsed."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", page)).split())


def query(client, name: str, **params) -> list[dict]:
    response = client.get(f"/jendela/{name}.json", params={"_shape": "array", **params})
    assert response.status_code == 200, response.text
    return response.json()


# --- metadata on table pages ---------------------------------------------------------------------


def test_table_page_shows_descriptor_metadata_in_the_page_language(client):
    """Title, column titles and descriptions from the descriptor, one language per page."""
    page = client.get("/jendela/tender").text
    assert "<h1>Daftar tender (contoh) (contoh, bukan data resmi)" in page
    assert "Tender list" not in page
    assert 'href="https://creativecommons.org/publicdomain/zero/1.0/"' in page
    assert 'href="https://spse.inaproc.id/kotabogor"' in page
    # Column descriptions with their unit, from metadata/fields.yaml, in the page's language.
    pagu = "Pagu anggaran paket, yaitu batas tertinggi dana yang tersedia, dalam Rupiah penuh."
    assert pagu in page
    assert "Budget ceiling of the package" not in page
    assert '<html lang="id">' in page
    page = english(client, "/jendela/tender")
    assert "<h1>Tender list (sample) (sample, not official data)" in page
    assert re.search(r"in whole Rupiah\. \[Rupiah\]", page)
    assert "Pagu anggaran paket" not in page
    assert '<html lang="en">' in page


def test_metadata_json_carries_titles_licence_source_and_units(client):
    penduduk = client.get("/jendela/penduduk.json", params={"_extra": "metadata"}).json()[
        "metadata"
    ]
    assert penduduk["title"].startswith("Penduduk per kecamatan dan jenis kelamin (contoh) / ")
    assert penduduk["license"] == "Creative Commons Attribution 4.0 International"
    assert penduduk["source_url"] == "https://jdih.kemendagri.go.id/"
    assert penduduk["columns"]["jumlah_penduduk"].endswith("[jiwa]")


def test_interface_strings_are_in_one_language_per_page(client):
    page = client.get("/jendela/tender").text
    other = english(client, "/jendela/tender")
    for indonesian, in_english in [
        ("Cari", "Search"),
        ("Terapkan filter", "Apply filters"),
        ("Faset", "Facets"),
        ("Data ini sebagai", "This data as"),
        ("Unduh seluruh tabel", "Download the whole table"),
        ("baris", "rows"),
    ]:
        assert indonesian in page and f"/ {in_english}" not in page
        assert in_english in other and f"{indonesian} /" not in other
    assert ">memuat<" in page and ">contains<" in other  # filter operators
    assert " / " not in re.sub(r"<[^>]*>", "", page.split('<p class="jendela-nav">')[1][:400])
    home = client.get("/-/").text
    assert "Katalog" in home and "Panduan API" in home


def test_database_index_counts_rows_in_indonesian(client, built_catalog):
    """/-/ is Datasette's index with our template: the same facts, Indonesian first."""
    facts = client.get("/-/.json").json()["databases"][0]
    page = client.get("/-/").text
    rows = f"{facts['table_rows_sum']:,}".replace(",", ".")
    assert f"{rows} baris dalam " in page
    assert f"{facts['tables_count']} tabel" in page
    assert "rows in" not in page
    assert f"{facts['table_rows_sum']:,} rows in " in english(client, "/-/")
    first = facts["tables_and_views_truncated"][0]["name"]
    title = client.get(f"/jendela/{first}.json", params={"_extra": "metadata"}).json()
    indonesian, in_english = title["metadata"]["title"].split(" / ")
    assert f'<a href="/jendela/{first}">{indonesian}</a>' in page
    assert f'<a href="/jendela/{first}">{in_english}</a>' in english(client, "/-/")


@pytest.mark.parametrize(
    ("path", "indonesian", "in_english"),
    [
        ("/jendela", "Kueri SQL", "Custom SQL query"),
        ("/jendela", "skema", "schema"),
        ("/jendela/-/query?sql=select+1", "sembunyikan", "hide"),
        ("/jendela/tender/TIDAK-ADA", "Galat 404", "Error 404"),
        ("/jendela/tender/TIDAK-ADA", "Halaman, tabel, atau baris ini tidak ada.", None),
        ("/jendela", "Unduh basis data SQLite", "Download the SQLite database"),
    ],
)
def test_database_query_and_error_pages_are_indonesian_first(client, path, indonesian, in_english):
    """What a reader sees (text outside tags; URLs such as /-/schema may keep English words)."""
    page = visible_text(client.get(path).text)
    assert indonesian in page
    if in_english:
        assert in_english not in page
        assert in_english in visible_text(english(client, path))


@pytest.mark.parametrize(
    "path", ["/jendela", "/jendela/-/query?sql=select+1", "/jendela/realisasi_apbd"]
)
def test_sql_form_buttons_are_translated_on_database_and_query_pages(client, path):
    """One shared button row (templates/_sql_form.html): no English-only "Run SQL" left; a
    canned query has its own form (parameters, then the answer) with the SQL folded."""
    page = client.get(path).text
    if path == "/jendela/realisasi_apbd":
        assert 'value="Tampilkan hasil"' in page and 'value="Show results"' in english(client, path)
        assert '<details class="query-sql"><summary>SQL kueri ini</summary>' in page
    else:
        assert 'value="Jalankan SQL"' in page
        assert ">Rapikan SQL</button>" in page
        assert 'value="Run SQL"' in english(client, path)
    assert "setupSqlParameterRefresh({})" in page
    assert ">Format SQL<" not in page and 'value="Run SQL"' not in page


NAV_LINKS = {
    "/": "Katalog",
    "/-/": "Basis data",
    "/-/api": "Panduan API",
    "/jendela#queries": "Kueri siap pakai",
}


@pytest.mark.parametrize(
    "path", ["/jendela/tender", "/jendela/realisasi_apbd", "/-/api", "/-/", "/jendela/tender/X"]
)
def test_every_page_has_the_same_way_around(client, path):
    """Catalog, database index, API guide and queries, from one include, minus the page itself."""
    page = client.get(path).text
    nav = re.search(r'<p class="jendela-nav">(.*?)</p>', page).group(1)
    links = dict(re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav))
    assert links == {href: label for href, label in NAV_LINKS.items() if href != path}


# --- facets --------------------------------------------------------------------------------------


def facet_counts(payload: dict, column: str) -> list[tuple[str, int]]:
    """(value, count) pairs in the order the server lists them."""
    results = payload["facet_results"]["results"][column]["results"]
    return [(str(item["value"]), item["count"]) for item in results]


def ordered(counts: Counter, typed=str) -> list[tuple[str, int]]:
    """Datasette's facet order, applied here: most rows first, then by value."""
    return [(str(v), n) for v, n in sorted(counts.items(), key=lambda i: (-i[1], typed(i[0])))]


def test_descriptor_facets_are_on_the_table_page_with_true_counts(client, tenders):
    page = client.get("/jendela/tender").text
    for column in ("jenis_pengadaan", "metode_pengadaan", "tahun_anggaran", "tahap", "satker"):
        assert f'data-column="{column}"' in page
    assert "facets-timed-out" not in page
    payload = client.get("/jendela/tender.json", params={"_extra": "facet_results"}).json()
    assert facet_counts(payload, "tahun_anggaran") == ordered(
        Counter(r["Tahun Anggaran"] for r in tenders), int
    )
    assert facet_counts(payload, "satker") == ordered(Counter(r["Satuan Kerja"] for r in tenders))


def test_facet_counts_under_a_facet_filter_match_datasettes_own_sql(client, tenders):
    """The release's cube and a request's own counts (any other filter) agree with the source."""
    params = {
        "_extra": "facet_results",
        "tahun_anggaran": "2024",
        "jenis_pengadaan": "Jasa Lainnya",
    }
    from_cube = client.get("/jendela/tender.json", params=params).json()
    # `_where` is not a facet equality: SQLite finds the rows, the release's arrays count them.
    from_sql = client.get("/jendela/tender.json", params={**params, "_where": "1 = 1"}).json()
    for column in ("metode_pengadaan", "tahap", "satker"):
        assert facet_counts(from_cube, column) == facet_counts(from_sql, column)
    expected = Counter(
        r["Satuan Kerja"]
        for r in tenders
        if r["Tahun Anggaran"] == "2024" and r["Jenis Pengadaan"] == "Jasa Lainnya"
    )
    assert facet_counts(from_cube, "satker") == ordered(expected)


FACET_COLUMNS = ("jenis_pengadaan", "metode_pengadaan", "tahun_anggaran", "tahap", "satker")
FTS = "rowid in (select rowid from tender_fts where tender_fts match ?)"
# Filters, and the same rows in plain SQL for SQLite to count as the reference.
FILTERED_PAGES = [
    ({"pagu_rp__gte": "1000000000"}, "pagu_rp >= 1000000000", ()),
    (
        {"pagu_rp__gte": "1e9", "satker": "Dinas Kesehatan"},
        "pagu_rp >= 1e9 and satker = 'Dinas Kesehatan'",
        (),
    ),
    (
        {"jumlah_peserta__lt": "5", "tahun_anggaran__not": "2024"},
        "jumlah_peserta < 5 and tahun_anggaran != 2024",
        (),
    ),
    ({"nilai_kontrak_rp__isnull": "1"}, "nilai_kontrak_rp is null", ()),
    ({"_search": "jalan"}, FTS, ('"jalan"',)),
    (
        {"_search": "Drainase", "pagu_rp__lte": "5000000000.5"},
        f"{FTS} and pagu_rp <= 5000000000.5",
        ('"Drainase"',),
    ),
    # Not evaluated by the arrays: SQLite finds the rowids, the arrays count them.
    ({"nama_paket__contains": "Jalan"}, "nama_paket like '%Jalan%'", ()),
    ({"_where": "hps_rp * 100 >= 99 * pagu_rp"}, "hps_rp * 100 >= 99 * pagu_rp", ()),
]


def sqlite_facet_counts(db: Path, where: str, params: tuple) -> dict[str, list]:
    """Each facet column's (value, count) pairs as SQLite orders them: count, then value."""
    conn = sqlite3.connect(db)
    try:
        return {
            column: [
                (str(value), n)
                for value, n in conn.execute(
                    f"select {column}, count(*) as n from tender where ({where}) "
                    f"and {column} is not null group by {column} order by n desc, {column}",
                    params,
                )
            ]
            for column in FACET_COLUMNS
        }
    finally:
        conn.close()


@pytest.mark.parametrize(("params", "where", "where_params"), FILTERED_PAGES)
def test_facet_counts_under_any_filter_are_what_sqlite_counts(
    client, built_catalog, params, where, where_params
):
    """Facets under ranges, searches and other filters, checked against SQLite's own GROUP BY."""
    payload = client.get(
        "/jendela/tender.json", params={**params, "_extra": "facet_results", "_size": "0"}
    ).json()
    assert payload["facet_results"]["timed_out"] == []
    expected = sqlite_facet_counts(built_catalog / "jendela.db", where, where_params)
    for column in FACET_COLUMNS:
        assert facet_counts(payload, column) == expected[column], column
    assert sum(n for _, n in expected["tahun_anggaran"]) > 0


BOUNDS = {"gte": lambda x, v: x >= v, "gt": lambda x, v: x > v, "lte": lambda x, v: x <= v,
          "lt": lambda x, v: x < v}  # fmt: skip
SQL_OPS = {"gte": ">=", "gt": ">", "lte": "<=", "lt": "<"}


@pytest.mark.parametrize("op", list(BOUNDS))
@pytest.mark.parametrize("column", ["jumlah_peserta", "pagu_rp"])
def test_a_row_on_the_filter_boundary_is_counted_on_the_right_side(
    client, built_catalog, tenders, column, op
):
    """The bound is a value rows hold (several rows for jumlah_peserta): `gte` and `lte` count
    them, `gt` and `lt` do not; the count comes from the source CSV, the facet lists (in order)
    from SQLite."""
    source = {
        "jumlah_peserta": [
            int(r["Jumlah Peserta"]) if r["Jumlah Peserta"] else None for r in tenders
        ],
        "pagu_rp": [rupiah(r["Nilai Pagu Paket"]) for r in tenders],
    }[column]
    held = Counter(v for v in source if v is not None)
    bound = max(held, key=lambda v: (held[v], v))  # the value most rows hold
    assert held[bound] >= 1 and (column == "pagu_rp" or held[bound] > 1)
    payload = client.get(
        "/jendela/tender.json",
        params={f"{column}__{op}": str(bound), "_extra": "facet_results,count", "_size": "0"},
    ).json()
    assert payload["count"] == sum(1 for v in source if v is not None and BOUNDS[op](v, bound))
    expected = sqlite_facet_counts(
        built_catalog / "jendela.db", f"{column} {SQL_OPS[op]} ?", (bound,)
    )
    for facet in FACET_COLUMNS:
        assert facet_counts(payload, facet) == expected[facet], facet


def test_filtered_facets_need_no_group_by(built_catalog):
    """Proof the arrays counted: Datasette's query trace holds no GROUP BY for these pages."""
    server = Server(built_catalog, ("--setting", "trace_debug", "1"))
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            for params, _, _ in FILTERED_PAGES:
                payload = http.get(
                    "/jendela/tender.json",
                    params={**params, "_extra": "facet_results", "_size": "0", "_trace": "1"},
                ).json()
                grouped = [
                    t["sql"] for t in payload["_trace"]["traces"] if "group by" in t.get("sql", "")
                ]
                assert grouped == [], (params, grouped)
    finally:
        server.stop()


def test_without_the_arrays_sql_counts_the_same(built_catalog, tmp_path):
    """A release without facet_store/ (an older one) still answers, with one GROUP BY."""
    release = tmp_path / "release"
    shutil.copytree(built_catalog, release, ignore=shutil.ignore_patterns("facet_store"))
    server = Server(release)
    try:
        for params, where, where_params in FILTERED_PAGES[::3]:
            payload = httpx.get(
                f"{server.url}/jendela/tender.json",
                params={**params, "_extra": "facet_results", "_size": "0"},
                timeout=30,
            ).json()
            expected = sqlite_facet_counts(release / "jendela.db", where, where_params)
            for column in FACET_COLUMNS:
                assert facet_counts(payload, column) == expected[column], (params, column)
    finally:
        server.stop()


def test_facets_that_run_out_of_time_say_so_and_what_to_do(built_catalog):
    """A filter the arrays cannot answer counts facets in SQL, under facet_time_limit_ms."""
    server = Server(built_catalog, ("--setting", "facet_time_limit_ms", "1"))
    slow = "(select count(*) from wilayah a, wilayah b, wilayah c) > 0"  # ~10^5 combinations
    try:
        page = httpx.get(f"{server.url}/jendela/tender", params={"_where": slow}, timeout=30)
    finally:
        server.stop()
    assert page.status_code == 200
    assert "Faset berikut tidak sempat dihitung untuk filter ini (batas 1 ms)" in page.text
    assert "narrow the filter" not in page.text


def test_facet_indexes_exist(built_catalog):
    conn = sqlite3.connect(built_catalog / "jendela.db")
    indexed = {row[0] for row in conn.execute("select sql from sqlite_master where type='index'")}
    conn.close()
    # Facet columns, and the numbers and dates people sort by and filter with ranges.
    for column in ("jenis_pengadaan", "tahun_anggaran", "satker", "pagu_rp", "nilai_kontrak_rp"):
        # The column first, then the primary key: filtered pages read in key order.
        assert any(sql and f'("{column}", "kode_tender")' in sql for sql in indexed), column


# --- full-text search ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "column"),
    [("Drainase", "Nama Paket"), ("Kesehatan", "Satuan Kerja"), ("Medika", "Pemenang")],
)
def test_full_text_search_covers_package_unit_and_winner(client, tenders, word, column):
    """Every tender whose package, unit or winner holds the word, and no other (word match, as
    full-text search matches; the region names searched too hold none of these words)."""
    rows = client.get("/jendela/tender.json", params={"_search": word, "_size": "max"}).json()
    pattern = re.compile(rf"\b{word}\b", re.IGNORECASE)
    texts = ("Nama Paket", "Satuan Kerja", "Pemenang")
    expected = {r["Kode Tender"] for r in tenders if any(pattern.search(r[c]) for c in texts)}
    assert any(pattern.search(r[column]) for r in tenders)
    assert sorted(row["kode_tender"] for row in rows["rows"]) == sorted(expected)


def test_account_names_are_searchable(client):
    rows = client.get("/jendela/apbd.json", params={"_search": "Pegawai", "_size": "max"}).json()
    expected = [
        (r["Tahun"], r["Kode Akun"])
        for r in raw_rows("apbd-kota-bogor", "apbd")
        if re.search(r"\bPegawai\b", r["Uraian"], re.IGNORECASE)
    ]
    assert len(expected) > 1
    found = [(str(r["tahun"]), r["kode_akun"]) for r in rows["rows"]]
    assert sorted(found) == sorted(expected)


# --- canned queries ------------------------------------------------------------------------------


# What each canned query answers is checked on the default (real) build against the source files:
# tests/web/test_canned_queries.py. The sample build serves the same queries over its sample tables;
# the tests below check the machinery around them (credits, parameters, formatting, CSV).


def tables_read(db: Path, sql: str) -> set[str]:
    """The tables SQLite's authorizer reports as read while compiling `sql` (not running it)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    tables: set[str] = set()

    def authorizer(action, table, column, schema, source):
        if action == sqlite3.SQLITE_READ and not table.startswith("sqlite_"):
            tables.add(table)
        return sqlite3.SQLITE_OK

    conn.set_authorizer(authorizer)
    try:
        params = dict.fromkeys(re.findall(r":(\w+)", sql), "")
        conn.execute(f"EXPLAIN {sql}", params).fetchall()
    finally:
        conn.close()
    return tables


def test_canned_query_pages_credit_every_table_they_read(client, built_catalog):
    """A query mixes tables with their own licences: its page names each one's licence, source."""
    config = yaml.safe_load((ROOT / "datasette.yaml").read_text(encoding="utf-8"))
    queries = config["databases"]["jendela"]["queries"]
    metadata = json.loads((built_catalog / "metadata.json").read_text(encoding="utf-8"))
    tables = metadata["databases"]["jendela"]["tables"]
    read = {
        name: tables_read(built_catalog / "jendela.db", q["sql"]) for name, q in queries.items()
    }
    assert read["belanja_per_penduduk"] == {"apbd_djpk", "penduduk_kemendagri"}
    for name, names in read.items():
        page = client.get(f"/jendela/{name}").text
        credits = page.split('class="jendela-query-sources"', 1)[1].split("</div>", 1)[0]
        for table in names:
            info = tables[table]
            assert f'<a href="/jendela/{table}">' in credits, (name, table)
            item = credits.split(f'<a href="/jendela/{table}">', 1)[1].split("</li>", 1)[0]
            assert f'<a href="{info["license_url"]}">{info["license"]}</a>' in item, (name, table)
            assert f'<a href="{info["source_url"]}">' in item, (name, table)
        assert credits.count("<li>") == len(names)


def test_a_custom_sql_page_credits_the_tables_it_reads(client):
    page = client.get(
        "/jendela/-/query", params={"sql": "select count(*) from tender, wilayah"}
    ).text
    credits = page.split('class="jendela-query-sources"', 1)[1].split("</div>", 1)[0]
    assert '<a href="/jendela/tender">' in credits and '<a href="/jendela/wilayah">' in credits
    assert "Lisensi data" in credits
    broken = client.get("/jendela/-/query", params={"sql": "select * from tidak_ada"})
    assert "jendela-query-sources" not in broken.text  # SQLite's own error is the message


def test_canned_queries_have_descriptions_and_named_parameters(client):
    # The database page lists five and counts them all; the full list is /jendela/-/queries.
    config = yaml.safe_load((ROOT / "datasette.yaml").read_text(encoding="utf-8"))
    assert client.get("/jendela.json").json()["queries_count"] == len(
        config["databases"]["jendela"]["queries"]
    )
    queries = client.get("/jendela/-/queries.json").json()["queries"]
    by_name = {q["name"]: q for q in queries}
    for name in config["databases"]["jendela"]["queries"]:
        assert " / " in by_name[name]["title"]
        assert len(by_name[name]["description"]) > 80
        assert "tahun" in by_name[name]["parameters"]


# --- Rupiah in HTML, plain numbers in JSON and CSV ----------------------------------------------


def test_money_is_rupiah_in_html_and_plain_in_json_and_csv(client, tenders):
    first = tenders[0]
    amount = rupiah(first["Nilai Pagu Paket"])
    shown = "Rp " + f"{amount:,}".replace(",", ".")
    page = client.get("/jendela/tender", params={"kode_tender": first["Kode Tender"]}).text
    assert f'data-value="{amount}">{shown}</span>' in page
    row = client.get(
        "/jendela/tender.json", params={"kode_tender": first["Kode Tender"], "_shape": "array"}
    ).json()[0]
    assert row["pagu_rp"] == amount and isinstance(row["pagu_rp"], int)
    text = client.get("/jendela/tender.csv", params={"kode_tender": first["Kode Tender"]}).text
    assert f",{amount}," in text and "Rp " not in text
    # Canned query results follow the same rule (columns ending _rp).
    page = client.get("/jendela/realisasi_apbd", params={"tahun": "", "wilayah": ""}).text
    assert re.search(r'class="rupiah" data-value="\d+">Rp \d{1,3}(\.\d{3})+</span>', page)


def test_year_and_code_columns_are_not_formatted(client):
    page = client.get("/jendela/tender", params={"_size": "1"}).text
    [row] = client.get("/jendela/tender.json", params={"_size": "1", "_shape": "array"}).json()
    year = row["tahun_anggaran"]
    assert f'<td class="col-tahun_anggaran type-int">{year}</td>' in page
    assert (
        f"Rp {year // 1000}.{year % 1000:03d}" not in page
        and f"{year:,}".replace(",", ".") not in page
    )


# --- safety --------------------------------------------------------------------------------------


def test_a_slow_query_stops_with_a_clear_bilingual_message(client):
    response = client.get("/jendela/-/query.json", params={"sql": ENDLESS_QUERY})
    assert response.status_code == 400
    error = response.json()["error"]
    assert "Kueri dihentikan" in error and "3000 ms limit" in error


def test_anonymous_users_cannot_write(client):
    insert = client.post("/jendela/tender/-/insert", json={"row": {"kode_tender": "1"}})
    assert insert.status_code in (401, 403, 405)
    write_sql = client.post("/jendela/-/execute-write", data={"sql": "delete from tender"})
    assert write_sql.status_code >= 400
    assert len(client.get("/jendela/tender.json", params={"_size": "max"}).json()["rows"]) == 30


def test_database_is_immutable_and_limits_are_set(client):
    databases = client.get("/-/databases.json").json()["databases"]
    assert [d["is_mutable"] for d in databases if d["name"] == "jendela"] == [False]
    settings = client.get("/-/settings.json").json()
    assert settings["sql_time_limit_ms"] == 3000
    assert settings["max_returned_rows"] == 1000
    assert settings["max_csv_mb"] == 0


@pytest.mark.parametrize(
    ("path", "params", "culprit", "key"),
    [
        ("/jendela/tender", {"pagu_rp__gte": "9" * 30}, "pagu_rp__gte=" + "9" * 30, "terlalu"),
        ("/jendela/tender", {"satker__in": "[Dinas"}, "satker__in=[Dinas", "tidak sah"),
    ],
)
def test_a_bad_filter_on_an_html_page_is_an_html_400_naming_it(client, path, params, culprit, key):
    response = client.get(path, params=params)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="id">' in response.text
    error = response.text.split('class="jendela-error"', 1)[1].split("</div>", 1)[0]
    assert f"<code>{culprit}</code>" in error and key in error
    assert '<span class="en"' not in error


def test_a_bad_filter_in_the_json_api_is_a_json_400_naming_it(client):
    response = client.get("/jendela/tender.json", params={"satker__in": "[Dinas", "tahap": "x"})
    assert response.status_code == 400
    assert response.headers["access-control-allow-origin"] == "*"
    error = response.json()["error"]
    assert "`satker__in=[Dinas`" in error and "tidak sah" in error and "Invalid list" in error
    big = client.get("/jendela/tender.json", params={"jumlah_peserta__in": f"[1, {10**20}]"})
    assert big.status_code == 400
    assert f"`jumlah_peserta__in=[1, {10**20}]`" in big.json()["error"]


def test_cors_is_on_for_the_json_api(client):
    response = client.get("/jendela/tender.json", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"


# --- downloads -----------------------------------------------------------------------------------


def test_table_page_links_the_complete_prebuilt_downloads(client, tenders):
    page = client.get("/jendela/tender").text
    assert 'href="/downloads/tender-kota-bogor/tender.csv"' in page
    rows = list(
        csv.DictReader(client.get("/downloads/tender-kota-bogor/tender.csv").text.splitlines())
    )
    assert len(rows) == len(tenders)


def test_table_page_links_every_prebuilt_file_and_the_datapackage(client, built_catalog):
    manifest = json.loads((built_catalog / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["datasets"]["tender-kota-bogor"]
    page = client.get("/jendela/tender").text
    strip = page.split('class="jendela-downloads"', 1)[1].split("</p>", 1)[0]
    package = entry["datapackage"]["path"]
    assert f'<a href="/{package}" class="download-datapackage">datapackage.json</a>' in strip
    for download in entry["resources"]["tender"]["downloads"]:
        assert f'<a href="/{download["path"]}" class="download-{download["format"]}">' in strip
        if download["format"] == "schema":  # <table>.schema.json: named in the page's language
            assert ">Skema tabel (JSON)</a>" in strip
        if download["format"] == "partitions":  # the index of the partitioned Parquet files
            assert ">Parquet per tahun dan wilayah (daftar berkas)</a>" in strip


def test_whole_table_stream_redirects_to_the_prebuilt_file(client, tenders):
    response = client.get("/jendela/tender.csv", params={"_stream": "on", "_dl": "on"})
    assert response.status_code == 302
    assert response.headers["location"] == "/downloads/tender-kota-bogor/tender.csv"


def test_filtered_stream_has_every_matching_row(client, tenders):
    response = client.get("/jendela/tender.csv", params={"_stream": "on", "tahun_anggaran": "2024"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(response.text.splitlines()))
    assert sorted(r["kode_tender"] for r in rows) == sorted(
        r["Kode Tender"] for r in tenders if r["Tahun Anggaran"] == "2024"
    )


def test_static_catalog_still_served_at_root(client):
    assert client.get("/").status_code == 200
    assert client.get("/-/").status_code == 200
