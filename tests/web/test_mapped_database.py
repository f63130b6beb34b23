"""The server reads the release's database through a memory map (pipelines/web/mapped.py).

Seen from outside, as the kernel sees it: after a page that reads a table, the server process
maps the release's jendela.db (/proc/<pid>/maps). SQLite maps nothing without `mmap_size`.
What it saves is measured, not asserted: see the module's docstring.
"""

from __future__ import annotations

from pathlib import Path

import httpx


def mapped_files(pid: int) -> set[str]:
    lines = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return {line.split(maxsplit=5)[5] for line in lines if len(line.split(maxsplit=5)) == 6}


def test_the_server_maps_the_database_it_reads(datasette_server, built_catalog):
    answer = httpx.get(datasette_server.url + "/jendela/penduduk.json?_size=5", timeout=60)
    assert answer.status_code == 200 and answer.json()["rows"]
    database = str((built_catalog / "jendela.db").resolve())
    assert database in mapped_files(datasette_server.process.pid)
