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

from pipelines.stages.regions import PATH_SEPARATOR

PER_PARENT = {"penduduk_kabkota_bps"}  # tables whose last row is the parent of the others


def transform(frame: pd.DataFrame, resource: str) -> pd.DataFrame:
    names = frame["nama_wilayah_sumber"].str.split().str.join(" ")
    if resource in PER_PARENT and len(frame):
        parent = names.iloc[-1]
        names = names.where(names == parent, parent + PATH_SEPARATOR + names)
    frame = frame.assign(nama_wilayah_sumber=names, kode_wilayah=pd.NA)
    return frame
