"""Satu Data Tangerang Selatan exports name the government and the unit only in the title line:
"Jumlah Nilai Realisasi APBD Kota Tangerang Selatan Menurut Jenis Belanja Tahun 2021-2022
(Rupiah)". This step takes both from the title (the `title_wide` reader keeps it in `judul`).

The government is matched to its Kemendagri code through `pemda.csv` beside this file; the unit
must be "(Rupiah)", since a table in "(Ribu Rupiah)" read as Rupiah would be off by a thousand.
The `Total` line becomes the level-1 parent of the other lines, so the hierarchy check can say
whether the published total equals the sum of its parts.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

import pandas as pd

from pipelines.core.indonesian import region_name_key
from pipelines.readers import FILE_COLUMN, ReaderError

CROSSWALK = Path(__file__).resolve().parent / "pemda.csv"
TITLE = re.compile(r"APBD\s+(?P<region>.+?)\s+Menurut\b.*\((?P<unit>[^()]*)\)\s*$", re.IGNORECASE)
TOTAL = "Total"


@cache
def _codes() -> dict[str, str]:
    with open(CROSSWALK, encoding="utf-8") as handle:
        return {region_name_key(row["nama"]): row["kode_wilayah"] for row in csv.DictReader(handle)}


def region_of(title: str, source: str) -> str:
    """The Kemendagri code of the government a table title names; the unit must be Rupiah."""
    match = TITLE.search(title)
    if match is None:
        raise ReaderError(
            f"{source}: baris/row 1: judul/title {title!r} does not read 'APBD <pemerintah daerah> "
            "Menurut ... (<satuan>)'"
        )
    if match["unit"].strip().lower() != "rupiah":
        raise ReaderError(
            f"{source}: baris/row 1: satuan/unit {match['unit']!r}: only '(Rupiah)' is read; "
            "a table in another unit needs its own scale"
        )
    code = _codes().get(region_name_key(match["region"]))
    if code is None:
        raise ReaderError(
            f"{source}: baris/row 1: pemerintah daerah {match['region']!r} tidak ada di "
            f"{CROSSWALK.name} / government not in {CROSSWALK.name}; add its Kemendagri code there"
        )
    return code


def transform(frame: pd.DataFrame, resource: str) -> pd.DataFrame:
    if resource != "realisasi_belanja":
        return frame
    codes = {
        (title, source): region_of(title, source)
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
