"""Budget (APBD) from real Indonesian formats: DJPK SIKD exports and the Tangerang Selatan table.

Readers and the hierarchy check are tested on tiny inline files; the pipeline is tested as a user
runs it, on the embedded samples and on the real exports in shared/realdata (read in place).
"""

from __future__ import annotations

import csv
import json
import sqlite3

import pandas as pd
import pytest
from conftest import ROOT, catalog_name, publish_in, read

from pipelines.checks.hierarchy import hierarchy_issues
from pipelines.core.checksum import sha256_file
from pipelines.readers import ReaderError

DJPK = "budget/djpk_apbd_jatim"
TANGSEL = "budget/tangsel_realisasi_apbd_jenis_belanja_2021-2022.csv"


# --- djpk reader ------------------------------------------------------------------------------


def test_djpk_indented_export_gets_levels_parents_and_miliar_amounts(tmp_path):
    source = tmp_path / "2021" / "Kota_Malang.csv"
    source.parent.mkdir()
    source.write_text(
        "akun,anggaran,realisasi,persentase\n"
        "Belanja Daerah,2554.77,2225.95,87.13\n"
        "     Belanja Pegawai,1007.34,832.39,82.63\n"
        "     Belanjaodal,347.62,295.09,84.89\n"
        "     Belanja Lainnya,192.24,157.81,82.09\n"
        "         Belanja Bunga,,,\n"
        'Surplus/(Defisit),-303.89,-73.60,"1,096.08"\n'
    )
    frame = read("djpk", source)
    assert frame["akun"].tolist() == [
        "Belanja Daerah", "Belanja Pegawai", "Belanja Modal", "Belanja Lainnya", "Belanja Bunga",
        "Surplus/(Defisit)",
    ]  # fmt: skip
    assert frame["akun_sumber"][2] == "Belanjaodal"  # the name as written is kept
    assert frame["tingkat_akun"].tolist() == ["1", "2", "2", "2", "3", "1"]
    assert frame["akun_induk"].tolist() == [
        "", "Belanja Daerah", "Belanja Daerah", "Belanja Daerah", "Belanja Lainnya", "",
    ]  # fmt: skip
    assert frame["anggaran"].tolist() == [
        "2554,77 M", "1007,34 M", "347,62 M", "192,24 M", "", "-303,89 M",
    ]  # fmt: skip
    assert frame["persentase"].tolist()[-1] == "1096,08"
    assert frame["__row__"].tolist() == [2, 3, 4, 5, 6, 7]


def test_djpk_2023_export_without_indentation_is_placed_by_the_chart(tmp_path):
    source = tmp_path / "Kota Malang.csv"
    source.write_text(
        "akun,anggaran,realisasi,persentase\n"
        '" Belanja Daerah","2.811,86 M","1.446,07 M",51.43\n'
        '" Belanja Pegawai","1.056,43 M","635,40 M",60.15\n'
        '" Belanja Pegawai","1.056,43 M","635,40 M",60.15\n'
        '" Belanja Lainnya","222,34 M","76,79 M",34.54\n'
        '" Belanja Hibah","180,00 M","68,03 M",37.80\n'
        '" Pembiayaan Daerah","250,04 M","0,00 M",0.00\n'
        '" Pengeluaran Pembiayaan Daerah","16,19 M","0,00 M",0.00\n'
        '" Pembayaaran Pokok Utang","0,00 M","0,00 M",0\n'
    )
    frame = read("djpk", source)
    placed = list(zip(frame["akun"], frame["tingkat_akun"], frame["akun_induk"], strict=True))
    assert placed == [
        ("Belanja Daerah", "1", ""),
        ("Belanja Pegawai", "2", "Belanja Daerah"),
        ("Belanja Pegawai", "3", "Belanja Pegawai"),  # printed twice: group, then its only item
        ("Belanja Lainnya", "2", "Belanja Daerah"),
        ("Belanja Hibah", "3", "Belanja Lainnya"),
        ("Pembiayaan Daerah", "1", ""),
        ("Pengeluaran Pembiayaan Daerah", "2", "Pembiayaan Daerah"),
        ("Pembayaran Pokok Utang", "3", "Pengeluaran Pembiayaan Daerah"),
    ]
    assert frame["anggaran"][0] == "2.811,86 M"  # Indonesian notation with unit: as written
    assert frame["persentase"][0] == "51,43"


def test_djpk_unknown_line_without_indentation_names_file_row_and_column(tmp_path):
    source = tmp_path / "Kota Malang.csv"
    source.write_text(
        'akun,anggaran,realisasi,persentase\n" Belanja Daerah","1,00 M","1,00 M",100\n'
        '" Belanja Rahasia","1,00 M","1,00 M",100\n'
    )
    with pytest.raises(ReaderError) as error:
        read("djpk", source)
    assert str(error.value).startswith(
        "Kota Malang.csv: baris/row 3: kolom/column akun: 'Belanja Rahasia' is not a line of the "
        "DJPK Data APBD chart"
    )


