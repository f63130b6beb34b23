"""Satu Data Tangerang Selatan exports name the government and the unit only in the title line:
"Jumlah Nilai Realisasi APBD Kota Tangerang Selatan Menurut Jenis Belanja Tahun 2021-2022
(Rupiah)". This step takes both from the title (the `title_wide` reader keeps it in `judul`).

The government is matched to its Kemendagri code through `pemda.csv` beside this file; the unit
must be "(Rupiah)", since a table in "(Ribu Rupiah)" read as Rupiah would be off by a thousand.
The `Total` line becomes the level-1 parent of the other lines, so the hierarchy check can say
whether the published total equals the sum of its parts.
"""

from __future__ import annotations

import re

import pandas as pd

from pipelines.api import FILE_COLUMN, TransformContext, TransformError, region_name_key

CROSSWALK = "pemda.csv"
TITLE = re.compile(r"APBD\s+(?P<region>.+?)\s+Menurut\b.*\((?P<unit>[^()]*)\)\s*$", re.IGNORECASE)
TOTAL = "Total"


def region_of(title: str, source: str, codes: dict[str, str]) -> str:
    """The Kemendagri code of the government a table title names; the unit must be Rupiah."""
    match = TITLE.search(title)
    if match is None:
        raise TransformError(
            f"{source}: baris/row 1: judul/title {title!r} does not read 'APBD <pemerintah daerah> "
            "Menurut ... (<satuan>)'"
        )
    if match["unit"].strip().lower() != "rupiah":
        raise TransformError(
            f"{source}: baris/row 1: satuan/unit {match['unit']!r}: only '(Rupiah)' is read; "
            "a table in another unit needs its own scale"
        )
    code = codes.get(region_name_key(match["region"]))
    if code is None:
        raise TransformError(
            f"{source}: baris/row 1: pemerintah daerah {match['region']!r} tidak ada di "
            f"{CROSSWALK} / government not in {CROSSWALK}; add its Kemendagri code there"
        )
    return code


def transform(frame: pd.DataFrame, context: TransformContext) -> pd.DataFrame:
    crosswalk = {
        region_name_key(row["nama"]): row["kode_wilayah"] for row in context.lookup(CROSSWALK)
    }
    codes = {
        (title, source): region_of(title, source, crosswalk)
        for title, source in frame[["judul", FILE_COLUMN]].drop_duplicates().itertuples(index=False)
    }
    frame = frame.copy()
    frame["kode_wilayah"] = [
        codes[key] for key in zip(frame["judul"], frame[FILE_COLUMN], strict=True)
    ]
    name = frame["uraian"].astype("string").str.strip()
    total = name.str.lower().eq(TOTAL.lower())
    frame["jenis_belanja"] = name
    frame["tingkat"] = total.map({True: "1", False: "2"})
    frame["jenis_belanja_induk"] = total.map({True: "", False: TOTAL})
    return frame
