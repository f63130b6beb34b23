"""A bounded load on loopback: can bad traffic sink the server? (issue 12 item 7)

Build a large tender table first, then run this against the build; it starts `publish.py serve` on
a free loopback port, sends a mixed load for a fixed time over N connections, and stops it:

    python benchmarks/generate_tenders.py --rows 1000000 --out /tmp/tenders.csv
    python publish.py --datasets-dir tests/fixtures/sample-catalog build tender-kota-bogor \
        --source tender=/tmp/tenders.csv --output /tmp/bench1m/build
    python benchmarks/bench_load.py --output /tmp/bench1m/build --seconds 60 --connections 8

The mix: table pages, facet pages, searches, JSON, the CKAN API, the static catalog and 404s, and
every `--hostile-every` requests one hostile one (a 1 GB randomblob, a runaway recursive query,
400 repeated facets, too many facets, a facet on a missing column, a POST, a path that looks like
another host). Each URL has the statuses it is meant to answer (200, or the 4xx of a mistake);
anything else, or a failed connection, is an unintended error. Printed: requests/s, p50/p99 of
the normal and the hostile requests, answers by status, unintended errors, and the server's
resident memory at start and at its peak (VmHWM of the server process). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from conftest import Server  # noqa: E402  (the same server the tests start)

TABLE = "tender"
RECURSIVE = "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else 0


def memory_kb(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def normal_requests(client: httpx.Client) -> list[tuple[str, str, set[int]]]:
    """(method, path, intended statuses) of ordinary traffic, with real facet values."""
    facets = client.get("/-/config.json").json()["databases"]["jendela"]["tables"][TABLE]["facets"]
    payload = client.get(
        f"/jendela/{TABLE}.json", params={"_size": 0, "_extra": "facet_results"}
    ).json()["facet_results"]["results"]
    top = {c: str(payload[c]["results"][0]["value"]) for c in facets if payload[c]["results"]}
    ok = {200}
    paths = [
        f"/jendela/{TABLE}",
        f"/jendela/{TABLE}?{facets[0]}={top[facets[0]]}",
        f"/jendela/{TABLE}?{facets[1]}={top[facets[1]]}&{facets[2]}={top[facets[2]]}",
        f"/jendela/{TABLE}?_search=drainase",
        f"/jendela/{TABLE}.json?_size=50",
        f"/jendela/{TABLE}.json?{facets[0]}={top[facets[0]]}&_size=20",
        f"/jendela/{TABLE}.json?_sort_desc=pagu_rp&_size=10",
        "/api/3/action/package_list",
        "/api/3/action/package_search?q=tender",
        "/api/3/action/package_show?id=tender-kota-bogor",
        "/",
        "/dataset/tender-kota-bogor/",
        "/jendela",
    ]
    requests = [("GET", p, ok) for p in paths]
    requests += [("GET", "/nope-{n}", {404}), ("GET", f"/jendela/{TABLE}/0", {404})]
    return requests


def hostile_requests() -> list[tuple[str, str, set[int]]]:
    many = "&".join(["_facet=satker"] * 400)
    distinct = "&".join(f"_facet=c{n}" for n in range(11))
    return [
        ("GET", "/jendela/-/query.json?sql=select+randomblob(1000000000)", {400}),
        ("GET", "/jendela/-/query.json?" + str(httpx.QueryParams({"sql": RECURSIVE})), {400}),
        ("GET", f"/jendela/{TABLE}.json?{many}&_size=1", {200}),
        ("GET", f"/jendela/{TABLE}?{distinct}", {400}),
        ("GET", f"/jendela/{TABLE}?_facet=nope", {400}),
        ("POST", "/jendela/-/query", {405}),
        ("GET", "/-//evil.example.com", {404}),
    ]


async def worker(client, plan, results, deadline, counter, hostile_every, rng):
    normal, hostile = plan
    while time.monotonic() < deadline:
        counter[0] += 1
        is_hostile = counter[0] % hostile_every == 0
        method, path, intended = rng.choice(hostile if is_hostile else normal)
        path = path.replace("{n}", str(counter[0]))
        start = time.perf_counter()
        try:
            response = await client.request(method, path, data={"sql": "select 1"} if
                                            method == "POST" else None)  # fmt: skip
            status = response.status_code
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        elapsed = time.perf_counter() - start
        results.append((is_hostile, path, status, status in intended, elapsed))


async def run_load(url, plan, seconds, connections, hostile_every, pid):
    results: list = []
    peak = {"rss": 0}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        deadline = time.monotonic() + seconds
        counter = [0]

        async def watch():
            while time.monotonic() < deadline:
                peak["rss"] = max(peak["rss"], memory_kb(pid)["VmRSS"])
                await asyncio.sleep(0.2)

        tasks = [
            worker(client, plan, results, deadline, counter, hostile_every, random.Random(n))
            for n in range(connections)
        ]
        await asyncio.gather(watch(), *tasks)
    return results, peak["rss"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, required=True, help="the build to serve")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--hostile-every", type=int, default=25)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    server = Server(args.output.absolute())
    try:
        pid = server.process.pid
        with httpx.Client(base_url=server.url, timeout=60) as client:
            plan = (normal_requests(client), hostile_requests())
            for _method, path, _ in plan[0]:  # warm-up: first touch of every page
                client.get(path.replace("{n}", "0"))
        start_rss = memory_kb(pid)["VmRSS"]
        started = time.monotonic()
        results, watched_peak = asyncio.run(
            run_load(server.url, plan, args.seconds, args.connections, args.hostile_every, pid)
        )
        wall = time.monotonic() - started
        memory = memory_kb(pid)
    finally:
        server.stop()

    def times(hostile: bool) -> list[float]:
        return [r[4] * 1000 for r in results if r[0] == hostile]

    by_status = Counter(str(r[2]) for r in results)
    unintended = Counter((r[1][:60], str(r[2])) for r in results if not r[3])
    normal, hostile = times(False), times(True)
    figures = {
        "seconds": round(wall, 1),
        "connections": args.connections,
        "requests": len(results),
        "requests_per_s": round(len(results) / wall, 1),
        "normal": {
            "count": len(normal),
            "p50_ms": round(percentile(normal, 50), 1),
            "p99_ms": round(percentile(normal, 99), 1),
            "mean_ms": round(statistics.fmean(normal), 1) if normal else 0,
        },
        "hostile": {
            "count": len(hostile),
            "p50_ms": round(percentile(hostile, 50), 1),
            "p99_ms": round(percentile(hostile, 99), 1),
        },
        "by_status": dict(sorted(by_status.items())),
        "non_2xx": {k: v for k, v in sorted(by_status.items()) if not k.startswith("2")},
        "unintended_errors": sum(unintended.values()),
        "unintended_detail": {f"{p} -> {s}": n for (p, s), n in unintended.most_common(10)},
        "server_rss_mb": {
            "start": round(start_rss / 1024, 1),
            "peak_sampled": round(watched_peak / 1024, 1),
            "peak_vmhwm": round(memory["VmHWM"] / 1024, 1),
            "end": round(memory["VmRSS"] / 1024, 1),
        },
    }
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
