"""BPS MFD region lists: four header-less CSV files that only make sense together.

The BPS Master File Desa (as scraped from mfdonline.bps.go.id into edwardsamuel/Wilayah-
Administratif-Indonesia) is one file per level, each row `code,parent_code,NAME` (provinces have
no parent column):

    provinces.csv  32,JAWA BARAT
    regencies.csv  3271,32,KOTA BOGOR
    districts.csv  3271010,3271,BOGOR SELATAN
    villages.csv   3271010013,3271010,BATUTULIS

A BPS code cannot be turned into a Kemendagri code by arithmetic (Bogor Tengah is BPS 3271040 but
Kemendagri 32.71.03), so the only honest link is the name, read together with the names of all
ancestors. This reader reads the file it is given and, from the same folder, the files of the
levels above it, and gives each row its full name path ("JAWA BARAT > KOTA BOGOR > BOGOR SELATAN >
BATUTULIS") beside its own code, parent code, name and level. Give `source.path` as a glob
(`data/bps_mfd/*.csv`) so all four files travel together.

Columns out: kode_bps, kode_bps_induk, nama, tingkat, jalur_nama.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from ..core.indonesian import PATH_SEPARATOR
from . import ROW_COLUMN, ReaderError, chunked, encoding_error, reader

LEVELS = ["provinces", "regencies", "districts", "villages"]
LEVEL_NAMES = {
    "provinces": "provinsi",
    "regencies": "kabupaten_kota",
    "districts": "kecamatan",
    "villages": "desa_kelurahan",
}


def _read_level(path: Path, level: str, encoding: str) -> pd.DataFrame:
    names = ["kode_bps", "nama"] if level == "provinces" else ["kode_bps", "kode_bps_induk", "nama"]
    try:
        frame = pd.read_csv(
            path,
            header=None,
            names=names,
            dtype=str,
            keep_default_na=False,
            encoding=encoding,
            skip_blank_lines=False,
        )
    except UnicodeDecodeError as exc:
        raise encoding_error(path, encoding, exc) from None
    except pd.errors.EmptyDataError:  # no line at all: a level with no regions
        frame = pd.DataFrame(columns=names, dtype=str)
    except pd.errors.ParserError as exc:
        raise ReaderError(
            f"{path.name}: tidak bisa dibaca sebagai daftar BPS MFD / cannot be read as a BPS "
            f"MFD list: {exc}"
        ) from None
    if level == "provinces":
        frame.insert(1, "kode_bps_induk", "")
    frame[ROW_COLUMN] = range(1, len(frame) + 1)  # no header: line 1 is the first region
    return frame[frame["kode_bps"].str.strip() != ""]


@reader("bps_mfd")
def read_bps_mfd(path: Path, options: dict, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """One BPS MFD level file, each row with the name path of its ancestors from sibling files."""
    level = path.stem
    if level not in LEVELS:
        raise ReaderError(
            f"{path.name}: a BPS MFD list is named {', '.join(f'{n}.csv' for n in LEVELS)}"
        )
    encoding = options.get("encoding", "utf-8-sig")
    depth = LEVELS.index(level)
    paths: dict[str, str] = {}
    for upper in LEVELS[:depth]:
        sibling = path.with_name(f"{upper}.csv")
        if not sibling.is_file():
            raise ReaderError(
                f"{path.name}: needs {sibling.name} from the same folder to name its parents; "
                "give source.path as a glob over the four files"
            )
        frame = _read_level(sibling, upper, encoding)
        parents = frame["kode_bps_induk"].str.strip().map(lambda code: paths.get(code, ""))
        joined = (parents + PATH_SEPARATOR).where(parents != "", "") + frame["nama"].str.strip()
        paths.update(zip(frame["kode_bps"].str.strip(), joined, strict=True))
    frame = _read_level(path, level, encoding)
    parent_paths = frame["kode_bps_induk"].str.strip().map(paths)
    if depth and parent_paths.isna().any():
        first = frame[parent_paths.isna()].iloc[0]
        raise ReaderError(
            f"{path.name}: line {first[ROW_COLUMN]}: parent code {first['kode_bps_induk']!r} of "
            f"{first['kode_bps']} is not in {LEVELS[depth - 1]}.csv"
        )
    own = frame["nama"].str.strip()
    frame["jalur_nama"] = (parent_paths + PATH_SEPARATOR + own) if depth else own
    frame["tingkat"] = LEVEL_NAMES[level]
    frame = frame[[ROW_COLUMN, "kode_bps", "kode_bps_induk", "nama", "tingkat", "jalur_nama"]]
    yield from chunked(frame, chunk_rows)
