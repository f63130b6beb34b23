"""Datasette's database index at /-/, in Bahasa Indonesia with English beside it.

Datasette renders /-/ with its own `default:index.html` whatever template overrides exist (the
override slot is for a custom homepage at /, which our catalog already is), so its English
"474 rows in 27 tables" could not be translated by a template. This route takes /-/ before
Datasette does and renders the same facts, read from Datasette's own `/-/.json`, with our
template: row counts grouped the Indonesian way and each table's title from its metadata.
"""

from __future__ import annotations

from datasette.utils.asgi import Response


async def index_view(datasette, request):
    payload = (await datasette.client.get("/-/.json")).json()
    databases = []
    for database in payload["databases"]:
        tables = []
        for table in database["tables_and_views_truncated"]:
            metadata = await datasette.get_resource_metadata(database["name"], table["name"])
            tables.append({**table, "title": metadata.get("title") or table["name"]})
        databases.append({**database, "tables": tables})
    html = await datasette.render_template(
        "jendela_index.html",
        {"databases": databases, "metadata": payload.get("metadata", {})},
        request=request,
    )
    return Response.html(html)
