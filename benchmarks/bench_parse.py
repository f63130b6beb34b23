"""Time parse_column on a generated N-row tender list, vectorised against the scalar reference.

Run by hand (never in the test suite); figures go in the closing note of the work that changed
them:

    python benchmarks/bench_parse.py                 # 1,000,000 rows
    python benchmarks/bench_parse.py --rows 200000

Each column of the tender table is parsed with its descriptor's parse kind twice: as the build
does (core/indonesian_vector.py for the common shapes) and with JENDELA_SCALAR_PARSE=1 (every
distinct value through the scalar parser). Prints wall and CPU seconds per column and whether
both gave the same values.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate_tenders import generate  # noqa: E402
from pipelines.core.indonesian import SCALAR_ENV, parse_column  # noqa: E402
from pipelines.core.registry import load_catalog  # noqa: E402
from pipelines.readers import read_chunks  # noqa: E402


def timed(column, kind: str, scalar: bool):
    os.environ.pop(SCALAR_ENV, None)
    if scalar:
        os.environ[SCALAR_ENV] = "1"
    wall, cpu = time.perf_counter(), time.process_time()
    parsed = parse_column(column, kind)
    os.environ.pop(SCALAR_ENV, None)
    return parsed, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    catalog = load_catalog(ROOT / "tests" / "fixtures" / "sample-catalog")
    resource = next(
        r for r in catalog.datasets["tender-kota-bogor"].resources if r.name == "tender"
    )
    with tempfile.TemporaryDirectory(prefix="jendela-bench-") as tmp:
        source = Path(tmp) / "tenders.csv"
        generate(source, args.rows)
        chunk = next(read_chunks("csv", source, {}, args.rows)).rename(columns=resource.column_map)
    print(f"{'column':<22}{'kind':<9}{'vector s':>10}{'cpu':>7}{'scalar s':>10}{'cpu':>7}  same")
    totals = [0.0] * 4
    for field in resource.fields:
        name, kind = field["name"], resource.parse_kind(field)
        if name not in chunk.columns:
            continue
        fast, fast_wall, fast_cpu = timed(chunk[name], kind, scalar=False)
        slow, slow_wall, slow_cpu = timed(chunk[name], kind, scalar=True)
        same = fast.values.equals(slow.values) and fast.errors.equals(slow.errors)
        for i, figure in enumerate((fast_wall, fast_cpu, slow_wall, slow_cpu)):
            totals[i] += figure
        print(
            f"{name:<22}{kind:<9}{fast_wall:>10.2f}{fast_cpu:>7.2f}"
            f"{slow_wall:>10.2f}{slow_cpu:>7.2f}  {same}"
        )
    print(f"{'total':<31}{totals[0]:>10.2f}{totals[1]:>7.2f}{totals[2]:>10.2f}{totals[3]:>7.2f}")


if __name__ == "__main__":
    main()
