"""An SPSE tender list does not say which LPSE it came from, and shows amounts rounded: this step
adds both facts.

- `kode_wilayah`: the region of the LPSE, from the file name (`spse_lpse_kota_bandung_dt_lelang.
  json`) through `lpse.csv` beside this file. Letters and digits are compared, so `kota_bandung`,
  `kotabandung` and `Kota-Bandung` match; the longest LPSE name found in the file name wins. A file
  whose name names no known LPSE stops the dataset: a tender list under the wrong region would
  mislead.
- `hps_dibulatkan`, `nilai_kontrak_dibulatkan`: true where the page showed the amount with a
  magnitude ("22,1 M" = 22,100,000,000, known only to 100 million), from the `rounded` flag of the
  rupiah parser. The amount itself is kept as parsed.
- `hps_presisi_rp`: the value of the last digit SPSE shows of the estimate, so that a reader (the
  red-flag indicators) knows the band it was rounded from. SPSE writes at most one decimal of
  "Jt" or "M" and drops ",0": of the 3,952 Kota Bandung packages 121 show "1 M".."9 M" and none
  "1,0 M", so "1 M" is known to 0,1 M like "1,2 M": 100.000 for Jt, 100.000.000 for M; empty
  where the amount is written in full ("Rp 470.701.000,00").
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import pandas as pd

from pipelines.api import FILE_COLUMN, TransformContext, TransformError, parse_column

CROSSWALK = "lpse.csv"
ROUNDED = {"hps_rp": "hps_dibulatkan", "nilai_kontrak_rp": "nilai_kontrak_dibulatkan"}
# One unit of the last digit SPSE shows (one decimal of the magnitude), by magnitude word.
LAST_DIGIT = {"jt": "100000", "juta": "100000", "m": "100000000", "miliar": "100000000"}


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _lpse(context: TransformContext) -> list[tuple[str, str]]:
    """(LPSE name as letters and digits, region code), longest name first."""
    rows = [(_letters(row["lpse"]), row["kode_wilayah"]) for row in context.lookup(CROSSWALK)]
    return sorted(rows, key=lambda row: -len(row[0]))


def region_of(source: str, lpse: list[tuple[str, str]]) -> str:
    stem = _letters(PurePosixPath(source.replace("\\", "/")).stem)
    for name, code in lpse:
        if name in stem:
            return code
    raise TransformError(
        f"{source}: nama berkas tidak menyebut LPSE yang dikenal di {CROSSWALK} / the file "
        f"name names no LPSE listed in {CROSSWALK} (e.g. spse_lpse_kota_bogor_dt_lelang.json)"
    )


def rounded_flags(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """One text flag column per amount: "true" where the source abbreviated it, else "false"."""
    for amount, flag in columns.items():
        rounded = parse_column(frame[amount], "rupiah").rounded
        frame[flag] = rounded.map({True: "true", False: "false"}, na_action="ignore")
    return frame


def last_digit(amounts: pd.Series) -> pd.Series:
    """ "694,4 Jt" -> "100000", "1 M" -> "100000000", "Rp 470.701.000,00" -> missing."""
    word = amounts.str.extract(r"(?i)\s([a-z]+)\.?\s*$", expand=False).str.lower()
    return word.map(LAST_DIGIT)


def transform(frame: pd.DataFrame, context: TransformContext) -> pd.DataFrame:
    lpse = _lpse(context)
    frame = frame.copy()
    codes = {source: region_of(source, lpse) for source in frame[FILE_COLUMN].unique()}
    frame["kode_wilayah"] = frame[FILE_COLUMN].map(codes)
    frame["hps_presisi_rp"] = last_digit(frame["hps_rp"])
    return rounded_flags(frame, ROUNDED)
