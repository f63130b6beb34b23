"""An empty search box must not break the table page.

Datasette's table form always sends `_search=` (empty when the box is left blank), and Datasette
1.0a41 then counts rows with `MATCH ''`, which SQLite's FTS5 rejects: the journalist who only
clicked "Terapkan filter" gets a 400 page ("fts5: syntax error near ''"). This ASGI wrapper drops
blank `_search` arguments before Datasette sees the request, so a blank box means "no search".
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

SEARCH_ARGS = ("_search", "_search_")


def _blank_search(key: str, value: str) -> bool:
    return key.startswith(SEARCH_ARGS) and not value.strip()


def without_blank_search(query_string: bytes) -> bytes:
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    if not any(_blank_search(k, v) for k, v in pairs):
        return query_string
    return urlencode([(k, v) for k, v in pairs if not _blank_search(k, v)]).encode("latin-1")


def blank_search_wrapper(app):
    async def handler(scope, receive, send):
        if scope["type"] == "http" and b"_search" in scope.get("query_string", b""):
            scope = {**scope, "query_string": without_blank_search(scope["query_string"])}
        await app(scope, receive, send)

    return handler
