"""Load stage: a validated table goes into SQLite with the types, keys and indexes it declares.

Types come from the Table Schema, never from detection (DESIGN pitfall: detection turns `32.10`
into `32.1` and costs 2.4x the load time). sqlite-utils creates the table, indexes and full-text
index; rows go in through one executemany per chunk inside a single transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlite_utils
from sqlite_utils.db import DescIndex

from ..core.chunks import chunk_rows, text_batches, with_long_rows
from ..core.errors import Issue, RowMap
from ..core.issue_types import FOREIGN_KEY, FOREIGN_KEY_TARGET_MISSING
from ..core.model import Resource, as_list
from ..core.table_cache import kept
from .coverage import time_field

SQLITE_TYPES = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": int,
    "date": str,
    "datetime": str,
    "year": int,
}
ARROW_TYPES = {
    "integer": pa.int64(),
    "number": pa.float64(),
    "year": pa.int64(),
    "boolean": pa.bool_(),
}
LOAD_CHUNK_ROWS = 100_000


def create_table(db: sqlite_utils.Database, resource: Resource) -> sqlite_utils.db.Table:
    columns = {f["name"]: SQLITE_TYPES.get(f.get("type", "string"), str) for f in resource.fields}
    not_null = {
        f["name"] for f in resource.fields if (f.get("constraints") or {}).get("required")
    } | set(resource.primary_key)
    foreign_keys = [
        (fk_field, fk["reference"]["resource"], ref_field)
        for fk in resource.foreign_keys
        for fk_field, ref_field in zip(
            as_list(fk["fields"]), as_list(fk["reference"]["fields"]), strict=True
        )
        if fk["reference"]["resource"] in db.table_names()
    ]
    table = db.table(resource.name)
    table.create(
        columns,
        pk=tuple(resource.primary_key)
        if len(resource.primary_key) > 1
        else (resource.primary_key[0] if resource.primary_key else None),
        not_null=not_null,
        foreign_keys=foreign_keys,
        column_order=resource.field_names,
    )
    return table


def insert_rows(db: sqlite_utils.Database, resource: Resource, staging: Path) -> int:
    """Stream the normalised CSV into the table in chunks; returns the row count.

    pyarrow reads the staging file as text and casts each column to its schema type in one
    vectorised step per chunk; sqlite3's executemany then binds the rows (the build's connection
    has journal and sync off: the database is written in a fresh folder and swapped in whole)."""
    placeholders = ", ".join("?" for _ in resource.field_names)
    columns = ", ".join(f"[{name}]" for name in resource.field_names)
    sql = f"INSERT INTO [{resource.name}] ({columns}) VALUES ({placeholders})"

    def insert(block_bytes: int) -> int:
        count = 0
        for chunk in typed_batches(resource.fields, staging, block_bytes):
            db.conn.executemany(sql, row_tuples(chunk))
            count += chunk.num_rows
        return count

    def start_over() -> None:  # a row too long for the blocks: remove what went in (no ROLLBACK:
        db.conn.execute(f"DELETE FROM [{resource.name}]")  # the build runs without a journal)

    with db.conn:
        return with_long_rows(insert, start_over)


def typed_batches(
    fields: list[dict], staging: Path | BinaryIO, block_bytes: int
) -> Iterator[pa.RecordBatch]:
    """The staging file in batches of at most chunk_rows(LOAD_CHUNK_ROWS) rows, every column
    read as text (only an empty cell is missing: "NA" or "null" in a text column is text) and
    then cast to the type its field declares. The load inserts these; an XLSX written before the
    load reads them too (stages/export_xlsx.staged_rows)."""
    names = [f["name"] for f in fields]
    types = {f["name"]: ARROW_TYPES.get(f.get("type", "string"), pa.string()) for f in fields}
    size = chunk_rows(LOAD_CHUNK_ROWS)
    for batch in text_batches(staging, names, block_bytes):
        for start in range(0, batch.num_rows, size):
            part = batch.slice(start, size)
            yield pa.record_batch(
                [pc.cast(part.column(name), types[name]) for name in names], names=names
            )


def row_tuples(chunk: pa.RecordBatch):
    """Rows as plain Python values with None for missing, which sqlite3 binds directly."""
    converted = []
    for column in chunk.columns:
        if column.null_count and (
            pa.types.is_integer(column.type) or pa.types.is_floating(column.type)
        ):
            # numpy has no missing integer: fill, convert, then put None back where it was
            values = pc.fill_null(column, 0).to_numpy().astype(object)
            values[column.is_null().to_numpy(zero_copy_only=False)] = None
        else:  # text and booleans come out as objects, None where missing
            values = column.to_numpy(zero_copy_only=False)
        converted.append(values.tolist())
    return zip(*converted, strict=True)


def add_indexes(db: sqlite_utils.Database, resource: Resource) -> None:
    """Index every column a reader can filter, sort or facet on, and full-text index the text
    columns.

    Datasette lets a reader sort by any column and add a facet on any column; without an index
    each such page sorts or groups the whole table on every request. On 1,000,000 tenders:
    a range's count 169 -> 6 ms (pagu_rp >= 1 miliar), a sort by nama_paket 214 -> 1 ms, a
    reader-added facet on pemenang 252 -> 26 ms. The three text columns that had none cost
    2.6 s more of index building and 124 MB more database (724 -> 848 MB), measured by
    benchmarks/bench_build.py and bench_serve_workers.py.
    """
    table = db.table(resource.name)
    fk_columns = [c for fk in resource.foreign_keys for c in as_list(fk["fields"])]
    indexed = set(resource.primary_key[:1])  # SQLite's own index of the primary key
    every = [f["name"] for f in resource.fields]
    for column in list(dict.fromkeys(resource.facet_columns + fk_columns + every)):
        if column not in indexed:
            # The key after the column keeps a filtered page in Datasette's default order (by
            # primary key): SQLite reads the first 50 matches instead of sorting them all
            # (1M-row tender table, one year selected: 70 ms -> under 1 ms).
            keys = [k for k in resource.primary_key if k != column]
            table.create_index(
                [column, *keys], index_name=f"idx_{resource.name}_{column}", if_not_exists=True
            )
            indexed.add(column)
    _add_newest_first_index(table, resource)
    if resource.fts_columns:
        table.enable_fts(resource.fts_columns, create_triggers=False, replace=True)


def _add_newest_first_index(table, resource: Resource) -> None:
    """An index for "newest first": the table's time column (its year, else its date) descending,
    ties by key ascending.

    Every sorted page orders ties by primary key, ascending, as Datasette's next pages do
    (web/sort_ties.py). The column's own index, read backwards, gives year descending but ties
    by key descending, so SQLite sorted the whole newest year for the first 50 rows: a click on
    the year column's header, twice, took 480 ms per page on 1,000,000 tenders. This index, read
    backwards, is that order exactly. Only the time column gets one: it is the one sorted
    newest first by habit, and each such index costs about a second and 20 MB on a million rows
    (other columns with few distinct values, sorted descending, are still slow)."""
    year = time_field(resource)
    key = resource.primary_key
    if year is None or not key or year["name"] in key:
        # A key that holds the column itself: the ORDER BY names it twice (sort, then key),
        # and SQLite 3.40 then reads no index in that order whatever its shape.
        return
    column = year["name"]
    table.create_index(
        [column, *(DescIndex(k) for k in key)],
        index_name=f"idx_{resource.name}_{column}-terbaru",
        if_not_exists=True,
    )


def check_foreign_keys(
    db: sqlite_utils.Database,
    resource: Resource,
    staging: Path,
    rows_from: RowMap,
    limit: int = 1000,
) -> list[Issue]:
    """Every reference must exist in its target table, which may belong to another dataset.

    Checked on the normalised file before loading, chunk by chunk against the target's keys, so
    each failure names its source row.
    """
    issues: list[Issue] = []
    for fk in resource.foreign_keys:
        target = fk["reference"]["resource"]
        fields = as_list(fk["fields"])
        ref_fields = as_list(fk["reference"]["fields"])
        self_reference = target == resource.name
        if not self_reference and target not in db.table_names():
            issues.append(
                Issue(
                    dataset=resource.dataset_id,
                    resource=resource.name,
                    type=FOREIGN_KEY_TARGET_MISSING,
                    message=(
                        f"tabel {target!r} belum diterbitkan, jadi {fields} tidak dapat diperiksa "
                        f"/ table {target!r} is not published, so {fields} cannot be checked"
                    ),
                    file=rows_from.label,
                    hint=(
                        f"bangun dulu dataset yang mendefinisikan {target!r} / build the dataset "
                        f"that defines {target!r} first"
                    ),
                )
            )
            continue
        known = (
            _keys_in_file(staging, ref_fields)
            if self_reference
            else _keys_in_table(db, target, ref_fields)
        )
        offset = 0
        for chunk in pd.read_csv(
            staging,
            usecols=fields,
            dtype="string",
            keep_default_na=False,
            na_values=[""],
            chunksize=chunk_rows(LOAD_CHUNK_ROWS),
        ):
            keys = chunk[fields]
            present = keys.notna().all(axis=1)
            if len(fields) > 1:
                found = pd.MultiIndex.from_frame(keys).isin(known)
            else:
                found = _in_key_set(keys[fields[0]], known)
            missing = present & ~found
            for position in np.flatnonzero(missing.to_numpy()):
                if len(issues) >= limit:
                    return issues
                value = ", ".join(str(v) for v in keys.iloc[position])
                file, row = rows_from.locate(offset + position)
                issues.append(
                    Issue(
                        dataset=resource.dataset_id,
                        resource=resource.name,
                        type=FOREIGN_KEY,
                        message=(
                            f"{value} tidak ada di {target}.{ref_fields[0]} / {value} not found "
                            f"in {target}.{ref_fields[0]}"
                        ),
                        file=file,
                        row=row,
                        column=fields[0],
                        value=value,
                        hint=(
                            f"setiap {fields[0]} harus berupa {ref_fields[0]} dari tabel {target} "
                            f"/ every {fields[0]} must be a {ref_fields[0]} of table {target}"
                        ),
                    )
                )
            offset += len(chunk)
    return issues


def _keys_in_table(
    db: sqlite_utils.Database, table: str, columns: list[str]
) -> pd.MultiIndex | pa.Array:
    """The distinct keys of `columns` in `table`, read once while the table stays as it is
    (core/table_cache.py): the real catalog has 19 foreign keys to the 91,599 regions."""
    return kept(db.conn, table, ("keys", *columns), lambda: _read_keys(db, table, columns))


def _read_keys(
    db: sqlite_utils.Database, table: str, columns: list[str]
) -> pd.MultiIndex | pa.Array:
    select = ", ".join(f"[{c}]" for c in columns)
    rows = db.execute(f"SELECT DISTINCT {select} FROM [{table}]").fetchall()
    if len(columns) > 1:
        return pd.MultiIndex.from_tuples(rows)
    return _key_set([row[0] for row in rows])


def _keys_in_file(staging: Path, columns: list[str]) -> pd.MultiIndex | pa.Array:
    """Keys of a table that references itself (a region's parent is a region), before loading."""
    frame = pd.read_csv(staging, usecols=columns, dtype="string", keep_default_na=False)
    if len(columns) > 1:
        return pd.MultiIndex.from_frame(frame[columns])
    return _key_set(frame[columns[0]].tolist())


def _key_set(values: list) -> pa.Array:
    """One column's keys as an Arrow array, built once per foreign key. pandas' `isin` on text
    builds one Arrow scalar per key on every call (a second per chunk against the 91,599 region
    codes); the cells, read as text, can only equal text keys, so only those are kept."""
    return pa.array([v for v in values if isinstance(v, str)], type=pa.string())


def _in_key_set(cells: pd.Series, keys: pa.Array) -> np.ndarray:
    """Which cells (text, missing allowed) are among `keys`; a missing cell is not."""
    array = pa.array(cells, type=pa.string(), from_pandas=True)  # no copy of Arrow-backed text
    return (
        pc.is_in(array, value_set=keys, skip_nulls=True)
        .fill_null(False)
        .to_numpy(zero_copy_only=False)
    )
