"""Shared test fixtures: a real build of the embedded catalog and a real Datasette server on it.

Both are session-scoped: one build and one server serve every test that only reads them. Tests
that change data build their own copy (see `copy_project`).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REALDATA = ROOT.parent / "shared" / "realdata"
PUBLISH = [sys.executable, str(ROOT / "publish.py")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_publish(*args: str, cwd: Path = ROOT, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run publish.py as a user would, capturing its output and exit code."""
    return subprocess.run(
        [*PUBLISH, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def wait_for_http(url: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


class Server:
    """`publish.py serve` in a subprocess on a free loopback port."""

    def __init__(self, output: Path, extra_args: tuple[str, ...] = ()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The server's log goes to a file: a pipe nobody reads fills up after a few thousand
        # access-log lines and then blocks the server mid-request.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server)
        self.process = subprocess.Popen(
            [*PUBLISH, "serve", "--output", str(output), "--port", str(self.port), *extra_args],
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
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
        self.log.close()


@pytest.fixture(scope="session")
def built_catalog(tmp_path_factory) -> Path:
    """The embedded catalog, built once with `publish.py build` into a temporary folder."""
    output = tmp_path_factory.mktemp("catalog") / "build"
    result = run_publish("build", "--quiet", "--output", str(output))
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="session")
def datasette_server(built_catalog):
    server = Server(built_catalog)
    yield server
    server.stop()


@pytest.fixture
def copy_project(tmp_path) -> Path:
    """A copy of datasets/ and metadata/ that a test may break without touching the real ones."""
    for name in ("datasets", "metadata"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


@pytest.fixture(scope="session")
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip(f"{REALDATA} is absent: these tests read the shared real public data in place")
    return REALDATA


os.environ.setdefault("PYTHONHASHSEED", "0")
