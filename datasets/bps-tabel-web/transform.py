"""BPS web tables: region codes found from the names the tables print.

A BPS web table names its regions without codes ("Jakarta Selatan", "Kep Seribu") and ends with
the region they all belong to ("DKI Jakarta"), so that last row is the parent of the rows above
it and the name path of each row is "<last row> > <row>"; the build then finds the Kemendagri code
from the path (descriptor: `region_from_name`). A one-row table (a province's own figures) is the
region itself. The reader (`table`, pipelines/readers/messy.py) has already turned the year
columns into rows.
"""

from __future__ import annotations

import pandas as pd

from pipelines.api import PATH_SEPARATOR, TransformContext


def one_level(frame: pd.DataFrame, context: TransformContext) -> pd.DataFrame:
    """Each row names its region on its own (a province's own figures)."""
    names = frame["nama_wilayah_sumber"].str.split().str.join(" ")
    return frame.assign(nama_wilayah_sumber=names, kode_wilayah=pd.NA)


def last_row_is_parent(frame: pd.DataFrame, context: TransformContext) -> pd.DataFrame:
    """The last row is the region of all the rows above it: "DKI Jakarta > Kep Seribu"."""
    names = frame["nama_wilayah_sumber"].str.split().str.join(" ")
    if len(frame):
        parent = names.iloc[-1]
        names = names.where(names == parent, parent + PATH_SEPARATOR + names)
    return frame.assign(nama_wilayah_sumber=names, kode_wilayah=pd.NA)


TRANSFORMS = {
    "garis_kemiskinan_provinsi": one_level,
    "penduduk_kabkota_bps": last_row_is_parent,
}
