"""Values read from a table are kept while it stays as it is (core/table_cache.py): read again
after any write to it, after the build drops it (build._drop_dataset_tables), and for another
connection. Reads are counted as they happen."""

from __future__ import annotations

from types import SimpleNamespace

import sqlite_utils

from pipelines.build import _drop_dataset_tables
from pipelines.core.table_cache import kept, table_state


def _codes(db: sqlite_utils.Database, reads: list) -> list[str]:
    reads.append(1)
    return [row[0] for row in db.execute("SELECT kode FROM pagu ORDER BY kode")]


def dataset(table: str) -> SimpleNamespace:
    """What build._drop_dataset_tables reads of a dataset: its tables' names."""
    return SimpleNamespace(resources=[SimpleNamespace(name=table)])


def test_a_value_is_read_again_only_after_its_table_changed(tmp_path):
    db = sqlite_utils.Database(tmp_path / "uji.db")
    db["pagu"].insert_all([{"kode": "1"}, {"kode": "2"}])
    reads: list = []

    def codes() -> list[str]:
        return kept(db.conn, "pagu", "codes", lambda: _codes(db, reads))

    assert codes() == ["1", "2"]
    db["lain"].insert({"kode": "9"})  # another table's write, and its drop by the build
    assert codes() == ["1", "2"]
    _drop_dataset_tables(db, dataset("lain"))
    assert codes() == ["1", "2"]
    assert len(reads) == 1
    db["pagu"].insert({"kode": "3"})
    assert codes() == ["1", "2", "3"]
    assert len(reads) == 2

    # Dropped and made again with the same definition and as many rows: the state alone does
    # not show it (SQLite gives the root page back), the build's drop makes it read again.
    before = table_state(db.conn, "pagu")
    _drop_dataset_tables(db, dataset("pagu"))
    db["pagu"].insert_all([{"kode": "4"}, {"kode": "5"}, {"kode": "6"}])
    assert table_state(db.conn, "pagu") == before
    assert codes() == ["4", "5", "6"]
    assert len(reads) == 3

    other = sqlite_utils.Database(tmp_path / "lain.db")
    other["pagu"].insert({"kode": "7"})
    assert kept(other.conn, "pagu", "codes", lambda: _codes(other, reads)) == ["7"]
    assert codes() == ["4", "5", "6"]
    assert len(reads) == 5  # one connection at a time: back to the first, read again
