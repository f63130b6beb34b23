"""Build orchestration: every selected dataset through fetch, read, normalise, validate, load and
export, then the catalog and Datasette metadata, then one atomic release.

Nothing is built twice (stages/reuse.py): a dataset whose input digest equals the one the
published release recorded is taken from that release, and when nothing changed at all the build
does no work and leaves the published release as it is (`force` builds anyway).

A dataset is published whole or not at all. When one fails (bad rows, a missing file, a broken
reader), its tables and downloads from the previous release are carried into the new one, so a
failed pipeline never takes down what was published before; the other datasets still build.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .core import freshness, table_cache
from .core import release as releases
from .core.checksum import sha256_file
from .core.errors import EXIT_USAGE, FetchError, Issue, JendelaError
from .core.indicators import load_indicators
from .core.issue_types import (
    INTERNAL_ERROR,
    SOURCE_ERROR,
    TRANSFORM_ERROR,
)
from .core.layout import DATABASE_FILE, DOWNLOADS, downloads_dir, site_dir, work_dir
from .core.manifest import (
    CARRIED,
    FAILED,
    FAILED_KEPT_PREVIOUS,
    PUBLISHED,
    DatasetEntry,
    Manifest,
)
from .core.model import DEFAULT_OUTPUT, ROOT, Dataset
from .core.progress import Progress
from .core.registry import DATASET_ID, Catalog
from .core.sort_threads import use_sorter_threads
from .stages import history, reuse
from .stages.fetch import CACHE_DIR
from .stages.snapshot import Snapshot, take_snapshot

if TYPE_CHECKING:
    import sqlite_utils

    from .table_build import BuildRun

SCHEMA_COOKIE = 1  # the database header's schema version after the build's VACUUM (_vacuum)


@dataclass
class DatasetResult:
    id: str
    status: str  # core/manifest.py: PUBLISHED, FAILED, FAILED_KEPT_PREVIOUS or CARRIED
    issues: list[Issue] = field(default_factory=list)
    entry: DatasetEntry = field(default_factory=DatasetEntry)  # its manifest entry


@dataclass
class BuildResult:
    output: Path
    results: list[DatasetResult]
    seconds: float
    timings: list[dict] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)  # smaller tables let through, with counts
    unchanged: bool = False  # nothing changed since the published release: no work was done
    reused: list[str] = field(default_factory=list)  # datasets taken from the previous release

    @property
    def failed(self) -> list[DatasetResult]:
        return [r for r in self.results if r.status.startswith("failed")]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def build(
    catalog: Catalog,
    ids: list[str] | None = None,
    output: Path = DEFAULT_OUTPUT,
    cache_dir: Path | None = None,
    remote: bool = False,
    progress: Progress | None = None,
    source_overrides: dict[str, Path] | None = None,
    site_options=None,
    wait: float = 0.0,
    accept_fewer_rows: bool = False,
    force: bool = False,
) -> BuildResult:
    """Build `ids` (default: all) into a new release and publish it at `output` atomically.

    `site_options` (catalog.SiteOptions) sets the static site's base URL and map boundaries.

    `source_overrides` maps a resource name to a file, folder or glob read instead of the
    embedded input (for builds on full real exports kept outside the repository).

    One build per output folder: `wait` seconds for another build to finish, then
    release.BuildLockedError (core/release.py explains the lock, leftovers and leases).

    `accept_fewer_rows` lets a table that is empty or shrank past its `max_row_drop_pct` be
    published (stages/row_count.py); otherwise it fails its dataset.

    `force` builds every selected dataset again even when its inputs did not change
    (stages/reuse.py); `remote` does too, since a source's bytes are known only once fetched.
    """
    with releases.build_lock(output, wait):
        releases.clean_leftovers(output)
        return _build_locked(
            catalog,
            ids,
            output,
            cache_dir,
            remote,
            progress,
            source_overrides,
            site_options,
            accept_fewer_rows,
            force,
        )


def _build_locked(
    catalog: Catalog,
    ids: list[str] | None,
    output: Path,
    cache_dir: Path | None,
    remote: bool,
    progress: Progress | None,
    source_overrides: dict[str, Path] | None,
    site_options,
    accept_fewer_rows: bool = False,
    force: bool = False,
) -> BuildResult:
    from .catalog.options import SiteOptions

    site_options = site_options or SiteOptions()
    progress = progress or Progress(quiet=True)
    overrides = {name: Path(path) for name, path in (source_overrides or {}).items()}
    cache_dir = cache_dir or output.parent / CACHE_DIR.relative_to(ROOT)
    started = time.perf_counter()
    previous = releases.current_release(output)
    if ids and (previous is None or not (previous / DATABASE_FILE).is_file()):
        catalog.select(ids)  # unknown ids are reported as asked, before dependencies are added
        ids = catalog.with_dependencies(ids)
    selected = catalog.select(ids)
    previous_manifest = _read_manifest(previous)
    plan = _plan(catalog, selected, previous, previous_manifest, overrides, site_options, remote)
    if force:
        plan.reusable.clear()
    if plan.unchanged and not force:
        entries = previous_manifest.datasets
        results = [DatasetResult(d.id, PUBLISHED, entry=entries[d.id]) for d in selected]
        seconds = time.perf_counter() - started
        reused = [d.id for d in selected]
        return BuildResult(output, results, seconds, unchanged=True, reused=reused)
    # Imported only now: a rebuild with nothing to do stops above without loading pandas,
    # frictionless and the rest (most of a no-op rebuild's time would be these imports).
    import sqlite_utils

    from .catalog.history_pages import write_history_pages
    from .checks.indicators import write_indicator_tables
    from .stages.export_jobs import ExportJobs
    from .stages.row_count import RowGuard
    from .table_build import BuildRun, StageTimer

    guard = RowGuard.from_manifest(previous_manifest, accept_fewer_rows)
    release = releases.new_release(output)
    release.chmod(0o755)
    timer = StageTimer(started=time.time() - (time.perf_counter() - started))
    exports = ExportJobs()
    try:
        db_path = release / DATABASE_FILE
        subset = bool(ids) and previous is not None and (previous / DATABASE_FILE).is_file()
        if subset:
            shutil.copyfile(previous / DATABASE_FILE, db_path)
        db = sqlite_utils.Database(db_path)
        db.conn.execute("PRAGMA journal_mode=OFF")
        db.conn.execute("PRAGMA synchronous=OFF")
        use_sorter_threads(db.conn)
        run = BuildRun(
            db,
            release,
            cache_dir,
            remote,
            overrides,
            progress,
            timer,
            site_options.base,
            catalog,
            guard,
            exports,
        )
        results: dict[str, DatasetResult] = {}
        if subset:
            for dataset_id, entry in previous_manifest.datasets.items():
                if dataset_id in catalog.datasets and dataset_id not in {d.id for d in selected}:
                    reuse.link_dataset_files(previous, release, dataset_id)
                    results[dataset_id] = DatasetResult(dataset_id, CARRIED, entry=entry)
        for number, dataset in enumerate(selected, start=1):
            progress.dataset(number, len(selected), dataset.id)
            _drop_dataset_tables(db, dataset)
            if dataset.id in plan.reusable:
                progress.note(REUSED)
                entry = previous_manifest.datasets[dataset.id]
                entry = reuse.take_previous(db.conn, previous, release, dataset, entry)
                results[dataset.id] = DatasetResult(dataset.id, PUBLISHED, entry=entry)
                continue
            result = _build_dataset(run, dataset)
            result.entry = plan.record(dataset.id, result.entry)
            if result.status == FAILED:
                _keep_previous(db, dataset, result, previous, release, previous_manifest)
            results[dataset.id] = result
        # Downloads written by workers: a dataset whose file failed is failed like any other.
        # Nothing is left uncommitted while they read the database.
        with timer.timed("export workers (wait)"):
            db.conn.commit()
            failed_exports = exports.finish()
        timer.record_workers(exports.done)
        for dataset_id, issues in failed_exports.items():
            result = _export_failed(run, catalog.datasets[dataset_id], results[dataset_id], issues)
            _keep_previous(
                db, catalog.datasets[dataset_id], result, previous, release, previous_manifest
            )
            results[dataset_id] = result
        exports.close()
        with timer.timed("manifest"):
            shutil.rmtree(work_dir(release), ignore_errors=True)
            manifest = _manifest(catalog, results)
            manifest.inputs_sha256 = plan.catalog_of(manifest)
        # Red flags read the procurement tables as published: after every dataset, whole again.
        progress.note("tanda bahaya / red flags")
        indicators = load_indicators(catalog.vocabulary.directory)
        with timer.timed("red flags"):
            flagged = write_indicator_tables(db.conn, indicators, site_dir(release) / DOWNLOADS)
        if flagged:
            read = {i.table for i in indicators if i.table}
            flagged["reads"] = sorted(read)
            flagged["sample"] = any(
                bool(e.sample) for e in manifest.datasets.values() if read & set(e.resources)
            )
            manifest.indicators = flagged
        manifest.save(release)
        with timer.timed("changes"):
            kept = _changes(db, catalog, manifest, release, previous, site_options)
        with timer.timed("optimize"):
            db.conn.execute("PRAGMA optimize")
            db.conn.close()
        with timer.timed("vacuum"):
            _vacuum(db_path)
        progress.note("catalog")
        from .catalog.datasette_metadata import write_datasette_files
        from .catalog.site import render_site

        with timer.timed("site"):
            views = render_site(catalog, manifest, release, site_options, previous, kept)
        write_datasette_files(catalog, manifest, release, timer.timed)
        with timer.timed("history"):
            history.archive(release, previous, kept)  # the database is final now
            write_history_pages(views, release, site_options, kept)
        with timer.timed("publish"):
            releases.publish(output, release, expected=previous)
    except BaseException:
        exports.close()  # no worker writes into the release once it is gone
        releases.discard(release)
        raise
    ordered = [results[d] for d in catalog.build_order() if d in results]
    seconds = time.perf_counter() - started
    reused = sorted(plan.reusable & set(results))
    return BuildResult(output, ordered, seconds, timer.records, guard.accepted, reused=reused)


REUSED = "dipakai ulang dari rilis sebelumnya / reused from the previous release"


def _plan(
    catalog: Catalog,
    selected: list[Dataset],
    previous: Path | None,
    previous_manifest: Manifest,
    overrides: dict[str, Path],
    site_options,
    remote: bool,
) -> reuse.Plan:
    """What this build may take from `previous` (stages/reuse.py); nothing with --remote."""
    if remote:
        return reuse.Plan()
    code = reuse.code_digest(catalog.vocabulary.directory)
    boundaries = site_options.boundaries
    site = {
        "base": site_options.base,
        "day": site_options.day.isoformat(),
        "boundaries": [str(boundaries.path), sha256_file(boundaries.path), boundaries.licence]
        if boundaries
        else None,
    }
    ids = [d.id for d in selected]
    return reuse.plan(catalog, ids, previous, previous_manifest, code, site, overrides)


def _changes(db, catalog: Catalog, manifest: Manifest, release, previous, options) -> list:
    """The release's id and history (stages/history.py), and its row-level changes against the
    release before it written into the database (stages/changes.py). Returns the history."""
    from .stages.changes import Table, write_changes

    keep = history.keep_releases(catalog.vocabulary.directory)
    new_id = history.release_id(release, manifest)
    kept = history.plan(previous, new_id, options.day.isoformat(), keep)
    base = history.base_of(kept)
    tables = [
        Table(dataset.id, resource.name, tuple(resource.primary_key))
        for dataset_id, entry in manifest.datasets.items()
        if dataset_id in catalog.datasets
        for dataset in [catalog.datasets[dataset_id]]
        for resource in dataset.resources
        if resource.name in entry.resources and resource.primary_key
    ]
    write_changes(db.conn, history.archived_database(previous, base), tables, base)
    return kept


def site_options(
    base_url: str | None = None,
    boundaries: Path | None = None,
    boundaries_licence: str | None = None,
    today: str | None = None,
):
    """The static site's options from the command line. A bad boundary file fails here, before
    any dataset is built (catalog.maps.BoundariesError names the file and the place in it)."""
    from .catalog.options import DEFAULT_BASE_URL, SiteOptionError, SiteOptions

    if boundaries_licence and not boundaries:
        raise SiteOptionError("--boundaries-licence needs --boundaries GEOJSON")
    if base_url and not base_url.startswith(("http://", "https://")):
        raise SiteOptionError(f"--base-url must be an http(s) address, got {base_url!r}")
    freshness.today(today)  # a malformed --today stops here, before any dataset is built
    return SiteOptions(
        base_url=base_url or DEFAULT_BASE_URL,
        boundaries=_boundaries(boundaries, boundaries_licence),
        today=today,
    )


def _boundaries(path: Path | None, licence: str | None):
    """The boundary file, read only when one is given (the reader loads pandas and shapely)."""
    if not path:
        return None
    from .catalog.maps import load_boundaries

    return load_boundaries(path, licence)


def _build_dataset(run: BuildRun, dataset: Dataset) -> DatasetResult:
    """Every table of `dataset`, stopping at the first that fails; a failed dataset leaves no
    table or download of its own in the release (build.py carries the previous ones)."""
    from .readers import ReaderError
    from .stages.coverage import dataset_coverage
    from .stages.export import export_package, export_zip
    from .stages.transforms import TransformLoadError, load_transforms
    from .table_build import build_table

    db, release = run.db, run.release
    work = work_dir(release) / dataset.id
    work.mkdir(parents=True, exist_ok=True)
    entry = DatasetEntry()
    issues_all: list[Issue] = []
    current = None  # the resource being built, so a source error names it
    try:
        transforms = load_transforms(dataset)
        for resource in dataset.resources:
            current = resource
            issues, resource_entry = build_table(
                run, dataset, resource, work, transforms.get(resource.name)
            )
            entry.reports[resource.name] = resource_entry.pop("report")
            issues_all += issues
            if issues:
                break
            entry.resources[resource.name] = resource_entry
    except (FetchError, ReaderError, TransformLoadError) as exc:
        issues_all.append(
            Issue(
                dataset=dataset.id,
                resource=current.name if current else "-",
                type=TRANSFORM_ERROR if isinstance(exc, TransformLoadError) else SOURCE_ERROR,
                message=str(exc),
                file=run.source_label(current) if current else None,
                hint="fix transform.py"
                if isinstance(exc, TransformLoadError)
                else "check jendela.source and jendela.options in the descriptor",
            )
        )
    except JendelaError as exc:
        if exc.exit_code == EXIT_USAGE:  # a usage or configuration error stops the whole run
            raise
        issues_all.append(_unexpected(dataset, current, exc))
    except Exception as exc:  # noqa: BLE001 - one dataset's failure must not end the run
        issues_all.append(_unexpected(dataset, current, exc))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if issues_all:
        if run.exports:
            run.exports.discard(dataset.id)
        _drop_dataset_tables(db, dataset)
        shutil.rmtree(downloads_dir(release, dataset.id), ignore_errors=True)
        return DatasetResult(dataset.id, FAILED, issues_all, entry)
    # Rows, regions and years as the loaded tables hold them (pipelines/stages/coverage.py).
    with run.timer.timed("coverage", dataset.id):
        entry.coverage = dataset_coverage(db.conn, dataset, entry.resources)
    # Sample data stays labelled as such unless every table came from a real source this time.
    entry.sample = dataset.is_sample and not all(
        r.name in run.overrides or (run.remote and r.source_url) for r in dataset.resources
    )
    with run.timer.timed("datapackage", dataset.id):
        package = export_package(dataset, release, db, run.catalog)
    entry.datapackage = package.as_dict()
    with run.timer.timed("zip", dataset.id):
        entry.zip = export_zip(dataset, release).as_dict()
    return DatasetResult(dataset.id, PUBLISHED, [], entry)


def _keep_previous(
    db, dataset: Dataset, result: DatasetResult, previous, release, previous_manifest
) -> None:
    """A failed dataset keeps its last good tables and downloads, when there are any."""
    kept = _carry_previous(db, dataset, previous, release, previous_manifest)
    if kept:
        result.status = FAILED_KEPT_PREVIOUS
        result.entry = replace(kept, last_attempt_failed=True, reports=result.entry.reports)


def _export_failed(
    run: BuildRun, dataset: Dataset, built: DatasetResult, issues: list[Issue]
) -> DatasetResult:
    """A dataset whose download a worker could not write, after its tables were built: it
    leaves no table or download in the release, as if it had failed while building. The table's
    report, written valid before the worker failed, lists the failure too."""
    from .catalog.report import add_to_report  # here: a build with nothing to do never needs it

    _drop_dataset_tables(run.db, dataset)
    shutil.rmtree(downloads_dir(run.release, dataset.id), ignore_errors=True)
    reports = dict(built.entry.reports)
    for table in dict.fromkeys(issue.resource for issue in issues):
        if table in reports:
            failed = [issue for issue in issues if issue.resource == table]
            reports[table] = add_to_report(run.release, dataset.id, table, failed)
    return DatasetResult(dataset.id, FAILED, issues, DatasetEntry(reports=reports))


def _unexpected(dataset: Dataset, resource, exc: Exception) -> Issue:
    """An error nobody foresaw, as the failure of this dataset only (the other datasets still
    build, and its previous release stays). The message names the table and the kind of error;
    the library's own text goes to the report's `extra`, not to the message."""
    name = resource.name if resource else "-"
    return Issue(
        dataset=dataset.id,
        resource=name,
        type=INTERNAL_ERROR,
        message=(
            f"galat tak terduga saat membangun tabel {name} ({type(exc).__name__}); dataset lain "
            f"tetap dibangun / unexpected error while building table {name} "
            f"({type(exc).__name__}); the other datasets still build"
        ),
        hint=(
            "laporkan galat ini beserta laporan JSON-nya / report this error with its JSON report"
        ),
        extra={"detail": str(exc)[:2000]},
    )


def _tables_of(db_conn: sqlite3.Connection, names: set[str]) -> list:
    """sqlite_master rows of the given tables plus their indexes and full-text tables."""
    rows = db_conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL"
    ).fetchall()

    def belongs(tbl: str) -> bool:
        return tbl in names or any(tbl.startswith(f"{n}_fts") for n in names)

    return [r for r in rows if belongs(r[2])]


def _drop_dataset_tables(db: sqlite_utils.Database, dataset: Dataset) -> None:
    names = {r.name for r in dataset.resources}
    objects = _tables_of(db.conn, names)
    # Full-text tables first: dropping a virtual table drops its shadow tables with it, while
    # dropping a shadow table first leaves a virtual table that can no longer be opened.
    objects.sort(key=lambda row: "VIRTUAL TABLE" not in (row[3] or "").upper())
    dropped = [name for kind, name, _tbl, _sql in objects if kind == "table"]
    for name in dropped:
        db.conn.execute(f"DROP TABLE IF EXISTS [{name}]")
    db.conn.commit()
    table_cache.forget(db.conn, dropped)  # one made again may look unchanged to kept values


def _carry_previous(
    db, dataset: Dataset, previous: Path | None, release: Path, previous_manifest: Manifest
) -> DatasetEntry | None:
    """Copy the dataset's last good tables and downloads from the previous release."""
    entry = previous_manifest.datasets.get(dataset.id)
    if previous is None or not entry or not (previous / DATABASE_FILE).is_file():
        return None
    reuse.copy_tables(db.conn, previous / DATABASE_FILE, set(entry.resources))
    reuse.link_dataset_files(previous, release, dataset.id, folders=[DOWNLOADS])
    return entry


