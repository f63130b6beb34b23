"""Our Datasette plugin: the top of the dependency graph, where the catalog meets the server.

It mounts the static catalog on the Datasette server, so one port serves both: the catalog is the
front door at `/`, Datasette's own database index moves to `/-/` and the tables stay at
`/jendela/<table>`. The release folder's parts come from plugin configuration, which
`publish.py serve` sets (`site_dir`, `facet_counts`, `facet_store`; see serve.py).

Each job lives in its own module; this file only wires them to Datasette's hooks:
- cell_format: Rupiah and percentages in HTML cells (JSON and CSV keep plain numbers);
- i18n, language: one language per page (Indonesian unless the reader switched), strings by key;
- facets: facet counts from the precomputed cube and arrays (stages/facet_store.py);
- csv_export, xlsx_export: complete exports of the rows on screen (prebuilt files when unfiltered);
- search: a blank search box means no search (not an FTS5 syntax error);
- api_pages: /-/openapi.json and the /-/api guide;
- index: Datasette's database index at /-/, in Indonesian;
- downloads_index: /downloads/<dataset>/ lists its files with sizes and SHA-256;
- error_pages: bad filter values as bilingual 400s naming the filter, slow queries the limit;
- sources: the licence and source of every table a query page reads;
- evidence: evidence packs (rows, query, release, checksums, credits, citation) at /-/bukti/...;
- limits: bounds on one request (SQLite value length, facet count, response size);
- caching: cache lifetimes, ETags of files, Last-Modified and 304s of Datasette's answers;
- security_headers: Content-Security-Policy (inline scripts by hash), nosniff, no framing;
- sort_ties: a sorted page's first page orders ties by primary key, as its next pages do;
- template_cache: Datasette's templates compiled once per machine, not once per instance.
"""

from __future__ import annotations

from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response, asgi_send_file

from ..core.indonesian import format_number
from ..core.layout import (
    ASSETS,
    DATABASE,
    DOWNLOADS,
    HISTORY_FILES,
    PUBLISHERS_DIR,
    RELEASES_DIR,
    REPORTS,
    SCORECARD_FILE,
    SITE_FILES,
)
from .api_pages import api_page_view, openapi_view
from .caching import conditional_wrapper, file_digest, file_headers, matches, static_url
from .cell_format import display_cell, format_rupiah
from .csv_export import csv_export_wrapper
from .downloads_index import downloads_folder, listing
from .error_pages import handle_error
from .evidence import ROUTE as EVIDENCE_ROUTE
from .evidence import evidence_url, evidence_view
from .facets import replace_column_facet
from .i18n import template_functions, ui_script
from .index import index_view
from .language import language, language_wrapper, switch_url
from .layout import cors_headers, served_release, served_site
from .limits import facet_limit_wrapper, limit_connection, response_cap_wrapper
from .mapped import map_database
from .next_token import next_token_wrapper
from .query_csv import query_csv_wrapper
from .query_parameters import parameter_help
from .search import blank_search_wrapper
from .security_headers import security_headers_wrapper
from .sort_ties import install as order_sorted_ties
from .sources import query_sources
from .table_rows import table_rows_html
from .template_cache import compiled_templates
from .xlsx_export import xlsx_export_wrapper, xlsx_url

SITE_SECTIONS = ("dataset", DOWNLOADS, REPORTS, RELEASES_DIR, PUBLISHERS_DIR, ASSETS, "en")
# Root pages and feeds of the release history and freshness (catalog/history_pages.py), and the
# quality scorecard (catalog/scorecard.py).
ROOT_FILES = (*SITE_FILES, *HISTORY_FILES, SCORECARD_FILE)
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
    ".db": "application/vnd.sqlite3",
}


def _resolve(site: Path, path: str) -> Path | None:
    target = (site / path).resolve()
    if not target.is_relative_to(site):
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def _site_view(datasette):
    async def view(request, send):
        site = served_site(datasette)
        path = request.url_vars.get("path", "") or "index.html"
        folder = downloads_folder(site, path) if site else None
        if folder is not None and not (folder / "index.html").is_file():
            if not path.endswith("/"):  # relative links in the listing need the slash
                await Response.redirect(f"/{path}/").asgi_send(send)
                return
            context = {"dataset": folder.name, "files": listing(site, folder)}
            html = await datasette.render_template("jendela_downloads.html", context, request)
            await Response.html(html, headers=cors_headers(datasette)).asgi_send(send)
            return
        target = _resolve(site, path) if site else None
        if target is None:
            response = Response.html(
                "<h1>404</h1><p>Halaman tidak ditemukan / Page not found</p>", status=404
            )
            await response.asgi_send(send)
            return
        query = request.scope.get("query_string", b"").decode("latin-1")
        headers = file_headers(request.path, query, await file_digest(target))
        if matches(request.headers.get("if-none-match"), headers["ETag"]):
            await Response("", status=304, headers=headers).asgi_send(send)
            return
        await asgi_send_file(
            send,
            target,
            content_type=CONTENT_TYPES.get(target.suffix),
            chunk_size=FILE_CHUNK,
            headers={**cors_headers(datasette), **headers},
        )

    return view


