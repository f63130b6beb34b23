"""The `table` reader (pipelines/readers/messy.py) on tiny inline files with the quirks of real
government tables, and the bps-tabel-web dataset on the real BPS exports in ../shared/realdata."""

from __future__ import annotations

import pytest
from conftest import catalog_name, publish_in
from openpyxl import Workbook

from pipelines.readers import ROW_COLUMN, ReaderError, read_chunks
from pipelines.readers.messy import sniff_format, table_frame

MELT = {"id": ["nama"], "var_name": "tahun", "value_name": "nilai", "var_pattern": "[0-9]{4}"}


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_bom_crlf_semicolons_and_a_delimiter_only_first_line(tmp_path):
    path = _write(
        tmp_path, "a.csv", "\ufeff;;;\r\nNama;2020;2019\r\nJAWA BARAT;1.000;900\r\n".encode()
    )
    frame = table_frame(path, {"melt": MELT})
    assert frame.to_dict("records") == [
        {ROW_COLUMN: 3, "nama": "JAWA BARAT", "tahun": "2020", "nilai": "1.000"},
        {ROW_COLUMN: 3, "nama": "JAWA BARAT", "tahun": "2019", "nilai": "900"},
    ]


def test_a_three_line_bps_header_takes_the_lowest_cell_as_the_name(tmp_path):
    text = "Kab/Kota,,\n,Judul Tabel (Jiwa),\n,2022,2023\nKota Bogor,10,11\nJawa Barat,10,11"
    frame = table_frame(_write(tmp_path, "b.csv", text.encode()), {"header_rows": 3})
    assert list(frame.columns) == [ROW_COLUMN, "Kab/Kota", "2022", "2023"]
    assert frame[ROW_COLUMN].tolist() == [4, 5]


def test_melt_keeps_the_source_line_of_every_row_in_order(tmp_path):
    text = "Kab/Kota,,\n,Judul,\n,2022,2023\nKota Bogor,10,11\nJawa Barat,20,21\n"
    frame = table_frame(_write(tmp_path, "c.csv", text.encode()), {"header_rows": 3, "melt": MELT})
    assert list(
        zip(frame[ROW_COLUMN], frame["nama"], frame["tahun"], frame["nilai"], strict=True)
    ) == [
        (4, "Kota Bogor", "2022", "10"),
        (4, "Kota Bogor", "2023", "11"),
        (5, "Jawa Barat", "2022", "20"),
        (5, "Jawa Barat", "2023", "21"),
    ]


def test_xlsx_with_a_title_a_blank_row_and_a_merged_three_row_header(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Judul tabel", None])
    sheet.append([None, None])
    sheet.append(["Nama", "Nilai \n(Rupiah)"])
    sheet.append([None, None])
    sheet.append([None, None])
    sheet.append(["Kota Bogor", 1500.0])
    sheet.append([None, None])
    sheet.append(["Kab. Bogor", 2.5])
    path = tmp_path / "d.xlsx"
    book.save(path)
    frame = table_frame(path, {"skip_rows": 1, "header_rows": 3})
    assert list(frame.columns) == [ROW_COLUMN, "Nama", "Nilai (Rupiah)"]
    assert frame.values.tolist() == [[6, "Kota Bogor", "1500"], [8, "Kab. Bogor", "2.5"]]


def test_an_html_page_named_xls_is_sniffed_and_refused_with_what_to_do(tmp_path):
    page = b'<html xmlns:x="urn:schemas-microsoft-com:office:excel"><body><table></table>'
    path = _write(tmp_path, "garis.xls", page)
    assert sniff_format(path) == "html"
    with pytest.raises(ReaderError, match=r"garis\.xls: .*HTML page.*save it as \.xlsx or CSV"):
        table_frame(path, {})


def test_a_column_that_is_not_a_year_is_named_in_the_error(tmp_path):
    path = _write(tmp_path, "e.csv", b"Tahun,garis_kemiskinan\n2020,410988\n")
    with pytest.raises(ReaderError, match="e.csv: .*column 'garis_kemiskinan' is not a tahun"):
        table_frame(path, {"melt": MELT})


def test_data_under_no_header_is_an_error_naming_the_column(tmp_path):
    path = _write(tmp_path, "f.csv", b"Nama,\nKota Bogor,12\n")
    with pytest.raises(ReaderError, match="f.csv: .*column 2 holds data but has no header"):
        table_frame(path, {})


def test_an_empty_unnamed_column_is_dropped_and_the_reader_is_registered(tmp_path):
    path = _write(tmp_path, "g.csv", b"Nama,Nilai,\nKota Bogor,12,\n")
    (chunk,) = read_chunks("table", path, {})
    assert list(chunk.columns) == [ROW_COLUMN, "Nama", "Nilai"]


def test_the_real_bps_tables_build_with_codes_found_from_names(real):
    assert real.query(
        "SELECT kode_wilayah, tahun, jumlah_penduduk FROM penduduk_kabkota_bps "
        "WHERE kode_wilayah IN ('31', '31.01', '31.71') ORDER BY kode_wilayah"
    ) == [("31", 2023, 10_672_100), ("31.01", 2023, 28_523), ("31.71", 2023, 1_049_314)]
    assert real.query(
        "SELECT tahun, garis_kemiskinan_rp FROM garis_kemiskinan_provinsi "
        "WHERE kode_wilayah = '32' ORDER BY tahun"
    ) == [(2018, 367_755), (2019, 386_198), (2020, 410_988)]


# --- unit-mismatch (pipelines/checks/units.py): the header's unit against the values' size


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("Nilai RUP Total \n(dalam miliar rupiah)", "miliar"),
        ("PDRB ADHB (Milyar Rupiah)", "miliar"),
        ("Pagu (juta Rp)", "juta"),
        ("Persentase PPKS yang tertangani", "persen"),
        ("Capaian (%)", "persen"),
        ("Jumlah Penduduk (Jiwa)", None),
    ],
)
def test_the_unit_a_header_declares(header, unit):
    from pipelines.checks.units import declared_unit

    assert (declared_unit(header) or (None,))[0] == unit


