"""Speed of the CKAN harvester and of our CKAN Action API (figures for the report, not tests).

    .venv/bin/python benchmarks/bench_ckan.py

1. Harvest the replay portal (tests/ckan_replay.py: real CKAN answers and real files in
   ../shared/realdata) into a temporary folder, cold then incremental (nothing changed).
2. Build the embedded catalog, serve it, and time package_show / package_search / package_list
   over loopback with a bounded number of requests.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from ckan_replay import ReplayPortal  # noqa: E402
from conftest import REALDATA, Server, run_publish  # noqa: E402

from pipelines.harvest.client import ClientSettings  # noqa: E402
from pipelines.harvest.harvester import HarvestOptions, harvest  # noqa: E402

REQUESTS = 200


def bench_harvest(folder: Path) -> None:
    (folder / "datasets").mkdir(parents=True)
    shutil.copytree(ROOT / "metadata", folder / "metadata")
    with ReplayPortal(REALDATA) as portal:
        options = HarvestOptions(
            portal=portal.url,
            datasets_dir=folder / "datasets",
            metadata_dir=folder / "metadata",
            cache_dir=folder / ".cache",
            settings=ClientSettings(timeout=10, retries=0),
        )
        for label in ("cold", "incremental"):
            started = time.perf_counter()
            report = harvest(options)
            seconds = time.perf_counter() - started
            print(f"harvest {label}: {seconds:.2f} s, {report.counts()}")


def bench_api(folder: Path) -> None:
    output = folder / "build"
    result = run_publish("build", "--quiet", "--output", str(output))
    if result.returncode != 0:
        print("build failed:", result.stdout, result.stderr)
        return
    server = Server(output)
    try:
        for path in (
            "/api/3/action/package_show?id=wilayah-kemendagri",
            "/api/3/action/package_search?fq=organization:pemkot-bogor&rows=10",
            "/api/3/action/package_list",
        ):
            times = []
            for _ in range(REQUESTS):
                started = time.perf_counter()
                with urllib.request.urlopen(server.url + path, timeout=10) as response:
                    response.read()
                times.append(time.perf_counter() - started)
            times.sort()
            print(
                f"{path}: median {statistics.median(times) * 1000:.1f} ms, "
                f"p95 {times[int(len(times) * 0.95)] * 1000:.1f} ms ({REQUESTS} requests)"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="bench-ckan-") as tmp:
        bench_harvest(Path(tmp) / "harvest")
        bench_api(Path(tmp))
