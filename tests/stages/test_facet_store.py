"""Facet counts from the release's arrays equal SQLite's, for the filters the arrays answer.

The reference is the SQL Datasette itself runs: its `Filters` class builds the WHERE clause from
the same `column__lookup=value` arguments, and SQLite counts the matching rows per facet cell.
Hypothesis generates the filters, including values that are not numbers, fractions, huge numbers
and lookups the arrays do not answer (those must say None, never a wrong count).
"""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter

import numpy as np
import pytest
from datasette.filters import Filters
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.catalog.datasette_metadata import facet_cube
from pipelines.stages.facet_store import FacetStore, Selection, open_store, write_store
from pipelines.web.facets import store_filters

FACETS = ["jenis", "tahun", "status"]
NUMERIC = {"tahun": "integer", "pagu_rp": "integer", "peserta": "integer", "rasio": "number"}
VALUES = st.sampled_from(
    ["0", "1", "-1", "2", "2021", "2022", "2.5", "-2.5", "1e3", "1000", "1000000000", "07",
     " 7", "abc", "", "nan", "inf", "9223372036854775807", "9223372036854775808", "1e19",
     "0.1", "Barang", "Konstruksi", "Selesai", "2021.0", "-0"]
)  # fmt: skip
LOOKUPS = st.sampled_from(
    ["exact", "not", "gt", "gte", "lt", "lte", "isnull", "notnull", "contains", "in"]
)
COLUMNS = st.sampled_from([*FACETS, "pagu_rp", "peserta", "rasio", "nama"])


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """A tender-like table with NULLs, negatives, fractions and an integer facet column."""
    folder = tmp_path_factory.mktemp("store")
    conn = sqlite3.connect(folder / "t.db")
    conn.execute(
        "CREATE TABLE t (id TEXT PRIMARY KEY, nama TEXT, jenis TEXT, tahun INTEGER, "
        "status TEXT, pagu_rp INTEGER, peserta INTEGER, rasio REAL)"
    )
    rng = np.random.default_rng(7)
    rows = []
    for i in range(2000):
        rows.append(
            (
                f"T{i:05d}",
                f"paket {i}",
                ["Barang", "Konstruksi", "Jasa", None][i % 4],
                [2021, 2022, 2023][rng.integers(3)],
                ["Selesai", "Batal", None][rng.integers(3)],
                int(rng.choice([0, 1, 2, 7, 999, 1000, 1001, -1, 10**9, 9223372036854775807])),
                None if i % 5 == 0 else int(rng.integers(-2, 10)),
                None if i % 7 == 0 else float(rng.choice([0.1, 2.5, -2.5, 1000.0, 3.0])),
            )
        )
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    cube = {"columns": FACETS, "rows": facet_cube(conn, "t", FACETS)}
    write_store(conn, "t", cube, NUMERIC, folder / "store")
    return conn, cube, FacetStore(folder / "store" / "t")


def sql_cells(conn, cube, selections: list[Selection], rowids=None) -> list[int]:
    """Per cube cell, how many rows SQLite finds under Datasette's WHERE clause."""
    pairs = [
        (s.column if s.lookup == "exact" else f"{s.column}__{s.lookup}", s.value)
        for s in selections
    ]
    clauses, params = Filters(sorted(pairs)).build_where_clauses("t")
    if rowids is not None:
        clauses.append(f"rowid in ({', '.join(str(int(r)) for r in rowids) or 'NULL'})")
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    names = ", ".join(FACETS)
    found = Counter(
        {
            tuple(row[:-1]): row[-1]
            for row in conn.execute(
                f"SELECT {names}, count(*) FROM t {where} GROUP BY {names}", params
            )
        }
    )
    return [found[tuple(row[:-1])] for row in cube["rows"]]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.builds(Selection, COLUMNS, LOOKUPS, VALUES), max_size=3),
    st.none() | st.lists(st.integers(-5, 2100), max_size=40),
)
def test_arrays_count_what_sqlite_counts_or_decline(table, selections, rowids):
    conn, cube, store = table
    match = store.mask(selections, cube["rows"], rowids)
    if match is None:
        assert selections, "with no column filter the arrays always answer"
        return
    assert store.cell_counts(match).tolist() == sql_cells(conn, cube, selections, rowids)


