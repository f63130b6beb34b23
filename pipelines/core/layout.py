"""The floor plan of a release: every file and folder name a build writes, in one place.

The build writes these names, the catalog links to them, Datasette is started on them and the
served CKAN API reads them back; a name spelled twice drifts, so each is spelled here once and
everything else asks this module.

    <release>/                     (publish.py build --output points a link at it: release.py)
      jendela.db                   the SQLite database Datasette serves as `jendela`
      manifest.json                what was built: core/manifest.py
      metadata.json inspect.json facet_counts.json facet_store/<table>/store.json
      reports -> site/reports
      site/                        the static catalog, self-contained
        index.html en/ dataset/ assets/ catalog.jsonld data.json search-index.json
        sitemap.xml robots.txt atom.xml (and en/atom.xml)
        downloads/<dataset>/       datapackage.json, <dataset>.zip, <table>.csv .json .xlsx
                                   .parquet .schema.json .ocds.json .quarantine.csv
                                   .partitions.json, and partisi/<table>/<col>=<value>/...
        reports/<dataset>/         <table>.json and <table>.html (validation reports)
        rilis/index.json rilis/<id>/  release history: jendela.db manifest.json downloads/
        rilis.html terlambat.html terlambat.xml perubahan.xml (and under en/)
        dataset/<id>/perubahan.html .json .xml   row-level changes against the release before
        skor.json penerbit/index.html penerbit/<publisher>.html   quality scorecard
"""

from __future__ import annotations

from pathlib import Path

# Inside a release: the static site is self-contained (pages, downloads, reports), so any static
# host can serve `site/` alone; `reports` at the top is a link into it for people and scripts.
SITE = "site"
DOWNLOADS = "downloads"
REPORTS = "reports"
DATABASE = "jendela"  # the SQLite file is jendela.db; Datasette serves it under this name
DATABASE_FILE = f"{DATABASE}.db"
MANIFEST_FILE = "manifest.json"
# Datasette's files, written at build time (catalog/datasette_metadata.py), read by web/serve.py
METADATA_FILE = "metadata.json"
INSPECT_FILE = "inspect.json"
FACET_COUNTS_FILE = "facet_counts.json"
FACET_STORE_DIR = "facet_store"  # per-table facet cubes (stages/facet_store.py)
FACET_STORE_INDEX = "store.json"  # one table's cube: its size, columns and numeric columns
# Written last, before the swap (core/release.py); empty, so releases stay byte-identical.
COMPLETE_MARKER = ".complete"

# Files at the site root besides index.html (catalog/ writes them, web/plugin.py serves them).
CATALOG_JSONLD = "catalog.jsonld"
DATA_JSON = "data.json"
SEARCH_INDEX = "search-index.json"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
FEED = "atom.xml"  # one per language, at the root of that language's pages
SITE_FILES = (CATALOG_JSONLD, DATA_JSON, SEARCH_INDEX, SITEMAP, ROBOTS, FEED)
# Release history (stages/history.py): `rilis/<id>/` holds one release's database, manifest and
# downloads; `rilis/index.json` lists the kept releases, newest first; the page lists them too.
RELEASES_DIR = "rilis"
RELEASES_INDEX = "index.json"
RELEASES_PAGE = "rilis.html"
# Row-level changes against the release before (stages/changes.py, catalog/changes.py): the table
# in the database, and per dataset a page, JSON and Atom feed under dataset/<id>/; the
# catalog-wide feed of changes at the root of each language.
CHANGES_TABLE = "perubahan"
CHANGES_PAGE = "perubahan.html"
CHANGES_JSON = "perubahan.json"
CHANGES_FEED = "perubahan.xml"
# Freshness (catalog/freshness.py): the public list of overdue datasets and its feed.
OVERDUE_PAGE = "terlambat.html"
OVERDUE_FEED = "terlambat.xml"
# The history's files at the root of each language's pages (web/plugin.py serves them).
HISTORY_FILES = (RELEASES_PAGE, OVERDUE_PAGE, OVERDUE_FEED, CHANGES_FEED)
# Quality scorecard (catalog/scorecard.py): every criterion of every dataset, as a typed JSON file
# at the site root and a table in the database; a page per publisher under penerbit/ (and their
# index), per language.
SCORECARD_FILE = "skor.json"
SCORECARD_TABLE = "skor"
PUBLISHERS_DIR = "penerbit"
# The red-flag methodology page, per language, written when metadata/indicators.yaml has any.
METHODOLOGY_PAGE = "tanda-bahaya.html"

