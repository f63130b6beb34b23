"""Row-level changes between a release and the one before, computed inside SQLite.

For every published table with a primary key, the previous release's database is ATTACHed and
compared by key in SQL, so a table of millions of rows is diffed by SQLite's joins on the key
index, never loaded into Python. The result is one table, `perubahan` (core/layout.py), in the
new database, queryable in Datasette like any table:

    jenis               kunci / kolom            nilai_lama -> nilai_baru
    ditambah            the new row's key        -> the whole row (JSON object)
    dihapus             the removed row's key    the whole row (JSON object) ->
    diubah              key, changed column      old value -> new value (one row per cell)
    kolom-ditambah      column                   -> its declared type
    kolom-dihapus       column                   its declared type ->
    kolom-tipe-diubah   column                   old type -> new type
    tabel-baru          (a table the release before did not have)

Keys are JSON objects of the primary-key columns (`{"kode_wilayah":"32.71.01","tahun":2024}`).
Cells compare as SQLite compares them (`IS NOT`): a column retyped from text to integer is one
`kolom-tipe-diubah`, not a changed cell per row whose text "2024" became the number 2024.
Values keep their SQLite storage class (the columns have no declared type), so nothing is
converted beyond what the schema declared. Rows are written in a fixed order (table, kind, key,
column), so the same two releases always give the same bytes.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils.db import quote_identifier as _quoted

from ..core.layout import CHANGES_TABLE

BASE = "sebelumnya"  # the schema name the previous database is attached under
ADDED, REMOVED, MODIFIED = "ditambah", "dihapus", "diubah"
COLUMN_ADDED, COLUMN_REMOVED, COLUMN_RETYPED = (
    "kolom-ditambah",
    "kolom-dihapus",
    "kolom-tipe-diubah",
)
TABLE_ADDED = "tabel-baru"
KINDS = (ADDED, REMOVED, MODIFIED, COLUMN_ADDED, COLUMN_REMOVED, COLUMN_RETYPED, TABLE_ADDED)


@dataclass(frozen=True)
class Table:
    """A published table to compare: its dataset, name and primary-key columns."""

    dataset: str
    name: str
    key: tuple[str, ...]


def write_changes(
    conn: sqlite3.Connection, base_db: Path | None, tables: list[Table], base_id: str | None
) -> None:
    """Create `perubahan` in `conn`'s database: the changes of `tables` since `base_db` (the
    release `base_id`). Without a release before, the table is made empty, so its address and
    columns are the same in every release."""
    conn.execute(f"DROP TABLE IF EXISTS [{CHANGES_TABLE}]")
    conn.execute(
        f"CREATE TABLE [{CHANGES_TABLE}] (rilis_sebelumnya TEXT, dataset TEXT, tabel TEXT, "
        "jenis TEXT, kunci TEXT, kolom TEXT, nilai_lama, nilai_baru)"
    )
    if base_db is None or not base_db.is_file():
        conn.commit()
        return
    conn.execute(f"ATTACH DATABASE ? AS {BASE}", (f"file:{base_db}?mode=ro",))
    try:
        for table in sorted(tables, key=lambda t: (t.dataset, t.name)):
            _diff_table(conn, table, base_id or "")
        conn.commit()
    finally:
        conn.execute(f"DETACH DATABASE {BASE}")
    conn.execute(f"CREATE INDEX [{CHANGES_TABLE}_dataset] ON [{CHANGES_TABLE}] (dataset, tabel)")
    conn.commit()


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> dict[str, str]:
    rows = conn.execute(f"PRAGMA {schema}.table_info([{table}])").fetchall()
    return {name: declared for _cid, name, declared, *_rest in rows}


def _json(alias: str, columns: list[str]) -> str:
    """json_object(...) of `columns` of the row `alias`: a key or a whole row as one value."""
    pairs = ", ".join(f"'{c.replace(chr(39), chr(39) * 2)}', {alias}.{_quoted(c)}" for c in columns)
    return f"json_object({pairs})"


def _diff_table(conn: sqlite3.Connection, table: Table, base_id: str) -> None:
    new = _columns(conn, "main", table.name)
    old = _columns(conn, BASE, table.name)
    insert = f"INSERT INTO [{CHANGES_TABLE}] VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    head = (base_id, table.dataset, table.name)
    if not new:
        return
    if not old:
        conn.execute(insert, (*head, TABLE_ADDED, None, None, None, None))
        return
    for name in sorted(set(new) - set(old)):
        conn.execute(insert, (*head, COLUMN_ADDED, None, name, None, new[name]))
    for name in sorted(set(old) - set(new)):
        conn.execute(insert, (*head, COLUMN_REMOVED, None, name, old[name], None))
    for name in sorted(set(old) & set(new)):
        if old[name] != new[name]:
            conn.execute(insert, (*head, COLUMN_RETYPED, None, name, old[name], new[name]))
    key = list(table.key)
    if not key or any(k not in old or k not in new for k in key):
        return  # no key both releases share: rows cannot be paired
    quoted = [_quoted(k) for k in key]
    same_key = " AND ".join(f"n.{k} IS o.{k}" for k in quoted)
    order = ", ".join(f"n.{k}" for k in quoted)
    old_order = ", ".join(f"o.{k}" for k in quoted)
    target = f"main.{_quoted(table.name)}"
    before = f"{BASE}.{_quoted(table.name)}"
    params = "?, ?, ?"  # the `head` columns
    conn.execute(
        f"INSERT INTO [{CHANGES_TABLE}] SELECT {params}, '{ADDED}', {_json('n', key)}, NULL, "
        f"NULL, {_json('n', list(new))} FROM {target} n WHERE NOT EXISTS "
        f"(SELECT 1 FROM {before} o WHERE {same_key}) ORDER BY {order}",
        head,
    )
    conn.execute(
        f"INSERT INTO [{CHANGES_TABLE}] SELECT {params}, '{REMOVED}', {_json('o', key)}, NULL, "
        f"{_json('o', list(old))}, NULL FROM {before} o WHERE NOT EXISTS "
        f"(SELECT 1 FROM {target} n WHERE {same_key}) ORDER BY {old_order}",
        head,
    )
    compared = [c for c in new if c in old and c not in key]
    if not compared:
        return
    # One pass over the table finds the pairs that differ anywhere; each column then reads only
    # those pairs.
    differs = " OR ".join(f"n.{_quoted(c)} IS NOT o.{_quoted(c)}" for c in compared)
    conn.execute("DROP TABLE IF EXISTS temp.changed_pairs")
    conn.execute(
        f"CREATE TEMP TABLE changed_pairs AS SELECT n.rowid AS new_row, o.rowid AS old_row, "
        f"{_json('n', key)} AS kunci FROM {target} n JOIN {before} o ON {same_key} "
        f"WHERE {differs}"
    )
    cells = " UNION ALL ".join(
        f"SELECT p.kunci AS kunci, {i} AS position, '{c.replace(chr(39), chr(39) * 2)}' AS kolom, "
        f"o.{_quoted(c)} AS lama, n.{_quoted(c)} AS baru FROM temp.changed_pairs p "
        f"JOIN {target} n ON n.rowid = p.new_row JOIN {before} o ON o.rowid = p.old_row "
        f"WHERE n.{_quoted(c)} IS NOT o.{_quoted(c)}"
        for i, c in enumerate(compared)
    )
    conn.execute(
        f"INSERT INTO [{CHANGES_TABLE}] SELECT {params}, '{MODIFIED}', kunci, kolom, lama, baru "
        f"FROM ({cells}) ORDER BY kunci, position",
        head,
    )
    conn.execute("DROP TABLE temp.changed_pairs")
