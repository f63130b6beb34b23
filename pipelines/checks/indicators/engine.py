"""Runs every declared indicator over the loaded tables: one result per package and indicator.

Nothing is guessed. A table that was not published is skipped (its indicators say so in the
coverage table); a column the table does not have makes every row "cannot be assessed" naming
the column; a row with an empty needed value is "cannot be assessed" naming that field. Only the
remaining rows reach the method (methods.py), which decides flagged / possibly / not flagged.
"""

from __future__ import annotations

import json
import sqlite3

import pandas as pd

from ...core.indicators import NOT_ASSESSED, Indicator
from .methods import METHODS

# Columns every result row carries from its package, where the table has them.
CONTEXT = ("kode_wilayah", "tahun_anggaran", "instansi", "satker", "nama_paket")
# The columns naming a package in every red-flag table, with their SQLite types.
PACKAGE = {
    "sumber_tabel": "TEXT",
    "kode_wilayah": "TEXT",
    "kode_paket": "TEXT",
    "tahun_anggaran": "INTEGER",
    "instansi": "TEXT",
    "satker": "TEXT",
    "nama_paket": "TEXT",
}
FLAG_COLUMNS = [*PACKAGE, "indikator", "hasil", "bukti", "bidang_kurang"]


def table_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")]


def read_table(conn: sqlite3.Connection, table: str, columns: list[str]) -> pd.DataFrame:
    """The columns asked for, in primary-key order (rowid order for a table without one)."""
    names = ", ".join(f"[{c}]" for c in columns)
    return pd.read_sql_query(f"SELECT {names} FROM [{table}] ORDER BY rowid", conn)


def _evidence_json(evidence: pd.DataFrame) -> list[str]:
    """One JSON object per row, keys sorted, empty values left out (deterministic bytes).

    Whole-number floats (a ceiling read as float) are written as integers. One `to_json` call
    for the whole frame; the empty values are then cut from each line's text."""
    frame = evidence[sorted(evidence.columns)].copy()
    for column in frame.columns:
        values = frame[column]
        if values.dtype.kind == "f" and ((values % 1 == 0) | values.isna()).all():
            frame[column] = values.astype("Int64")
    lines = frame.to_json(orient="records", lines=True, force_ascii=False).splitlines()
    return [_drop_nulls(line) for line in lines]


def _drop_nulls(line: str) -> str:
    return json.dumps(
        {k: v for k, v in json.loads(line).items() if v is not None},
        ensure_ascii=False,
        separators=(", ", ": "),
    )


def assess(conn: sqlite3.Connection, indicator: Indicator) -> pd.DataFrame | None:
    """The results of one package indicator, or None when its table was not published."""
    if indicator.table is None or indicator.group:
        return None
    present = table_columns(conn, indicator.table)
    if not present:
        return None
    wanted = [*indicator.key, *CONTEXT, *indicator.needs, *indicator.reads]
    if indicator.method == "repeated_tender":
        wanted.append("label_paket")
    columns = list(dict.fromkeys(c for c in wanted if c in present))
    rows = read_table(conn, indicator.table, columns)
    absent = [c for c in (*indicator.needs, *indicator.reads) if c not in present]
    missing = pd.Series("", index=rows.index, dtype=object)
    for name in indicator.needs:
        empty = rows[name].isna() if name in rows else pd.Series(True, index=rows.index)
        missing = missing.where(~empty, missing + "," + name)
    if absent:  # a column the source does not have: no row can be assessed
        missing = pd.Series(",".join([""] + absent), index=rows.index, dtype=object)
    missing = missing.str.lstrip(",")
    result = pd.Series(NOT_ASSESSED, index=rows.index, dtype=object)
    evidence = pd.Series("{}", index=rows.index, dtype=object)
    ready = missing == ""
    if ready.any():
        decided, found = METHODS[indicator.method](rows[ready], indicator.thresholds)
        result[ready] = decided
        evidence[ready] = _evidence_json(found)
        undecided = decided == NOT_ASSESSED  # the method lacked a rule (e.g. no ceiling that year)
        if undecided.any():
            gaps = found[undecided].isna()
            missing[undecided[undecided].index] = gaps.apply(lambda r: ",".join(r.index[r]), axis=1)
    key = rows[indicator.key[-1]].astype(str)
    out = pd.DataFrame(
        {
            "sumber_tabel": indicator.table,
            "kode_wilayah": rows.get("kode_wilayah"),
            "kode_paket": key,
            "tahun_anggaran": rows.get("tahun_anggaran"),
            "instansi": rows.get("instansi"),
            "satker": rows.get("satker"),
            "nama_paket": rows.get("nama_paket"),
            "indikator": indicator.id,
            "hasil": result,
            "bukti": evidence,
            "bidang_kurang": missing.replace("", None),
        }
    )
    return out[FLAG_COLUMNS]


def assess_all(conn: sqlite3.Connection, indicators: list[Indicator]) -> pd.DataFrame:
    """Every package indicator's results, ordered by table, region, package and indicator."""
    parts = [assess(conn, i) for i in indicators]
    parts = [p for p in parts if p is not None and len(p)]
    if not parts:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    order = {i.id: n for n, i in enumerate(indicators)}
    flags = pd.concat(parts, ignore_index=True)
    flags["_order"] = flags["indikator"].map(order)
    flags = flags.sort_values(
        ["sumber_tabel", "kode_wilayah", "kode_paket", "_order"], kind="stable"
    )
    return flags.drop(columns="_order").reset_index(drop=True)
