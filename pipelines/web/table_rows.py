"""The body rows of a table page's HTML table, written by a function instead of a template loop.

Datasette renders its templates with Jinja in async mode, where every expression of a loop is
awaited and every attribute looked up through the sandbox-aware `getattr`. A table page shows 50
rows of up to 18 columns, 900 cells of three expressions each: on 1,000,000 tenders that loop
took 9–10 ms of the page's 19 ms of template time, one process, warm (about a fifth of the whole
page). This function writes the same markup in under 2 ms.

It writes exactly what the loop of Datasette 1.0a41's `_table.html` wrote, without its
indentation: `<tr>` with `data-row` and `data-row-label` when the row links to itself, then one
`<td class="col-<column> type-<value type>">` per cell, every value escaped unless Datasette or a
`render_cell` hook made it markup already. tests/web/test_table_rows.py renders that loop with
Jinja beside this function, row for row, on real pages.
"""

from __future__ import annotations

from collections.abc import Iterable

from datasette.utils import to_css_class
from markupsafe import Markup, escape


def table_rows_html(rows: Iterable) -> Markup:
    """`<tr>…</tr>` lines for Datasette's `display_rows` (one `Row` of cell dicts each)."""
    css: dict[str, str] = {}  # a column's class, worked out once per page, not once per cell
    lines = []
    for row in rows:
        attributes = ""
        if row.pk_path is not None:
            attributes = f' data-row="{escape(row.row_path)}"'
            if row.row_label:
                attributes += f' data-row-label="{escape(row.row_label)}"'
        cells = []
        for cell in row:
            column = cell["column"]
            css_class = css.get(column)
            if css_class is None:
                css_class = css[column] = escape(to_css_class(column))
            cells.append(
                f'<td class="col-{css_class} type-{escape(cell["value_type"])}">'
                f"{escape(cell['value'])}</td>"
            )
        lines.append(f"<tr{attributes}>{''.join(cells)}</tr>")
    return Markup("\n".join(lines))