def test_the_common_filters_are_answered(table):
    """Declining is always safe, so check the filters journalists use are not declined."""
    conn, cube, store = table
    for selections in (
        [Selection("pagu_rp", "gte", "1000")],
        [Selection("pagu_rp", "gte", "1e3"), Selection("jenis", "exact", "Barang")],
        [Selection("peserta", "exact", "1")],
        [Selection("peserta", "lt", "2.5"), Selection("status", "not", "Batal")],
        [Selection("rasio", "gt", "0.1"), Selection("tahun", "exact", "2022")],
        [Selection("peserta", "isnull", "1")],
    ):
        match = store.mask(selections, cube["rows"])
        assert match is not None, selections
        assert store.cell_counts(match).tolist() == sql_cells(conn, cube, selections)


def test_a_column_holding_text_among_numbers_is_left_to_sql(tmp_path):
    conn = sqlite3.connect(tmp_path / "t.db")
    conn.execute("CREATE TABLE t (jenis TEXT, nilai INTEGER)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", [("a", 5), ("b", "tidak ada"), ("a", None)])
    cube = {"columns": ["jenis"], "rows": facet_cube(conn, "t", ["jenis"])}
    write_store(conn, "t", cube, {"nilai": "integer"}, tmp_path / "store")
    store = FacetStore(tmp_path / "store" / "t")
    assert store.numeric == {}
    assert store.mask([Selection("nilai", "gte", "1")], cube["rows"]) is None


def test_the_arrays_are_byte_identical_when_rebuilt(table, tmp_path):
    conn, cube, _ = table
    first = write_store(conn, "t", cube, NUMERIC, tmp_path / "a")
    second = write_store(conn, "t", cube, NUMERIC, tmp_path / "b")
    assert "value.pagu_rp.npy" in same_files(first, second)


def same_files(first, second) -> list[str]:
    """The file names of two store folders, after asserting both hold the same bytes."""
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    return names


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ([("pagu_rp__gte", "1"), ("_sort", "nama"), ("_facet", "jenis")], 1),
        ([("_search", "jalan"), ("_searchmode", "raw")], 0),
        ([("_where", "1 = 1")], None),
        ([("_search_nama", "jalan")], None),
        ([("_search", "a"), ("_search", "b")], None),
        ([("_foo__exact", "x")], 1),  # a filter on a column named _foo, as Datasette reads it
    ],
)
def test_query_arguments_are_read_as_datasette_reads_them(query, expected):
    parsed = store_filters(query)
    if expected is None:
        assert parsed is None
    else:
        assert len(parsed[0]) == expected


def test_a_store_keeps_answering_after_its_release_is_pruned(table, tmp_path):
    """Builds keep two releases; a server still on an older one must not fail its facets."""
    conn, cube, _ = table
    folder = write_store(conn, "t", cube, NUMERIC, tmp_path / "store")
    store = FacetStore(folder)
    selections = [Selection("pagu_rp", "gte", "1000"), Selection("rasio", "lt", "3")]
    before = store.cell_counts(store.mask(selections, cube["rows"])).tolist()
    shutil.rmtree(folder)
    assert store.cell_counts(store.mask(selections, cube["rows"])).tolist() == before
    assert open_store(str(tmp_path / "store"), "t") is None  # nothing there now: SQL counts


def test_a_column_left_to_sql_does_not_drop_the_numeric_columns_after_it(tmp_path):
    """From the mutation triage (tests/mutation/README.md): nilai holds text, jumlah does not."""
    conn = sqlite3.connect(tmp_path / "t.db")
    conn.execute("CREATE TABLE t (jenis TEXT, nilai INTEGER, jumlah INTEGER)")
    conn.executemany("INSERT INTO t VALUES (?, ?, ?)", [("a", 5, 1), ("b", "x", 2), ("a", 3, 3)])
    cube = {"columns": ["jenis"], "rows": facet_cube(conn, "t", ["jenis"])}
    numeric = {"nilai": "integer", "jumlah": "integer"}
    write_store(conn, "t", cube, numeric, tmp_path / "store")
    store = FacetStore(tmp_path / "store" / "t")
    assert list(store.numeric) == ["jumlah"]
    # jumlah >= 2 holds on rows 2 (b) and 3 (a): one row in each cell.
    assert store.cell_counts(
        store.mask([Selection("jumlah", "gte", "2")], cube["rows"])
    ).tolist() == [1, 1]


