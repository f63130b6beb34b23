"""Export stage: each published table as downloads (CSV, JSON, XLSX, Parquet, and its Table Schema
as `<table>.schema.json`) plus datapackage.json and one zip of the whole dataset.

Downloads are written once at build time so that a full-table download is a static file: complete
(Datasette's own CSV export stops at max_csv_mb with HTTP 200) and costing no server CPU. All
writers stream, and the bytes depend only on the table, so the same inputs give the same files
(zip containers, XLSX included, get fixed entry timestamps for that reason).

A published package is whole: `frictionless validate` resolves foreign keys only inside one
package, so a table's reference to another dataset's table (`kode_wilayah` -> `wilayah`) ships
the rows it references as a resource of the package (see `reference_subsets`), and every
resource states its `bytes` and `hash`, which the validator checks against the file.
"""

from __future__ import annotations

import copy
import datetime
import json
import os
import shutil
import sqlite3
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import sqlite_utils

from ..core.checksum import sha256_file
from ..core.chunks import chunk_rows, regrouped, text_batches, with_long_rows
from ..core.csv_lines import RowWriter, write_frame
from ..core.csv_safety import FORMULA_PATTERN, neutralise, neutralise_column, risky
from ..core.layout import DATAPACKAGE, downloads_dir, site_dir, table_file, work_dir, zip_file
from ..core.memory import give_back
from ..core.model import Dataset, Resource
from .export_xlsx import XLSX_MAX_CHARS, XLSX_MAX_ROWS, write_xlsx
from .partitions import PartitionSpec, copy_for_worker, write_partitions
from .rowid_chunks import CHUNK_ROWS

if TYPE_CHECKING:
    from ..core.registry import Catalog
    from .export_jobs import ExportJobs

ARROW_TYPES = {
    "integer": pa.int64(),
    "year": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
}


JSON_CHUNK_ROWS = 10_000  # rows joined into one write


