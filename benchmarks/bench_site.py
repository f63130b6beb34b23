"""Cost of the static catalog: render time, page weights, XLSX export time (figures for the
report, not tests).

    .venv/bin/python benchmarks/bench_site.py [--rows 200000] [--boundaries GEOJSON]

1. Build the embedded catalog once, then time `render_site` alone (both languages, search index,
   DCAT, data.json, sitemap, feeds) over a few runs.
2. Report the heaviest page with its CSS and JS, and every page's weight in KB.
3. Time the XLSX writer (openpyxl write-only) on a generated N-row table, to show what the XLSX
   download adds to a big build.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.build import build  # noqa: E402
from pipelines.catalog.maps import load_boundaries  # noqa: E402
from pipelines.catalog.options import SiteOptions  # noqa: E402
from pipelines.catalog.site import render_site  # noqa: E402
from pipelines.core.manifest import Manifest  # noqa: E402
from pipelines.core.model import Resource  # noqa: E402
from pipelines.core.registry import load_catalog  # noqa: E402
from pipelines.stages.export import _write_xlsx  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--boundaries", type=Path)
    args = parser.parse_args()
    options = SiteOptions(
        boundaries=load_boundaries(args.boundaries, "benchmark") if args.boundaries else None
    )

    with tempfile.TemporaryDirectory() as tmp:
        catalog = load_catalog()
        output = Path(tmp) / "build"
        build(catalog, output=output, site_options=options)
        release = output.resolve()
        manifest = Manifest.load(release)
        times = []
        for _ in range(args.runs):
            tick = time.perf_counter()
            render_site(catalog, manifest, release, options)
            times.append(time.perf_counter() - tick)
        pages = sorted((release / "site").rglob("*.html"))
        print(
            f"render_site: {len(manifest.datasets)} datasets, {len(pages)} pages, "
            f"median {statistics.median(times):.3f} s over {args.runs} runs"
        )
        assets = sum(p.stat().st_size for p in (release / "site/assets").iterdir())
        heaviest = max(pages, key=lambda p: p.stat().st_size)
        print(
            f"heaviest page: {heaviest.relative_to(release / 'site')} "
            f"{heaviest.stat().st_size / 1024:.1f} KB + assets {assets / 1024:.1f} KB"
        )
        for name in ("search-index.json", "catalog.jsonld", "data.json"):
            print(f"{name}: {(release / 'site' / name).stat().st_size / 1024:.1f} KB")

        db = sqlite3.connect(Path(tmp) / "bench.db")
        db.execute("CREATE TABLE t (kode_wilayah TEXT, tahun INTEGER, nama TEXT, nilai_rp INTEGER)")
        db.executemany(
            "INSERT INTO t VALUES (?, ?, ?, ?)",
            ((f"32.71.0{i % 6 + 1}", 2024, f"paket {i}", i * 1000) for i in range(args.rows)),
        )
        fields = [
            {"name": "kode_wilayah", "type": "string"},
            {"name": "tahun", "type": "integer"},
            {"name": "nama", "type": "string"},
            {"name": "nilai_rp", "type": "integer"},
        ]
        resource = Resource("t", "bench", {"schema": {"fields": fields}, "jendela": {}}, ROOT)
        tick = time.perf_counter()
        _write_xlsx(db, resource, Path(tmp) / "t.xlsx")
        seconds = time.perf_counter() - tick
        size = (Path(tmp) / "t.xlsx").stat().st_size
        print(
            f"xlsx: {args.rows:,} rows in {seconds:.1f} s ({args.rows / seconds:,.0f} rows/s), "
            f"{size / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main()
