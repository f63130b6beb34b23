"""Region areas (BIG, with Kemendagri 2025 codes): a SQL dump with machine numbers and float codes.

`luas` is a SQL double written with a decimal point ("111.366" km2 for Kota Bogor). The Indonesian
number parser would read "111.366" as one hundred eleven thousand three hundred sixty-six (the dot
groups thousands), so the point is turned into the decimal comma here, where the format is known:
"111.366" -> "111,366". Codes are left as written: some went through a float in the source, and
the region_code parser accepts "31.0" (= 31) but refuses "11.1", whose trailing zero is lost (it
could be 11.10 or 11.1x); such rows are quarantined with that reason, never repaired by a guess.
"""

from __future__ import annotations

import pandas as pd

SOURCE = (
    "Badan Informasi Geospasial (Surat B-16.10/DIGD-BIG/IGD.04.04/12/2024), kode Kepmendagri 2025"
)
MACHINE_DECIMAL = r"^\s*-?\d+(\.\d+)?\s*$"


def transform(frame: pd.DataFrame, resource: str) -> pd.DataFrame:
    area = frame["luas"].astype("string")
    machine = area.str.match(MACHINE_DECIMAL).fillna(False)
    return pd.DataFrame(
        {
            "__row__": frame["__row__"],
            "__file__": frame["__file__"],
            "kode_wilayah": frame["kode"],
            "nama_wilayah_sumber": frame["nama"],
            "luas_km2": area.where(~machine, area.str.strip().str.replace(".", ",", regex=False)),
            "sumber": SOURCE,
        }
    )
