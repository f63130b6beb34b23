"""Population from real Indonesian formats, in one tidy shape, with known errors caught.

The Kemendagri 2025 annex (SQL dump), Open Data Jabar long tables, the Satu Data Jakarta
kelurahan x age x sex export and a Tangerang Selatan print table, each built from the real file in
../shared/realdata (read in place) and from its embedded sample.
"""

from __future__ import annotations

import csv
import json
import re
import urllib.request
from pathlib import Path

import yaml
from conftest import REALDATA, SAMPLE_CATALOG, catalog_name, publish_in, region_subset_sql

POPULATION_TABLES = [
    "penduduk_kemendagri",
    "penduduk_odj",
    "penduduk_satudata_jakarta",
    "penduduk_tangsel",
]
TIDY = [
    "kode_wilayah",
    # the region's names beside its code, from the region table (model.region_name_fields)
    "nama_wilayah",
    "tingkat_wilayah",
    "nama_provinsi",
    "nama_kabupaten_kota",
    "kode_wilayah_bps",
    "nama_wilayah_sumber",
    "tahun",
    "jenis_kelamin",
    "kelompok_umur",
    "jumlah_penduduk",
    "satuan",
    "sumber",
    "periode",
]
ODJ = "population/odj_jumlah_penduduk_jenis_kelamin_kabkota_2013-2020.csv"


