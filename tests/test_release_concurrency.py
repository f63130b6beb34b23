"""Releases when processes meet at one output folder: readers, a second build, a killed build, a
running server.

Each test starts the real processes (`publish.py build`, `publish.py serve`) and watches the output
folder or the server from outside, as a person or a script would.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
from conftest import PUBLISH, SMALL_CATALOG, Server, publish_in

from pipelines.core import release as releases
from pipelines.stages.export_jobs import WORKER_ROWS_ENV

PENDUDUK_CSV = Path("datasets/penduduk-kota-bogor/data/penduduk.csv")


def set_count(project: Path, count: int) -> None:
    """Put `count` where the first JUMLAH of the kecamatan file stands, so a release says which
    build made it."""
    source = project / PENDUDUK_CSV
    lines = source.read_text().splitlines(keepends=True)
    fields = lines[1].split(",")
    fields[3] = f"{count // 1000}.{count % 1000:03d}"
    lines[1] = ",".join(fields)
    source.write_text("".join(lines))


def build_process(
    project: Path, output: Path, *args: str, env: dict | None = None
) -> subprocess.Popen:
    command = [
        *PUBLISH, "--datasets-dir", str(project / "datasets"),
        "--metadata-dir", str(project / "metadata"), "build", "-q", "--output", str(output), *args,
    ]  # fmt: skip
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def children_by_parent() -> dict[int, list[int]]:
    """Every process's children, from /proc (field 4 of /proc/<pid>/stat is the parent)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended while we looked
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return children


