"""XLSX and OCDS downloads written by worker processes (stages/export_jobs.py, issue 15 item 3).

A worker's XLSX must be the very file the build process writes, read back cell by cell equal to
the table's rows, and so must its OCDS package; a whole build with every XLSX and OCDS package in
a worker publishes the same downloads as one with none; and a worker that fails fails its dataset
with a bilingual Issue naming the file while the published downloads stay as they were.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, SAMPLE_CATALOG, run_publish

from pipelines.core.layout import DATABASE_FILE, DOWNLOADS
from pipelines.core.registry import load_catalog
from pipelines.core.release import current_release
from pipelines.stages import ocds
from pipelines.stages.export import _write_xlsx, risky_count, text_fields
from pipelines.stages.export_jobs import ExportJobs

FORCE_WORKERS = {"JENDELA_EXPORT_WORKERS": "2", "JENDELA_EXPORT_WORKER_ROWS": "0"}


def _checksums(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _expected_cell(value, kind: str):
    """A table's cell as a spreadsheet reader gets it back: dates as datetimes, blanks as None."""
    if value is None or value == "":
        return None
    if kind == "date":
        return datetime.datetime.fromisoformat(value)
    return value


def test_xlsx_from_a_worker_is_the_file_the_build_writes(built_catalog, tmp_path, monkeypatch):
    """The tender table (30 rows) read from its staging file in batches of 7 by a worker
    process: the same bytes as the in-process writer reading the loaded table, and every cell
    equal to the row SQLite holds, in rowid order. The published CSV stands in for the staging
    file: with no cell a spreadsheet could run as a formula, it is a byte copy of it."""
    monkeypatch.setenv("JENDELA_CHUNK_ROWS", "7")  # several batches, the last one short
    release = current_release(built_catalog)
    database = release / DATABASE_FILE
    resource = load_catalog(SAMPLE_CATALOG).datasets["tender-kota-bogor"].resource("tender")
    staging = release / "site" / DOWNLOADS / "tender-kota-bogor" / "tender.csv"
    assert risky_count(staging, text_fields(resource)) == 0
    site = tmp_path / "site"
    site.mkdir()
    jobs = ExportJobs(workers=1, min_rows=0)
    try:
        entry = jobs.submit(
            "tender-kota-bogor", "tender", resource.fields, staging, site / "t.xlsx", site
        )
        assert jobs.finish() == {}
    finally:
        jobs.close()
    worker_file = site / "t.xlsx"
    assert entry["bytes"] == worker_file.stat().st_size
    assert entry["sha256"] == hashlib.sha256(worker_file.read_bytes()).hexdigest()

    import sqlite_utils

    here = tmp_path / "here.xlsx"
    _write_xlsx(sqlite_utils.Database(database), resource, here)
    assert worker_file.read_bytes() == here.read_bytes()

    names = resource.field_names
    kinds = [f.get("type", "string") for f in resource.fields]
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            f"SELECT {', '.join(f'[{n}]' for n in names)} FROM tender ORDER BY rowid"
        ).fetchall()
    assert len(rows) > 14  # more than two chunks
    sheet = openpyxl.load_workbook(worker_file, read_only=True)["tender"]
    got = list(sheet.iter_rows(values_only=True))
    assert list(got[0]) == names
    expected = [tuple(_expected_cell(v, k) for v, k in zip(r, kinds, strict=True)) for r in rows]
    assert got[1:] == expected


def test_ocds_from_a_worker_is_the_file_the_build_writes(built_catalog, tmp_path, monkeypatch):
    """The tender table's OCDS package written by a worker process reading chunks of 7 rows: the
    same bytes as the build process's writer, and the entry's size and checksum are the file's."""
    monkeypatch.setenv("JENDELA_CHUNK_ROWS", "7")  # several chunks, the last one short
    release = current_release(built_catalog)
    database = release / DATABASE_FILE
    dataset = load_catalog(SAMPLE_CATALOG).datasets["tender-kota-bogor"]
    resource = dataset.resource("tender")
    base = "https://data.example.org/"
    site = tmp_path / "site"
    site.mkdir()
    package = (
        ocds.package_head(dataset, resource, base),
        resource.ext["ocds"],
        ocds.release_date(dataset),
    )
    jobs = ExportJobs(workers=1, min_rows=0)
    try:
        entry = jobs.submit_ocds(dataset.id, "tender", package, database, site / "t.json", site)
        assert jobs.finish() == {}
    finally:
        jobs.close()
    worker_file = site / "t.json"
    assert entry == {
        "format": "ocds",
        "path": "t.json",
        "bytes": worker_file.stat().st_size,
        "sha256": hashlib.sha256(worker_file.read_bytes()).hexdigest(),
    }
    [done] = jobs.done
    assert (done["dataset"], done["table"], done["format"]) == (dataset.id, "tender", "ocds")

    import sqlite_utils

    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT count(*) FROM tender").fetchone()[0]
    assert rows > 14  # more than two chunks
    here = ocds.write_release_package(
        sqlite_utils.Database(database), dataset, resource, tmp_path / "here", base
    )
    assert worker_file.read_bytes() == here.read_bytes()
    assert len(json.loads(worker_file.read_text(encoding="utf-8"))["releases"]) == rows


