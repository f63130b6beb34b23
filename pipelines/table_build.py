"""One table of one dataset through read+normalise, judge (gates, validation, keys, checks),
report or quarantine, load and export.

build.py walks the catalog and decides what a failure costs a dataset; this module is what happens
to one table, in the order the stages must run. Each step is a function of its own so that the
order reads from `build_table` at a glance and each step names what it needs from the run.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from .catalog.report import write_report
from .checks.personal_data import personal_data_in_source_text
from .checks.runner import is_warning, run_checks, run_gates  # the package registers them all
from .core.chunks import chunk_rows
from .core.csv_lines import write_frame
from .core.errors import Issue, RowMap
from .core.issue_types import MISSING_COLUMN, TOO_MANY_ERRORS, TRANSFORM_ERROR
from .core.layout import downloads_dir, site_dir, table_file
from .core.memory import give_back
from .core.model import Dataset, catalog_name
from .core.progress import Progress
from .core.registry import Catalog
from .readers import DEFAULT_CHUNK_ROWS, FILE_COLUMN, read_chunks
from .stages import ocds
from .stages.export import (
    PendingDownload,
    describe_file,
    export_resource,
    start_xlsx,
    text_fields,
    xlsx_allowed,
)
from .stages.export_jobs import ExportJobs, committed_database
from .stages.export_xlsx import XLSX_MAX_CHARS, XLSX_MAX_ROWS, publish_progress
from .stages.fetch import fetch_resource
from .stages.load import add_indexes, check_foreign_keys, create_table, insert_rows
from .stages.normalise import ChunkError, longest_text_cell, normalise_chunk, ragged_issues
from .stages.quarantine import can_quarantine, quarantine
from .stages.regions import fill_region_codes, fill_region_names
from .stages.row_count import RowGuard
from .stages.validate import LIMIT_ERRORS, validate_table


@dataclass
class StageRows:
    """The rows a timed stage handled, when known only once it is done."""

    rows: int = 0


class StageTimer:
    """Wall time, rows and peak memory per stage, for the benchmark (and --timings).

    A table's stages carry its dataset and resource; a dataset's own work (coverage, package,
    zip) carries its dataset and no resource; the build's work after the tables (waiting for
    export workers, red flags, VACUUM, the catalog, the facet store...) carries neither. Every
    stage that costs a second on a 1M-row table is named, so what no stage holds is small."""

    def __init__(self, started: float | None = None) -> None:
        self.records: list[dict] = []
        # when the build started (time.time()), to tell when an export worker's file was ready
        self.started = time.time() if started is None else started

    @contextmanager
    def timed(
        self, stage: str, dataset: str | None = None, resource: str | None = None, rows: int = 0
    ) -> Iterator[StageRows]:
        """Record the wall and CPU time of the `with` block as `stage` (not when the block
        raises); the block may set the rows it handled on what it is given."""
        counted = StageRows(rows)
        tick, cpu = time.perf_counter(), time.process_time()
        yield counted
        seconds, cpu = time.perf_counter() - tick, time.process_time() - cpu
        self.record(dataset, resource, stage, seconds, counted.rows, cpu_seconds=cpu)
        give_back()  # what the stage freed, so the next one's peak does not come on top of it

    def record(
        self,
        dataset: str | None,
        resource: str | None,
        stage: str,
        seconds: float,
        rows: int,
        peak_mb: float | None = None,
        cpu_seconds: float | None = None,
    ) -> None:
        """One stage; `peak_mb` is another process's peak RSS (an export worker's), by default
        this process's so far. CPU seconds (all threads of the process) tell a stage's own cost
        on a machine where other work takes turns with it."""
        import resource as rusage

        if peak_mb is None:
            peak_mb = rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss / 1024
        self.records.append(
            {
                "dataset": dataset,
                "resource": resource,
                "stage": stage,
                "seconds": round(seconds, 3),
                "cpu_seconds": None if cpu_seconds is None else round(cpu_seconds, 3),
                "rows": rows,
                "peak_rss_mb": round(peak_mb, 1),
            }
        )

    def record_workers(self, done: list[dict]) -> None:
        """The export workers' own jobs (stages/export_jobs.py) as stages `<format> (worker)`
        of their tables: they ran beside the build, so their seconds are not the build's. Each
        also says when its file was ready, in seconds after the build started."""
        for job in done:
            stage = f"{job['format']} (worker)"
            self.record(
                job["dataset"], job["table"], stage, job["seconds"], 0, job["peak_rss_mb"],
                job["cpu_seconds"],
            )  # fmt: skip
            self.records[-1]["ready_after_seconds"] = round(job["finished"] - self.started, 3)


@dataclass
class BuildRun:
    """What every table of one build shares: the database and release being written, where
    inputs come from, and who is told how it goes."""

    db: sqlite_utils.Database
    release: Path
    cache_dir: Path
    remote: bool  # download sources again (`build --remote`) instead of reading the snapshots
    overrides: dict[str, Path]  # resource name -> a file read instead of the embedded input
    progress: Progress
    timer: StageTimer
    base_url: str  # the static site's, for OCDS release URIs
    catalog: Catalog | None = None
    guard: RowGuard = field(default_factory=RowGuard)
    exports: ExportJobs | None = None  # big tables' XLSX in worker processes (build.py collects)

    def source_label(self, resource) -> str:
        """The input a resource reads, as a person would name it (override or embedded path)."""
        if resource.name in self.overrides:
            return str(self.overrides[resource.name])
        return catalog_name(resource.dataset_id, resource.ext["source"]["path"])


@dataclass
class Staged:
    """A table read and normalised into one staging CSV, with what went wrong on the way."""

    path: Path
    rows_from: RowMap = field(default_factory=RowMap)
    issues: list[Issue] = field(default_factory=list)
    bad_cells: set[tuple[str | None, int | None, str | None]] = field(default_factory=set)
    limit_reached: bool = False  # more cell errors than LIMIT_ERRORS: the table fails whole
    longest_text: int = 0  # characters of the longest text cell written, quarantined rows too
    xlsx: PendingDownload | None = None  # the XLSX a worker started on the rows as read

    @property
    def rows(self) -> int:
        return len(self.rows_from)

    def add(self, issues: list[Issue]) -> None:
        self.issues += issues
        self.bad_cells |= {(i.file, i.row, i.column) for i in issues}


def build_table(
    run: BuildRun, dataset: Dataset, resource, work: Path, transform
) -> tuple[list[Issue], dict]:
    """Build one table into `run.db` and the release's downloads. Returns the issues that fail
    it (empty when published) and its manifest entry, whose "report" the caller takes out."""
    with run.timer.timed("fetch", dataset.id, resource.name):
        fetched = fetch_resource(
            dataset,
            resource,
            cache_dir=run.cache_dir,
            remote=run.remote,
            override=run.overrides.get(resource.name),
            notify=run.progress.note,
        )

    staged = _read_normalise(run, resource, fetched, work / f"{resource.name}.csv", transform)
    issues, warnings = _judge(run, resource, staged)
    entry: dict = {"sources": [f.as_source() for f in fetched], "rows": staged.rows}
    issues = _report(run, dataset, resource, staged, issues, warnings, entry)
    if issues:
        run.progress.failed(resource.name, len(issues))
        return issues, entry
    _load_and_export(run, dataset, resource, staged, entry)
    return [], entry


def _read_normalise(run: BuildRun, resource, fetched, staging: Path, transform) -> Staged:
    """Every source file of the table, chunk by chunk, parsed and normalised into one CSV.

    Cell errors stop at the validator's limit, counted over all chunks: past it the table fails
    whole (no quarantine), since its remaining bad rows are not named."""
    run.progress.stage(resource.name, "read+normalise")
    with run.timer.timed("read+normalise", resource.dataset_id, resource.name) as stage:
        staged = _read_chunks(run, resource, fetched, staging, transform)
        stage.rows = staged.rows
    # Personal data fails the table whatever else is wrong with it (checks/personal_data.py),
    # in its cells or in the source text its Issues carry.
    with run.timer.timed("gates", resource.dataset_id, resource.name, staged.rows):
        staged.issues += run_gates(resource, staging, staged.rows_from)
        staged.issues, leaked = personal_data_in_source_text(resource, staged.issues)
        staged.issues += leaked
    if staged.limit_reached:
        staged.issues.append(_limit_issue(resource, staged.rows_from.label))
    return staged


def _xlsx_download(run: BuildRun, resource, staged: Staged, rows: int) -> bool | PendingDownload:
    """The table's XLSX as `export_resource` takes it: False when the table gets none
    (`xlsx_allowed`), the pending download when a worker writes it, else True (written here)."""
    allowed = xlsx_allowed(staged.path, resource, rows, staged.longest_text)
    if allowed and run.exports is not None and run.exports.takes(rows):
        return start_xlsx(resource, staged.path, run.release, run.exports)
    return allowed


def _read_chunks(run: BuildRun, resource, fetched, staging: Path, transform) -> Staged:
    """The reading itself: every chunk of every source file, normalised, appended to `staging`."""
    staged = Staged(staging)
    parse_errors = 0
    texts = text_fields(resource)
    stream: PendingDownload | None = None  # the XLSX a worker writes as the read goes on
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
                    staged.limit_reached = staged.limit_reached or len(ragged) > room
                    staged.add(ragged[:room])
                    parse_errors += len(ragged[:room])
                    chunk.insert(1, FILE_COLUMN, origin)
                    room = max(LIMIT_ERRORS - parse_errors, 0)
                    normalised = normalise_chunk(
                        chunk, resource, origin, transform, room, source_path=raw.path
                    )
                    parse_errors += len(normalised.issues)
                    fill_region_codes(run.db, resource, normalised, origin)
                    fill_region_names(run.db, resource, normalised)
                    write_frame(normalised.frame, out)
                    longest = longest_text_cell(normalised.frame, texts)
                    staged.longest_text = max(staged.longest_text, longest)
                    staged.rows_from.add(origin, normalised.rows.to_numpy())
                    staged.add(normalised.issues)
                    staged.limit_reached = staged.limit_reached or normalised.capped
                    run.progress.rows(staged.rows)
                    stream = _follow_with_xlsx(run, resource, staged, stream, out)
            if stream is not None:
                _publish(stream, out, end=True)
    except ChunkError as exc:
        staged.issues.append(exc.issue)
    except BaseException:
        _withdraw(run, stream)  # else its worker would wait for rows that never come
        raise
    if stream is not None and staged.issues:  # the read stopped on a ChunkError
        _withdraw(run, stream)
        stream = None
    staged.xlsx = stream
    staged.rows_from.freeze()
    return staged


def _follow_with_xlsx(
    run: BuildRun, resource, staged: Staged, stream: PendingDownload | None, out
) -> PendingDownload | None:
    """After each chunk read: a big table's XLSX, written by an export worker that follows the
    staging file as the read appends to it (export_xlsx.GrowingStaging). It starts once the rows
    read make the table big enough for a worker, before the read ends, and long before the
    gates and validation: most tables publish every row they read. On 1,000,000 tenders the
    XLSX started when the read ended, 11-13 s into the build, and was ready 42-44 s after the
    build started; following the read, it was ready after 27 s (benchmarks/bench_build.py, one
    machine, one session).

    Only a table read cleanly so far is followed. One with a problem (a cell that did not parse,
    a ragged row) will likely lose rows to quarantine, and one over Excel's rows or with a cell
    longer than Excel's limit may get no XLSX at all, so its XLSX waits for the rows kept
    (`_load_and_export`); a stream already running is withdrawn then. Should validation or the
    checks send rows to quarantine all the same, the XLSX is withdrawn and started again; should
    the table fail, its dataset's jobs are stopped (build.py)."""
    exports = run.exports
    fits = (
        not (staged.issues or staged.limit_reached)
        and staged.longest_text <= XLSX_MAX_CHARS
        and staged.rows <= XLSX_MAX_ROWS
    )
    if not fits:
        _withdraw(run, stream)
        return None
    if stream is None:
        if exports is None or not exports.takes(staged.rows):
            return None
        stream = start_xlsx(resource, staged.path, run.release, exports, growing=True)
        if stream is None:
            return None
    _publish(stream, out)
    return stream


