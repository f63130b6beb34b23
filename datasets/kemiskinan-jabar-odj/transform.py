"""Open Data Jabar poverty tables (BPS figures): three long tables of one shape, one value each.

Each file is `id, kode_provinsi, nama_provinsi, kode_kabupaten_kota, nama_kabupaten_kota, <value>,
satuan, tahun`, with the value in the unit `satuan` names, written with a decimal point:

    jumlah_penduduk_miskin     451.3    RIBU JIWA     -> 451300 jiwa
    garis_kemiskinan_perkapita 480749   RUPIAH        -> 480749 Rupiah per person per month
    pengeluaran_per_kapita     8951.96  RIBU RUPIAH   -> 8951960 Rupiah per person per year

This transform only renames. Counts and money are integers here (DESIGN rule 6): the descriptor
reads each value with `parse: decimal` ("451.3" is a decimal point, never the Indonesian thousands
dot, because these exports always write it so) and multiplies thousands out exactly with
`scale: 1000`. The source unit is kept in `satuan_sumber`, and the schema accepts only the unit
each table was built for, so a file in another unit fails instead of being scaled wrongly. Codes
are BPS kab/kota codes, equal to Kemendagri codes without the dot in Jawa Barat; the region-name
check holds every row to that.
"""

from __future__ import annotations

import pandas as pd

from pipelines.api import TransformContext, TransformError, reshaped

SOURCE = "BPS, melalui Open Data Jabar (opendata.jabarprov.go.id)"
# value field -> its source column; the table's schema has exactly one of these fields, and the
# field's jendela.scale holds the source unit
VALUES = {
    "jumlah_penduduk_miskin": "jumlah_penduduk_miskin",
    "garis_kemiskinan_rp": "garis_kemiskinan_perkapita",
    "pengeluaran_per_kapita_rp": "pengeluaran_per_kapita",
}


def transform(frame: pd.DataFrame, context: TransformContext) -> pd.DataFrame:
    fields = [name for name in context.field_names if name in VALUES]
    if len(fields) != 1:
        raise TransformError(
            f"table {context.resource_name} must have exactly one value field of "
            f"{', '.join(VALUES)}; its schema has {len(fields)}"
        )
    field = fields[0]
    column = VALUES[field]
    return reshaped(
        frame,
        {
            "kode_wilayah": frame["kode_kabupaten_kota"],
            "kode_wilayah_bps": frame["kode_kabupaten_kota"],
            "nama_wilayah_sumber": frame["nama_kabupaten_kota"],
            "tahun": frame["tahun"],
            field: frame[column],
            "satuan_sumber": frame["satuan"].str.strip().str.lower(),
            "sumber": SOURCE,
            "periode": frame["tahun"],
        },
    )
