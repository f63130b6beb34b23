"""`<table>.xlsx`: one sheet of typed cells and one data dictionary sheet.

In the build process it reads the loaded table in short chunks of rows (stages/rowid_chunks.py).
An export worker (stages/export_jobs.py) reads the staging file instead, with the load's own
typed batches (`staged_rows`), and starts before the load; both give the same bytes
(tests/stages/test_exports.py), and a worker's memory is one batch. The workbook itself is
written by core/xlsx.py.
"""

from __future__ import annotations

import datetime
import sqlite3
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


def staged_rows(
    fields: list[dict], staging: Path, block_bytes: int, withdrawn: Path | None = None
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
    staging: str, table: str, fields: list[dict], path: str, withdrawn: str | None = None
) -> None:
    """The worker's entry: the table's XLSX from its staging file, the same bytes as
    `write_xlsx` from the loaded table, started before the table is even validated
    (table_build.py says when). The build withdraws it by creating the file `withdrawn`: the
    worker then stops within a batch, and the XLSX file is not written (rust_xlsxwriter writes
    it whole at the end)."""
    flag = Path(withdrawn) if withdrawn else None
    with_long_rows(
        lambda block: _write_rows(
            table, fields, Path(path), staged_rows(fields, Path(staging), block, flag)
        )
    )