def test_djpk_refuses_another_header(tmp_path):
    source = tmp_path / "x.csv"
    source.write_text("uraian,pagu\nBelanja,1\n")
    with pytest.raises(ReaderError, match=r"x.csv: baris/row 1: expected the DJPK header"):
        read("djpk", source)


def test_title_wide_melts_years_and_keeps_the_title(tmp_path):
    source = tmp_path / "t.csv"
    source.write_text(
        "Realisasi APBD Kota Bogor Menurut Jenis Belanja Tahun 2023-2024 (Rupiah);;\n;;\n"
        "Jenis Belanja;2023;2024\nPegawai;Rp1.000;Rp2.000\nTotal;Rp1.000;Rp2.000\n;;\n"
    )
    frame = read("title_wide", source, delimiter=";")
    assert frame[["uraian", "tahun", "nilai"]].values.tolist() == [
        ["Pegawai", "2023", "Rp1.000"], ["Pegawai", "2024", "Rp2.000"],
        ["Total", "2023", "Rp1.000"], ["Total", "2024", "Rp2.000"],
    ]  # fmt: skip
    assert frame["__row__"].tolist() == [4, 4, 5, 5]
    assert set(frame["judul"]) == {
        "Realisasi APBD Kota Bogor Menurut Jenis Belanja Tahun 2023-2024 (Rupiah)"
    }


# --- hierarchy check ------------------------------------------------------------------------

CHECK = {
    "key": "akun",
    "parent": "induk",
    "level": "tingkat",
    "group": ["tahun"],
    "values": ["nilai"],
    "subtract": ["Pengeluaran"],
}


def lines(*rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["tahun", "akun", "tingkat", "induk", "nilai"])
    return frame.astype({"tahun": "Int64", "tingkat": "Int64", "nilai": "Int64"})


def test_hierarchy_that_adds_up_has_no_issues():
    frame = lines(
        (2024, "Pembiayaan", 1, None, 80),
        (2024, "Penerimaan", 2, "Pembiayaan", 100),
        (2024, "Pengeluaran", 2, "Pembiayaan", 20),  # counted negatively
        (2024, "Belanja Pegawai", 1, None, 7),
        (2024, "Belanja Pegawai", 2, "Belanja Pegawai", 7),  # same name one level down
        (2024, "Kosong", 1, None, 5),
        (2024, "Tanpa nilai", 2, "Kosong", None),  # a parent with no itemised children
    )
    assert hierarchy_issues(frame, CHECK, "d", "r") == []


def test_parent_that_does_not_add_up_names_row_column_value_and_expected_sum():
    frame = lines(
        (2023, "Pembiayaan", 1, None, 0),
        (2023, "Penerimaan", 2, "Pembiayaan", 460),
        (2023, "Pengeluaran", 2, "Pembiayaan", 10),
    )
    [issue] = hierarchy_issues(frame, {**CHECK, "on_mismatch": "warn"}, "d", "r")
    where = (issue.type, issue.row, issue.column, issue.value)
    assert where == ("hierarchy-sum-mismatch", 1, "nilai", "0")
    assert issue.extra == {
        "severity": "warning", "expected": "450", "difference": "-450", "children": 2,
        "child_rows": [2, 3],
    }  # fmt: skip
    assert issue.message.startswith("'Pembiayaan': nilai 0 tidak sama dengan jumlah 2 baris")


def test_tolerance_allows_rounding_of_each_value_added():
    frame = lines((2023, "A", 1, None, 100), (2023, "B", 2, "A", 52), (2023, "C", 2, "A", 52))
    check = {**CHECK, "tolerance": 2}
    assert hierarchy_issues(frame, check, "d", "r") == []  # |100 - 104| <= 2 * 3
    check["tolerance"] = 1
    assert [i.extra["difference"] for i in hierarchy_issues(frame, check, "d", "r")] == ["-4"]


def test_child_whose_parent_is_absent_is_reported():
    frame = lines((2023, "A", 1, None, 1), (2023, "B", 2, "Hilang", 1))
    [issue] = hierarchy_issues(frame, CHECK, "d", "r")
    assert (issue.type, issue.row, issue.column, issue.value) == (
        "hierarchy-parent-missing", 2, "induk", "Hilang",
    )  # fmt: skip
    assert issue.extra["severity"] == "error"  # on_mismatch defaults to fail


