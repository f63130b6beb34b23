"""Time the build of the procurement dataset on a generated N-row tender list, stage by stage.

Run by hand (never in the test suite); figures go in the closing note of the work that changed
them:

    python benchmarks/bench_build.py                 # 1,000,000 rows
    python benchmarks/bench_build.py --rows 200000

Prints, per stage, wall time, rows/s and the process's peak resident memory at the end of the
stage (peak RSS only grows, so a stage's own peak is the first row where the figure jumps): the
tender table's stages, its dataset's (coverage, package, zip), the build's (waiting for the export
workers, red flags, VACUUM, the site, the facet store...), and "not timed", the difference between
the total and the stages' sum. Then the export workers' own jobs (XLSX, OCDS, the partition tree),
which run beside the build: their seconds are not added to it, their memory is their own
process's, and each says how long after the build started its file was ready.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.build import build  # noqa: E402
from pipelines.core.registry import load_catalog  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="build into this folder and keep it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="jendela-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        source = work / "tenders.csv"
        tick = time.perf_counter()
        # In a process of its own, as a user's file comes: this process's peak RSS is then
        # the build's alone, whatever the generator leaves on its heap.
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "generate_tenders.py"),
             "--rows", str(args.rows), "--out", str(source)],
            check=True,
        )  # fmt: skip
        size_mb = source.stat().st_size / 1e6
        print(
            f"generated {args.rows:,} rows, {size_mb:.1f} MB in {time.perf_counter() - tick:.1f} s"
        )

        # the generated tender table has the shape of the sample catalog's tender-kota-bogor
        catalog = load_catalog(ROOT / "tests" / "fixtures" / "sample-catalog")
        result = build(
            catalog,
            ["tender-kota-bogor"],
            output=work / "build",
            source_overrides={"tender": source},
        )
        assert result.exit_code == 0, [i.as_line() for r in result.failed for i in r.issues[:5]]
        print_stages(result, "tender")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        workers = [r["peak_rss_mb"] for r in result.timings if r["stage"].endswith("(worker)")]
        print(
            f"\ntotal build {result.seconds:.1f} s; peak RSS {peak:,.0f} MB "
            f"({peak / size_mb:.1f}x the {size_mb:.0f} MB input)"
            + (f"; export workers' peak RSS {max(workers):,.0f} MB" if workers else "")
        )


def print_stages(result, table: str) -> None:
    """The table's stages, its dataset's, the build's, and what no stage holds; then what the
    export workers did beside the build (their seconds are not part of the build's)."""
    here = [r for r in result.timings if not r["stage"].endswith("(worker)")]
    beside = [r for r in result.timings if r["stage"].endswith("(worker)")]
    ours = [r for r in here if r["resource"] == table]
    dataset = ours[0]["dataset"] if ours else None
    own = [r for r in here if r["dataset"] == dataset and r["resource"] is None]
    build = [r for r in here if r["dataset"] is None]
    others = sum(r["seconds"] for r in here if r not in ours + own + build)
    untimed = result.seconds - sum(r["seconds"] for r in here)
    print(f"\n{'stage':<24}{'seconds':>9}{'CPU s':>8}{'rows/s':>12}{'peak RSS MB':>13}")
    for title, records in (
        (f"table {table}", ours),
        (f"dataset {dataset}", own),
        ("build", build),
        ("in export workers, beside the build (not part of its seconds)", beside),
    ):
        print(f"-- {title}")
        for record in records:
            rows, seconds = record["rows"], record["seconds"]
            rate = f"{rows / seconds:,.0f}" if rows and seconds else ""
            cpu = "" if record.get("cpu_seconds") is None else f"{record['cpu_seconds']:.2f}"
            ready = record.get("ready_after_seconds")
            print(
                f"{record['stage']:<24}{seconds:>9.2f}{cpu:>8}{rate:>12}"
                f"{record['peak_rss_mb']:>13,.0f}"
                + (f"   ready {ready:.1f} s after the build started" if ready else "")
            )
        if records is build:
            print(f"{'other tables (deps)':<24}{others:>9.2f}")
            print(f"{'not timed':<24}{untimed:>9.2f}")


if __name__ == "__main__":
    main()
