"""One build of the catalog on the real files of ../shared/realdata, shared by the test modules.

Building the full Kemendagri region list (91,599 rows) and the BPS crosswalk takes most of a
minute on this machine, so every test module that reads a real-data table (regions, population,
budget, procurement, messy files, the folder walk) shares one build per test session through the
`real` fixture of conftest.py instead of each making its own. The build reads the files in place
through `--source` (nothing is copied into the repository) and runs `publish.py build` as a user
would.
"""

from __future__ import annotations

import atexit
import json
import shutil
import sqlite3
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from conftest import REALDATA, run_publish

# resource -> file, folder or glob under shared/realdata that `--source` points it at
SOURCES = {
    "wilayah": "regions/kemendagri_2025/wilayah.sql",
    "wilayah_bps": "regions/bps_mfd_2018",
    "wilayah_bps_odj": "messy/odj_dpmdes_idm_pencemaran_air_desa_float_codes.csv",
    # One static JSON file per API response; `**` also matches provinces.json at the top.
    "wilayah_bps_emsifa": "regions/emsifa_static_api_kota_bogor/**/*.json",
    "luas_wilayah": "regions/kemendagri_2025/wilayah_luas.sql",
    "penduduk_kemendagri": "population/kemendagri_2025_wilayah_penduduk.sql",
    "penduduk_odj": "population/odj_jumlah_penduduk_jenis_kelamin_kabkota_2013-2020.csv",
    "penduduk_satudata_jakarta": (
        "population/satudata_jakarta_penduduk_kelurahan_usia_jk_2013-2021_SLICE.csv"
    ),
    "penduduk_tangsel": "population/tangsel_penduduk_usia_60-64_kecamatan_2023_dkb.xlsx",
    "penduduk_miskin_odj": "population/odj_jumlah_penduduk_miskin_kabkota.csv",
    "garis_kemiskinan_odj": "population/odj_garis_kemiskinan_perkapita_kabkota.csv",
    "pengeluaran_per_kapita_odj": "population/odj_pengeluaran_per_kapita_kabkota.csv",
    # BPS web tables (multi-line headers, years as columns), read by the `table` reader.
    "garis_kemiskinan_provinsi": "messy/bps_garis_kemiskinan_jabar_provinsi_semicolon_bom.csv",
    "penduduk_kabkota_bps": "messy/bps_dki_jumlah_penduduk_kabkota_2023_multiheader.csv",
    # Budget and procurement pipelines (another engineer's datasets), for the folder walk.
    "apbd_djpk": "budget/djpk_apbd_jatim/*/*.csv",
    "realisasi_belanja": "budget/tangsel_realisasi_apbd_jenis_belanja_2021-2022.csv",
    "tender_spse": "procurement/spse_lpse_kota_bandung_dt_lelang.json",
    "rup_sirup": "procurement/bandung_birms_sirup_2015_planning.sql",
    "rup_instansi": "procurement/lkpp_sirup.xlsx",
    "lpse_jenis_instansi": "procurement/lkpp_lpse_data.xlsx",
    "pemenang_tender_konstruksi": "procurement/lkpp_tender_winners.xlsx",
    # Messy files with a unit their header misstates (checks_units.py reports it).
    "monitoring_rup_lkpp": "messy/lkpp_monitoring.xlsx",
    "ppks_dtks_kecamatan": "messy/tangsel_persentase_ppks_dtks_kecamatan_2022.xlsx",
    "pdrb_adhb": "messy/bps_jatim_pdrb_adhb_kabkota_2022-2023.csv",
}


class RealBuild:
    """The output folder of the real-data build, with its manifest, reports and database."""

    def __init__(self, output: Path, result: subprocess.CompletedProcess):
        self.output = output
        self.result = result
        self.manifest = json.loads((output / "manifest.json").read_text())

    def query(self, sql: str, *args) -> list[tuple]:
        with sqlite3.connect(self.output / "jendela.db") as db:
            return db.execute(sql, args).fetchall()

    def report(self, dataset: str, resource: str) -> dict:
        return json.loads((self.output / "reports" / dataset / f"{resource}.json").read_text())

    def resource(self, dataset: str, resource: str) -> dict:
        return self.manifest["datasets"][dataset]["resources"][resource]

    def quarantine_csv(self, dataset: str, resource: str) -> Path:
        return self.output / "site" / "downloads" / dataset / f"{resource}.quarantine.csv"


@cache
def real_build() -> RealBuild:
    """Build every dataset that has a real source, once per test process."""
    folder = Path(tempfile.mkdtemp(prefix="jendela-realdata-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    output = folder / "build"
    overrides = [
        arg for name, path in SOURCES.items() for arg in ("--source", f"{name}={REALDATA / path}")
    ]
    result = run_publish("build", "--quiet", "--output", str(output), *overrides)
    if not (output / "manifest.json").is_file():
        raise AssertionError(f"the real-data build did not finish:\n{result.stdout}{result.stderr}")
    return RealBuild(output, result)
