"""`<table>.xlsx`: one sheet of typed cells and one data dictionary sheet, from the loaded table.

XLSX is the slowest download to write (about 45 s of a 1,000,000-row build, issue 15): every cell
is a Python call into XlsxWriter. It therefore reads the table in short chunks of rows
(stages/rowid_chunks.py), so it can run in another process (stages/export_jobs.py) while the
build goes on writing the same database, its memory one chunk. Run in the build process it
reads through the build's own connection the same way, so both give the same bytes.
"""

from __future__ import annotations

import datetime
import sqlite3
from pathlib import Path

from ..core.csv_safety import XLSX_TEXT_OPTIONS
from ..core.markdown import markdown_text
from .rowid_chunks import CHUNK_ROWS, table_rows

# Excel's sheet holds 1,048,576 rows; one is the header. A bigger table gets no XLSX at all rather
# than a silently truncated one.
XLSX_MAX_ROWS = 1_048_575
XLSX_MAX_CHARS = 32_767  # the most text one Excel cell holds; XlsxWriter cuts the rest

# Zip entries carry a timestamp; a fixed one keeps the archive byte-identical between builds.
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def write_xlsx(
    conn: sqlite3.Connection,
    table: str,
    fields: list[dict],
    path: Path,
    chunk: int = CHUNK_ROWS,
) -> None:
    """One sheet of typed cells (numbers stay numbers, codes stay text), one data dictionary sheet.

    XlsxWriter in constant-memory mode writes each row to disk as it goes and stores strings
    inline, so a million rows cost no more memory than one (openpyxl's write-only mode keeps a
    shared-strings table of every distinct text). Text starting with "=" stays text, never a
    formula (formula injection), and the document date is fixed so the bytes are reproducible.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, **XLSX_TEXT_OPTIONS})
    workbook.set_properties({"created": datetime.datetime(*FIXED_ZIP_TIME)})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet = workbook.add_worksheet(table[:31])
    names = [f["name"] for f in fields]
    dates = [i for i, f in enumerate(fields) if f.get("type") == "date"]
    sheet.write_row(0, 0, names)
    for number, row in enumerate(table_rows(conn, table, names, chunk), start=1):
        sheet.write_row(number, 0, row)
        for column in dates:
            if row[column]:
                value = datetime.datetime.fromisoformat(row[column])
                sheet.write_datetime(number, column, value, date_format)
    dictionary = workbook.add_worksheet("kamus_data")
    dictionary.write_row(0, 0, ["kolom/column", "tipe/type", "satuan/unit", "keterangan",
                                "description"])  # fmt: skip
    for number, f in enumerate(fields, start=1):
        ext = f.get("jendela") or {}
        dictionary.write_row(
            number,
            0,
            [
                f["name"],
                f.get("type", "string"),
                ext.get("unit", ""),
                # plain text: a spreadsheet shows no Markdown, so no backticks or asterisks
                markdown_text(f.get("description", "")),
                markdown_text((ext.get("en") or {}).get("description", "")),
            ],
        )
    workbook.close()


def write_xlsx_from_file(
    database: str, table: str, fields: list[dict], path: str, chunk: int = CHUNK_ROWS
) -> None:
    """The worker's entry: open the database read-only (a connection cannot cross processes),
    wait as long as the builder writes between two chunks, and write the XLSX."""
    uri = Path(database).resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=3600)
    try:
        write_xlsx(conn, table, fields, Path(path), chunk)
    finally:
        conn.close()
