"""Issue 12 item 4: bad inputs fail clearly, naming file, row and column, and nothing crashes the
run: empty, header-only and shrunk inputs (stages/row_count.py), ragged rows (readers/ csv),
HTML/PDF/binary where CSV was expected (readers/sniff.py), cells over the size limit, a 50 MB
cell; previews shorten long text and no export cuts a value.
"""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3
import zipfile

import pytest
import yaml
from conftest import ROOT, catalog_name, publish_in
from dataset_factory import add_dataset, field

from pipelines.core.release import current_release

HEADER = "kode,nama,jumlah\n"


def rows_text(count: int, start: int = 1) -> str:
    return "".join(f"K{i},Nama {i},{i * 10}\n" for i in range(start, start + count))


@pytest.fixture
def project(tmp_path):
    (tmp_path / "datasets").mkdir()
    shutil.copytree(ROOT / "metadata", tmp_path / "metadata")
    return tmp_path


def table(project, text: str | bytes, dataset_id: str = "uji-masukan", **resource):
    add_dataset(
        project,
        dataset_id,
        {"data/masukan.csv": text},
        [field("kode"), field("nama"), field("jumlah", "integer")],
        resource=resource,
    )


def build(project, *args):
    result = publish_in(project, "build", "--output", str(project / "build"), *args)
    return result, result.stdout + result.stderr


def published_rows(project, name: str = "uji_masukan") -> list[tuple]:
    with sqlite3.connect(current_release(project / "build") / "jendela.db") as conn:
        return conn.execute(f"select kode, nama, jumlah from {name} order by rowid").fetchall()


def source_rows(text: str) -> list[tuple]:
    return [(r["kode"], r["nama"], int(r["jumlah"])) for r in csv.DictReader(io.StringIO(text))]


def test_a_header_only_input_fails_and_keeps_the_published_rows(project):
    good = HEADER + rows_text(3)
    table(project, good)
    assert build(project)[0].returncode == 0
    table(project, HEADER)
    result, text = build(project)
    assert result.returncode == 1
    assert "GAGAL/FAILED uji-masukan: 1 masalah/issues (rilis sebelumnya tetap terbit" in text
    assert (
        "[too-few-rows] tabel uji_masukan: tidak ada satu baris data pun / table uji_masukan: "
        "it has no data rows at all" in text
    )
    assert published_rows(project) == source_rows(good)
    result, text = build(project, "--accept-fewer-rows")
    assert result.returncode == 0, text
    assert (
        "LEBIH SEDIKIT/FEWER ROWS uji-masukan/uji_masukan: 0 baris/rows (sebelumnya/previously 3), "
        "diterima/accepted" in text
    )
    assert published_rows(project) == []


def test_an_empty_file_fails_naming_it(project):
    table(project, "")
    result, text = build(project)
    assert result.returncode == 1
    assert (
        "masukan.csv: berkas kosong, tanpa baris judul / the file is empty, it has no header"
        in (text)
    )


def test_a_shrunk_input_fails_past_the_threshold_with_the_counts(project):
    table(project, HEADER + rows_text(10))
    assert build(project)[0].returncode == 0
    smaller = HEADER + rows_text(4)
    table(project, smaller)
    result, text = build(project)
    assert result.returncode == 1
    assert (
        "table uji_masukan: 4 rows where the previous release published 10 (down 60,0%, "
        "limit 50%)" in text
    )
    assert len(published_rows(project)) == 10
    table(project, smaller, max_row_drop_pct=70)  # this table may lose up to 70%
    assert build(project)[0].returncode == 0
    assert published_rows(project) == source_rows(smaller)


RAGGED = HEADER + "K1,Satu,10\nK2,Dua\nK3,Tiga,30,lebih\nK4,Empat,40\nK5\n"


