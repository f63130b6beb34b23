"""`<table>.xlsx`: one sheet of typed cells and one data dictionary sheet.

In the build process it reads the loaded table in short chunks of rows (stages/rowid_chunks.py).
An export worker (stages/export_jobs.py) reads the staging file instead, with the load's own
typed batches (`staged_rows`), and starts while the table is still being read (following the
file as it grows, `GrowingStaging`); both give the same bytes
(tests/stages/test_exports.py), and a worker's memory is one batch. The workbook itself is
written by core/xlsx.py.
"""

from __future__ import annotations

import datetime
import io
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ..core.chunks import with_long_rows
from ..core.markdown import markdown_text
from ..core.xlsx import Sheet, write_workbook
from .load import row_tuples, typed_batches
from .rowid_chunks import CHUNK_ROWS, table_rows

# Excel's sheet holds 1,048,576 rows; one is the header. A bigger table gets no XLSX at all rather
# than a silently truncated one.
XLSX_MAX_ROWS = 1_048_575
XLSX_MAX_CHARS = 32_767  # the most text one Excel cell holds; a longer cell means no XLSX

DICTIONARY_COLUMNS = ["kolom/column", "tipe/type", "satuan/unit", "keterangan", "description"]


def _typed_rows(rows: Iterator[tuple], dates: list[int]) -> Iterator[tuple]:
    """The table's rows with each date (ISO text in SQLite) as a datetime, shown as a date."""
    if not dates:
        yield from rows
        return
    for row in rows:
        cells = list(row)
        for column in dates:
            if cells[column]:
                cells[column] = datetime.datetime.fromisoformat(cells[column])
        yield tuple(cells)


def _dictionary_rows(fields: list[dict]) -> list[tuple]:
    rows = []
    for f in fields:
        ext = f.get("jendela") or {}
        rows.append(
            (
                f["name"],
                f.get("type", "string"),
                ext.get("unit", ""),
                # plain text: a spreadsheet shows no Markdown, so no backticks or asterisks
                markdown_text(f.get("description", "")),
                markdown_text((ext.get("en") or {}).get("description", "")),
            )
        )
    return rows


def write_xlsx(
    conn: sqlite3.Connection,
    table: str,
    fields: list[dict],
    path: Path,
    chunk: int = CHUNK_ROWS,
) -> None:
    """One sheet of typed cells (numbers stay numbers, codes stay text), one data dictionary
    sheet ("kamus_data"), from the loaded table."""
    names = [f["name"] for f in fields]
    _write_rows(table, fields, path, table_rows(conn, table, names, chunk))


def _write_rows(table: str, fields: list[dict], path: Path, rows: Iterator[tuple]) -> None:
    names = [f["name"] for f in fields]
    dates = [i for i, f in enumerate(fields) if f.get("type") == "date"]
    write_workbook(
        path,
        [
            Sheet(table, names, _typed_rows(rows, dates)),
            Sheet("kamus_data", DICTIONARY_COLUMNS, _dictionary_rows(fields)),
        ],
    )


class Withdrawn(Exception):
    """The build withdrew the XLSX it asked for: the rows it was started on are not the table's
    any more (quarantine took some out). The worker stops at its next batch, writing nothing."""


GROWING_POLL_SECONDS = 0.05  # how often a worker ahead of the read looks for more rows


class GrowingStaging(io.RawIOBase):
    """The staging file as the read writes it, for an XLSX started on the first chunks.

    The build publishes in `progress` how many bytes of the file are whole rows, at each chunk it
    appends, and "end" after the last one (`publish_progress`). Reads return only those bytes,
    and wait for more when they have caught up. So the worker writes the XLSX while the table
    is still being read, instead of after it. Once the file `withdrawn` exists, a wait raises
    Withdrawn."""

    def __init__(self, path: Path, progress: Path, withdrawn: Path | None) -> None:
        super().__init__()
        self._handle = open(path, "rb")  # noqa: SIM115 (closed with this object)
        self._progress, self._withdrawn = progress, withdrawn
        self._position = self._published = 0
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self._position >= self._published:  # caught up: is there more?
            if self._ended:
                return 0
            if self._withdrawn is not None and self._withdrawn.exists():
                raise Withdrawn(f"{self._handle.name}: withdrawn by the build")
            published, self._ended = read_progress(self._progress)
            if published <= self._published and not self._ended:
                time.sleep(GROWING_POLL_SECONDS)
            self._published = published
        size = min(len(buffer), self._published - self._position)
        count = self._handle.readinto(memoryview(buffer)[:size])
        self._position += count
        return count

    def close(self) -> None:
        self._handle.close()
        super().close()


def publish_progress(progress: Path, whole_bytes: int, end: bool = False) -> None:
    """Tell a worker following the staging file (GrowingStaging) how many of its bytes are
    whole rows, and with `end` that there are no more. Replaced atomically: a reader never sees
    half a number."""
    temporary = progress.with_name(progress.name + ".tmp")
    temporary.write_text(f"{whole_bytes}{' end' if end else ''}\n", encoding="ascii")
    os.replace(temporary, progress)


def read_progress(progress: Path) -> tuple[int, bool]:
    """(bytes of whole rows, whether the file is complete) as `publish_progress` wrote them."""
    try:
        words = progress.read_text(encoding="ascii").split()
    except FileNotFoundError:
        return 0, False
    return int(words[0]), words[1:] == ["end"]


def staged_rows(
    fields: list[dict],
    staging: Path | GrowingStaging,
    block_bytes: int,
    withdrawn: Path | None = None,
) -> Iterator[tuple]:
    """The rows the load inserts from `staging` (its own typed batches), as SQLite gives them
    back: a boolean comes back as 0 or 1, SQLite having no boolean, so boolean columns are cast
    to integers in Arrow, a batch at a time. Every other value (int, float, text, None) comes
    back as it went in. Once the file `withdrawn` exists, the next batch raises Withdrawn."""
    for batch in typed_batches(fields, staging, block_bytes):
        if withdrawn is not None and withdrawn.exists():
            raise Withdrawn(f"{staging.name}: withdrawn by the build")
        columns = [
            pc.cast(column, pa.int64()) if pa.types.is_boolean(column.type) else column
            for column in batch.columns
        ]
        yield from row_tuples(pa.RecordBatch.from_arrays(columns, names=batch.schema.names))


def write_xlsx_from_staging(
    staging: str,
    table: str,
    fields: list[dict],
    path: str,
    withdrawn: str | None = None,
    progress: str | None = None,
) -> None:
    """The worker's entry: the table's XLSX from its staging file, the same bytes as
    `write_xlsx` from the loaded table, started before the table is even validated
    (table_build.py says when). With `progress`, the file is still being written and is read
    as it grows (GrowingStaging). The build withdraws it by creating the file `withdrawn`: the
    worker then stops within a batch, and the XLSX file is not written (rust_xlsxwriter writes
    it whole at the end)."""
    flag = Path(withdrawn) if withdrawn else None

    def write(block: int) -> None:
        source = GrowingStaging(Path(staging), Path(progress), flag) if progress else None
        try:
            rows = staged_rows(fields, Path(staging) if source is None else source, block, flag)
            _write_rows(table, fields, Path(path), rows)
        finally:
            if source is not None:
                source.close()

    with_long_rows(write)
