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

import re
from collections.abc import Iterable
from pathlib import PurePosixPath

import pandas as pd

from pipelines.api import FILE_COLUMN, TransformContext, TransformError, region_name_key

CROSSWALK = "pemda.csv"
YEAR = re.compile(r"[0-9]{4}")


def crosswalk(rows: Iterable[dict[str, str]]) -> dict[str, str]:
    """Name key -> Kemendagri code, from the rows of pemda.csv."""
    return {region_name_key(row["nama"]): row["kode_wilayah"] for row in rows}


def place(source: str, codes: dict[str, str]) -> tuple[str, str]:
    """(kode_wilayah, tahun) of one export from its path: '.../2021/Kota_Malang.csv'."""
    path = PurePosixPath(source.replace("\\", "/"))
    year = path.parent.name
    if not YEAR.fullmatch(year):
        raise TransformError(
            f"{source}: the year must be the name of the file's folder (2021/Kota_Malang.csv); "
            f"found folder {year!r}"
        )
    name = path.stem.replace("_", " ")
    code = codes.get(region_name_key(name))
    if code is None:
        raise TransformError(
            f"{source}: pemerintah daerah {name!r} tidak ada di {CROSSWALK} / government "
            f"{name!r} is not in {CROSSWALK}; add its Kemendagri code there"
        )
    return code, year


def transform(frame: pd.DataFrame, context: TransformContext) -> pd.DataFrame:
    codes = crosswalk(context.lookup(CROSSWALK))
    places = {source: place(source, codes) for source in frame[FILE_COLUMN].unique()}
    frame = frame.copy()
    frame["kode_wilayah"] = frame[FILE_COLUMN].map(lambda s: places[s][0])
    frame["tahun"] = frame[FILE_COLUMN].map(lambda s: places[s][1])
    return frame
