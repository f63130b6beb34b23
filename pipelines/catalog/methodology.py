"""The red-flag methodology page of the static site, in both languages: what each indicator
means, its thresholds and references, how much of the data it could assess, and where to look
first (the packages and buyers with the most flags, the implausible values kept out of totals).

Every figure comes from the red-flag tables the build wrote (core/indicators.py names them), so
the page describes the data published beside it.
"""

from __future__ import annotations

import json
import sqlite3

from ..core.indicators import (
    AGENCY_TABLE,
    COVERAGE_TABLE,
    FLAG_DATASET,
    FLAGGED,
    INDICATOR_TABLE_TEXT,
    LINK_TABLE,
    PACKAGES_TABLE,
    RESULT_TITLES,
    SUPPLIER_TABLE,
)
from ..core.manifest import Manifest
from ..core.model import SAMPLE_LABEL

TOP = 15


def _rows(db: sqlite3.Connection, sql: str, json_column: str | None = None) -> list[dict]:
    """Rows as dicts; `json_column` (JSON text in the table) is decoded."""
    cursor = db.execute(sql)
    names = [c[0] for c in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows if json_column else []:
        row[json_column] = json.loads(row[json_column])
    return rows


def methodology_view(db: sqlite3.Connection, manifest: Manifest) -> dict:
    """Everything the page shows, read from the release database."""
    indicators = _rows(db, f"SELECT * FROM [{COVERAGE_TABLE}] ORDER BY rowid", "ambang")
    top_packages = _rows(
        db,
        f"SELECT sumber_tabel, kode_wilayah, kode_paket, nama_paket, instansi, satker, "
        f"tahun_anggaran, jumlah_ditandai, jumlah_mungkin, tanda_bahaya "
        f"FROM [{PACKAGES_TABLE}] WHERE jumlah_ditandai > 0 "
        f"ORDER BY jumlah_ditandai DESC, jumlah_mungkin DESC, sumber_tabel, kode_paket "
        f"LIMIT {TOP}",
        "tanda_bahaya",
    )
    top_units = _rows(
        db,
        f"SELECT sumber_tabel, kode_wilayah, unit, sum(jumlah_ditandai) AS ditandai, "
        f"sum(jumlah_paket) AS paket FROM [{AGENCY_TABLE}] "
        f"WHERE hasil IS NULL GROUP BY sumber_tabel, kode_wilayah, unit "
        f"HAVING ditandai > 0 ORDER BY ditandai DESC, unit LIMIT {TOP}",
    )
    excluded = _rows(
        db,
        f"SELECT sumber_tabel, kode_wilayah, kode_paket, nama_paket, hps_rp, nilai_kontrak_rp "
        f"FROM [{PACKAGES_TABLE}] WHERE catatan IS NOT NULL ORDER BY kode_wilayah, kode_paket",
    )
    suppliers = db.execute(f"SELECT count(*) FROM [{SUPPLIER_TABLE}]").fetchone()[0]
    entry = manifest.indicators
    present = {*entry.get("tables", {}), *entry.get("views", [])}
    links = []
    if LINK_TABLE in present:
        links = _rows(
            db,
            f"SELECT kode_wilayah, tahun_anggaran, status, count(*) AS jumlah "
            f"FROM [{LINK_TABLE}] GROUP BY kode_wilayah, tahun_anggaran, status "
            f"ORDER BY kode_wilayah, tahun_anggaran, status",
        )
    downloads = sorted(entry["downloads"])
    return {
        "indicators": indicators,
        "top_packages": top_packages,
        "top_units": top_units,
        "excluded": excluded,
        "suppliers": suppliers,
        "results": RESULT_TITLES,
        "flagged": FLAGGED,
        "tables": {k: v for k, v in INDICATOR_TABLE_TEXT.items() if k in present},
        "links": links,
        "link_table": LINK_TABLE,
        "downloads": downloads,
        "dataset": FLAG_DATASET,
        "sample": SAMPLE_LABEL.as_dict() if entry.get("sample") else None,
    }