def test_the_arrays_do_not_depend_on_the_chunk_size(table, tmp_path, monkeypatch):
    """From the mutation triage: 3-row chunks put every row where one pass puts it."""
    conn, cube, _ = table
    whole = write_store(conn, "t", cube, NUMERIC, tmp_path / "a")
    monkeypatch.setenv("JENDELA_CHUNK_ROWS", "3")
    chunked = write_store(conn, "t", cube, NUMERIC, tmp_path / "b")
    assert "value.pagu_rp.npy" in same_files(whole, chunked)


# --- boundaries, from the mutation triage (tests/mutation/README.md, issue 17 item 4) ----------
# One row per facet cell (k = a, b, c, d), so a mask's cell counts name the rows it matched. The
# expected rows are read off the INSERT below by hand.

BIG = 2**63 - 1  # the largest SQLite INTEGER
EXACT = 2**53  # the largest float64 that every integer below it also is


@pytest.fixture
def edges(tmp_path):
    conn = sqlite3.connect(tmp_path / "t.db")
    # `loose` has no declared type, so SQLite returns its integers as integers: the one way a
    # column declared "number" reaches write_store holding ints (load.py makes such columns REAL).
    conn.execute(
        "CREATE TABLE t (k TEXT, big INTEGER, half INTEGER, word REAL, huge REAL, loose, past)"
    )
    conn.executemany(
        "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            ("a", -BIG - 1, 1, 1.0, 1e300, EXACT, EXACT + 1),
            ("b", BIG, 2.5, "abc", -1e300, -EXACT, 1),
            ("c", 0, 3, 2.0, 0.5, 7, 2),
            ("d", None, None, None, None, None, None),
        ],
    )
    cube = {"columns": ["k"], "rows": facet_cube(conn, "t", ["k"])}
    numeric = {c: "integer" for c in ("big", "half")}
    numeric |= {c: "number" for c in ("word", "huge", "loose", "past")}
    write_store(conn, "t", cube, numeric, tmp_path / "store")
    return cube, FacetStore(tmp_path / "store" / "t")


def matched(edges, column: str, lookup: str, value: str) -> list[str] | None:
    """The k of the rows `column__lookup=value` matches, or None when the arrays decline it."""
    cube, store = edges
    match = store.mask([Selection(column, lookup, value)], cube["rows"])
    if match is None:
        return None
    counts = store.cell_counts(match).tolist()
    return [row[0] for row, count in zip(cube["rows"], counts, strict=True) if count]


def test_columns_are_kept_only_when_every_value_is_held_exactly(edges):
    """big reaches both int64 ends; half holds 2.5 (stored REAL), word 'abc'; huge holds
    ±1e300 (a float, exact as a float); loose reaches ±2**53 and past 2**53 + 1 (a float64 would
    round it to 2**53)."""
    _, store = edges
    assert store.numeric == {"big": "int64", "huge": "float64", "loose": "float64"}
    assert store.rowid.tolist() == [1, 2, 3, 4]
    assert store.values("big")[0].tolist() == [-BIG - 1, BIG, 0, 0]
    assert store.values("big")[1].tolist() == [False, False, False, True]
    assert store.values("loose")[0].tolist() == [EXACT, -EXACT, 7, 0]


