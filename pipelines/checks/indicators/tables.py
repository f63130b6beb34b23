"""Writes the red-flag tables into the release database after every dataset is loaded, and
their CSV and Parquet downloads into downloads/tanda-bahaya/.

The tables are derived, never edited by hand, and rebuilt whole on every build from whatever
procurement tables the database holds, so they always describe the data published beside them.
They are their own download folder rather than resources of the procurement datasets because
they read several of them at once (SPSE tenders and SiRUP plans) and would otherwise be
published twice or split by source.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ...core.csv_lines import RowWriter, write_frame
from ...core.errors import DescriptorError
from ...core.indicators import (
    AGENCY_TABLE,
    BUDGET_VIEW,
    COVERAGE_TABLE,
    FLAG_DATASET,
    FLAGGED,
    FLAGS_TABLE,
    INDICATORS_FILE,
    LINK_TABLE,
    METHOD_VIEW,
    NOT_ASSESSED,
    PACKAGES_TABLE,
    POSSIBLY,
    SUPPLIER_TABLE,
    Indicator,
)
from .engine import PACKAGE, assess_all
from .methods import METHODS
from .money_trail import LINK_SCHEMA, write_money_trail
from .rollup import agencies, package_amounts, packages, share_flagged, supplier_concentration
from .rollup import suppliers as supplier_rows

# Column types of each written table (SQLite type; the Parquet type follows from it).
SCHEMAS: dict[str, dict[str, str]] = {
    FLAGS_TABLE: {
        **PACKAGE,
        "indikator": "TEXT",
        "hasil": "TEXT",
        "bukti": "TEXT",
        "bidang_kurang": "TEXT",
    },
    PACKAGES_TABLE: {
        **PACKAGE,
        "metode_pengadaan": "TEXT",
        "hps_rp": "INTEGER",
        "pagu_rp": "INTEGER",
        "nilai_kontrak_rp": "INTEGER",
        "nilai_kontrak_wajar_rp": "INTEGER",
        "jumlah_ditandai": "INTEGER",
        "jumlah_mungkin": "INTEGER",
        "jumlah_tidak_dapat_dinilai": "INTEGER",
        "tanda_bahaya": "TEXT",
        "mungkin_tanda_bahaya": "TEXT",
        "catatan": "TEXT",
    },
    AGENCY_TABLE: {
        "sumber_tabel": "TEXT",
        "kode_wilayah": "TEXT",
        "unit": "TEXT",
        "tahun_anggaran": "INTEGER",
        "indikator": "TEXT",
        "jumlah_paket": "INTEGER",
        "jumlah_dinilai": "INTEGER",
        "jumlah_ditandai": "INTEGER",
        "jumlah_mungkin": "INTEGER",
        "nilai_kontrak_ditandai_rp": "INTEGER",
        "nilai": "REAL",
        "hasil": "TEXT",
        "bidang_kurang": "TEXT",
    },
    SUPPLIER_TABLE: {
        "kode_wilayah": "TEXT",
        "pemenang": "TEXT",
        "jumlah_paket": "INTEGER",
        "nilai_kontrak_rp": "INTEGER",
        "jumlah_ditandai": "INTEGER",
        "jumlah_mungkin": "INTEGER",
    },
    COVERAGE_TABLE: {
        "indikator": "TEXT",
        "judul": "TEXT",
        "judul_en": "TEXT",
        "penjelasan": "TEXT",
        "penjelasan_en": "TEXT",
        "sumber_tabel": "TEXT",
        "bidang": "TEXT",
        "ambang": "TEXT",
        "kode_ocp": "TEXT",
        "catatan_ocp": "TEXT",
        "indikator_icw": "TEXT",
        "jumlah_paket": "INTEGER",
        "jumlah_dinilai": "INTEGER",
        "jumlah_ditandai": "INTEGER",
        "jumlah_mungkin": "INTEGER",
        "jumlah_tidak_dapat_dinilai": "INTEGER",
        "cakupan_pct": "REAL",
        "bidang_kurang": "TEXT",
    },
}
SCHEMAS[LINK_TABLE] = LINK_SCHEMA
PRIMARY_KEYS = {
    FLAGS_TABLE: ["sumber_tabel", "kode_wilayah", "kode_paket", "indikator"],
    PACKAGES_TABLE: ["sumber_tabel", "kode_wilayah", "kode_paket"],
    COVERAGE_TABLE: ["indikator"],
}
INDEXED = {
    FLAGS_TABLE: ["indikator", "hasil", "tahun_anggaran", "sumber_tabel"],
    PACKAGES_TABLE: ["jumlah_ditandai", "tahun_anggaran", "sumber_tabel"],
    AGENCY_TABLE: ["indikator", "hasil", "tahun_anggaran"],
    LINK_TABLE: ["status", "tahun_anggaran", "kode_tender"],
}
ARROW = {"TEXT": pa.string(), "INTEGER": pa.int64(), "REAL": pa.float64()}


def coverage(
    flags: pd.DataFrame, groups: pd.DataFrame, indicators: list[Indicator]
) -> pd.DataFrame:
    """One row per indicator: what it is and how much of the data it could assess."""
    rows = []
    for indicator in indicators:
        mine = groups if indicator.group else flags
        mine = mine[mine["indikator"] == indicator.id]
        counts = mine["hasil"].value_counts()
        total = len(mine)
        assessed = total - int(counts.get(NOT_ASSESSED, 0))
        gaps = mine["bidang_kurang"].dropna()
        rows.append(
            {
                "indikator": indicator.id,
                "judul": indicator.title["id"],
                "judul_en": indicator.title["en"],
                "penjelasan": indicator.explanation["id"],
                "penjelasan_en": indicator.explanation["en"],
                "sumber_tabel": indicator.table or AGENCY_TABLE,
                "bidang": ", ".join([*indicator.needs, *indicator.reads]),
                "ambang": json.dumps(indicator.thresholds, ensure_ascii=False, sort_keys=True),
                "kode_ocp": indicator.ocp,
                "catatan_ocp": indicator.ocp_note,
                "indikator_icw": indicator.icw,
                "jumlah_paket": total,
                "jumlah_dinilai": assessed,
                "jumlah_ditandai": int(counts.get(FLAGGED, 0)),
                "jumlah_mungkin": int(counts.get(POSSIBLY, 0)),
                "jumlah_tidak_dapat_dinilai": int(counts.get(NOT_ASSESSED, 0)),
                "cakupan_pct": round(100 * assessed / total, 2) if total else None,
                "bidang_kurang": ", ".join(sorted(set(",".join(gaps).split(",")) - {""})) or None,
            }
        )
    return pd.DataFrame(rows)


GROUP_METHODS = ("share_flagged", "supplier_concentration")


def check_methods(indicators: list[Indicator]) -> None:
    """Every indicator names a method this engine has, before anything is computed."""
    for indicator in indicators:
        known = GROUP_METHODS if indicator.group else tuple(sorted(METHODS))
        if indicator.method not in known:
            raise DescriptorError(
                f"metadata/{INDICATORS_FILE}",
                f"{indicator.id}.method",
                f"metode tidak dikenal / unknown method {indicator.method!r}; "
                f"dikenal / known: {', '.join(known)}",
            )


def compute(conn: sqlite3.Connection, indicators: list[Indicator]) -> dict[str, pd.DataFrame]:
    """Every red-flag table as a frame, or {} when no indicator's table is published."""
    flags = assess_all(conn, indicators)
    if flags.empty:
        return {}
    keys = {i.table: list(i.key) for i in indicators if i.table}
    package_rows = packages(flags, package_amounts(conn, flags, keys), indicators)
    rolled = agencies(flags, package_rows)
    groups = []
    for indicator in indicators:
        if indicator.method == "share_flagged":
            groups.append(share_flagged(rolled, indicator))
        elif indicator.method == "supplier_concentration":
            groups.append(supplier_concentration(rolled, package_rows, indicator))
    group_rows = pd.concat(groups, ignore_index=True) if groups else rolled.iloc[0:0]
    agency_rows = pd.concat([rolled, group_rows], ignore_index=True)
    agency_rows = agency_rows.sort_values(
        ["sumber_tabel", "kode_wilayah", "unit", "tahun_anggaran", "indikator"], kind="stable"
    )
    return {
        FLAGS_TABLE: flags,
        PACKAGES_TABLE: package_rows,
        AGENCY_TABLE: agency_rows,
        SUPPLIER_TABLE: supplier_rows(flags, package_rows),
        COVERAGE_TABLE: coverage(flags, group_rows, indicators),
    }


