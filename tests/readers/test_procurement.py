"""Procurement from real Indonesian formats: SPSE DataTables tender lists, SiRUP plans in a BIRMS
SQL dump and the LKPP Excel files. Readers on tiny inline files; the pipeline as a user runs it,
on the embedded samples and on the real files in shared/realdata (read in place)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import publish_in, read

from pipelines.core.checksum import sha256_file
from pipelines.readers import ReaderError
from pipelines.readers.procurement import split_category, split_labels

SPSE = "procurement/spse_lpse_kota_bandung_dt_lelang.json"
SIRUP = "procurement/bandung_birms_sirup_2015_planning.sql"
LKPP = {
    "rup_instansi": "procurement/lkpp_sirup.xlsx",
    "lpse_jenis_instansi": "procurement/lkpp_lpse_data.xlsx",
    "pemenang_tender_konstruksi": "procurement/lkpp_tender_winners.xlsx",
}
LABEL = "<span class='label label-warning'>Tender Ulang</span>"


def spse_file(tmp_path: Path, rows: list, filtered: int | None = None) -> Path:
    path = tmp_path / "spse_lpse_kota_bogor_dt_lelang.json"
    document = {
        "draw": "1",
        "recordsTotal": len(rows),
        "recordsFiltered": len(rows) if filtered is None else filtered,
        "data": rows,
    }
    path.write_text(json.dumps(document))
    return path


def row(code="1", name="Paket", hps="22,1 M", category="Pengadaan Barang - TA 2020", contract=None):
    return [
        code, name, "Pemerintah Daerah Kota Bogor", "Tender Sudah Selesai", hps,
        "Pascakualifikasi Satu File", "Tender", "Harga Terendah Sistem Gugur", category, "3",
        contract or "Nilai Kontrak belum dibuat", None, None, "0",
    ]  # fmt: skip


# --- spse_datatables reader -----------------------------------------------------------------


def test_labels_come_out_of_the_package_name():
    assert split_labels(f"BELANJA BAHAN MEDIS {LABEL}") == (
        "BELANJA BAHAN MEDIS  ",
        ["Tender Ulang"],
    )
    assert split_labels("Pengadaan Server") == ("Pengadaan Server", [])


def test_category_and_fiscal_years_are_split():
    assert split_category("Pengadaan Barang - TA 2020") == ("Pengadaan Barang", "2020", "2020")
    assert split_category("Pekerjaan Konstruksi - TA 2025,2026,2027") == (
        "Pekerjaan Konstruksi", "2025", "2027",
    )  # fmt: skip
    assert split_category("Pengadaan Barang") == ("Pengadaan Barang", "", "")


def test_spse_rows_are_read_by_position(tmp_path):
    path = spse_file(
        tmp_path,
        [
            row("5709260", "PERANGKAT IT &amp; SARPRAS", "22,1 M"),
            row("5707260", f"BAHAN MEDIS {LABEL}", "310,8 Jt", contract="Rp 470.701.000,00"),
        ],
    )
    frame = read("spse_datatables", path)
    assert frame["kode_tender"].tolist() == ["5709260", "5707260"]
    # The cell is an HTML fragment: reading it as text decodes its entities (split_labels).
    assert frame["nama_paket"].str.strip().tolist() == ["PERANGKAT IT & SARPRAS", "BAHAN MEDIS"]
    assert frame["label_paket"].tolist() == ["", "Tender Ulang"]
    assert frame["ulang"].tolist() == ["false", "true"]
    assert frame["hps"].tolist() == ["22,1 M", "310,8 Jt"]  # the parser reads them, not the reader
    assert frame["nilai_kontrak"].tolist() == ["", "Rp 470.701.000,00"]
    assert frame[["jenis_pengadaan", "tahun_anggaran"]].values.tolist() == [
        ["Pengadaan Barang", "2020"], ["Pengadaan Barang", "2020"],
    ]  # fmt: skip
    assert frame["__row__"].tolist() == [1, 2]


def test_one_page_of_a_longer_list_is_refused(tmp_path):
    path = spse_file(tmp_path, [row()], filtered=3952)
    with pytest.raises(ReaderError, match="recordsFiltered is 3952 but data holds 1 rows"):
        read("spse_datatables", path)


def test_a_short_row_names_its_position(tmp_path):
    path = spse_file(tmp_path, [row(), ["2", "Paket"]])
    with pytest.raises(ReaderError, match=r"baris/row 2: expected an array of at least 11 values"):
        read("spse_datatables", path)


# --- the pipeline, as a user runs it ----------------------------------------------------------


def test_embedded_samples_flag_rounded_amounts(built_catalog):
    with sqlite3.connect(built_catalog / "jendela.db") as db:
        rounded = db.execute(
            "SELECT kode_tender, hps_rp, hps_dibulatkan, nilai_kontrak_rp, "
            "nilai_kontrak_dibulatkan FROM tender_spse WHERE kode_tender IN ('9101127', '9102127') "
            "ORDER BY kode_tender"
        ).fetchall()
    assert rounded == [
        ("9101127", 22_100_000_000, 1, 21_487_310_000, 0),
        ("9102127", 325_000_000, 1, None, None),
    ]


def test_spse_file_naming_no_known_lpse_fails_with_the_file_named(copy_project, tmp_path):
    data = copy_project / "datasets/tender-spse/data"
    (data / "spse_lpse_kota_bogor_dt_lelang.json").rename(data / "spse_lpse_kota_x_dt_lelang.json")
    descriptor = copy_project / "datasets/tender-spse/datapackage.yaml"
    text = descriptor.read_text().replace("kota_bogor_dt_lelang", "kota_x_dt_lelang")
    descriptor.write_text(text)

    result = publish_in(copy_project, "build", "tender-spse", "--quiet", "--output", str(tmp_path))

    assert result.returncode == 1
    assert "the file name names no LPSE listed in lpse.csv" in result.stdout
    assert "spse_lpse_kota_x_dt_lelang.json" in result.stdout


@pytest.fixture(scope="module")
def real_procurement(real, realdata):
    """tender-spse, rup-sirup and lkpp-pengadaan built from the real files above: the session's
    one real build (tests/realdata_catalog.py; its region table is the full Kemendagri list)."""
    inputs = {
        ("tender-spse", "tender_spse"): SPSE,
        ("rup-sirup", "rup_sirup"): SIRUP,
        **{("lkpp-pengadaan", resource): relative for resource, relative in LKPP.items()},
    }
    for (dataset, resource), relative in inputs.items():
        assert real.manifest["datasets"][dataset]["status"] == "published", dataset
        sources = real.resource(dataset, resource)["sources"]
        # the snapshot in datasets/ is a byte-identical copy of the real file
        assert [s["sha256"] for s in sources] == [sha256_file(realdata / relative)], resource
    return real.output


def query(build: Path, sql: str, *args):
    with sqlite3.connect(build / "jendela.db") as db:
        return db.execute(sql, args).fetchall()


def test_bandung_tender_5709260_shows_22_1_m_recorded_as_rounded(real_procurement):
    assert query(
        real_procurement,
        "SELECT kode_wilayah, hps_rp, hps_dibulatkan, tahun_anggaran, jenis_pengadaan, "
        "nilai_kontrak_rp FROM tender_spse WHERE kode_tender = '5709260'",
    ) == [("32.73", 22_100_000_000, 1, 2020, "Pengadaan Barang", None)]


def test_every_bandung_tender_is_typed_and_labels_are_flags(real_procurement, realdata):
    source = json.loads((realdata / SPSE).read_text())["data"]
    [(count, years, repeated, contracts, html)] = query(
        real_procurement,
        "SELECT count(*), count(DISTINCT tahun_anggaran), sum(ulang), "
        "count(nilai_kontrak_rp), sum(nama_paket LIKE '%<span%') FROM tender_spse",
    )
    assert count == len(source) == 3952
    assert years == 8  # TA 2013-2020
    assert repeated == sum("Ulang</span>" in r[1] for r in source) == 809
    assert contracts == sum(r[10] != "Nilai Kontrak belum dibuat" for r in source) == 181
    assert html == 0
    assert query(
        real_procurement,
        "SELECT nama_paket, label_paket, nilai_kontrak_rp, nilai_kontrak_dibulatkan "
        "FROM tender_spse WHERE kode_tender = '5704260'",
    ) == [
        (
            "Belanja Modal Peralatan dan Mesin - Pengadaan Peralatan Jaringan & Belanja Modal "
            "Peralatan dan Mesin - Pengadaan Peralatan Jaringan Sekolah Juara",
            None,
            6_970_000_136,
            0,
        )
    ]
    assert query(
        real_procurement,
        "SELECT nama_paket, label_paket FROM tender_spse WHERE kode_tender = '5707260'",
    ) == [
        ("BELANJA BAHAN MEDIS HABIS PAKAI (KEGIATAN PENANGANAN COVID-19)", "Tender Ulang"),
    ]


def test_sirup_plan_is_read_from_the_sql_dump_and_test_rows_are_quarantined(real_procurement):
    assert query(
        real_procurement,
        "SELECT kode_wilayah, tahun_anggaran, pagu_rp, jenis_pengadaan, kode_metode_pengadaan, "
        "tanggal_awal_pengadaan, tanggal_akhir_pekerjaan, satker FROM rup_sirup "
        "WHERE kode_rup = '3687636'",
    ) == [
        ("32.73", 2015, 900_000, "Barang", "8", "2015-03-18", "2015-09-30",
         "BADAN PELAYANAN PERIZINAN TERPADU"),
    ]  # fmt: skip
    assert query(real_procurement, "SELECT count(*) FROM rup_sirup") == [(8742,)]
    report = json.loads((real_procurement / "reports/rup-sirup/rup_sirup.json").read_text())
    assert report["quarantined"] is True
    assert sorted({(e["row"], e.get("column"), e.get("value")) for e in report["errors"]
                   if e.get("column") == "kode_wilayah"}) == [
        (8812, "kode_wilayah", "Pemerintah Daerah Kota Bandung OCDS test"),
        (8813, "kode_wilayah", "Bandung city"),
    ]  # fmt: skip
    quarantine = real_procurement / "site/downloads/rup-sirup/rup_sirup.quarantine.csv"
    assert quarantine.read_text().count("\n") == 3  # header + the two test rows


def test_lkpp_files_keep_rupiah_despite_the_miliar_header(real_procurement):
    assert query(
        real_procurement,
        "SELECT nomor, jenis_instansi, nilai_rup_rp, jumlah_paket_rup FROM rup_instansi "
        "WHERE nama_instansi = 'Kota Bogor'",
    ) == [(251, "Kota", 1_916_928_208_252, 13_525)]
    assert query(real_procurement, "SELECT count(*) FROM rup_instansi") == [(630,)]
    assert query(
        real_procurement, "SELECT jumlah_lpse FROM lpse_jenis_instansi WHERE jenis_instansi='Kota'"
    ) == [(94,)]
    assert query(
        real_procurement, "SELECT sum(jumlah_penyedia) FROM pemenang_tender_konstruksi"
    ) == [(222 + 1171 + 21045 + 6,)]
