"""`<table>.xlsx`: one sheet of typed cells and one data dictionary sheet, from the loaded table.

It reads the table in short chunks of rows (stages/rowid_chunks.py), so it can run in another
process (stages/export_jobs.py) while the build goes on writing the same database, its memory one
chunk. Run in the build process it reads through the build's own connection the same way, so
both give the same bytes. The workbook itself is written by core/xlsx.py.
"""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from ..core.markdown import markdown_text
from ..core.xlsx import Sheet, write_workbook
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
    sheet ("kamus_data")."""
    names = [f["name"] for f in fields]
    dates = [i for i, f in enumerate(fields) if f.get("type") == "date"]
    rows = _typed_rows(table_rows(conn, table, names, chunk), dates)
    write_workbook(
        path,
        [
            Sheet(table, names, rows),
            Sheet("kamus_data", DICTIONARY_COLUMNS, _dictionary_rows(fields)),
        ],
    )


def write_xlsx_from_file(
    database: str, table: str, fields: list[dict], path: str, chunk: int = CHUNK_ROWS
) -> None:
    """The worker's entry: open the database read-only (a connection cannot cross processes),
    wait as long as the builder writes between two chunks, and write the XLSX."""
    uri = Path(database).resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=3600)
    try:
        write_xlsx(conn, table, fields, Path(path), chunk)
    finally:
        conn.close()
