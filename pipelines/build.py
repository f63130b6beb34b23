"""Build orchestration: every selected dataset through fetch, read, normalise, validate, load and
export, then the catalog and Datasette metadata, then one atomic release.

A dataset is published whole or not at all. When one fails (bad rows, a missing file, a broken
reader), its tables and downloads from the previous release are carried into the new one, so a
failed pipeline never takes down what was published before; the other datasets still build.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlite_utils

from .catalog.report import write_report
from .checks.indicators import write_indicator_tables
from .checks.runner import is_warning, run_checks, run_gates  # the package registers them all
from .core import release as releases
from .core.chunks import chunk_rows
from .core.errors import EXIT_USAGE, FetchError, Issue, JendelaError, RowMap
from .core.indicators import load_indicators
from .core.issue_types import (
    INTERNAL_ERROR,
    MISSING_COLUMN,
    SOURCE_ERROR,
    TOO_MANY_ERRORS,
    TRANSFORM_ERROR,
)
from .core.layout import (
    DATABASE_FILE,
    DOWNLOADS,
    REPORTS,
    downloads_dir,
    site_dir,
    table_file,
)
from .core.manifest import (
    CARRIED,
    FAILED,
    FAILED_KEPT_PREVIOUS,
    PUBLISHED,
    DatasetEntry,
    Manifest,
)
from .core.model import ROOT, Dataset
from .core.progress import Progress
from .core.registry import DATASET_ID, Catalog
from .readers import DEFAULT_CHUNK_ROWS, FILE_COLUMN, ReaderError, read_chunks
from .stages.coverage import dataset_coverage
from .stages.export import describe_file, export_package, export_resource, export_zip
from .stages.fetch import CACHE_DIR, fetch_resource
from .stages.load import add_indexes, check_foreign_keys, create_table, insert_rows
from .stages.normalise import ChunkError, normalise_chunk, ragged_issues
from .stages.ocds import write_release_package
from .stages.quarantine import can_quarantine, quarantine
from .stages.regions import fill_region_codes, fill_region_names
from .stages.row_count import RowGuard
from .stages.snapshot import Snapshot, take_snapshot
from .stages.transforms import TransformLoadError, load_transforms
from .stages.validate import LIMIT_ERRORS, validate_table

DEFAULT_OUTPUT = ROOT / "build"


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

    @property
    def failed(self) -> list[DatasetResult]:
        return [r for r in self.results if r.status.startswith("failed")]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


class StageTimer:
    """Wall time, rows and peak memory per stage, for the benchmark (and --timings)."""

    def __init__(self) -> None:
        self.records: list[dict] = []

    def record(self, dataset: str, resource: str, stage: str, seconds: float, rows: int) -> None:
        import resource as rusage

        peak_kb = rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss
        self.records.append(
            {
                "dataset": dataset,
                "resource": resource,
                "stage": stage,
                "seconds": round(seconds, 3),
                "rows": rows,
                "peak_rss_mb": round(peak_kb / 1024, 1),
            }
        )


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
) -> BuildResult:
    """Build `ids` (default: all) into a new release and publish it at `output` atomically.

    `site_options` (catalog.SiteOptions) sets the static site's base URL and map boundaries.

    `source_overrides` maps a resource name to a file, folder or glob read instead of the
    embedded input (for builds on full real exports kept outside the repository).

    One build per output folder: `wait` seconds for another build to finish, then
    release.BuildLockedError (core/release.py explains the lock, leftovers and leases).

    `accept_fewer_rows` lets a table that is empty or shrank past its `max_row_drop_pct` be
    published (stages/row_count.py); otherwise it fails its dataset.
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
) -> BuildResult:
    from .catalog.site import SiteOptions

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
    guard = RowGuard.from_manifest(previous_manifest, accept_fewer_rows)
    release = releases.new_release(output)
    release.chmod(0o755)
    timer = StageTimer()
    try:
        db_path = release / DATABASE_FILE
        subset = bool(ids) and previous is not None and (previous / DATABASE_FILE).is_file()
        if subset:
            shutil.copyfile(previous / DATABASE_FILE, db_path)
        db = sqlite_utils.Database(db_path)
        db.conn.execute("PRAGMA journal_mode=OFF")
        db.conn.execute("PRAGMA synchronous=OFF")
        results: dict[str, DatasetResult] = {}
        if subset:
            for dataset_id, entry in previous_manifest.datasets.items():
                if dataset_id in catalog.datasets and dataset_id not in {d.id for d in selected}:
                    _copy_dataset_files(previous, release, dataset_id)
                    results[dataset_id] = DatasetResult(dataset_id, CARRIED, entry=entry)
        for number, dataset in enumerate(selected, start=1):
            progress.dataset(number, len(selected), dataset.id)
            _drop_dataset_tables(db, dataset)
            result = _build_dataset(
                db,
                dataset,
                release,
                cache_dir,
                remote,
                overrides,
                progress,
                timer,
                site_options.base,
                catalog,
                guard,
            )
            if result.status == FAILED:
                kept = _carry_previous(db, dataset, previous, release, previous_manifest)
                if kept:
                    result.status = FAILED_KEPT_PREVIOUS
                    result.entry = replace(
                        kept, last_attempt_failed=True, reports=result.entry.reports
                    )
            results[dataset.id] = result
        shutil.rmtree(release / ".work", ignore_errors=True)
        manifest = _manifest(catalog, results)
        # Red flags read the procurement tables as published: after every dataset, whole again.
        progress.note("tanda bahaya / red flags")
        indicators = load_indicators(catalog.vocabulary.directory)
        flagged = write_indicator_tables(db.conn, indicators, site_dir(release) / DOWNLOADS)
        if flagged:
            read = {i.table for i in indicators if i.table}
            flagged["reads"] = sorted(read)
            flagged["sample"] = any(
                bool(e.sample) for e in manifest.datasets.values() if read & set(e.resources)
            )
            manifest.indicators = flagged
        manifest.save(release)
        db.conn.execute("PRAGMA optimize")
        db.conn.close()
        _vacuum(db_path)
        progress.note("catalog")
        from .catalog.datasette_metadata import write_datasette_files
        from .catalog.site import render_site

        render_site(catalog, manifest, release, site_options)
        write_datasette_files(catalog, manifest, release)
        releases.publish(output, release, expected=previous)
    except BaseException:
        releases.discard(release)
        raise
    ordered = [results[d] for d in catalog.build_order() if d in results]
    return BuildResult(
        output, ordered, time.perf_counter() - started, timer.records, guard.accepted
    )


