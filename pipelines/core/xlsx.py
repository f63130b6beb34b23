"""Every XLSX we write (the build's downloads, the server's filtered exports), one way.

The workbook is written by rust_xlsxwriter (through rustpy-xlsxwriter): a million rows of a
national tender table take about a tenth of XlsxWriter's time, where every cell was a Python call
(issue 15). Each cell keeps its Python type: numbers are numbers, text is an inline string and
never a formula, a link or a number, None is a blank; dates are `datetime` values shown as
yyyy-mm-dd. Rows stream through in constant memory.

rust_xlsxwriter stamps the document's creation time (docProps/core.xml) with the clock, and its
Python binding offers no way to set it; `_fix_document_dates` rewrites the two small document
property entries at the end of the archive with a fixed date, so the same rows give the same
bytes, without compressing the sheets again.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import pandas as pd

DATE_FORMAT = "yyyy-mm-dd"
SHEET_NAME_MAX = 31  # Excel's limit on a sheet name
# The earliest time a zip entry can carry, used for the document too: no clock in the bytes.
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_DOCUMENT_DATE = "1980-01-01T00:00:00Z"
_W3CDTF = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_PROPERTIES = "docProps/"


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its name, the header row, and the rows (tuples in `columns` order)."""

    name: str
    columns: list[str]
    rows: Iterable[tuple]


def _records(sheet: Sheet):
    """The binding takes dicts (a stream of them, in constant memory), or a DataFrame; a sheet
    with no rows goes as an empty DataFrame, the only form that still writes the header."""
    rows: Iterator[tuple] = iter(sheet.rows)
    first = next(rows, None)
    if first is None:
        return pd.DataFrame(columns=sheet.columns)
    names = sheet.columns
    return (dict(zip(names, row, strict=True)) for row in chain([first], rows))


def write_workbook(target: Path | io.BytesIO, sheets: list[Sheet]) -> None:
    """Write `sheets` into `target` (a file path or a seekable buffer), byte-reproducibly."""
    from rustpy_xlsxwriter import FastExcel

    book = FastExcel(str(target) if isinstance(target, Path) else target)
    book.format(datetime_format=DATE_FORMAT)
    for sheet in sheets:
        book.sheet(sheet.name[:SHEET_NAME_MAX], _records(sheet))
    book.save()
    _fix_document_dates(target)


def _fix_document_dates(target: Path | io.BytesIO) -> None:
    """Replace the clock time in the docProps/ entries with FIXED_DOCUMENT_DATE.

    The writer puts docProps/ last in the archive, so the archive is cut where they start and
    they are written again there with a new central directory; the sheets before them are not
    touched. zipfile's append mode writes new entries at `start_dir` (the start of the central
    directory); moving it back to the first docProps/ entry is how the old entries are dropped.
    """
    handle = open(target, "r+b") if isinstance(target, Path) else target  # noqa: SIM115
    try:
        handle.seek(0)
        with zipfile.ZipFile(handle, "a", zipfile.ZIP_DEFLATED) as archive:
            entries = archive.infolist()
            properties = [e for e in entries if e.filename.startswith(_PROPERTIES)]
            cut = min(e.header_offset for e in properties)
            if any(e.header_offset > cut for e in entries if e not in properties):
                raise ValueError(f"{target}: docProps/ is not at the end of the archive")
            contents = {e.filename: archive.read(e) for e in properties}
            for entry in properties:
                entries.remove(entry)
                del archive.NameToInfo[entry.filename]
            archive.start_dir = cut
            for entry in properties:
                info = zipfile.ZipInfo(entry.filename, date_time=FIXED_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = entry.external_attr
                fixed = _W3CDTF.sub(FIXED_DOCUMENT_DATE.encode(), contents[entry.filename])
                archive.writestr(info, fixed)
    finally:
        if isinstance(target, Path):
            handle.close()