@pytest.fixture(scope="module")
def worker_build(tmp_path_factory) -> Path:
    """The sample catalog built with every table's XLSX and OCDS package written by a worker
    process (its --timings beside the output, as timings.json)."""
    output = tmp_path_factory.mktemp("workers") / "build"
    mp = pytest.MonkeyPatch()
    for name, value in FORCE_WORKERS.items():
        mp.setenv(name, value)
    try:
        timings = output.parent / "timings.json"
        result = run_publish("build", "--quiet", "--output", str(output), "--timings", str(timings))
    finally:
        mp.undo()
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def test_a_build_with_xlsx_in_workers_publishes_the_same_downloads(built_catalog, worker_build):
    """Every download of every dataset (XLSX, OCDS, CSV, JSON, Parquet and its partition trees,
    packages, zips) and every manifest entry of them: byte for byte those of the build that wrote
    every XLSX, OCDS package and partition tree itself (the sample's tables are all below the
    worker threshold there)."""
    timings = json.loads((worker_build.parent / "timings.json").read_text(encoding="utf-8"))
    by_workers = {(r["resource"], r["stage"]) for r in timings if r["stage"].endswith("(worker)")}
    # when each file was ready, after the build started: never before its own seconds had passed
    ours = [r for r in timings if r["stage"].endswith("(worker)")]
    assert all(r["seconds"] <= r["ready_after_seconds"] < 300 for r in ours), ours
    ocds_tables = {"tender", "tender_spse", "rup_sirup"}
    assert {t for t, stage in by_workers if stage == "ocds (worker)"} == ocds_tables
    assert not {r["resource"] for r in timings if r["stage"] == "ocds"}  # none in the build
    ours = current_release(worker_build)
    theirs = current_release(built_catalog)
    # every partition tree too (partisi/ is in the checksums below), from the worker's own copy
    reference = json.loads((theirs / "manifest.json").read_text(encoding="utf-8"))
    partitioned = {
        table
        for entry in reference["datasets"].values()
        for table, resource in entry.get("resources", {}).items()
        if any(d["format"] == "partitions" for d in resource["downloads"])
    }
    assert len(partitioned) >= 3, partitioned
    assert {t for t, stage in by_workers if stage == "partitions (worker)"} == partitioned
    assert not {r["resource"] for r in timings if r["stage"] == "partitions"}
    sums = _checksums(ours / "site" / DOWNLOADS)
    assert sum(name.endswith(".xlsx") for name in sums) >= 20
    assert sum(name.endswith(".ocds.json") for name in sums) == len(ocds_tables)
    assert sums == _checksums(theirs / "site" / DOWNLOADS)
    manifest = json.loads((ours / "manifest.json").read_text(encoding="utf-8"))
    downloads = {
        d: {t: e["downloads"] for t, e in entry.get("resources", {}).items()}
        for d, entry in manifest["datasets"].items()
    }
    assert downloads == {
        d: {t: e["downloads"] for t, e in entry.get("resources", {}).items()}
        for d, entry in reference["datasets"].items()
    }


def _failed_exports(stdout: str) -> dict[str, str]:
    """The export-failed lines of a build's output, by the file each names (from the site)."""
    lines = [line for line in stdout.splitlines() if "[export-failed]" in line]
    named = {line.split(" | ")[1].split(": [export-failed]")[0]: line for line in lines}
    assert len(named) == len(lines), stdout  # one Issue per file
    return named


