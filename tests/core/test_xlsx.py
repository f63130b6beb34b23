"""core/xlsx.py: every XLSX we write, read back by openpyxl (an independent reader) and
checked as a zip archive; the same rows give the same bytes whatever the clock says."""

from __future__ import annotations

import datetime
import io
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from pipelines.core.xlsx import FIXED_DOCUMENT_DATE, Sheet, _fix_document_dates, write_workbook

COLUMNS = ["kode", "nilai_rp", "rasio", "tanggal", "aktif", "kosong", "teks"]
ROWS = [
    ("32.71", 2_677_583_469_000, 0.125, datetime.datetime(2024, 8, 17), True, None, "=SUM(A1)"),
    ("007", -5, 1e-300, datetime.datetime(1999, 12, 31), False, None, "  spasi  "),
    ("32.71.01", 2**53, -0.0, None, None, None, "baris\nbaru \u0001 kendali"),
]


# XML cannot hold a control character: Excel's own escape _xHHHH_ stands for it, which Excel
# shows as the character and openpyxl leaves as written.
AS_STORED = {"baris\nbaru \u0001 kendali": "baris\nbaru _x0001_ kendali"}


def _book(tmp_path: Path, rows=ROWS, name="t.xlsx") -> Path:
    path = tmp_path / name
    dictionary = Sheet("kamus_data", ["kolom/column", "tipe/type"], [("kode", "string")])
    write_workbook(path, [Sheet("apbd", COLUMNS, iter(rows)), dictionary])
    return path


def test_every_cell_comes_back_with_its_value_and_type(tmp_path):
    book = openpyxl.load_workbook(_book(tmp_path))
    assert book.sheetnames == ["apbd", "kamus_data"]
    sheet = book["apbd"]
    values = list(sheet.values)
    assert list(values[0]) == COLUMNS
    for written, read in zip(ROWS, values[1:], strict=True):
        for value, back in zip(written, read, strict=True):
            if value is None or isinstance(value, bool | str | datetime.datetime):
                expected = AS_STORED.get(value, value) if isinstance(value, str) else value
                assert back == expected and type(back) is type(value), (value, back)
            else:  # a number cell: Excel holds a double, openpyxl may read 5 as 5.0
                assert back == value and type(back) in (int, float), (value, back)
    assert sheet["G2"].data_type == "s" and sheet["G2"].value == "=SUM(A1)"  # never a formula
    assert sheet["D2"].is_date and sheet["D2"].number_format == "yyyy-mm-dd"
    assert sheet["E2"].data_type == "b"
    assert list(book["kamus_data"].values) == [("kolom/column", "tipe/type"), ("kode", "string")]


def test_a_sheet_with_no_rows_keeps_its_header(tmp_path):
    book = openpyxl.load_workbook(_book(tmp_path, rows=[]))
    assert list(book["apbd"].values) == [tuple(COLUMNS)]


def test_the_same_rows_give_the_same_bytes_at_another_time(tmp_path):
    first = _book(tmp_path, name="a.xlsx")
    time.sleep(1.1)  # the writer's clock has seconds: a second later it would stamp another time
    second = _book(tmp_path, name="b.xlsx")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert archive.testzip() is None
        core = archive.read("docProps/core.xml").decode()
        assert f">{FIXED_DOCUMENT_DATE}</dcterms:created>" in core
        assert f">{FIXED_DOCUMENT_DATE}</dcterms:modified>" in core
        assert {e.date_time for e in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    buffer = io.BytesIO()
    write_workbook(buffer, [Sheet("apbd", COLUMNS, ROWS), Sheet("kamus_data", ["kolom/column",
                   "tipe/type"], [("kode", "string")])])  # fmt: skip
    assert buffer.getvalue() == first.read_bytes()


def test_document_properties_not_at_the_end_are_refused(tmp_path):
    """The date fix cuts the archive where docProps/ starts: with a sheet after it, that would
    drop the sheet, so it stops instead."""
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("docProps/core.xml", "<created>2026-12-06T18:21:48Z</created>")
        archive.writestr("xl/worksheets/sheet1.xml", "<sheet/>")
    before = path.read_bytes()
    with pytest.raises(ValueError, match="docProps/ is not at the end"):
        _fix_document_dates(path)
    assert path.read_bytes() == before
