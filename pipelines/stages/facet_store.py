"""Facet counts under a range filter or a search, from arrays instead of a GROUP BY.

The facet cube (catalog/datasette_metadata.py) answers any page whose filters are facet equalities.
A range (`pagu_rp__gte=1000000000`) or a search selects rows the cube cannot see, and SQLite then
needs a GROUP BY over every matching row: 760 ms for the 448,000 of 1,000,000 tender rows above 1
miliar, far past the facet time limit, so the page said "facets timed out". Per table with a cube,
the release therefore keeps, in rowid order, each row's cube cell and the values of its numeric
columns as NumPy arrays (`.npy`, memory-mapped when served). A filter becomes a boolean mask, and
the facet counts of every facet column come from one `bincount` of the cells: ~25 ms for that same
filter, ~35 ms for a search matching 83,000 rows.

Only filters whose SQL meaning the arrays reproduce exactly are answered here (comparisons on
integer and real columns, equalities on facet columns, rows given by rowid); for any other filter
`mask` returns None and the caller counts in SQL as before. tests/stages/test_facet_store.py checks
the answers against SQLite's for generated filters.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ..core.chunks import chunk_rows
from ..core.layout import FACET_STORE_INDEX
from ..core.memory import give_back

CHUNK_ROWS = 10_000  # rows fetched together: 50,000 took 80 MB of Python objects, no faster
INT64 = (-(2**63), 2**63 - 1)
EXACT_FLOAT = 2**53  # beyond this a float64 no longer holds every integer
INTEGER_TEXT = re.compile(r"-?[0-9]+")
DTYPES = {"integer": "int64", "number": "float64"}
COMPARISONS = {"gt", "gte", "lt", "lte"}


# --- writing, at build time ------------------------------------------------------------------


def write_store(
    conn: sqlite3.Connection,
    table: str,
    cube: dict,
    numeric: dict[str, str],
    folder: Path,
    parquet: Path | None = None,
) -> Path:
    """Arrays for `table` under folder/<table>/; `numeric` maps column -> Table Schema type.

    The values come from `parquet`, the table's own Parquet download, when it is given and
    agrees with the table wherever that can be checked (`_parquet_arrays`); otherwise the table
    is streamed from SQLite in rowid order, CHUNK_ROWS at a time. Either way a column whose stored
    values are not all numbers (or NULL) is left out, so its filters fall back to SQL.
    """
    target = folder / table
    target.mkdir(parents=True, exist_ok=True)
    numeric = {c: DTYPES[t] for c, t in numeric.items() if t in DTYPES}
    total = sum(row[-1] for row in cube["rows"])  # every row is in one cell: no count(*) pass
    arrays = None
    if parquet is not None and parquet.is_file():
        arrays = _parquet_arrays(conn, table, cube, numeric, parquet, total)
    if arrays is None:
        arrays = _sqlite_arrays(conn, table, cube, numeric, total)
    np.save(target / "rowid.npy", arrays.rowid)
    np.save(target / "cell.npy", arrays.cell)
    kept = {}
    for column, dtype in numeric.items():
        if not arrays.clean[column]:
            continue
        np.save(target / f"value.{column}.npy", arrays.values[column])
        np.save(target / f"null.{column}.npy", arrays.nulls[column])
        kept[column] = dtype
    manifest = {"rows": total, "cells": len(cube["rows"]), "columns": cube["columns"]}
    manifest["numeric"] = kept
    (target / FACET_STORE_INDEX).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    )
    return target


@dataclass
class _Arrays:
    """A table's arrays before they are saved: rowids, cube cells, and per numeric column its
    values, NULL flags and whether every value was held exactly (`clean`)."""

    rowid: np.ndarray
    cell: np.ndarray
    values: dict[str, np.ndarray]
    nulls: dict[str, np.ndarray]
    clean: dict[str, bool]

    @classmethod
    def empty(cls, total: int, numeric: dict[str, str]) -> _Arrays:
        return cls(
            np.empty(total, dtype="int64"),
            np.empty(total, dtype="int32"),
            {c: np.zeros(total, dtype=dtype) for c, dtype in numeric.items()},
            {c: np.zeros(total, dtype=bool) for c in numeric},
            dict.fromkeys(numeric, True),
        )


def _sqlite_arrays(
    conn: sqlite3.Connection, table: str, cube: dict, numeric: dict[str, str], total: int
) -> _Arrays:
    """The arrays from SQLite's own rows, streamed in rowid order (the reference)."""
    arrays = _Arrays.empty(total, numeric)
    facet_columns = cube["columns"]
    cells = {tuple(row[:-1]): i for i, row in enumerate(cube["rows"])}
    names = ", ".join(f"[{c}]" for c in [*facet_columns, *numeric])
    cursor = conn.execute(f"SELECT rowid, {names} FROM [{table}] ORDER BY rowid")
    width, start = len(facet_columns), 0
    while chunk := cursor.fetchmany(chunk_rows(CHUNK_ROWS)):
        end = start + len(chunk)
        by_column = list(zip(*chunk, strict=True))  # a chunk's columns, each a tuple
        arrays.rowid[start:end] = by_column[0]
        arrays.cell[start:end] = [cells[key] for key in zip(*by_column[1 : width + 1], strict=True)]
        for column, stored in zip(numeric, by_column[width + 1 :], strict=True):
            if not arrays.clean[column]:
                continue  # left out already: its filters fall back to SQL
            found = _numbers(stored, arrays.values[column].dtype)
            if found is None:
                arrays.clean[column] = False
                continue
            arrays.values[column][start:end], arrays.nulls[column][start:end] = found
        start = end
    return arrays


