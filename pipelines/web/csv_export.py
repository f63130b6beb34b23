"""Complete CSV exports: no silent truncation, and no server CPU spent on whole-table downloads.

Datasette's streamed CSV (`.csv?_stream=on`) stops at `max_csv_mb` and still answers HTTP 200 (a
1M-row export measured here stopped at 453,643 rows), and a full 1M-row stream costs ~28 s of
server CPU. This ASGI wrapper takes over streamed exports of published tables:

- with no filter (only `_stream`, `_dl`, `_size`), it redirects to the prebuilt file written at
  release time (`/downloads/<dataset>/<table>.csv`): complete, static, cacheable;
- with filters, it pages through Datasette's own JSON API for the same query (the same filter
  semantics, keyset pagination and per-query time limit) and writes every row, whatever
  `max_csv_mb` says. If a page fails midway, the body ends with a line saying so, never quietly;
- one page of a table (no `_stream`) is written from the same JSON API too.

Every CSV the server answers is written here (`send_csv`, also for SQL and canned queries in
query_csv.py) so that no text cell reaches a spreadsheet as a formula (core/csv_safety.py).
"""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qsl, urlencode

from datasette.utils import tilde_decode
from datasette.utils.asgi import Response

from ..core.csv_safety import neutralise
from ..core.layout import DATABASE
from .layout import cors_headers

TABLE_CSV = re.compile(rf"^/{DATABASE}/(?P<table>[^/]+)\.csv$")
WHOLE_TABLE_ARGS = {"_stream", "_dl", "_size", "_nofacet", "_nocount"}
DROPPED_ARGS = {"_stream", "_dl", "_size", "_next", "_nofacet", "_nocount", "_shape", "_extra"}
# One page (no `_stream`): the page the CSV would have shown, so `_size` and `_next` stay.
PAGE_DROPPED_ARGS = {"_stream", "_dl", "_nofacet", "_nocount", "_shape", "_extra"}
PAGE_ARGS = [
    ("_size", "max"),
    ("_nofacet", "1"),
    ("_nocount", "1"),
    ("_shape", "arrays"),
    ("_extra", "columns"),
]
ERROR_LINE = (
    "# GALAT / ERROR: ekspor berhenti, baris di atas tidak lengkap / "
    "export stopped, the rows above are incomplete: {}"
)


def table_downloads(datasette, table: str) -> dict | None:
    config = datasette.plugin_config("jendela", database=DATABASE, table=table, fallback=False)
    return (config or {}).get("downloads")


async def send_redirect(datasette, send, location: str) -> None:
    headers = {"Location": location, **cors_headers(datasette)}
    await Response("", status=302, headers=headers).asgi_send(send)


def csv_line(row: list) -> bytes:
    """One CSV record, UTF-8, every risky text cell neutralised (core/csv_safety.py)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([neutralise(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def csv_cells(row: list, labelled: set[int]) -> list:
    """A row of Datasette's JSON as CSV cells: a labelled foreign key gives value and label."""
    cells = []
    for i, cell in enumerate(row):
        if i in labelled:
            labelled_cell = isinstance(cell, dict)
            cells += [cell.get("value"), cell.get("label")] if labelled_cell else [cell, ""]
        else:
            cells.append(cell)
    return cells


async def pass_error(datasette, send, answer) -> None:
    """Datasette's own error answer passed through, with its status (nothing was sent yet)."""
    await Response(
        answer.text,
        status=answer.status_code,
        headers=cors_headers(datasette),
        content_type=answer.headers.get("content-type", "application/json"),
    ).asgi_send(send)


def labelled_columns(columns: list, rows: list) -> set[int]:
    """The columns Datasette expanded into `{"value", "label"}` (`_labels`) in `rows`."""
    return {
        i
        for i in range(len(columns))
        if any(isinstance(row[i], dict) for row in rows if i < len(row))
    }


def csv_heading(columns: list, labelled: set[int]) -> list[str]:
    """The CSV header: each labelled column is followed by `<column>_label`."""
    heading = []
    for i, column in enumerate(columns):
        heading += [column, f"{column}_label"] if i in labelled else [column]
    return heading


async def send_csv(
    datasette,
    send,
    path: str,
    args: list[tuple[str, str]],
    *,
    follow: bool,
    filename: str,
    refuse=None,
) -> None:
    """The rows of Datasette's JSON API at `path` (a table or a query) as CSV, written here.

    Datasette's own CSV writes every cell as it is; the JSON tells text from numbers, so each
    text cell a spreadsheet would run as a formula gets its leading quote (core/csv_safety.py)
    while `-5` in a number column stays a number. `follow` pages through `next` (a streamed
    table export); `refuse(data)` may answer instead of the CSV after the first page (a query
    that Datasette truncated). If a later page fails, the body ends with a line saying so.
    """
    query = [(k, v) for k, v in args if k not in (DROPPED_ARGS if follow else PAGE_DROPPED_ARGS)]
    query += PAGE_ARGS if follow else PAGE_ARGS[1:]
    first = await datasette.client.get(f"{path}?{urlencode(query)}")
    if first.status_code != 200:
        await pass_error(datasette, send, first)
        return
    data = first.json()
    refusal = refuse(data) if refuse else None
    if refusal is not None:
        await refusal.asgi_send(send)
        return
    download = any(k == "_dl" for k, _ in args)
    kind = b"text/csv; charset=utf-8" if download or follow else b"text/plain; charset=utf-8"
    headers = [[b"content-type", kind]]
    if download:
        headers.append([b"content-disposition", f'attachment; filename="{filename}.csv"'.encode()])
    headers += [[k.lower().encode(), v.encode()] for k, v in cors_headers(datasette).items()]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    columns = data.get("columns") or []
    labelled = labelled_columns(columns, data["rows"])
    if dict(args).get("_header") != "off":
        heading = csv_heading(columns, labelled)
        await send({"type": "http.response.body", "body": csv_line(heading), "more_body": True})
    while True:
        body = b"".join(csv_line(csv_cells(row, labelled)) for row in data["rows"])
        await send({"type": "http.response.body", "body": body, "more_body": True})
        if not (follow and data.get("next")):
            break
        page = await datasette.client.get(f"{path}?{urlencode(query + [('_next', data['next'])])}")
        if page.status_code != 200:
            message = ERROR_LINE.format(page.text[:500].replace("\n", " "))
            await send({"type": "http.response.body", "body": message.encode() + b"\n"})
            return
        data = page.json()
    await send({"type": "http.response.body", "body": b""})


async def is_table(datasette, name: str) -> bool:
    database = datasette.get_database(DATABASE)
    return await database.table_exists(name) or await database.view_exists(name)


def csv_export_wrapper(datasette):
    def wrap(app):
        async def handler(scope, receive, send):
            match = TABLE_CSV.match(scope.get("path", "")) if scope["type"] == "http" else None
            if match and scope["method"] in ("GET", "HEAD"):
                args = parse_qsl(scope.get("query_string", b"").decode("latin-1"), True)
                table = tilde_decode(match["table"])
                downloads = table_downloads(datasette, table)
                stream = any(k == "_stream" for k, _ in args)
                whole = {k for k, _ in args} <= WHOLE_TABLE_ARGS
                if stream and whole and "csv" in (downloads or {}):
                    await send_redirect(datasette, send, downloads["csv"])
                    return
                if downloads is not None or await is_table(datasette, table):
                    path = f"/{DATABASE}/{match['table']}.json"
                    await send_csv(datasette, send, path, args, follow=stream, filename=table)
                    return
            await app(scope, receive, send)

        return handler

    return wrap