def _assert_kept_previous(output: Path, published: dict[str, str], failures: int) -> None:
    """tender-kota-bogor failed with `failures` export-failed Issues and kept its previous
    tables and downloads; its report says why."""
    after = current_release(output)
    manifest = json.loads((after / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["datasets"]["tender-kota-bogor"]
    assert entry["status"] == "failed-kept-previous"
    assert _checksums(after / "site" / DOWNLOADS / "tender-kota-bogor") == published
    with sqlite3.connect(after / DATABASE_FILE) as conn:
        assert (
            conn.execute("SELECT count(*) FROM tender").fetchone()[0]
            == entry["resources"]["tender"]["rows"]
        )
    # the table's report, written valid before the workers failed, says why the dataset failed
    report = entry["reports"]["tender"]
    assert (report["valid"], report["error_types"]) == (False, {"export-failed": failures})
    document = json.loads((after / "site" / report["json"]).read_text(encoding="utf-8"))
    assert [e["type"] for e in document["errors"]] == ["export-failed"] * failures
    assert document["valid"] is False and document["error_count"] == failures
    assert "tender.xlsx" in (after / "site" / report["html"]).read_text(encoding="utf-8")


def _copy_of(worker_build: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the worker build to build again, and tender-kota-bogor's downloads in it."""
    output = tmp_path / "build"
    shutil.copytree(worker_build, output, symlinks=True)
    published = _checksums(current_release(output) / "site" / DOWNLOADS / "tender-kota-bogor")
    assert {"tender.xlsx", "tender.ocds.json"} <= set(published)
    return output, published


def test_a_worker_over_its_memory_cap_fails_its_dataset_and_keeps_the_downloads(
    worker_build, tmp_path, monkeypatch
):
    """One worker capped at 40 MB of memory cannot write the XLSX (its writer library, loaded on
    first use, does not fit): the build exits 1 with an export-failed Issue naming the file
    (Bahasa Indonesia, then English), the dataset keeps its previous tables, and every file of
    its published downloads is unchanged.

    Whether the OCDS package fails too depends on the free room left in the worker's heap (it
    needs no new library), which differed between machines; each file that failed has its own
    Issue, and the report counts them."""
    output, published = _copy_of(worker_build, tmp_path)
    for name, value in FORCE_WORKERS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("JENDELA_EXPORT_WORKER_MB", "40")
    monkeypatch.setenv("JENDELA_EXPORT_WORKERS", "1")

    # --force: the inputs are those of the published release (worker settings change no byte)
    result = run_publish("build", "--force", "--output", str(output), "tender-kota-bogor")

    assert result.returncode == 1, result.stdout + result.stderr
    failed = _failed_exports(result.stdout)
    files = {f"{DOWNLOADS}/tender-kota-bogor/tender.{ext}" for ext in ("xlsx", "ocds.json")}
    assert f"{DOWNLOADS}/tender-kota-bogor/tender.xlsx" in failed and set(failed) <= files
    for path, message in failed.items():
        assert f"berkas unduhan {path} tidak dapat ditulis" in message
        assert message.index("tidak dapat ditulis") < message.index(f"the download {path}")
    _assert_kept_previous(output, published, len(failed))


def test_a_worker_that_dies_fails_only_its_own_downloads(worker_build, tmp_path, monkeypatch):
    """The one worker is killed (SIGKILL, as the OOM killer does) by each job of tender-kota-bogor.
    A dead worker breaks Python's whole pool, failing every job in it and refusing new ones:
    tender-spse, built in the same run, still publishes its XLSX and OCDS package (the same
    bytes as before), and tender-kota-bogor fails with one Issue per file that says the worker
    ended, keeping its previous downloads."""
    import worker_faults

    from pipelines.stages import export_jobs

    output, published = _copy_of(worker_build, tmp_path)
    spse = current_release(output) / "site" / DOWNLOADS / "tender-spse"
    spse_before = _checksums(spse)
    assert {"tender_spse.xlsx", "tender_spse.ocds.json"} <= set(spse_before)
    for name, value in FORCE_WORKERS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("JENDELA_EXPORT_WORKERS", "1")
    monkeypatch.setattr(export_jobs, "write_xlsx_from_staging", worker_faults.xlsx_or_die)
    monkeypatch.setattr(export_jobs, "write_package_from_file", worker_faults.ocds_or_die)

    args = ("build", "--force", "--output", str(output), "tender-kota-bogor", "tender-spse")
    result = run_publish(*args)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "internal-error" not in result.stdout
    failed = _failed_exports(result.stdout)
    assert set(failed) == {
        f"{DOWNLOADS}/tender-kota-bogor/tender.{e}" for e in ("xlsx", "ocds.json")
    }
    for message in failed.values():
        assert message.index("proses pekerja berhenti mendadak") < message.index(
            "the worker process ended abruptly"
        )
    _assert_kept_previous(output, published, 2)
    after = current_release(output)
    manifest = json.loads((after / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["datasets"]["tender-spse"]["status"] == "published"
    spse_after = _checksums(after / "site" / DOWNLOADS / "tender-spse")
    assert spse_after == spse_before


@pytest.mark.parametrize("bad", ["foreign-key", "later-chunk"])
def test_an_xlsx_started_before_quarantine_is_written_again_without_its_rows(
    small_project, tmp_path, monkeypatch, bad
):
    """A worker starts a big table's XLSX while the table is read, from its first chunk, before
    it is validated (table_build._follow_with_xlsx). A bad row sends rows to quarantine after
    that: one that only the foreign-key check finds (a kecamatan the region list lacks), once
    the read is over, or a cell that does not parse in the third chunk of four rows, while the
    worker follows the read. Either way the build withdraws that XLSX, and the one it publishes
    holds exactly the table's rows, in its order."""
    from conftest import publish_in

    descriptor = small_project / "datasets/penduduk-kota-bogor/datapackage.yaml"
    descriptor.write_text(
        descriptor.read_text().replace(
            "      reader: csv\n", "      reader: csv\n      on_error: quarantine\n", 1
        )
    )
    source = small_project / "datasets/penduduk-kota-bogor/data/penduduk.csv"
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[1].startswith("327101,")
    kept = len(lines) - 1  # every row of the file; the foreign-key case adds the one it takes out
    if bad == "foreign-key":
        source.write_text("".join(lines) + "327199," + lines[1].split(",", 1)[1], encoding="utf-8")
    else:
        monkeypatch.setenv("JENDELA_CHUNK_ROWS", "4")  # rows 2-5, 6-9, 10-13
        cells = lines[10].split(",")
        cells[3] = "banyak"  # JUMLAH of line 11: not a number
        source.write_text("".join(lines[:10] + [",".join(cells)] + lines[11:]), encoding="utf-8")
        kept -= 1
    for name, value in FORCE_WORKERS.items():
        monkeypatch.setenv(name, value)
    output, timings = tmp_path / "build", tmp_path / "timings.json"

    result = publish_in(
        small_project, "build", "-q", "--output", str(output), "--timings", str(timings)
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "(1 baris dikarantina/rows quarantined)" in result.stdout
    records = json.loads(timings.read_text(encoding="utf-8"))
    assert "xlsx (worker)" in {r["stage"] for r in records if r["resource"] == "penduduk"}
    release = current_release(output)
    with sqlite3.connect(release / DATABASE_FILE) as conn:
        cursor = conn.execute("SELECT * FROM penduduk ORDER BY rowid")
        names = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    assert len(rows) == kept and "32.71.99" not in {r[0] for r in rows}
    workbook = release / "site" / DOWNLOADS / "penduduk-kota-bogor" / "penduduk.xlsx"
    sheet = openpyxl.load_workbook(workbook, read_only=True)["penduduk"]
    got = list(sheet.iter_rows(values_only=True))
    assert list(got[0]) == names
    assert [tuple(row) for row in got[1:]] == rows


def test_a_withdrawn_xlsx_stops_at_its_next_batch_and_writes_nothing(tmp_path):
    """`withdraw` on an XLSX the worker is writing: the worker stops at its next batch of rows
    (export_xlsx.Withdrawn), no file is left, and the job is forgotten (no Issue at `finish`).
    Without the worker looking for the withdrawal, `withdraw` waits for the whole file."""
    staging = tmp_path / "staging.csv"
    with open(staging, "w", encoding="utf-8") as out:
        out.write("kode,nilai\n")
        out.writelines(f"K{n:07d},{n}\n" for n in range(200_000))
    fields = [{"name": "kode", "type": "string"}, {"name": "nilai", "type": "integer"}]
    site = tmp_path / "site"
    site.mkdir()
    target = site / "t.xlsx"
    jobs = ExportJobs(workers=1, min_rows=0)
    try:
        entry = jobs.submit("d", "t", fields, staging, target, site)
        (job,) = jobs.jobs
        while not job.future.running() and not job.future.done():
            time.sleep(0.005)
        jobs.withdraw(entry)
        assert jobs.jobs == []
        assert type(job.future.exception()).__name__ == "Withdrawn"
        assert not target.exists()
        assert jobs.finish() == {}
    finally:
        jobs.close()


def _follow(jobs: ExportJobs, tmp_path: Path, fields: list[dict], staging: Path):
    """An XLSX job following `staging` as it grows (export_xlsx.GrowingStaging): the job, its
    entry, its target file and the progress file the writer of `staging` updates."""
    site = tmp_path / "site"
    site.mkdir()
    progress = tmp_path / "staging.progress"
    entry = jobs.submit("d", "t", fields, staging, site / "t.xlsx", site, progress=progress)
    (job,) = jobs.jobs
    return job, entry, site / "t.xlsx", progress


NUMBERED = [{"name": "kode", "type": "string"}, {"name": "nilai", "type": "integer"}]


def _wait_until_read(jobs: ExportJobs, path: Path, timeout: float = 60) -> None:
    """Until a worker process of `jobs` has `path` open (a future is marked running as soon as
    it is queued, before any worker has even started)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in list(jobs._pool._processes):
            with contextlib.suppress(OSError):
                for fd in Path(f"/proc/{pid}/fd").iterdir():
                    with contextlib.suppress(OSError):
                        if os.path.samefile(fd, path):
                            return
        time.sleep(0.01)
    raise AssertionError(f"no worker opened {path} within {timeout} s")


def test_an_xlsx_follows_the_staging_file_while_it_is_written(tmp_path):
    """The worker starts on a staging file of a header and nothing else, reads the rows as each
    chunk is appended and published as whole, waits when it has caught up, and ends at "end":
    the same bytes as the XLSX of the finished file, and it was running before the end."""
    from pipelines.stages.export_xlsx import publish_progress, write_xlsx_from_staging

    staging = tmp_path / "staging.csv"
    chunks = [[f"K{n:05d},{n}\n" for n in range(start, start + 700)] for start in (0, 700, 1400)]
    jobs = ExportJobs(workers=1, min_rows=0)
    try:
        with open(staging, "w", encoding="utf-8", newline="") as out:
            out.write("kode,nilai\n")
            out.flush()
            job, entry, target, progress = _follow(jobs, tmp_path, NUMBERED, staging)
            publish_progress(progress, out.tell())
            _wait_until_read(jobs, staging)
            for lines in chunks:
                time.sleep(0.2)
                assert not job.future.done(), "the worker waits for the next chunk"
                out.writelines(lines)
                out.write("K99999,")  # half a row written, not yet published as whole
                out.flush()
                publish_progress(progress, out.tell() - len("K99999,"))
                out.seek(out.tell() - len("K99999,"))
                out.truncate()
            publish_progress(progress, out.tell(), end=True)
        assert jobs.finish() == {}
    finally:
        jobs.close()
    whole = tmp_path / "whole.xlsx"
    write_xlsx_from_staging(str(staging), "t", NUMBERED, str(whole))
    assert target.read_bytes() == whole.read_bytes()
    sheet = openpyxl.load_workbook(target, read_only=True)["t"]
    assert len(list(sheet.iter_rows(values_only=True))) == 1 + 2100


def test_a_followed_xlsx_withdrawn_while_it_waits_writes_nothing(tmp_path):
    """A worker waiting for rows the read will never write (the read failed, or found a problem
    that sends the XLSX to wait for the rows kept) stops when withdrawn, leaving no file."""
    from pipelines.stages.export_xlsx import publish_progress

    staging = tmp_path / "staging.csv"
    staging.write_text("kode,nilai\nK1,1\n", encoding="utf-8")
    jobs = ExportJobs(workers=1, min_rows=0)
    try:
        job, entry, target, progress = _follow(jobs, tmp_path, NUMBERED, staging)
        publish_progress(progress, staging.stat().st_size)
        _wait_until_read(jobs, staging)
        time.sleep(0.2)
        assert not job.future.done()  # waiting for more: no "end" yet
        stopper = threading.Thread(target=jobs.withdraw, args=(entry,), daemon=True)
        stopper.start()
        stopper.join(30)  # `withdraw` returns once the worker has stopped
        if stopper.is_alive():
            for process in jobs._pool._processes.values():
                process.kill()  # else `close` would wait for it too
            pytest.fail("the waiting worker did not stop within 30 s of the withdrawal")
        assert type(job.future.exception()).__name__ == "Withdrawn"
        assert not target.exists()
        assert jobs.finish() == {}
    finally:
        jobs.close()


STAGING_ROWS = [
    ["kode", "nama", "nilai", "catatan"],
    ["01", '=HYPERLINK("http://x")', "-5", "biasa"],
    ["02", "-5", "+7", "- lain-lain"],
    ["03", "+62", "1", "baris\npertama\n=SUM(A1)"],
    ["04", "\tdi balik tab", "2", "-0,5"],
    ["05", "", "3", "@ibu"],
    ["06", 'Ibu "Ani", S.E.', "4", "=1+1"],
]


def _staging(tmp_path: Path, rows: list[list[str]]) -> Path:
    """A staging CSV as the build writes it (pandas: minimal quoting, "\\n")."""
    import pandas as pd

    path = tmp_path / "staging.csv"
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def _resource(names: list[str], numbers: set[str]):
    from pipelines.core.model import Resource

    fields = [{"name": n, "type": "integer" if n in numbers else "string"} for n in names]
    return Resource("t", "d", {"name": "t", "schema": {"fields": fields}}, Path("."))


def test_the_csv_download_quotes_exactly_the_risky_text_cells(tmp_path):
    """Arrow's scan counts the cells Python's csv module and csv_safety.risky find (a quoted
    value over three lines, a tab, quotes and commas, plain numbers left alone; a number column's
    `-5` is not text), and only those cells change in the download."""
    import csv

    from pipelines.core.csv_safety import risky
    from pipelines.stages.export import write_download_csv

    staging = _staging(tmp_path, STAGING_ROWS)
    resource = _resource(STAGING_ROWS[0], {"nilai"})
    with open(staging, encoding="utf-8", newline="") as handle:
        read = list(csv.reader(handle))
    texts = [i for i, name in enumerate(read[0]) if name != "nilai"]
    expected = sum(risky(row[i]) for row in read[1:] for i in texts)
    assert expected == 5

    out = tmp_path / "t.csv"
    assert write_download_csv(resource, staging, out) == expected
    with open(out, encoding="utf-8", newline="") as handle:
        written = list(csv.reader(handle))
    quoted = [
        [("'" + c if i in texts and risky(c) else c) for i, c in enumerate(row)] for row in read
    ]
    assert written == [read[0], *quoted[1:]]

    safe = _staging(tmp_path, [STAGING_ROWS[0], ["01", "-5", "-5", "+62"], ["02", "a", "1", "b"]])
    assert write_download_csv(resource, safe, out) == 0
    assert out.read_bytes() == safe.read_bytes()


def test_json_downloads_are_the_rows_sqlite_encodes(built_catalog):
    """Every table's `<table>.json` of the sample build, byte for byte: "[", the rows as SQLite's
    json_object gives them in rowid order, one a line joined by commas, then "]" (the writer joins
    them a chunk at a time)."""
    import sqlite_utils

    release = current_release(built_catalog)
    db = sqlite_utils.Database(release / DATABASE_FILE)
    catalog = load_catalog(SAMPLE_CATALOG)
    checked = 0
    for dataset in catalog.datasets.values():
        for resource in dataset.resources:
            path = release / "site" / DOWNLOADS / dataset.id / f"{resource.name}.json"
            if not path.is_file():
                continue
            pairs = ", ".join(f"'{n}', [{n}]" for n in resource.field_names)
            rows = [
                r[0]
                for r in db.execute(
                    f"SELECT json_object({pairs}) FROM [{resource.name}] ORDER BY rowid"
                )
            ]
            body = "\n" + ",\n".join(rows) if rows else ""
            assert path.read_text(encoding="utf-8") == "[" + body + "\n]\n"
            checked += 1
    assert checked >= 20


PEAKS_OF_TWO_JOBS = """
import numpy as np
from pipelines.stages.export_jobs import _run

def big():
    block = np.ones(300 << 17)  # 300 MB of float64, every page touched
    block.sum()

def small():
    pass

print(_run(big, ())[2], _run(small, ())[2])
"""


def test_each_job_reports_its_own_peak_memory():
    """A worker writes one job after another: the second, small job's peak is its own, not the
    300 MB the first one took (the process's lifetime peak would give it that)."""
    result = subprocess.run(
        [sys.executable, "-c", PEAKS_OF_TWO_JOBS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    first, second = (float(v) for v in result.stdout.split())
    assert first > 300
    assert second < first - 200, (first, second)
