"""Reuse stage: nothing built twice. A dataset whose inputs did not change since the published
release is taken from that release instead of being read, validated, loaded and exported again;
when nothing changed at all, the build does no work.

What a dataset's tables, downloads, reports and manifest entry depend on is summed up in one
SHA-256, its input digest (`dataset_digests`), recorded in the manifest beside its entry:
- the code: every file of `pipelines/`, `site/`, the metadata folder, `datasette.yaml`,
  `publish.py` and `pyproject.toml`, plus the versions of Python, SQLite and every installed
  dependency. Conservative on purpose: any change to any of them rebuilds everything;
- every file in the dataset's folder (descriptor, transform, snapshots and their provenance);
- the build options that reach its output: the site's base URL (OCDS URIs) and the files read
  through `--source` (not JENDELA_CHUNK_ROWS: the output does not depend on the chunk size,
  tests/stages/test_chunks.py);
- the digests of the datasets it reads while building: the owners of the tables its foreign
  keys point at and of the region table (region codes, names and checks read it).
The catalog's digest (`catalog_digest`) adds what only the site and the Datasette files read
(the day freshness is judged on, the boundaries file) to every dataset digest.

A reused dataset's tables are copied from the previous database object by object in the order
they were first created, full-text shadow tables row for row, so the database after VACUUM is
byte-identical to a full build's; its downloads and reports are hard links to the previous
release's files (a release never changes a file it published). `--remote` reuses nothing: what a
source holds now is only known after downloading it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path

from ..core.checksum import sha256_file
from ..core.layout import DATABASE_FILE, DOWNLOADS, REPORTS, site_dir
from ..core.manifest import CARRIED, PUBLISHED, DatasetEntry, Manifest
from ..core.model import REGION_TABLE, ROOT, Dataset
from ..core.registry import Catalog
from .history import link_tree

CODE = ("pipelines", "site", "datasette.yaml", "publish.py", "pyproject.toml")
DISTRIBUTION = "jendela-data"  # pyproject.toml's name: its dependencies' versions count as code
SKIPPED = {"__pycache__", ".pytest_cache"}
FTS_SHADOWS = ("data", "idx", "docsize", "config", "content")  # FTS5's, and FTS4's besides
FTS_SHADOWS_FTS4 = ("segments", "segdir", "stat")
REUSABLE = (PUBLISHED, CARRIED)


def _feed(digest, *parts: str) -> None:
    """Add strings to a digest, each length-prefixed so no two sequences feed the same bytes."""
    for part in parts:
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big") + data)


def _feed_files(digest, base: Path, label: str) -> None:
    """Every file under `base` (or `base` itself), by its path relative to `base` and its bytes;
    a missing path counts as such, so creating it changes the digest."""
    if base.is_file():
        files = [base]
    elif base.is_dir():
        files = sorted(
            p for p in base.rglob("*") if p.is_file() and not SKIPPED.intersection(p.parts)
        )
    else:
        _feed(digest, label, "(missing)")
        return
    for path in files:
        name = path.relative_to(base).as_posix() if path != base else ""
        _feed(digest, f"{label}/{name}", sha256_file(path))  # streamed: inputs may be large


@functools.cache
def _versions() -> tuple[str, ...]:
    """Python, SQLite and each dependency of the project with its installed version.

    Read once per process (about 20 ms of package metadata, on every build a test process
    makes): a process runs the modules it imported, whatever is installed after it started."""
    found = [f"python {sys.version}", f"sqlite {sqlite3.sqlite_version}"]
    try:
        requirements = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return tuple(found)
    names = sorted({_requirement_name(r) for r in requirements})
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (absent)")
    return tuple(found)


def _requirement_name(requirement: str) -> str:
    for stop in " ;<>=!~[(":
        requirement = requirement.split(stop, 1)[0]
    return requirement.lower()


def code_digest(metadata_dir: Path, root: Path = ROOT) -> str:
    """A digest of the code under `root` and the shared metadata every output depends on."""
    digest = hashlib.sha256()
    for name in CODE:
        _feed_files(digest, root / name, name)
    _feed_files(digest, metadata_dir, "metadata")
    _feed(digest, *_versions())
    return digest.hexdigest()


def dataset_digests(
    catalog: Catalog, code: str, overrides: dict[str, Path], base_url: str
) -> dict[str, str]:
    """Each dataset's input digest (see the module), in build order."""
    options = json.dumps({"base_url": base_url}, sort_keys=True)
    own: dict[str, str] = {}
    for dataset_id in catalog.build_order():
        dataset = catalog.datasets[dataset_id]
        digest = hashlib.sha256()
        _feed(digest, code, options)
        _feed_files(digest, dataset.folder, "dataset")
        for resource in dataset.resources:
            if resource.name in overrides:
                _feed(digest, "source", resource.name, str(overrides[resource.name]))
                for path in resource.source_files(overrides[resource.name]):
                    _feed_files(digest, path, str(path))
        own[dataset_id] = digest.hexdigest()
    done: dict[str, str] = {}

    def final(dataset_id: str, trail: tuple[str, ...]) -> str:
        if dataset_id not in done:
            digest = hashlib.sha256()
            _feed(digest, own[dataset_id])
            for dependency in sorted(_reads(catalog, catalog.datasets[dataset_id])):
                if dependency not in trail:
                    _feed(digest, dependency, final(dependency, (*trail, dataset_id)))
            done[dataset_id] = digest.hexdigest()
        return done[dataset_id]

    return {dataset_id: final(dataset_id, ()) for dataset_id in own}