def running(pid: int) -> bool:
    """Whether `pid` is a process that has not ended (a zombie has ended: it waits to be
    reaped, and in a container nobody may reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def release_folders(output: Path) -> list[Path]:
    folder = output.parent / f".{output.name}-releases"
    return sorted(p for p in folder.glob("release-*") if p.is_dir())


def wait_until(condition, seconds: float = 120.0, step: float = 0.02) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(step)


def test_a_reader_always_sees_a_complete_release(small_project, tmp_path):
    output = tmp_path / "out" / "build"
    assert publish_in(small_project, "build", "-q", "--output", str(output)).returncode == 0
    seen: list[str] = []
    problems: list[str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                # Through the link, as a web server or a script would open the files.
                assert (output / releases.COMPLETE_MARKER).is_file(), "no completion marker"
                manifest = json.loads((output / "manifest.json").read_text())
                assert len(manifest["datasets"]) == len(SMALL_CATALOG)
                assert (output / "jendela.db").stat().st_size > 0
                assert (output / "site" / "index.html").is_file()
                seen.append(os.readlink(output))
            except (AssertionError, OSError, ValueError) as exc:
                problems.append(repr(exc))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for count in (104162, 104163, 104164):
            set_count(small_project, count)
            result = publish_in(small_project, "build", "-q", "penduduk-kota-bogor",
                                "--output", str(output))  # fmt: skip
            assert result.returncode == 0, result.stdout + result.stderr
    finally:
        stop.set()
        reader.join()
    assert problems == []
    assert len(set(seen)) == 4  # the reader saw every release, each complete


def test_a_second_build_stops_or_waits_for_the_first(copy_project, tmp_path):
    output = tmp_path / "out" / "build"
    lock = output.parent / f".{output.name}.lock"
    # Another day for the first build (its pages say how old each dataset is): the snapshot
    # changed below may be read by the first build too, when it has not reached that file yet, and
    # the second build must still differ from it, or it would rightly publish no new release.
    first = build_process(copy_project, output, "--today", "2026-01-05")
    try:
        # The lock file names the holder while the first build runs.
        wait_until(lambda: lock.is_file() and lock.read_text().strip() == str(first.pid))
        refused = publish_in(copy_project, "build", "-q", "--output", str(output))
        assert refused.returncode == 2
        assert (
            f"build lain sedang menulis ke {output} (proses {first.pid}); tunggu sampai selesai "
            "atau jalankan lagi dengan --wait DETIK / another build is writing to "
            f"{output} (process {first.pid}); let it finish or run again with --wait SECONDS"
        ) in refused.stderr
        assert first.poll() is None  # the refused build did not disturb the running one
        set_count(copy_project, 104170)
        waited = publish_in(copy_project, "build", "-q", "--wait", "300", "--output", str(output))
    finally:
        out, err = first.communicate(timeout=300)
    assert first.returncode == 0, out + err
    assert waited.returncode == 0, waited.stdout + waited.stderr
    # The waiting build ran after the first and published last: its value is served, nothing of
    # either build was deleted under the other, and only complete releases remain.
    csv = (output / "site/downloads/penduduk-kota-bogor/penduduk.csv").read_text()
    assert "104170" in csv
    folders = release_folders(output)
    assert len(folders) == 2
    assert all(releases.is_complete(f) for f in folders)


def test_a_build_never_publishes_over_a_release_it_did_not_start_from(
    small_project, tmp_path, monkeypatch
):
    from pipelines import build as build_module
    from pipelines.catalog import site
    from pipelines.core.registry import load_catalog

    output = tmp_path / "out" / "build"
    catalog = load_catalog(small_project / "datasets", small_project / "metadata")
    assert build_module.build(catalog, output=output).exit_code == 0
    # force: the same inputs would otherwise leave the published release as it is (no new one)
    assert build_module.build(catalog, output=output, force=True).exit_code == 0
    rollback, published = releases.complete_releases(output)
    render = site.render_site

    def meanwhile(*args, **kwargs):
        # A publisher that ignores the lock (an older copy of this program) rolls back meanwhile.
        link = output.parent / "other-link"
        link.symlink_to(os.path.relpath(rollback, output.parent))
        os.replace(link, output)
        return render(*args, **kwargs)

    monkeypatch.setattr(site, "render_site", meanwhile)
    with pytest.raises(releases.ReleaseConflictError) as raised:
        build_module.build(catalog, output=output, force=True)
    assert str(raised.value) == (
        f"{output} sekarang menunjuk ke {rollback.name}, bukan {published.name} tempat build ini "
        "mulai; build ini tidak diterbitkan agar rilis itu tidak tertimpa. Jalankan build lagi / "
        f"{output} now points at {rollback.name}, not at {published.name} where this build "
        "started; this build was not published, so that release is not reverted. Run the build "
        "again"
    )
    assert raised.value.exit_code == 2
    assert output.resolve() == rollback
    assert release_folders(output) == sorted([rollback, published])  # the new one was discarded


def test_leftovers_of_a_killed_build_are_cleaned_by_the_next(copy_project, tmp_path):
    output = tmp_path / "out" / "build"
    assert publish_in(copy_project, "build", "-q", "--output", str(output)).returncode == 0
    good = output.resolve()
    killed = build_process(copy_project, output, "--force")  # same inputs: --force or no work
    # Killed once its release folder holds a loaded database: hundreds of MB on a real build.
    wait_until(
        lambda: any((f / "jendela.db").is_file() and f != good for f in release_folders(output))
    )
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    [partial] = [f for f in release_folders(output) if f != good]
    assert not releases.is_complete(partial)
    assert output.resolve() == good  # what was published stays published

    assert (
        publish_in(copy_project, "build", "-q", "--force", "--output", str(output)).returncode == 0
    )
    folders = release_folders(output)
    assert partial not in folders
    assert good in folders and output.resolve() in folders and len(folders) == 2
    assert all(releases.is_complete(f) for f in folders)


def test_a_killed_build_leaves_no_export_worker_running(copy_project, tmp_path):
    """Export workers (stages/export_jobs.py) end with the build that started them, even a build
    killed with SIGKILL, which runs no code of its own on the way out."""
    output = tmp_path / "out" / "build"
    every_table = {**os.environ, WORKER_ROWS_ENV: "1"}  # each table's XLSX goes to a worker
    killed = build_process(copy_project, output, env=every_table)
    started: set[int] = set()

    def workers_started() -> bool:
        # build -> forkserver -> workers: the build's grandchildren
        children = children_by_parent()
        for child in children.get(killed.pid, []):
            started.update(children.get(child, []))
        return bool(started)

    wait_until(workers_started)
    helpers = set(children_by_parent().get(killed.pid, []))  # the forkserver, resource tracker
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    left = started | helpers
    wait_until(lambda: not any(running(pid) for pid in left), seconds=60)


def test_a_prune_killed_halfway_never_leaves_a_half_release_as_the_rollback(
    small_project, tmp_path
):
    output = tmp_path / "out" / "build"
    for _ in range(2):  # --force: the same inputs would otherwise make no new release
        assert (
            publish_in(small_project, "build", "-q", "--force", "--output", str(output)).returncode
            == 0
        )
    oldest, last_good = releases.complete_releases(output)
    # What a prune killed halfway leaves: the marker gone first, then part of the files.
    (oldest / releases.COMPLETE_MARKER).unlink()
    (oldest / "jendela.db").unlink()

    assert (
        publish_in(small_project, "build", "-q", "--force", "--output", str(output)).returncode == 0
    )
    folders = release_folders(output)
    assert oldest not in folders
    assert folders == sorted([last_good, output.resolve()])  # the last good one is the rollback
    assert (last_good / "jendela.db").is_file()


def test_pruning_spares_a_release_a_living_server_leases(small_project, tmp_path):
    output = tmp_path / "out" / "build"
    assert publish_in(small_project, "build", "-q", "--output", str(output)).returncode == 0
    served = output.resolve()
    sleeper = subprocess.Popen(["sleep", "600"])
    dead = subprocess.Popen(["true"])
    dead.wait()
    leases = releases.releases_dir(output) / releases.LEASES
    leases.mkdir()
    (leases / str(sleeper.pid)).write_text(f"{served.name}\n")
    (leases / str(dead.pid)).write_text(f"{served.name}\n")
    try:
        for _ in range(3):
            result = publish_in(small_project, "build", "-q", "--force", "--output", str(output))
            assert result.returncode == 0
        assert releases.is_complete(served)  # three builds later, still whole
        assert not (leases / str(dead.pid)).exists()  # a dead server's lease is dropped
        assert len(release_folders(output)) == 3
    finally:
        sleeper.kill()
        sleeper.wait()
    assert (
        publish_in(small_project, "build", "-q", "--force", "--output", str(output)).returncode == 0
    )
    assert served not in release_folders(output)  # once its server is gone, pruned as usual
    assert len(release_folders(output)) == 2


def test_a_running_server_follows_every_build_without_a_failed_request(small_project, tmp_path):
    output = tmp_path / "out" / "build"
    assert publish_in(small_project, "build", "-q", "--output", str(output)).returncode == 0
    server = Server(output)
    paths = [
        "/",
        "/dataset/penduduk-kota-bogor/",
        "/downloads/penduduk-kota-bogor/penduduk.csv",
        "/reports/penduduk-kota-bogor/penduduk.html",
        "/jendela/penduduk.json",
        "/api/3/action/package_list",
        "/-/openapi.json",
    ]
    answers: list[tuple[str, int]] = []
    stop = threading.Event()

    def hammer() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            while not stop.is_set():
                for path in paths:
                    answers.append((path, client.get(path).status_code))

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for count in (104171, 104172, 104173, 104174):
            set_count(small_project, count)
            result = publish_in(small_project, "build", "-q", "penduduk-kota-bogor",
                                "--output", str(output))  # fmt: skip
            assert result.returncode == 0, result.stdout + result.stderr
            # The next request is answered by the new release: its database and its files.
            rows = httpx.get(f"{server.url}/jendela/penduduk.json?_shape=array&_size=1").json()
            assert rows[0]["jumlah_penduduk"] == count
            csv = httpx.get(f"{server.url}/downloads/penduduk-kota-bogor/penduduk.csv").text
            assert str(count) in csv
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        server.stop()
    failed = sorted({(path, status) for path, status in answers if status != 200})
    assert failed == []
    assert len(answers) > 100
    # The server's lease went with it.
    assert not any((releases.releases_dir(output) / releases.LEASES).glob("[0-9]*"))
