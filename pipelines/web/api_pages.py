"""The API's two front doors: the OpenAPI 3 document at /-/openapi.json and a human page at /-/api.

The document is generated once per server process (openapi.py) from the release's Table
Schemas, the tables the database really holds and the server's own canned queries and page limit,
then served with `servers` set to the address it was asked from, so a client generator or
schemathesis pointed at any host gets working URLs. The human page lists every table with
copy-paste examples (curl, Python, pandas) built from the same document.
"""

from __future__ import annotations

from pathlib import Path

from datasette.utils.asgi import Response

from ..core.layout import DATABASE
from .layout import cors_headers
from .openapi import load_packages, openapi_document

_documents: dict[int, dict] = {}


def base_url(datasette, request) -> str:
    return datasette.absolute_url(request, "/").rstrip("/")


async def _document(datasette) -> dict | None:
    """Built on first use; the database is immutable, so it never changes while serving."""
    if id(datasette) not in _documents:
        site_dir = (datasette.plugin_config("jendela") or {}).get("site_dir")
        if not site_dir or DATABASE not in datasette.databases:
            return None
        tables = set(await datasette.get_database(DATABASE).table_names())
        queries = (datasette.config or {}).get("databases", {}).get(DATABASE, {}).get("queries")
        _documents[id(datasette)] = openapi_document(
            load_packages(Path(site_dir)),
            tables,
            queries or {},
            datasette.setting("max_returned_rows"),
            datasette.plugin_config("jendela") or {},
        )
    return _documents[id(datasette)]


async def document_for(datasette, request) -> dict | None:
    document = await _document(datasette)
    if document is None:
        return None
    return {**document, "servers": [{"url": base_url(datasette, request)}]}


async def openapi_view(datasette, request):
    document = await document_for(datasette, request)
    if document is None:
        return Response.json(
            {"ok": False, "error": "tidak ada rilis / no release is served"},
            status=404,
            headers=cors_headers(datasette),
        )
    return Response.json(document, headers=cors_headers(datasette))


TEXT_NOTE = "# Seluruh tabel; kode dibaca sebagai teks / the whole table; codes read as text"


def code_columns(schema: dict) -> list[str]:
    """The text columns that hold codes (`kode_wilayah`, `kode_tender`, ...): pandas, R and
    spreadsheets read `32.10` as the number 32.1 unless told these are text (DESIGN pitfalls)."""
    return [
        name
        for name, column in (schema.get("properties") or {}).items()
        if name.startswith("kode_") and column.get("type", "string") == "string"
    ]


def examples(base: str, table: str, info: dict, codes: list[str]) -> dict[str, str]:
    """curl, Python, pandas and R snippets for one table; facets and filters from its
    metadata; the code columns read as text."""
    facet = (info.get("facets") or [None])[0]
    json_url = f"{base}/{DATABASE}/{table}.json"
    facet_args = f"?_facet={facet}&_extra=facet_results&_size=0" if facet else "?_size=5"
    downloads = (info.get("plugins") or {}).get("jendela", {}).get("downloads", {})
    csv_url = f"{base}{downloads['csv']}" if "csv" in downloads else f"{json_url[:-5]}.csv"
    pandas_types = "{" + ", ".join(f'"{c}": str' for c in codes) + "}"
    r_types = ", ".join(f'{c} = "character"' for c in codes)
    return {
        "curl": f"curl -s '{json_url}?_size=5'\ncurl -s '{json_url}{facet_args}'",
        "python": (
            "import json, urllib.request\n\n"
            f'url = "{json_url}?_size=1000"\n'
            "rows = []\n"
            "while url:\n"
            "    with urllib.request.urlopen(url) as response:\n"
            "        page = json.load(response)\n"
            '    rows += page["rows"]\n'
            '    url = page.get("next_url")\n'
            "print(len(rows))"
        ),
        "pandas": (
            "import pandas as pd\n\n"
            f"{TEXT_NOTE}\n"
            f'df = pd.read_csv("{csv_url}", dtype={pandas_types})\n'
            "print(df.head())"
        ),
        "r": (f'{TEXT_NOTE}\ndf <- read.csv("{csv_url}", colClasses = c({r_types}))\nhead(df)'),
    }


async def api_page_view(datasette, request):
    document = await document_for(datasette, request) or {"paths": {}}
    base = base_url(datasette, request)
    tables = []
    config = (datasette.config or {}).get("databases", {}).get(DATABASE, {})
    config_tables = config.get("tables", {})
    for name, info in sorted(config_tables.items()):
        if f"/{DATABASE}/{name}.json" not in document["paths"]:
            continue
        metadata = await datasette.get_resource_metadata(DATABASE, name)
        schema = document.get("components", {}).get("schemas", {}).get(name, {})
        tables.append(
            {
                "name": name,
                "title": metadata.get("title", name),
                "url": datasette.urls.table(DATABASE, name),
                "columns": [
                    {"name": c, "type": s.get("type"), "description": s.get("description", "")}
                    for c, s in schema.get("properties", {}).items()
                ],
                "codes": code_columns(schema),
                "examples": examples(base, name, info, code_columns(schema)),
                "search": bool(info.get("fts_table")),
            }
        )
    queries = [
        {"path": path, "summary": spec["get"]["summary"]}
        for path, spec in document["paths"].items()
        if spec.get("get", {}).get("operationId", "").startswith("query_")
    ]
    html = await datasette.render_template(
        "jendela_api.html",
        {
            "tables": tables,
            "queries": queries,
            "base": base,
            "max_rows": datasette.setting("max_returned_rows"),
            "time_limit_ms": datasette.setting("sql_time_limit_ms"),
        },
        request=request,
    )
    return Response.html(html)
