"""Export stage: each published table as downloads (CSV, JSON, Parquet) plus datapackage.json.

Downloads are written once at build time so that a full-table download is a static file: complete
(Datasette's own CSV export stops at max_csv_mb with HTTP 200) and costing no server CPU. All
writers stream, and the bytes depend only on the table, so the same inputs give the same files.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import sqlite_utils

from .fetch import sha256_file
from .model import Dataset, Resource
from .release import DOWNLOADS, site_dir

ARROW_TYPES = {
    "integer": pa.int64(),
    "year": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
}


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


def export_resource(
    db: sqlite_utils.Database, resource: Resource, staging: Path, release: Path
) -> list[Download]:
    folder = site_dir(release) / DOWNLOADS / resource.dataset_id
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / f"{resource.name}.csv"
    shutil.copyfile(staging, csv_path)
    json_path = folder / f"{resource.name}.json"
    _write_json(db, resource, json_path)
    parquet_path = folder / f"{resource.name}.parquet"
    _write_parquet(resource, staging, parquet_path)
    return [
        _describe(fmt, p, release)
        for fmt, p in (("csv", csv_path), ("json", json_path), ("parquet", parquet_path))
    ]


def export_package(dataset: Dataset, release: Path) -> Download:
    folder = site_dir(release) / DOWNLOADS / dataset.id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "datapackage.json"
    path.write_text(
        json.dumps(dataset.package_descriptor(), indent=2, ensure_ascii=False, sort_keys=False)
        + "\n",
        encoding="utf-8",
    )
    return _describe("datapackage", path, release)


def _describe(fmt: str, path: Path, release: Path) -> Download:
    return Download(
        fmt, path.relative_to(site_dir(release)).as_posix(), path.stat().st_size, sha256_file(path)
    )


def _write_json(db: sqlite_utils.Database, resource: Resource, path: Path) -> None:
    """A JSON array of row objects, written row by row (never the whole table in memory)."""
    names = resource.field_names
    cursor = db.execute(
        f"SELECT {', '.join(f'[{n}]' for n in names)} FROM [{resource.name}] ORDER BY rowid"
    )
    with open(path, "w", encoding="utf-8") as out:
        out.write("[")
        first = True
        for row in cursor:
            out.write("\n" if first else ",\n")
            out.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False))
            first = False
        out.write("\n]\n")


def _write_parquet(resource: Resource, staging: Path, path: Path) -> None:
    types = {
        f["name"]: ARROW_TYPES.get(f.get("type", "string"), pa.string()) for f in resource.fields
    }
    reader = pacsv.open_csv(
        staging,
        read_options=pacsv.ReadOptions(block_size=16 << 20),
        convert_options=pacsv.ConvertOptions(
            column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=False
        ),
    )
    schema = pa.schema([(name, types[name]) for name in resource.field_names])
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_batch(batch.select(resource.field_names).cast(schema))