def quarantined(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --- Kemendagri 2025 --------------------------------------------------------------------------


def test_kota_bogor_population_in_the_kemendagri_2025_file(real):
    assert real.query(
        "SELECT jenis_kelamin, jumlah_penduduk FROM penduduk_kemendagri "
        "WHERE kode_wilayah = '32.71' ORDER BY jenis_kelamin"
    ) == [("laki-laki", 578_674), ("perempuan", 565_434)]
    assert real.query(
        "SELECT sum(jumlah_penduduk) FROM penduduk_kemendagri WHERE kode_wilayah = '32.71'"
    ) == [(1_144_108,)]


def test_every_kemendagri_region_is_published_and_provinces_add_up_to_the_national_row(real):
    source = (REALDATA / "population/kemendagri_2025_wilayah_penduduk.sql").read_text()
    national = int(re.search(r"\('0','INDONESIA','\d+','\d+','(\d+)'\)", source)[1])
    assert real.resource("penduduk-kemendagri", "penduduk_kemendagri")["rows"] == 552 * 2
    assert real.query(
        "SELECT count(DISTINCT kode_wilayah), sum(jumlah_penduduk) FROM penduduk_kemendagri "
        "WHERE kode_wilayah NOT LIKE '%.%'"
    ) == [(38, national)]
    # The source's typo is published as written, because a person accepted it in the descriptor.
    assert real.query(
        "SELECT DISTINCT nama_wilayah_sumber FROM penduduk_kemendagri WHERE kode_wilayah = '96'"
    ) == [("Papua Barat Oaya",)]


def test_kemendagri_figures_are_served_by_datasette(datasette_server):
    url = (
        f"{datasette_server.url}/jendela/penduduk_kemendagri.json"
        "?kode_wilayah=32.71&_shape=array&_sort=jenis_kelamin"
    )
    with urllib.request.urlopen(url, timeout=30) as response:
        rows = json.load(response)
    assert [(r["jenis_kelamin"], r["jumlah_penduduk"]) for r in rows] == [
        ("laki-laki", 578_674),
        ("perempuan", 565_434),
    ]
    assert all(r["sumber"].startswith("Dukcapil Kemendagri") for r in rows)


# --- Open Data Jabar: the 2013 rows -----------------------------------------------------------


def test_odj_2013_rows_whose_codes_and_names_disagree_are_quarantined_and_reported(real):
    entry = real.resource("penduduk-jabar-odj", "penduduk_odj")
    assert (entry["rows"], entry["quarantined"]) == (412, 18)  # of 430 source rows
    rows = quarantined(real.quarantine_csv("penduduk-jabar-odj", "penduduk_odj"))
    mismatched = {
        (r["kode_wilayah"], r["nama_wilayah_sumber"])
        for r in rows
        if "region-name-mismatch" in r["masalah"]
    }
    assert mismatched == {
        ("32.71", "KOTA CIMAHI"),
        ("32.72", "KOTA TASIKMALAYA"),
        ("32.74", "KOTA DEPOK"),
        ("32.75", "KOTA BOGOR"),
        ("32.76", "KOTA SUKABUMI"),
        ("32.77", "KOTA CIREBON"),
        ("32.79", "KOTA BEKASI"),
    }
    # Kota Bandung 2013 keeps its own name but a seventh of its population: caught as an outlier,
    # as is Pangandaran 2013 (twice its later size, the year after it split from Ciamis).
    outliers = {(r["kode_wilayah"], r["tahun"]) for r in rows if r["masalah"].startswith("outlier")}
    assert outliers == {("32.73", "2013"), ("32.18", "2013")}
    assert {r["tahun"] for r in rows} == {"2013"}
    # The published table keeps no 2013 city row, and Kota Bogor from 2014 on.
    assert real.query(
        "SELECT count(*) FROM penduduk_odj WHERE tahun = 2013 AND kode_wilayah LIKE '32.7%'"
    ) == [(0,)]
    assert real.query(
        "SELECT jumlah_penduduk FROM penduduk_odj WHERE kode_wilayah = '32.71' AND tahun = 2014 "
        "AND jenis_kelamin = 'laki-laki'"
    ) == [(505_356,)]
    report = real.report("penduduk-jabar-odj", "penduduk_odj")
    first = next(e for e in report["errors"] if e["type"] == "region-name-mismatch")
    assert (first["file"], first["row"], first["column"], first["value"]) == (
        "datasets/penduduk-jabar-odj/source/" + ODJ.rsplit("/", 1)[1],  # the snapshot
        38,
        "kode_wilayah",
        "32.71",
    )
    assert first["message"] == (
        "kode_wilayah 32.71 bernama 'Kota Bogor' dalam tabel wilayah, tetapi baris ini menamainya "
        "'KOTA CIMAHI' / kode_wilayah 32.71 is 'Kota Bogor' in table wilayah, but this row names "
        "it 'KOTA CIMAHI'"
    )


def test_odj_with_a_fail_policy_refuses_the_file_and_names_the_rows(copy_project, realdata):
    """The policy is the dataset's: declared `fail`, the same 2013 rows stop the dataset."""
    descriptor = copy_project / "datasets/penduduk-jabar-odj/datapackage.yaml"
    text = descriptor.read_text()
    assert "      on_error: quarantine\n" in text
    descriptor.write_text(text.replace("      on_error: quarantine\n", "      on_error: fail\n"))
    regions = region_subset_sql(realdata, copy_project / "wilayah.sql", prefixes=("32",))
    output = copy_project / "build"
    result = publish_in(
        copy_project, "build", "penduduk-jabar-odj", "--quiet", "--output", str(output),
        "--source", f"wilayah={regions}",
        "--source", f"penduduk_odj={realdata / ODJ}",
    )  # fmt: skip
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "GAGAL/FAILED penduduk-jabar-odj: 24 masalah/issues" in lines
    assert (
        f"  penduduk-jabar-odj/penduduk_odj | {realdata / ODJ} | baris/row 38 | kolom/column "
        "kode_wilayah: [region-name-mismatch] kode_wilayah 32.71 bernama 'Kota Bogor' dalam "
        "tabel wilayah, tetapi baris ini menamainya 'KOTA CIMAHI' / kode_wilayah 32.71 is "
        "'Kota Bogor' in table wilayah, but this row names it 'KOTA CIMAHI' (nilai/value '32.71')"
    ) in lines


# --- Satu Data Jakarta and Tangerang Selatan --------------------------------------------------


def test_jakarta_names_find_their_kemendagri_codes_or_are_reported(real):
    entry = real.resource("penduduk-satudata-jakarta", "penduduk_satudata_jakarta")
    assert (entry["rows"], entry["quarantined"]) == (172, 7)  # of 179 rows in the slice
    [(code, official)] = real.query(
        "SELECT DISTINCT p.kode_wilayah, w.nama_wilayah FROM penduduk_satudata_jakarta p "
        "JOIN wilayah w USING (kode_wilayah) WHERE p.nama_wilayah_sumber = "
        "'PROVINSI DKI JAKARTA > JAKARTA TIMUR > JATINEGARA > KAMPUNG MELAYU'"
    )
    assert code.startswith("31.75.") and official == "Kampung Melayu"
    assert real.query(
        "SELECT jenis_kelamin, kelompok_umur, jumlah_penduduk FROM penduduk_satudata_jakarta "
        "WHERE nama_wilayah_sumber LIKE '%> KAMPUNG MELAYU'"
    ) == [("laki-laki", "0-4", 1419)]
    rows = quarantined(
        real.quarantine_csv("penduduk-satudata-jakarta", "penduduk_satudata_jakarta")
    )
    assert {r["nama_wilayah_sumber"].split(" > ")[2] for r in rows} == {
        "KRAMAT JATI",
        "MAKASAR",
        "KEP. SERIBU UTR",
        "KEP. SERIBU SLT",
    }
    assert all(r["masalah"].startswith("region-not-found: kode_wilayah:") for r in rows)


def test_tangsel_print_table_becomes_rows_with_its_footnote_as_source(real):
    assert real.query(
        "SELECT kode_wilayah, kelompok_umur, jumlah_penduduk, tahun, periode, sumber "
        "FROM penduduk_tangsel WHERE kode_wilayah IN ('36.74', '36.74.03') ORDER BY 1"
    ) == [
        ("36.74", "60-64", 56_179, 2023, "2023 semester 2", TANGSEL_SOURCE),
        ("36.74.03", "60-64", 12_562, 2023, "2023 semester 2", TANGSEL_SOURCE),
    ]
    assert real.resource("penduduk-tangsel", "penduduk_tangsel")["rows"] == 8
    assert real.report("penduduk-tangsel", "penduduk_tangsel")["valid"]  # the total adds up


TANGSEL_SOURCE = "Data Konsolidasi Bersih (DKB) Kementerian Dalam Negeri Tahun 2023 Semester 2"


def test_a_total_that_does_not_add_up_fails_the_table(copy_project, tmp_path):
    from openpyxl import load_workbook

    sample = copy_project / "datasets/penduduk-tangsel/data/penduduk_usia_kecamatan.xlsx"
    book = load_workbook(sample)
    assert book.active["A10"].value == "32.71"
    book.active["D10"] = book.active["D10"].value + 1
    book.save(sample)
    result = publish_in(
        copy_project, "build", "penduduk-tangsel", "--quiet", "--output", str(tmp_path / "build")
    )
    assert result.returncode == 1
    name = catalog_name(copy_project, sample)  # datasets/<id>/..., not the copy's path
    assert (
        f"  penduduk-tangsel/penduduk_tangsel | {name} | baris/row 10 | kolom/column "
        "jumlah_penduduk: [total-mismatch] 28001 untuk 32.71 bukan jumlah 6 sub-wilayahnya dalam "
        "tabel ini, 28000 / 28001 for 32.71 is not the sum of its 6 sub-regions in this table, "
        "28000 (nilai/value '28001')"
    ) in result.stdout.splitlines()


# --- Open Data Jabar poverty tables and region areas ------------------------------------------


def test_poverty_tables_multiply_thousands_out_exactly(real):
    rows = {
        name: real.resource("kemiskinan-jabar-odj", name)["rows"]
        for name in ("penduduk_miskin_odj", "garis_kemiskinan_odj", "pengeluaran_per_kapita_odj")
    }
    assert rows == {
        "penduduk_miskin_odj": 513,
        "garis_kemiskinan_odj": 81,
        "pengeluaran_per_kapita_odj": 294,
    }
    assert real.query(
        "SELECT jumlah_penduduk_miskin FROM penduduk_miskin_odj "
        "WHERE kode_wilayah = '32.01' AND tahun = 2002"
    ) == [(451_300,)]  # "451.3" RIBU JIWA


def test_region_areas_keep_float_codes_they_can_read_and_quarantine_the_rest(real):
    entry = real.resource("luas-wilayah", "luas_wilayah")
    assert (entry["rows"], entry["quarantined"]) == (548, 4)
    # "31.0" was a float: it is province 31. "111.366" is a decimal point, not thousands.
    assert real.query(
        "SELECT kode_wilayah, luas_km2 FROM luas_wilayah WHERE kode_wilayah IN ('31', '32.71') "
        "ORDER BY 1"
    ) == [("31", 661.53), ("32.71", 111.366)]
    rows = quarantined(real.quarantine_csv("luas-wilayah", "luas_wilayah"))
    assert [(r["sumber_baris"], r["nama_wilayah_sumber"]) for r in rows] == [
        ("57", "Kabupaten Aceh Singkil"),
        ("83", "Kabupaten Labuhanbatu"),
        ("93", "Kabupaten Padang Lawas Utara"),
        ("141", "Kabupaten Kepulauan Meranti"),
    ]
    assert all("a trailing zero seems lost to a float conversion" in r["masalah"] for r in rows)


# --- one shape, labelled ----------------------------------------------------------------------


def test_population_tables_share_one_tidy_shape_and_label_every_figure(real):
    for table in POPULATION_TABLES:
        columns = [row[1] for row in real.query(f"PRAGMA table_info([{table}])")]
        assert columns == TIDY, table
        assert real.query(
            f"SELECT count(*) FROM [{table}] WHERE sumber IS NULL OR periode IS NULL "
            "OR satuan IS NULL"
        ) == [(0,)], table
    sources = {
        table: {s for (s,) in real.query(f"SELECT DISTINCT sumber FROM [{table}]")}
        for table in POPULATION_TABLES
    }
    assert all(len(labels) == 1 for labels in sources.values()), sources
    assert len({next(iter(labels)) for labels in sources.values()}) == len(POPULATION_TABLES)


def test_population_samples_are_labelled_as_sample_data():
    root = SAMPLE_CATALOG
    for dataset in ("penduduk-kemendagri", "penduduk-jabar-odj", "penduduk-satudata-jakarta",
                    "penduduk-tangsel", "kemiskinan-jabar-odj"):  # fmt: skip
        descriptor = yaml.safe_load((root / dataset / "datapackage.yaml").read_text())
        assert descriptor["jendela"]["sample"] is True, dataset
        assert "contoh" not in descriptor["title"].lower(), dataset
