"""The methods of the red-flag indicators, one vectorised function each, registered by the name
metadata/indicators.yaml gives in `method`.

A method receives the rows of its table that have every field the indicator needs (the engine
has already set the others aside as "cannot be assessed") and the indicator's thresholds, and
returns one result word per row plus the evidence: the values it compared, one dict per row.

Amounts rounded by the source are compared as bands. SPSE shows the estimate (HPS) with at most
one decimal of "Jt" or "M" ("694,4 Jt", "1,2 M"; it drops ",0"), so `hps_presisi_rp` is 100.000
or 100.000.000 and the true estimate lies in [hps - presisi/2, hps + presisi/2): a contract of
1,24 M against "1,2 M" may or may not be above it, one of 1,25 M is above it for certain.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ...core.indicators import FLAGGED, NOT_ASSESSED, NOT_FLAGGED, POSSIBLY

Method = Callable[[pd.DataFrame, dict], tuple[pd.Series, pd.DataFrame]]
METHODS: dict[str, Method] = {}


def method(name: str) -> Callable[[Method], Method]:
    def register(function: Method) -> Method:
        METHODS[name] = function
        return function

    return register


def _results(index: pd.Index, flagged, possibly=None) -> pd.Series:
    out = pd.Series(NOT_FLAGGED, index=index, dtype=object)
    if possibly is not None:
        out[np.asarray(possibly, dtype=bool)] = POSSIBLY
    out[np.asarray(flagged, dtype=bool)] = FLAGGED
    return out


def estimate_band(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(lower, upper, rounded) bounds of the true estimate; lower == upper where it is exact.

    >>> estimate_band(pd.DataFrame({"hps_rp": [1_200_000_000], "hps_presisi_rp": [100_000_000]}))
    ... # lower 1.150.000.000, upper 1.250.000.000, rounded True  # doctest: +SKIP
    """
    hps = rows["hps_rp"].astype("float64")
    step = pd.to_numeric(rows.get("hps_presisi_rp"), errors="coerce")
    if step is None or not isinstance(step, pd.Series):
        step = pd.Series(np.nan, index=rows.index)
    rounded = step.notna() & (step > 0)
    half = step.where(rounded, 0.0) / 2
    return (hps - half).clip(lower=0), hps + half, rounded


def _contract_evidence(rows: pd.DataFrame, lower, upper) -> pd.DataFrame:
    contract = rows["nilai_kontrak_rp"].astype("float64")
    ratio = (contract / rows["hps_rp"].astype("float64").replace(0, np.nan)).round(4)
    return pd.DataFrame(
        {
            "nilai_kontrak_rp": rows["nilai_kontrak_rp"].astype("int64"),
            "hps_rp": rows["hps_rp"].astype("int64"),
            "hps_batas_bawah_rp": lower.round().astype("int64"),
            "hps_batas_atas_rp": upper.round().astype("int64"),
            "rasio_kontrak_hps": ratio,
        },
        index=rows.index,
    )


@method("contract_above_estimate")
def contract_above_estimate(rows: pd.DataFrame, thresholds: dict):
    """Certain where the contract reaches the band's upper end (or exceeds an exact estimate);
    possible where it lies strictly inside the band."""
    lower, upper, rounded = estimate_band(rows)
    contract = rows["nilai_kontrak_rp"].astype("float64")
    certain = np.where(rounded, contract >= upper, contract > upper)
    possible = rounded & (contract > lower) & (contract < upper)
    return _results(rows.index, certain, possible), _contract_evidence(rows, lower, upper)


@method("implausible_contract_value")
def implausible_contract_value(rows: pd.DataFrame, thresholds: dict):
    """`rasio_atas` times the band's upper end or more, or `rasio_bawah` times its lower end or
    less: wrong whatever the true estimate in the band."""
    lower, upper, _ = estimate_band(rows)
    contract = rows["nilai_kontrak_rp"].astype("float64")
    too_high = contract >= float(thresholds["rasio_atas"]) * upper
    too_low = contract <= float(thresholds["rasio_bawah"]) * lower
    return _results(rows.index, too_high | too_low), _contract_evidence(rows, lower, upper)


@method("contract_just_below_estimate")
def contract_just_below_estimate(rows: pd.DataFrame, thresholds: dict):
    """At most `selisih_pct` below the estimate and not above it: certain when that holds for
    every estimate in the band, possible when it holds for some."""
    lower, upper, rounded = estimate_band(rows)
    factor = 1 - float(thresholds["selisih_pct"]) / 100
    contract = rows["nilai_kontrak_rp"].astype("float64")
    exact = (contract <= upper) & (contract >= factor * upper)
    certain = np.where(rounded, (contract <= lower) & (contract >= factor * upper), exact)
    possible = rounded & (contract < upper) & (contract >= factor * lower)
    return _results(rows.index, certain, possible), _contract_evidence(rows, lower, upper)


