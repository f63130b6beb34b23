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
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path, PurePosixPath

import pandas as pd

from pipelines.core.indonesian import parse_column
from pipelines.readers import FILE_COLUMN, ReaderError

CROSSWALK = Path(__file__).resolve().parent / "lpse.csv"
ROUNDED = {"hps_rp": "hps_dibulatkan", "nilai_kontrak_rp": "nilai_kontrak_dibulatkan"}


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@cache
def _lpse() -> list[tuple[str, str]]:
    with open(CROSSWALK, encoding="utf-8") as handle:
        rows = [(_letters(row["lpse"]), row["kode_wilayah"]) for row in csv.DictReader(handle)]
    return sorted(rows, key=lambda row: -len(row[0]))


def region_of(source: str) -> str:
    stem = _letters(PurePosixPath(source.replace("\\", "/")).stem)
    for name, code in _lpse():
        if name in stem:
            return code
    raise ReaderError(
        f"{source}: nama berkas tidak menyebut LPSE yang dikenal di {CROSSWALK.name} / the file "
        f"name names no LPSE listed in {CROSSWALK.name} (e.g. spse_lpse_kota_bogor_dt_lelang.json)"
    )


def rounded_flags(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """One text flag column per amount: "true" where the source abbreviated it, else "false"."""
    for amount, flag in columns.items():
        rounded = parse_column(frame[amount], "rupiah").rounded
        frame[flag] = rounded.map({True: "true", False: "false"}, na_action="ignore")
    return frame


def transform(frame: pd.DataFrame, resource: str) -> pd.DataFrame:
    if resource != "tender_spse":
        return frame
    frame = frame.copy()
    codes = {source: region_of(source) for source in frame[FILE_COLUMN].unique()}
    frame["kode_wilayah"] = frame[FILE_COLUMN].map(codes)
    return rounded_flags(frame, ROUNDED)
