"""Server connections read the release's database through a memory map.

A published release never changes: a build writes a new release folder and the server moves to
it (core/release.py), and an old release's files are only ever deleted, which leaves a mapping
whole on Linux (the facet store's arrays rely on the same). So SQLite may map the file instead of
copying every page it reads, one system call each, into its 2 MB cache per connection. On
1,000,000 generated tenders, warm, per query: the row query of a `_search` page 124 -> 68 ms, the
capped count of a range filter 23 -> 16 ms. The mapped pages are the system's page cache, shared
by every connection, worker and server of one release, not memory of each process.
"""

from __future__ import annotations

import sqlite3

MMAP_BYTES = 1 << 31  # SQLite keeps to its own cap (2,147,418,112 bytes in Debian's build)


def map_database(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