def _reads(catalog: Catalog, dataset: Dataset) -> set[str]:
    """The other datasets whose tables `dataset` reads while it is built."""
    tables = dataset.references | {REGION_TABLE}
    owners = [catalog.owner_of(name) for name in tables]
    return {owner.id for owner in owners if owner is not None and owner.id != dataset.id}


def catalog_digest(code: str, site: dict, digests: dict[str, str]) -> str:
    """The digest of a whole release: the code, what only the site reads (`site`, JSON-able)
    and every dataset's digest."""
    digest = hashlib.sha256()
    _feed(digest, code, json.dumps(site, sort_keys=True), json.dumps(digests, sort_keys=True))
    return digest.hexdigest()


@dataclass
class Plan:
    """What this build can take from the previous release instead of building it."""

    digests: dict[str, str] = field(default_factory=dict)  # empty: nothing recorded (--remote)
    code: str = ""
    site: dict = field(default_factory=dict)  # what only the site reads (`catalog_digest`)
    reusable: set[str] = field(default_factory=set)
    unchanged: bool = False  # every dataset and the catalog as published: nothing to do

    def record(self, dataset_id: str, entry: DatasetEntry) -> DatasetEntry:
        """`entry` with this build's input digest of its dataset."""
        return replace(entry, inputs_sha256=self.digests.get(dataset_id))

    def catalog_of(self, manifest: Manifest) -> str | None:
        """The catalog digest of `manifest`, over the digests its entries record (a dataset
        carried from an older release keeps the digest it was built from)."""
        if not self.digests:
            return None
        recorded = {d: e.inputs_sha256 for d, e in manifest.datasets.items()}
        return catalog_digest(self.code, self.site, recorded)


def plan(
    catalog: Catalog,
    selected: list[str],
    previous: Path | None,
    previous_manifest: Manifest,
    code: str,
    site: dict,
    overrides: dict[str, Path],
) -> Plan:
    """Which `selected` datasets the previous release holds built from the same inputs, and
    whether the previous release is what this build would publish (`unchanged`)."""
    digests = dataset_digests(catalog, code, overrides, site["base"])
    result = Plan(digests, code, site)
    if previous is None or not (previous / DATABASE_FILE).is_file():
        return result
    entries = previous_manifest.datasets
    for dataset_id in selected:
        entry = entries.get(dataset_id)
        if (
            entry
            and entry.status in REUSABLE
            and not entry.last_attempt_failed
            and entry.inputs_sha256 == digests[dataset_id]
        ):
            result.reusable.add(dataset_id)
    result.unchanged = (
        previous_manifest.inputs_sha256 == catalog_digest(code, site, digests)
        and set(selected) <= result.reusable
        and all(entries[d].status == PUBLISHED for d in selected)
    )
    return result


def copy_tables(conn: sqlite3.Connection, previous_db: Path, names: set[str]) -> None:
    """Copy tables `names` with their indexes and full-text tables from `previous_db` into the
    database of `conn`, keeping their schema, rowids and full-text index bytes.

    Objects are made in the previous database's order: each table, its rows, then its full-text
    table (whose shadow tables are filled row for row, not rebuilt), and the indexes last. VACUUM
    orders tables, indexes and virtual tables each by that order, so the result matches a build
    that made them in place."""
    conn.execute("ATTACH DATABASE ? AS previous", (str(previous_db),))
    try:
        rows = conn.execute(
            "SELECT type, name, tbl_name, sql FROM previous.sqlite_master "
            "WHERE sql IS NOT NULL ORDER BY rowid"
        ).fetchall()
        fts = {n: [r for r in rows if r[1] == f"{n}_fts"] for n in names}
        shadows = {f"{n}_fts_{s}" for n in names for s in FTS_SHADOWS + FTS_SHADOWS_FTS4}
        tables = [r for r in rows if r[0] == "table" and r[1] in names]
        for _kind, name, _table, sql in tables:
            conn.execute(sql)
            conn.execute(f"INSERT INTO main.[{name}] SELECT * FROM previous.[{name}]")
            for _k, virtual, _t, virtual_sql in fts[name]:
                conn.execute(virtual_sql)
                for _k2, shadow, _t2, _s in rows:
                    if shadow in shadows and shadow.startswith(f"{virtual}_"):
                        conn.execute(f"DELETE FROM main.[{shadow}]")
                        conn.execute(
                            f"INSERT INTO main.[{shadow}] SELECT * FROM previous.[{shadow}]"
                        )
        for kind, _name, table, sql in rows:
            if kind == "index" and table in names:
                conn.execute(sql)
        conn.commit()
    finally:
        conn.execute("DETACH DATABASE previous")


def link_dataset_files(
    previous: Path, release: Path, dataset_id: str, folders: Iterable[str] = (DOWNLOADS, REPORTS)
) -> None:
    """The dataset's downloads (and reports) of `previous` in `release`, as hard links."""
    for folder in folders:
        source = site_dir(previous) / folder / dataset_id
        if source.is_dir():
            link_tree(source, site_dir(release) / folder / dataset_id)


def take_previous(
    conn: sqlite3.Connection, previous: Path, release: Path, dataset: Dataset, entry: DatasetEntry
) -> DatasetEntry:
    """Dataset `dataset` as the previous release published it: its tables, downloads and
    reports in `release`; returns its manifest entry, published."""
    copy_tables(conn, previous / DATABASE_FILE, set(entry.resources))
    link_dataset_files(previous, release, dataset.id)
    return replace(entry, status=PUBLISHED)