@method("single_bidder")
def single_bidder(rows: pd.DataFrame, thresholds: dict):
    bidders = pd.to_numeric(rows["jumlah_peserta"], errors="coerce")
    flagged = bidders <= int(thresholds["peserta_maks"])
    return _results(rows.index, flagged), pd.DataFrame({"jumlah_peserta": bidders})


@method("repeated_tender")
def repeated_tender(rows: pd.DataFrame, thresholds: dict):
    repeated = rows["ulang"].astype("int64") == 1
    evidence = {"ulang": rows["ulang"].astype("int64")}
    if "label_paket" in rows:
        evidence["label_paket"] = rows["label_paket"]
    return _results(rows.index, repeated), pd.DataFrame(evidence)


@method("non_competitive_method")
def non_competitive_method(rows: pd.DataFrame, thresholds: dict):
    methods = {str(m).strip().casefold() for m in thresholds["metode"]}
    used = rows["metode_pengadaan"].astype(str).str.strip().str.casefold()
    evidence = pd.DataFrame({"metode_pengadaan": rows["metode_pengadaan"]})
    return _results(rows.index, used.isin(methods)), evidence


@method("fourth_quarter")
def fourth_quarter(rows: pd.DataFrame, thresholds: dict):
    """The first needed column is the date; in the fiscal year's last quarter when the table
    has `tahun_anggaran` (a plan dated in December of the year before is not a year-end rush)."""
    column = next(c for c in rows.columns if c.startswith("tanggal"))
    dates = pd.to_datetime(rows[column], errors="coerce", format="%Y-%m-%d")
    late = dates.dt.month >= int(thresholds["bulan_mulai"])
    if "tahun_anggaran" in rows:
        late &= dates.dt.year == pd.to_numeric(rows["tahun_anggaran"], errors="coerce")
    return _results(rows.index, late.fillna(False)), pd.DataFrame({column: rows[column]})


def word_count(names: pd.Series) -> pd.Series:
    return names.astype(str).str.count(r"[^\W\d_][\w'-]*")


@method("short_name")
def short_name(rows: pd.DataFrame, thresholds: dict):
    words = word_count(rows["nama_paket"])
    evidence = pd.DataFrame({"nama_paket": rows["nama_paket"], "jumlah_kata": words})
    return _results(rows.index, words < int(thresholds["kata_min"])), evidence


def name_key(names: pd.Series, words: int) -> pd.Series:
    """The first `words` words, lower case, without digits and punctuation: "Belanja ATK
    Bidang 1" and "belanja atk bidang II" share "belanja atk bidang"."""
    cleaned = names.astype(str).str.lower().str.replace(r"[^a-z\s]", " ", regex=True)
    return cleaned.str.split().str[:words].str.join(" ")


def direct_procurement_ceiling(rows: pd.DataFrame, rules: list[dict]) -> pd.Series:
    """The Pengadaan Langsung ceiling for each row's year and procurement type (NaN: no rule)."""
    ceiling = pd.Series(np.nan, index=rows.index)
    year = pd.to_numeric(rows["tahun_anggaran"], errors="coerce")
    consultancy = rows["jenis_pengadaan"].astype(str).str.contains("konsultansi", case=False)
    for rule in rules:
        within = year.between(rule["dari_tahun"], rule["sampai_tahun"])
        value = np.where(consultancy, rule["jasa_konsultansi"], rule["lainnya"])
        ceiling = ceiling.where(~within, pd.Series(value, index=rows.index, dtype="float64"))
    return ceiling


@method("split_purchases")
def split_purchases(rows: pd.DataFrame, thresholds: dict):
    """Flag every package of a group (region, year, spending unit, type, name key) in which at
    least `paket_min` packages have a ceiling in [batas_bawah_pct% of the limit, the limit]."""
    ceiling = direct_procurement_ceiling(rows, thresholds["batas_pengadaan_langsung"])
    pagu = rows["pagu_rp"].astype("float64")
    near = (pagu <= ceiling) & (pagu >= ceiling * float(thresholds["batas_bawah_pct"]) / 100)
    key = name_key(rows["nama_paket"], int(thresholds["kata_nama"]))
    group_cols = [c for c in ("kode_wilayah", "tahun_anggaran", "satker", "jenis_pengadaan")]
    groups = [rows[c] for c in group_cols if c in rows] + [key]
    in_group = near.astype("int64").groupby(groups).transform("sum")
    flagged = near & (in_group >= int(thresholds["paket_min"]))
    evidence = pd.DataFrame(
        {
            "pagu_rp": rows["pagu_rp"].astype("int64"),
            "batas_pengadaan_langsung_rp": ceiling,
            "awal_nama": key,
            "paket_serupa_dekat_batas": in_group.where(near, 0).astype("int64"),
        }
    )
    result = _results(rows.index, flagged)
    result[ceiling.isna()] = NOT_ASSESSED
    return result, evidence