@pytest.mark.parametrize(
    ("column", "lookup", "value", "rows"),
    [
        ("big", "exact", str(-BIG - 1), ["a"]),
        ("big", "exact", str(BIG), ["b"]),
        ("big", "not", str(BIG), ["a", "c"]),
        ("big", "exact", str(BIG + 1), None),  # past int64: declined, not compared
        ("big", "exact", str(-BIG - 2), None),
        ("big", "gte", str(BIG), ["b"]),
        ("big", "lte", str(-BIG - 1), ["a"]),
        ("big", "gt", str(BIG + 1), None),
        ("big", "lt", str(-BIG - 2), None),
        ("big", "gte", "4.6e18", ["b"]),  # a real below 2**62, rounded up to an integer
        ("big", "gte", "4611686018427387904.0", None),  # 2**62 as a real: declined
        ("big", "lte", "-1e19", None),
        ("big", "gt", "2.5", ["b"]),
        ("big", "notnull", "1", ["a", "b", "c"]),
        ("big", "startswith", "1", None),  # not a lookup the arrays answer
        ("loose", "gte", str(EXACT), ["a"]),
        ("loose", "lte", str(-EXACT), ["b"]),
        ("loose", "gte", str(EXACT + 1), None),  # a float64 cannot hold the bound
        ("loose", "exact", "7", None),  # equality on a real column is left to SQL
        ("huge", "gt", "0.4", ["a", "c"]),
    ],
)
def test_bounds_at_the_edges_of_int64_and_float64(edges, column, lookup, value, rows):
    assert matched(edges, column, lookup, value) == rows


def test_open_store_keeps_its_mapping_after_the_release_is_pruned(edges, tmp_path):
    """The server asks open_store on every page; once opened, a pruned release still answers."""
    store = open_store(str(tmp_path / "store"), "t")
    shutil.rmtree(tmp_path / "store")
    assert open_store(str(tmp_path / "store"), "t") is store


def test_the_arrays_can_be_written_again_into_the_same_folder(tmp_path):
    conn = sqlite3.connect(tmp_path / "t.db")
    conn.execute("CREATE TABLE t (jenis TEXT, nilai INTEGER)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", [("a", 5), ("b", 6)])
    cube = {"columns": ["jenis"], "rows": facet_cube(conn, "t", ["jenis"])}
    first = write_store(conn, "t", cube, {"nilai": "integer"}, tmp_path / "store")
    assert write_store(conn, "t", cube, {"nilai": "integer"}, tmp_path / "store") == first


def test_only_columns_whose_every_value_the_dtype_holds_exactly_are_kept(tmp_path, monkeypatch):
    """Read in chunks (here 2 rows), a column is kept only when every value is one its array
    holds exactly: not an integer past 2**53 in a float64 column (alone, or in a chunk with
    reals), not an infinite real, not a real in an int64 column, not bytes; the kept arrays are
    SQLite's values row by row, NULL as 0 with its null flag (`campur` mixes integers and reals
    in every chunk and is kept)."""
    monkeypatch.setenv("JENDELA_CHUNK_ROWS", "2")
    conn = sqlite3.connect(tmp_path / "t.db")
    conn.execute(
        "CREATE TABLE t (jenis TEXT, nilai INTEGER, rasio REAL, besar, tak_hingga REAL, "
        "pecahan, biner, campuran, campur)"
    )
    rows = [
        ("a", 5, 0.5, 1, 1.0, 1, 1, 0.5, 0.5),
        ("b", None, None, 2**53, None, 2, 2, 1, -(2**53)),
        ("a", -(2**63), -0.25, 3, 2.0, 3, 3, 0.75, 2**53),
        ("b", 2**63 - 1, 7.0, 2**53 + 1, float("inf"), 4.5, b"\x01", 2**53 + 1, -1.5),
        ("a", 0, 3, None, 3.0, 5, 5, 2, None),
    ]
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    cube = {"columns": ["jenis"], "rows": facet_cube(conn, "t", ["jenis"])}
    numeric = {"nilai": "integer", "rasio": "number", "besar": "number"}
    numeric |= {"tak_hingga": "number", "pecahan": "integer", "biner": "integer"}
    numeric |= {"campuran": "number", "campur": "number"}
    write_store(conn, "t", cube, numeric, tmp_path / "store")
    store = FacetStore(tmp_path / "store" / "t")
    assert store.numeric == {"nilai": "int64", "rasio": "float64", "campur": "float64"}
    folder = tmp_path / "store" / "t"
    assert np.load(folder / "value.nilai.npy").tolist() == [5, 0, -(2**63), 2**63 - 1, 0]
    assert np.load(folder / "null.nilai.npy").tolist() == [False, True, False, False, False]
    assert np.load(folder / "value.rasio.npy").tolist() == [0.5, 0.0, -0.25, 7.0, 3.0]
    assert np.load(folder / "null.rasio.npy").tolist() == [False, True, False, False, False]
    assert np.load(folder / "cell.npy").tolist() == [0, 1, 0, 1, 0]
    assert np.load(folder / "value.campur.npy").tolist() == [0.5, -(2**53), 2**53, -1.5, 0.0]
    assert np.load(folder / "null.campur.npy").tolist() == [False, False, False, False, True]


