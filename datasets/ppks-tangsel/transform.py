"""Kota Tangerang Selatan table "36c": the city and the year are written only in the title.

The sheet reads "Persentase PPKS dan DTKS Menurut Kecamatan di Kota Tangerang Selatan Tahun 2022",
a blank row, the header, then one row per kecamatan in capitals without codes. The `table` reader
keeps the header and the rows, so this step opens the title row of the same file
(`context.source_path`, the file the reader read) to learn the city
(the parent of every kecamatan name: "Kota Tangerang Selatan > SERPONG", resolved by the build's
`region_from_name` through the city alias in the descriptor) and the year.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from pipelines.api import PATH_SEPARATOR, TransformContext, TransformError

TITLE = re.compile(
    r"\bdi\s+(?P<region>(?:Kota|Kabupaten|Kab\.)\s+.+?)\s+Tahun\s+(?P<year>\d{4})\b", re.IGNORECASE
)


def title_of(path: Path, source: str) -> tuple[str, str]:
    """(city, year) from the first non-empty cell of the workbook's first sheet; `source` is
    how messages name the file."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        title = next(
            (str(c) for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c),
            "",
        )
    finally:
        book.close()
    match = TITLE.search(" ".join(title.split()))
    if match is None:
        raise TransformError(
            f"{source}: baris/row 1: judul {title!r} tidak menyebut '... di <Kota/Kabupaten> Tahun "
            "<tahun>' / the title does not read '... di <Kota/Kabupaten> Tahun <year>', the only "
            "place naming the city and the year"
        )
    return " ".join(match["region"].split()).title(), match["year"]


def transform(frame: pd.DataFrame, context: TransformContext) -> pd.DataFrame:
    city, year = title_of(context.source_path, context.source_name)
    names = frame["nama_wilayah_sumber"].astype("string").str.split().str.join(" ")
    return frame.assign(
        nama_wilayah_sumber=city + PATH_SEPARATOR + names,
        kode_wilayah=pd.NA,
        tahun=year,
    )