# --- the pipeline, as a user runs it --------------------------------------------------------


def test_embedded_djpk_sample_reconciles(built_catalog):
    report = json.loads((built_catalog / "reports/apbd-djpk/apbd_djpk.json").read_text())
    assert report["valid"] and report["warnings"] == []
    with sqlite3.connect(built_catalog / "jendela.db") as db:
        years = db.execute("SELECT DISTINCT tahun FROM apbd_djpk ORDER BY 1").fetchall()
    assert years == [(2021,), (2023,)]


def test_apbd_kota_bogor_mismatch_fails_the_dataset_and_names_the_line(copy_project, tmp_path):
    source = copy_project / "datasets/apbd-kota-bogor/data/apbd.csv"
    text = source.read_text()
    line = next(i for i, row in enumerate(text.splitlines(), 1) if ",4.1.01,Pajak Daerah" in row)
    assert '"Rp 868.450.494.000,00"' in text
    source.write_text(text.replace('"Rp 868.450.494.000,00"', '"Rp 868.450.495.000,00"', 1))

    result = publish_in(
        copy_project, "build", "apbd-kota-bogor", "--quiet", "--output", str(tmp_path / "b")
    )

    assert result.returncode == 1
    shown = [row for row in result.stdout.splitlines() if "hierarchy-sum-mismatch" in row]
    name = catalog_name(copy_project, source)  # datasets/<id>/..., not the copy's path
    assert shown == [
        f"  apbd-kota-bogor/apbd | {name} | baris/row {line - 1} | kolom/column anggaran_rp: "
        "[hierarchy-sum-mismatch] '4.1': anggaran_rp 1.083.881.889.000 tidak sama dengan jumlah "
        "4 baris anaknya 1.083.881.890.000 (selisih -1.000) / does not equal the sum of its 4 "
        "children (nilai/value '1083881889000')"
    ]
    assert "GAGAL/FAILED apbd-kota-bogor: 1 masalah/issues" in result.stdout


def test_djpk_mismatch_is_published_with_a_warning_in_the_report(copy_project, tmp_path):
    source = copy_project / "datasets/apbd-djpk/data/2023/Kota Bogor.csv"
    text = source.read_text()
    old = '" Pajak Daerah","910,45 M"'
    assert old in text
    source.write_text(text.replace(old, '" Pajak Daerah","930,45 M"'))
    output = tmp_path / "b"

    result = publish_in(copy_project, "build", "apbd-djpk", "--quiet", "--output", str(output))

    assert result.returncode == 0, result.stdout
    assert "OK    apbd-djpk: 68 baris/rows" in result.stdout
    report = json.loads((output / "reports/apbd-djpk/apbd_djpk.json").read_text())
    assert (
        report["valid"] is True and report["warning_count"] == 1
    )  # PAD only: its total is as before
    pad = report["warnings"][0]
    assert (pad["file"], pad["row"], pad["column"], pad["value"]) == (
        catalog_name(copy_project, source), 3, "anggaran_rp", "1184590000000",
    )  # fmt: skip
    assert pad["extra"]["expected"] == "1204590000000"
    page = (output / "reports/apbd-djpk/apbd_djpk.html").read_text()
    assert "Peringatan" in page and "hierarchy-sum-mismatch" in page and "1.204.590.000.000" in page


def test_unknown_government_in_a_djpk_file_name_fails_with_the_file_named(copy_project, tmp_path):
    folder = copy_project / "datasets/apbd-djpk/data/2023"
    (folder / "Kota Bogor.csv").rename(folder / "Kota Atlantis.csv")

    result = publish_in(copy_project, "build", "apbd-djpk", "--quiet", "--output", str(tmp_path))

    assert result.returncode == 1
    assert "pemerintah daerah 'Kota Atlantis' tidak ada di pemda.csv" in result.stdout


@pytest.fixture(scope="module")
def real_budget(real, realdata):
    """apbd-djpk and apbd-tangsel built from every real export: the session's one real build
    (tests/realdata_catalog.py; its region table is the full Kemendagri list)."""
    inputs = {
        ("apbd-djpk", "apbd_djpk"): sorted((realdata / DJPK).glob("*/*.csv")),
        ("apbd-tangsel", "realisasi_belanja"): [realdata / TANGSEL],
    }
    for (dataset, resource), files in inputs.items():
        assert real.manifest["datasets"][dataset]["status"] == "published", dataset
        sources = real.resource(dataset, resource)["sources"]
        # the snapshots in datasets/ are byte-identical copies of every real export
        assert sorted(s["sha256"] for s in sources) == sorted(map(sha256_file, files)), resource
    return real.output


