"""Kota Tangerang Selatan statistical table ("Tabel 17"): a printed table, read as data.

The sheet is laid out for print: a title row (skipped by the reader), the header `Kode Wilayah,
Nama Wilayah, Usia, Jumlah`, a row of column numbers "(1) (2) (3) (4)", one row per kecamatan with
its Kemendagri code (36.74.01), the city total (36.74) and a footnote naming the source, e.g.
"Sumber : Data Konsolidasi Bersih (DKB) Kementerian Dalam Negeri Tahun 2023 Semester 2". The
column-number row is layout, not data, and is dropped; the footnote becomes the `sumber` of every
row, and its year and semester the `tahun` and `periode`. The city total is kept: it is the
official figure for code 36.74, one level up.
"""

from __future__ import annotations

import re

import pandas as pd

from pipelines.api import TransformContext, reshaped

LAYOUT_ROW = r"\(\d+\)"
FOOTNOTE = re.compile(r"^\s*Sumber\s*:\s*(?P<text>.+?)\s*$", re.IGNORECASE)
PERIOD = re.compile(r"Tahun\s+(?P<year>\d{4})(?:\s+Semester\s+(?P<semester>\d))?", re.IGNORECASE)


def transform(frame: pd.DataFrame, context: TransformContext) -> pd.DataFrame:
    first = frame["Kode Wilayah"].astype("string").str.strip()
    notes = first.str.extract(FOOTNOTE)["text"].dropna()
    source = notes.iloc[-1] if len(notes) else pd.NA
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
