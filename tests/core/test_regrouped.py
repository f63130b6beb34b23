"""core/chunks.regrouped: pyarrow's small batches gathered into pieces of a fixed row count."""

from __future__ import annotations

import pyarrow as pa
import pytest

from pipelines.core.chunks import regrouped


@pytest.mark.parametrize("sizes", [[], [0], [3, 0, 4, 10, 1], [7, 7, 7], [20], [2] * 11])
def test_pieces_hold_the_rows_in_order_seven_at_a_time(sizes):
    start, tables = 0, []
    for size in sizes:
        tables.append(pa.table({"n": pa.array(range(start, start + size), pa.int64())}))
        start += size
    pieces = list(regrouped(iter(tables), 7))
    assert [p.num_rows for p in pieces] == [7] * (start // 7) + ([start % 7] if start % 7 else [])
    assert [n for p in pieces for n in p.column("n").to_pylist()] == list(range(start))
