"""Kemendagri region list: level, kind and parent come from the code, as the decree defines them.

The dump gives only `kode` and `nama`. The code itself says the rest: its number of dotted parts is
the level (32 provinsi, 32.71 kabupaten/kota, 32.71.01 kecamatan, 32.71.01.1001 desa/kelurahan),
dropping its last part gives the parent, and the first digit of a village number gives its kind.
That digit convention, checked on all 83,762 villages of the 2025 list: 1 = kelurahan (8,496),
2 = desa (75,252), 3 = desa adat (14, all named "Desa Adat ...", in Kabupaten Jayapura). Whether a
kabupaten/kota is a kota is only in its name ("Kota Bogor", "Kabupaten Bogor").

A code that is not a Kemendagri code is left as written, so the region_code parser reports it with
its file and line instead of this step guessing.
"""

from __future__ import annotations

import pandas as pd

from pipelines.api import TransformContext, parse_column, reshaped

LEVELS = {1: "provinsi", 2: "kabupaten_kota", 3: "kecamatan", 4: "desa_kelurahan"}
VILLAGE_KINDS = {"1": "kelurahan", "2": "desa", "3": "desa_adat"}
FIXED_KINDS = {1: "provinsi", 3: "kecamatan"}


def transform(frame: pd.DataFrame, context: TransformContext) -> pd.DataFrame:
    codes = parse_column(frame["kode"], "region_code").values
    valid = codes.notna()
    depth = codes.str.count(r"\.").add(1).where(valid)
    names = frame["nama"].astype("string").str.strip()
    last = codes.str.rsplit(".", n=1).str[-1]
    kind = pd.Series(pd.NA, index=frame.index, dtype="string")
    for level, value in FIXED_KINDS.items():
        kind = kind.mask(depth.eq(level), value)
    city = names.str.match(r"(?i)kota\s")
    regency = names.str.match(r"(?i)kabupaten\s")
    kind = kind.mask(depth.eq(2) & city, "kota").mask(depth.eq(2) & regency, "kabupaten")
    kind = kind.mask(depth.eq(4), last.str[0].map(VILLAGE_KINDS))
    out = reshaped(
        frame,
        {
            "kode_wilayah": frame["kode"].where(~valid, codes),
            "nama_wilayah": frame["nama"],
            "tingkat": depth.map(LEVELS),
            "jenis": kind,
            "kode_wilayah_induk": codes.str.rsplit(".", n=1).str[0].where(depth.gt(1)),
        },
        index=frame.index,
    )
    return out.astype({"tingkat": "string", "jenis": "string"})
