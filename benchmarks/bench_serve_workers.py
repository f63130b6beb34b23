"""Serving throughput with 1 and with 2 worker processes on a large tender release, on loopback.

Issue 15 asks whether serving scales by adding processes (`publish.py serve --workers N`, uvicorn's
own workers over the same immutable release). This generates an N-row tender list
(benchmarks/generate_tenders.py), builds it exactly as the issue did, then for each worker count
starts `publish.py serve --workers N` on a free loopback port and holds C concurrent connections
on each kind of address for a fixed time:

    python benchmarks/bench_serve_workers.py                      # 1,000,000 rows
    python benchmarks/bench_serve_workers.py --rows 200000 --keep /tmp/bench200k
    python benchmarks/bench_serve_workers.py --build /tmp/bench200k/build   # reuse a build
    python benchmarks/bench_serve_workers.py --build /tmp/bench200k/build --close
    python benchmarks/bench_serve_workers.py --build /tmp/bench200k/build --nginx

The build is `publish.py --datasets-dir tests/fixtures/sample-catalog build tender-kota-bogor
--source tender=<file>`. The load comes from `wrk` when it is installed (Debian package `wrk`:
a C client, so the client takes little of the CPU the servers need; bench_datasette.py's runner),
otherwise from an asyncio httpx client in this process (its CPU time is printed, since on a small
machine it competes with the servers). Prints p50/p95/p99 and requests/s per address and worker
count, and the gain in requests/s from 1 to 2 workers. Figures are printed, never asserted.

Kept connections and workers: uvicorn's workers share one listening socket, and a worker that
wakes takes every connection waiting (asyncio accepts up to the backlog at once), so the 4
connections wrk opens together land on one worker, which keeps them for their life (seen with
`ss -tnp` during a run: 4 and 0, six runs in six). By default this measures that, what kept
connections get; `--close` opens a connection per request, which the idle worker takes, and
`--nginx` puts N single-process servers behind deploy/nginx.conf (tests/nginx_front.py starts it
as its test does), which picks a server for every request whatever the client keeps open.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import PUBLISH, SAMPLE_CATALOG, Server  # noqa: E402  (the tests' own server)
from nginx_front import nginx_in_front  # noqa: E402  (deploy/nginx.conf, as its test runs it)

from benchmarks.bench_datasette import percentile, top_value, wrk  # noqa: E402
from benchmarks.generate_tenders import generate  # noqa: E402

TABLE = "tender"
CLOSE = {"Connection": "close"}
# How docs/deploy.md runs each server behind nginx: queries on the event loop.
DEPLOYED = ("--setting", "num_sql_threads", "0")


def addresses(client: httpx.Client) -> dict[str, str]:
    """The kinds of address issue 15 measured, by label, each with a real value of the table."""
    facets = client.get("/-/config.json").json()["databases"]["jendela"]["tables"][TABLE]["facets"]
    column = facets[0]
    value = top_value(client, TABLE, column)
    base = f"/jendela/{TABLE}"
    return {
        "HTML table page": base,
        "facet filter": str(httpx.URL(base, params={column: value})),
        "range filter": f"{base}?pagu_rp__gte=1000000000",
        "_search": f"{base}?_search=drainase",
        "text sort": f"{base}?_sort=nama_paket",
        "reader-added facet JSON": f"{base}.json?_facet=pemenang",
        "filtered JSON": str(httpx.URL(f"{base}.json", params={column: value})),
    }


async def _hold(url: str, seconds: float, connections: int, close: bool = False) -> dict:
    """`connections` clients, each requesting `url` again as soon as its answer is in."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        deadline = time.perf_counter() + seconds

        async def one_connection() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = await client.get(url, headers=CLOSE if close else None)
                await response.aread()
                latencies.append(time.perf_counter() - start)
                errors += response.status_code != 200

        began = time.perf_counter()
        await asyncio.gather(*(one_connection() for _ in range(connections)))
        elapsed = time.perf_counter() - began
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "requests": len(latencies),
        "errors": errors,
    }


def load(url: str, seconds: int, connections: int, client: str, close: bool = False) -> dict:
    if client == "wrk":
        return wrk(url, seconds, connections, close)
    return asyncio.run(_hold(url, seconds, connections, close))


