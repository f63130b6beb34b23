"""Shared test fixtures: a real build of the embedded catalog and a real Datasette server on it.

Both are session-scoped: one build and one server serve every test that only reads them. Tests
that change data build their own copy (see `copy_project`).
"""

from __future__ import annotations

import atexit
import datetime
import functools
import hashlib
import http.server
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pipelines.core.freshness import TODAY_ENV

if TYPE_CHECKING:
    import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `import publish` for in-process CLI runs, whatever the cwd
    sys.path.insert(0, str(ROOT))
# JENDELA_REALDATA points elsewhere (tests/test_conftest.py checks what happens when it is absent).
REALDATA = Path(os.environ.get("JENDELA_REALDATA") or ROOT.parent / "shared" / "realdata")
PUBLISH = [sys.executable, str(ROOT / "publish.py")]
# A query that never ends by itself: the server's time limit (3 s) stops it.
ENDLESS_QUERY = (
    "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
)
# The hand-made sample catalog (tiny invented inputs, labelled `sample`): what the tests of the
# machinery build. It is never published by the default build, which reads datasets/ (real data).
SAMPLE_CATALOG = ROOT / "tests" / "fixtures" / "sample-catalog"
REAL_CATALOG = ROOT / "datasets"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_publish(
    *args: str,
    cwd: Path = ROOT,
    timeout: float = 600,
    catalog: Path | None = SAMPLE_CATALOG,
    separate_process: bool = False,
) -> subprocess.CompletedProcess:
    """Run publish.py's command line, capturing its output and exit code.

    Tests of the machinery run on the sample catalog unless they name another datasets folder;
    `catalog=None` runs exactly what a user types (the real catalog in datasets/).

    The command runs in this process (`publish.main(argv)`, the function `python publish.py`
    calls), which saves a Python start and the imports per call; `separate_process=True` starts
    `python publish.py` for what only a process shows (being killed, a timeout, `serve`'s exec,
    a fresh interpreter's defaults)."""
    if catalog is not None and "--datasets-dir" not in args:
        args = ("--datasets-dir", str(catalog), *args)
    if separate_process or (args and "serve" in args):
        return subprocess.run(
            [*PUBLISH, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout
        )
    return _publish_in_this_process(list(args), cwd)


def _publish_in_this_process(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """`publish.main(argv)` with stdout and stderr captured and the working directory set, as
    the subprocess would have it. A crash becomes exit code 1 with its traceback on stderr, as
    `python publish.py` prints it."""
    import contextlib
    import io
    import traceback

    import publish

    out, err = io.StringIO(), io.StringIO()
    before = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = publish.main(argv)
            except SystemExit as exc:  # argparse's usage errors exit 2
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except Exception:
                traceback.print_exc()
                code = 1
    finally:
        os.chdir(before)
    return subprocess.CompletedProcess([*PUBLISH, *argv], code, out.getvalue(), err.getvalue())


def publish_in(project: Path, *args: str) -> subprocess.CompletedProcess:
    """publish.py on a copied project (see `copy_project`): its datasets/ and metadata/."""
    return run_publish(
        "--datasets-dir", str(project / "datasets"), "--metadata-dir", str(project / "metadata"),
        *args,
    )  # fmt: skip


def catalog_name(project: Path, path: Path) -> str:
    """How a build names a file of a copied project's catalog in its messages, reports,
    quarantine files and manifest: the file's path from the project, `datasets/<id>/...`, the
    same wherever the copy sits (an absolute path would make two builds of one catalog differ)."""
    return path.relative_to(project).as_posix()


def read(kind: str, path: Path, **options) -> pd.DataFrame:
    """Everything reader `kind` yields for `path`, as one frame (readers yield chunks)."""
    import pandas as pd  # on use: every test session loads conftest, few call this

    from pipelines.readers import read_chunks

    return pd.concat(list(read_chunks(kind, path, options)), ignore_index=True)


def tree_digest(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under `folder`: equal digests, identical trees."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def region_subset_sql(realdata: Path, target: Path, prefixes=("32", "35", "36")) -> Path:
    """The provinces and kabupaten/kota of `prefixes` from the real Kemendagri list, as a small
    dump in the same form, so a test builds the region table in a second instead of ten."""
    text = (realdata / "regions/kemendagri_2025/wilayah.sql").read_text(encoding="utf-8")
    alternatives = "|".join(prefixes)
    pattern = rf"\('((?:{alternatives})(?:\.\d\d)?)','([^']*)'\)"
    rows = re.findall(pattern, text)
    assert len(rows) > 20 * len(prefixes)
    values = ",\n".join(f"('{code}','{name}')" for code, name in rows)
    target.write_text(f"INSERT INTO wilayah (kode, nama) VALUES\n{values};\n", encoding="utf-8")
    return target


def serve_in_thread(server) -> threading.Thread:
    """Run a `socketserver` server (the test HTTP servers) in a daemon thread. Its loop looks
    for `shutdown()` every 50 ms: at the default 0.5 s, each stop kept a test waiting half a
    second (about 25 of them in a run)."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    return thread


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # no access log on the test output
        pass


class StaticHost:
    """A static file server for `folder` on loopback: what a plain web host (or a portal
    serving files) does, nothing more."""

    def __init__(self, folder: Path):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = serve_in_thread(self.server)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def wait_for_http(url: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.05)  # a server is up within a second or two: poll often
    raise TimeoutError(f"{url} did not answer within {seconds} s")


class Server:
    """`publish.py serve` on a free loopback port, in a child forked from a warm interpreter
    (tests/forked.py): the same command and process as `python publish.py serve`, less the
    second of imports every start would repeat."""

    def __init__(
        self, output: Path, extra_args: tuple[str, ...] = (), env: dict[str, str] | None = None
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The server's log goes to a file: a pipe nobody reads fills up after a few thousand
        # access-log lines and then blocks the server mid-request.
        self.log = tempfile.NamedTemporaryFile()  # noqa: SIM115 (lives as long as the server)
        argv = ["serve", "--output", str(output), "--port", str(self.port), *extra_args]
        self.process = _launcher("publish").start(
            ROOT, "publish:main", [PUBLISH[1], *argv], Path(self.log.name),
            env={**os.environ, **(env or {})},
        )  # fmt: skip
        try:
            wait_for_http(f"{self.url}/-/versions.json")
        except TimeoutError:
            self.stop()
            raise

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


# What each launcher (tests/forked.py) imports once before it forks its children, in the order a
# server imports them: Datasette first, as its plugin loader imports our plugin (an entry point),
# which imports Datasette (imported the other way round, the loader found our plugin half made).
_WARM_MODULES = {
    "frictionless": ("frictionless.__main__",),
    "publish": ("datasette.app", "publish", "pipelines.web.serve", "uvicorn"),
}
_LAUNCHERS: dict = {}


def _launcher(name: str):
    """This test process's launcher of `name`'s commands, started on first use."""
    from forked import Launcher

    if name not in _LAUNCHERS:
        # publish.py's folder first on the path, as `python publish.py` has it
        _LAUNCHERS[name] = Launcher(*_WARM_MODULES[name], path=ROOT if name == "publish" else None)
        atexit.register(_LAUNCHERS[name].close)
    return _LAUNCHERS[name]


def made_once(tmp_path_factory, name: str, make) -> Path:
    """A folder that `make(folder)` fills once per test run. Under pytest-xdist the workers share
    it: the first one makes it under a file lock, the others wait and read it (the run's base
    temporary folder is common to all workers and new for every run)."""
    from filelock import FileLock

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if worker else base) / name
    with FileLock(str(folder) + ".lock"):
        done = folder / ".made"
        if not done.is_file():
            folder.mkdir(exist_ok=True)
            make(folder)
            done.touch()
    return folder


def _build_sample(folder: Path) -> None:
    result = run_publish("build", "--quiet", "--output", str(folder / "build"))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="session")
def built_catalog(tmp_path_factory) -> Path:
    """The sample catalog, built once with `publish.py build` into a temporary folder."""
    return made_once(tmp_path_factory, "catalog", _build_sample) / "build"


BOUNDARIES_LICENCE = "Uji / test only: vans969/WEB_SIG (no licence stated)"


@pytest.fixture(scope="session")
def boundaries_build(tmp_path_factory, realdata) -> Path:
    """Kota Bogor's population (and the region list it refers to) of the sample catalog, built
    once with the real kecamatan boundaries (`--boundaries`), for the tests of its map."""

    def make(folder: Path) -> None:
        result = run_publish(
            "build", "penduduk-kota-bogor", "--quiet", "--output", str(folder / "build"),
            "--boundaries", str(realdata / "regions" / "kota_bogor_kecamatan.geojson"),
            "--boundaries-licence", BOUNDARIES_LICENCE,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr

    return made_once(tmp_path_factory, "boundaries", make) / "build"


@pytest.fixture(scope="session")
def datasette_server(built_catalog):
    server = Server(built_catalog)
    yield server
    server.stop()


@pytest.fixture
def copy_project(tmp_path) -> Path:
    """A copy of the sample catalog (as datasets/) and metadata/ that a test may break without
    touching the real ones."""
    shutil.copytree(SAMPLE_CATALOG, tmp_path / "datasets")
    shutil.copytree(ROOT / "metadata", tmp_path / "metadata")
    return tmp_path


SMALL_CATALOG = ("wilayah-kota-bogor", "penduduk-kota-bogor")


@pytest.fixture
def small_project(copy_project) -> Path:
    """`copy_project` with only the Kota Bogor region list and its population: a whole catalog,
    foreign key included, that builds in a fraction of the sample's time, for tests that need
    many builds rather than many datasets (releases, leases, swaps)."""
    for folder in (copy_project / "datasets").iterdir():
        if folder.is_dir() and folder.name not in SMALL_CATALOG:
            shutil.rmtree(folder)
    return copy_project


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The shared real public files, read in place. Absent on a fresh clone: the tests that need
    them skip, except in CI (`CI` set, as .ci/run sets it), where a green run must mean they ran,
    so they fail saying what is missing."""
    if not REALDATA.is_dir():
        reason = (
            f"{REALDATA} tidak ada: tes ini membaca data publik asli di tempatnya (PROVENANCE.md) "
            f"/ {REALDATA} is absent: these tests read the shared real public data in place"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI: {reason}", pytrace=False)
        pytest.skip(reason)
    return REALDATA


@pytest.fixture(scope="session")
def real(tmp_path_factory):
    """The default build (the real catalog of datasets/, from the snapshots kept there), shared
    by every module that reads it (tests/realdata_catalog.py); imported here, not at the top,
    because it imports conftest."""
    from realdata_catalog import real_build

    return real_build(made_once(tmp_path_factory, "realdata", real_build))


@pytest.fixture(scope="session")
def real_server(real):
    """`publish.py serve` of the default build, one per worker for every module that asks the
    real catalog's server (a start is about a second of CPU; the server only reads)."""
    server = Server(real.output)
    yield server
    server.stop()


os.environ.setdefault("PYTHONHASHSEED", "0")
# One "today" for the whole run (core/freshness.py; a test that needs a given day passes --today):
# the freshness columns say how many days old a dataset is, so two builds compared byte for byte
# differed when the run crossed midnight (a build before it, one after). The workers inherit it.
os.environ.setdefault(TODAY_ENV, datetime.date.today().isoformat())

# The order files go out to the pytest-xdist workers (`--dist loadfile --no-loadscope-reorder`,
# pyproject.toml): first the file that starts the real catalog's build (`real`, about 40 s,
# made once for all workers), then the longest files that do not need it, so the other workers
# never wait for that build; then the longest that do, so that no worker is left with a long
# file at the end. The other files follow in their usual order.
FIRST = (
    "stages/test_packages.py",  # `real`: builds it, then `frictionless validate` of each package
    "test_release_concurrency.py",
    "test_release.py",
    "stages/test_chunks.py",
    "test_rebuild.py",
    "web/test_openapi.py",
    "web/test_datasette_csv.py",
    "harvest/test_ckan_harvest.py",
    "test_release_swap.py",
    "web/test_deploy_nginx.py",
    "stages/test_exports.py",
    "web/test_serve_workers.py",
    "web/test_datasette.py",
    "stages/test_validate_differential.py",
    "core/test_indonesian_vector.py",
    "catalog/test_site_browser.py",  # the ones below use `real`
    "datasets/test_contract.py",
    "catalog/test_site_for_people.py",
    "web/test_journalist_tasks.py",
    "catalog/test_site.py",
    "readers/test_realdata_walk.py",
    "stages/test_ocds.py",
)


def pytest_xdist_auto_num_workers(config) -> int:
    """What `-n auto` (pyproject.toml) means here: three workers for every two cores the run may
    use (at most --maxprocesses). A worker is often waiting, on a server's answer, on Chromium
    drawing or on a child build, so one per core leaves cores idle: on this 2-core machine the
    suite took 205 s with three workers and 222 s with two, run back to back (CPU 333 and 348 s)."""
    return max(1, len(os.sched_getaffinity(0)) * 3 // 2)


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        path = Path(str(item.fspath)).relative_to(ROOT / "tests").as_posix()
        return FIRST.index(path) if path in FIRST else len(FIRST)

    items.sort(key=rank)  # stable: the others keep their order


FRICTIONLESS = Path(sys.executable).with_name("frictionless")


def frictionless_validate(path: Path) -> dict:
    """`frictionless validate --json <file>` run from the file's folder, as a user would run it
    on a download (a datapackage.json or a zip); its JSON report. Exit code 0 exactly when the
    report is valid. The command runs in a child forked from a process that has imported
    frictionless once (tests/forked.py), which saves its start-up per run."""
    import json

    code, out, err = _launcher("frictionless").run(
        path.parent,
        "frictionless.__main__:console",
        ["frictionless", "validate", "--json", path.name],
    )
    assert out.strip(), f"frictionless printed no report (exit code {code}): {err}"
    report = json.loads(out)
    assert (code == 0) == report["valid"], err
    return report


def own_packages(build: Path) -> dict[str, dict]:
    """Every dataset's published datapackage.json, with only the dataset's own tables: the rows of
    other datasets' tables a package ships so that its foreign keys resolve (`jendela.subset_of`,
    export.py) are not tables of the dataset (nor of its CKAN package)."""
    import json

    from pipelines.core.release import current_release

    downloads = current_release(build) / "site" / "downloads"
    packages = {
        p.parent.name: json.loads(p.read_text()) for p in downloads.glob("*/datapackage.json")
    }
    for package in packages.values():
        package["resources"] = [
            r for r in package["resources"] if "subset_of" not in r.get("jendela", {})
        ]
    return packages
