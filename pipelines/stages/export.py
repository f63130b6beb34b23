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
import csv
import datetime
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import sqlite_utils

from ..core.checksum import sha256_file
from ..core.csv_safety import XLSX_TEXT_OPTIONS, neutralise, neutralise_column, risky_cells
from ..core.layout import DATAPACKAGE, downloads_dir, site_dir, table_file, zip_file
from ..core.markdown import markdown_text
from ..core.model import Dataset, Resource
from .partitions import write_partitions

if TYPE_CHECKING:
    from ..core.registry import Catalog

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
    folder = downloads_dir(release, resource.dataset_id)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / table_file(resource.name, "csv")
    write_download_csv(resource, staging, csv_path)
    json_path = folder / table_file(resource.name, "json")
    _write_json(db, resource, json_path)
    parquet_path = folder / table_file(resource.name, "parquet")
    _write_parquet(resource, staging, parquet_path)
    files = [("csv", csv_path), ("json", json_path)]
    rows = db.execute(f"SELECT count(*) FROM [{resource.name}]").fetchone()[0]
    # No XLSX rather than a cut one: over Excel's rows, or with a cell over its 32,767
    # characters (a field may allow longer cells); the page says why (catalog/site.py).
    if rows <= XLSX_MAX_ROWS and not has_cells_over(db, resource, XLSX_MAX_CHARS):
        xlsx_path = folder / table_file(resource.name, "xlsx")
        _write_xlsx(db, resource, xlsx_path)
        files.append(("xlsx", xlsx_path))
    files.append(("parquet", parquet_path))
    files += write_partitions(db, resource, parquet_path)  # by year and region, when it has both
    schema_path = folder / table_file(resource.name, "schema")
    _write_schema(resource, schema_path)
    files.append(("schema", schema_path))
    return [describe_file(fmt, p, release) for fmt, p in files]


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
    changed = 0
    if texts:
        for chunk in _text_chunks(staging, texts):
            changed += int(sum(risky_cells(chunk[name]).sum() for name in texts))
    if not changed:
        shutil.copyfile(staging, path)
        return 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(resource.field_names) + "\n")
        for chunk in _text_chunks(staging, None):
            for name in texts:
                chunk[name] = neutralise_column(chunk[name])
            chunk.to_csv(out, header=False, index=False, lineterminator="\n")
    return changed


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
        writer = csv.writer(out, lineterminator="\n")
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
XLSX_MAX_CHARS = 32_767  # the most text one Excel cell holds; XlsxWriter cuts the rest


# Zip entries carry a timestamp; a fixed one keeps the archive byte-identical between builds.
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ZIP64_LIMIT = 1 << 31  # a streamed entry this big must be declared zip64 before it is written


def has_cells_over(db: sqlite_utils.Database, resource: Resource, chars: int) -> bool:
    """True when a text cell of the table is longer than `chars` characters."""
    texts = text_fields(resource)
    if not texts:
        return False
    test = " OR ".join(f"length([{name}]) > {int(chars)}" for name in texts)
    return (
        db.execute(f"SELECT 1 FROM [{resource.name}] WHERE {test} LIMIT 1").fetchone() is not None
    )


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
        {"constant_memory": True, **XLSX_TEXT_OPTIONS},
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
                # plain text: a spreadsheet shows no Markdown, so no backticks or asterisks
                markdown_text(f.get("description", "")),
                markdown_text((ext.get("en") or {}).get("description", "")),
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
