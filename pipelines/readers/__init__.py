"""Read stage: raw files become chunks of text columns, whatever their format.

Readers never guess types (DESIGN pitfall: `32.10` must not become `32.1`): every cell leaves
here as `str` or missing, and the Table Schema decides types later. Each chunk carries the
source row number in ROW_COLUMN so an error can name the row a person sees when opening the file.

A reader is registered the same way a new one would be, with `@reader("name")`.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

ROW_COLUMN = "__row__"
FILE_COLUMN = "__file__"  # added by the build: which input file a row came from (for transforms)
DEFAULT_CHUNK_ROWS = 100_000

Reader = Callable[[Path, dict, int], Iterator[pd.DataFrame]]
READERS: dict[str, Reader] = {}


class ReaderError(ValueError):
    """The file cannot be read as the descriptor says; the message names the file and the cause."""


def reader(name: str) -> Callable[[Reader], Reader]:
    def register(function: Reader) -> Reader:
        READERS[name] = function
        return function

    return register


def discover_readers() -> None:
    """Import every module of this package: each registers its readers with `@reader`."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


def read_chunks(
    kind: str, path: Path, options: dict, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> Iterator[pd.DataFrame]:
    if kind not in READERS:
        discover_readers()
    if kind not in READERS:
        raise ReaderError(f"unknown reader {kind!r}; known: {', '.join(sorted(READERS))}")
    yield from READERS[kind](path, options, chunk_rows)


def _numbered(frame: pd.DataFrame, first_row: int) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.insert(0, ROW_COLUMN, range(first_row, first_row + len(frame)))
    return frame


@reader("csv")
def read_csv(path: Path, options: dict, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Delimited text. Options: encoding (default utf-8, a BOM is dropped), delimiter, skip_rows.

    Each row is numbered by its line in the file, then rows with no text (a blank line, a line
    of only delimiters) are dropped: dropping first would number every row after a blank line
    one too low. Blank lines between the skipped rows and the header are passed over. Row
    numbers assume one line per record; a quoted field spanning lines shifts later numbers.
    """
    encoding = options.get("encoding", "utf-8-sig")
    try:
        skip = int(options.get("skip_rows", 0))
        skip += _blank_lines_before_header(path, encoding, skip)
        chunks = pd.read_csv(
            path,
            sep=options.get("delimiter", ","),
            encoding=encoding,
            skiprows=skip,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            chunksize=chunk_rows,
            skip_blank_lines=False,
            engine="c",
        )
        first = skip + 2  # the header is line skip+1
        for number, chunk in enumerate(chunks):
            numbered = _numbered(chunk, first)
            first += len(chunk)
            blank = _blank_rows(chunk)
            if blank.any():
                numbered = numbered[~blank].reset_index(drop=True)
                if numbered.empty and number:  # only blank lines: nothing to yield
                    continue
            yield numbered
    except UnicodeDecodeError as exc:
        raise encoding_error(path, encoding, exc) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ReaderError(
            f"{path.name}: tidak bisa dibaca sebagai teks berpembatas / cannot be read as "
            f"delimited text: {exc}"
        ) from None


def _blank_rows(chunk: pd.DataFrame) -> np.ndarray:
    """Rows with no text: a blank line (also one of only spaces) or a line of only delimiters.

    Vectorised on the cheap test first: only rows whose cells after the first are all empty can
    be blank, and only their first cell needs stripping.
    """
    if chunk.empty:
        return np.zeros(0, dtype=bool)
    rest_empty = chunk.iloc[:, 1:].eq("").to_numpy().all(axis=1)
    first = chunk.iloc[:, 0]
    blank = rest_empty.copy()
    blank[rest_empty] = first[rest_empty].str.strip().eq("").to_numpy()
    return blank


def _blank_lines_before_header(path: Path, encoding: str, skip: int) -> int:
    """How many blank lines follow the `skip` skipped lines (a title, then a blank line)."""
    blank = 0
    with open(path, encoding=encoding, newline="") as handle:
        for number, line in enumerate(handle):
            if number < skip:
                continue
            if line.strip("\r\n"):
                break
            blank += 1
    return blank


@reader("xlsx")
def read_xlsx(path: Path, options: dict, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """An Excel sheet, streamed. Options: sheet (name or 0-based index), skip_rows."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not xlsx
        raise ReaderError(f"{path.name}: not a readable .xlsx workbook ({exc})") from None
    try:
        sheet = select_sheet(book, options, path)
        skip = int(options.get("skip_rows", 0))
        rows = sheet.iter_rows(values_only=True)
        for _ in range(skip):
            next(rows, None)
        header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
        buffer: list[list] = []
        numbers: list[int] = []
        for number, row in enumerate(rows, start=skip + 2):
            if all(cell is None or str(cell).strip() == "" for cell in row):
                continue
            buffer.append(["" if c is None else _cell_text(c) for c in row[: len(header)]])
            numbers.append(number)
            if len(buffer) >= chunk_rows:
                yield _with_rows(pd.DataFrame(buffer, columns=header), numbers)
                buffer, numbers = [], []
        if buffer:
            yield _with_rows(pd.DataFrame(buffer, columns=header), numbers)
    finally:
        book.close()


def _with_rows(frame: pd.DataFrame, numbers: list[int]) -> pd.DataFrame:
    frame = _numbered(frame, 0)
    frame[ROW_COLUMN] = numbers
    return frame


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@reader("json")
def read_json(path: Path, options: dict, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """A JSON array of records, or of arrays with `options.columns` naming the positions.

    Options: records (dotted path to the array inside the document, e.g. "data");
    object_as_record (true: a document that is one object, such as an API's detail response
    `{"id": ...}`, is read as a list of that one record instead of refused).
    """
    encoding = options.get("encoding", "utf-8-sig")
    try:
        with open(path, encoding=encoding) as handle:
            document = json.load(handle)
    except UnicodeDecodeError as exc:
        raise encoding_error(path, encoding, exc) from None
    except ValueError as exc:
        raise ReaderError(f"{path.name}: not valid JSON ({exc})") from None
    records = str(options.get("records") or "")
    document = _records_at(document, records, path)
    if isinstance(document, dict) and options.get("object_as_record"):
        document = [document]
    if not isinstance(document, list):
        where = f"options.records {records!r}" if records else "the top of the document"
        raise ReaderError(
            f"{path.name}: {where} bukan daftar rekaman / is not a list of records (found "
            f"{_json_kind(document)}); set options.records to the dotted path of the list, or "
            "options.object_as_record: true for a single object"
        )
    columns = options.get("columns")
    for start in range(0, len(document), chunk_rows):
        part = document[start : start + chunk_rows]
        frame = pd.DataFrame(part, columns=columns) if columns else pd.DataFrame.from_records(part)
        frame = frame.map(lambda v: "" if v is None else str(v))
        yield _numbered(frame, start + 1)


def _records_at(document, records: str, path: Path):
    """The part of a JSON document at the dotted path `records` ("data.items"), or a ReaderError
    naming the step that is missing and the keys that exist there, so a wrong option fails its
    dataset with a message instead of a traceback that stops the whole build."""
    walked: list[str] = []
    for key in filter(None, records.split(".")):
        if not isinstance(document, dict) or key not in document:
            at = ".".join(walked) or "the top of the document"
            found = (
                f"keys: {', '.join(map(str, document)) or '(none)'}"
                if isinstance(document, dict)
                else f"it is {_json_kind(document)}, not an object"
            )
            raise ReaderError(
                f"{path.name}: options.records {records!r}: kunci {key!r} tidak ada di {at} / "
                f"key {key!r} not found at {at} ({found})"
            )
        document = document[key]
        walked.append(key)
    return document


def _json_kind(value) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null" if value is None else f"a {type(value).__name__}"


def select_sheet(book, options: dict, path: Path):
    """The worksheet `options.sheet` names (a name, or a 0-based position; default the first).

    A sheet that does not exist is a ReaderError naming the file, the option and the sheets the
    workbook has: a typo in a descriptor fails that dataset, not the whole build.
    """
    wanted = options.get("sheet", 0)
    try:
        return book.worksheets[wanted] if isinstance(wanted, int) else book[str(wanted)]
    except (IndexError, KeyError):
        names = ", ".join(f"{i}: {name!r}" for i, name in enumerate(book.sheetnames))
        raise ReaderError(
            f"{path.name}: options.sheet {wanted!r}: lembar kerja tidak ada / no such sheet; "
            f"the workbook has {names}"
        ) from None


def encoding_error(path: Path, encoding: str, exc: UnicodeDecodeError) -> ReaderError:
    """One message for a file that is not in the encoding the descriptor says (or the default)."""
    return ReaderError(
        f"{path.name}: bukan teks {encoding} yang sah pada byte {exc.start}; isi options.encoding "
        f"di deskriptor (misalnya cp1252 atau latin-1) / not valid {encoding} at byte "
        f"{exc.start}; set options.encoding in the descriptor (for example cp1252 or latin-1)"
    )


def chunked(frame: pd.DataFrame, rows: int) -> Iterator[pd.DataFrame]:
    """A whole-file frame in chunks of `rows`, numbered from 0 each. An empty frame still gives
    one (empty) chunk, so its columns reach normalise and a missing column is reported."""
    for start in range(0, max(len(frame), 1), rows):
        yield frame.iloc[start : start + rows].reset_index(drop=True)
