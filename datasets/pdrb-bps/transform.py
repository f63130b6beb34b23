"""BPS web table of regional GDP (PDRB) at current prices, in billions (milyar) of Rupiah.

The table is a BPS web table (see datasets/bps-tabel-web): a caption line above the years, the
regency/city rows and, last, the province they belong to, no region codes. The caption says
"(Milyar Rupiah)" and the cells use a decimal point ("17986.5"), which the Indonesian number parser
would read as a thousands separator; so each figure is turned here, exactly (Decimal, no float),
into whole Rupiah: 17986.5 milyar = 17,986,500,000,000 Rupiah. A cell that is not such a number is
left as written, so the integer parser names its row and column.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd

from pipelines.regions import PATH_SEPARATOR

MILYAR = Decimal(10) ** 9
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def to_rupiah(cell):
    """'17986.5' (milyar) -> '17986500000000' (Rupiah); anything else unchanged."""
    if not isinstance(cell, str) or not NUMBER.fullmatch(cell.strip()):
        return cell
    value = Decimal(cell.strip()) * MILYAR
    return str(int(value)) if value == value.to_integral_value() else cell


def transform(frame: pd.DataFrame, resource: str) -> pd.DataFrame:
    names = frame["nama_wilayah_sumber"].str.split().str.join(" ")
    if len(frame):
        parent = names.iloc[-1]  # the last row is the province of the rows above it
        names = names.where(names == parent, parent + PATH_SEPARATOR + names)
    return frame.assign(
        nama_wilayah_sumber=names,
        kode_wilayah=pd.NA,
        pdrb_adhb_rp=frame["pdrb_adhb_milyar"].map(to_rupiah),
    )
