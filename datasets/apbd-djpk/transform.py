"""DJPK exports name the government and the year only in the file path (`2021/Kota_Malang.csv`,
`2024/Kota Malang.csv`): this step turns the path into `kode_wilayah` and `tahun`.

The name in the file name is matched to a Kemendagri code through `pemda.csv` beside this file
(the 38 kabupaten/kota of Jawa Timur as named in the Kemendagri 2025 list, the two short names
the 2021-2023 exports use for cities, "Batu" and "Surabaya", and Kota Bogor for the embedded
sample). Names are compared with `region_name_key`, so "Kota_Malang", "Kota Malang" and
"KOTA MALANG" are one name and "Malang" is Kabupaten Malang. A name or year that cannot be placed
stops the dataset with the file named: guessing a region would publish a budget under the wrong
government.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path, PurePosixPath

import pandas as pd

from pipelines.core.indonesian import region_name_key
from pipelines.readers import FILE_COLUMN, ReaderError

CROSSWALK = Path(__file__).resolve().parent / "pemda.csv"
YEAR = re.compile(r"[0-9]{4}")


@cache
def _codes() -> dict[str, str]:
    with open(CROSSWALK, encoding="utf-8") as handle:
        return {region_name_key(row["nama"]): row["kode_wilayah"] for row in csv.DictReader(handle)}


def place(source: str) -> tuple[str, str]:
    """(kode_wilayah, tahun) of one export from its path: '.../2021/Kota_Malang.csv'."""
    path = PurePosixPath(source.replace("\\", "/"))
    year = path.parent.name
    if not YEAR.fullmatch(year):
        raise ReaderError(
            f"{source}: the year must be the name of the file's folder (2021/Kota_Malang.csv); "
            f"found folder {year!r}"
        )
    name = path.stem.replace("_", " ")
    code = _codes().get(region_name_key(name))
    if code is None:
        raise ReaderError(
            f"{source}: pemerintah daerah {name!r} tidak ada di {CROSSWALK.name} / government "
            f"{name!r} is not in {CROSSWALK.name}; add its Kemendagri code there"
        )
    return code, year


def transform(frame: pd.DataFrame, resource: str) -> pd.DataFrame:
    if resource != "apbd_djpk":
        return frame
    places = {source: place(source) for source in frame[FILE_COLUMN].unique()}
    frame = frame.copy()
    frame["kode_wilayah"] = frame[FILE_COLUMN].map(lambda s: places[s][0])
    frame["tahun"] = frame[FILE_COLUMN].map(lambda s: places[s][1])
    return frame
