"""Parquet partitioned by year and region (hive layout), for engines that query files in place.

A national table (every pemda's tenders, a decade of APBD) is too big to download whole for one
question about one kota in one year. Written as hive partitions,

    partisi/<table>/tahun=2024/kode_wilayah=32.71/part-0.parquet

DuckDB, Spark, Polars or pyarrow read only the folders a filter names (partition pruning), over
a local copy or an object store (docs/parquet.md). The partition columns live in the folder
names, not in the files: hive readers add them back from the path. Region codes are text there
too ("32.10", never 32.1), but a folder name has no type: docs/parquet.md shows how each engine
is told so (DuckDB's `hive_types`).

Which columns (`partition_fields`): `jendela.partitions: [..]` on a resource when given (`[]`
turns partitioning off, `[tahun_anggaran]` partitions by year alone); otherwise the table's year
column and its region-code column, found by the rule that computes coverage
(stages/coverage.py), when the table has both and more than one row per pair: the year column is
coverage's time field when that is a `year` or `integer` field (a date column would need a
derived column the table does not have), the region column its first region field. A region
list, or a table keyed by region and year alone (one row per folder), is not partitioned.

Deterministic: rows come from SQLite sorted by the partition columns, then the primary key (rowid
without one), BATCH_ROWS at a time, and pyarrow's dataset writer keeps that order (one
`part-0.parquet` per folder, a row group per batch and partition, no timestamps). The batch size
is fixed, not JENDELA_CHUNK_ROWS, so the row groups do not depend on it. Memory: a few batches.

Why a connection of its own: pyarrow's dataset writer pulls its input on a thread of its own
(even with use_threads=False), and a Python SQLite connection refuses a thread that did not open
it. A read-only connection opened with check_same_thread=False is used by one thread at a time
(the reader is pulled in sequence), so it needs no hand-made thread and queue; it sees the rows
the load committed (stages/load.py commits each table).

A big table's tree is written by an export worker (stages/export_jobs.py) beside the build: the
build copies the table into a database file of the worker's own (`copy_for_worker`, about a
second for 1,000,000 tenders), and the worker sorts and writes it there: the same bytes as the
build writes itself (the tree took 12.5 s of the build's own time on those tenders).

`<table>.partitions.json` lists every file with its partition values, rows, bytes and sha256:
the download the manifest and the catalog point at, and the file list a reader over HTTP needs
(HTTP has no folder listing to glob).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import sqlite_utils

from ..core.checksum import sha256_file
from ..core.database_file import main_database_file
from ..core.layout import PARTITION_FILE, PARTITIONS_DIR, table_file
from ..core.model import Resource
from ..core.sort_threads import use_sorter_threads
from .coverage import region_fields, time_field

# Rows per read and write: the largest row group, and the memory bound (the dataset writer queues
# a few batches ahead). 1M generated tenders (benchmarks/bench_partitions.py, machine under load
# ~15): 50,000 -> peak RSS 449 MB (127 before the call), 10,000 -> 255 MB; 34 MB of Parquet.
BATCH_ROWS = 10_000
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"  # pyarrow's (and Hive's, Spark's) folder for no value
YEAR_TYPES = ("year", "integer")


def partition_fields(resource: Resource) -> list[str]:
    """The columns `resource` is partitioned by, in folder order (see the module docstring)."""
    declared = resource.ext.get("partitions")
    if declared is not None:
        return list(declared)
    year = time_field(resource)
    regions = region_fields(resource)
    if year is None or year.get("type") not in YEAR_TYPES or not regions:
        return []
    keys = [year["name"], regions[0]]
    key = resource.primary_key
    return [] if key and set(key) <= set(keys) else keys


def write_partitions(
    db: sqlite_utils.Database, resource: Resource, parquet: Path
) -> list[tuple[str, Path]]:
    """Write `resource`'s partition tree and its index beside `parquet` (the table's one Parquet
    file, whose column types the partitions take); `[("partitions", index path)]`, or `[]` when
    the table is not partitioned."""
    spec = PartitionSpec.of(resource)
    if spec is None:
        return []
    return [("partitions", write_tree(main_database_file(db.conn), spec, parquet))]


@dataclass(frozen=True)
class PartitionSpec:
    """What writing a table's partitions needs to know of it, in plain values an export worker
    receives (stages/export_jobs.py): its name, partition columns, primary key and field types."""

    table: str
    keys: tuple[str, ...]
    primary_key: tuple[str, ...]
    types: tuple[tuple[str, str], ...]  # (field name, Table Schema type), in field order

    @classmethod
    def of(cls, resource: Resource) -> PartitionSpec | None:
        """None when the table is not partitioned (`partition_fields`)."""
        keys = partition_fields(resource)
        if not keys:
            return None
        types = tuple((f["name"], f.get("type", "string")) for f in resource.fields)
        return cls(resource.name, tuple(keys), tuple(resource.primary_key), types)


def write_tree(database: Path, spec: PartitionSpec, parquet: Path) -> Path:
    """The partition tree of table `spec.table` of `database`, read through a connection of its
    own, and its index, beside `parquet`; returns the index's path."""
    folder = parquet.parent
    root = folder / PARTITIONS_DIR / spec.table
    shutil.rmtree(root, ignore_errors=True)
    schema = pq.read_schema(parquet).remove_metadata()
    ds.write_dataset(
        pa.RecordBatchReader.from_batches(schema, _batches(str(database), spec, schema)),
        root,
        format="parquet",
        partitioning=ds.partitioning(
            pa.schema([schema.field(k) for k in spec.keys]), flavor="hive"
        ),
        basename_template=PARTITION_FILE,
        file_options=ds.ParquetFileFormat().make_write_options(compression="zstd"),
        preserve_order=True,
        max_partitions=BATCH_ROWS,  # a batch may touch as many partitions as it has rows
        existing_data_behavior="error",
    )
    index = index_path(parquet, spec.table)
    index.write_text(
        json.dumps(_index(spec, folder, root), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return index


def index_path(parquet: Path, table: str) -> Path:
    """`<table>.partitions.json` beside the table's Parquet file: the tree's download."""
    return parquet.parent / table_file(table, "partitions")


def copy_for_worker(conn: sqlite3.Connection, table: str, copy: Path) -> None:
    """`table`'s rows, in rowid order, into a database file of their own at `copy`, for an export
    worker to sort and read (`write_tree_from_copy`) while the build goes on writing its own
    database: the sort is one long read, and a long read of the build's file would hold its lock
    (the build's next write would wait for it, or fail). A table-to-table copy inside SQLite:
    1,000,000 tenders in about a second, against 12 s for the tree itself."""
    copy.unlink(missing_ok=True)
    conn.commit()  # ATTACH is refused inside a transaction
    conn.execute("ATTACH DATABASE ? AS partition_copy", (str(copy),))
    try:
        conn.execute("PRAGMA partition_copy.journal_mode = OFF")
        conn.execute("PRAGMA partition_copy.synchronous = OFF")
        conn.execute(f"CREATE TABLE partition_copy.[{table}] AS SELECT * FROM [{table}] WHERE 0")
        conn.execute(f"INSERT INTO partition_copy.[{table}] SELECT * FROM [{table}] ORDER BY rowid")
        conn.commit()
    finally:  # a copy that stopped (a full disk) was rolled back by SQLite: the copy goes
        conn.execute("DETACH DATABASE partition_copy")


def write_tree_from_copy(copy: str, spec: PartitionSpec, parquet: str) -> None:
    """In an export worker: `write_tree` from the copy of the table the build made for it
    (export.start_partitions), which then goes."""
    try:
        write_tree(Path(copy), spec, Path(parquet))
    finally:
        Path(copy).unlink(missing_ok=True)


def _batches(database: str, spec: PartitionSpec, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """The table sorted by `keys`, then its primary key (rowid without one), BATCH_ROWS rows at
    a time, read through a connection of its own (see the module docstring)."""
    columns = ", ".join(f"[{n}]" for n in schema.names)
    order = ", ".join([f"[{k}]" for k in [*spec.keys, *spec.primary_key]])
    if not spec.primary_key:
        order += ", rowid"
    address = f"file:{quote(database)}?mode=ro"
    with closing(sqlite3.connect(address, uri=True, check_same_thread=False)) as conn:
        # The ORDER BY sorts whole rows (no index has the partition columns then the key). With
        # the sorter's helper threads the query over 1,000,000 tenders took 3.8-4.7 s, without
        # them 4.5-7.3 s (three rounds each, interleaved); the rows come out the same.
        use_sorter_threads(conn)
        cursor = conn.execute(f"SELECT {columns} FROM [{spec.table}] ORDER BY {order}")
        while rows := cursor.fetchmany(BATCH_ROWS):
            yield _record_batch(rows, schema)


def _record_batch(rows: list[tuple], schema: pa.Schema) -> pa.RecordBatch:
    """SQLite rows as Arrow columns; booleans are 0/1 in SQLite, so they pass through int64."""
    arrays = []
    for values, field in zip(zip(*rows, strict=True), schema, strict=True):
        if pa.types.is_boolean(field.type):
            arrays.append(pa.array(values, pa.int64()).cast(pa.bool_()))
        else:
            arrays.append(pa.array(values, field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _index(spec: PartitionSpec, folder: Path, root: Path) -> dict:
    """`<table>.partitions.json`: the layout and every file, paths relative to `folder`."""
    types = dict(spec.types)
    files = []
    for path in sorted(root.rglob("*.parquet")):
        values: dict[str, str | int | None] = {}
        for segment in path.relative_to(root).parent.parts:
            name, _, text = segment.partition("=")
            value = None if text == HIVE_NULL else unquote(text)
            values[name] = int(value) if value and types[name] in YEAR_TYPES else value
        files.append(
            {
                "path": path.relative_to(folder).as_posix(),
                "partition": values,
                "rows": pq.read_metadata(path).num_rows,
                "bytes": path.stat().st_size,
                "sha256": sha256_file(path),
            }
        )
    return {
        "table": spec.table,
        "format": "parquet",
        "partitioning": "hive",
        "root": root.relative_to(folder).as_posix() + "/",
        "partition_fields": [{"name": k, "type": types[k]} for k in spec.keys],
        "rows": sum(f["rows"] for f in files),
        "files": files,
    }
