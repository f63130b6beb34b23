"""Datasette files generated from the descriptors, so no title or description is written twice.

datasette.yaml (hand-written) holds settings, permissions and canned queries. This writes, into the
release folder:

- `metadata.json`: instance, database and per-table title and description (Bahasa Indonesia and
  English), licence, source, column descriptions with units, plus the per-table settings Datasette
  takes from there (facets, full-text table, label column) and our plugin's per-table options
  (the dataset a table belongs to and its prebuilt downloads);
- the planner statistics (ANALYZE), which the immutable database cannot gather later;
- `inspect.json`: exact row counts in `datasette inspect` form, so table pages of an immutable
  database show "1.000.000 baris" without counting on every request;
- `facet_counts.json`: facet counts computed once per release (below), and beside each cube the
  arrays facet_store.py answers range filters and searches from.

Facet counts: Datasette counts a facet with one GROUP BY per facet column on every page view. On
the 1,000,000-row tender table that is ~40 ms per column unfiltered and ~130 ms per column once a
facet value is selected, so the default page with its five descriptor facets took 250-650 ms on
this machine. The database is immutable, so the counts can be computed at release time instead:
one GROUP BY over all facet columns together gives the count of every combination of facet values
(a "cube"), from which the facet counts under any combination of facet filters are sums
(web/facets.py does that at serve time). The cube is small when facet columns are
categories (tender: ~5,400 rows); a table whose cube would exceed MAX_CUBE_ROWS gets none.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

from ..core.bilingual import LANGUAGES, Text, pair
from ..core.checksum import sha256_file
from ..core.indicators import INDICATOR_TABLE_TEXT
from ..core.layout import (
    CHANGES_TABLE,
    DATABASE,
    FACET_COUNTS_FILE,
    FACET_STORE_DIR,
    INSPECT_FILE,
    METADATA_FILE,
    SCORECARD_TABLE,
    dataset_page,
    downloads_dir,
    table_file,
)
from ..core.manifest import DatasetEntry, Manifest
from ..core.model import SAMPLE_LABEL, Dataset
from ..core.registry import Catalog
from ..core.sort_threads import use_sorter_threads
from ..stages.facet_store import write_store
from .scorecard import SCORECARD_METADATA

# A cube with more combinations than this is not worth keeping: Datasette counts as usual.
MAX_CUBE_ROWS = 50_000
PLUGIN = "jendela"

INSTANCE = {
    "title": "Jendela Data",
    "description": (
        "Data terbuka anggaran, pengadaan, dan kependudukan pemerintah daerah. / "
        "Open budget, procurement and population data of Indonesian regional governments."
    ),
    "about": "Katalog / Catalog",
    "about_url": "/",
}


def column_description(field: dict) -> str:
    """`Indonesian / English [unit]`: one line for Datasette's column dictionary."""
    ext = field.get("jendela") or {}
    text = field.get("description", "").strip()
    english = (ext.get("en") or {}).get("description", "").strip()
    if english:
        text += f" / {english}"
    if ext.get("unit"):
        text += f" [{ext['unit']}]"
    return text


def column_labels(field: dict) -> dict:
    """A column's title and description in both languages, for the table page's headers (the
    page shows the title in its language, the column name beside it)."""
    en = (field.get("jendela") or {}).get("en") or {}
    title = field.get("title") or field["name"]
    return {
        "title": pair(title, en.get("title")),
        "description": pair(field.get("description", "").strip(), en.get("description")),
        "unit": (field.get("jendela") or {}).get("unit", ""),
    }


def label_column(resource) -> str | None:
    """The column Datasette shows beside a foreign key pointing here.

    By the naming rule of DESIGN.md a code column `kode_X` is named by `nama_X` (kode_wilayah ->
    nama_wilayah), so a table referenced by its code gets readable labels with no extra setting.
    """
    if len(resource.primary_key) != 1 or not resource.primary_key[0].startswith("kode_"):
        return None
    name = "nama_" + resource.primary_key[0].removeprefix("kode_")
    return name if name in resource.field_names else None


