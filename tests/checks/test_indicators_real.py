"""The red flags on the real SPSE Kota Bandung snapshot (3,952 tenders, 181 with a contract),
against the contracts above HPS found here with a small parser of the raw DataTables JSON of our
own (not the project's readers): HPS "1,2 M" / "694,4 Jt" is known to one decimal of its unit, so
the true HPS lies in [shown - half a unit, shown + half a unit); a contract at or past the upper
end is above it for certain, one strictly inside the band possibly.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
from decimal import Decimal

import pytest
from conftest import REAL_CATALOG

SNAPSHOT = REAL_CATALOG / "tender-spse" / "source" / "spse_lpse_kota_bandung_dt_lelang.json.gz"
UNIT = {"Jt": Decimal(1_000_000), "M": Decimal(1_000_000_000)}


def raw_tenders() -> list[list]:
    return json.loads(gzip.decompress(SNAPSHOT.read_bytes()))["data"]


def hps_band(text: str) -> tuple[Decimal, Decimal]:
    """ "694,4 Jt" -> [694.350.000, 694.450.000); "1.000 Jt" -> [999.950.000, 1.000.050.000)."""
    number, unit = text.split()
    shown = Decimal(number.replace(".", "").replace(",", ".")) * UNIT[unit]
    half = UNIT[unit] / 20  # half of one decimal of the unit
    return max(shown - half, Decimal(0)), shown + half


def contract(text: str) -> Decimal | None:
    """ "Rp 470.701.000,00" -> 470701000; "Nilai Kontrak belum dibuat" -> None."""
    if not text.startswith("Rp"):
        return None
    return Decimal(text[3:].replace(".", "").replace(",", "."))


def expected_above() -> dict[str, str]:
    found = {}
    for row in raw_tenders():
        value = contract(row[10])
        if value is None:
            continue
        low, high = hps_band(row[4])
        if value >= high:
            found[row[0]] = "ditandai"
        elif low < value < high:
            found[row[0]] = "mungkin"
    return found


def flags(real, indicator: str) -> dict[str, str]:
    with sqlite3.connect(real.output / "jendela.db") as db:
        rows = db.execute(
            "SELECT kode_paket, hasil FROM tanda_bahaya WHERE sumber_tabel = 'tender_spse' "
            "AND indikator = ? AND hasil IN ('ditandai', 'mungkin')",
            (indicator,),
        ).fetchall()
    return dict(rows)


def test_contracts_above_hps_are_exactly_those_of_the_raw_file(real):
    expected = expected_above()
    assert flags(real, "kontrak_di_atas_hps") == expected
    assert sorted(k for k, v in expected.items() if v == "ditandai") == ["1033260", "158260"]
    assert sum(v == "mungkin" for v in expected.values()) == 10


def test_implausible_contract_values_are_reported_as_data_errors(real):
    implausible = {}
    for row in raw_tenders():
        value = contract(row[10])
        if value is not None:
            low, high = hps_band(row[4])
            if value >= 10 * high or value <= low / 10:
                implausible[row[0]] = "ditandai"
    assert flags(real, "nilai_kontrak_tidak_wajar") == implausible
    assert "1033260" in implausible  # Rp 622.277.806.000 against "694,4 Jt"
    with sqlite3.connect(real.output / "jendela.db") as db:
        kept_out = db.execute(
            "SELECT kode_paket FROM tanda_bahaya_paket WHERE sumber_tabel = 'tender_spse' "
            "AND nilai_kontrak_rp IS NOT NULL AND nilai_kontrak_wajar_rp IS NULL "
            "AND catatan LIKE '%likely data error%'"
        ).fetchall()
    assert {k for (k,) in kept_out} == set(implausible)


@pytest.mark.parametrize(
    ("indicator", "assessed"),
    [
        ("kontrak_di_atas_hps", "contracts"),
        ("tender_ulang", "all"),
        ("penawar_tunggal", "none"),
        ("kuartal_empat", "none"),
    ],
)
def test_coverage_says_how_many_tenders_could_be_assessed(real, indicator, assessed):
    rows = raw_tenders()
    with_contract = sum(contract(r[10]) is not None for r in rows)
    want = {"contracts": with_contract, "all": len(rows), "none": 0}[assessed]
    got = real.query(
        "SELECT jumlah_paket, jumlah_dinilai FROM tanda_bahaya_indikator WHERE indikator = ?",
        indicator,
    )
    assert got == [(len(rows), want)]


def test_repeated_tenders_are_the_labelled_ones(real):
    labelled = {r[0] for r in raw_tenders() if "Tender Ulang" in r[1] or "Seleksi Ulang" in r[1]}
    assert set(flags(real, "tender_ulang")) == labelled


def test_the_estimate_precision_is_one_decimal_of_the_unit_shown(real):
    """`hps_presisi_rp`, which the bands rest on: no raw HPS shows ",0", so "1 M" is known to
    0,1 M like "1,2 M"."""
    rows = raw_tenders()
    assert not any(r[4].split()[0].endswith(",0") for r in rows)
    expected = {r[0]: int(UNIT[r[4].split()[1]] / 10) for r in rows}
    got = dict(real.query("SELECT kode_tender, hps_presisi_rp FROM tender_spse"))
    assert got == expected
