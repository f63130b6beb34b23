"""Bounds on what one request may cost, so bad traffic cannot sink the server.

- SQLite values: a connection refuses to build a string or blob over MAX_VALUE_BYTES
  (`select randomblob(1000000000)` fails at once, instead of a 1.3 GB answer after 23 s). The
  largest cell of the real catalog is under 1 KB; the limit is far above any published value.
- Facets: `_facet`, `_facet_array` and `_facet_date` arguments are de-duplicated (each repeat was
  counted again and repeated in every toggle link), and more than MAX_FACETS distinct ones is a
  400 naming the count and the limit.
- Response size: a response sent whole (Datasette's JSON and HTML pages) over MAX_RESPONSE_BYTES
  is replaced by a 400 naming the limit. Streamed answers (downloads, CSV exports) go out in
  chunks, so their memory is bounded by the chunk, and they are never cut.
"""

from __future__ import annotations

import sqlite3
from urllib.parse import parse_qsl, urlencode

from datasette.utils.asgi import Request

from .error_pages import MAX_VALUE_MB, TOO_BIG, error_response
from .i18n import both, t

MAX_VALUE_BYTES = MAX_VALUE_MB * 1_000_000
MAX_FACETS = 10
MAX_RESPONSE_BYTES = 50_000_000
FACET_KEYS = ("_facet", "_facet_array", "_facet_date")


def too_big_text() -> str:
    return both("value_too_large", limit=MAX_VALUE_MB)


def limit_connection(conn: sqlite3.Connection) -> None:
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)


def facets_of(query_string: bytes) -> tuple[bytes, int]:
    """The query string without repeated facet arguments, and how many distinct facets it asks."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    seen: set[tuple[str, str]] = set()
    kept = []
    for key, value in pairs:
        if key in FACET_KEYS:
            if (key, value) in seen:
                continue
            seen.add((key, value))
        kept.append((key, value))
    if len(kept) == len(pairs):
        return query_string, len(seen)
    return urlencode(kept).encode("latin-1"), len(seen)


async def _refuse(datasette, scope, receive, send, status: int, key: str, **values) -> None:
    request = Request(scope, receive)
    response = await error_response(
        datasette, request, status, t(key, **values), both(key, **values)
    )
    await response.asgi_send(send)


def facet_limit_wrapper(datasette):
    def wrap(app):
        async def handler(scope, receive, send):
            if scope["type"] == "http" and b"_facet" in scope.get("query_string", b""):
                query_string, count = facets_of(scope["query_string"])
                if count > MAX_FACETS:
                    await _refuse(
                        datasette, scope, receive, send, 400, "facet_limit",
                        count=count, limit=MAX_FACETS,
                    )  # fmt: skip
                    return
                scope = {**scope, "query_string": query_string}
            await app(scope, receive, send)

        return handler

    return wrap


def response_cap_wrapper(datasette):
    """Hold each response's start until its first body part: a whole body over the cap is
    replaced by an error before anything was sent."""

    def wrap(app):
        async def handler(scope, receive, send):
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            held: dict = {}

            async def capped_send(message):
                if message["type"] == "http.response.start":
                    held["start"] = message
                    return
                if message["type"] == "http.response.body" and "start" in held:
                    start = held.pop("start")
                    body = message.get("body", b"")
                    if start["status"] == 400 and TOO_BIG.encode() in body:
                        # Datasette shows SQLite's own words for a query error: ours are clearer.
                        body = body.replace(TOO_BIG.encode(), too_big_text().encode())
                        headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
                        start = {**start, "headers": headers}
                        message = {**message, "body": body}
                    if not message.get("more_body") and len(body) > MAX_RESPONSE_BYTES:
                        await _refuse(
                            datasette, scope, receive, send, 400, "response_too_large",
                            limit=MAX_RESPONSE_BYTES // 1_000_000,
                        )  # fmt: skip
                        return
                    await send(start)
                await send(message)

            await app(scope, receive, capped_send)

        return handler

    return wrap