def test_missing_and_extra_cells_name_every_row_and_column(project):
    table(project, RAGGED)
    result, text = build(project)
    assert result.returncode == 1
    lines = [line.strip() for line in text.splitlines() if "-cell]" in line]
    file = catalog_name(project, project / "datasets/uji-masukan/data/masukan.csv")
    assert lines == [
        f"uji-masukan/uji_masukan | {file} | baris/row 3 | kolom/column jumlah: [missing-cell] "
        "baris ini punya 2 sel, judulnya 3: sel kolom jumlah tidak ada / this row has 2 cells "
        "where the header has 3: the cell of column jumlah is missing (nilai/value 'K2,Dua')",
        f"uji-masukan/uji_masukan | {file} | baris/row 4 | kolom/column #4: [extra-cell] "
        "baris ini punya 4 sel, judulnya 3: sel ke-4 tidak punya judul kolom / this row has 4 "
        "cells where the header has 3: cell 4 has no column header "
        "(nilai/value 'K3,Tiga,30,lebih')",
        f"uji-masukan/uji_masukan | {file} | baris/row 6 | kolom/column nama: [missing-cell] "
        "baris ini punya 1 sel, judulnya 3: sel kolom nama tidak ada / this row has 1 cells "
        "where the header has 3: the cell of column nama is missing (nilai/value 'K5')",
        f"uji-masukan/uji_masukan | {file} | baris/row 6 | kolom/column jumlah: [missing-cell] "
        "baris ini punya 1 sel, judulnya 3: sel kolom jumlah tidak ada / this row has 1 cells "
        "where the header has 3: the cell of column jumlah is missing (nilai/value 'K5')",
    ]
    assert "C error" not in text and "Expected" not in text and "__file__" not in text


def test_ragged_rows_are_quarantined_with_their_raw_text(project):
    table(project, RAGGED, on_error="quarantine")
    result, text = build(project)
    assert result.returncode == 0, text
    assert published_rows(project) == [("K1", "Satu", 10), ("K4", "Empat", 40)]
    release = current_release(project / "build")
    path = release / "site/downloads/uji-masukan/uji_masukan.quarantine.csv"
    kept = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    raw = {(row[1], row[-1]) for row in kept[1:]}
    assert raw == {("3", "K2,Dua"), ("4", "K3,Tiga,30,lebih"), ("6", "K5")}


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (
            b"<!DOCTYPE html>\n<html><head><title>Login</title></head><body>Silakan masuk"
            b"</body></html>\n",
            "berkas ini halaman HTML, bukan tabel CSV / this file is an HTML page, not a CSV table",
        ),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "this file is PDF, not a CSV table"),
        (_zip_bytes(), "this file is a ZIP archive (such as XLSX or DOCX), not a CSV table"),
        (b"kode,nama\x00\x01\x02,jumlah\n", "this file is a binary file, not a CSV table"),
    ],
)
def test_html_pdf_and_binary_files_are_named(project, content, what):
    table(project, content)
    result, text = build(project)
    assert result.returncode == 1
    assert "masukan.csv: berkas ini " in text and what in text
    assert "__file__" not in text and "Traceback" not in text


def test_a_cell_over_the_size_limit_fails_naming_row_and_column(project):
    long = "x" * 40_000  # over the default 32,767
    table(project, HEADER + f"K1,{long},10\nK2,Dua,20\n")
    result, text = build(project)
    assert result.returncode == 1
    assert (
        "baris/row 2 | kolom/column nama: [cell-too-long] sel ini 40.000 karakter, lebih dari "
        "batas 32.767 / this cell has 40.000 characters, over the limit of 32.767" in text
    )
    assert long not in text


def long_text_table(project, text: str, **resource):
    """The test table, its `nama` allowed cells longer than an XLSX cell holds (100,000)."""
    add_dataset(
        project,
        "uji-masukan",
        {"data/masukan.csv": text},
        [field("kode"), field("nama", max_cell_chars=100_000), field("jumlah", "integer")],
        resource=resource,
    )


