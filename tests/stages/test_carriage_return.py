"""A text cell holding a carriage return stays one cell, in every CSV the build writes.

Python's csv module quotes a field for "\\n" but not for a bare "\\r" when rows end in "\\n"; every
reader then takes the "\\r" for a row's end. A correct source (the cells quoted) used to fail with
"required" errors on the halves of a split row. Here one small table holds such cells in a good
row, in a row a formula neutralises (so the download CSV is rewritten, not copied), in a row that
is quarantined, and beside a "\\r\\n"; each must come back whole from SQLite, the download CSV,
the quarantine file and the CSV inside the datapackage, read by Python's csv module.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile

import pytest
from dataset_factory import build_one_dataset, field

from pipelines.core.csv_lines import RowWriter, write_frame
from pipelines.core.release import current_release

SOURCE = (
    "kode,keterangan,jumlah\n"
    'C1,"baris satu\rbaris dua",1\n'
    'C2,"=awal\rakhir",2\n'
    'C3,"windows\r\nbaris",3\n'
    'C4,"rusak\rsekali",bukan angka\n'
    "C5,biasa,5\n"
)
# The source as Python's csv module reads it: one row per record, cells whole.
SOURCE_ROWS = list(csv.DictReader(io.StringIO(SOURCE, newline="")))
GOOD = [r for r in SOURCE_ROWS if r["kode"] != "C4"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    output = build_one_dataset(
        tmp_path_factory.mktemp("carriage"),
        "uji-cr",
        {"data/cr.csv": SOURCE},
        [field("kode"), field("keterangan"), field("jumlah", "integer")],
        resource={"on_error": "quarantine"},
    )
    return current_release(output)


def _csv(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_source_holds_what_the_test_says():
    assert [r["keterangan"] for r in SOURCE_ROWS][:4] == [
        "baris satu\rbaris dua", "=awal\rakhir", "windows\r\nbaris", "rusak\rsekali",
    ]  # fmt: skip


def test_sqlite_holds_every_good_row_whole(built):
    db = sqlite3.connect(built / "jendela.db")
    rows = db.execute("SELECT kode, keterangan, jumlah FROM uji_cr ORDER BY rowid").fetchall()
    assert rows == [(r["kode"], r["keterangan"], int(r["jumlah"])) for r in GOOD]


def test_download_csv_and_package_csv_keep_each_cell_whole(built):
    """The download is rewritten (a formula is neutralised); the zip's CSV is the same file."""
    downloads = built / "site" / "downloads" / "uji-cr"
    rows = _csv(downloads / "uji_cr.csv")
    assert [r["kode"] for r in rows] == [r["kode"] for r in GOOD]
    by_code = {r["kode"]: r["keterangan"] for r in rows}
    assert by_code["C1"] == "baris satu\rbaris dua"
    assert by_code["C2"] == "'=awal\rakhir"  # neutralised, and still whole
    assert by_code["C3"] == "windows\r\nbaris"
    with zipfile.ZipFile(downloads / "uji-cr.zip") as archive:
        inside = [n for n in archive.namelist() if n.endswith("/uji_cr.csv") or n == "uji_cr.csv"]
        assert (
            len(inside) == 1 and archive.read(inside[0]) == (downloads / "uji_cr.csv").read_bytes()
        )


def test_the_quarantined_row_is_whole_in_the_quarantine_file(built):
    rows = _csv(built / "site" / "downloads" / "uji-cr" / "uji_cr.quarantine.csv")
    assert [(r["kode"], r["keterangan"], r["sumber_baris"]) for r in rows] == [
        ("C4", "rusak\rsekali", "5")
    ]
    assert "bukan angka" in rows[0]["masalah"]  # the cell that failed, named in the reason


def test_writers_quote_a_carriage_return_and_nothing_else_changes():
    """Beside the csv module's own output for "\\n" rows: the same bytes, except that a field
    with a carriage return is quoted."""
    import pandas as pd

    frame = pd.DataFrame({"a": ["x\ry", "plain", None, 'q"uote'], "b": [1.5, 2.0, None, 4.0]})
    out = io.StringIO()
    write_frame(frame, out)
    assert out.getvalue() == '"x\ry",1.5\nplain,2.0\n,\n"q""uote",4.0\n'
    reference = io.StringIO()
    frame.iloc[1:].to_csv(reference, header=False, index=False, lineterminator="\n")
    assert out.getvalue().endswith(reference.getvalue())
    rows = io.StringIO()
    writer = RowWriter(rows)
    writer.writerow(["a\rb", "c\nd", "e", None])
    writer.writerow(["plain", "", 3, "x,y"])
    assert rows.getvalue() == '"a\rb","c\nd",e,\nplain,,3,"x,y"\n'
