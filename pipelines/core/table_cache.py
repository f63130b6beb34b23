"""What the build reads from a table once and keeps while the table stays as it is.

Two things are read again and again from tables the build made earlier in the run: the region
lookup (stages/regions.py, 91,599 rows, read by every table that names regions) and the keys a
foreign key refers to (stages/load.py; the real catalog has 19 foreign keys to `wilayah`, each
read of its codes took 56 ms). Both come from here, for one connection at a time (holding it
keeps its id from passing to a new connection).

A kept value is used again while the table's state is the same: its definition and root page,
row count and largest rowid. A build makes each table once and only appends rows to it, so any
write changes one of these, except one: a table dropped and made again with the same definition
and as many rows can get the same root page back. The build drops tables in one place
(build._drop_dataset_tables, when a dataset fails or is reused), and that calls `forget`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

T = TypeVar("T")

_owner: list = [None]  # the connection the kept values were read through
_kept: dict[tuple, tuple] = {}  # (table, what) -> (the table's state when read, the value)


def kept(conn: sqlite3.Connection, table: str, what: Hashable, read: Callable[[], T]) -> T:
    """`read()`'s value for `table`, read again only once the table changed or was forgotten.
    `what` names the value among those kept for the same table (a lookup, a set of columns)."""
    if conn is not _owner[0]:  # another build's (or test's) database
        _kept.clear()
        _owner[0] = conn
    key, state = (table, what), table_state(conn, table)
    if key not in _kept or _kept[key][0] != state:
        _kept[key] = (state, read())
    return _kept[key][1]


def forget(conn: sqlite3.Connection, tables: Iterable[str]) -> None:
    """Drop the values kept for these tables of `conn`: call after dropping them."""
    if conn is _owner[0]:
        dropped = set(tables)
        for key in [key for key in _kept if key[0] in dropped]:
            del _kept[key]


def table_state(conn: sqlite3.Connection, table: str) -> tuple:
    """The table's definition and root page, row count and largest rowid; () if there is none."""
    schema = conn.execute(
        "SELECT rootpage, sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    if schema is None:
        return ()
    # Two statements: SQLite answers each alone without reading the table (0.05 and 0.02 ms on
    # the 91,599 regions), and both in one statement by reading every row (9 ms).
    count = conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]
    last = conn.execute(f"SELECT max(rowid) FROM [{table}]").fetchone()[0]
    return (*schema, count, last)