# --- the same arrays from the table's Parquet download ----------------------------------------
# Reading a million rows out of SQLite makes a Python object of every cell: 6.5 s of the
# 1,000,000-tender build's 9.4 s facet store. The table's Parquet download holds the same values
# typed (stages/export.py writes it from the file the table was loaded from, in the same order,
# with the same types and only an empty cell missing), and Arrow reads its columns in a fraction
# of that (1.1 s). The file's row i is the table's rowid i + 1 because both were written from one
# file in one order; what can be checked without reading the table is checked, and the arrays
# come from SQLite when any of it fails: rowids 1..n, n the cube's rows and the file's; the rowid
# not a column of its own (an INTEGER PRIMARY KEY is); every column of a type whose values SQLite
# gives back unchanged; every row's facet values a cell of the cube. test_facet_store compares
# the two ways on generated tables and on every store of the sample and the real build.
# pyarrow is imported where it is used: the server imports this module for FacetStore alone.


def _parquet_arrays(
    conn: sqlite3.Connection,
    table: str,
    cube: dict,
    numeric: dict[str, str],
    parquet: Path,
    total: int,
) -> _Arrays | None:
    """The arrays from `parquet`, or None when it cannot be shown to hold the table's rows (see
    above)."""
    import pyarrow.parquet as pq

    if _rowid_is_a_column(conn, table):
        return None
    count, low, high = conn.execute(
        f"SELECT count(*), min(rowid), max(rowid) FROM [{table}]"
    ).fetchone()
    file = pq.ParquetFile(parquet)
    if count != total or file.metadata.num_rows != total or (count and (low, high) != (1, count)):
        return None
    schema = file.schema_arrow
    columns = list(dict.fromkeys([*cube["columns"], *numeric]))
    if any(name not in schema.names for name in columns):
        return None
    if any(str(schema.field(c).type) != _PARQUET_TYPES[numeric[c]] for c in numeric):
        return None
    cells = _CubeCells.of(cube, [schema.field(c).type for c in cube["columns"]])
    if cells is None:
        return None
    arrays = _Arrays.empty(total, numeric)
    arrays.rowid[:] = np.arange(1, total + 1, dtype="int64")
    start = 0
    for group in range(file.metadata.num_row_groups):
        # One column of one row group at a time (`_column`): the whole file's columns through
        # iter_batches held 90 MB more at this stage's peak (1M tenders), and a row group's 13
        # columns together about 35 MB more than one.
        end = start + file.metadata.row_group(group).num_rows
        facets = (_column(file, group, c) for c in cube["columns"])
        found = cells.find(facets, end - start)
        if found is None:
            return None
        arrays.cell[start:end] = found
        for column in numeric:
            values = _column(file, group, column)
            nulls = values.is_null().to_numpy(zero_copy_only=False)
            filled = values.fill_null(0).to_numpy(zero_copy_only=False)
            if not np.isfinite(filled).all():
                arrays.clean[column] = False  # as _numbers: an infinite real is left to SQL
            arrays.values[column][start:end], arrays.nulls[column][start:end] = filled, nulls
        start = end
    return arrays if start == total else None