# --- the arrays read from the table's Parquet download -----------------------------------------
# write_store reads the values from the table's Parquet download when it can show the file is the
# table (stages/facet_store.py `_parquet_arrays`); SQLite's own rows are the reference.


def parquet_of(conn, table: str, path, types: dict):
    """The table's rows in rowid order as a Parquet file with the given Arrow types, as
    stages/export.py types a download (text, int64, double, bool)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    cursor = conn.execute(f"SELECT * FROM [{table}] ORDER BY rowid")
    names = [d[0] for d in cursor.description]
    columns = list(zip(*cursor.fetchall(), strict=True))
    arrays = [
        pa.array(list(c), type=pa.int64()).cast(types[n]) if types.get(n) == pa.bool_()
        else pa.array(list(c), type=types.get(n, pa.string()))
        for n, c in zip(names, columns, strict=True)
    ]  # fmt: skip
    pq.write_table(pa.table(arrays, names=names), path)
    return path


def test_the_parquet_download_gives_the_arrays_sqlite_gives(table, tmp_path):
    """NULLs in two facet columns, an integer facet column, int64's largest value, NULL and
    fractional reals: every array the same bytes both ways, and the Parquet way taken."""
    import pyarrow as pa

    from pipelines.stages.facet_store import _parquet_arrays

    conn, cube, _ = table
    types = {"tahun": pa.int64(), "pagu_rp": pa.int64(), "peserta": pa.int64()}
    parquet = parquet_of(conn, "t", tmp_path / "t.parquet", types | {"rasio": pa.float64()})
    numeric = {c: {"integer": "int64", "number": "float64"}[t] for c, t in NUMERIC.items()}
    assert _parquet_arrays(conn, "t", cube, numeric, parquet, 2000) is not None
    from_sqlite = write_store(conn, "t", cube, NUMERIC, tmp_path / "a")
    from_parquet = write_store(conn, "t", cube, NUMERIC, tmp_path / "b", parquet)
    assert "value.rasio.npy" in same_files(from_sqlite, from_parquet)


@pytest.fixture
def booleans(tmp_path):
    """A boolean facet column (0/1 in SQLite, bool in Parquet) beside a text one with NULLs,
    and an infinite real, which leaves its column to SQL either way."""
    import pyarrow as pa

    conn = sqlite3.connect(tmp_path / "b.db")
    conn.execute("CREATE TABLE b (k TEXT PRIMARY KEY, aktif INTEGER, jenis TEXT, nilai REAL)")
    rows = [(f"k{i}", [1, 0, None][i % 3], ["x", None][i % 2], float(i)) for i in range(9)]
    rows[4] = ("k4", 1, "x", float("inf"))
    conn.executemany("INSERT INTO b VALUES (?, ?, ?, ?)", rows)
    cube = {"columns": ["aktif", "jenis"], "rows": facet_cube(conn, "b", ["aktif", "jenis"])}
    types = {"aktif": pa.bool_(), "nilai": pa.float64()}
    return conn, cube, parquet_of(conn, "b", tmp_path / "b.parquet", types)


def test_a_boolean_facet_column_and_an_infinite_real_read_from_parquet(booleans, tmp_path):
    from pipelines.stages.facet_store import _parquet_arrays

    conn, cube, parquet = booleans
    assert _parquet_arrays(conn, "b", cube, {"nilai": "float64"}, parquet, 9) is not None
    from_sqlite = write_store(conn, "b", cube, {"nilai": "number"}, tmp_path / "a")
    from_parquet = write_store(conn, "b", cube, {"nilai": "number"}, tmp_path / "b", parquet)
    assert same_files(from_sqlite, from_parquet) == ["cell.npy", "rowid.npy", "store.json"]


def test_a_parquet_file_that_cannot_be_shown_to_be_the_table_is_not_read(table, tmp_path):
    """Each file below differs from the table, and the store is still SQLite's: a row short,
    a facet value the cube lacks, a real facet column (-0.0 is 0 to SQLite), a number column
    typed as text; and a table whose rowid is its INTEGER PRIMARY KEY."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipelines.stages.facet_store import _parquet_arrays

    conn, cube, _ = table
    numeric = {c: {"integer": "int64", "number": "float64"}[t] for c, t in NUMERIC.items()}
    types = {"tahun": pa.int64(), "pagu_rp": pa.int64(), "peserta": pa.int64()}
    good = pq.read_table(
        parquet_of(conn, "t", tmp_path / "t.parquet", types | {"rasio": pa.float64()})
    )
    jenis = good.column("jenis").to_pylist()
    wrong = {
        "short": good.slice(1),
        "unknown facet value": good.set_column(
            good.schema.get_field_index("jenis"), "jenis", pa.array(["Lain", *jenis[1:]])
        ),
        "real facet column": good.set_column(
            good.schema.get_field_index("tahun"), "tahun", good.column("tahun").cast(pa.float64())
        ),
        "number as text": good.set_column(
            good.schema.get_field_index("rasio"), "rasio", good.column("rasio").cast(pa.string())
        ),
    }
    reference = write_store(conn, "t", cube, NUMERIC, tmp_path / "reference")
    for name, content in wrong.items():
        path = tmp_path / f"{name}.parquet"
        pq.write_table(content, path)
        assert _parquet_arrays(conn, "t", cube, numeric, path, 2000) is None, name
        same_files(reference, write_store(conn, "t", cube, NUMERIC, tmp_path / name, path))

    keyed = sqlite3.connect(tmp_path / "keyed.db")
    keyed.execute("CREATE TABLE k (id INTEGER PRIMARY KEY, jenis TEXT)")
    keyed.executemany("INSERT INTO k VALUES (?, ?)", [(2, "a"), (1, "b")])
    keyed_cube = {"columns": ["jenis"], "rows": facet_cube(keyed, "k", ["jenis"])}
    path = tmp_path / "keyed.parquet"
    pq.write_table(pa.table({"id": [1, 2], "jenis": ["b", "a"]}), path)
    assert _parquet_arrays(keyed, "k", keyed_cube, {}, path, 2) is None


