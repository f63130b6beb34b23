"""The rows on screen as an XLSX file: a filtered table page, every matching row, typed cells.

`/jendela/<table>.xlsx?<the page's filters>` pages through Datasette's own JSON API for the same
query (as csv_export.py does for CSV: the same filter semantics, keyset paging and time limit)
and writes one sheet. JSON keeps types, so numbers stay numbers and codes such as `32.71` stay
text; text is never a formula (core/xlsx.py writes it). With no filter the prebuilt file of the
release answers (a redirect), as for CSV. The workbook is complete before the first byte is sent,
so a failure midway is an error answer, never a short file.
"""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qsl, urlencode

from datasette.utils import tilde_decode
from datasette.utils.asgi import Response

from ..core.layout import DATABASE
from ..core.xlsx import Sheet, write_workbook
from .csv_export import (
    DROPPED_ARGS,
    PAGE_ARGS,
    WHOLE_TABLE_ARGS,
    is_table,
    pass_error,
    send_redirect,
    table_downloads,
)
from .layout import cors_headers

TABLE_XLSX = re.compile(rf"^/{DATABASE}/(?P<table>[^/]+)\.xlsx$")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    # A foreign key expanded with `_labels` arrives as {"value", "label"}: the code is the cell.
    return value.get("value") if isinstance(value, dict) else value


async def workbook_of(datasette, table: str, path: str, args: list[tuple[str, str]]):
    """(XLSX bytes, None) of every row Datasette's JSON API at `path` answers for `args`, page
    by page into one sheet (column names, then typed cells); (None, the failed answer)."""
    query = [(k, v) for k, v in args if k not in DROPPED_ARGS] + PAGE_ARGS
    columns: list[str] = []
    rows: list[tuple] = []
    token = None
    while True:
        page = await datasette.client.get(
            f"{path}?{urlencode(query + ([('_next', token)] if token else []))}"
        )
        if page.status_code != 200:
            return None, page
        data = page.json()
        columns = columns or data.get("columns") or []
        rows.extend(tuple(_cell(value) for value in row) for row in data["rows"])
        token = data.get("next")
        if not token:
            break
    buffer = io.BytesIO()
    write_workbook(buffer, [Sheet(table, columns, rows)])
    return buffer.getvalue(), None


def xlsx_url(url_csv: str) -> str:
    """The XLSX twin of Datasette's CSV link for the page (same path and filters)."""
    path, mark, query = url_csv.partition("?")
    return path.removesuffix(".csv") + ".xlsx" + mark + query


def xlsx_export_wrapper(datasette):
    def wrap(app):
        async def handler(scope, receive, send):
            match = TABLE_XLSX.match(scope.get("path", "")) if scope["type"] == "http" else None
            if not (match and scope["method"] in ("GET", "HEAD")):
                await app(scope, receive, send)
                return
            args = parse_qsl(scope.get("query_string", b"").decode("latin-1"), True)
            table = tilde_decode(match["table"])
            downloads = table_downloads(datasette, table) or {}
            # `_labels` changes nothing here: a cell holds the code, never its label.
            if {k for k, _ in args} <= WHOLE_TABLE_ARGS | {"_labels"} and "xlsx" in downloads:
                await send_redirect(datasette, send, downloads["xlsx"])
                return
            if not downloads and not await is_table(datasette, table):
                await app(scope, receive, send)
                return
            path = f"/{DATABASE}/{match['table']}.json"
            body, failed = await workbook_of(datasette, table, path, args)
            if failed is not None:
                await pass_error(datasette, send, failed)
                return
            headers = {
                "Content-Disposition": f'attachment; filename="{table}.xlsx"',
                **cors_headers(datasette),
            }
            await Response(body, headers=headers, content_type=XLSX_TYPE).asgi_send(send)

        return handler

    return wrap
