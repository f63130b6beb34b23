"""The licence and source of every table a query reads, shown on canned query and SQL pages.

A table page shows its table's licence and source (generated metadata,
catalog/datasette_metadata.py), but a query's result mixes tables that each have their own:
`belanja_per_kapita` divides a budget (apbd) by a population (penduduk) and names the region
(wilayah). Which tables a query reads is known from its SQL: Datasette's query analysis compiles
`EXPLAIN <sql>` on a read-only connection under SQLite's authorizer, which reports every table read
(through CTEs, subqueries and views too), without running the query. A canned query is analysed once
per server process (the database is immutable); a custom SQL query on each page view, as cheap as
compiling it.
"""

from __future__ import annotations

import sqlite3

from datasette.utils import named_parameters, tilde_decode

from ..core.layout import DATABASE

_canned: dict[tuple[int, str], tuple[str, ...]] = {}


async def tables_read(datasette, sql: str) -> tuple[str, ...]:
    """The tables `sql` reads, in the order SQLite meets them; () if it does not compile."""
    params = dict.fromkeys(named_parameters(sql), "")  # values do not change what is read
    try:
        analysis = await datasette.get_database(DATABASE).analyze_sql(sql, params)
    except (sqlite3.Error, sqlite3.Warning):
        return ()  # the page shows SQLite's own error for it
    names = (
        op.table
        for op in analysis.operations
        if op.operation == "read" and op.target_type == "table" and op.table
    )
    return tuple(dict.fromkeys(names))


async def _query_tables(datasette, request) -> tuple[str, ...]:
    if "table" in request.url_vars:
        name = tilde_decode(request.url_vars["table"])
        key = (id(datasette), name)
        if key not in _canned:
            query = await datasette.get_query(DATABASE, name)
            _canned[key] = await tables_read(datasette, query.sql) if query else ()
        return _canned[key]
    sql = request.args.get("sql")
    return await tables_read(datasette, sql) if sql else ()


async def query_sources(datasette, request) -> list[dict]:
    """Title, link and metadata (licence, source) of each published table the page's query reads."""
    if request is None or DATABASE not in datasette.databases:
        return []
    sources = []
    for name in await _query_tables(datasette, request):
        metadata = await datasette.get_resource_metadata(DATABASE, name)
        if not any(metadata.get(k) for k in ("license", "license_url", "source", "source_url")):
            continue  # not one of ours (an FTS index, sqlite_master): nothing to credit
        sources.append(
            {
                "name": name,
                "title": metadata.get("title") or name,
                "url": datasette.urls.table(DATABASE, name),
                "metadata": metadata,
            }
        )
    return sources
