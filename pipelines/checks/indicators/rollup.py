"""Roll-ups of the red-flag results: per package (flag counts beside the package's amounts), per
agency or spending unit and year (counts per indicator, plus the group indicators: share of
non-competitive methods, supplier concentration), and per supplier where winners are known.

Contract values an indicator calls implausible (a likely data error, e.g. 896 times the
estimate) are kept out of every total here and counted instead, with a note; the tender table
itself still publishes them as the source gives them.
"""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd

from ...core.indicators import FLAGGED, NOT_ASSESSED, NOT_FLAGGED, POSSIBLY, Indicator
from .engine import PACKAGE, read_table, table_columns

AMOUNTS = ("hps_rp", "pagu_rp", "nilai_kontrak_rp", "metode_pengadaan", "pemenang")
EXCLUDED_NOTE = (
    "Nilai kontrak tidak wajar (kemungkinan salah data), dikeluarkan dari jumlah / implausible "
    "contract value (likely data error), kept out of totals"
)


def implausible_ids(indicators: list[Indicator]) -> set[str]:
    return {i.id for i in indicators if i.method == "implausible_contract_value"}


def _unit(frame: pd.DataFrame) -> pd.Series:
    """The buyer a package is counted under: its spending unit where the table names one,
    otherwise its agency."""
    return frame["satker"].where(frame["satker"].notna(), frame["instansi"])


def package_amounts(conn: sqlite3.Connection, flags: pd.DataFrame, keys: dict) -> pd.DataFrame:
    """Amounts and method of every assessed package, keyed like the flags."""
    parts = []
    for table in sorted(flags["sumber_tabel"].unique()):
        present = table_columns(conn, table)
        key = keys[table]
        columns = [c for c in dict.fromkeys([*key, *AMOUNTS]) if c in present]
        rows = read_table(conn, table, columns)
        rows["sumber_tabel"] = table
        rows["kode_paket"] = rows[key[-1]].astype(str)
        if "kode_wilayah" not in rows:
            rows["kode_wilayah"] = None
        parts.append(rows.drop(columns=[c for c in key if c not in ("kode_wilayah",)]))
    frame = pd.concat(parts, ignore_index=True)
    for column in AMOUNTS:
        if column not in frame:
            frame[column] = None
    return frame


def packages(
    flags: pd.DataFrame, amounts: pd.DataFrame, indicators: list[Indicator]
) -> pd.DataFrame:
    """One row per assessed package: counts per result, the flagged indicator ids (a JSON array,
    faceted), and the contract value that totals may use."""
    keys = [flags["sumber_tabel"], flags["kode_wilayah"].fillna(""), flags["kode_paket"]]
    counts = (
        flags.groupby([*keys, flags["hasil"]])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=[FLAGGED, POSSIBLY, NOT_ASSESSED], fill_value=0)
    )
    counts.columns = ["jumlah_ditandai", "jumlah_mungkin", "jumlah_tidak_dapat_dinilai"]
    counts = counts.reset_index().rename(columns={"kode_wilayah": "_wilayah"})
    first = flags.drop_duplicates(["sumber_tabel", "kode_wilayah", "kode_paket"])
    base = first[list(PACKAGE)].copy()
    base["_wilayah"] = base["kode_wilayah"].fillna("")
    out = base.merge(counts, on=["sumber_tabel", "_wilayah", "kode_paket"], how="left")

    def listed(result: str) -> pd.Series:
        chosen = flags[flags["hasil"] == result]
        # A JSON array per package, built by one string sum per group (ids need no escaping).
        quoted = '"' + chosen["indikator"] + '", '
        joined = quoted.groupby(
            [chosen["sumber_tabel"], chosen["kode_wilayah"].fillna(""), chosen["kode_paket"]]
        ).sum()
        lists = "[" + joined.str[:-2] + "]"
        return lists.rename_axis(["sumber_tabel", "_wilayah", "kode_paket"])

    for name, result in (("tanda_bahaya", FLAGGED), ("mungkin_tanda_bahaya", POSSIBLY)):
        out = out.merge(listed(result).rename(name).reset_index(), how="left")
        out[name] = out[name].fillna("[]")
    amounts = amounts.assign(_wilayah=amounts["kode_wilayah"].fillna("")).drop(
        columns="kode_wilayah"
    )
    out = out.merge(amounts, on=["sumber_tabel", "_wilayah", "kode_paket"], how="left")
    bad = flags[
        (flags["indikator"].isin(implausible_ids(indicators))) & (flags["hasil"] == FLAGGED)
    ]
    bad_keys = pd.MultiIndex.from_arrays(
        [bad["sumber_tabel"], bad["kode_wilayah"].fillna(""), bad["kode_paket"]]
    )
    excluded = pd.MultiIndex.from_arrays(
        [out["sumber_tabel"], out["_wilayah"], out["kode_paket"]]
    ).isin(bad_keys)
    out["nilai_kontrak_wajar_rp"] = out["nilai_kontrak_rp"].where(~excluded)
    out["catatan"] = np.where(excluded, EXCLUDED_NOTE, None)
    return out.drop(columns="_wilayah")