def _publish(stream: PendingDownload, out, end: bool = False) -> None:
    """The rows written so far reach the file, and the worker following it may read them."""
    out.flush()
    publish_progress(stream.progress, out.buffer.tell(), end)


def _withdraw(run: BuildRun, stream: PendingDownload | None) -> None:
    if stream is not None and run.exports is not None:
        run.exports.withdraw(stream.entry)


def _judge(run: BuildRun, resource, staged: Staged) -> tuple[list[Issue], list[Issue]]:
    """Validation, foreign keys and checks over the staged table: (issues, warnings).

    Past the cell-error limit the table fails anyway, and frictionless would only report again
    the cells that failed to parse (empty now) without an Issue of their own: it is not run."""
    issues = list(staged.issues)
    stopped = staged.limit_reached or any(
        i.type in (MISSING_COLUMN.slug, TRANSFORM_ERROR.slug) for i in issues
    )
    if not stopped:
        run.progress.stage(resource.name, "validate")
        with run.timer.timed("validate", resource.dataset_id, resource.name, staged.rows):
            validation = validate_table(resource, staged.path, staged.rows_from)
        # A cell that failed to parse is empty now; frictionless would report it again.
        issues += [
            i for i in validation.issues if (i.file, i.row, i.column) not in staged.bad_cells
        ]
        staged.limit_reached = staged.limit_reached or validation.limit_reached
        with run.timer.timed("checks", resource.dataset_id, resource.name, staged.rows):
            issues += check_foreign_keys(run.db, resource, staged.path, staged.rows_from)
            issues += run_checks(run.db, resource, staged.path, staged.rows_from)
    # Findings a descriptor publishes with a warning (totals the source itself does not add up)
    # go to the report, not among the issues that fail the table.
    return [i for i in issues if not is_warning(i)], [i for i in issues if is_warning(i)]