def _typed(frame: pd.DataFrame, schema: dict[str, str]) -> pd.DataFrame:
    frame = frame.reindex(columns=list(schema))
    for column, kind in schema.items():
        if kind == "INTEGER":
            frame[column] = pd.to_numeric(frame[column], errors="coerce").round().astype("Int64")
        elif kind == "REAL":
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        else:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def _records(frame: pd.DataFrame) -> list[tuple]:
    return [
        tuple(None if v is pd.NA or (isinstance(v, float) and v != v) else v for v in row)
        for row in frame.astype(object).itertuples(index=False, name=None)
    ]


def write_table(conn: sqlite3.Connection, name: str, frame: pd.DataFrame) -> pd.DataFrame:
    schema = SCHEMAS[name]
    frame = _typed(frame, schema)
    columns = ", ".join(f"[{c}] {t}" for c, t in schema.items())
    key = PRIMARY_KEYS.get(name)
    primary = f", PRIMARY KEY ({', '.join(f'[{c}]' for c in key)})" if key else ""
    conn.execute(f"DROP TABLE IF EXISTS [{name}]")
    conn.execute(f"CREATE TABLE [{name}] ({columns}{primary})")
    marks = ", ".join("?" for _ in schema)
    conn.executemany(f"INSERT INTO [{name}] VALUES ({marks})", _records(frame))
    for column in INDEXED.get(name, []):
        conn.execute(f"CREATE INDEX [idx_{name}_{column}] ON [{name}] ([{column}])")
    return frame


