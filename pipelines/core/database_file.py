"""Which file a SQLite connection's own database is in.

Export workers open the build's database file with connections of their own, so the build
hands them the path of its connection's `main` database (export_jobs, partitions); an ATTACHed
one (the partition worker's copy) is never the answer.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def main_database_file(conn: sqlite3.Connection) -> Path:
    """The file of `conn`'s main database, as SQLite names it (`PRAGMA database_list`)."""
    (path,) = (row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main")
    return Path(path)
