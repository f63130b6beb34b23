"""Every CSV row the build writes has the bytes Python's csv module gives it, whichever writer
made it: Arrow's kernels for text frames (core/csv_lines.py `_text_columns`), pandas otherwise.

The reference is the csv module itself, called here cell by cell: minimal quoting with "\\r\\n"
as its terminator (so a field holding "\\r" or "\\n" is quoted), each row's terminator then cut
to "\\n". That is the rule the build's CSVs follow (the staging file is the download's bytes);
readers of the download depend on it, and the release checksum with it.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.core import csv_lines
from pipelines.core.csv_lines import _text_columns, write_frame

# Characters that decide quoting (",", '"', "\n", "\r"), ones that must not (space, "'", "=",
# the other line breaks Unicode knows), and a few of every width in UTF-8.
CHARACTERS = st.sampled_from(list(",\"\n\r '=;\t\x0b\x0c\x1c\x85\u2028xX9.é–𝄞"))
CELLS = st.one_of(st.none(), st.text(CHARACTERS, max_size=6))
DTYPES = ["string[pyarrow]", "string[python]", object]


def reference(rows: list[list[str | None]]) -> str:
    """The rows as the csv module writes them with "\\r\\n", each terminator cut to "\\n"."""
    out = []
    for row in rows:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(row)
        out.append(buffer.getvalue().removesuffix("\r\n") + "\n")
    return "".join(out)


@st.composite
def text_frames(draw) -> tuple[pd.DataFrame, list[list[str | None]]]:
    width = draw(st.integers(1, 4))
    rows = draw(st.lists(st.lists(CELLS, min_size=width, max_size=width), max_size=8))
    dtype = draw(st.sampled_from(DTYPES))
    columns = {f"c{i}": pd.array([r[i] for r in rows], dtype=dtype) for i in range(width)}
    return pd.DataFrame(columns), rows


@settings(max_examples=300, deadline=None)
@given(text_frames())
def test_a_text_frame_is_written_as_the_csv_module_writes_it(drawn):
    frame, rows = drawn
    assert written(frame) == reference(rows)
    if rows:  # by Arrow's kernels, not by the fallback
        assert _text_columns(frame) is not None


def written(frame: pd.DataFrame) -> str:
    out = io.StringIO()
    write_frame(frame, out)
    return out.getvalue()


@pytest.mark.parametrize("dtype", DTYPES)
def test_a_one_column_row_with_an_empty_cell_is_two_quotes(dtype):
    """A blank line would be read back as no row at all; the csv module writes `""`."""
    frame = pd.DataFrame({"a": pd.array(["x", None, "", "y"], dtype=dtype)})
    assert _text_columns(frame) is not None and written(frame) == 'x\n""\n""\ny\n'


def test_a_frame_with_a_column_that_is_not_text_goes_to_pandas():
    """Numbers keep pandas' rendering (2.0, not 2); an object column holding a number is not
    text either."""
    numbers = pd.DataFrame({"a": pd.array(["x", "y"], dtype="string"), "b": [1.5, 2.0]})
    mixed = pd.DataFrame({"a": pd.Series(["x", 3], dtype=object)})
    raw = pd.DataFrame({"a": pd.Series([b"x", None], dtype=object)})  # pandas writes b'x'
    assert all(_text_columns(f) is None for f in (numbers, mixed, raw))
    assert written(numbers) == "x,1.5\ny,2.0\n"
    assert written(raw) == "b'x'\n\"\"\n"


def test_a_chunk_read_in_pieces_is_written_whole():
    """A column Arrow holds in several chunks (a slice of a table read block by block)."""
    import pyarrow as pa

    pieces = pa.chunked_array([["a,b", None], ["c", 'd"e']])
    frame = pd.DataFrame(
        {"a": pd.arrays.ArrowStringArray(pieces), "b": pd.array(["1", "2", "3", "4"])}
    )
    assert _text_columns(frame) is not None
    assert written(frame) == reference([["a,b", "1"], [None, "2"], ["c", "3"], ['d"e', "4"]])


def test_rows_are_joined_in_pieces_and_none_is_lost_between_them(monkeypatch):
    """Text is made _ROWS_JOINED rows at a time (here 2): 5 rows come out whole, in order."""
    monkeypatch.setattr(csv_lines, "_ROWS_JOINED", 2)
    rows = [[f"r{i}", None if i % 2 else f"x,{i}"] for i in range(5)]
    frame = pd.DataFrame(
        {n: pd.array([r[i] for r in rows], dtype="string") for i, n in enumerate("ab")}
    )
    assert written(frame) == reference(rows)