def test_kota_malang_2021_belanja_daerah_is_2554_77_miliar(real_budget):
    with sqlite3.connect(real_budget / "jendela.db") as db:
        row = db.execute(
            "SELECT anggaran_rp, realisasi_rp, tingkat_akun, akun_induk FROM apbd_djpk "
            "WHERE kode_wilayah = '35.73' AND tahun = 2021 AND akun = 'Belanja Daerah'"
        ).fetchone()
    assert row == (2_554_770_000_000, 2_225_950_000_000, 1, None)


def test_every_real_djpk_export_is_read_into_one_long_table(real_budget, realdata):
    files = sorted((realdata / DJPK).glob("*/*.csv"))
    data_lines = sum(
        sum(1 for line in f.read_text().splitlines()[1:] if line.strip()) for f in files
    )
    with sqlite3.connect(real_budget / "jendela.db") as db:
        count, regions, years = db.execute(
            "SELECT count(*), count(DISTINCT kode_wilayah), count(DISTINCT tahun) FROM apbd_djpk"
        ).fetchone()
        bad_levels = db.execute(
            "SELECT count(*) FROM apbd_djpk c LEFT JOIN apbd_djpk p ON p.kode_wilayah = "
            "c.kode_wilayah AND p.tahun = c.tahun AND p.akun = c.akun_induk AND p.tingkat_akun = "
            "c.tingkat_akun - 1 WHERE c.akun_induk IS NOT NULL AND p.akun IS NULL"
        ).fetchone()[0]
    assert (count, regions, years) == (data_lines, 38, 4)
    assert bad_levels == 0  # every parent named is a line one level up in the same table


def test_real_lines_that_do_not_add_up_are_listed_not_hidden(real_budget, realdata):
    report = json.loads((real_budget / "reports/apbd-djpk/apbd_djpk.json").read_text())
    assert report["valid"] is True and report["error_count"] == 0
    assert report["warning_count"] == len(report["warnings"]) > 0
    assert {w["type"] for w in report["warnings"]} == {"hierarchy-sum-mismatch"}
    # Kota Malang 2023: Pembiayaan Daerah realisasi "0,00 M" while receipts are "460,23 M".
    source = "datasets/apbd-djpk/source/djpk_apbd_jatim/2023/Kota_Malang.csv"  # the snapshot
    found = [w for w in report["warnings"] if w["file"] == source and w["column"] == "realisasi_rp"]
    assert [(w["row"], w["value"], w["extra"]["expected"]) for w in found] == [
        (25, "0", "460230000000"),  # Pembiayaan Daerah = 460,23 - 0,00
        (28, "0", "17380000000"),  # Pengeluaran Pembiayaan Daerah = 8,69 + 8,69
    ]
    # Revenue and spending totals of every export add up within the rounding tolerance.
    with sqlite3.connect(real_budget / "jendela.db") as db:
        lines_warned = {
            db.execute(
                "SELECT akun FROM apbd_djpk WHERE kode_wilayah = ? AND tahun = ? AND urutan = ?",
                (_place(w["file"])[0], _place(w["file"])[1], w["row"] - 1),
            ).fetchone()[0]
            for w in report["warnings"]
        }
    assert lines_warned <= {
        "Pembiayaan Daerah", "Penerimaan Pembiayaan Daerah", "Pengeluaran Pembiayaan Daerah",
    }  # fmt: skip


def _place(source: str) -> tuple[str, int]:
    from importlib.util import module_from_spec, spec_from_file_location

    folder = ROOT / "datasets/apbd-djpk"
    spec = spec_from_file_location("djpk_transform", folder / "transform.py")
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    with open(folder / module.CROSSWALK, encoding="utf-8", newline="") as handle:
        codes = module.crosswalk(csv.DictReader(handle))
    code, year = module.place(source, codes)
    return code, int(year)


def test_tangerang_selatan_table_is_long_and_its_totals_reconcile(real_budget):
    with sqlite3.connect(real_budget / "jendela.db") as db:
        rows = db.execute(
            "SELECT tahun, jenis_belanja, tingkat, realisasi_rp FROM realisasi_belanja "
            "WHERE kode_wilayah = '36.74' ORDER BY tahun, tingkat, jenis_belanja"
        ).fetchall()
    assert len(rows) == 16
    assert (2021, "Pegawai", 2, 847_542_209_097) in rows
    assert (2022, "Total", 1, 3_690_617_520_397) in rows
    for year in (2021, 2022):
        total = next(r[3] for r in rows if r[0] == year and r[2] == 1)
        assert total == sum(r[3] for r in rows if r[0] == year and r[2] == 2)
    report = json.loads((real_budget / "reports/apbd-tangsel/realisasi_belanja.json").read_text())
    assert report["valid"] and report["warnings"] == []
