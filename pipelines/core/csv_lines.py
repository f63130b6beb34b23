"""CSV rows as every CSV of the build writes them: minimal quoting, "\\n" after each row, and a
text holding a bare carriage return quoted.

Python's csv module (also under pandas' `to_csv`) quotes a field for the delimiter, the quote
character and the characters of the line terminator only. With "\\n" as the terminator, a text
holding a bare "\\r" (a correct, quoted cell of a source file) was written unquoted, and every
reader of our CSVs (Arrow, pandas, frictionless, a spreadsheet) takes that "\\r" for the end of a
row: the row came back split in two, and the table failed on cells it did not have. Such a row is
written with "\\r\\n" as the terminator, which quotes the field, and its terminator is cut back to
"\\n"; every other row is written exactly as before, so files without such a cell keep their bytes.
"""

from __future__ import annotations

import csv
import io
from typing import TextIO

import numpy as np
import pandas as pd

ROW_END = "\n"
_QUOTING_END = "\r\n"  # a terminator holding "\r": the csv module then quotes a field with one


def carriage_return_rows(frame: pd.DataFrame) -> np.ndarray:
    """Which rows hold a carriage return in a text cell, alone or before a line feed."""
    found = np.zeros(len(frame), dtype=bool)
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            found |= (
                column.astype("string")
                .str.contains("\r", regex=False)
                .fillna(False)
                .to_numpy(dtype=bool)
            )
    return found


def write_frame(frame: pd.DataFrame, out: TextIO) -> None:
    """`frame.to_csv(out, header=False, index=False, lineterminator="\\n")`, with the rows that
    hold a carriage return written so that it stays inside its quoted field.

    The chunk is written as text first: with "\n" as the terminator, a "\r" in that text can
    only come from a cell, so a chunk without one (nearly all) is written as it is, without
    searching its columns one by one (pandas' fixed cost per column and chunk)."""
    text = frame.to_csv(header=False, index=False, lineterminator=ROW_END)
    if "\r" not in text:
        out.write(text)
        return
    marked = carriage_return_rows(frame)
    start = 0
    for position in np.flatnonzero(marked):
        if position > start:
            frame.iloc[start:position].to_csv(
                out, header=False, index=False, lineterminator=ROW_END
            )
        row = frame.iloc[position : position + 1].to_csv(
            header=False, index=False, lineterminator=_QUOTING_END
        )
        out.write(row.removesuffix(_QUOTING_END) + ROW_END)
        start = position + 1
    if start < len(frame):
        frame.iloc[start:].to_csv(out, header=False, index=False, lineterminator=ROW_END)


class RowWriter:
    """`csv.writer(out, lineterminator="\\n")` whose rows keep a carriage return inside its
    quoted field."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator=_QUOTING_END)

    def writerow(self, cells) -> None:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(cells)
        self._out.write(self._buffer.getvalue().removesuffix(_QUOTING_END) + ROW_END)
