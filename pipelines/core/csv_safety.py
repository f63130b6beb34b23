"""CSV injection: a text cell that a spreadsheet would read as a formula gets a leading quote.

A CSV file has no types, so Excel, LibreOffice and Google Sheets read a cell that starts with
`=`, `+`, `-` or `@` as a formula (`=HYPERLINK(...)`, `+cmd|' /C calc'!A0`), and a leading tab
or carriage return hides such a start. OWASP's guidance (CSV Injection) is to prefix those
cells with a single quote, which the spreadsheet shows as text. We follow it for every CSV we
write (the downloads of the build and the CSV that the server answers) with two limits, written
down in docs/downloads.md:

- only text cells: a number column's `-5` is a number, and stays one;
- a text cell that is a plain number (`-5`, `+62`, `-0,5`) is left alone: a spreadsheet reads
  it as that number, never as a formula, and its digits are often codes that must stay as
  they are.

JSON, Parquet, XLSX (inline strings, never formulas) and SQLite keep every value exactly.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A formula's start, for Python's re and for Arrow's compute kernels (RE2) alike: a cell it
# matches may be risky, one it does not match is not (stages/export.py judges the matches).
FORMULA_PATTERN = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?(?:[0-9]+(?:[.,][0-9]+)*|[.,][0-9]+)\Z"
_PLAIN_NUMBER_RE = re.compile(_PLAIN_NUMBER)


def risky(text: str) -> bool:
    """True when a spreadsheet could run `text` as a formula.

    >>> risky("=HYPERLINK(\\"http://x\\")"), risky("-5"), risky("- lain-lain")
    (True, False, True)
    """
    return text.startswith(FORMULA_START) and not _PLAIN_NUMBER_RE.match(text)


def neutralise(value):
    """`value` as a CSV cell may carry it: a risky text gets a leading `'`; anything else
    (numbers, None, safe text) is returned unchanged."""
    if isinstance(value, str) and risky(value):
        return "'" + value
    return value


def risky_cells(column: pd.Series) -> pd.Series:
    """Vectorised `risky` over a column of text (missing cells are not risky)."""
    text = column.astype("string")
    starts = text.str.match(FORMULA_PATTERN).fillna(False)
    number = text.str.match(_PLAIN_NUMBER).fillna(False)
    return (starts & ~number).astype(bool)


def neutralise_column(column: pd.Series) -> pd.Series:
    """The column with every risky cell prefixed by `'` (vectorised)."""
    flagged = risky_cells(column)
    if not flagged.any():
        return column
    out = column.copy()
    out[flagged] = "'" + column[flagged].astype(str)
    return out
