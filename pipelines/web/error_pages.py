"""Clear, bilingual errors: a bad filter value is the user's mistake (400), and says which filter.

Datasette 1.0a41 answers 500 for two filter inputs: a number beyond SQLite's 64-bit integers in a
numeric comparison (`pagu_rp__gte=99999999999999999999`: OverflowError when the value is bound)
and an `__in`/`__notin` list that starts like JSON but is not (`satker__in=[Dinas`:
JSONDecodeError). The same exceptions can come from anywhere else, so an error is relabelled only
when the request's own arguments hold the culprit, and the message names it. HTML pages get our
error page, `.json` the JSON error body, `.csv` plain text, like Datasette's own errors.
"""

from __future__ import annotations

import json

from datasette.utils.asgi import Response
from datasette.views.base import DatasetteError

from .i18n import t, tt
from .layout import cors_headers

INT64 = (-(2**63), 2**63 - 1)
NUMERIC_LOOKUPS = {"gt", "gte", "lt", "lte"}  # Datasette turns these values into numbers
LIST_LOOKUPS = {"in", "notin"}
MAX_SHOWN = 80  # characters of a filter value quoted back in a message


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


async def _bad_filter_response(datasette, request, key: str, culprit: str) -> Response:
    headers = cors_headers(datasette)
    path = request.path
    if path.endswith(".json"):
        body = {"ok": False, "error": tt(key, filter=culprit), "status": 400, "title": None}
        return Response.json(body, status=400, headers=headers)
    if path.endswith(".csv"):
        return Response.text(tt(key, filter=culprit), status=400, headers=headers)
    html = await datasette.render_template(
        "error.html", {"error": t(key, filter=culprit), "status": 400}, request=request
    )
    return Response.html(html, status=400, headers=headers)


def handle_error(datasette, request, exception):
    """Our answer to `exception`, or None to leave it to Datasette's own handler."""
    if isinstance(exception, DatasetteError) and exception.title == "SQL Interrupted":
        # Datasette's handler renders it: only the words change (the limit is named).
        limit = datasette.setting("sql_time_limit_ms")
        exception.plain_message = tt("time_limit", ms=limit)
        exception.message = str(t("time_limit", ms=limit))
        exception.message_is_html = True
        exception.title = tt("time_limit_title")
        return None
    found = bad_filter(request.args, exception) if request is not None else None
    if found is None:
        return None

    async def respond():
        return await _bad_filter_response(datasette, request, *found)

    return respond