@pytest.mark.parametrize("build", ["built_catalog", "real"])
def test_every_store_of_a_build_is_what_sqlite_gives(build, request, tmp_path):
    """A build writes each table's Parquet download from the file it loaded, in the same order:
    every store a build published is the one SQLite's rows give, and came from Parquet."""
    import json

    from pipelines.core.layout import (
        FACET_COUNTS_FILE,
        FACET_STORE_DIR,
        FACET_STORE_INDEX,
        SITE,
    )
    from pipelines.core.manifest import Manifest
    from pipelines.stages.facet_store import _parquet_arrays

    release = request.getfixturevalue(build)
    release = getattr(release, "output", release)  # the real build comes as a RealBuild
    cubes = json.loads((release / FACET_COUNTS_FILE).read_text(encoding="utf-8"))
    conn = sqlite3.connect(f"file:{release / 'jendela.db'}?mode=ro", uri=True)
    parquet_of_table = {
        name: release / SITE / download["path"]
        for entry in Manifest.load(release).datasets.values()
        for name, table in entry.resources.items()
        for download in table.get("downloads", [])
        if download["format"] == "parquet"
    }
    assert cubes
    for table, cube in cubes.items():
        published = release / FACET_STORE_DIR / table
        numeric = json.loads((published / FACET_STORE_INDEX).read_text())["numeric"]
        types = {c: {"int64": "integer", "float64": "number"}[d] for c, d in numeric.items()}
        total = sum(row[-1] for row in cube["rows"])
        parquet = parquet_of_table[table]
        assert _parquet_arrays(conn, table, cube, numeric, parquet, total) is not None, table
        same_files(published, write_store(conn, table, cube, types, tmp_path / table))
