"""Kota Tangerang Selatan statistical table ("Tabel 17"): a printed table, read as data.

The sheet is laid out for print: a title row (skipped by the reader), the header `Kode Wilayah,
Nama Wilayah, Usia, Jumlah`, a row of column numbers "(1) (2) (3) (4)", one row per kecamatan with
its Kemendagri code (36.74.01), the city total (36.74) and a footnote naming the source, e.g.
"Sumber : Data Konsolidasi Bersih (DKB) Kementerian Dalam Negeri Tahun 2023 Semester 2". The
column-number row is layout, not data, and is dropped; the footnote becomes the `sumber` of every
row, and its year and semester the `tahun` and `periode`. The city total is kept: it is the
official figure for code 36.74, one level up.

The footnote is the sheet's last line, so a chunk of a long sheet does not hold it: it is read
from the whole file (`context.source_path`), the same for every chunk.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pandas as pd

from pipelines.api import TransformContext, reshaped

LAYOUT_ROW = r"\(\d+\)"
FOOTNOTE = re.compile(r"^\s*Sumber\s*:\s*(?P<text>.+?)\s*$", re.IGNORECASE)
PERIOD = re.compile(r"Tahun\s+(?P<year>\d{4})(?:\s+Semester\s+(?P<semester>\d))?", re.IGNORECASE)


def footnote_of(path: Path, sheet: int | str) -> str | None:
    """The text after "Sumber :" in the last footnote of the sheet's first column, or None."""
    return _footnote(path, sheet, path.stat().st_mtime_ns)


@cache
def _footnote(path: Path, sheet: int | str, _version: int) -> str | None:
    """Read once per file version: every chunk of one file asks again."""
    column = pd.read_excel(path, sheet_name=sheet, header=None, usecols=[0], dtype="string")[0]
    notes = column.str.strip().str.extract(FOOTNOTE)["text"].dropna()
    return notes.iloc[-1] if len(notes) else None


def transform(frame: pd.DataFrame, context: TransformContext) -> pd.DataFrame:
    first = frame["Kode Wilayah"].astype("string").str.strip()
    source = footnote_of(context.source_path, context.options.get("sheet", 0)) or pd.NA
    period = PERIOD.search(source) if isinstance(source, str) else None
    year = period["year"] if period else pd.NA
    label = pd.NA
    if period:
        label = year + (f" semester {period['semester']}" if period["semester"] else "")
    footnote = first.str.match(FOOTNOTE.pattern, flags=re.IGNORECASE).fillna(False)
    data = frame[~first.str.fullmatch(LAYOUT_ROW).fillna(False) & ~footnote]
    return reshaped(
        data,
        {
            "kode_wilayah": data["Kode Wilayah"],
            "kode_wilayah_bps": pd.NA,
            "nama_wilayah_sumber": data["Nama Wilayah"],
            "tahun": year,
            "jenis_kelamin": pd.NA,
            "kelompok_umur": data["Usia"].str.replace(r"(?i)\s*tahun\s*$", "", regex=True),
            "jumlah_penduduk": data["Jumlah"],
            "satuan": "jiwa",
            "sumber": source,
            "periode": label,
        },
    )
