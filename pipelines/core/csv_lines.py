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
from collections.abc import Iterator
from typing import TextIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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

    A frame of text columns goes to Arrow's kernels (`_text_columns`); any other is written by
    pandas as text first: with "\n" as the terminator, a "\r" in that text can only come from a
    cell, so a chunk without one (nearly all) is written as it is, without searching its columns
    one by one (pandas' fixed cost per column and chunk)."""
    columns = _text_columns(frame)
    if columns is not None:
        for piece in _text_lines(columns):
            out.write(piece)
        return
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


_TEXT_TYPES = (pa.string(), pa.large_string(), pa.null())  # null: a column with no value at all
_NEEDS_QUOTES = r'[,"\r\n]'  # what makes the csv module quote a field, "\r" included (above)


def _text_columns(frame: pd.DataFrame) -> list | None:
    """The frame's columns as Arrow text with the csv module's quoting applied (see the module
    docstring), or None when a column is not text (pandas and the csv module then write the
    frame: numbers and dates have their own renderings). An object column is text when Arrow
    finds only strings in it (None, NaN and NA are empty)."""
    if not len(frame.columns) or not len(frame):
        return None
    columns = []
    for name in frame.columns:
        series = frame[name]
        if not (series.dtype == object or isinstance(series.dtype, pd.StringDtype)):
            return None
        try:
            cells = pa.array(series, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return None
        if cells.type not in _TEXT_TYPES:
            return None  # bytes, numbers: pandas renders them its own way
        cells = cells.cast(pa.large_string())
        quote = pc.match_substring_regex(cells, _NEEDS_QUOTES)
        if pc.any(quote).as_py():
            doubled = pc.replace_substring(cells, '"', '""')
            quoted = pc.binary_join_element_wise(_text('"'), doubled, _text('"'), _text(""))
            cells = pc.if_else(quote, quoted, cells)
        columns.append(cells)
    if len(columns) == 1:  # a row of one empty field: the csv module writes "" (not a blank line)
        only = pc.fill_null(columns[0], "")
        columns = [pc.if_else(pc.equal(only, ""), _text('""'), only)]
    return columns


_ROWS_JOINED = 10_000


def _text_lines(columns: list) -> Iterator[str]:
    """The rows of `_text_columns` as CSV text, ROW_END after each, in pieces of _ROWS_JOINED
    rows: one text for a whole chunk was held three times over at once (Arrow's, Python's and
    the rows'), 37 MB more at the peak of 1,000,000 tenders' read."""
    rows = pc.binary_join_element_wise(
        *columns, _text(","), null_handling="replace", null_replacement=""
    )
    if isinstance(rows, pa.ChunkedArray):
        rows = rows.combine_chunks()
    for start in range(0, len(rows), _ROWS_JOINED):
        piece = rows.slice(start, _ROWS_JOINED)
        lines = pa.LargeListArray.from_arrays(pa.array([0, len(piece)], pa.int64()), piece)
        yield pc.binary_join(lines, _text(ROW_END))[0].as_py() + ROW_END


def _text(value: str) -> pa.Scalar:
    """A constant of the cells' type: Arrow's string kernels take no mix of text types."""
    return pa.scalar(value, pa.large_string())


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