@hookimpl
def register_routes(datasette):
    view = _site_view(datasette)
    sections = "|".join(SITE_SECTIONS)
    return [
        (r"^/$", view),
        (r"^/(?P<path>index\.html)$", view),
        (rf"^/(?P<path>{'|'.join(f.replace('.', '[.]') for f in ROOT_FILES)})$", view),
        (rf"^/(?P<path>(?:{sections})/.*)$", view),
        (r"^/-/openapi\.json$", openapi_view),
        (r"^/-/api$", api_page_view),
        (r"^/-/$", index_view),
        (EVIDENCE_ROUTE, evidence_view),
    ]


def _language_switch_url(request, lang: str) -> str:
    if request is None:
        return f"/?_lang={lang}"
    return switch_url(request.path, request.query_string, lang)


@hookimpl
def render_cell(value, column):
    return display_cell(column, value)


@hookimpl
def prepare_jinja2_environment(env):
    env.globals.update(template_functions())
    env.globals["language_switch_url"] = _language_switch_url
    env.globals["xlsx_url"] = xlsx_url
    env.globals["jendela_database"] = DATABASE  # the nav line links its canned queries
    env.globals["jendela_rows"] = table_rows_html
    env.filters["angka"] = format_number
    env.filters["rupiah"] = format_rupiah
    env.bytecode_cache = compiled_templates()


def _parameters_of(datasette, request) -> dict:
    """Help and empty-box meaning of the canned query's parameters, in the page's language."""
    name = request.url_vars.get("table") if request else None
    queries = (datasette.config or {}).get("databases", {}).get(DATABASE, {}).get("queries") or {}
    if name not in queries:
        return {}
    config = datasette.plugin_config("jendela") or {}
    lang = language()
    return {
        param: {key: text.get(lang) for key, text in parameter_help(config, name, param).items()}
        for param in queries[name].get("params") or []
    }


@hookimpl
def extra_template_vars(datasette, database, table, view_name, template, request):
    async def inner():
        extra = {"jendela_facet_limit_ms": datasette.setting("facet_time_limit_ms")}
        if database == DATABASE and table and view_name == "table":
            config = datasette.plugin_config("jendela", database=database, table=table)
            extra["jendela_table"] = config if config and "dataset" in config else None
        is_query = template == "query.html" or template.startswith("query-")
        if database == DATABASE and is_query:
            extra["jendela_query_sources"] = await query_sources(datasette, request)
            extra["jendela_parameters"] = _parameters_of(datasette, request)
        if (
            database == DATABASE
            and request is not None
            and (is_query or (table and view_name == "table"))
        ):
            extra["jendela_evidence_url"] = evidence_url(request)  # the button (evidence.py)
        return extra

    return inner


@hookimpl
def extra_body_script():
    """Datasette's JavaScript menus in the page's language too (see static/jendela-ui.js)."""
    return ui_script(language())


@hookimpl
def extra_css_urls():
    return [static_url("jendela.css")]


@hookimpl
def asgi_wrapper(datasette):
    csv_wrapper = csv_export_wrapper(datasette)
    query_csv = query_csv_wrapper(datasette)
    facet_limit = facet_limit_wrapper(datasette)
    response_cap = response_cap_wrapper(datasette)
    next_token = next_token_wrapper(datasette)
    xlsx = xlsx_export_wrapper(datasette)
    ttl = datasette.setting("default_cache_ttl")
    conditional = conditional_wrapper(lambda: served_release(datasette), ttl)
    inner = (
        next_token,
        blank_search_wrapper,
        csv_wrapper,
        xlsx,
        query_csv,
        facet_limit,
        response_cap,
        conditional,
    )

    def wrap(app):
        for wrapper in inner:
            app = wrapper(app)
        # Security headers outermost: they see every answer, errors too; the language is set
        # for everything inside.
        return security_headers_wrapper(language_wrapper(app))

    return wrap


@hookimpl
def startup(datasette):
    order_sorted_ties()


@hookimpl
def prepare_connection(conn):
    limit_connection(conn)
    map_database(conn)


@hookimpl(wrapper=True)
def register_facet_classes():
    classes = yield
    return replace_column_facet(classes)


@hookimpl(wrapper=True)
def handle_exception(datasette, request, exception):
    """Ours is the only answer: Datasette's default handler (which the wrapper keeps from
    running) prints a rich traceback with locals before it renders, ~0.8 s per error."""
    yield
    return [handle_error(datasette, request, exception)]