def _column(file, group: int, name: str):
    """One column of one row group of a pyarrow ParquetFile, as an Arrow array, once the memory
    Arrow kept from the column before is given back: the reader's buffers otherwise stayed in
    Arrow's pool, and this path's peak was 17 MB above the SQLite path's; now it is 9 MB under
    (1M tenders, the arrays' 57 MB included)."""
    give_back()
    return file.read_row_group(group, columns=[name], use_threads=False).column(0)


_PARQUET_TYPES = {"int64": "int64", "float64": "double"}  # the store's dtype -> export.py's type
# A facet column's Parquet type -> the Python type of its values read from SQLite (a boolean is
# stored as 0 or 1); a real is not among them (-0.0 and 0.0 are one value to SQLite).
_FACET_TYPES = {"string": str, "int64": int, "bool": int}


def _rowid_is_a_column(conn: sqlite3.Connection, table: str) -> bool:
    """Whether the rowid is the table's INTEGER PRIMARY KEY: its values then are the key's, in
    whatever order the rows came."""
    keys = [row for row in conn.execute(f"PRAGMA table_info([{table}])") if row[5]]
    return len(keys) == 1 and keys[0][2].upper() == "INTEGER"


@dataclass
class _CubeCells:
    """Finds each row's cube cell from its facet values, column by column, with Arrow.

    Each column's values become codes (their place among the cube's distinct values; NULL the
    last code); a row's codes so far are packed into one number by mixed radix, renumbered
    after every column among the packings the cube has (so the numbers stay small whatever the
    number of columns), and the last number names the cell."""

    distinct: list  # per column, the cube's distinct values as an Arrow array
    known: list[np.ndarray]  # per column, the sorted packings of the cube's codes so far
    cell_of: np.ndarray  # the last packing -> the cube row

    @classmethod
    def of(cls, cube: dict, types: list) -> _CubeCells | None:
        """None when a column's type is not one whose values SQLite returns as they are in
        Parquet (text, integer, boolean), or its cube values are not of that type."""
        import pyarrow as pa

        rows = cube["rows"]
        packed = np.zeros(len(rows), dtype="int64")
        distinct, known = [], []
        for position, kind in enumerate(types):
            column = [row[position] for row in rows]
            values = sorted({v for v in column if v is not None})
            python = _FACET_TYPES.get(str(kind))
            if python is None or any(type(v) is not python for v in values):
                return None
            place = {v: i for i, v in enumerate(values)}
            codes = np.array(
                [len(values) if v is None else place[v] for v in column], dtype="int64"
            )
            combined = packed * (len(values) + 1) + codes
            sorted_known = np.unique(combined)
            packed = np.searchsorted(sorted_known, combined)
            distinct.append(pa.array(values, type=pa.string() if python is str else pa.int64()))
            known.append(sorted_known)
        if len(known) and len(known[-1]) != len(rows):
            return None  # two cube rows with the same values: not a GROUP BY's
        cell_of = np.empty(len(rows), dtype="int32")
        cell_of[packed] = np.arange(len(rows), dtype="int32")
        return cls(distinct, known, cell_of)

    def find(self, columns: Iterable, rows: int) -> np.ndarray | None:
        """The cube cell of each of `rows` rows from its facet columns, in the cube's order (one
        at a time: each may be read only when it is wanted); None when a row's values are not a
        cell of the cube (the file is not the table)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        packed = np.zeros(rows, dtype="int64")
        for values, distinct, known in zip(columns, self.distinct, self.known, strict=True):
            if len(values) != rows:
                return None
            if pa.types.is_boolean(values.type):
                values = values.cast(pa.int64())  # SQLite holds a boolean as 0 or 1
            places = pc.index_in(values, value_set=distinct)
            if places.null_count != values.null_count:
                return None  # a value the cube does not have
            codes = places.fill_null(len(distinct)).to_numpy(zero_copy_only=False)
            combined = packed * (len(distinct) + 1) + codes
            packed = np.searchsorted(known, combined)
            inside = packed < len(known)
            if not inside.all() or not (known[packed] == combined).all():
                return None  # a combination the cube does not have
        return self.cell_of[packed]


def _numbers(stored: tuple, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray] | None:
    """A chunk of one column as (values, nulls), NULL as 0 and True; None when a stored value
    does not fit `dtype` exactly (`_fits`). Whole columns at a time: the kinds of value present
    are looked at once, integers are compared with 2**53 as an array, and only a column mixing
    integers and reals is judged value by value."""
    kinds = set(map(type, stored))
    nulls = np.fromiter((v is None for v in stored), dtype=bool, count=len(stored))
    kinds.discard(type(None))
    if not kinds <= ({int} if dtype == np.int64 else {int, float}):
        return None  # text, bytes or a bool: never a number of this column
    filled = [0 if v is None else v for v in stored] if nulls.any() else stored
    if float not in kinds:  # integers (SQLite's are all int64), or nothing but NULL
        whole = np.array(filled, dtype=np.int64)
        if dtype == np.int64:
            return whole, nulls
        if ((whole < -EXACT_FLOAT) | (whole > EXACT_FLOAT)).any():
            return None  # a float64 would not hold it exactly
        return whole.astype(np.float64), nulls
    if int in kinds and not all(_fits(v, dtype) for v in stored if type(v) is int):
        return None
    values = np.array(filled, dtype=dtype)
    if not np.isfinite(values).all():
        return None
    return values, nulls


def _fits(value, dtype: np.dtype) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if dtype == np.int64:
        return isinstance(value, int) and INT64[0] <= value <= INT64[1]
    return math.isfinite(value) and (isinstance(value, float) or abs(value) <= EXACT_FLOAT)


# --- reading, at serve time ------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """One of Datasette's column filters: `column__lookup=value`."""

    column: str
    lookup: str
    value: str