def measure(
    build: Path,
    workers: int,
    seconds: int,
    connections: int,
    client: str,
    close: bool = False,
    nginx: bool = False,
) -> tuple[dict, float]:
    """Results per address with `workers` server processes, and this process's CPU seconds.

    `nginx`: `workers` single-process servers, each on its own port, behind deploy/nginx.conf
    (which lists two servers: one server is listed twice) and run as docs/deploy.md runs them
    there (`DEPLOYED`), instead of one server with `workers` uvicorn workers."""
    with contextlib.ExitStack() as stack:
        if nginx:
            if workers > 2:
                raise SystemExit("--nginx: 1 or 2 servers (deploy/nginx.conf lists two)")
            servers = [Server(build, DEPLOYED) for _ in range(workers)]
            for server in servers:
                stack.callback(server.stop)
            ports = [s.port for s in servers] * (2 // workers)
            url = stack.enter_context(nginx_in_front(ports))
        else:
            server = Server(build, ("--workers", str(workers)))
            stack.callback(server.stop)
            url = server.url
        return _measure_at(url, workers, seconds, connections, client, close)


def _measure_at(
    url: str, workers: int, seconds: int, connections: int, client: str, close: bool
) -> tuple[dict, float]:
    """Results per address at `url`, after a warm-up, and this process's CPU seconds."""
    with httpx.Client(base_url=url, timeout=120) as sync:
        paths = addresses(sync)
    warm_up(url, paths, 2 * workers)
    cpu = time.process_time()
    results = {
        label: load(url + path, seconds, connections, client, close)
        for label, path in paths.items()
    }
    return results, time.process_time() - cpu


def warm_up(url: str, paths: dict[str, str], times: int) -> None:
    """Each address `times` times: the page cache, the facet store, each server's caches."""
    with httpx.Client(base_url=url, timeout=120) as client:
        for path in paths.values():
            for _ in range(times):
                assert client.get(path).status_code == 200, path


def make_build(rows: int, work: Path) -> Path:
    source = work / "tenders.csv"
    tick = time.perf_counter()
    generate(source, rows)
    print(f"generated {rows:,} rows ({source.stat().st_size / 1e6:.0f} MB) in "
          f"{time.perf_counter() - tick:.0f} s", flush=True)  # fmt: skip
    build = work / "build"
    tick = time.perf_counter()
    subprocess.run(
        [*PUBLISH, "--datasets-dir", str(SAMPLE_CATALOG), "build", "tender-kota-bogor",
         "--source", f"tender={source}", "--output", str(build), "--quiet"],
        cwd=ROOT, check=True,
    )  # fmt: skip
    print(f"built in {time.perf_counter() - tick:.0f} s", flush=True)
    return build


def report(
    by_workers: dict[int, tuple[dict, float]], connections: int, seconds: int, client: str
) -> None:
    counts = sorted(by_workers)
    print(f"\n{connections} connections, {seconds} s per address, client: {client}")
    header = f"{'address':<26}{'workers':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>9}"
    print(header + f"{'errors':>8}")
    for label in by_workers[counts[0]][0]:
        for n in counts:
            r = by_workers[n][0][label]
            print(f"{label:<26}{n:>8}{r['p50_ms']:>9.0f}{r['p95_ms']:>9.0f}{r['p99_ms']:>9.0f}"
                  f"{r['rps']:>9.1f}{r['errors']:>8}")  # fmt: skip
        first, last = by_workers[counts[0]][0][label], by_workers[counts[-1]][0][label]
        print(f"{'':<26}{'gain':>8}{'':>27}{last['rps'] / first['rps']:>8.2f}x")
    if client == "httpx":
        for n in counts:
            print(f"client CPU with {n} worker(s): {by_workers[n][1]:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--build", type=Path, help="serve this build instead of making one")
    parser.add_argument("--keep", type=Path, help="generate and build into this folder, keep it")
    parser.add_argument("--seconds", type=int, default=10, help="load time per address")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--client", choices=["wrk", "httpx"], help="default: wrk if installed")
    parser.add_argument(
        "--nginx", action="store_true",
        help="N single-process servers, each on its own port, behind deploy/nginx.conf (Debian's "
        "nginx), instead of one server with N workers; N is 1 or 2",
    )  # fmt: skip
    parser.add_argument(
        "--close", action="store_true",
        help="a new connection per request (Connection: close), as a proxy without keep-alive "
        "to its servers; default: kept connections, each served by one worker for its life",
    )  # fmt: skip
    args = parser.parse_args()
    client = args.client or ("wrk" if shutil.which("wrk") else "httpx")
    with tempfile.TemporaryDirectory(prefix="jendela-bench-") as tmp:
        build = args.build
        if build is None:
            work = args.keep or Path(tmp)
            work.mkdir(parents=True, exist_ok=True)
            build = make_build(args.rows, work)
        by_workers = {
            n: measure(build, n, args.seconds, args.connections, client, args.close, args.nginx)
            for n in args.workers
        }
    how = client + (", Connection: close" if args.close else "")
    how += ", N single-process servers behind deploy/nginx.conf" if args.nginx else ", N workers"
    report(by_workers, args.connections, args.seconds, how)


if __name__ == "__main__":
    main()