def table_metadata(dataset: Dataset, sample: bool, entry: DatasetEntry | None = None) -> dict:
    tables = {}
    licence = dataset.vocabulary.licences.get(dataset.descriptor["licenses"][0]["name"], {})
    source = dataset.descriptor["sources"][0]
    sample_text = f" ({SAMPLE_LABEL})" if sample else ""
    suffix = Text(f" ({SAMPLE_LABEL.id})", f" ({SAMPLE_LABEL.en})") if sample else Text("", "")
    built = entry.resources if entry else {}
    # The dataset's datapackage.json describes every table of it: each table page links it.
    package = entry.datapackage if entry else None
    for resource in dataset.resources:
        en = resource.ext.get("en", {})
        description = " / ".join(
            part.strip()
            for part in (resource.descriptor.get("description", ""), en.get("description", ""))
            if part
        )
        table = {
            "title": f"{resource.title} / {en.get('title', resource.title)}{sample_text}",
            "description": description + sample_text,
            "license": licence.get("title", dataset.descriptor["licenses"][0]["name"]),
            "license_url": licence.get("path", ""),
            "source": source["title"].strip(),
            "source_url": source.get("path", ""),
            "columns": {f["name"]: column_description(f) for f in resource.fields},
        }
        if resource.facet_columns:
            table["facets"] = resource.facet_columns
        if resource.fts_columns:
            table["fts_table"] = f"{resource.name}_fts"
            table["fts_pk"] = "rowid"
        label = label_column(resource)
        if label:
            table["label_column"] = label
        downloads = {
            d["format"]: "/" + d["path"] for d in built.get(resource.name, {}).get("downloads", [])
        }
        if package:
            downloads["datapackage"] = "/" + package["path"]
        table["plugins"] = {
            PLUGIN: {
                "dataset": dataset.id,
                "rows": built.get(resource.name, {}).get("rows"),
                "downloads": downloads,
                "title": pair(
                    resource.title + suffix.id, en.get("title", resource.title) + suffix.en
                ),
                "dataset_page": {lang: "/" + dataset_page(dataset.id, lang) for lang in LANGUAGES},
                "columns": {f["name"]: column_labels(f) for f in resource.fields},
            }
        }
        tables[resource.name] = table
    return tables


def published_tables(catalog: Catalog, manifest: Manifest) -> dict[str, dict]:
    tables: dict = {}
    for dataset_id, entry in manifest.datasets.items():
        if entry.resources and dataset_id in catalog.datasets:
            dataset = catalog.datasets[dataset_id]
            published = set(entry.resources)
            sample = dataset.is_sample if entry.sample is None else entry.sample
            generated = table_metadata(dataset, sample, entry)
            tables.update({k: v for k, v in generated.items() if k in published})
    return dict(sorted(tables.items()))


def datasette_metadata(catalog: Catalog, manifest: Manifest) -> dict:
    tables = published_tables(catalog, manifest)
    tables.update(indicator_tables(manifest, tables))
    tables[CHANGES_TABLE] = CHANGES_METADATA
    tables[SCORECARD_TABLE] = SCORECARD_METADATA
    return {**INSTANCE, "databases": {DATABASE: {"tables": dict(sorted(tables.items()))}}}


# The row-level changes against the release before (stages/changes.py); derived from every
# published table, so it credits no one source.
CHANGES_METADATA = {
    "title": "Perubahan sejak rilis sebelumnya / Changes since the release before",
    "description": (
        "Satu baris per baris ditambah atau dihapus, per sel diubah, dan per perubahan skema, "
        "menurut kunci utama setiap tabel / One row per row added or removed, per cell "
        "changed, and per schema change, by each table's primary key"
    ),
    "facets": ["dataset", "tabel", "jenis"],
}


def indicator_tables(manifest: Manifest, published: dict[str, dict]) -> dict[str, dict]:
    """Titles, descriptions, facets and download links of the red-flag tables the build wrote
    (texts in core/indicators.py; they have no descriptor, being derived). Their licence and
    source are those of the tables they are computed from, so a page reading them credits
    where the data came from."""
    entry = manifest.indicators
    origins = [published[t] for t in entry.get("reads", []) if t in published]
    credit = {}
    if origins:
        credit = {
            "license": origins[0]["license"],
            "license_url": origins[0]["license_url"],
            "source": "; ".join(dict.fromkeys(o["source"] for o in origins)),
            "source_url": origins[0]["source_url"],
        }
    written = {**entry.get("tables", {}), **{v: None for v in entry.get("views", [])}}
    tables = {}
    for name, text in INDICATOR_TABLE_TEXT.items():
        if name not in written:
            continue
        downloads = {
            path.rsplit(".", 1)[1]: "/" + path
            for path in entry["downloads"]
            if path.rsplit("/", 1)[1].rsplit(".", 1)[0] == name
        }
        sample = f" ({SAMPLE_LABEL})" if entry.get("sample") else ""
        tables[name] = {
            "title": f"{text['title']['id']} / {text['title']['en']}{sample}",
            "description": f"{text['description']['id']} / {text['description']['en']}{sample}",
            **credit,
            "facets": text["facets"],
            "plugins": {PLUGIN: {"rows": written[name], "downloads": downloads}},
        }
    return tables


