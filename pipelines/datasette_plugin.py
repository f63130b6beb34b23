"""Our Datasette plugin: the top of the dependency graph, where the catalog meets the server.

It mounts the static catalog on the Datasette server, so one port serves both: the catalog is the
front door at `/`, Datasette's own database index moves to `/-/` and the tables stay at
`/jendela/<table>`. The site folder comes from plugin configuration (`plugins.jendela.site_dir`),
which `publish.py serve` sets.
"""

from __future__ import annotations

from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response, asgi_send_file

SITE_SECTIONS = ("dataset", "downloads", "reports", "assets")
FILE_CHUNK = 1 << 20


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
        content_type = None
        if target.suffix in (".csv",):
            content_type = "text/csv; charset=utf-8"
        elif target.suffix == ".html":
            content_type = "text/html; charset=utf-8"
        await asgi_send_file(send, target, content_type=content_type, chunk_size=FILE_CHUNK)

    return view


@hookimpl
def register_routes(datasette):
    view = _site_view(datasette)
    sections = "|".join(SITE_SECTIONS)
    return [
        (r"^/$", view),
        (r"^/(?P<path>index\.html)$", view),
        (rf"^/(?P<path>(?:{sections})/.*)$", view),
    ]
