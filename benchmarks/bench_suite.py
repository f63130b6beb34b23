"""Where the test suite's time goes: its wall time, and the CPU seconds of every process it starts.

Issue 11 asks for the suite in under 4 minutes on this 2-core machine. Per-test durations do not
say why it is not: a test waits on the servers, Chromium and child builds it starts, whose CPU
pytest never sees. This runs the command README.md gives (`CI=true python -m pytest -q -p
no:cacheprovider`, with any extra arguments passed through) and meanwhile reads /proc four times a
second:

    python benchmarks/bench_suite.py
    python benchmarks/bench_suite.py -- tests/catalog        # a part of the suite

It prints the wall time; the machine's busy and idle CPU seconds over the run (from /proc/stat: a
suite that keeps both cores busy is bound by CPU, and only less work makes it faster); and the CPU
seconds of the processes that ran, by kind (pytest and its workers, Chromium, Playwright's
driver, forked Datasette servers, forked frictionless runs, export workers...). A process that
starts and ends between two readings is missed; what the kinds do not account for of the
machine's busy time is printed as such (the kernel, the platform, and those short processes).
Figures are printed, never asserted. Linux only.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")
# (kind, pattern of the command line), the first that matches; order matters.
KINDS = [
    ("chromium", re.compile(r"^(\S*/)?chromium(\s|$)|^/usr/lib/chromium/")),  # the program only
    ("playwright driver", re.compile(r"playwright.*(node|driver)|node .*playwright")),
    ("forked datasette servers", re.compile(r"forked\.py .*datasette")),
    ("forked frictionless", re.compile(r"forked\.py .*frictionless")),
    ("frictionless (command)", re.compile(r"frictionless")),
    ("publish.py serve (subprocess)", re.compile(r"publish\.py .*\bserve\b")),
    ("publish.py build (subprocess)", re.compile(r"publish\.py")),
    ("export workers (multiprocessing)", re.compile(r"multiprocessing")),
    ("schemathesis", re.compile(r"schemathesis")),
    ("nginx", re.compile(r"nginx")),
    ("pytest and its workers", re.compile(r"pytest|execnet|xdist|import sys;exec")),
    ("other python", re.compile(r"python")),
]


def machine_cpu() -> tuple[float, float]:
    """(busy, idle) CPU seconds of the whole machine since boot, all cores."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields) - idle) / TICK, idle / TICK


def kind_of(command: str) -> str:
    return next((kind for kind, pattern in KINDS if pattern.search(command)), "other")


class Sampler(threading.Thread):
    """CPU seconds per process (pid and start time) seen while running, from its first reading:
    a process that was there before the run counts only what it used during it."""

    def __init__(self, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.first: dict[tuple[int, str], float] = {}
        self.last: dict[tuple[int, str], float] = {}
        self.command: dict[tuple[int, str], str] = {}
        self.before = {pid: start for pid, start, _ in self._read()}
        self.done = threading.Event()

    @staticmethod
    def _read():
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat") as stat:
                    rest = stat.read().rsplit(")", 1)[1].split()
            except OSError:  # it ended while we looked
                continue
            yield int(entry.name), rest[19], (int(rest[11]) + int(rest[12])) / TICK

    def run(self) -> None:
        while not self.done.wait(self.interval):
            self.sample()
        self.sample()

    def sample(self) -> None:
        for pid, start, cpu in self._read():
            key = (pid, start)
            if key not in self.first:
                new = self.before.get(pid) != start
                self.first[key] = 0.0 if new else cpu
                try:
                    raw = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    raw = b""
                self.command[key] = raw.replace(b"\0", b" ").decode(errors="replace")
            self.last[key] = cpu

    def by_kind(self) -> dict[str, tuple[float, int]]:
        totals: dict[str, list] = {}
        for key, cpu in self.last.items():
            used = cpu - self.first[key]
            if used <= 0:
                continue
            entry = totals.setdefault(kind_of(self.command[key]), [0.0, 0])
            entry[0] += used
            entry[1] += 1
        return {kind: (cpu, n) for kind, (cpu, n) in totals.items()}


def gauge() -> float:
    """Seconds a fixed loop takes in a fresh interpreter: how busy the machine is besides."""
    code = "import time; t = time.perf_counter(); sum(range(10**8)); print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                text=True, check=True).stdout)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pytest_args", nargs="*", help="after --: passed to pytest")
    args = parser.parse_args()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args.pytest_args]
    print(f"gauge before: {gauge():.2f} s (0.66 s on this machine when quiet)")
    sampler = Sampler()
    busy0, idle0 = machine_cpu()
    began = time.perf_counter()
    sampler.start()
    result = subprocess.run(command, cwd=ROOT, env={**os.environ, "CI": "true"},
                            capture_output=True, text=True)  # fmt: skip
    wall = time.perf_counter() - began
    sampler.done.set()
    sampler.join()
    busy, idle = (a - b for a, b in zip(machine_cpu(), (busy0, idle0), strict=True))
    lines = result.stdout.strip().splitlines()
    print("\n".join(line for line in lines if line.startswith(("FAILED", "ERROR"))))
    print(lines[-1] if lines else result.stderr)
    print(f"gauge after: {gauge():.2f} s")
    print(f"\nwall {wall:.1f} s; machine CPU busy {busy:.1f} s, idle {idle:.1f} s "
          f"({busy / (busy + idle):.0%} busy over {os.cpu_count()} cores)")  # fmt: skip
    kinds = sampler.by_kind()
    seen = sum(cpu for cpu, _ in kinds.values())
    print(f"\n{'CPU s':>8} {'procs':>6}  kind")
    for kind, (cpu, n) in sorted(kinds.items(), key=lambda item: -item[1][0]):
        print(f"{cpu:8.1f} {n:6}  {kind}")
    print(f"{seen:8.1f} {'':6}  all processes seen")
    print(f"{busy - seen:8.1f} {'':6}  busy time no process seen accounts for")
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
