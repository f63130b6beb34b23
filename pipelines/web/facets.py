"""Datasette's column facet, answered from the release's precomputed facet counts when it can be.

See catalog/datasette_metadata.py for why. A page whose only filters are equalities on facet columns
(the default page, or any combination of clicked facet values) gets its facet counts by summing
the precomputed cube. A range filter or a search gets them from the release's arrays
(facet_store.py): the cube's cells counted under a mask. Any other filter (`contains`,
`_where`, ...) is evaluated by SQLite with Datasette's own WHERE clause, returning only rowids,
and the arrays count those. Without arrays (an older release) one GROUP BY over all facet
columns counts them, instead of Datasette's one query per facet column. The counts are always
Datasette's, only faster.

The class replaces Datasette's `ColumnFacet` through a hook wrapper (`register_facet_classes`), and
`facet_results` follows Datasette 1.0a41's implementation except for where the rows come from:
Datasette's method runs its own GROUP BY inline, with no seam for another source of rows. A copy
can drift from Datasette on an upgrade, so a server started with JENDELA_FACETS=datasette keeps
Datasette's own class, the reference that tests/web/test_facet_reference.py compares this one with
on every kind of page (and that an operator can switch to when a count is in doubt).
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from functools import cache
from pathlib import Path

import numpy as np
from datasette.database import QueryInterrupted
from datasette.facets import ColumnFacet
from datasette.utils import (
    escape_sqlite,
    path_with_added_args,
    path_with_removed_args,
    sqlite_timelimit,
)

from ..stages.facet_store import Selection, open_store

# "datasette": Datasette's own ColumnFacet counts every facet with its GROUP BY (the reference).
REFERENCE_ENV = "JENDELA_FACETS"
REFERENCE = "datasette"

# Query arguments that change neither which rows match nor how they are counted.
NEUTRAL_ARGS = {
    "_facet",
    "_facet_size",
    "_size",
    "_sort",
    "_sort_desc",
    "_next",
    "_extra",
    "_shape",
    "_labels",
    "_nolabels",
    "_col",
    "_nocol",
    "_json",
    "_nofacet",
    "_nocount",
    "_stream",
    "_dl",
    "_nl",
    "_header",
    "_trace",
}


def index_cube(columns: list[str], rows: list[list]) -> dict:
    """A cube ready for counting: per column, each cell's value as a code into `labels`.

    `counts` holds each cell's row count; a filtered request swaps in its own counts per cell
    (facet_store) and everything else stays shared.
    """
    cube = {"columns": columns, "rows": rows, "index": {c: i for i, c in enumerate(columns)}}
    cube["counts"] = np.array([row[-1] for row in rows], dtype=np.int64)
    cube["labels"], cube["codes"], cube["values"] = [], [], []
    for position in range(len(columns)):
        labels = list(dict.fromkeys(row[position] for row in rows if row[position] is not None))
        code = {value: i for i, value in enumerate(labels)}
        cube["labels"].append(labels)
        cube["codes"].append(
            np.array([code.get(row[position], -1) for row in rows], dtype=np.int64)
        )
        cube["values"].append({str(value) for value in labels})
    return cube


@cache
def load_cubes(path: str) -> dict:
    file = Path(path)
    if not file.is_file():
        return {}
    cubes = json.loads(file.read_text(encoding="utf-8"))
    return {table: index_cube(c["columns"], c["rows"]) for table, c in cubes.items()}


def equality_filters(args: list[tuple[str, str]], cube: dict) -> dict[int, str] | None:
    """{column position: value} when every filter is `column=value` on a cube column, else None."""
    found: dict[int, str] = {}
    for key, value in args:
        if key in NEUTRAL_ARGS:
            continue
        column = key.removesuffix("__exact")
        position = cube["index"].get(column)
        if position is None or position in found or value not in cube["values"][position]:
            return None
        found[position] = value
    return found


def store_filters(args: list[tuple[str, str]]) -> tuple[list[Selection], dict] | None:
    """Column filters and search arguments, read as Datasette reads them; None if others."""
    selections, search = [], {}
    for key, value in args:
        if key.startswith("_") and "__" not in key:  # Datasette's rule for special arguments
            if key in NEUTRAL_ARGS:
                continue
            if key not in ("_search", "_searchmode") or key in search:
                return None  # _where, _through, _search_<column>, ...: SQL answers
            search[key] = value
            continue
        column, lookup = key.rsplit("__", 1) if "__" in key else (key, "exact")
        selections.append(Selection(column, lookup, value))
    return selections, search


def cube_counts(cube: dict, filters: dict[int, str], column: str) -> list[tuple]:
    """(value, count) for `column` under `filters`, ordered as Datasette orders facet values."""
    target = cube["index"][column]
    codes, labels = cube["codes"][target], cube["labels"][target]
    keep = codes >= 0  # NULL is not a facet value
    for position, value in filters.items():
        held = [i for i, label in enumerate(cube["labels"][position]) if str(label) == value]
        keep &= np.isin(cube["codes"][position], held)
    totals = np.bincount(codes[keep], weights=cube["counts"][keep], minlength=len(labels))
    found = [(labels[i], int(totals[i])) for i in np.flatnonzero(totals)]
    return sorted(found, key=lambda item: (-item[1], item[0]))


class CubeColumnFacet(ColumnFacet):
    """ColumnFacet whose counts come from the facet cube when the filters allow it."""

    def _cube(self) -> dict | None:
        if not self.table:
            return None
        config = self.ds.plugin_config("jendela") or {}
        if not config.get("facet_counts"):
            return None
        return load_cubes(config["facet_counts"]).get(self.table)

    async def _filtered_cube(self, cube: dict) -> dict:
        """The cube of the rows these filters match: one GROUP BY instead of one per facet.

        Used when a filter is not a facet equality (a range, a search): counting all facet
        columns in a single pass over the matching rows costs about what one facet query costs.
        """
        names = ", ".join(escape_sqlite(c) for c in cube["columns"])
        results = await self.ds.execute(
            self.database,
            f"select {names}, count(*) from ({self.sql}) group by {names}",
            self.params,
            truncate=False,
            custom_time_limit=self.ds.setting("facet_time_limit_ms"),
        )
        return index_cube(cube["columns"], [list(row) for row in results.rows])

    async def _rowids(self, sql: str, params: dict) -> np.ndarray:
        """The rowids a `select group_concat(rowid) ...` query returns, under the facet limit."""
        database = self.ds.get_database(self.database)
        limit = self.ds.setting("facet_time_limit_ms")

        def rowids(conn):
            # One comma-separated string parsed by NumPy: 1M rowids in ~12 ms, where fetching
            # them as rows takes ~200 ms.
            with sqlite_timelimit(conn, limit):
                (joined,) = conn.execute(sql, params).fetchone()
            if not joined:
                return np.empty(0, dtype="int64")
            found = np.fromstring(joined, dtype="int64", sep=",")
            if len(found) != joined.count(",") + 1:
                raise ValueError(f"could not read the rowids of {sql!r}")
            return found

        try:
            return await database.execute_fn(rowids)
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise QueryInterrupted(exc, sql, params) from exc
            raise

    async def _search_rowids(self, search: dict) -> np.ndarray | None:
        """The rowids `_search` matches, from the same full-text query Datasette runs; or None."""
        if "_search" not in search:
            return None  # `_searchmode` alone: rare, SQL answers
        table_config = await self.ds.table_config(self.database, self.table)
        database = self.ds.get_database(self.database)
        fts_table = table_config.get("fts_table") or await database.fts_table(self.table)
        if not fts_table or table_config.get("fts_pk", "rowid") != "rowid":
            return None
        mode = search.get("_searchmode")
        raw = mode == "raw" or (mode != "escaped" and table_config.get("searchmode") == "raw")
        fts = escape_sqlite(fts_table)
        match = ":search" if raw else "escape_fts(:search)"
        sql = f"select group_concat(rowid) from {fts} where {fts} match {match}"
        return await self._rowids(sql, {"search": search["_search"]})

    async def _where_clause(self) -> str | None:
        """The WHERE clause of Datasette's own query for this page, or None if it cannot be read.

        Datasette hands facets `select <every column> from <table> <where clause>`; rebuilding
        that prefix exactly and cutting it off leaves the clause, with the parameters in
        self.params. Anything else (a view, another Datasette version's SQL) gives None.
        """
        database = self.ds.get_database(self.database)
        columns = await database.table_columns(self.table)
        names = ", ".join(escape_sqlite(c) for c in columns)
        if not await database.primary_keys(self.table):
            names = f"rowid, {names}"
        prefix = f"select {names} from {escape_sqlite(self.table)} "
        if not self.sql.startswith(prefix):
            return None
        where = self.sql[len(prefix) :]
        return where if not where.strip() or where.startswith("where ") else None

    async def _store_cube(self, cube: dict) -> dict | None:
        """The cube of the rows these filters match, counted on the release's arrays.

        Filters the arrays evaluate themselves (ranges, facet values, a search) need no scan of
        the table; any other filter (`contains`, `_where`, ...) is evaluated by SQLite with
        Datasette's own WHERE clause, which returns only rowids, and the arrays count those:
        one pass over the table instead of a GROUP BY that sorts every matching row.
        None when the table has no arrays or the clause cannot be read: SQL counts as before.
        """
        config = self.ds.plugin_config("jendela") or {}
        if not config.get("facet_store"):
            return None
        store = open_store(str(config["facet_store"]), self.table)
        if store is None:
            return None

        def counts(selections, rowids):
            match = store.mask(selections, cube["rows"], rowids)
            return None if match is None else store.cell_counts(match)

        per_cell = None
        parsed = store_filters(self.get_querystring_pairs())
        if parsed is not None:
            selections, search = parsed
            rowids = await self._search_rowids(search) if search else None
            if rowids is not None or not search:
                per_cell = await asyncio.to_thread(counts, selections, rowids)
        if per_cell is None:
            where = await self._where_clause()
            if where is None:
                return None
            sql = f"select group_concat(rowid) from {escape_sqlite(self.table)} {where}"
            rowids = await self._rowids(sql, self.params)
            per_cell = await asyncio.to_thread(counts, [], rowids)
        return {**cube, "counts": per_cell}

    async def _cube_rows(self, column: str, limit: int, state: dict) -> list[dict] | None:
        """Facet rows from the release cube or this request's cube; None if not a cube column."""
        cube = self._cube()
        if cube is None or column not in cube["index"]:
            return None
        if "filters" not in state:
            state["filters"] = equality_filters(self.get_querystring_pairs(), cube)
        filters = state["filters"]
        if filters is None:
            if "cube" not in state:
                try:
                    state["cube"] = await self._store_cube(cube) or await self._filtered_cube(cube)
                except QueryInterrupted as exc:
                    state["cube"] = exc  # every cube column timed out: do not retry per column
            if isinstance(state["cube"], QueryInterrupted):
                raise state["cube"]
            cube, filters = state["cube"], {}
        return [{"value": v, "count": n} for v, n in cube_counts(cube, filters, column)[:limit]]

    async def _sql_rows(self, column: str, limit: int) -> list:
        facet_sql = f"""
            select {escape_sqlite(column)} as value, count(*) as count from (
                {self.sql}
            )
            where {escape_sqlite(column)} is not null
            group by {escape_sqlite(column)} order by count desc, value limit {limit}
        """
        results = await self.ds.execute(
            self.database,
            facet_sql,
            self.params,
            truncate=False,
            custom_time_limit=self.ds.setting("facet_time_limit_ms"),
        )
        return list(results.rows)

    async def facet_results(self):
        facet_results = []
        facets_timed_out = []
        qs_pairs = self.get_querystring_pairs()
        facet_size = self.get_facet_size()
        state: dict = {}  # this request's filters and, when needed, its own cube
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            source = source_and_config["source"]
            column = config.get("column") or config["simple"]
            try:
                rows = await self._cube_rows(column, facet_size + 1, state)
                if rows is None:
                    rows = await self._sql_rows(column, facet_size + 1)
            except QueryInterrupted:
                facets_timed_out.append(column)
                continue
            values = []
            facet_results.append(
                {
                    "name": column,
                    "type": self.type,
                    "hideable": source != "metadata",
                    "toggle_url": self.ds.urls.path(
                        path_with_removed_args(self.request, {"_facet": column})
                    ),
                    "results": values,
                    "truncated": len(rows) > facet_size,
                }
            )
            rows = rows[:facet_size]
            expanded = {}
            if self.table:
                expanded = await self.ds.expand_foreign_keys(
                    self.request.actor,
                    self.database,
                    self.table,
                    column,
                    [row["value"] for row in rows],
                )
            for row in rows:
                column_qs = f"{column}__exact" if column.startswith("_") else column
                selected_args = {
                    key: str(row["value"])
                    for key in (column_qs, f"{column}__exact")
                    if (key, str(row["value"])) in qs_pairs
                }
                if selected_args:
                    toggle_path = path_with_removed_args(self.request, selected_args)
                else:
                    toggle_path = path_with_added_args(self.request, {column_qs: row["value"]})
                values.append(
                    {
                        "value": row["value"],
                        "label": expanded.get((column, row["value"]), row["value"]),
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(
                            self.request, self.ds.urls.path(toggle_path)
                        ),
                        "selected": bool(selected_args),
                    }
                )
        return facet_results, facets_timed_out


def replace_column_facet(classes_per_plugin: list[list]) -> list[list]:
    if os.environ.get(REFERENCE_ENV, "").strip().lower() == REFERENCE:
        return classes_per_plugin
    return [
        [CubeColumnFacet if cls is ColumnFacet else cls for cls in classes]
        for classes in classes_per_plugin
    ]
