"""The `table` reader: spreadsheet-shaped government tables as people actually save them.

Tables downloaded from BPS and regional portals are made for the eye, not for machines, and the
same quirks come back in file after file:

- the extension lies: BPS "download as Excel" saves an HTML page as `.xls`, so the format is
  sniffed from the first bytes, never taken from the name;
- a UTF-8 byte-order mark, CRLF line ends, and `;` instead of `,` (`delimiter: auto` picks the
  candidate that splits the header line into most cells);
- lines before the header: a title, a blank line, a line of only `;;;` (`skip_rows` plus every
  line with no text is skipped);
- headers on several lines (`header_rows: 3`), as in a BPS web table::

      Kab/Kota,
      ,Jumlah Penduduk Menurut Kabupaten/Kota di Provinsi DKI Jakarta (Jiwa)
      ,2023

  where a column's name is its lowest non-empty header cell (`Kab/Kota`, `2023`): the title
  above the years is a caption, not a name;
- years as columns (`melt`), where DESIGN rule 4 wants them as rows::

      melt: {id: [nama_wilayah_sumber], var_name: tahun, value_name: jumlah_penduduk,
             var_pattern: "[0-9]{4}"}

  names the first len(id) columns by position (each BPS table calls its label column something
  else: "Kab/Kota", "Kabupaten/Kota Se Jawa Timur") and turns every other column into one row per
  label and column, keeping the source line number so errors still name the line to open.

Every cell leaves as text, like every other reader; types come from the Table Schema.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from . import ROW_COLUMN, ReaderError, chunked, encoding_error, reader, select_sheet

DELIMITERS = [",", ";", "\t", "|"]
_SNIFF_BYTES = 2048


def sniff_format(path: Path) -> str:
    """What the file is, from its first bytes: xlsx, xls (BIFF), html or text.

    >>> sniff_format(Path("bps_gariskemiskinanjabar.xls"))  # an HTML page named .xls
    'html'
    """
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if (
        text.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml"))
        or b"<html" in text[:200]
    ):
        return "html"
    return "text"


def _format_error(path: Path, found: str) -> ReaderError:
    what = {
        "html": "an HTML page (a web table saved with a spreadsheet extension, as the BPS site's "
        "'download as Excel' does), not a spreadsheet",
        "xls": "an old binary Excel 97-2003 workbook (.xls), which is not read",
    }[found]
    return ReaderError(
        f"{path.name}: berkas ini {('halaman HTML' if found == 'html' else 'workbook .xls lama')}"
        f", bukan tabel yang bisa dibaca / this file is {what}. Buka di program lembar kerja dan "
        "simpan sebagai .xlsx atau CSV, lalu tunjuk berkas itu / open it in a spreadsheet "
        "program, save it as .xlsx or CSV, and point the source at that file"
    )


def _text_rows(path: Path, options: dict) -> list[tuple[int, list[str]]]:
    encoding = options.get("encoding", "utf-8-sig")
    try:
        text = path.read_text(encoding=encoding)
    except UnicodeDecodeError as exc:
        raise encoding_error(path, encoding, exc) from None
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    delimiter = options.get("delimiter", "auto")
    if delimiter == "auto":
        delimiter = _sniff_delimiter(lines[int(options.get("skip_rows", 0)) :])
    rows = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    return [(number, row) for number, row in enumerate(rows, start=1)]


def _sniff_delimiter(lines: list[str]) -> str:
    """The candidate that splits the first line with text into most cells (`,` on a tie)."""
    for line in lines:
        if any(ch.isalnum() for ch in line):
            return max(DELIMITERS, key=lambda d: (line.count(d), d == ","))
    return ","


def _sheet_rows(path: Path, options: dict) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not xlsx
        raise ReaderError(f"{path.name}: not a readable .xlsx workbook ({exc})") from None
    try:
        sheet = select_sheet(book, options, path)
        return [
            (number, [_cell_text(c) for c in row])
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        book.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _blank(row: list[str]) -> bool:
    return all(not cell.strip() for cell in row)


def _header_names(lines: list[list[str]], width: int) -> list[str]:
    """Per column, the lowest non-empty cell of the header lines (whitespace collapsed)."""
    names = []
    for column in range(width):
        cells = [line[column] if column < len(line) else "" for line in lines]
        filled = [" ".join(c.split()) for c in cells if c.strip()]
        names.append(filled[-1] if filled else "")
    return names


def table_frame(path: Path, options: dict) -> pd.DataFrame:
    """The whole table as text columns plus ROW_COLUMN (the source line or sheet row)."""
    found = sniff_format(path)
    if found in ("html", "xls"):
        raise _format_error(path, found)
    rows = _sheet_rows(path, options) if found == "xlsx" else _text_rows(path, options)
    rows = rows[int(options.get("skip_rows", 0)) :]
    while rows and _blank(rows[0][1]):
        rows = rows[1:]
    header_rows = int(options.get("header_rows", 1))
    if len(rows) < header_rows:
        raise ReaderError(f"{path.name}: no header found (expected {header_rows} header line(s))")
    # Blank lines inside the header count (merged cells leave them empty); blank data lines not.
    header = rows[:header_rows]
    body = [(number, row) for number, row in rows[header_rows:] if not _blank(row)]
    width = max(len(row) for _, row in rows) if rows else 0
    names = _header_names([row for _, row in header], width)
    cells = [row + [""] * (width - len(row)) for _, row in body]
    frame = pd.DataFrame(cells, columns=range(width), dtype=object)
    keep = [i for i, name in enumerate(names) if name or frame[i].str.strip().ne("").any()]
    unnamed = [i for i in keep if not names[i]]
    if unnamed and "melt" not in options:
        raise ReaderError(
            f"{path.name}: kolom {unnamed[0] + 1} berisi data tanpa judul / column "
            f"{unnamed[0] + 1} holds data but has no header (header line "
            f"{header[-1][0]}); check options.skip_rows and options.header_rows"
        )
    frame = frame[keep]
    frame.columns = [names[i] for i in keep]
    frame.insert(0, ROW_COLUMN, [number for number, _ in body])
    if "melt" in options:
        frame = _melt(frame, options["melt"], path)
    return frame.reset_index(drop=True)


def _melt(frame: pd.DataFrame, spec: dict, path: Path) -> pd.DataFrame:
    """Wide to long: the first len(spec.id) columns named by position, the rest become rows."""
    ids = list(spec.get("id") or [])
    var_name, value_name = spec.get("var_name", "variabel"), spec.get("value_name", "nilai")
    columns = [c for c in frame.columns if c != ROW_COLUMN]
    if len(columns) <= len(ids):
        raise ReaderError(
            f"{path.name}: melt needs columns after the {len(ids)} id column(s); "
            f"found only {', '.join(columns)}"
        )
    values = columns[len(ids) :]
    if any(not name for name in values):
        raise ReaderError(
            f"{path.name}: a value column has no header, so its {var_name} is unknown; "
            "check options.header_rows"
        )
    pattern = spec.get("var_pattern")
    wrong = [v for v in values if pattern and not re.fullmatch(pattern, v)]
    if wrong:
        raise ReaderError(
            f"{path.name}: kolom {wrong[0]!r} bukan {var_name} / column {wrong[0]!r} is not a "
            f"{var_name} (expected headers matching {pattern}, such as the years of a BPS table "
            f"after the {', '.join(ids)} column); the file has columns {', '.join(columns)}: "
            "is it the table the descriptor expects, with its header on the line options say?"
        )
    renamed = frame.copy()
    renamed.columns = [ROW_COLUMN, *ids, *[f"\0{v}" for v in values]]
    long = renamed.melt(
        id_vars=[ROW_COLUMN, *ids], var_name=var_name, value_name=value_name, ignore_index=False
    )
    long[var_name] = long[var_name].str[1:]
    order = {name: position for position, name in enumerate(values)}
    long["_order"] = long[var_name].map(order)
    long["_line"] = long.index
    long = long.sort_values(["_line", "_order"], kind="stable")
    return long.drop(columns=["_order", "_line"])


@reader("table")
def read_table(path: Path, options: dict, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """A messy table (CSV, TSV or XLSX, sniffed). Options: encoding, delimiter (default auto),
    sheet, skip_rows, header_rows (default 1), melt {id, var_name, value_name, var_pattern}.

    These tables are small by nature (a web table, one sheet), so the file is read whole.
    """
    yield from chunked(table_frame(path, options), chunk_rows)
