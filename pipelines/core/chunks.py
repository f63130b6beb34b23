"""How many rows a stage holds in memory at once, and the one way to make it small.

Large tables are streamed in chunks (readers, foreign-key check, quarantine, load, facet store).
Code that carries a position from one chunk to the next is only exercised when a table spans
several chunks; `JENDELA_CHUNK_ROWS` lets tests (and anyone chasing such a bug) cross chunk
boundaries with a 12-row file instead of a 100,001-row one. The published output does not
depend on the chunk size (tests/test_chunks.py builds with both and compares).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from .errors import JendelaError

ENV = "JENDELA_CHUNK_ROWS"

# pyarrow's streaming CSV reader (`pyarrow.csv.open_csv`) reads up to 32 blocks ahead of the
# batches taken (Arrow's background reader; pyarrow has no option for it), so it holds about 32
# blocks whatever its consumer keeps: with 16 MB blocks a 250 MB staging file was in memory
# whole. Streamed CSV reads use 256 KB blocks (8 MB ahead at most, and as fast: 1M tenders read
# in 0.6 s, as with 1 MB blocks, against 1.6 s with 64 MB ones; the Parquet export's peak fell by
# 25 MB from 1 MB blocks). A row must fit in two blocks; a longer one is read again with 64 MB
# blocks (`with_long_rows`).
ARROW_CSV_BLOCK_BYTES = 256 << 10
ARROW_CSV_LONG_ROW_BLOCK_BYTES = 64 << 20

T = TypeVar("T")


class ChunkSizeError(JendelaError):
    """JENDELA_CHUNK_ROWS set to something that is not a row count: a usage error (exit 2)."""


def chunk_rows(default: int) -> int:
    """`default`, or the positive whole number in JENDELA_CHUNK_ROWS when it is set."""
    return env_whole_number(ENV, default)


def env_whole_number(name: str, default: int, minimum: int = 1) -> int:
    """`default`, or the whole number (at least `minimum`: 1 or 0) in the environment variable
    `name` when it is set; anything else there is a usage error (exit 2)."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < minimum:
        kind = ("positif", "positive") if minimum == 1 else ("tak negatif", "non-negative")
        raise ChunkSizeError(
            f"{name}={value!r} harus bilangan bulat {kind[0]} / must be a {kind[1]} whole number"
        )
    return int(value)


def with_long_rows(work: Callable[[int], T], start_over: Callable[[], None] | None = None) -> T:
    """`work(block_bytes)` with small blocks, and once more with large ones when pyarrow met a
    row too long for them ("straddling object"), after `start_over()` undid what the first try
    did (a read needs nothing; a file is written again whole)."""
    import pyarrow as pa

    try:
        return work(ARROW_CSV_BLOCK_BYTES)
    except pa.ArrowInvalid as exc:
        if not row_over_block(exc):
            raise
    if start_over is not None:
        start_over()
    return work(ARROW_CSV_LONG_ROW_BLOCK_BYTES)


def row_over_block(error: Exception) -> bool:
    """Whether pyarrow's error is a row too long for its blocks (it spans more than two)."""
    return "straddling" in str(error)


def regrouped(tables: Iterable, rows: int) -> Iterator:
    """The rows of pyarrow `tables` (one schema) again as tables of `rows` rows each, the last
    one shorter: pyarrow's small blocks gathered into the chunks a stage works on. Zero-copy
    (slices of the tables read); a piece's columns may be in several chunks."""
    import pyarrow as pa

    pending: list = []
    held = 0
    for table in tables:
        pending.append(table)
        held += table.num_rows
        if held < rows:
            continue
        whole, start = pa.concat_tables(pending), 0
        while whole.num_rows - start >= rows:
            yield whole.slice(start, rows)
            start += rows
        pending, held = [whole.slice(start)], whole.num_rows - start
    if held:
        yield pa.concat_tables(pending)


def text_batches(path, columns: list[str], block_bytes: int) -> Iterator:
    """`columns` of a CSV the build wrote (header first, default dialect) as pyarrow's record
    batches, one per block, every cell text and only an empty one missing ("NA" in a text column
    is text), as `pd.read_csv(dtype="string", keep_default_na=False, na_values=[""])` reads
    them; pass `block_bytes` from `with_long_rows`. The one reading of the staging file as text
    (the load stage casts it, the personal-data gate regroups it: `text_tables`)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    yield from pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(use_threads=False, block_size=block_bytes),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            include_columns=columns,
            column_types={name: pa.string() for name in columns},
            null_values=[""],
            strings_can_be_null=True,
        ),
    )


def text_tables(path, columns: list[str], rows: int, block_bytes: int) -> Iterator:
    """`text_batches` gathered into pyarrow tables of `rows` rows (the last one shorter)."""
    import pyarrow as pa

    batches = text_batches(path, columns, block_bytes)
    yield from regrouped((pa.Table.from_batches([batch]) for batch in batches), rows)