def agencies(flags: pd.DataFrame, package_rows: pd.DataFrame) -> pd.DataFrame:
    """Per table, region, buyer, year and indicator: packages, assessed, flagged, possibly, and
    the (plausible) contract value of the flagged packages."""
    frame = flags.assign(unit=_unit(flags))
    values = package_rows[["sumber_tabel", "kode_wilayah", "kode_paket", "nilai_kontrak_wajar_rp"]]
    frame = frame.merge(values, on=["sumber_tabel", "kode_wilayah", "kode_paket"], how="left")
    frame["dinilai"] = frame["hasil"] != NOT_ASSESSED
    frame["ditandai"] = frame["hasil"] == FLAGGED
    frame["mungkin"] = frame["hasil"] == POSSIBLY
    frame["nilai_ditandai"] = frame["nilai_kontrak_wajar_rp"].where(frame["ditandai"])
    keys = ["sumber_tabel", "kode_wilayah", "unit", "tahun_anggaran", "indikator"]
    grouped = frame.groupby(keys, dropna=False, sort=True).agg(
        jumlah_paket=("kode_paket", "size"),
        jumlah_dinilai=("dinilai", "sum"),
        jumlah_ditandai=("ditandai", "sum"),
        jumlah_mungkin=("mungkin", "sum"),
        nilai_kontrak_ditandai_rp=("nilai_ditandai", lambda s: s.sum(min_count=1)),
    )
    return grouped.reset_index()


def share_flagged(rolled: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """A group indicator over a package indicator: the flagged share of assessed packages."""
    rows = rolled[rolled["indikator"] == indicator.of].copy()
    share = 100 * rows["jumlah_ditandai"] / rows["jumlah_dinilai"].replace(0, np.nan)
    rows["nilai"] = share.round(2)
    limit = float(indicator.thresholds["bagian_pct"])
    rows["hasil"] = np.where(
        rows["jumlah_dinilai"] == 0, NOT_ASSESSED, np.where(share >= limit, FLAGGED, NOT_FLAGGED)
    )
    rows["bidang_kurang"] = np.where(rows["jumlah_dinilai"] == 0, ",".join(indicator.needs), None)
    rows["indikator"] = indicator.id
    return rows


def supplier_concentration(
    rolled: pd.DataFrame, package_rows: pd.DataFrame, indicator: Indicator
) -> pd.DataFrame:
    """HHI of winners' shares of (plausible) contract value per buyer and year; where no table
    names winners, one "cannot be assessed" row per buyer and year naming the missing field."""
    groups = (
        rolled[["sumber_tabel", "kode_wilayah", "unit", "tahun_anggaran"]]
        .drop_duplicates()
        .reset_index(drop=True)
    )
    won = package_rows.assign(unit=_unit(package_rows))
    won = won[won["pemenang"].notna() & won["nilai_kontrak_wajar_rp"].notna()]
    keys = ["sumber_tabel", "kode_wilayah", "unit", "tahun_anggaran"]
    if len(won):
        per_winner = won.groupby([*keys, "pemenang"], dropna=False)["nilai_kontrak_wajar_rp"].sum()
        shares = per_winner / per_winner.groupby(level=list(range(4)), dropna=False).transform(
            "sum"
        )
        hhi = (10_000 * shares.pow(2)).groupby(level=list(range(4)), dropna=False).sum().round(1)
        groups = groups.merge(hhi.rename("nilai").reset_index(), on=keys, how="left")
    else:
        groups["nilai"] = np.nan
    limit = float(indicator.thresholds["hhi_min"])
    assessed = groups["nilai"].notna()
    groups["hasil"] = np.where(
        ~assessed, NOT_ASSESSED, np.where(groups["nilai"] >= limit, FLAGGED, NOT_FLAGGED)
    )
    groups["bidang_kurang"] = np.where(assessed, None, ",".join(indicator.needs))
    groups["indikator"] = indicator.id
    return groups


def suppliers(flags: pd.DataFrame, package_rows: pd.DataFrame) -> pd.DataFrame:
    """Per region and winner: packages won, their plausible contract value, and flags raised."""
    won = package_rows[package_rows["pemenang"].notna()]
    columns = [
        "kode_wilayah",
        "pemenang",
        "jumlah_paket",
        "nilai_kontrak_rp",
        "jumlah_ditandai",
        "jumlah_mungkin",
    ]
    if won.empty:
        return pd.DataFrame(columns=columns)
    grouped = won.groupby(["kode_wilayah", "pemenang"], sort=True).agg(
        jumlah_paket=("kode_paket", "size"),
        nilai_kontrak_rp=("nilai_kontrak_wajar_rp", lambda s: s.sum(min_count=1)),
        jumlah_ditandai=("jumlah_ditandai", "sum"),
        jumlah_mungkin=("jumlah_mungkin", "sum"),
    )
    return grouped.reset_index()[columns]