def write_downloads(frames: dict[str, pd.DataFrame], folder: Path) -> list[dict]:
    """CSV (UTF-8, empty for missing) and Parquet (types from SCHEMAS) of every table."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for name, frame in sorted(frames.items()):
        csv_path = folder / f"{name}.csv"
        with open(csv_path, "w", encoding="utf-8", newline="") as out:
            RowWriter(out).writerow(frame.columns)
            write_frame(frame, out)
        arrow_schema = pa.schema([(c, ARROW[t]) for c, t in SCHEMAS[name].items()])
        table = pa.Table.from_pandas(frame, schema=arrow_schema, preserve_index=False)
        pq.write_table(table, folder / f"{name}.parquet")
        files += [csv_path.name, f"{name}.parquet"]
    return files


def write_indicator_tables(
    conn: sqlite3.Connection, indicators: list[Indicator], downloads: Path
) -> dict:
    """Build every red-flag table into `conn` and its downloads under `downloads`/tanda-bahaya;
    the manifest entry (rows per table, files), or {} when there was nothing to assess."""
    check_methods(indicators)
    for name in SCHEMAS:
        conn.execute(f"DROP TABLE IF EXISTS [{name}]")
    frames = compute(conn, indicators)
    if not frames:
        return {}
    frames.update(write_money_trail(conn))
    typed = {name: write_table(conn, name, frame) for name, frame in frames.items()}
    conn.commit()
    files = write_downloads(typed, downloads / FLAG_DATASET)
    views = [
        v
        for (v,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")
        if v in (BUDGET_VIEW, METHOD_VIEW)
    ]
    return {
        "tables": {name: len(frame) for name, frame in sorted(typed.items())},
        "views": sorted(views),
        "downloads": [f"downloads/{FLAG_DATASET}/{f}" for f in files],
    }
