"""SiRUP plans exported from BIRMS (Bandung's resource management system) need three things the
dump does not state the way our columns want them:

- `kode_wilayah`: from the K/L/PD name (`kldi`, "Pemerintah Daerah Kota Bandung") through
  `instansi.csv` beside this file. A name not listed there is passed on as written, so the
  region-code parser rejects that row with its value and line (the real dump ends with two test
  rows, "... OCDS test" and "Bandung city"; the descriptor quarantines such rows).
- dates: BIRMS writes them month first ("3/18/2015" is 18 March). Our date parser reads day
  first and refuses to guess, so they are reordered here to ISO; anything else is left as
  written for the parser to report.
- `tahun_anggaran`: only in the file name (`bandung_birms_sirup_2015_planning.sql`).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import pandas as pd

from pipelines.api import FILE_COLUMN, TransformContext, TransformError

CROSSWALK = "instansi.csv"
DATES = [
    "tanggal_awal_pengadaan",
    "tanggal_akhir_pengadaan",
    "tanggal_awal_pekerjaan",
    "tanggal_akhir_pekerjaan",
]
MONTH_FIRST = r"^\s*(?P<m>[0-9]{1,2})/(?P<d>[0-9]{1,2})/(?P<y>[0-9]{4})\s*$"
YEAR_IN_NAME = re.compile(r"(?<![0-9])(20[0-9]{2})(?![0-9])")


def month_first_to_iso(values: pd.Series) -> pd.Series:
    """'3/18/2015' -> '2015-03-18'; other text unchanged (the date parser then names it)."""
    text = values.astype("string")
    parts = text.str.extract(MONTH_FIRST)
    iso = parts["y"] + "-" + parts["m"].str.zfill(2) + "-" + parts["d"].str.zfill(2)
    return iso.where(parts["y"].notna(), text)


def year_of(source: str) -> str:
    found = YEAR_IN_NAME.findall(PurePosixPath(source.replace("\\", "/")).stem)
    if len(found) != 1:
        raise TransformError(
            f"{source}: tahun anggaran harus tertulis sekali di nama berkas / the fiscal year must "
            f"appear once in the file name (e.g. bandung_birms_sirup_2015_planning.sql)"
        )
    return found[0]


def transform(frame: pd.DataFrame, context: TransformContext) -> pd.DataFrame:
    codes = {
        " ".join(row["instansi"].lower().split()): row["kode_wilayah"]
        for row in context.lookup(CROSSWALK)
    }
    frame = frame.copy()
    agency = frame["instansi"].astype("string")
    key = agency.str.lower().str.split().str.join(" ")
    frame["kode_wilayah"] = key.map(codes).fillna(agency)
    for column in DATES:
        frame[column] = month_first_to_iso(frame[column])
    years = {source: year_of(source) for source in frame[FILE_COLUMN].unique()}
    frame["tahun_anggaran"] = frame[FILE_COLUMN].map(years)
    return frame
