"""A table's rows in rowid order, read a chunk of rows per query.

Downloads written in worker processes (stages/export_jobs.py: XLSX, the OCDS package) read the
committed table from the database file while the build goes on writing it. Each query here ends
before the next starts (keyset on rowid, `WHERE rowid > ? ... LIMIT`), so no read lock is held
across chunks: between two chunks the builder can take its write lock, and a reader's memory is
one chunk whatever the table's size.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

CHUNK_ROWS = 20_000  # rows read per query: a reader's memory, and how long it holds a read


def table_rows(
    conn: sqlite3.Connection, table: str, names: list[str], chunk: int = CHUNK_ROWS
) -> Iterator[tuple]:
    """The `names` columns of `table`, row by row in rowid order, `chunk` rows per query."""
    columns = ", ".join(f"[{n}]" for n in names)
    sql = f"SELECT rowid, {columns} FROM [{table}] WHERE rowid > ? ORDER BY rowid LIMIT {chunk}"
    last = None
    while True:
        rows = conn.execute(sql, (-(1 << 63) if last is None else last,)).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        for row in rows:
            yield row[1:]
        if len(rows) < chunk:
            return