@dataclass(frozen=True)
class Download:
    format: str
    path: str  # relative to the site root
    bytes: int
    sha256: str

    def as_dict(self) -> dict:
        return {
            "format": self.format,
            "path": self.path,
            "bytes": self.bytes,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class PendingDownload:
    """A download a worker is still writing (stages/export_jobs.py): its manifest entry gets
    its size and checksum when the build collects the worker's result."""

    entry: dict
    # a worker following a staging file still being read: where the read says how far it may
    # read (export_xlsx.publish_progress); None once the file was whole when the job started
    progress: Path | None = None

    def as_dict(self) -> dict:
        return self.entry


def xlsx_allowed(staging: Path, resource: Resource, rows: int, longest_text: int) -> bool:
    """Whether the table gets an XLSX. No XLSX rather than a cut one: over Excel's rows, or with
    a cell over its 32,767 characters (a field may allow longer cells); the page says why
    (catalog/site.py). Decided before the load, so that a worker's XLSX need not wait for it.

    `longest_text` is the longest text cell the read wrote (stages/normalise.longest_text_cell),
    rows since quarantined included. Only when that is over the limit is the staging file read
    again, to see whether the rows kept still hold such a cell."""
    if rows > XLSX_MAX_ROWS:
        return False
    return longest_text <= XLSX_MAX_CHARS or not has_cells_over(staging, resource, XLSX_MAX_CHARS)


def start_xlsx(
    resource: Resource, staging: Path, release: Path, jobs: ExportJobs, growing: bool = False
) -> PendingDownload | None:
    """Hand the table's XLSX to an export worker (stages/export_jobs.py); its entry is completed
    when the build collects it. The worker reads `staging`, final once quarantine has run, so
    it starts before the load. The dataset's work folder (and `staging` with it) goes when its
    tables are built, so the worker reads a hard link of its own under the release's `.work/`,
    which goes after every job is collected.

    `growing`: the read is still appending to `staging`, and tells the worker how far it may
    read in the download's `progress` file (export_xlsx.publish_progress). Only a hard link
    grows with the file: where there is none, None (nothing started)."""
    path = downloads_dir(release, resource.dataset_id) / table_file(resource.name, "xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    own = _worker_file(release, resource, "csv")
    own.unlink(missing_ok=True)
    try:
        os.link(staging, own)
    except OSError:  # a file system without hard links
        if growing:
            return None
        shutil.copyfile(staging, own)
    progress = own.with_suffix(".progress") if growing else None
    if progress is not None:
        progress.unlink(missing_ok=True)
    entry = jobs.submit(
        resource.dataset_id, resource.name, resource.fields, own, path, site_dir(release), progress
    )
    return PendingDownload(entry, progress)


def export_resource(
    db: sqlite_utils.Database,
    resource: Resource,
    staging: Path,
    release: Path,
    xlsx: bool | PendingDownload = True,
    tree_jobs: ExportJobs | None = None,
) -> list[Download | PendingDownload]:
    """The table's downloads, written here. `xlsx`: False when the table gets no XLSX
    (`xlsx_allowed`), the pending download when a worker writes it (`start_xlsx`). `tree_jobs`:
    the export workers when one writes the table's partition tree (ExportJobs.takes_partitions,
    `start_partitions`)."""
    folder = downloads_dir(release, resource.dataset_id)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / table_file(resource.name, "csv")
    write_download_csv(resource, staging, csv_path)
    give_back()  # each writer's freed blocks, before the next one allocates its own
    json_path = folder / table_file(resource.name, "json")
    _write_json(db, resource, json_path)
    give_back()
    parquet_path = folder / table_file(resource.name, "parquet")
    _write_parquet(resource, staging, parquet_path)
    give_back()
    files: list[tuple[str, Path] | PendingDownload] = [("csv", csv_path), ("json", json_path)]
    if isinstance(xlsx, PendingDownload):
        files.append(xlsx)
    elif xlsx is True:
        xlsx_path = folder / table_file(resource.name, "xlsx")
        _write_xlsx(db, resource, xlsx_path)
        files.append(("xlsx", xlsx_path))
    files.append(("parquet", parquet_path))
    # The partition tree, by year and region when the table has both: a big table's by a worker.
    tree = None
    if tree_jobs is not None:
        tree = start_partitions(db, resource, parquet_path, release, tree_jobs)
    files += [tree] if tree is not None else write_partitions(db, resource, parquet_path)
    schema_path = folder / table_file(resource.name, "schema")
    _write_schema(resource, schema_path)
    files.append(("schema", schema_path))
    return [
        f if isinstance(f, PendingDownload) else describe_file(f[0], f[1], release) for f in files
    ]


def _worker_file(release: Path, resource: Resource, suffix: str) -> Path:
    """A file an export worker reads in place of the build's own (a link to the staging file,
    a copy of the table), under the release's `.work/`, which goes after every job is
    collected."""
    folder = work_dir(release) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{resource.dataset_id}.{resource.name}.{suffix}"


def start_partitions(
    db: sqlite_utils.Database, resource: Resource, parquet: Path, release: Path, jobs: ExportJobs
) -> PendingDownload | None:
    """Hand the table's partition tree (stages/partitions.py) to an export worker, which reads a
    copy of the table of its own; None when the table is not partitioned. On 1,000,000 tenders
    the tree took 12.5 s of the build's own time; the copy takes about one."""
    spec = PartitionSpec.of(resource)
    if spec is None:
        return None
    copy = _worker_file(release, resource, "partitions.db")
    copy_for_worker(db.conn, resource.name, copy)
    site = site_dir(release)
    return PendingDownload(jobs.submit_partitions(resource.dataset_id, spec, copy, parquet, site))


def text_fields(resource: Resource) -> list[str]:
    """The fields whose cells are text in a CSV (type string, or none given): the only ones a
    spreadsheet formula can hide in, and the only ones core/csv_safety.py changes."""
    return [f["name"] for f in resource.fields if f.get("type", "string") == "string"]


def write_download_csv(resource: Resource, staging: Path, path: Path) -> int:
    """`<table>.csv`: the normalised table with its text cells made safe for spreadsheets
    (core/csv_safety.py); how many cells got the leading quote.

    A table with no risky cell is a byte copy of the normalised file; otherwise it is rewritten
    chunk by chunk the way the build wrote it (pandas, minimal quoting, "\n"), so every other
    cell keeps its bytes.
    """
    texts = text_fields(resource)
    changed = risky_count(staging, texts) if texts else 0
    if not changed:
        shutil.copyfile(staging, path)
        return 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(resource.field_names) + "\n")
        for chunk in _text_chunks(staging, None):
            for name in texts:
                chunk[name] = neutralise_column(chunk[name])
            write_frame(chunk, out)
    return changed


def risky_count(staging: Path, texts: list[str]) -> int:
    """How many cells of the `texts` columns of the staging CSV a spreadsheet could run as a
    formula (core/csv_safety.risky).

    Arrow's CSV reader takes the text columns in blocks, and a compute kernel keeps only the
    cells that start like a formula (few or none in most tables); Python judges just those, with
    the same `risky` that quotes them. Memory is one block, whatever the table's size.
    """

    def count(block_bytes: int) -> int:
        reader = pacsv.open_csv(
            staging,
            read_options=pacsv.ReadOptions(block_size=block_bytes),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                include_columns=texts,
                column_types={name: pa.string() for name in texts},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        found = 0
        for batch in reader:
            for column in batch.columns:
                starts = pc.match_substring_regex(column, FORMULA_PATTERN)
                found += sum(risky(text) for text in column.filter(starts).to_pylist())
        return found

    return with_long_rows(count)


def _text_chunks(staging: Path, columns: list[str] | None):
    yield from pd.read_csv(
        staging,
        usecols=columns,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        chunksize=200_000,
    )


def _write_schema(resource: Resource, path: Path) -> None:
    """`<table>.schema.json`: the table's Frictionless Table Schema on its own, so a user who
    downloads one table's CSV or Parquet also gets its types, units and constraints (and a
    validator can check the file) without the whole datapackage.json. It is the `schema` object
    datapackage.json embeds for this resource (Dataset.package_descriptor copies the descriptor),
    written the same way, so the bytes depend only on the descriptor."""
    path.write_text(
        json.dumps(resource.schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n",
        encoding="utf-8",
    )


def export_package(
    dataset: Dataset,
    release: Path,
    db: sqlite_utils.Database | None = None,
    catalog: Catalog | None = None,
) -> Download:
    """datapackage.json: the dataset's descriptor, plus the rows of other datasets' tables that
    its foreign keys reference (written here as `<table>.csv`), every resource with the `bytes`
    and `hash` of its CSV. Without `db` and `catalog` no reference rows can be added."""
    folder = downloads_dir(release, dataset.id)
    folder.mkdir(parents=True, exist_ok=True)
    package = dataset.package_descriptor()
    if db is not None and catalog is not None:
        for target, rowids in reference_subsets(db, dataset, catalog):
            _write_rows_csv(db, target, rowids, folder / table_file(target.name, "csv"))
            package["resources"].append(_subset_descriptor(db, target, catalog, len(rowids)))
    for res in package["resources"]:
        csv_path = folder / res["path"]
        res["bytes"] = csv_path.stat().st_size
        # Data Package form for other algorithms than MD5; frictionless checks both on validate.
        res["hash"] = f"sha256:{sha256_file(csv_path)}"
    path = folder / DATAPACKAGE
    path.write_text(
        json.dumps(package, indent=2, ensure_ascii=False, sort_keys=False) + "\n",
        encoding="utf-8",
    )
    return describe_file("datapackage", path, release)


# --- Rows of other datasets' tables that a package references ----------------------------------


def reference_subsets(
    db: sqlite_utils.Database, dataset: Dataset, catalog: Catalog
) -> list[tuple[Resource, list[int]]]:
    """The tables of other datasets that `dataset`'s foreign keys reach, each with the rowids of
    the rows they reference, sorted; in order of table name.

    The subset is closed under the target's own foreign keys: `wilayah` refers to itself
    (`kode_wilayah_induk` -> `kode_wilayah`), so a kecamatan brings its kota and province. The
    subset then keeps the target's Table Schema unchanged (it is the same table, fewer rows) and
    is valid on its own, and a reader gets the names of the parent regions too. A target that
    references a third dataset's table brings that table's referenced rows the same way.
    """
    own = {r.name for r in dataset.resources}
    chosen: dict[str, set[int]] = {}
    targets: dict[str, Resource] = {}
    pending: list[tuple[Resource, set[int] | None]] = [(r, None) for r in dataset.resources]
    while pending:
        source, rowids = pending.pop()
        for fk in source.foreign_keys:
            name = fk["reference"]["resource"] or source.name
            if name in own:
                continue
            owner = catalog.owner_of(name)
            if owner is None or name not in db.table_names():
                continue  # the build's foreign-key check has already reported it
            targets[name] = owner.resource(name)
            found = _referenced_rowids(
                db, source.name, _as_list(fk["fields"]), rowids, name, fk["reference"]["fields"]
            )
            new = found - chosen.setdefault(name, set())
            if new:
                chosen[name] |= new
                pending.append((targets[name], new))
    return [(targets[name], sorted(chosen[name])) for name in sorted(chosen) if chosen[name]]


def _as_list(value) -> list[str]:
    return list(value) if isinstance(value, list) else [value]


def _referenced_rowids(
    db: sqlite_utils.Database,
    source: str,
    fields: list[str],
    rowids: set[int] | None,
    target: str,
    ref_fields: list[str] | str,
) -> set[int]:
    """Rowids of the `target` rows that `source`'s key `fields` name (only in the `source` rows
    `rowids`, if given). One query: SQLite matches the keys against the target's key index."""
    keys = ", ".join(f"[{f}]" for f in _as_list(ref_fields))
    values = ", ".join(f"s.[{f}]" for f in fields)
    sql = f"SELECT rowid FROM [{target}] WHERE ({keys}) IN (SELECT {values} FROM [{source}] AS s"
    if rowids is None:
        return {row[0] for row in db.execute(sql + ")")}
    sql += " WHERE s.rowid IN (SELECT value FROM json_each(?)))"
    return {row[0] for row in db.execute(sql, [json.dumps(sorted(rowids))])}


def _csv_text(value, kind: str) -> str:
    """A cell as the normalised CSVs write it, so frictionless reads it back by the schema."""
    if value is None:
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    return str(value)


def _write_rows_csv(
    db: sqlite_utils.Database, resource: Resource, rowids: list[int], path: Path
) -> None:
    """The chosen rows of a table, from SQLite, in table order, with a header of field names."""
    names = resource.field_names
    kinds = [f.get("type", "string") for f in resource.fields]
    safe = [neutralise if k == "string" else (lambda v: v) for k in kinds]
    columns = ", ".join(f"[{n}]" for n in names)
    cursor = db.execute(
        f"SELECT {columns} FROM [{resource.name}] "
        "WHERE rowid IN (SELECT value FROM json_each(?)) ORDER BY rowid",
        [json.dumps(rowids)],
    )
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = RowWriter(out)
        writer.writerow(names)
        for row in cursor:
            cells = zip(row, kinds, safe, strict=True)
            writer.writerow([cell(_csv_text(v, k)) for v, k, cell in cells])


def _subset_descriptor(
    db: sqlite_utils.Database, resource: Resource, catalog: Catalog, rows: int
) -> dict:
    """The resource entry of a reference subset: the table's own Table Schema, a title and a
    description saying whose rows these are, and `jendela.subset_of` to find the whole table."""
    owner = catalog.owner_of(resource.name)
    total = db.execute(f"SELECT count(*) FROM [{resource.name}]").fetchone()[0]
    en_title = (resource.ext.get("en") or {}).get("title") or resource.title
    return {
        "name": resource.name,
        "title": f"{resource.title} (baris yang dirujuk paket ini)",
        "description": (
            f"Baris tabel `{resource.name}` dari dataset `{owner.id}` yang dirujuk oleh tabel "
            "paket ini, beserta baris yang dirujuknya sendiri (misalnya wilayah induk), "
            "disertakan agar paket ini utuh: setiap foreign key dapat diperiksa di dalam paket. "
            f"Tabel lengkapnya ada di dataset `{owner.id}`."
        ),
        "path": table_file(resource.name, "csv"),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": copy.deepcopy(resource.schema),
        "jendela": {
            "en": {
                "title": f"{en_title} (rows this package references)",
                "description": (
                    f"The rows of table `{resource.name}` of dataset `{owner.id}` that this "
                    "package's tables reference, with the rows they reference in turn (such as "
                    "parent regions), included so that the package is whole: every foreign key "
                    f"can be checked inside it. The whole table is in dataset `{owner.id}`."
                ),
            },
            "subset_of": {
                "dataset": owner.id,
                "resource": resource.name,
                "rows": rows,
                "table_rows": total,
            },
        },
    }


def describe_file(fmt: str, path: Path, release: Path) -> Download:
    return Download(
        fmt, path.relative_to(site_dir(release)).as_posix(), path.stat().st_size, sha256_file(path)
    )


def _write_json(db: sqlite_utils.Database, resource: Resource, path: Path) -> None:
    """A JSON array of row objects, streamed; SQLite's json_object builds each row in C, and
    rows are joined and written a chunk at a time (one write per chunk, not two per row).

    Each object comes out as UTF-8 bytes (CAST AS BLOB), the bytes the file holds: as text it
    was decoded into a Python string and encoded back, 1,000,000 tenders 3.8 -> 3.1 s."""
    pairs = ", ".join(f"'{n}', [{n}]" for n in resource.field_names)
    cursor = db.execute(
        f"SELECT CAST(json_object({pairs}) AS BLOB) FROM [{resource.name}] ORDER BY rowid"
    )
    with open(path, "wb") as out:
        out.write(b"[")
        separator = b"\n"
        while rows := cursor.fetchmany(JSON_CHUNK_ROWS):
            out.write(separator)
            out.write(b",\n".join([row for (row,) in rows]))
            separator = b",\n"
        out.write(b"\n]\n")


def _write_parquet(resource: Resource, staging: Path, path: Path) -> None:
    types = {
        f["name"]: ARROW_TYPES.get(f.get("type", "string"), pa.string()) for f in resource.fields
    }
    schema = pa.schema([(name, types[name]) for name in resource.field_names])

    def write(block_bytes: int) -> None:  # the file is written again whole on a second try
        reader = pacsv.open_csv(
            staging,
            read_options=pacsv.ReadOptions(block_size=block_bytes),
            # Only an empty cell is missing, as when the table is loaded (stages/load.py): by
            # default Arrow also takes the text "NA", "null", "N/A" or "NaN" for missing.
            convert_options=pacsv.ConvertOptions(
                column_types=types, null_values=[""], strings_can_be_null=True
            ),
        )
        tables = (
            pa.Table.from_batches([b.select(resource.field_names).cast(schema)]) for b in reader
        )
        with pq.ParquetWriter(path, schema, compression="zstd") as writer:
            for group in regrouped(tables, PARQUET_ROW_GROUP_ROWS):
                # contiguous columns: a row group is written as one piece, as from one batch
                writer.write_table(group.combine_chunks(), row_group_size=PARQUET_ROW_GROUP_ROWS)
                give_back()  # the group's blocks and copy (1M tenders: stage peak -30 MB)

    with_long_rows(write)


# Rows per Parquet row group, whatever the size of the blocks the staging CSV is read in: a
# reader skips whole row groups by their statistics, and 100,000 rows is a few MB of tenders.
PARQUET_ROW_GROUP_ROWS = 100_000


# --- XLSX and the dataset zip ------------------------------------------------------------------

ZIP64_LIMIT = 1 << 31  # a streamed entry this big must be declared zip64 before it is written


def has_cells_over(staging: Path, resource: Resource, chars: int) -> bool:
    """True when a text cell of the staging file is longer than `chars` characters."""
    texts = text_fields(resource)
    if not texts:
        return False

    def scan(block_bytes: int) -> bool:
        for batch in text_batches(staging, texts, block_bytes):
            for column in batch.columns:
                longest = pc.max(pc.utf8_length(column)).as_py()
                if longest is not None and longest > chars:
                    return True
        return False

    return with_long_rows(scan)


def _write_xlsx(
    db: sqlite_utils.Database | sqlite3.Connection, resource: Resource, path: Path
) -> None:
    """The table's XLSX written here, in the build process (stages/export_xlsx.py)."""
    conn = db.conn if isinstance(db, sqlite_utils.Database) else db
    write_xlsx(conn, resource.name, resource.fields, path, chunk_rows(CHUNK_ROWS))


def _zip_info(name: str, date_time: tuple) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def export_zip(dataset: Dataset, release: Path) -> Download:
    """`<id>.zip`: the dataset as a Frictionless data package (datapackage.json + one CSV per
    table and per reference subset), so one download opens and validates in any Frictionless
    tool. Entries are dated with the dataset's `jendela.updated`, the one date our outputs
    carry, which keeps the zip deterministic.
    """
    folder = downloads_dir(release, dataset.id)
    updated = datetime.date.fromisoformat(dataset.ext["updated"])
    stamp = (max(updated.year, 1980), updated.month, updated.day, 0, 0, 0)
    # The same files datapackage.json lists (its reference subsets included), so the two agree.
    package = json.loads((folder / DATAPACKAGE).read_text(encoding="utf-8"))
    members = [DATAPACKAGE] + [r["path"] for r in package["resources"]]
    path = folder / zip_file(dataset.id)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            big = (folder / member).stat().st_size >= ZIP64_LIMIT
            with (
                open(folder / member, "rb") as source,
                archive.open(_zip_info(member, stamp), "w", force_zip64=big) as target,
            ):
                shutil.copyfileobj(source, target, 1 << 20)
    return describe_file("zip", path, release)
