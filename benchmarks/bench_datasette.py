"""Datasette response times and load on a large tender table, on loopback only.

Build the table first (benchmarks/generate_tenders.py makes the raw file), then run this against
the build; it starts `publish.py serve` on a free loopback port, measures, and stops it:

    python benchmarks/generate_tenders.py --rows 1000000 --out /tmp/tenders.csv
    python publish.py --datasets-dir tests/fixtures/sample-catalog build tender-kota-bogor \
        --source tender=/tmp/tenders.csv --output /tmp/bench1m/build
    python benchmarks/bench_datasette.py --output /tmp/bench1m/build

It reports p50/p95 of sequential requests (after one warm-up each) for the default table page, the
page with each descriptor facet's top value selected, filters and a search; then, when `wrk` is
installed (Debian package `wrk`), requests/s and p95 under concurrent load for a filtered JSON page
and a facet page; then the server CPU one full-table CSV download costs (prebuilt file vs
Datasette's own streaming). Timings are printed, never asserted: they depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from conftest import Server  # noqa: E402  (the same server the tests start)

WRK_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("JSON {\\"rps\\": %.1f, \\"p50_ms\\": %.2f, \\"p95_ms\\": %.2f, "
    .. "\\"p99_ms\\": %.2f, \\"requests\\": %d, \\"errors\\": %d}\\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def timed(client: httpx.Client, path: str, repeat: int) -> dict:
    response = client.get(path)  # warm-up: first touch of pages and caches
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    body = response.text
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        seconds.append(time.perf_counter() - start)
        assert response.status_code == 200
    return {
        "path": path,
        "p50_ms": round(statistics.median(seconds) * 1000, 1),
        "p95_ms": round(percentile(seconds, 95) * 1000, 1),
        "timed_out_facets": "facets-timed-out" in body,
    }


def top_value(client: httpx.Client, table: str, column: str) -> str:
    payload = client.get(
        f"/jendela/{table}.json", params={"_size": 0, "_extra": "facet_results"}
    ).json()
    return str(payload["facet_results"]["results"][column]["results"][0]["value"])


def page_paths(client: httpx.Client, table: str) -> list[str]:
    config = client.get(f"/jendela/{table}.json", params={"_extra": "metadata", "_size": 0})
    facets = client.get("/-/config.json").json()["databases"]["jendela"]["tables"][table]["facets"]
    del config
    paths = [f"/jendela/{table}", f"/jendela/{table}.json"]
    values = {column: top_value(client, table, column) for column in facets}
    for column, value in values.items():
        paths.append(str(httpx.URL(f"/jendela/{table}", params={column: value})))
    first, second = facets[:2]
    paths.append(
        str(httpx.URL(f"/jendela/{table}", params={first: values[first], second: values[second]}))
    )
    paths.append(str(httpx.URL(f"/jendela/{table}.json", params={first: values[first]})))
    paths.append(f"/jendela/{table}?pagu_rp__gte=1000000000")  # 45% of rows
    paths.append(f"/jendela/{table}?pagu_rp__gte=100000000000")  # a handful of rows
    paths.append(
        str(httpx.URL(f"/jendela/{table}", params={"pagu_rp__lt": 500000000, first: values[first]}))
    )
    paths.append(f"/jendela/{table}?_search=drainase")  # 8% of rows
    paths.append(f"/jendela/{table}?_search=drainase&tahun_anggaran=2024")
    paths.append(f"/jendela/{table}?_sort_desc=nilai_kontrak_rp")
    paths.append(f"/jendela/{table}?_sort=nama_paket")  # text: read off its index
    paths.append(f"/jendela/{table}?_facet=pemenang")  # a facet a reader adds: SQL over its index
    # Not answered by the facet arrays: SQL counts the facets (reported, not a target).
    paths.append(f"/jendela/{table}?nama_paket__contains=Drainase")
    return paths


def wrk(url: str, seconds: int, connections: int, close: bool = False) -> dict | None:
    """wrk's figures for `url`; `close`: a new connection for every request (`Connection: close`),
    as a proxy without keep-alive to its servers makes them, instead of wrk's kept connections."""
    if not shutil.which("wrk"):
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_LUA)
    headers = ["-H", "Connection: close"] if close else []
    try:
        result = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script.name, *headers, url],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(script.name)
    line = next(x for x in result.stdout.splitlines() if x.startswith("JSON "))
    return {"url": url, "connections": connections, **json.loads(line[5:])}


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the server runs in one process)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def csv_cost(server: Server, table: str) -> dict:
    results = {}
    with httpx.Client(base_url=server.url, timeout=600, follow_redirects=True) as client:
        for label, params in (
            ("prebuilt (our redirect)", {"_stream": "on"}),
            ("datasette stream (filtered, whole table)", {"_stream": "on", "_where": "1 = 1"}),
        ):
            before, start = cpu_seconds(server.process.pid), time.perf_counter()
            with client.stream("GET", f"/jendela/{table}.csv", params=params) as response:
                lines = sum(chunk.count(b"\n") for chunk in response.iter_bytes())
            results[label] = {
                "rows": lines - 1,
                "seconds": round(time.perf_counter() - start, 2),
                "server_cpu_s": round(cpu_seconds(server.process.pid) - before, 2),
            }
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, required=True, help="the build to serve")
    parser.add_argument("--table", default="tender")
    parser.add_argument("--repeat", type=int, default=30, help="sequential requests per page")
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--skip-csv", action="store_true")
    args = parser.parse_args()
    server = Server(args.output)
    report: dict = {}
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            rows = client.get(f"/jendela/{args.table}.json", params={"_extra": "count"})
            report["rows"] = rows.json()["count"]
            paths = page_paths(client, args.table)
            report["pages"] = [timed(client, path, args.repeat) for path in paths]
            facet_path = paths[2]
            json_filter = next(p for p in paths if ".json?" in p)
        report["load"] = [
            r
            for r in (
                wrk(server.url + json_filter, args.wrk_seconds, args.connections),
                wrk(server.url + facet_path, args.wrk_seconds, args.connections),
            )
            if r
        ]
        if not args.skip_csv:
            report["csv"] = csv_cost(server, args.table)
    finally:
        server.stop()
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
