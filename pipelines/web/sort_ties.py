"""A sorted table page orders ties by primary key on its first page too, as its next pages do.

Datasette (1.0a41) builds a sorted table page's SQL as `order by <column> [desc]` and adds the
primary key after it only on the pages a `_next` token opens, whose keyset clause assumes the rows
before them came in that order (`<column> = :value and <key> > :last_key`). On the first page
the order of rows with the same value is whatever SQLite's plan gives: read off the column's
index backwards for `_sort_desc`, key descending. Where such a tie crossed the end of the first
page, the second page repeated rows of it and skipped others: a journalist paging a table by
year, newest first, could miss rows, and the evidence pack of `wilayah?_sort_desc=nama_wilayah`
did (tests/web/test_evidence.py, once nama_wilayah had an index).

No plugin hook reaches the ORDER BY, so this wraps Datasette's `_sort_order`, the table view's
helper that names the sort, and appends the primary key (or rowid) when no `_next` token will: it
adds to what Datasette returns and changes nothing else. Should Datasette add the key itself, the
key is named twice, which SQLite ignores; should the helper go, `install` fails at start-up
instead of the pages silently going back to unordered ties (tests/web/test_sort_ties.py).
"""

from __future__ import annotations

from datasette.views import table as table_view

MARK = "_jendela_orders_ties"


def install() -> None:
    """Wrap the table view's sort helper once per process."""
    original = table_view._sort_order
    if getattr(original, MARK, False):
        return

    async def sort_order_with_ties(table_metadata, sortable_columns, request, order_by):
        # `order_by` comes in as the key's ORDER BY ("rowid" for rowid tables, "" for views)
        sort, sort_desc, sorted_by = await original(
            table_metadata, sortable_columns, request, order_by
        )
        if (sort or sort_desc) and order_by and not request.args.get("_next"):
            sorted_by = f"{sorted_by}, {order_by}"
        return sort, sort_desc, sorted_by

    setattr(sort_order_with_ties, MARK, True)
    table_view._sort_order = sort_order_with_ties