def _report(
    run: BuildRun,
    dataset: Dataset,
    resource,
    staged: Staged,
    issues: list[Issue],
    warnings: list[Issue],
    entry: dict,
) -> list[Issue]:
    """Write the table's report into `entry`, quarantining its bad rows where the descriptor
    allows it; then the row-count guard. Returns the issues that still fail the table."""
    if (
        issues
        and resource.on_error == "quarantine"
        and can_quarantine(issues, staged.limit_reached)
    ):
        target = downloads_dir(run.release, dataset.id) / table_file(resource.name, "quarantine")
        moved, staged.rows_from = quarantine(staged.path, staged.rows_from, issues, target)
        entry["quarantined"] = moved.rows
        entry["rows"] = moved.kept
        entry["report"] = write_report(
            run.release,
            dataset.id,
            resource.name,
            staged.rows_from.label,
            moved.kept,
            issues,
            quarantined=True,
            warnings=warnings,
        )
        run.progress.failed(resource.name, len(issues))
        issues = []
    else:
        entry["report"] = write_report(
            run.release,
            dataset.id,
            resource.name,
            staged.rows_from.label,
            entry["rows"],
            issues,
            warnings=warnings,
        )
    if issues:
        return issues
    label = staged.rows_from.label or run.source_label(resource)
    too_few = run.guard.check(resource, entry["rows"], label)
    if not too_few:
        return []
    entry["report"] = write_report(
        run.release, dataset.id, resource.name, staged.rows_from.label, entry["rows"], [too_few]
    )
    return [too_few]


