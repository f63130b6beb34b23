"""Time and peak memory of writing the Parquet partitions (stages/partitions.py) of an N-row
tender table, on its own.

Run by hand (never in the test suite):

    python benchmarks/bench_partitions.py                 # 1,000,000 rows
    python benchmarks/bench_partitions.py --rows 200000 --keep /tmp/bench-partitions

Builds the generated tender list (benchmarks/generate_tenders.py, 7 years x 7 regions) with
bench_build.py (whose stage table it prints), then writes its partitions again in a fresh
process that only opens the database: that process's peak RSS, against its RSS before the call,
is the partition writer's memory, not the build's.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_once(database: Path, parquet: Path, out: Path) -> None:
    """In this (fresh) process: write the tender table's partitions beside a copy of `parquet`
    in `out`; print seconds, RSS before and peak RSS as JSON."""
    import shutil

    import sqlite_utils

    from pipelines.core.registry import load_catalog
    from pipelines.stages.partitions import write_partitions

    catalog = load_catalog(ROOT / "tests" / "fixtures" / "sample-catalog")
    table = catalog.datasets["tender-kota-bogor"].resource("tender")
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(parquet, out / parquet.name)
    db = sqlite_utils.Database(database)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tick = time.perf_counter()
    ((_, index),) = write_partitions(db, table, out / parquet.name)
    seconds = time.perf_counter() - tick
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    files = json.loads(index.read_text(encoding="utf-8"))["files"]
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rss_before_mb": before,
                "peak_rss_mb": peak,
                "files": len(files),
                "rows": sum(f["rows"] for f in files),
                "mb": sum(f["bytes"] for f in files) / 1e6,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="build into this folder and keep it")
    parser.add_argument("--write-once", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_once:
        write_once(*args.write_once)
        return

    from pipelines.core.layout import DATABASE_FILE, downloads_dir, table_file
    from pipelines.core.release import current_release

    with tempfile.TemporaryDirectory(prefix="jendela-bench-") as tmp:
        work = args.keep or Path(tmp)
        # bench_build.py builds the generated tenders and prints its stages (export included)
        bench_build = [sys.executable, str(ROOT / "benchmarks" / "bench_build.py")]
        subprocess.run([*bench_build, "--rows", str(args.rows), "--keep", str(work)], check=True)
        release = current_release(work / "build")
        parquet = downloads_dir(release, "tender-kota-bogor") / table_file("tender", "parquet")
        answer = subprocess.run(
            [sys.executable, __file__, "--write-once", str(release / DATABASE_FILE), str(parquet),
             str(work / "partitions")],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        figures = json.loads(answer.stdout)
        print(
            f"partitions: {figures['rows']:,} rows in {figures['files']} files "
            f"({figures['mb']:.1f} MB) in {figures['seconds']:.2f} s "
            f"({figures['rows'] / figures['seconds']:,.0f} rows/s); peak RSS "
            f"{figures['peak_rss_mb']:,.0f} MB ({figures['rss_before_mb']:,.0f} MB before the call)"
        )


if __name__ == "__main__":
    main()