def test_values_that_fit_their_unit_are_not_flagged_and_those_that_do_not_are():
    import pandas as pd

    from pipelines.checks.units import misfits

    assert not misfits(pd.Series(["1.904,86", "903,98", "0"]), "miliar", 1e9).any()
    full = misfits(pd.Series(["1904864400898", "903975502083.97", "0"]), "miliar", 1e9)
    assert full.tolist() == [True, True, False]
    assert not misfits(pd.Series(["12.5", "100", "0"]), "persen", 100).any()
    assert misfits(pd.Series(["2335", "45"]), "persen", 100).tolist() == [True, False]


def _unit_dataset(root, on_mismatch: str, header: str, values: list[str]):
    """A one-table dataset in a copied project, whose source header declares a unit."""
    import yaml

    folder = root / "datasets" / "uji-satuan"
    (folder / "data").mkdir(parents=True)
    lines = [f"Nama,{header}"] + [f"Instansi {i},{v}" for i, v in enumerate(values, 1)]
    (folder / "data" / "satuan.csv").write_text("\n".join(lines) + "\n")
    text = (root / "datasets" / "monitoring-lkpp" / "datapackage.yaml").read_text()
    descriptor = yaml.safe_load(text)
    resource = descriptor["resources"][0]
    resource["name"] = "uji_satuan"
    resource["jendela"]["source"] = {"path": "data/satuan.csv"}
    resource["jendela"]["options"] = {}
    resource["jendela"]["columns"] = {"Nama": "nama_instansi", header: "nilai_rup_rp"}
    resource["jendela"]["checks"] = [
        {"type": "unit-mismatch", "columns": ["nilai_rup_rp"], "on_mismatch": on_mismatch}
    ]
    resource["schema"]["fields"] = resource["schema"]["fields"][:2]
    (folder / "datapackage.yaml").write_text(yaml.safe_dump(descriptor, allow_unicode=True))


def test_a_unit_mismatch_fails_the_build_naming_file_row_column_header_and_value(copy_project):
    _unit_dataset(
        copy_project, "fail", "Nilai (dalam miliar rupiah)", ["2.5", "1250000000", "3400000000"]
    )
    result = publish_in(copy_project, "validate", "uji-satuan")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    line = next(x for x in output.splitlines() if "[unit-mismatch]" in x)
    assert "satuan.csv" in line and "3" in line and "nilai_rup_rp" in line, line
    assert "'Nilai (dalam miliar rupiah)'" in line and "1.250.000.000" in line, line
    # The first misfit is "1250000000" on line 3 of the file (line 1 is the header).
    source = copy_project / "datasets/uji-satuan/data/satuan.csv"
    name = catalog_name(copy_project, source)  # datasets/<id>/..., not the copy's path
    assert line == (
        f"  uji-satuan/uji_satuan | {name} | baris/row 3 | kolom/column nilai_rup_rp: "
        "[unit-mismatch] kolom nilai_rup_rp: judul sumber 'Nilai (dalam miliar rupiah)' menyatakan "
        "satuan miliar, tetapi nilai seperti 1.250.000.000 sudah dalam satuan penuh, bukan miliar "
        "(2 nilai) / column nilai_rup_rp: the source header 'Nilai (dalam miliar rupiah)' declares "
        "miliar, but values such as 1.250.000.000 are already in whole units, not miliar "
        "(2 values) (nilai/value '1250000000')"
    )


