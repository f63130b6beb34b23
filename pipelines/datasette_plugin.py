"""Our Datasette plugin: the top of the dependency graph, where the catalog meets the server.

It mounts the static catalog on the Datasette server, so one port serves both: the catalog is the
front door at `/`, Datasette's own database index moves to `/-/` and the tables stay at
`/jendela/<table>`. The release folder's parts come from plugin configuration, which
`publish.py serve` sets (`site_dir`, `facet_counts`, `facet_store`; see datasette_serve.py).

Each job lives in its own module; this file only wires them to Datasette's hooks:
- datasette_format: Rupiah and percentages in HTML cells (JSON and CSV keep plain numbers);
- datasette_i18n: Indonesian-first interface strings for our template overrides;
- datasette_facets: facet counts from the precomputed cube and arrays (facet_store);
- datasette_csv: complete CSV exports (prebuilt files, or every row streamed);
- datasette_search: a blank search box means no search (not an FTS5 syntax error);
- datasette_api: /-/openapi.json and the /-/api guide;
- datasette_index: Datasette's database index at /-/, in Indonesian.
"""

from __future__ import annotations

import json
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response, asgi_send_file
from datasette.views.base import DatasetteError

from .datasette_api import api_page_view, openapi_view
from .datasette_csv import csv_export_wrapper
from .datasette_facets import replace_column_facet
from .datasette_format import display_cell, format_rupiah, group_thousands
from .datasette_i18n import t, template_functions, tt, ui_script
from .datasette_index import index_view
from .datasette_layout import DATABASE, STATIC_MOUNT
from .datasette_query_csv import query_csv_wrapper
from .datasette_search import blank_search_wrapper

SITE_SECTIONS = ("dataset", "downloads", "reports", "assets", "en")
# Files at the site root besides index.html (written by catalog.py and catalog_*.py).
SITE_FILES = (
    "catalog.jsonld",
    "data.json",
    "search-index.json",
    "sitemap.xml",
    "robots.txt",
    "atom.xml",
)
FILE_CHUNK = 1 << 20
CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".parquet": "application/vnd.apache.parquet",
    ".jsonld": "application/ld+json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
}


def _site_dir(datasette) -> Path | None:
    config = datasette.plugin_config("jendela") or {}
    folder = config.get("site_dir")
    return Path(folder).resolve() if folder else None


def _resolve(site: Path, path: str) -> Path | None:
    target = (site / path).resolve()
    if not target.is_relative_to(site):
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def _site_view(datasette):
    async def view(request, send):
        site = _site_dir(datasette)
        path = request.url_vars.get("path", "") or "index.html"
        target = _resolve(site, path) if site else None
        if target is None:
            response = Response.html(
                "<h1>404</h1><p>Halaman tidak ditemukan / Page not found</p>", status=404
            )
            await response.asgi_send(send)
            return
        headers = {"Access-Control-Allow-Origin": "*"} if datasette.cors else {}
        await asgi_send_file(
            send,
            target,
            content_type=CONTENT_TYPES.get(target.suffix),
            chunk_size=FILE_CHUNK,
            headers=headers,
        )

    return view


@hookimpl
def register_routes(datasette):
    view = _site_view(datasette)
    sections = "|".join(SITE_SECTIONS)
    return [
        (r"^/$", view),
        (r"^/(?P<path>index\.html)$", view),
        (rf"^/(?P<path>{'|'.join(f.replace('.', '[.]') for f in SITE_FILES)})$", view),
        (rf"^/(?P<path>(?:{sections})/.*)$", view),
        (r"^/-/openapi\.json$", openapi_view),
        (r"^/-/api$", api_page_view),
        (r"^/-/$", index_view),
    ]


@hookimpl
def render_cell(value, column):
    return display_cell(column, value)


@hookimpl
def prepare_jinja2_environment(env):
    env.globals.update(template_functions())
    env.filters["angka"] = lambda value: group_thousands(value) if value is not None else ""
    env.filters["rupiah"] = format_rupiah


@hookimpl
def extra_template_vars(datasette, database, table, view_name):
    async def inner():
        extra = {
            "jendela_api_url": "/-/api",
            "jendela_catalog_url": "/",
            "jendela_facet_limit_ms": datasette.setting("facet_time_limit_ms"),
        }
        if database == DATABASE and table and view_name == "table":
            config = datasette.plugin_config("jendela", database=database, table=table)
            extra["jendela_table"] = config if config and "dataset" in config else None
        return extra

    return inner


@hookimpl
def extra_body_script():
    """Datasette's JavaScript menus in Bahasa Indonesia too (see static/jendela-ui.js)."""
    return ui_script()


@hookimpl
def extra_css_urls():
    return [f"/{STATIC_MOUNT}/jendela.css"]


@hookimpl
def asgi_wrapper(datasette):
    csv_wrapper = csv_export_wrapper(datasette)
    query_csv = query_csv_wrapper(datasette)
    return lambda app: query_csv(csv_wrapper(blank_search_wrapper(app)))


@hookimpl(wrapper=True)
def register_facet_classes():
    classes = yield
    return replace_column_facet(classes)


@hookimpl
def handle_exception(datasette, request, exception):
    """Clear, bilingual errors: bad filter values are 400s, a slow query names the limit."""
    # Bad filter input is the user's mistake, not a server fault (Datasette 1.0a41 answers 500):
    # a number beyond SQLite's 64-bit integers, or an `__in` list that starts like JSON but is not.
    for kind, key in ((OverflowError, "integer_too_large"), (json.JSONDecodeError, "bad_in_list")):
        if isinstance(exception, kind):
            headers = {"Access-Control-Allow-Origin": "*"} if datasette.cors else {}
            body = {"ok": False, "error": tt(key), "status": 400}
            return Response.json(body, status=400, headers=headers)
    if isinstance(exception, DatasetteError) and exception.title == "SQL Interrupted":
        limit = datasette.setting("sql_time_limit_ms")
        exception.plain_message = tt("time_limit", ms=limit)
        exception.message = str(t("time_limit", ms=limit))
        exception.message_is_html = True
        exception.title = tt("time_limit_title")
    return None
