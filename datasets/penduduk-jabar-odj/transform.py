"""Open Data Jabar population by sex: its standard long table, put in the tidy population shape.

The file has one row per kab/kota, sex and year: `id, kode_provinsi, nama_provinsi,
kode_kabupaten_kota, nama_kabupaten_kota, jenis_kelamin, jumlah_penduduk, satuan, tahun`. Its codes
are BPS codes ("3271"); at the kab/kota level in Jawa Barat they are the Kemendagri codes without
the dot, so `kode_wilayah` is the same text, made dotted by the region_code parser, and the BPS code
is kept beside it. That this holds row by row is not assumed: the descriptor's region-name check
compares every row's name with the official name of its code, which is how the 2013 rows, whose
codes and names disagree, are caught.
"""

from __future__ import annotations

import pandas as pd

from pipelines.api import TransformContext, reshaped

SOURCE = (
    "Open Data Jabar, dataset jumlah-penduduk-berdasarkan-jenis-kelamin-di-jawa-barat "
    "(produsen data tidak disebut dalam berkas)"
)


def transform(frame: pd.DataFrame, context: TransformContext) -> pd.DataFrame:
    return reshaped(
        frame,
        {
            "kode_wilayah": frame["kode_kabupaten_kota"],
            "kode_wilayah_bps": frame["kode_kabupaten_kota"],
            "nama_wilayah_sumber": frame["nama_kabupaten_kota"],
            "tahun": frame["tahun"],
            "jenis_kelamin": frame["jenis_kelamin"].str.strip().str.lower(),
            "kelompok_umur": pd.NA,
            "jumlah_penduduk": frame["jumlah_penduduk"],
            "satuan": frame["satuan"].str.strip().str.lower(),
            "sumber": SOURCE,
            "periode": frame["tahun"],
        },
    )
