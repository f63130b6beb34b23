"""BPS web table of regional GDP (PDRB) at current prices, in billions (milyar) of Rupiah.

The table is a BPS web table (see datasets/bps-tabel-web): a caption line above the years, the
regency/city rows and, last, the province they belong to, no region codes. The caption says
"(Milyar Rupiah)" and the cells use a decimal point ("17986.5"); the descriptor reads them with
`parse: decimal` (the Indonesian number parser would take the point for a thousands separator)
and multiplies them out exactly with `scale: 1000000000`: 17986.5 milyar = 17,986,500,000,000
Rupiah. This transform only builds the name path and renames the value column.
"""

from __future__ import annotations

import pandas as pd

from pipelines.api import PATH_SEPARATOR, TransformContext


def transform(frame: pd.DataFrame, context: TransformContext) -> pd.DataFrame:
    names = frame["nama_wilayah_sumber"].str.split().str.join(" ")
    if len(frame):
        parent = names.iloc[-1]  # the last row is the province of the rows above it
        names = names.where(names == parent, parent + PATH_SEPARATOR + names)
    return frame.assign(
        nama_wilayah_sumber=names,
        kode_wilayah=pd.NA,
        pdrb_adhb_rp=frame["pdrb_adhb_milyar"],
    )
