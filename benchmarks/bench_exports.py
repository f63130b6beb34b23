"""Time each download writer of one table of a finished build, and check its bytes.

Run by hand (never in the test suite) on a build kept by `bench_build.py --keep DIR`:

    python benchmarks/bench_build.py --keep /tmp/bench        # 1,000,000 tender rows
    python benchmarks/bench_exports.py /tmp/bench/build       # every writer on that table

The table's published CSV stands in for the staging file (they are the same bytes when no cell
needed the spreadsheet quote, which the script says). Each writer writes into a temporary folder;
its wall time, the process's peak RSS after it, and whether the file equals the one the build
published (a build made by other code, e.g. main, is the reference) are printed.
"""

from __future__ import annotations

import argparse
import filecmp
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlite_utils  # noqa: E402

from pipelines.core.layout import DATABASE_FILE, downloads_dir, table_file  # noqa: E402
from pipelines.core.registry import load_catalog  # noqa: E402
from pipelines.core.release import current_release  # noqa: E402
from pipelines.stages import export  # noqa: E402
from pipelines.stages.export_jobs import ExportJobs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build", type=Path, help="the output folder of a build")
    parser.add_argument("--dataset", default="tender-kota-bogor")
    parser.add_argument("--table", default="tender")
    parser.add_argument("--catalog", type=Path, default=ROOT / "tests/fixtures/sample-catalog")
    args = parser.parse_args()

    release = current_release(args.build)
    resource_ = load_catalog(args.catalog).datasets[args.dataset].resource(args.table)
    published = downloads_dir(release, args.dataset)
    staging = published / table_file(args.table, "csv")
    db = sqlite_utils.Database(release / DATABASE_FILE)
    rows = db.execute(f"SELECT count(*) FROM [{args.table}]").fetchone()[0]
    print(f"{rows:,} rows of {args.table}; staging stand-in {staging}")

    with tempfile.TemporaryDirectory(prefix="jendela-exports-") as tmp:
        out = Path(tmp)
        writers = {
            "csv": lambda p: print(
                f"  ({export.write_download_csv(resource_, staging, p)} cells quoted)"
            ),
            "json": lambda p: export._write_json(db, resource_, p),
            "parquet": lambda p: export._write_parquet(resource_, staging, p),
            "xlsx": lambda p: export._write_xlsx(db, resource_, p),
            "xlsx-worker": lambda p: _in_worker(staging, resource_, p),
        }
        print(f"\n{'writer':<14}{'seconds':>9}{'peak RSS MB':>13}  same bytes as published")
        for name, write in writers.items():
            fmt = name.split("-")[0]
            path = out / table_file(args.table, fmt)
            tick = time.perf_counter()
            write(path)
            seconds = time.perf_counter() - tick
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            reference = published / table_file(args.table, fmt)
            same = reference.is_file() and filecmp.cmp(path, reference, shallow=False)
            print(f"{name:<14}{seconds:>9.2f}{peak:>13,.0f}  {same}")
            path.unlink()


def _in_worker(staging: Path, resource_, path: Path) -> None:
    jobs = ExportJobs(workers=1, min_rows=0)
    try:
        jobs.submit(
            resource_.dataset_id,
            resource_.name,
            resource_.fields,
            staging,
            path,
            path.parent,
        )
        failed = jobs.finish()
        assert not failed, failed
    finally:
        jobs.close()


if __name__ == "__main__":
    main()
