"""`publish.py serve --workers N`: N server processes on one port over the same release, each
following new releases and leasing what it serves; pages and JSON compressed, downloads not."""

from __future__ import annotations

import gzip
import os
import time
from pathlib import Path

import httpx
from conftest import Server, publish_in, run_publish
from test_release_concurrency import set_count as set_first_count

from pipelines.core import release as releases


def leasing_processes(output: Path) -> set[int]:
    folder = releases.releases_dir(output) / releases.LEASES
    return {int(p.name) for p in folder.iterdir() if p.name.isdigit()} if folder.is_dir() else set()


def first_count(url: str) -> int:
    rows = httpx.get(f"{url}/jendela/penduduk.json?_shape=array&_size=1").json()
    return rows[0]["jumlah_penduduk"]


def test_two_workers_serve_one_port_and_both_follow_a_new_release(small_project, tmp_path):
    output = tmp_path / "out" / "build"
    set_first_count(small_project, 104201)
    assert publish_in(small_project, "build", "-q", "--output", str(output)).returncode == 0
    server = Server(output, ("--workers", "2"))
    try:
        # Each worker leases the release it serves once it has started; the supervisor does not.
        deadline = time.monotonic() + 60
        while len(leasing_processes(output)) < 2 and time.monotonic() < deadline:
            httpx.get(f"{server.url}/-/versions.json")
            time.sleep(0.2)
        workers = leasing_processes(output)
        assert len(workers) == 2 and server.process.pid not in workers, workers
        assert all(os.path.exists(f"/proc/{pid}") for pid in workers)
        assert {first_count(server.url) for _ in range(20)} == {104201}

        set_first_count(small_project, 104202)
        result = publish_in(
            small_project, "build", "-q", "penduduk-kota-bogor", "--output", str(output)
        )
        assert result.returncode == 0, result.stdout + result.stderr
        # Whichever worker answers, the next requests see the new release.
        assert {first_count(server.url) for _ in range(20)} == {104202}
    finally:
        server.stop()


def test_pages_and_json_are_compressed_and_downloads_are_not(built_catalog, datasette_server):
    for path in ("/jendela/penduduk.json?_shape=array", "/dataset/penduduk-kota-bogor/"):
        with httpx.Client(base_url=datasette_server.url) as client:
            raw = client.get(path, headers={"Accept-Encoding": "gzip"})
            plain = client.get(path, headers={"Accept-Encoding": "identity"})
        assert raw.headers["content-encoding"] == "gzip", path
        assert "content-encoding" not in plain.headers, path
        # The same bytes either way once unpacked (httpx unpacks `raw.content`).
        assert raw.content == plain.content and len(plain.content) > 1024
        assert int(raw.headers["content-length"]) < len(plain.content) / 2
    download = "/downloads/penduduk-kota-bogor/penduduk.csv"
    answer = httpx.get(f"{datasette_server.url}{download}", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200 and "content-encoding" not in answer.headers
    assert answer.content == (built_catalog / "site" / download.lstrip("/")).read_bytes()


def test_workers_must_be_at_least_one(built_catalog):
    result = run_publish("serve", "--output", str(built_catalog), "--workers", "0")
    assert result.returncode == 2
    assert "--workers harus 1 atau lebih / must be 1 or more: 0" in result.stderr


def test_gzip_bodies_are_real_gzip(datasette_server):
    """The compressed answer is a gzip stream a client without httpx's help can read."""
    with httpx.stream(
        "GET",
        f"{datasette_server.url}/jendela/penduduk.json?_shape=array",
        headers={"Accept-Encoding": "gzip"},
    ) as answer:
        body = b"".join(answer.iter_raw())
    assert gzip.decompress(body).startswith(b"[")
