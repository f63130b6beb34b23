"""The money trail ("jejak uang"): budget to plan to tender to contract, built at build time from
the published tables, wherever they are present.

- `jejak_realisasi_apbd` (view): APBD budget, actual and realisation rate per region, year and
  account at every account level (DJPK), the rate computed from whole Rupiah.
- `jejak_metode_rencana_tender` (view): per region, year and method, the SiRUP planned packages
  and ceiling beside the SPSE tendered packages and estimate. SiRUP writes methods as bare codes
  and SPSE as words, with no published table between them, so they stand side by side, not
  matched.
- `jejak_rencana_tender` (table): plans linked to tenders. SPSE's tender list carries no plan
  code, so the link is a documented rule, never a guess: same region, same fiscal year and the
  same package name once normalised (lower case, every run of characters other than a-z and 0-9
  made one space), where that name is unique among the year's plans and among its tenders. Every
  plan and every tender gets a row; the unlinked ones are counted, not hidden.
"""

from __future__ import annotations

import sqlite3

import pandas as pd

from ...core.indicators import BUDGET_VIEW, LINK_TABLE, METHOD_VIEW
from .engine import read_table, table_columns

LINKED, PLAN_ONLY, TENDER_ONLY, NO_PLANS = (
    "terhubung",
    "rencana_tanpa_tender",
    "tender_tanpa_rencana",
    "tahun_tanpa_data_rencana",
)
RULE = (
    "wilayah, tahun anggaran dan nama paket ternormalisasi sama, unik di kedua sisi / same "
    "region, fiscal year and normalised package name, unique on both sides"
)
LINK_SCHEMA = {
    "kode_wilayah": "TEXT",
    "tahun_anggaran": "INTEGER",
    "status": "TEXT",
    "kode_rup": "TEXT",
    "kode_tender": "TEXT",
    "nama_paket": "TEXT",
    "pagu_rp": "INTEGER",
    "hps_rp": "INTEGER",
    "nilai_kontrak_rp": "INTEGER",
    "aturan": "TEXT",
}

BUDGET_SQL = f"""CREATE VIEW [{BUDGET_VIEW}] AS
SELECT kode_wilayah, nama_wilayah, tahun, tingkat_akun, akun_induk, akun, anggaran_rp,
  realisasi_rp,
  CASE WHEN anggaran_rp != 0 THEN round(100.0 * realisasi_rp / anggaran_rp, 2) END
    AS realisasi_pct
FROM apbd_djpk"""

METHOD_SQL = f"""CREATE VIEW [{METHOD_VIEW}] AS
SELECT kode_wilayah, tahun_anggaran, 'rup_sirup' AS sumber_tabel,
  kode_metode_pengadaan AS metode, count(*) AS jumlah_paket, sum(pagu_rp) AS nilai_rp
FROM rup_sirup GROUP BY kode_wilayah, tahun_anggaran, kode_metode_pengadaan
UNION ALL
SELECT kode_wilayah, tahun_anggaran, 'tender_spse', metode_pengadaan, count(*), sum(hps_rp)
FROM tender_spse GROUP BY kode_wilayah, tahun_anggaran, metode_pengadaan"""


def normalised_name(names: pd.Series) -> pd.Series:
    """ "Pembangunan Trotoar Jl. Banceuy" -> "pembangunan trotoar jl banceuy"."""
    return names.str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()


def _unique(frame: pd.DataFrame, code: str) -> pd.DataFrame:
    keys = ["kode_wilayah", "tahun_anggaran", "_nama"]
    return frame[frame.groupby(keys)[code].transform("size") == 1]


def plan_tender_links(plans: pd.DataFrame, tenders: pd.DataFrame) -> pd.DataFrame:
    """One row per plan and per tender, linked by RULE where it allows."""
    plans = plans.assign(_nama=normalised_name(plans["nama_paket"]))
    tenders = tenders.assign(_nama=normalised_name(tenders["nama_paket"]))
    keys = ["kode_wilayah", "tahun_anggaran", "_nama"]
    pairs = _unique(plans, "kode_rup")[[*keys, "kode_rup"]].merge(
        _unique(tenders, "kode_tender")[[*keys, "kode_tender"]], on=keys
    )[["kode_rup", "kode_tender"]]
    rows = plans.merge(pairs, on="kode_rup", how="left")
    rows = rows.merge(
        tenders[["kode_tender", "hps_rp", "nilai_kontrak_rp"]], on="kode_tender", how="left"
    )
    rows["status"] = rows["kode_tender"].notna().map({True: LINKED, False: PLAN_ONLY})
    alone = tenders[~tenders["kode_tender"].isin(pairs["kode_tender"])].copy()
    planned_years = set(zip(plans["kode_wilayah"], plans["tahun_anggaran"], strict=True))
    has_plans = pd.Series(
        [
            (w, y) in planned_years
            for w, y in zip(alone["kode_wilayah"], alone["tahun_anggaran"], strict=True)
        ],
        index=alone.index,
        dtype=bool,
    )
    alone["status"] = has_plans.map({True: TENDER_ONLY, False: NO_PLANS})
    out = pd.concat([rows, alone], ignore_index=True)
    out["aturan"] = RULE
    out = out.sort_values(
        ["kode_wilayah", "tahun_anggaran", "status", "kode_rup", "kode_tender"],
        kind="stable",
        na_position="last",
    )
    return out.reindex(columns=list(LINK_SCHEMA)).reset_index(drop=True)


def write_money_trail(conn: sqlite3.Connection) -> dict[str, pd.DataFrame]:
    """The views and the link table, each only where its tables are published; the frames of
    the tables written (for the downloads)."""
    for view in (BUDGET_VIEW, METHOD_VIEW):
        conn.execute(f"DROP VIEW IF EXISTS [{view}]")
    has = {t: bool(table_columns(conn, t)) for t in ("apbd_djpk", "rup_sirup", "tender_spse")}
    if has["apbd_djpk"]:
        conn.execute(BUDGET_SQL)
    if has["rup_sirup"] and has["tender_spse"]:
        conn.execute(METHOD_SQL)
        plans = read_table(
            conn,
            "rup_sirup",
            ["kode_wilayah", "tahun_anggaran", "kode_rup", "nama_paket", "pagu_rp"],
        )
        tenders = read_table(
            conn,
            "tender_spse",
            [
                "kode_wilayah",
                "tahun_anggaran",
                "kode_tender",
                "nama_paket",
                "hps_rp",
                "nilai_kontrak_rp",
            ],
        )
        return {LINK_TABLE: plan_tender_links(plans, tenders)}
    return {}