@pytest.mark.parametrize("followed", [False, True], ids=["read-first", "worker-follows"])
def test_a_field_may_allow_longer_cells_then_xlsx_is_left_out_and_previews_shorten(
    project, monkeypatch, followed
):
    """Without an XLSX rather than with a cut cell. `worker-follows`: an export worker starts
    the XLSX on the first one-row chunk (table_build._follow_with_xlsx), and the build withdraws
    it when the second chunk brings the long cell."""
    long = "Uraian panjang " + "y" * 40_000
    rows = [f"K1,{long},10\n", "K2,Dua,20\n"]
    if followed:
        rows.reverse()
        for name, value in (("JENDELA_CHUNK_ROWS", "1"), ("JENDELA_EXPORT_WORKERS", "1"),
                            ("JENDELA_EXPORT_WORKER_ROWS", "0")):  # fmt: skip
            monkeypatch.setenv(name, value)
    long_text_table(project, HEADER + "".join(rows))
    result, text = build(project)
    assert result.returncode == 0, text
    assert long in [row[1] for row in published_rows(project)]  # whole in SQLite
    release = current_release(project / "build")
    downloads = release / "site/downloads/uji-masukan"
    assert not (downloads / "uji_masukan.xlsx").exists()
    assert sorted(csv.reader(io.StringIO((downloads / "uji_masukan.csv").read_text())))[0][1] == (
        long
    )
    page = (release / "site/dataset/uji-masukan/index.html").read_text(encoding="utf-8")
    assert long not in page and long[:300] + "…" in page
    assert "batas satu sel Excel" in page
    manifest = (release / "manifest.json").read_text()
    assert '"format": "xlsx"' not in manifest.split('"uji-masukan"')[1]


def test_a_long_cell_only_in_a_quarantined_row_leaves_the_xlsx(project):
    """The read measures every text cell it writes; the one over Excel's limit is in a row that
    quarantine then takes out (its `jumlah` is not a number), so the rows published all fit a
    cell and the table keeps its XLSX, as the staging file read again says."""
    long = "Uraian panjang " + "y" * 40_000
    text = HEADER + f"K1,{long},bukan angka\nK2,Dua,20\nK3,Tiga,30\n"
    long_text_table(project, text, on_error="quarantine")
    result, text = build(project)
    assert result.returncode == 0, text
    assert published_rows(project) == [("K2", "Dua", 20), ("K3", "Tiga", 30)]
    downloads = current_release(project / "build") / "site/downloads/uji-masukan"
    assert (downloads / "uji_masukan.xlsx").exists()
    assert long in (downloads / "uji_masukan.quarantine.csv").read_text(encoding="utf-8")


def test_a_row_longer_than_the_read_blocks_is_published_whole(project):
    """CSV files are streamed in 256 KB blocks (core/chunks.py) and a row must fit in two: a 3 MB
    cell that its field allows is read again with large blocks by every stage that streams the
    file (read, load, the formula scan, Parquet), and published whole, each row once."""
    import pyarrow.parquet as pq

    long = "Uraian " + "y" * (3 << 20)
    rows = rows_text(20_000) + f"K0,{long},5\n" + rows_text(20_000, start=20_001)
    add_dataset(
        project,
        "uji-masukan",
        {"data/masukan.csv": HEADER + rows},
        [field("kode"), field("nama", max_cell_chars=4 << 20), field("jumlah", "integer")],
    )
    result, text = build(project)
    assert result.returncode == 0, text
    expected = source_rows(HEADER + rows)
    assert published_rows(project) == expected
    downloads = current_release(project / "build") / "site/downloads/uji-masukan"
    parquet = pq.read_table(downloads / "uji_masukan.parquet")
    assert list(zip(*parquet.to_pydict().values(), strict=True)) == expected
    assert (
        parquet.num_rows == 40_001
        and pq.ParquetFile(downloads / "uji_masukan.parquet").num_row_groups == 1
    )


def test_a_50_mb_cell_fails_its_dataset_only(project):
    huge = "z" * (50 * 1024 * 1024)
    table(project, HEADER + f"K1,{huge},10\n")
    good = HEADER + rows_text(2)
    table(project, good, dataset_id="uji-baik")
    path = project / "datasets/uji-baik/datapackage.yaml"
    descriptor = yaml.safe_load(path.read_text())
    descriptor["resources"][0]["name"] = "uji_baik"
    path.write_text(yaml.safe_dump(descriptor, allow_unicode=True))
    result, text = build(project)
    assert result.returncode == 1
    assert "GAGAL/FAILED uji-masukan" in text and "OK    uji-baik" in text
    assert "Traceback" not in text
    assert "[cell-too-long]" in text
    assert published_rows(project, "uji_baik") == source_rows(good)
