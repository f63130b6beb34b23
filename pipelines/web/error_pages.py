"""Clear, bilingual errors: a bad filter value is the user's mistake (400), and says which filter.

Datasette 1.0a41 answers 500 for two filter inputs: a number beyond SQLite's 64-bit integers in a
numeric comparison (`pagu_rp__gte=99999999999999999999`: OverflowError when the value is bound)
and an `__in`/`__notin` list that starts like JSON but is not (`satker__in=[Dinas`:
JSONDecodeError). The same exceptions can come from anywhere else, so an error is relabelled only
when the request's own arguments hold the culprit, and the message names it. HTML pages get our
error page, `.json` the JSON error body, `.csv` plain text, like Datasette's own errors.

Every other error is answered here too, without a traceback: a facet on a column the table lacks
(`_facet=nope`, a 500 in Datasette) is a 400 naming it, a POST to the read-only server a 405, and
only our own mistakes a 500, whose page says nothing of the internals (the log gets one line).
"""

from __future__ import annotations

import json
import sqlite3
import sys
import traceback

from datasette.utils.asgi import Base400, Response
from datasette.views.base import DatasetteError
from markupsafe import Markup

from .i18n import both, t
from .layout import cors_headers

INT64 = (-(2**63), 2**63 - 1)
NUMERIC_LOOKUPS = {"gt", "gte", "lt", "lte"}  # Datasette turns these values into numbers
LIST_LOOKUPS = {"in", "notin"}
MAX_SHOWN = 80  # characters of a filter value quoted back in a message
NO_SUCH_COLUMN = "no such column: "
FACET_KEYS = ("_facet", "_facet_array", "_facet_date")
TOO_BIG = "string or blob too big"  # SQLite's text for SQLITE_TOOBIG
MAX_VALUE_MB = 10  # limits.MAX_VALUE_BYTES in MB (limits.py imports this module)


def _too_large(value) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and not (INT64[0] <= value <= INT64[1])
    )


def _is_culprit(lookup: str, value: str, exception: Exception) -> bool:
    if lookup in LIST_LOOKUPS and value.startswith("["):
        try:
            items = json.loads(value)
        except json.JSONDecodeError:
            return isinstance(exception, json.JSONDecodeError)
        return (
            isinstance(exception, OverflowError)
            and isinstance(items, list)
            and any(_too_large(item) for item in items)
        )
    if lookup in NUMERIC_LOOKUPS and isinstance(exception, OverflowError):
        try:
            return _too_large(int(value))
        except ValueError:
            return False
    return False


def bad_filter(args, exception: Exception) -> tuple[str, str] | None:
    """(translation key, `column__lookup=value`) of the filter argument that caused `exception`."""
    if not isinstance(exception, OverflowError | json.JSONDecodeError):
        return None
    for key in args:
        column, _, lookup = key.rpartition("__")
        if key.startswith("_") or not column:
            continue
        for value in args.getlist(key):
            if _is_culprit(lookup, value, exception):
                shown = value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "…"
                kind = (
                    "integer_too_large" if isinstance(exception, OverflowError) else "bad_in_list"
                )
                return kind, f"{key}={shown}"
    return None


async def error_response(
    datasette, request, status: int, message, plain: str, title: str | None = None
) -> Response:
    """An error as Datasette answers it (HTML page, `.json` body or `.csv` text), bilingual,
    never with a traceback."""
    headers = cors_headers(datasette)
    path = request.path
    if path.endswith(".json"):
        body = {"ok": False, "error": plain, "status": status, "title": title}
        return Response.json(body, status=status, headers=headers)
    if path.endswith(".csv"):
        return Response.text(plain, status=status, headers=headers)
    context = {"ok": False, "error": message, "status": status, "title": title}
    html = await datasette.render_template("error.html", context, request=request)
    return Response.html(html, status=status, headers=headers)


def _facet_column(request, exception: Exception) -> str | None:
    """The `_facet` value naming a column the table does not have (Datasette answers 500)."""
    if not isinstance(exception, sqlite3.OperationalError):
        return None
    text = str(exception)
    if not text.startswith(NO_SUCH_COLUMN):
        return None
    column = text[len(NO_SUCH_COLUMN) :]
    facets = {v for key in FACET_KEYS for v in request.args.getlist(key)}
    return column if column in facets else None


def classify(datasette, request, exception: Exception) -> tuple[int, object, str, str | None]:
    """(status, HTML message, plain message, title) for `exception` raised by `request`."""
    if isinstance(exception, DatasetteError) and exception.title == "SQL Interrupted":
        limit = datasette.setting("sql_time_limit_ms")
        return (
            400,
            t("time_limit", ms=limit),
            both("time_limit", ms=limit),
            both("time_limit_title"),
        )
    found = bad_filter(request.args, exception)
    if found is not None:
        key, culprit = found
        return 400, t(key, filter=culprit), both(key, filter=culprit), None
    column = _facet_column(request, exception)
    if column is not None:
        shown = column[:MAX_SHOWN]
        return 400, t("facet_unknown", column=shown), both("facet_unknown", column=shown), None
    if isinstance(exception, Base400):
        detail = str(exception.args[0]) if exception.args else ""
        if exception.status == 404:
            return 404, detail, f"{both('error_not_found')} ({detail})", None
        return exception.status, detail, detail, None
    if TOO_BIG in str(exception):  # limits.py: SQLite refused a value over its length limit
        text = (
            t("value_too_large", limit=MAX_VALUE_MB),
            both("value_too_large", limit=MAX_VALUE_MB),
        )
        return 400, text[0], text[1], None
    if isinstance(exception, DatasetteError):
        message = exception.message
        if exception.message_is_html:
            message = Markup(message)
        return exception.status, message, exception.plain_message or str(message), exception.title
    if request.method not in ("GET", "HEAD"):
        # The server is read-only: a form or script that posts where nothing can be written.
        text = both("method_not_allowed", method=request.method)
        return 405, text, text, None
    # Our mistake, not the user's: logged in one line for the operator, never shown.
    print(
        "jendela: 500 "
        + request.path
        + ": "
        + "".join(traceback.format_exception_only(exception)).strip(),
        file=sys.stderr,
        flush=True,
    )
    return 500, t("internal_error"), both("internal_error"), None


def handle_error(datasette, request, exception):
    """Every error, answered in milliseconds: Datasette's default handler renders a rich
    traceback with locals first (~0.8 s each, one at a time), so plugin.py keeps it from running.
    """
    status, message, plain, title = classify(datasette, request, exception)

    async def respond():
        return await error_response(datasette, request, status, message, plain, title)

    return respond
