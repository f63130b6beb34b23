"""Two serving setups compared fairly: interleaved, address by address, on one build.

This machine's speed changes by half within minutes (a gauge such as
`python3 -c "sum(range(10**8))"` reads 0.66 s, then 1.2 s), more than most changes one would
measure, so two runs of bench_serve_workers.py one after the other compare the machine with
itself. Here both setups run at once, each as two single-process servers behind its own nginx
(deploy/nginx.conf, as tests/nginx_front.py starts it), and wrk loads one setup at a time: for
each address, A then B, then B then A, for `--rounds` rounds. Idle servers cost nothing, so each
pair of figures was taken minutes apart at most.

    python benchmarks/bench_serve_ab.py --build /tmp/b1m3/build \\
        --b-setting num_sql_threads 0 --a-setting num_sql_threads 3
    python benchmarks/bench_serve_ab.py --build /tmp/b1m3/build --a-conf /tmp/round_robin.conf

A setup is Datasette settings (`publish.py serve --setting`) and an nginx file (default:
deploy/nginx.conf). The serving code is the working tree's for both. Prints each run and the
mean p50, p95 and requests/s per address and setup; figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import Server  # noqa: E402
from nginx_front import CONF, nginx_in_front  # noqa: E402  (as its test runs nginx)

from benchmarks.bench_datasette import wrk  # noqa: E402
from benchmarks.bench_serve_workers import addresses, warm_up  # noqa: E402


def start_setup(stack: contextlib.ExitStack, build: Path, settings: list, conf: Path) -> str:
    """Two servers with these settings behind nginx with this file; nginx's address."""
    extra = tuple(arg for name, value in settings for arg in ("--setting", name, value))
    servers = [Server(build, extra) for _ in range(2)]
    for server in servers:
        stack.callback(server.stop)
    return stack.enter_context(nginx_in_front([s.port for s in servers], conf))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, required=True, help="the build to serve")
    for side in ("a", "b"):
        parser.add_argument(
            f"--{side}-setting", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
            help=f"a Datasette setting of setup {side.upper()} (repeatable)",
        )  # fmt: skip
        parser.add_argument(
            f"--{side}-conf", type=Path, default=CONF,
            help=f"the nginx file of setup {side.upper()}",
        )  # fmt: skip
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=6, help="load time per run")
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        urls = {
            "A": start_setup(stack, args.build, args.a_setting, args.a_conf),
            "B": start_setup(stack, args.build, args.b_setting, args.b_conf),
        }
        with httpx.Client(base_url=urls["A"], timeout=120) as client:
            paths = addresses(client)
        for url in urls.values():
            warm_up(url, paths, 4)
        runs: dict[tuple[str, str], list[dict]] = {}
        for label, path in paths.items():
            for number in range(args.rounds):
                order = ("A", "B") if number % 2 == 0 else ("B", "A")
                for side in order:
                    result = wrk(urls[side] + path, args.seconds, args.connections)
                    runs.setdefault((label, side), []).append(result)
                    print(f"{label:<26}{side:>3}  p50 {result['p50_ms']:6.0f}  p95 "
                          f"{result['p95_ms']:6.0f}  {result['rps']:7.1f} req/s  errors "
                          f"{result['errors']}", flush=True)  # fmt: skip
    print(f"\nA: {args.a_setting or 'datasette.yaml'}, {args.a_conf}")
    print(f"B: {args.b_setting or 'datasette.yaml'}, {args.b_conf}")
    print(f"{'address':<26}{'':>3}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>9}  (means of {args.rounds})")
    for (label, side), results in runs.items():
        mean = {k: sum(r[k] for r in results) / len(results) for k in ("p50_ms", "p95_ms", "rps")}
        print(f"{label:<26}{side:>3}{mean['p50_ms']:>9.0f}{mean['p95_ms']:>9.0f}"
              f"{mean['rps']:>9.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
