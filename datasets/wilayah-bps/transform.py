"""BPS <-> Kemendagri code crosswalk, from two kinds of evidence, each kept in its own table.

`wilayah_bps`: the BPS MFD 2018 lists give BPS codes and upper-case names only. The reader
(`bps_mfd`) gives every row its name path ("JAWA BARAT > KOTA BOGOR > BOGOR SELATAN > BATUTULIS");
the build looks that path up in table `wilayah` level by level (descriptor: `region_from_name`).
A BPS region whose name is not found under its matched parent (renamed, split, spelled otherwise:
BPS "TANAH SEREAL", Kemendagri "Tanah Sareal") gets no code and is quarantined, never guessed.

`wilayah_bps_odj`: Open Data Jabar's village tables carry both codes on every row, so the pair is
the source's own statement. Codes come as floats ("3201190006.0", "32.0"); the parsers make them
"3201190006" and dotted Kemendagri codes. Each village appears once per year in the source; the
first row of each pair is kept, with its line number. Which row is first is decided on the whole
file (`context.source_path`), not on the chunk at hand: a pair whose rows fall into two chunks
is still published once.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pandas as pd

from pipelines.api import PATH_SEPARATOR, ROW_COLUMN, TransformContext, reshaped

MFD_SOURCE = "BPS MFD 2018 (mfdonline.bps.go.id, diambil 11 Januari 2018)"
ODJ_SOURCE = "Open Data Jabar, Indeks Desa Membangun (DPMDes), kolom kode BPS dan Kemendagri"


def from_names(frame: pd.DataFrame, context: TransformContext) -> pd.DataFrame:
    return reshaped(
        frame,
        {
            "kode_wilayah_bps": frame["kode_bps"],
            "kode_wilayah": pd.NA,
            "nama_wilayah_sumber": frame["jalur_nama"],
            "tingkat": frame["tingkat"],
            "metode_padanan": "nama",
            "sumber": MFD_SOURCE,
        },
    )


def from_pairs(frame: pd.DataFrame, context: TransformContext) -> pd.DataFrame:
    names = ["nama_provinsi", "bps_nama_kabupaten_kota", "bps_nama_kecamatan"]
    parts = [frame[name].str.strip() for name in names]  # whole columns, not row by row
    path = parts[0] + PATH_SEPARATOR + parts[1] + PATH_SEPARATOR + parts[2]
    out = reshaped(
        frame,
        {
            "kode_wilayah_bps": frame["bps_kode_desa_kelurahan"],
            "kode_wilayah": frame["kemendagri_kode_desa_kelurahan"],
            "nama_wilayah_sumber": path + PATH_SEPARATOR + frame["bps_nama_desa_kelurahan"],
            "tingkat": "desa_kelurahan",
            "metode_padanan": "kode dari sumber",
            "sumber": ODJ_SOURCE,
        },
    )
    if context.source_path is None:  # a chunk normalised on its own, without its file
        pair = out["kode_wilayah_bps"].str.strip() + "|" + out["kode_wilayah"].str.strip()
        return out[~pair.duplicated()]
    first = first_rows(context.source_path, context.source_path.stat().st_mtime_ns)
    return out[frame[ROW_COLUMN].astype(int).isin(first)]


PAIR_COLUMNS = ["bps_kode_desa_kelurahan", "kemendagri_kode_desa_kelurahan"]


@cache
def first_rows(path: Path, _version: int) -> frozenset[int]:
    """Line numbers (as the csv reader numbers rows: header = line 1) of the first row of each
    code pair in the whole file, lines with no text left out as the reader leaves them out;
    read once per file version."""
    first: dict[tuple[str, str], int] = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows)
        bps, kemendagri = (header.index(c) for c in PAIR_COLUMNS)
        for row in rows:
            if any(cell.strip() for cell in row):
                pair = (row[bps].strip(), row[kemendagri].strip())
                first.setdefault(pair, rows.line_num)
    return frozenset(first.values())


TRANSFORMS = {"wilayah_bps": from_names, "wilayah_bps_odj": from_pairs}
