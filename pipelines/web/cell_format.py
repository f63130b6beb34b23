"""Indonesian number display for Datasette's HTML pages: money as `Rp 1.234.567`.

Only the HTML cell changes (Datasette's `render_cell` hook is called for HTML alone): JSON and CSV
keep the plain integers, so a script that reads the API never has to undo our formatting. Which
columns are money follows the naming rule in DESIGN.md (money columns end `_rp`, percentages end
`_pct`), so the same rule covers table pages and the results of canned or ad-hoc queries.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from ..core.indonesian import format_number

MONEY_SUFFIX = "_rp"
PERCENT_SUFFIX = "_pct"


def format_rupiah(value: int | float) -> str:
    """`Rp 1.234.567`; a negative amount keeps its sign in front: `-Rp 5.000`.

    Amounts are whole Rupiah (DESIGN rule 6); a float that reaches here (a computed average in a
    query) is rounded to whole Rupiah for display only.
    """
    amount = round(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {format_number(abs(amount))}"


def format_percent(value: int | float) -> str:
    """`97,04 %`: two decimals, Indonesian decimal comma."""
    return f"{format_number(value, 2)} %"


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def display_cell(column: str | None, value) -> Markup | None:
    """The HTML for a cell, or None to let Datasette render it as usual."""
    if not column or not is_number(value):
        return None
    if value != value:  # NaN
        return None
    if column.endswith(MONEY_SUFFIX):
        text, kind = format_rupiah(value), "rupiah"
    elif column.endswith(PERCENT_SUFFIX):
        text, kind = format_percent(value), "persen"
    else:
        return None
    # The plain number stays in the page for people who copy it and for scripts reading the HTML.
    return Markup(f'<span class="{kind}" data-value="{escape(value)}">{escape(text)}</span>')