def test_values_in_the_declared_unit_pass_the_check(copy_project):
    _unit_dataset(copy_project, "fail", "Nilai (dalam miliar rupiah)", ["2.5", "1250"])
    result = publish_in(copy_project, "validate", "uji-satuan")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_real_lkpp_monitoring_file_is_published_with_a_unit_warning(real):
    assert real.query(
        "SELECT nilai_rup_rp, nilai_realisasi_rp FROM monitoring_rup_lkpp "
        "WHERE nama_instansi = 'Kota Bogor'"
    ) == [(1_904_864_400_898, 903_975_502_084)]
    report = real.report("monitoring-lkpp", "monitoring_rup_lkpp")
    assert report["valid"] and report["rows"] == 630
    warned = {w["column"]: w for w in report["warnings"] if w["type"] == "unit-mismatch"}
    assert set(warned) == {"nilai_rup_rp", "nilai_realisasi_rp"}
    warning = warned["nilai_rup_rp"]
    assert warning["extra"]["header"] == "Nilai RUP Total (dalam miliar rupiah)"
    assert warning["file"].endswith("lkpp_monitoring.xlsx") and warning["row"] == 4
    assert "164.933.858.000" in warning["message"] and "miliar" in warning["message"]


def test_the_real_tangsel_ppks_table_is_published_by_kecamatan_with_a_unit_warning(real):
    assert real.query(
        "SELECT kode_wilayah, tahun, jumlah_ppks_dtks FROM ppks_dtks_kecamatan "
        "WHERE nama_wilayah_sumber = 'Kota Tangerang Selatan > SERPONG'"
    ) == [("36.74.01", 2022, 2335)]
    assert real.query("SELECT min(kode_wilayah), max(kode_wilayah) FROM ppks_dtks_kecamatan") == [
        ("36.74.01", "36.74.07")
    ]
    report = real.report("ppks-tangsel", "ppks_dtks_kecamatan")
    assert report["valid"] and report["rows"] == 7
    (warning,) = [w for w in report["warnings"] if w["type"] == "unit-mismatch"]
    assert warning["extra"]["header"].startswith("Persentase PPKS")
    assert warning["extra"]["values"] == 7 and warning["row"] == 4
    assert "2.335" in warning["message"] and "persen" in warning["message"]


def test_the_real_jatim_pdrb_table_is_published_in_exact_whole_rupiah(real):
    # "17986.5" milyar: a decimal point, not a thousands separator; exact, no float residue.
    assert real.query(
        "SELECT tahun, pdrb_adhb_rp FROM pdrb_adhb WHERE kode_wilayah = '35.01' ORDER BY tahun"
    ) == [(2022, 17_986_500_000_000), (2023, 19_490_500_000_000)]
    assert real.query(
        "SELECT nama_wilayah_sumber, pdrb_adhb_rp FROM pdrb_adhb "
        "WHERE kode_wilayah = '35' AND tahun = 2023"
    ) == [("Jawa Timur", 2_953_546_900_000_000)]
    assert real.query("SELECT count(DISTINCT kode_wilayah) FROM pdrb_adhb") == [(39,)]


def test_the_real_emsifa_api_responses_build_with_level_and_parent_from_the_path(real):
    """Ten JSON responses, one a single object, become one table of BPS codes (not Kemendagri)."""
    assert real.query(
        "SELECT tingkat, count(*) FROM wilayah_bps_emsifa GROUP BY tingkat ORDER BY tingkat"
    ) == [("desa_kelurahan", 64), ("kabupaten_kota", 28), ("kecamatan", 6), ("provinsi", 34)]
    assert real.query(
        "SELECT kode_wilayah_bps, kode_wilayah_bps_induk, tingkat, tanggapan_api "
        "FROM wilayah_bps_emsifa WHERE nama_wilayah_sumber IN ('KOTA BOGOR', 'TANAH SEREAL') "
        "ORDER BY tanggapan_api"
    ) == [
        ("3271060", "3271", "kecamatan", "districts/3271.json"),
        ("3271", "32", "kabupaten_kota", "regencies/32.json"),
        ("3271", "32", "kabupaten_kota", "regency/3271.json"),
    ]