def _manifest(catalog: Catalog, results: dict[str, DatasetResult]) -> Manifest:
    datasets = {}
    for dataset_id in catalog.build_order():
        if dataset_id in results:
            result = results[dataset_id]
            datasets[dataset_id] = replace(result.entry, status=result.status)
    return Manifest(datasets)


def _read_manifest(release: Path | None) -> Manifest:
    if release is None:
        return Manifest()
    try:
        return Manifest.load(release)
    except (FileNotFoundError, ValueError):
        return Manifest()


def _vacuum(path: Path) -> None:
    """Compact the database into a new file (VACUUM INTO) that replaces it.

    A new file, and a schema cookie set to one value, because SQLite's header counts write
    transactions and schema changes: a build that takes datasets from the previous release
    (stages/reuse.py) makes fewer than a full build, yet must write the same bytes."""
    compact = path.with_name(f"{path.name}.vacuum")
    compact.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    try:
        conn.execute("VACUUM INTO ?", (str(compact),))
    finally:
        conn.close()
    conn = sqlite3.connect(compact)
    try:
        conn.execute(f"PRAGMA schema_version = {SCHEMA_COOKIE}")
    finally:
        conn.close()
    os.replace(compact, path)


def snapshot(datasets_dir: Path, dataset_id: str, url: str, **facts) -> Snapshot:
    """`publish.py snapshot`: keep a copy of a public file for dataset `dataset_id` (its folder
    is made if new) with its provenance entry; `facts` are take_snapshot's licence and publisher
    keywords. The id is checked here because the folder does not exist yet to be loaded."""
    if not DATASET_ID.match(dataset_id):
        raise JendelaError(
            f"{dataset_id!r}: id dataset hanya huruf kecil, angka dan tanda hubung / a dataset "
            "id is lower-case letters, digits and hyphens"
        )
    return take_snapshot(datasets_dir / dataset_id, url, **facts)
