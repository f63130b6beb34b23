"""Datasette's column facet, answered from the release's precomputed facet counts when it can be.

See datasette_facet_counts.py for why. A page whose only filters are equalities on facet columns
(the default page, or any combination of clicked facet values) gets its facet counts by summing
the precomputed cube; any other filter (a range, a text search, `_where`) falls back to Datasette's
own GROUP BY query, so the answer is always the same as Datasette's, only faster.

Any other filter on a table with a cube still gets one GROUP BY over all its facet columns
together, instead of one query per facet column.

The class replaces Datasette's `ColumnFacet` through a hook wrapper (`register_facet_classes`), and
`facet_results` follows Datasette 1.0a41's implementation except for where the rows come from.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

from datasette.database import QueryInterrupted
from datasette.facets import ColumnFacet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

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


@cache
def load_cubes(path: str) -> dict:
    file = Path(path)
    if not file.is_file():
        return {}
    cubes = json.loads(file.read_text(encoding="utf-8"))
    for cube in cubes.values():
        cube["index"] = {c: i for i, c in enumerate(cube["columns"])}
        cube["values"] = [
            {str(row[i]) for row in cube["rows"] if row[i] is not None}
            for i in range(len(cube["columns"]))
        ]
    return cubes


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


def cube_counts(cube: dict, filters: dict[int, str], column: str) -> list[tuple]:
    """(value, count) for `column` under `filters`, ordered as Datasette orders facet values."""
    target = cube["index"][column]
    counts: Counter = Counter()
    for row in cube["rows"]:
        if row[target] is None:
            continue
        if all(str(row[i]) == v for i, v in filters.items()):
            counts[row[target]] += row[-1]
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


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
        return {"columns": cube["columns"], "index": cube["index"], "rows": list(results.rows)}

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
                    state["cube"] = await self._filtered_cube(cube)
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
    return [
        [CubeColumnFacet if cls is ColumnFacet else cls for cls in classes]
        for classes in classes_per_plugin
    ]
