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
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ..core.chunks import chunk_rows
from ..core.layout import FACET_STORE_INDEX

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
) -> Path:
    """Arrays for `table` under folder/<table>/; `numeric` maps column -> Table Schema type.

    Streams the table in rowid order, CHUNK_ROWS at a time. A column whose stored values are not
    all numbers (or NULL) is left out, so its filters fall back to SQL.
    """
    target = folder / table
    target.mkdir(parents=True, exist_ok=True)
    facet_columns = cube["columns"]
    cells = {tuple(row[:-1]): i for i, row in enumerate(cube["rows"])}
    numeric = {c: DTYPES[t] for c, t in numeric.items() if t in DTYPES}
    total = sum(row[-1] for row in cube["rows"])  # every row is in one cell: no count(*) pass
    rowid = np.empty(total, dtype="int64")
    cell = np.empty(total, dtype="int32")
    values = {c: np.zeros(total, dtype=dtype) for c, dtype in numeric.items()}
    nulls = {c: np.zeros(total, dtype=bool) for c in numeric}
    clean = dict.fromkeys(numeric, True)
    names = ", ".join(f"[{c}]" for c in [*facet_columns, *numeric])
    cursor = conn.execute(f"SELECT rowid, {names} FROM [{table}] ORDER BY rowid")
    width, start = len(facet_columns), 0
    while chunk := cursor.fetchmany(chunk_rows(CHUNK_ROWS)):
        end = start + len(chunk)
        by_column = list(zip(*chunk, strict=True))  # a chunk's columns, each a tuple
        rowid[start:end] = by_column[0]
        cell[start:end] = [cells[key] for key in zip(*by_column[1 : width + 1], strict=True)]
        for column, stored in zip(numeric, by_column[width + 1 :], strict=True):
            if not clean[column]:
                continue  # left out already: its filters fall back to SQL
            found = _numbers(stored, values[column].dtype)
            if found is None:
                clean[column] = False
                continue
            values[column][start:end], nulls[column][start:end] = found
        start = end
    np.save(target / "rowid.npy", rowid)
    np.save(target / "cell.npy", cell)
    kept = {}
    for column, dtype in numeric.items():
        if not clean[column]:
            continue
        np.save(target / f"value.{column}.npy", values[column])
        np.save(target / f"null.{column}.npy", nulls[column])
        kept[column] = dtype
    manifest = {"rows": total, "cells": len(cube["rows"]), "columns": facet_columns}
    manifest["numeric"] = kept
    (target / FACET_STORE_INDEX).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    )
    return target


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