def inspect_data(manifest: Manifest, db_path: Path) -> dict:
    """`datasette inspect` output, from the counts the build already knows (no second count)."""
    counts = {
        name: {"count": resource["rows"]}
        for entry in manifest.datasets.values()
        for name, resource in entry.resources.items()
        if "rows" in resource
    }
    return {
        DATABASE: {
            "hash": sha256_file(db_path),
            "size": db_path.stat().st_size,
            "file": db_path.name,
            "tables": dict(sorted(counts.items())),
        }
    }


def analyze(db_path: Path) -> None:
    """Give SQLite's planner the table statistics (sqlite_stat1) before the file goes read-only.

    Without them a filtered page of the 1M-row tender table (`jenis_pengadaan=...`, ordered by
    the primary key) sorts every matching row to show 50: 78 ms; with them SQLite walks the key
    in order and stops after 50 matches: under 1 ms. Full ANALYZE: deterministic for given data.
    """
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA analysis_limit = 0")
        conn.execute("ANALYZE")
        conn.commit()
    finally:
        conn.close()


def _write_json(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _untimed(stage: str) -> contextlib.AbstractContextManager:
    """No timer: write_datasette_files called outside a build."""
    return contextlib.nullcontext()


def write_datasette_files(
    catalog: Catalog, manifest: Manifest, release: Path, timed=_untimed
) -> Path:
    """Datasette's metadata, the database's statistics and inspect data, the facet cube and
    store. `timed(stage)` is the build's stage timer (table_build.StageTimer.timed): ANALYZE and
    the facet store take seconds on a million-row table."""
    with timed("datasette metadata"):
        metadata = datasette_metadata(catalog, manifest)
        path = _write_json(release / METADATA_FILE, metadata)
    db_path = release / manifest.database
    if db_path.is_file():
        with timed("analyze"):
            analyze(db_path)
        with timed("inspect"):
            _write_json(release / INSPECT_FILE, inspect_data(manifest, db_path))
        with timed("facet store"):
            write_facet_counts(db_path, catalog, manifest, release)
    return path


def facet_cube(conn: sqlite3.Connection, table: str, columns: list[str]) -> list[list] | None:
    """Rows `[value_1, ..., value_k, count]` for every combination present, or None if too big."""
    names = ", ".join(f"[{c}]" for c in columns)
    rows = conn.execute(
        f"SELECT {names}, count(*) FROM [{table}] GROUP BY {names} ORDER BY {names} "
        f"LIMIT {MAX_CUBE_ROWS + 1}"
    ).fetchall()
    if len(rows) > MAX_CUBE_ROWS:
        return None
    return [list(row) for row in rows]


def write_facet_counts(db_path: Path, catalog, manifest: Manifest, release: Path) -> Path:
    cubes = {}
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    use_sorter_threads(conn)  # the cubes' GROUP BY
    try:
        for dataset_id, entry in manifest.datasets.items():
            dataset = catalog.datasets.get(dataset_id)
            if dataset is None:
                continue
            for resource in dataset.resources:
                if resource.name not in entry.resources or not resource.facet_columns:
                    continue
                rows = facet_cube(conn, resource.name, resource.facet_columns)
                if rows is None:
                    continue
                cube = {"columns": resource.facet_columns, "rows": rows}
                cubes[resource.name] = cube
                numeric = {f["name"]: f.get("type", "string") for f in resource.fields}
                parquet = downloads_dir(release, dataset_id) / table_file(resource.name, "parquet")
                store = release / FACET_STORE_DIR
                write_store(conn, resource.name, cube, numeric, store, parquet)
    finally:
        conn.close()
    path = release / FACET_COUNTS_FILE
    path.write_text(json.dumps(dict(sorted(cubes.items())), ensure_ascii=False) + "\n")
    return path
