"""Time the budget and procurement pipelines on the real files in ../shared/realdata, and the OCDS
export and its libcoveocds check (figures for the report, never run by the test suite):

    .venv/bin/python benchmarks/bench_budget_procurement.py

Builds apbd-djpk (153 DJPK exports), apbd-tangsel, tender-spse (3,952 Bandung tenders), rup-sirup
(8,744-tuple BIRMS dump) and lkpp-pengadaan on a Jawa Barat/Jawa Timur/Banten region subset, prints
seconds per stage and rows, then writes each OCDS package and times libcoveocds on it.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlite_utils  # noqa: E402

from pipelines.build import build  # noqa: E402
from pipelines.catalog.options import DEFAULT_BASE_URL  # noqa: E402
from pipelines.core.registry import load_catalog  # noqa: E402
from pipelines.stages.ocds import write_release_package  # noqa: E402

REAL = ROOT.parent / "shared" / "realdata"
SOURCES = {
    "apbd_djpk": REAL / "budget/djpk_apbd_jatim/*/*.csv",
    "realisasi_belanja": REAL / "budget/tangsel_realisasi_apbd_jenis_belanja_2021-2022.csv",
    "tender_spse": REAL / "procurement/spse_lpse_kota_bandung_dt_lelang.json",
    "rup_sirup": REAL / "procurement/bandung_birms_sirup_2015_planning.sql",
    "rup_instansi": REAL / "procurement/lkpp_sirup.xlsx",
    "lpse_jenis_instansi": REAL / "procurement/lkpp_lpse_data.xlsx",
    "pemenang_tender_konstruksi": REAL / "procurement/lkpp_tender_winners.xlsx",
}
IDS = ["apbd-djpk", "apbd-tangsel", "tender-spse", "rup-sirup", "lkpp-pengadaan"]


def region_subset(target: Path) -> Path:
    text = (REAL / "regions/kemendagri_2025/wilayah.sql").read_text(encoding="utf-8")
    rows = re.findall(r"\('((?:32|35|36)(?:\.\d\d)?)','([^']*)'\)", text)
    values = ",\n".join(f"('{code}','{name}')" for code, name in rows)
    target.write_text(f"INSERT INTO wilayah (kode, nama) VALUES\n{values};\n", encoding="utf-8")
    return target


def main() -> None:
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        overrides = {**SOURCES, "wilayah": region_subset(folder / "wilayah.sql")}
        started = time.perf_counter()
        result = build(catalog, IDS, output=folder / "build", source_overrides=overrides)
        print(f"build: {time.perf_counter() - started:.1f} s, exit {result.exit_code}")
        for record in result.timings:
            if record["dataset"] in IDS:
                print(
                    f"  {record['resource']:<28} {record['stage']:<15} {record['seconds']:>7.3f} s"
                    f" {record['rows']:>7,} rows"
                )
        archive = folder / "standard.zip"
        schema = ROOT / "tests/fixtures/ocds/schema"
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("standard-1__1__5/", "")
            for path in sorted(schema.rglob("*")):
                if path.is_file():
                    zipped.write(path, f"standard-1__1__5/schema/{path.relative_to(schema)}")
        config = LibCoveOCDSConfig({"standard_zip": f"file://{archive}", "context": "api"})
        db = sqlite_utils.Database(folder / "build" / "jendela.db")
        for dataset_id, table in (("tender-spse", "tender_spse"), ("rup-sirup", "rup_sirup")):
            dataset = catalog.datasets[dataset_id]
            tick = time.perf_counter()
            path = write_release_package(
                db, dataset, dataset.resource(table), folder / "ocds", DEFAULT_BASE_URL
            )
            written = time.perf_counter() - tick
            tick = time.perf_counter()
            review = ocds_json_output(file=str(path), lib_cove_ocds_config=config)
            checked = time.perf_counter() - tick
            print(
                f"ocds {table}: {review['count']:,} releases, {path.stat().st_size / 1e6:.1f} MB, "
                f"written in {written:.2f} s, libcoveocds {checked:.2f} s, "
                f"{len(review['validation_errors'])} schema errors"
            )


if __name__ == "__main__":
    main()
