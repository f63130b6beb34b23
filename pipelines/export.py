"""Export stage: each published table as downloads (CSV, JSON, XLSX, Parquet, and its Table Schema
as `<table>.schema.json`) plus datapackage.json and one zip of the whole dataset.

Downloads are written once at build time so that a full-table download is a static file: complete
(Datasette's own CSV export stops at max_csv_mb with HTTP 200) and costing no server CPU. All
writers stream, and the bytes depend only on the table, so the same inputs give the same files
(zip containers, XLSX included, get fixed entry timestamps for that reason).
"""

from __future__ import annotations

import datetime
import json
import shutil
import zipfile
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
    files = [("csv", csv_path), ("json", json_path)]
    rows = db.execute(f"SELECT count(*) FROM [{resource.name}]").fetchone()[0]
    if rows <= XLSX_MAX_ROWS:  # otherwise the page says why there is no XLSX (see catalog.py)
        xlsx_path = folder / f"{resource.name}.xlsx"
        _write_xlsx(db, resource, xlsx_path)
        files.append(("xlsx", xlsx_path))
    files.append(("parquet", parquet_path))
    schema_path = folder / f"{resource.name}.schema.json"
    _write_schema(resource, schema_path)
    files.append(("schema", schema_path))
    return [describe_file(fmt, p, release) for fmt, p in files]


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


def export_package(dataset: Dataset, release: Path) -> Download:
    folder = site_dir(release) / DOWNLOADS / dataset.id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "datapackage.json"
    path.write_text(
        json.dumps(dataset.package_descriptor(), indent=2, ensure_ascii=False, sort_keys=False)
        + "\n",
        encoding="utf-8",
    )
    return describe_file("datapackage", path, release)


def describe_file(fmt: str, path: Path, release: Path) -> Download:
    return Download(
        fmt, path.relative_to(site_dir(release)).as_posix(), path.stat().st_size, sha256_file(path)
    )


def _write_json(db: sqlite_utils.Database, resource: Resource, path: Path) -> None:
    """A JSON array of row objects, streamed; SQLite's json_object builds each row in C."""
    pairs = ", ".join(f"'{n}', [{n}]" for n in resource.field_names)
    cursor = db.execute(f"SELECT json_object({pairs}) FROM [{resource.name}] ORDER BY rowid")
    with open(path, "w", encoding="utf-8") as out:
        out.write("[")
        separator = "\n"
        for (row,) in cursor:
            out.write(separator)
            out.write(row)
            separator = ",\n"
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


# --- XLSX and the dataset zip ------------------------------------------------------------------

# Excel's sheet holds 1,048,576 rows; one is the header. A bigger table gets no XLSX at all rather
# than a silently truncated one.
XLSX_MAX_ROWS = 1_048_575
# Zip entries carry a timestamp; a fixed one keeps the archive byte-identical between builds.
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ZIP64_LIMIT = 1 << 31  # a streamed entry this big must be declared zip64 before it is written


def _write_xlsx(db: sqlite_utils.Database, resource: Resource, path: Path) -> None:
    """One sheet of typed cells (numbers stay numbers, codes stay text), one data dictionary sheet.

    XlsxWriter in constant-memory mode writes each row to disk as it goes and stores strings
    inline, so a million rows cost no more memory than one (openpyxl's write-only mode keeps a
    shared-strings table of every distinct text). Text starting with "=" stays text, never a
    formula (formula injection), and the document date is fixed so the bytes are reproducible.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    workbook.set_properties({"created": datetime.datetime(*FIXED_ZIP_TIME)})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet = workbook.add_worksheet(resource.name[:31])
    names = resource.field_names
    dates = [i for i, f in enumerate(resource.fields) if f.get("type") == "date"]
    sheet.write_row(0, 0, names)
    cursor = db.execute(
        f"SELECT {', '.join(f'[{n}]' for n in names)} FROM [{resource.name}] ORDER BY rowid"
    )
    for number, row in enumerate(cursor, start=1):
        sheet.write_row(number, 0, row)
        for column in dates:
            if row[column]:
                value = datetime.datetime.fromisoformat(row[column])
                sheet.write_datetime(number, column, value, date_format)
    dictionary = workbook.add_worksheet("kamus_data")
    dictionary.write_row(0, 0, ["kolom/column", "tipe/type", "satuan/unit", "keterangan",
                                "description"])  # fmt: skip
    for number, f in enumerate(resource.fields, start=1):
        ext = f.get("jendela") or {}
        dictionary.write_row(
            number,
            0,
            [
                f["name"],
                f.get("type", "string"),
                ext.get("unit", ""),
                f.get("description", ""),
                (ext.get("en") or {}).get("description", ""),
            ],
        )
    workbook.close()


def _zip_info(name: str, date_time: tuple) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def export_zip(dataset: Dataset, release: Path) -> Download:
    """`<id>.zip`: the dataset as a Frictionless data package (datapackage.json + one CSV per
    table), so one download opens in any Frictionless tool. Entries are dated with the dataset's
    `jendela.updated`, the one date our outputs carry, which keeps the zip deterministic.
    """
    folder = site_dir(release) / DOWNLOADS / dataset.id
    updated = datetime.date.fromisoformat(dataset.ext["updated"])
    stamp = (max(updated.year, 1980), updated.month, updated.day, 0, 0, 0)
    members = ["datapackage.json"] + [f"{r.name}.csv" for r in dataset.resources]
    path = folder / f"{dataset.id}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            big = (folder / member).stat().st_size >= ZIP64_LIMIT
            with (
                open(folder / member, "rb") as source,
                archive.open(_zip_info(member, stamp), "w", force_zip64=big) as target,
            ):
                shutil.copyfileobj(source, target, 1 << 20)
    return describe_file("zip", path, release)
