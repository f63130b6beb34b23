"""Satu Data Jakarta population by kelurahan, age group and sex: codes found from the names.

The export has no region codes, only names at four levels (`nama_provinsi`, `nama_kabupaten_kota`,
`nama_kecamatan`, `nama_kelurahan`, e.g. "PROVINSI DKI JAKARTA", "JAKARTA TIMUR", "JATINEGARA",
"KAMPUNG MELAYU"). They are joined into one path, kept as `nama_wilayah_sumber`, and the build
looks the path up in table `wilayah` (descriptor: `region_from_name`), level by level; a path that
names no single region is reported with its row, never matched by similarity. `usia` ("0-4",
"15-19") is the age group; `periode_data` is the period the portal gives.
"""

from __future__ import annotations

import pandas as pd

from pipelines.api import PATH_SEPARATOR, TransformContext, reshaped

SOURCE = "Satu Data Jakarta (satudata.jakarta.go.id)"
LEVELS = ["nama_provinsi", "nama_kabupaten_kota", "nama_kecamatan", "nama_kelurahan"]


def transform(frame: pd.DataFrame, context: TransformContext) -> pd.DataFrame:
    names = frame[LEVELS].apply(lambda column: column.str.strip())
    return reshaped(
        frame,
        {
            "kode_wilayah": pd.NA,
            "kode_wilayah_bps": pd.NA,
            "nama_wilayah_sumber": names.agg(PATH_SEPARATOR.join, axis=1),
            "tahun": frame["tahun"],
            "jenis_kelamin": frame["jenis_kelamin"].str.strip().str.lower(),
            "kelompok_umur": frame["usia"].str.strip(),
            "jumlah_penduduk": frame["jumlah_penduduk"],
            "satuan": "jiwa",
            "sumber": SOURCE,
            "periode": frame["periode_data"],
        },
    )
