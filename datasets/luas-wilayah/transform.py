"""Region areas (BIG, with Kemendagri 2025 codes): a SQL dump with machine numbers and float codes.

The dump's columns (kode, nama, luas) get the catalog's field names, and every row gets the agency
and code basis in `sumber`, which the file states only in its header comment. `luas` is a SQL
double ("111.366" km2 for Kota Bogor) and is read by the field's `parse: decimal` (machine
notation), not here. Codes are left as written: some went through a float in the source, and the
region_code parser accepts "31.0" (= 31) but refuses "11.1", whose trailing zero is lost (it could
be 11.10 or 11.1x); such rows are quarantined with that reason, never repaired by a guess.
"""

from __future__ import annotations

import pandas as pd

from pipelines.api import TransformContext, reshaped

SOURCE = (
    "Badan Informasi Geospasial (Surat B-16.10/DIGD-BIG/IGD.04.04/12/2024), kode Kepmendagri 2025"
)


def transform(frame: pd.DataFrame, context: TransformContext) -> pd.DataFrame:
    return reshaped(
        frame,
        {
            "kode_wilayah": frame["kode"],
            "nama_wilayah_sumber": frame["nama"],
            "luas_km2": frame["luas"],
            "sumber": SOURCE,
        },
    )
