"""emsifa/api-wilayah-indonesia: BPS region lists served as one static JSON file per API call.

The responses say nothing about level or parent except through their path and their codes:
`provinces.json` lists provinces, `regencies/<prov>.json` and `regency/<code>.json` (a single
object, read as one record: reader option `object_as_record`) regencies/cities,
`districts/<regency>.json` districts, `villages/<district>.json` villages. The level is taken
from the folder name and checked against the code length (2, 4, 7, 10 digits), so a file put in
the wrong folder is a validation error on `tingkat`, not a silently wrong row. The parent is
the code's own prefix, which is how BPS MFD codes nest (and what the API's `*_id` columns say).
"""

from __future__ import annotations

from pathlib import PurePath

import pandas as pd

from pipelines.api import FILE_COLUMN, TransformContext

LEVEL_BY_FOLDER = {
    "regencies": "kabupaten_kota",
    "regency": "kabupaten_kota",
    "districts": "kecamatan",
    "villages": "desa_kelurahan",
}
LEVEL_BY_LENGTH = {2: "provinsi", 4: "kabupaten_kota", 7: "kecamatan", 10: "desa_kelurahan"}
PARENT_LENGTH = {4: 2, 7: 4, 10: 7}


def _response(path: str) -> tuple[str, str | None]:
    """(`regencies/32.json`, level) for a response file; the level is None when unknown."""
    file = PurePath(path)
    if file.name == "provinces.json":
        return file.name, "provinsi"
    folder = file.parent.name
    return f"{folder}/{file.name}", LEVEL_BY_FOLDER.get(folder)


def transform(frame: pd.DataFrame, context: TransformContext) -> pd.DataFrame:
    codes = frame["id"].fillna("").str.strip()
    responses = frame[FILE_COLUMN].map(_response)
    by_path = responses.str[1]
    by_length = codes.str.len().map(LEVEL_BY_LENGTH)
    # Path and code length must agree; otherwise leave the level empty so validation names the row.
    level = by_path.where(by_path == by_length, "")
    parent = [c[: PARENT_LENGTH[len(c)]] if len(c) in PARENT_LENGTH else "" for c in codes]
    return frame.assign(
        kode_wilayah_bps=codes,
        nama_wilayah_sumber=frame["name"],
        kode_wilayah_bps_induk=parent,
        tingkat=level,
        tanggapan_api=responses.str[0],
    )
