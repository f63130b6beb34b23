"""SQLite's sorter may use helper threads for a large sort (`PRAGMA threads`); it uses none by
default. A build sorts millions of rows in a few statements: CREATE INDEX (the 14 indexes of a
1M-row tender table take 5.6-6.3 s instead of 7.7-8.1 s on two cores), VACUUM, the facet
cube's GROUP BY (2.6 -> 1.9 s) and the ORDER BY that feeds the Parquet partitions
(stages/partitions.py). A small sort uses no helper, and the result is the same: the
database and the cube are byte-identical either way (1M benchmark release, real catalog).
"""

from __future__ import annotations

import sqlite3

SORTER_THREADS = 2  # helper threads one sort may use, beside the thread that runs the statement


def use_sorter_threads(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA threads = {SORTER_THREADS}")
