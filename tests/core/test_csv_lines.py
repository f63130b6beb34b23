"""Every CSV row the build writes has the bytes Python's csv module gives it, whichever writer
made it: Arrow's kernels for text frames (core/csv_lines.py `_text_rows`), pandas otherwise.

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

from pipelines.core.csv_lines import _text_rows, write_frame

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
    out = io.StringIO()
    write_frame(frame, out)
    assert out.getvalue() == reference(rows)
    if rows:  # and by Arrow's kernels, not by the fallback
        assert _text_rows(frame) == reference(rows)


@pytest.mark.parametrize("dtype", DTYPES)
def test_a_one_column_row_with_an_empty_cell_is_two_quotes(dtype):
    """A blank line would be read back as no row at all; the csv module writes `""`."""
    frame = pd.DataFrame({"a": pd.array(["x", None, "", "y"], dtype=dtype)})
    assert _text_rows(frame) == 'x\n""\n""\ny\n'


def test_a_frame_with_a_column_that_is_not_text_goes_to_pandas():
    """Numbers keep pandas' rendering (2.0, not 2); an object column holding a number is not
    text either."""
    numbers = pd.DataFrame({"a": pd.array(["x", "y"], dtype="string"), "b": [1.5, 2.0]})
    mixed = pd.DataFrame({"a": pd.Series(["x", 3], dtype=object)})
    raw = pd.DataFrame({"a": pd.Series([b"x", None], dtype=object)})  # pandas writes b'x'
    assert _text_rows(numbers) is None and _text_rows(mixed) is None and _text_rows(raw) is None
    out = io.StringIO()
    write_frame(numbers, out)
    assert out.getvalue() == "x,1.5\ny,2.0\n"


def test_a_chunk_read_in_pieces_is_written_whole():
    """A column Arrow holds in several chunks (a slice of a table read block by block)."""
    import pyarrow as pa

    pieces = pa.chunked_array([["a,b", None], ["c", 'd"e']])
    frame = pd.DataFrame(
        {"a": pd.arrays.ArrowStringArray(pieces), "b": pd.array(["1", "2", "3", "4"])}
    )
    assert _text_rows(frame) == reference([["a,b", "1"], [None, "2"], ["c", "3"], ['d"e', "4"]])
