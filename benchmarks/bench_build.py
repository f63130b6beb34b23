"""Time the build of the procurement dataset on a generated N-row tender list, stage by stage.

Run by hand (never in the test suite); figures go in the closing note of the work that changed
them:

    python benchmarks/bench_build.py                 # 1,000,000 rows
    python benchmarks/bench_build.py --rows 200000

Prints, per stage, wall time, rows/s and the process's peak resident memory at the end of the
stage (peak RSS only grows, so a stage's own peak is the first row where the figure jumps). The
whole build also holds work no table stage names (facet store, Datasette metadata, waiting for
the XLSX worker, VACUUM, the site): the difference between the total and the stages' sum.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate_tenders import generate  # noqa: E402
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
        generate(source, args.rows)
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
        print(f"\n{'stage':<16}{'seconds':>9}{'rows/s':>12}{'peak RSS MB':>13}")
        for record in result.timings:
            if record["resource"] != "tender":
                continue
            rate = record["rows"] / record["seconds"] if record["rows"] and record["seconds"] else 0
            print(
                f"{record['stage']:<16}{record['seconds']:>9.2f}{rate:>12,.0f}"
                f"{record['peak_rss_mb']:>13,.0f}"
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"\ntotal build {result.seconds:.1f} s; peak RSS {peak:,.0f} MB "
            f"({peak / size_mb:.1f}x the {size_mb:.0f} MB input)"
        )


if __name__ == "__main__":
    main()
