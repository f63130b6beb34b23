"""Every red-flag indicator on tiny inline tables, against results worked out by hand here (the
comments give the arithmetic). The engine runs on an SQLite database shaped like the published
tables, with the definitions of metadata/indicators.yaml.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from conftest import ROOT

from pipelines.checks.indicators.tables import compute
from pipelines.core.indicators import load_indicators

F, M, N, X = "ditandai", "mungkin", "tidak_ditandai", "tidak_dapat_dinilai"
AGENCY = "Pemerintah Daerah Kota Contoh"

# kode, nama, ulang, metode, hps_rp, hps_presisi_rp, nilai_kontrak_rp, jumlah_peserta, pemenang
TENDERS = [
    # "1,2 M": the true HPS is in [1,15 M, 1,25 M); 1,25 M reaches the upper end: certainly above.
    (
        "t1",
        "Belanja Modal",
        0,
        "Penunjukan Langsung",
        1_200_000_000,
        100_000_000,
        1_250_000_000,
        1,
        "CV A",
    ),
    # One Rupiah below the upper end: above only if the HPS was under 1.249.999.999: possibly.
    # Within 1% below HPS: 0,99 x 1,15 M = 1.138.500.000 <= k < 1,25 M, so possibly too.
    (
        "t2",
        "Pengadaan Server Ruang Data",
        1,
        " lelang terbatas ",
        1_200_000_000,
        100_000_000,
        1_249_999_999,
        3,
        "CV A",
    ),
    # k = 1,15 M = the lower end: never above any HPS in the band; within 1% of some: possibly.
    ("t3", "Jasa 17.05", 0, "Tender", 1_200_000_000, 100_000_000, 1_150_000_000, None, "CV B"),
    # Exact HPS 500 Jt: 0,99 x 500 Jt = 495 Jt <= 496 Jt <= 500 Jt: within 1%, for certain.
    ("t4", "Pembangunan Jalan Lingkungan", 0, "Tender", 500_000_000, None, 496_000_000, 2, None),
    # Exact HPS: one Rupiah above is above.
    ("t5", "Pembangunan Jembatan Desa", 0, "Tender", 500_000_000, None, 500_000_001, 2, None),
    # "694,4 Jt" against Rp 622.277.806.000: >= 10 x 694.450.000, implausible (and above).
    (
        "t6",
        "Belanja Jasa Kebersihan Gedung",
        0,
        "Tender",
        694_400_000,
        100_000,
        622_277_806_000,
        2,
        "CV B",
    ),
    # "15,7 M" against 695,2 Jt: <= 0,1 x 15,65 M = 1,565 M: implausible (far below).
    (
        "t7",
        "Rehabilitasi Gedung Sekolah Dasar",
        0,
        "Tender",
        15_700_000_000,
        100_000_000,
        695_200_000,
        2,
        None,
    ),
    # No contract yet: the three contract indicators cannot be assessed.
    (
        "t8",
        "Pengadaan Mobil Ambulans Puskesmas",
        0,
        "Tender",
        325_000_000,
        1_000_000,
        None,
        4,
        None,
    ),
]
EXPECTED_TENDER = {
    # indicator: results of t1..t8
    "kontrak_di_atas_hps": [F, M, N, N, F, F, N, X],
    "nilai_kontrak_tidak_wajar": [N, N, N, N, N, F, F, X],
    "kontrak_mepet_hps": [N, M, M, F, N, N, N, X],
    "penawar_tunggal": [F, N, X, N, N, N, N, N],
    "tender_ulang": [N, F, N, N, N, N, N, N],
    "metode_tidak_kompetitif": [F, F, N, N, N, N, N, N],
    "kuartal_empat": [X] * 8,  # the table has no announcement date
    "nama_paket_pendek": [F, N, F, N, N, N, N, N],  # "Jasa 17.05": one word
}

# kode, satker, jenis, nama, tahun, pagu, tanggal_awal_pengadaan
PLANS = [
    # 2015: Pengadaan Langsung up to 200 Jt (50 Jt consultancy); 80% band = [160 Jt, 200 Jt].
    ("r1", "DINAS A", "Barang", "Belanja Cetak Spanduk 1", 2015, 190_000_000, "2015-10-01"),
    ("r2", "DINAS A", "Barang", "Belanja cetak spanduk II", 2015, 160_000_000, "2015-09-30"),
    ("r3", "DINAS A", "Barang", "Belanja Cetak Spanduk 3", 2015, 200_000_001, "2014-12-01"),
    ("r4", "DINAS B", "Barang", "Belanja Cetak Spanduk", 2015, 190_000_000, None),
    (
        "r5",
        "DINAS A",
        "Jasa Konsultansi",
        "Jasa Konsultansi Perencanaan Gedung",
        2015,
        45_000_000,
        "2015-11-02",
    ),
    (
        "r6",
        "DINAS A",
        "Jasa Konsultansi",
        "Jasa Konsultansi Perencanaan Taman",
        2015,
        41_000_000,
        "2015-03-02",
    ),
    # No ceiling is declared for 2010: cannot be assessed.
    ("r7", "DINAS A", "Barang", "Belanja Cetak Spanduk", 2010, 190_000_000, "2010-10-01"),
]
EXPECTED_PLAN = {
    "pemecahan_paket": [F, F, N, N, F, F, X],
    "kuartal_empat_rencana": [F, N, N, X, F, N, F],  # r3 is dated in the year before
    "nama_paket_pendek_rencana": [N, N, N, N, N, N, N],
}


def tender_db(columns: tuple[str, ...] = ("jumlah_peserta", "pemenang")) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    extra = "".join(f", {c} {'INTEGER' if c == 'jumlah_peserta' else 'TEXT'}" for c in columns)
    conn.execute(
        "CREATE TABLE tender_spse (kode_wilayah TEXT, kode_tender TEXT, nama_paket TEXT, "
        "label_paket TEXT, ulang INTEGER, instansi TEXT, metode_pengadaan TEXT, "
        "tahun_anggaran INTEGER, hps_rp INTEGER, hps_presisi_rp INTEGER, "
        f"nilai_kontrak_rp INTEGER{extra}, PRIMARY KEY (kode_wilayah, kode_tender))"
    )
    for code, name, repeated, method, hps, step, contract, bidders, winner in TENDERS:
        values = {"jumlah_peserta": bidders, "pemenang": winner}
        row = (
            "99.01",
            code,
            name,
            "Tender Ulang" if repeated else None,
            repeated,
            AGENCY,
            method,
            2020,
            hps,
            step,
            contract,
            *(values[c] for c in columns),
        )
        conn.execute(f"INSERT INTO tender_spse VALUES ({', '.join('?' * len(row))})", row)
    conn.execute(
        "CREATE TABLE rup_sirup (kode_wilayah TEXT, kode_rup TEXT PRIMARY KEY, nama_paket TEXT, "
        "tahun_anggaran INTEGER, pagu_rp INTEGER, jenis_pengadaan TEXT, "
        "tanggal_awal_pengadaan TEXT, instansi TEXT, satker TEXT)"
    )
    for code, unit, kind, name, year, pagu, date in PLANS:
        conn.execute(
            "INSERT INTO rup_sirup VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ("99.01", code, name, year, pagu, kind, date, AGENCY, unit),
        )
    return conn


@pytest.fixture(scope="module")
def tables():
    return compute(tender_db(), load_indicators())


def results(frame, table: str, indicator: str, codes: list[str]) -> list[str]:
    mine = frame[(frame["sumber_tabel"] == table) & (frame["indikator"] == indicator)]
    by_code = dict(zip(mine["kode_paket"], mine["hasil"], strict=True))
    return [by_code[c] for c in codes]


@pytest.mark.parametrize("indicator", sorted(EXPECTED_TENDER))
def test_tender_indicator_results_match_the_hand_computed_ones(tables, indicator):
    codes = [t[0] for t in TENDERS]
    got = results(tables["tanda_bahaya"], "tender_spse", indicator, codes)
    assert got == EXPECTED_TENDER[indicator]


@pytest.mark.parametrize("indicator", sorted(EXPECTED_PLAN))
def test_plan_indicator_results_match_the_hand_computed_ones(tables, indicator):
    codes = [p[0] for p in PLANS]
    assert (
        results(tables["tanda_bahaya"], "rup_sirup", indicator, codes) == EXPECTED_PLAN[indicator]
    )


def test_every_declared_package_indicator_is_exercised_here():
    declared = {i.id for i in load_indicators() if not i.group}
    assert declared == set(EXPECTED_TENDER) | set(EXPECTED_PLAN)


def test_evidence_gives_the_rounding_band_and_missing_fields_are_named(tables):
    flags = tables["tanda_bahaya"].set_index(["kode_paket", "indikator"])
    evidence = json.loads(flags.loc[("t2", "kontrak_di_atas_hps"), "bukti"])
    assert evidence == {
        "hps_batas_atas_rp": 1_250_000_000,
        "hps_batas_bawah_rp": 1_150_000_000,
        "hps_rp": 1_200_000_000,
        "nilai_kontrak_rp": 1_249_999_999,
        "rasio_kontrak_hps": 1.0417,  # 1.249.999.999 / 1.200.000.000
    }
    assert flags.loc[("t8", "kontrak_di_atas_hps"), "bidang_kurang"] == "nilai_kontrak_rp"
    assert flags.loc[("t3", "penawar_tunggal"), "bidang_kurang"] == "jumlah_peserta"
    assert flags.loc[("t1", "kuartal_empat"), "bidang_kurang"] == "tanggal_pengumuman"
    assert flags.loc[("r4", "kuartal_empat_rencana"), "bidang_kurang"] == "tanggal_awal_pengadaan"
    assert flags.loc[("r7", "pemecahan_paket"), "bidang_kurang"] == "batas_pengadaan_langsung_rp"
    split = json.loads(flags.loc[("r1", "pemecahan_paket"), "bukti"])
    assert split["awal_nama"] == "belanja cetak spanduk" and split["paket_serupa_dekat_batas"] == 2


def test_a_column_the_source_lacks_makes_the_indicator_not_assessable():
    frame = compute(tender_db(columns=()), load_indicators())["tanda_bahaya"]
    single = frame[frame["indikator"] == "penawar_tunggal"]
    assert set(single["hasil"]) == {X} and set(single["bidang_kurang"]) == {"jumlah_peserta"}


def test_implausible_values_are_kept_out_of_totals_with_a_note(tables):
    packages = tables["tanda_bahaya_paket"].set_index("kode_paket")
    assert packages.loc["t6", "nilai_kontrak_rp"] == 622_277_806_000
    assert packages.loc[["t6", "t7"], "nilai_kontrak_wajar_rp"].isna().all()
    assert packages.loc[["t6", "t7"], "catatan"].str.contains("likely data error").all()
    assert packages.loc["t5", "nilai_kontrak_wajar_rp"] == 500_000_001
    # t1 raises four flags for certain (above HPS, single bidder, method, short name).
    assert packages.loc["t1", "jumlah_ditandai"] == 4
    assert json.loads(packages.loc["t1", "tanda_bahaya"]) == [
        "kontrak_di_atas_hps",
        "penawar_tunggal",
        "metode_tidak_kompetitif",
        "nama_paket_pendek",
    ]
    # Flagged contract value above HPS per agency: t1 + t5; t6 (implausible) is left out.
    agency = tables["tanda_bahaya_instansi"]
    above = agency[(agency["indikator"] == "kontrak_di_atas_hps")].iloc[0]
    assert above["jumlah_ditandai"] == 3 and above["jumlah_mungkin"] == 1
    assert above["nilai_kontrak_ditandai_rp"] == 1_250_000_000 + 500_000_001


def test_group_indicators_share_of_methods_and_supplier_concentration(tables):
    agency = tables["tanda_bahaya_instansi"].set_index(["sumber_tabel", "indikator"])
    share = agency.loc[("tender_spse", "bagian_metode_tidak_kompetitif")]
    assert share["nilai"] == 25.0 and share["hasil"] == F  # 2 of 8 packages >= 10%
    hhi = agency.loc[("tender_spse", "konsentrasi_penyedia")]
    # Plausible contracts with a winner: CV A 1.250.000.000 + 1.249.999.999, CV B 1.150.000.000
    # (t6 is implausible, left out). Shares a = 2.499.999.999 / 3.649.999.999, b = the rest.
    a = 2_499_999_999 / 3_649_999_999
    assert hhi["nilai"] == round(10_000 * (a**2 + (1 - a) ** 2), 1)
    assert hhi["hasil"] == F  # >= 2.500
    suppliers = tables["tanda_bahaya_penyedia"].set_index("pemenang")
    assert suppliers.loc["CV A", "jumlah_paket"] == 2
    assert suppliers.loc["CV B", "nilai_kontrak_rp"] == 1_150_000_000  # t6 left out


def test_coverage_counts_what_could_be_assessed(tables):
    coverage = tables["tanda_bahaya_indikator"].set_index("indikator")
    above = coverage.loc["kontrak_di_atas_hps"]
    assert (above["jumlah_paket"], above["jumlah_dinilai"], above["jumlah_ditandai"]) == (8, 7, 3)
    assert above["jumlah_mungkin"] == 1 and above["bidang_kurang"] == "nilai_kontrak_rp"
    assert coverage.loc["kuartal_empat", "cakupan_pct"] == 0


def test_an_unknown_method_is_a_configuration_error_naming_the_indicator(tmp_path):
    from pipelines.checks.indicators.tables import write_indicator_tables
    from pipelines.core.errors import DescriptorError

    text = (ROOT / "metadata" / "indicators.yaml").read_text(encoding="utf-8")
    (tmp_path / "indicators.yaml").write_text(
        text.replace("method: single_bidder", "method: single_bider"), encoding="utf-8"
    )
    with pytest.raises(DescriptorError) as error:
        write_indicator_tables(tender_db(), load_indicators(tmp_path), tmp_path)
    assert str(error.value).startswith(
        "metadata/indicators.yaml: penawar_tunggal.method: metode tidak dikenal / unknown "
        "method 'single_bider'; dikenal / known: "
    )
    assert "single_bidder" in str(error.value)