def _load_and_export(
    run: BuildRun, dataset: Dataset, resource, staged: Staged, entry: dict
) -> None:
    """Load the staged rows, index them, and write the table's downloads into `entry`."""
    rows = entry["rows"]
    # A big table's slow downloads go to the export workers as early as each can: the XLSX once
    # the table is being read (`_follow_with_xlsx`), else now, from the staging file (final once
    # quarantine has run), while the table is loaded, indexed and exported here; the OCDS
    # package once the table is loaded, from its committed rows. The worker ended last on
    # 1,000,000 tenders, so what it no longer waits for ends the build sooner.
    xlsx = staged.xlsx
    if xlsx is not None and entry.get("quarantined"):
        run.exports.withdraw(xlsx.entry)  # it was writing the rows quarantine took out too
        xlsx = None
    if xlsx is None:
        xlsx = _xlsx_download(run, resource, staged, rows)
    run.progress.stage(resource.name, "load")
    with run.timer.timed("load", dataset.id, resource.name, rows):
        create_table(run.db, resource)
        insert_rows(run.db, resource, staged.path)
    ocds_download = _start_ocds(run, dataset, resource, rows)
    with run.timer.timed("index+fts", dataset.id, resource.name, rows):
        add_indexes(run.db, resource)

    run.progress.stage(resource.name, "export")
    with run.timer.timed("export", dataset.id, resource.name, rows):
        exports = run.exports
        tree_jobs = exports if exports is not None and exports.takes_partitions(rows) else None
        downloads = export_resource(run.db, resource, staged.path, run.release, xlsx, tree_jobs)
    folder = downloads_dir(run.release, dataset.id)
    if entry.get("quarantined"):
        target = folder / table_file(resource.name, "quarantine")
        downloads.append(describe_file("quarantine", target, run.release))
    if resource.ext.get("ocds"):
        downloads.append(ocds_download or _write_ocds(run, dataset, resource, folder, rows))
    entry["downloads"] = [d.as_dict() for d in downloads]


def _start_ocds(run: BuildRun, dataset: Dataset, resource, rows: int) -> PendingDownload | None:
    """A big table's OCDS package, handed to an export worker beside its XLSX (the manifest
    entry is completed when the build collects it); None when the build writes it itself."""
    if not resource.ext.get("ocds") or run.exports is None or not run.exports.takes(rows):
        return None
    database = committed_database(run.db.conn)
    head = ocds.package_head(dataset, resource, run.base_url)
    package = (head, resource.ext["ocds"], ocds.release_date(dataset))
    folder = downloads_dir(run.release, dataset.id)
    folder.mkdir(parents=True, exist_ok=True)
    path = ocds.package_path(resource, folder)
    site = site_dir(run.release)
    entry = run.exports.submit_ocds(dataset.id, resource.name, package, database, path, site)
    return PendingDownload(entry)


def _write_ocds(run: BuildRun, dataset: Dataset, resource, folder: Path, rows: int):
    """A small table's OCDS package, written here."""
    with run.timer.timed("ocds", dataset.id, resource.name, rows):
        path = ocds.write_release_package(run.db, dataset, resource, folder, run.base_url)
        return describe_file("ocds", path, run.release)


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