# The catalog's stylesheet and script, linked with a digest of their bytes
# (`assets/style.css?v=<12 hex digits>`): the address changes whenever the file does, so browsers,
# proxies and CDNs may keep it for a year (web/caching.py answers it as immutable).
ASSETS = "assets"
ASSET_VERSION = "v"
ASSET_DIGITS = 12

# Where each language's pages live inside the site: Indonesian at the root, English under en/.
LANGUAGE_PREFIX = {"id": "", "en": "en/"}


def dataset_page(dataset_id: str, lang: str) -> str:
    """The site path of a dataset's page in `lang` (`dataset/<id>/`, `en/dataset/<id>/`)."""
    return f"{LANGUAGE_PREFIX[lang]}dataset/{dataset_id}/"


# A dataset's downloads: the package, its zip, and per table one file per format.
DATAPACKAGE = "datapackage.json"
TABLE_SUFFIXES = {
    "csv": ".csv",
    "json": ".json",
    "xlsx": ".xlsx",
    "parquet": ".parquet",
    "schema": ".schema.json",  # the table's Table Schema on its own
    "ocds": ".ocds.json",  # an OCDS release package (stages/ocds.py)
    "quarantine": ".quarantine.csv",  # the rows left out, with why
    "partitions": ".partitions.json",  # the index of the table's partitioned Parquet files
}
# Parquet partitioned by year and region (stages/partitions.py), hive layout:
# downloads/<dataset>/partisi/<table>/tahun=2024/kode_wilayah=32.71/part-0.parquet
PARTITIONS_DIR = "partisi"
PARTITION_FILE = "part-{i}.parquet"  # pyarrow's basename template; one file per folder
# Downloads of a table that are not its data in another format: the rows left out (quarantine),
# the Table Schema the data conforms to, and the index of its partitioned Parquet files (a list
# of files, not the data). None is a format facet nor a DCAT distribution.
NOT_DATA_FORMATS = ("quarantine", "schema", "partitions")


def versioned(url: str, sha256: str) -> str:
    """`url` naming the bytes it serves: `versioned("assets/style.css", "9f2c...")` is
    `assets/style.css?v=9f2c...` (ASSET_DIGITS of the SHA-256)."""
    return f"{url}?{ASSET_VERSION}={sha256[:ASSET_DIGITS]}"


def site_dir(release: Path) -> Path:
    return release / SITE


# A build's scratch files inside the release it writes (staging CSVs per dataset, the export
# workers' own links to them): never published, removed once every export job is collected.
WORK_DIR = ".work"


def work_dir(release: Path) -> Path:
    return release / WORK_DIR


def downloads_dir(release: Path, dataset_id: str) -> Path:
    """`site/downloads/<dataset>/` of a release."""
    return site_dir(release) / DOWNLOADS / dataset_id


def table_file(table: str, fmt: str) -> str:
    """The download name of one table in one format: `table_file("apbd", "schema")` is
    `apbd.schema.json`."""
    return table + TABLE_SUFFIXES[fmt]


def zip_file(dataset_id: str) -> str:
    return f"{dataset_id}.zip"


def report_paths(dataset_id: str, table: str) -> tuple[str, str]:
    """A table's validation report as JSON and HTML, relative to the site."""
    base = f"{REPORTS}/{dataset_id}/{table}"
    return f"{base}.json", f"{base}.html"
