"""Kemendagri 2025 population annex: one wide row per region becomes two tidy rows, one per sex.

The dump (cahyadsn/wilayah db/wilayah_penduduk.sql) gives `kode, nama, pria, wanita, total` with
the numbers quoted as text ('578674'). Every row must add up, pria + wanita = total, or the whole
file is refused: a total that disagrees with its parts cannot be published under either figure.
The first row, kode "0" INDONESIA, is the national sum; it is not a region of table `wilayah`
(Indonesia has no Kemendagri code), so it is left out, as the descriptor says.
"""

from __future__ import annotations

import pandas as pd

from pipelines.api import ROW_COLUMN, TransformContext, TransformError, parse_column, reshaped

SOURCE = "Dukcapil Kemendagri (data kependudukan dalam Kepmendagri No. 300.2.2-2138 Tahun 2025)"
PERIOD = "Kepmendagri No. 300.2.2-2138 Tahun 2025"
YEAR = "2025"
NATIONAL = "0"


def transform(frame: pd.DataFrame, context: TransformContext) -> pd.DataFrame:
    frame = frame[frame["kode"].str.strip() != NATIONAL]
    numbers = {c: parse_column(frame[c], "integer").values.astype("Int64") for c in TOTALS}
    wrong = numbers["pria"] + numbers["wanita"] != numbers["total"]
    if wrong.fillna(False).any():
        first = frame[wrong.fillna(False).to_numpy()].iloc[0]
        raise TransformError(
            f"baris/row {first[ROW_COLUMN]} ({first['kode']} {first['nama']}): pria "
            f"{first['pria']} + wanita {first['wanita']} != total {first['total']}; "
            f"{int(wrong.sum())} rows disagree with their totals",
            row=int(first[ROW_COLUMN]),
            column="total",
        )
    parts = []
    for column, sex in (("pria", "laki-laki"), ("wanita", "perempuan")):
        parts.append(
            reshaped(
                frame,
                {
                    "kode_wilayah": frame["kode"],
                    "kode_wilayah_bps": pd.NA,
                    "nama_wilayah_sumber": frame["nama"],
                    "tahun": YEAR,
                    "jenis_kelamin": sex,
                    "kelompok_umur": pd.NA,
                    "jumlah_penduduk": frame[column],
                    "satuan": "jiwa",
                    "sumber": SOURCE,
                    "periode": PERIOD,
                },
            )
        )
    # Both rows of a region keep its source line, so an error names the line to open.
    return pd.concat(parts).sort_values(ROW_COLUMN, kind="stable").reset_index(drop=True)


TOTALS = ("pria", "wanita", "total")
