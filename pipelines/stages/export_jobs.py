"""Slow downloads (XLSX, the OCDS package, the Parquet partition tree) written in worker
processes while the build goes on (issue 15, item 3: slow formats never hold the release back
more than the rest).

A big table's XLSX and OCDS package together cost more than all its other downloads (1,000,000
tenders: 17 and 11 CPU s against 17), and nothing else in the release waits for them but the
manifest's size and checksum of the file. So they go to a `ProcessPoolExecutor` and the build
carries on with the table's load, its other downloads and the next tables and datasets; `finish`
collects every file before the manifest is made. The XLSX starts while the table is still being
read, once its rows make it big enough, and follows the staging file in batches as the read
appends to it (stages/export_xlsx.GrowingStaging, table_build._follow_with_xlsx); should
quarantine then take rows out, the build withdraws it (`withdraw`) and starts it again on the
rows kept. The OCDS package starts once the table is loaded and reads the committed table in
chunks (stages/rowid_chunks.py). The partition tree starts once the table's Parquet file is
written, from a copy of the table in a database file of its own (stages/partitions.py). Either
way a worker's memory is one chunk, whatever the table's size.

A worker that fails (an exception, or the process dying) fails its dataset with an `export-failed`
Issue naming the file; build.py then treats the dataset as any failed one (its previous tables
stay), and the published release is untouched until the new one is whole (core/release.py).

A worker process that dies (the machine's OOM killer, a crash in a library) breaks the whole pool:
Python fails every job still in it, whoever's it was, and refuses new ones. One table's death
then failed every dataset built after it (an internal error each). So a broken pool is replaced
by a new one for the jobs that come later, and `finish` gives each job the pool took down one
more try of its own, one at a time: the job that kills its worker fails again, alone, and the
others are written.

Settings, from the environment (a bad value is a usage error, exit 2):
- JENDELA_EXPORT_WORKERS: worker processes (default: the cores but one, at least 1, at most 4);
  0 writes every file in the build process.
- JENDELA_EXPORT_WORKER_ROWS: a table with at least this many rows has its slow downloads
  written by a worker (default 100,000); starting a worker costs more than a small table's.
- JENDELA_EXPORT_WORKER_MB: the most memory (address space) one worker may take; unset, no limit.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import select
import sqlite3
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from ..core.checksum import sha256_file
from ..core.chunks import chunk_rows, env_whole_number
from ..core.database_file import main_database_file
from ..core.errors import Issue
from ..core.issue_types import EXPORT_FAILED
from .export_xlsx import write_xlsx_from_staging
from .ocds import write_package_from_file
from .partitions import PartitionSpec, index_path, write_tree_from_copy
from .rowid_chunks import CHUNK_ROWS

WORKERS_ENV = "JENDELA_EXPORT_WORKERS"
WORKER_ROWS_ENV = "JENDELA_EXPORT_WORKER_ROWS"
WORKER_MB_ENV = "JENDELA_EXPORT_WORKER_MB"
DEFAULT_WORKER_ROWS = 100_000


def default_workers() -> int:
    """The cores but one (the build itself keeps one busy), at least one, at most four."""
    return max(1, min(4, (os.cpu_count() or 2) - 1))


def _start_worker(build: int, megabytes: int) -> None:
    """Worker initializer: end with the build, and keep to the memory limit if one is set."""
    _end_with(build)
    if megabytes:
        _limit_memory(megabytes)


def _end_with(build: int) -> None:
    """End this worker as soon as the build process `build` ends, however it ends.

    A killed build (SIGKILL, the machine's OOM killer) runs no code on the way out, and nothing
    else stops its workers: each waits for its next job on a queue whose writing end it holds
    itself, and holds the forkserver's own life line, so the forkserver (their parent) lives on
    too. They went on writing into a release folder nobody would publish, then waited forever.
    A daemon thread here waits on the build's process file descriptor (Linux 5.3 and later)
    and ends the process when the build is gone; the forkserver and Python's resource tracker
    then see their pipes close and end as well. Without pidfd_open it looks once a second."""

    def watch() -> None:
        try:
            handle = os.pidfd_open(build)
        except (AttributeError, OSError):
            handle = None
        if handle is not None:
            select.select([handle], [], [])  # readable once the process has ended
        else:
            while _alive(build):
                time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="end-with-build", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or its number taken by another user
        return False
    return True


def _limit_memory(megabytes: int) -> None:
    """Cap the worker's address space, so a worker that would grow past it fails (MemoryError)
    instead of taking the machine's memory."""
    import resource

    limit = megabytes << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@dataclass
class ExportJob:
    """One download being written: where, for which table, and its manifest entry to complete."""

    dataset: str
    table: str
    path: Path
    future: Future  # of _run: the worker's seconds and peak memory
    entry: dict  # the table's download entry; bytes and sha256 are filled in by `finish`
    call: tuple  # the function and its arguments, for one more try if its worker pool broke
    withdrawn: Path | None = None  # created to stop the job (an XLSX's, export_xlsx.Withdrawn)


@dataclass
class ExportJobs:
    """The build's export workers and the jobs they have not yet handed back."""

    workers: int = field(
        default_factory=lambda: env_whole_number(WORKERS_ENV, default_workers(), 0)
    )
    min_rows: int = field(
        default_factory=lambda: env_whole_number(WORKER_ROWS_ENV, DEFAULT_WORKER_ROWS, 0)
    )
    memory_mb: int = field(default_factory=lambda: env_whole_number(WORKER_MB_ENV, 0, 0))
    jobs: list[ExportJob] = field(default_factory=list)
    # per job collected by `finish`: dataset, table, format, the worker's seconds (wall and
    # CPU), peak RSS, and when it finished (time.time())
    done: list[dict] = field(default_factory=list)
    _pool: ProcessPoolExecutor | None = None

    def takes(self, rows: int) -> bool:
        """Whether a table of `rows` rows gets its slow downloads written by a worker."""
        return self.workers > 0 and rows >= self.min_rows

    def takes_partitions(self, rows: int) -> bool:
        """Whether a worker writes the partition tree of a table of `rows` rows: as `takes`, but
        never under a memory cap. pyarrow's dataset writer starts threads of its own, and each
        takes address space (a stack, a malloc arena): under JENDELA_EXPORT_WORKER_MB it failed
        to launch them ("Failed to launch worker thread") with 300 MB of room, and with less
        than about 50 MB it waited for ever. A capped build writes the tree itself, as before."""
        return self.takes(rows) and not self.memory_mb

    def submit(
        self,
        dataset: str,
        table: str,
        fields: list[dict],
        staging: Path,
        path: Path,
        site: Path,
        progress: Path | None = None,
    ) -> dict:
        """Start writing the XLSX `path` of `table` from its `staging` file (the file must
        outlive the job); returns the download entry (format, path from the `site` root; bytes
        and sha256 once `finish` collects it). `withdraw` stops it. With `progress`, the file
        is still being written, and the worker follows it (export_xlsx.GrowingStaging)."""
        flag = staging.with_suffix(".withdrawn")
        flag.unlink(missing_ok=True)
        args = (str(staging), table, fields, str(path), str(flag))
        args += (str(progress),) if progress is not None else ()
        return self._submit(
            "xlsx", dataset, table, path, site, write_xlsx_from_staging, args, withdrawn=flag
        )

    def submit_ocds(
        self,
        dataset: str,
        table: str,
        package: tuple[dict, dict, str],
        database: Path,
        path: Path,
        site: Path,
    ) -> dict:
        """Start writing the OCDS package `path` (stages/ocds.py) from `table` of the committed
        `database`; `package` is its head, the table's `ocds` spec and the release date. Returns
        the download entry, as `submit` does."""
        args = (str(database), table, *package, str(path), chunk_rows(CHUNK_ROWS))
        return self._submit("ocds", dataset, table, path, site, write_package_from_file, args)

    def submit_partitions(
        self, dataset: str, spec: PartitionSpec, copy: Path, parquet: Path, site: Path
    ) -> dict:
        """Start writing the partition tree of `spec.table` beside its `parquet` file, from the
        `copy` of the table made for the worker (partitions.copy_for_worker), which the worker
        removes. The download is the tree's index; returns its entry, as `submit` does."""
        args = (str(copy), spec, str(parquet))
        index = index_path(parquet, spec.table)
        return self._submit(
            "partitions", dataset, spec.table, index, site, write_tree_from_copy, args
        )

    def _submit(
        self,
        fmt: str,
        dataset: str,
        table: str,
        path: Path,
        site: Path,
        fn,
        args: tuple,
        withdrawn: Path | None = None,
    ) -> dict:
        entry = {"format": fmt, "path": path.relative_to(site).as_posix()}
        future = self._start(fn, args)
        self.jobs.append(ExportJob(dataset, table, path, future, entry, (fn, args), withdrawn))
        return entry

    def _start(self, fn, args: tuple) -> Future:
        """Hand the job to the pool, to a new one if a dead worker broke the one there was."""
        try:
            return self._executor().submit(_run, fn, args)
        except BrokenProcessPool:
            self.close()
            return self._executor().submit(_run, fn, args)

    def withdraw(self, entry: dict) -> None:
        """Stop the job writing the download `entry` and forget it: the rows it was started on
        are not the table's any more. A job not started yet is cancelled; a running XLSX stops
        at its next batch of rows (export_xlsx.Withdrawn). Returns once no worker writes its
        file, so a job started again for the same file never meets it."""
        for job in [j for j in self.jobs if j.entry is entry]:
            self._stop(job)

    def discard(self, dataset: str) -> None:
        """Stop a failed dataset's jobs and forget them (its downloads are about to go)."""
        for job in [j for j in self.jobs if j.dataset == dataset]:
            self._stop(job)

    def _stop(self, job: ExportJob) -> None:
        if job.withdrawn is not None:
            job.withdrawn.touch()
        if not job.future.cancel():
            job.future.exception()  # waits until the worker is done with the file
        self.jobs.remove(job)

    def finish(self) -> dict[str, list[Issue]]:
        """Wait for every job; complete the download entries of those that wrote their file and
        return, per dataset, the Issues of those that did not."""
        failed: dict[str, list[Issue]] = {}
        for job in self.jobs:
            job.future.exception()  # waits
        for job in self.jobs:
            if isinstance(job.future.exception(), BrokenProcessPool):
                job.future = self._start(*job.call)  # alone: the pool holds nothing else
                job.future.exception()
        for job in self.jobs:
            error = job.future.exception()
            if error is None:
                job.entry["bytes"] = job.path.stat().st_size
                job.entry["sha256"] = sha256_file(job.path)
                seconds, cpu, peak_mb, finished = job.future.result()
                fmt = job.entry["format"]
                self.done.append({"dataset": job.dataset, "table": job.table, "format": fmt,
                                  "seconds": seconds, "cpu_seconds": cpu,
                                  "peak_rss_mb": peak_mb, "finished": finished})  # fmt: skip
            else:
                failed.setdefault(job.dataset, []).append(_failure(job, error))
        self.jobs.clear()
        return failed

    def close(self) -> None:
        """Stop the workers; jobs not yet started are cancelled (a build that stops early)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # forkserver: workers start from a clean process, not a fork of the build with its
            # open database and library threads.
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=_start_worker,
                initargs=(os.getpid(), self.memory_mb),
            )
        return self._pool


def committed_database(conn: sqlite3.Connection) -> Path:
    """The database file a worker reads a table from, once the builder's rows are committed to
    it (a worker opens its own read-only connection and sees only committed rows)."""
    conn.commit()
    return main_database_file(conn)


def _run(fn, args: tuple) -> tuple[float, float, float, float]:
    """In the worker: write the file; return the wall and CPU seconds it took, the peak RSS in
    MB while it ran (a worker's memory is not in the build process's own peak), and the clock
    time (time.time()) when it was done, which tells how long after the build's start the
    file was ready.

    A worker process writes one job after another, and its lifetime peak (`ru_maxrss`) would
    give each job the largest of the jobs before it. Linux resets the process's high-water mark
    when "5" is written to /proc/self/clear_refs, and /proc/self/status then reports the job's
    own peak (VmHWM); without them the lifetime peak is what is known."""
    _reset_peak()
    tick, cpu = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - tick, time.process_time() - cpu, _peak_mb(), time.time()


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> float:
    """The process's peak resident memory in MB since the last reset (else since its start)."""
    import resource

    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _failure(job: ExportJob, error: BaseException) -> Issue:
    """The Issue of a download the worker could not write: the file, the table and the error."""
    name = job.entry["path"]
    cause = why_id = type(error).__name__
    if isinstance(error, BrokenProcessPool):
        why_id = "proses pekerja berhenti mendadak, mungkin kehabisan memori"
        cause = "the worker process ended abruptly, perhaps out of memory"
    return Issue(
        dataset=job.dataset,
        resource=job.table,
        type=EXPORT_FAILED,
        message=(
            f"berkas unduhan {name} tidak dapat ditulis ({why_id}); dataset ini "
            f"tidak diterbitkan ulang / the download {name} could not be written "
            f"({cause}); this dataset is not published again"
        ),
        file=name,
        hint=(
            f"periksa ruang disk dan memori ({WORKER_MB_ENV}, {WORKERS_ENV}), lalu bangun ulang "
            f"/ check disk space and memory ({WORKER_MB_ENV}, {WORKERS_ENV}), then build again"
        ),
        extra={"detail": str(error)[:2000]},
    )