class FacetStore:
    """One table's arrays, memory-mapped; `mask` turns filters into the rows they match."""

    def __init__(self, folder: Path):
        manifest = json.loads((folder / FACET_STORE_INDEX).read_text(encoding="utf-8"))
        self.folder = folder
        self.cells = manifest["cells"]
        self.facet_columns = manifest["columns"]
        self.numeric = manifest["numeric"]
        self.rowid = np.load(folder / "rowid.npy", mmap_mode="r")
        self.cell = np.load(folder / "cell.npy", mmap_mode="r")
        # Every file mapped now: a mapping outlives the file, so a server still answers after
        # later builds prune its release folder (release.KEEP_RELEASES).
        self._values = {
            column: (
                np.load(folder / f"value.{column}.npy", mmap_mode="r"),
                np.load(folder / f"null.{column}.npy", mmap_mode="r"),
            )
            for column in self.numeric
        }

    def values(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """A numeric column's values and NULL flags."""
        return self._values[column]

    def mask(
        self, selections: list[Selection], cube_rows: list[list], rowids=None
    ) -> np.ndarray | None:
        """Rows matching every selection (and among `rowids`, if given); None if not exact."""
        match = np.ones(len(self.rowid), dtype=bool)
        for selection in selections:
            if selection.column in self.numeric:
                part = self._numeric(selection)
            elif selection.column in self.facet_columns:
                part = self._facet(selection, cube_rows)
            else:
                return None
            if part is None:
                return None
            match &= part
        if rowids is not None:
            match &= self._rows(rowids)
        return match

    def cell_counts(self, match: np.ndarray) -> np.ndarray:
        """How many matching rows fall in each cube cell (the cube's row order)."""
        return np.bincount(self.cell[match], minlength=self.cells)

    def _rows(self, rowids) -> np.ndarray:
        wanted = np.asarray(rowids, dtype="int64")
        positions = np.searchsorted(self.rowid, wanted)
        inside = positions < len(self.rowid)
        positions = positions[inside]
        positions = positions[self.rowid[positions] == wanted[inside]]
        found = np.zeros(len(self.rowid), dtype=bool)
        found[positions] = True
        return found

    def _facet(self, selection: Selection, cube_rows: list[list]) -> np.ndarray | None:
        """`column = value` / `column != value` by cell, when value is one the column holds."""
        if selection.lookup not in ("exact", "not"):
            return None
        position = self.facet_columns.index(selection.column)
        cell_values = [row[position] for row in cube_rows]
        present = [value is not None for value in cell_values]
        held = [v is not None and str(v) == selection.value for v in cell_values]
        if not any(held):
            return None  # SQL may still match it by type conversion ('2021.0' = 2021): ask SQL
        if selection.lookup == "not":
            held = [ok and not hit for ok, hit in zip(present, held, strict=True)]
        return np.asarray(held, dtype=bool)[self.cell]

    def _numeric(self, selection: Selection) -> np.ndarray | None:
        values, nulls = self.values(selection.column)
        if selection.lookup == "isnull":
            return np.array(nulls)
        if selection.lookup == "notnull":
            return ~nulls
        bound = self._bound(selection, values.dtype)
        if bound is None:
            return None
        compare = {
            "exact": np.equal,
            "not": np.not_equal,
            "gt": np.greater,
            "gte": np.greater_equal,
            "lt": np.less,
            "lte": np.less_equal,
        }[selection.lookup]
        return compare(values, bound) & ~nulls

    @staticmethod
    def _bound(selection: Selection, dtype: np.dtype):
        """The value to compare with, as SQLite would compare it; None when unsure."""
        text = selection.value
        if selection.lookup in ("exact", "not"):
            # Datasette passes the text; SQLite turns an integer literal into a number.
            if not INTEGER_TEXT.fullmatch(text) or dtype != np.int64:
                return None
            number = int(text)
            return number if INT64[0] <= number <= INT64[1] else None
        if selection.lookup not in COMPARISONS:
            return None
        number = coerce_number(text)  # as Datasette does for numeric lookups
        if number is None:
            return None
        if dtype == np.float64:
            return number if abs(number) <= EXACT_FLOAT else None
        if isinstance(number, float):
            if abs(number) >= 2**62:
                return None
            # An integer compared with a real, exactly: x >= 2.5 is x >= 3, x > 2.5 is x > 2.
            rounded = math.ceil if selection.lookup in ("gte", "lt") else math.floor
            return rounded(number)
        return number if INT64[0] <= number <= INT64[1] else None


def coerce_number(text: str) -> int | float | None:
    """Datasette's numeric coercion of a filter value (int, else finite float), or None."""
    try:
        return int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None


@cache
def open_store(folder: str, table: str) -> FacetStore | None:
    """The table's arrays, or None (no arrays, or unreadable): the caller counts in SQL."""
    try:
        return FacetStore(Path(folder) / table)
    except (OSError, ValueError, KeyError):
        return None