def site_options(
    base_url: str | None = None,
    boundaries: Path | None = None,
    boundaries_licence: str | None = None,
):
    """The static site's options from the command line. A bad boundary file fails here, before
    any dataset is built (catalog.maps.BoundariesError names the file and the place in it)."""
    from .catalog.maps import load_boundaries
    from .catalog.site import DEFAULT_BASE_URL, SiteOptionError, SiteOptions

    if boundaries_licence and not boundaries:
        raise SiteOptionError("--boundaries-licence needs --boundaries GEOJSON")
    if base_url and not base_url.startswith(("http://", "https://")):
        raise SiteOptionError(f"--base-url must be an http(s) address, got {base_url!r}")
    return SiteOptions(
        base_url=base_url or DEFAULT_BASE_URL,
        boundaries=load_boundaries(boundaries, boundaries_licence) if boundaries else None,
    )


def _build_dataset(
    db: sqlite_utils.Database,
    dataset: Dataset,
    release: Path,
    cache_dir: Path,
    remote: bool,
    overrides: dict[str, Path],
    progress: Progress,
    timer: StageTimer,
    base_url: str,
    catalog: Catalog | None = None,
    guard: RowGuard | None = None,
) -> DatasetResult:
    work = release / ".work" / dataset.id
    work.mkdir(parents=True, exist_ok=True)
    entry = DatasetEntry()
    issues_all: list[Issue] = []
    current = None  # the resource being built, so a source error names it
    try:
        transforms = load_transforms(dataset)
        for resource in dataset.resources:
            current = resource
            issues, resource_entry = _build_resource(
                db,
                dataset,
                resource,
                release,
                work,
                cache_dir,
                remote,
                overrides,
                transforms.get(resource.name),
                progress,
                timer,
                base_url,
                guard or RowGuard(),
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
                file=_source_label(current, overrides) if current else None,
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
        _drop_dataset_tables(db, dataset)
        shutil.rmtree(downloads_dir(release, dataset.id), ignore_errors=True)
        return DatasetResult(dataset.id, FAILED, issues_all, entry)
    # Rows, regions and years as the loaded tables hold them (pipelines/stages/coverage.py).
    entry.coverage = dataset_coverage(db.conn, dataset, entry.resources)
    # Sample data stays labelled as such unless every table came from a real source this time.
    entry.sample = dataset.is_sample and not all(
        r.name in overrides or (remote and r.source_url) for r in dataset.resources
    )
    package = export_package(dataset, release, db, catalog)
    entry.datapackage = package.as_dict()
    entry.zip = export_zip(dataset, release).as_dict()
    return DatasetResult(dataset.id, PUBLISHED, [], entry)


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


def _source_label(resource, overrides: dict[str, Path]) -> str:
    """The input a resource reads, as a person would name it (the override or the embedded path)."""
    if resource.name in overrides:
        return str(overrides[resource.name])
    return f"datasets/{resource.dataset_id}/{resource.ext['source']['path']}"


def _build_resource(
    db,
    dataset,
    resource,
    release,
    work,
    cache_dir,
    remote,
    overrides,
    transform,
    progress,
    timer,
    base_url,
    guard,
) -> tuple[list[Issue], dict]:
    tick = time.perf_counter()
    fetched = fetch_resource(
        dataset,
        resource,
        cache_dir=cache_dir,
        remote=remote,
        override=overrides.get(resource.name),
        notify=progress.note,
    )
    timer.record(dataset.id, resource.name, "fetch", time.perf_counter() - tick, 0)

    progress.stage(resource.name, "read+normalise")
    tick = time.perf_counter()
    staging = work / f"{resource.name}.csv"
    rows_from = RowMap()
    issues: list[Issue] = []
    bad_cells: set[tuple[str | None, int | None, str | None]] = set()  # (file, row, column)
    # Parse errors stop at the validator's limit, counted over all chunks: past it the table
    # fails whole (no quarantine), since its remaining bad rows are not named.
    limit_reached = False
    parse_errors = 0
    try:
        with open(staging, "w", encoding="utf-8", newline="") as out:
            out.write(",".join(resource.field_names) + "\n")
            for raw in fetched:
                origin = raw.provenance["source"]
                for chunk in read_chunks(
                    resource.reader,
                    raw.path,
                    resource.reader_options,
                    chunk_rows(DEFAULT_CHUNK_ROWS),
                ):
                    ragged = ragged_issues(resource, origin, chunk)
                    room = max(LIMIT_ERRORS - parse_errors, 0)
                    limit_reached = limit_reached or len(ragged) > room
                    ragged = ragged[:room]
                    issues += ragged
                    bad_cells |= {(i.file, i.row, i.column) for i in ragged}
                    parse_errors += len(ragged)
                    chunk.insert(1, FILE_COLUMN, origin)
                    room = max(LIMIT_ERRORS - parse_errors, 0)
                    normalised = normalise_chunk(
                        chunk, resource, origin, transform, room, source_path=raw.path
                    )
                    parse_errors += len(normalised.issues)
                    fill_region_codes(db, resource, normalised, origin)
                    fill_region_names(db, resource, normalised)
                    normalised.frame.to_csv(out, header=False, index=False, lineterminator="\n")
                    rows_from.add(origin, normalised.rows.to_numpy())
                    issues += normalised.issues
                    bad_cells |= {(i.file, i.row, i.column) for i in normalised.issues}
                    limit_reached = limit_reached or normalised.capped
                    progress.rows(len(rows_from))
    except ChunkError as exc:
        issues.append(exc.issue)
    rows_from.freeze()
    rows = len(rows_from)
    # Personal data fails the table whatever else is wrong with it (checks/personal_data.py).
    issues += run_gates(resource, staging, rows_from)
    if limit_reached:
        issues.append(_limit_issue(resource, rows_from.label))
    timer.record(dataset.id, resource.name, "read+normalise", time.perf_counter() - tick, rows)

    # Past the limit the table fails anyway, and frictionless would only report again the cells
    # that failed to parse (empty now) without an Issue of their own: it is not run.
    stopped = limit_reached or any(
        i.type in (MISSING_COLUMN.slug, TRANSFORM_ERROR.slug) for i in issues
    )
    if not stopped:
        progress.stage(resource.name, "validate")
        tick = time.perf_counter()
        validation = validate_table(resource, staging, rows_from)
        # A cell that failed to parse is empty now; frictionless would report it again.
        issues += [i for i in validation.issues if (i.file, i.row, i.column) not in bad_cells]
        limit_reached = limit_reached or validation.limit_reached
        timer.record(dataset.id, resource.name, "validate", time.perf_counter() - tick, rows)
        issues += check_foreign_keys(db, resource, staging, rows_from)
        issues += run_checks(db, resource, staging, rows_from)
    # Findings a descriptor publishes with a warning (totals the source itself does not add up)
    # go to the report, not among the issues that fail the table.
    warnings = [i for i in issues if is_warning(i)]
    issues = [i for i in issues if not is_warning(i)]

    entry: dict = {
        "sources": [f.as_source() for f in fetched],
        "rows": rows,
    }
    if issues and resource.on_error == "quarantine" and can_quarantine(issues, limit_reached):
        target = downloads_dir(release, dataset.id) / table_file(resource.name, "quarantine")
        moved, rows_from = quarantine(staging, rows_from, issues, target)
        entry["quarantined"] = moved.rows
        entry["rows"] = rows = moved.kept
        entry["report"] = write_report(
            release,
            dataset.id,
            resource.name,
            rows_from.label,
            rows,
            issues,
            quarantined=True,
            warnings=warnings,
        )
        progress.failed(resource.name, len(issues))
        issues = []
    else:
        entry["report"] = write_report(
            release, dataset.id, resource.name, rows_from.label, rows, issues, warnings=warnings
        )
    if not issues:
        too_few = guard.check(resource, rows, rows_from.label or _source_label(resource, overrides))
        issues = [too_few] if too_few else []
        if too_few:
            entry["report"] = write_report(
                release, dataset.id, resource.name, rows_from.label, rows, issues
            )
    if issues:
        progress.failed(resource.name, len(issues))
        return issues, entry

    progress.stage(resource.name, "load")
    tick = time.perf_counter()
    create_table(db, resource)
    insert_rows(db, resource, staging)
    timer.record(dataset.id, resource.name, "load", time.perf_counter() - tick, rows)
    tick = time.perf_counter()
    add_indexes(db, resource)
    timer.record(dataset.id, resource.name, "index+fts", time.perf_counter() - tick, rows)

    progress.stage(resource.name, "export")
    tick = time.perf_counter()
    downloads = export_resource(db, resource, staging, release)
    timer.record(dataset.id, resource.name, "export", time.perf_counter() - tick, rows)
    if entry.get("quarantined"):
        downloads.append(describe_file("quarantine", target, release))
    if resource.ext.get("ocds"):
        folder = downloads_dir(release, dataset.id)
        path = write_release_package(db, dataset, resource, folder, base_url)
        downloads.append(describe_file("ocds", path, release))
    entry["downloads"] = [d.as_dict() for d in downloads]
    return [], entry


def _limit_issue(resource, source: str) -> Issue:
    """The one table-level Issue saying the list of cell problems was cut at LIMIT_ERRORS."""
    return Issue(
        dataset=resource.dataset_id,
        resource=resource.name,
        type=TOO_MANY_ERRORS,
        message=(
            f"lebih dari {LIMIT_ERRORS} sel bermasalah; sisanya tidak dicatat satu per satu dan "
            f"tabel tidak dikarantina / more than {LIMIT_ERRORS} cells could not be read; the "
            "rest are not listed one by one and the table is not quarantined"
        ),
        file=source,
        hint="perbaiki masalah yang tercantum (sering satu opsi yang salah, misalnya jenis parse "
        "atau jendela.columns, menjelaskan semuanya), lalu jalankan `python publish.py validate "
        "<id>` / fix the problems listed (often one wrong option, such as the parse kind or "
        "jendela.columns, explains them all), then run `python publish.py validate <id>`",
    )


def _tables_of(db_conn: sqlite3.Connection, names: set[str], schema: str = "main") -> list:
    """sqlite_master rows of the given tables plus their indexes and full-text tables."""
    rows = db_conn.execute(
        f"SELECT type, name, tbl_name, sql FROM {schema}.sqlite_master WHERE sql IS NOT NULL"
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
    for kind, name, _tbl, _sql in objects:
        if kind == "table":
            db.conn.execute(f"DROP TABLE IF EXISTS [{name}]")
    db.conn.commit()


def _carry_previous(
    db, dataset: Dataset, previous: Path | None, release: Path, previous_manifest: Manifest
) -> DatasetEntry | None:
    """Copy the dataset's last good tables and downloads from the previous release."""
    entry = previous_manifest.datasets.get(dataset.id)
    if previous is None or not entry or not (previous / DATABASE_FILE).is_file():
        return None
    names = set(entry.resources)
    db.conn.execute("ATTACH DATABASE ? AS previous", (str(previous / DATABASE_FILE),))
    try:
        objects = _tables_of(db.conn, names, "previous")
        shadow = {f"{n}_fts_{s}" for n in names for s in ("data", "idx", "docsize", "config")}
        for kind, name, _tbl, sql in objects:
            if kind == "table" and name not in shadow:
                db.conn.execute(sql)
                if "VIRTUAL TABLE" not in sql.upper():
                    db.conn.execute(f"INSERT INTO main.[{name}] SELECT * FROM previous.[{name}]")
                else:
                    db.conn.execute(f"INSERT INTO main.[{name}]([{name}]) VALUES('rebuild')")
        for kind, _name, _tbl, sql in objects:
            if kind == "index":
                db.conn.execute(sql)
        db.conn.commit()
    finally:
        db.conn.execute("DETACH DATABASE previous")
    _copy_dataset_files(previous, release, dataset.id, reports=False)
    return entry


def _copy_dataset_files(previous: Path, release: Path, dataset_id: str, reports=True) -> None:
    folders = [DOWNLOADS] + ([REPORTS] if reports else [])
    for folder in folders:
        source = site_dir(previous) / folder / dataset_id
        if source.is_dir():
            target = site_dir(release) / folder / dataset_id
            shutil.copytree(source, target, dirs_exist_ok=True)


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
    conn = sqlite3.connect(path)
    try:
        conn.execute("VACUUM")
    finally:
        conn.close()


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
