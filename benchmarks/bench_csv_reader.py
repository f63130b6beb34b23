"""Speed of the csv reader (pyarrow) against pandas' C parser with the same settings, and the
cost of the personal-data gate, on a generated tender table (not a test: prints figures).

    .venv/bin/python benchmarks/bench_csv_reader.py [--rows 1000000]

The pandas figure is what `read_csv` cost before it moved to pyarrow (the same options: every
column as text, no NA guessing, chunks of 100,000 rows); both read the same file, and the
row counts must agree.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from pipelines.core.personal_data import find_in_column  # noqa: E402
from pipelines.readers import read_chunks  # noqa: E402


def timed(label: str, function) -> float:
    start = time.perf_counter()
    rows = function()
    seconds = time.perf_counter() - start
    print(f"{label}: {rows:,} rows in {seconds:.2f} s ({rows / seconds:,.0f} rows/s)")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tenders.csv"
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks/generate_tenders.py"), "--rows",
             str(args.rows), "--out", str(path)],
            check=True,
        )  # fmt: skip
        print(f"file: {path.stat().st_size / 1e6:.0f} MB")

        def pandas_c() -> int:
            chunks = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False,
                                 chunksize=100_000, skip_blank_lines=False, engine="c")  # fmt: skip
            return sum(len(c) for c in chunks)

        def ours() -> int:
            return sum(len(c) for c in read_chunks("csv", path, {}))

        before = timed("pandas C parser (before)", pandas_c)
        after = timed("read_chunks('csv') (pyarrow)", ours)
        print(f"speed-up: {before / after:.1f}x")

        def gate() -> int:
            rows = 0
            for chunk in read_chunks("csv", path, {}):
                for column in chunk.columns[1:]:
                    find_in_column(str(column), chunk[column])
                rows += len(chunk)
            return rows

        timed("read + personal-data scan of every column", gate)


if __name__ == "__main__":
    main()
