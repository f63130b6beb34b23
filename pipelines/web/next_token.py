"""A `_next` page token the server did not issue gets a bilingual 400, not a raw SQLite error.

Datasette's token is the primary key of the last row shown, comma-separated, led by the sort
value when the page is sorted (`next_url` carries it). A made-up token with another number of
parts leaves Datasette's keyset clause empty: `... and ()`, which SQLite answers with `near ")":
syntax error` (Datasette 1.0a). This wrapper counts the parts before Datasette builds its SQL
and names the token in both languages, as the other bad-filter answers do (error_pages.py).
Tables keyed by rowid take any token (Datasette reads its first part only).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from datasette.utils import tilde_decode
from datasette.utils.asgi import Request

from ..core.layout import DATABASE
from .error_pages import MAX_SHOWN, error_response
from .i18n import both, t

SORT_ARGS = ("_sort", "_sort_desc")


def token_fits(token: str, primary_keys: list[str], sorted_: bool) -> bool:
    """Whether Datasette can build its keyset clause from `token` (see the module docstring)."""
    if not primary_keys:
        return True
    parts = token.split(",")
    if sorted_ and len(parts) > 1:
        parts = parts[1:]  # the first part is the sort value
    return len(parts) == len(primary_keys)


def _table_of(path: str) -> str | None:
    """`/jendela/tender.json` -> `tender`; None for any other kind of page."""
    parts = path.strip("/").split("/")
    if len(parts) != 2 or parts[0] != DATABASE:
        return None
    name = parts[1]
    for suffix in (".json", ".csv"):
        name = name.removesuffix(suffix)
    return tilde_decode(name)


def next_token_wrapper(datasette):
    def wrap(app):
        async def handler(scope, receive, send):
            if scope["type"] == "http" and b"_next=" in scope.get("query_string", b""):
                args = parse_qs(scope["query_string"].decode("latin-1"), keep_blank_values=True)
                table = _table_of(scope.get("path", ""))
                tokens = args.get("_next", [])
                if table and tokens and tokens[0]:
                    db = datasette.get_database(DATABASE)
                    if table in await db.table_names():
                        keys = await db.primary_keys(table)
                        sorted_ = any(args.get(k, [""])[0] for k in SORT_ARGS)
                        if not token_fits(tokens[0], keys, sorted_):
                            shown = tokens[0][:MAX_SHOWN]
                            request = Request(scope, receive)
                            culprit = f"_next={shown}"
                            response = await error_response(
                                datasette,
                                request,
                                400,
                                t("bad_next_token", filter=culprit),
                                both("bad_next_token", filter=culprit),
                            )
                            await response.asgi_send(send)
                            return
            await app(scope, receive, send)

        return handler

    return wrap
