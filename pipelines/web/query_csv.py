"""No silent truncation for query CSVs either.

Datasette returns at most `max_returned_rows` rows for a SQL query (custom or canned) and its CSV
export of such a query simply stops there with HTTP 200: a journalist downloading "all
contracts above 1 M" would get the first 1,000 and no sign of the rest. Table exports are
complete (csv_export.py); query results cannot be streamed safely, so this wrapper asks the
JSON endpoint of the same query first and, when Datasette says the result was truncated, answers
HTTP 400 with a bilingual message that says why and what to do instead, never a partial file.
A complete result is written as CSV from that same JSON (csv_export.send_csv), so its text
cells are made safe for spreadsheets like every other CSV the server answers.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from datasette.utils import tilde_decode
from datasette.utils.asgi import Response

from ..core.indonesian import format_number
from ..core.layout import DATABASE
from .csv_export import is_table, send_csv
from .layout import cors_headers

# Custom SQL lives at /<db>/-/query (Datasette 1.0; /<db>.csv?sql= redirects there); a canned
# query at /<db>/<name>.
QUERY_CSV = re.compile(rf"^/{DATABASE}(?:/-/query|/(?P<name>[^/]+))\.csv$")

MESSAGE = (
    "Hasil kueri ini lebih dari {limit} baris (batas max_returned_rows), jadi CSV-nya akan "
    "terpotong; Jendela Data tidak mengirim berkas yang tidak lengkap. Persempit kueri (WHERE, "
    "LIMIT, GROUP BY), atau unduh tabel lengkap di /downloads/<dataset>/<tabel>.csv, atau pakai "
    "filter tabel: /{db}/<tabel>.csv?<kolom>=<nilai>&_stream=on memuat semua baris.\n"
    "This query returns more than {limit} rows (the max_returned_rows limit), so its CSV would "
    "be cut short; Jendela Data does not send incomplete files. Narrow the query (WHERE, LIMIT, "
    "GROUP BY), download the complete table at /downloads/<dataset>/<table>.csv, or use a table "
    "filter: /{db}/<table>.csv?<column>=<value>&_stream=on returns every row.\n"
)


def _refusal(datasette):
    """The 400 answer for a query whose JSON says Datasette truncated it, else None."""

    def refuse(data: dict) -> Response | None:
        if not data.get("truncated"):
            return None
        limit = datasette.setting("max_returned_rows")
        return Response.text(
            MESSAGE.format(limit=format_number(limit), db=DATABASE),
            status=400,
            headers=cors_headers(datasette),
        )

    return refuse


def query_csv_wrapper(datasette):
    def wrap(app):
        async def handler(scope, receive, send):
            match = QUERY_CSV.match(scope.get("path", "")) if scope["type"] == "http" else None
            if match and scope["method"] in ("GET", "HEAD"):
                name = tilde_decode(match["name"]) if match["name"] else None
                args = parse_qsl(scope.get("query_string", b"").decode("latin-1"), True)
                is_query = name is None and any(k == "sql" for k, _ in args)
                is_canned = name is not None and not await is_table(datasette, name)
                if is_query or is_canned:
                    path = (
                        f"/{DATABASE}/{match['name']}.json" if name else f"/{DATABASE}/-/query.json"
                    )
                    await send_csv(
                        datasette,
                        send,
                        path,
                        [(k, v) for k, v in args if k != "_size"],
                        follow=False,
                        filename=name or DATABASE,
                        refuse=_refusal(datasette),
                    )
                    return
            await app(scope, receive, send)

        return handler

    return wrap
