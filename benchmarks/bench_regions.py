"""Speed and memory of the region pipeline on the real files (not a test: prints figures).

    .venv/bin/python benchmarks/bench_regions.py [path/to/shared/realdata]

1. The SQL dump reader on the full Kemendagri list (91,599 tuples, 2.9 MB): rows per second and
   the peak Python memory while streaming it in chunks of 10,000 rows.
2. Name lookup: the 80,534 BPS MFD 2018 villages resolved against the full region table.
3. `publish.py build wilayah-kemendagri --source wilayah=...`: wall time per stage.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.readers import read_chunks  # noqa: E402
from pipelines.stages.regions import RegionLookup  # noqa: E402


def main(realdata: Path) -> None:
    wilayah = realdata / "regions/kemendagri_2025/wilayah.sql"
    start = time.perf_counter()
    codes = [c[["kode", "nama"]] for c in read_chunks("sql", wilayah, {"table": "wilayah"})]
    seconds = time.perf_counter() - start
    rows = sum(len(c) for c in codes)
    size = wilayah.stat().st_size / 1e6
    print(f"sql reader: {rows:,} rows from {size:.1f} MB in {seconds:.2f} s "
          f"({rows / seconds:,.0f} rows/s)")  # fmt: skip
    tracemalloc.start()
    for _chunk in read_chunks("sql", wilayah, {"table": "wilayah"}, 10_000):
        pass  # each chunk is dropped before the next: what a build holds
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"sql reader, chunks of 10,000 rows: peak traced memory {peak / 1e6:.1f} MB")

    import pandas as pd

    table = pd.concat(codes)
    parents = table["kode"].str.rsplit(".", n=1).str[0].where(table["kode"].str.contains(r"\."))
    lookup = RegionLookup(zip(table["kode"], table["nama"], parents, strict=True))
    villages = next(
        read_chunks("bps_mfd", realdata / "regions/bps_mfd_2018/villages.csv", {}, 200_000)
    )
    start = time.perf_counter()
    found = sum(lookup.resolve(path)[0] is not None for path in villages["jalur_nama"])
    seconds = time.perf_counter() - start
    print(f"name lookup: {found:,} of {len(villages):,} BPS villages matched in {seconds:.2f} s")

    with tempfile.TemporaryDirectory() as folder:
        timings = Path(folder) / "timings.json"
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, str(ROOT / "publish.py"), "build", "wilayah-kemendagri", "--quiet",
             "--output", str(Path(folder) / "build"), "--timings", str(timings),
             "--source", f"wilayah={wilayah}"],
            check=True, cwd=ROOT, capture_output=True,
        )  # fmt: skip
        total = time.perf_counter() - start
        stages = {r["stage"]: r["seconds"] for r in json.loads(timings.read_text())}
        print(f"build wilayah (91,599 rows): {total:.1f} s wall; stages {stages}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "realdata")
