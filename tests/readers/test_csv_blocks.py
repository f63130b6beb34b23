"""The CSV reader's small blocks: a row longer than a block, met after chunks were given.

pyarrow parses 256 KB blocks (readers.CSV_BLOCK_BYTES); a longer row sends the reader back to the
start with 64 MB blocks, passing over what it gave. Whatever the block, the rows, their line
numbers and the ragged rows reported must be those of one pass with large blocks.
"""

from __future__ import annotations

import pandas as pd
import pytest

import pipelines.readers as readers
from pipelines.readers import INVALID_ROWS, ROW_COLUMN, read_chunks

LONG_CELL = "x" * (3 << 20)  # many times a block


def write_table(path, long_row_at: int | None) -> tuple[int, int]:
    """A 40,000-line table with a row holding a 3 MB cell at `long_row_at`; (ragged, blank)."""
    lines = ["kode,nama,nilai"]
    for number in range(40_000):  # about 1.2 MB before the long row: several blocks
        if number == long_row_at:
            lines.append(f"L{number},{LONG_CELL},1")
        elif number % 9_973 == 5:
            lines.append(f"R{number},too,many,cells")  # ragged
        elif number % 7_919 == 3:
            lines.append("")  # blank
        else:
            lines.append(f"K{number},Désa Ñamé {number} 😀,{number}")  # bytes across blocks
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sum(line.startswith("R") for line in lines), lines.count("")


def read_all(path, chunk_rows: int) -> tuple[pd.DataFrame, list[int], int]:
    chunks = list(read_chunks("csv", path, {}, chunk_rows))
    ragged = sorted(i["line"] for c in chunks for i in c.attrs[INVALID_ROWS])
    return pd.concat(chunks, ignore_index=True), ragged, len(chunks)


@pytest.mark.parametrize("long_row_at", [None, 0, 25_000, 39_999])
def test_a_row_longer_than_a_block_gives_what_one_large_pass_gives(
    tmp_path, monkeypatch, long_row_at
):
    path = tmp_path / "tabel.csv"
    ragged, blank = write_table(path, long_row_at)
    small, small_ragged, chunks = read_all(path, chunk_rows=1_000)
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", readers.CSV_LONG_ROW_BLOCK_BYTES)
    large, large_ragged, _ = read_all(path, chunk_rows=1_000)

    assert chunks > 20  # chunks were given before the long row was met
    pd.testing.assert_frame_equal(small, large)
    assert small_ragged == large_ragged
    assert len(small_ragged) == len(set(small_ragged)) == ragged  # each ragged row once
    assert len(small) == 40_000 - ragged - blank and small[ROW_COLUMN].is_unique
    if long_row_at is not None:
        [long] = small.index[small["kode"] == f"L{long_row_at}"]
        assert small.at[long, "nama"] == LONG_CELL
        assert small.at[long, ROW_COLUMN] == long_row_at + 2  # the header is line 1


def test_a_row_longer_than_the_large_block_names_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "CSV_LONG_ROW_BLOCK_BYTES", 1 << 20)
    path = tmp_path / "tabel.csv"
    write_table(path, long_row_at=10)
    with pytest.raises(readers.ReaderError, match=r"tabel\.csv: .*longer than 1 MB"):
        list(read_chunks("csv", path, {}, 1_000))
