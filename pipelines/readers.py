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
    """Import every `pipelines/readers_*.py`: each registers its readers with `@reader`."""
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("readers_"):
            importlib.import_module(f"{__package__}.{info.name}")


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

    Row numbers assume one line per record; a quoted field spanning lines shifts later numbers.
    """
    encoding = options.get("encoding", "utf-8-sig")
    skip = int(options.get("skip_rows", 0))
    try:
        chunks = pd.read_csv(
            path,
            sep=options.get("delimiter", ","),
            encoding=encoding,
            skiprows=skip,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            chunksize=chunk_rows,
            skip_blank_lines=True,
            engine="c",
        )
        first = skip + 2  # the header is line skip+1
        for chunk in chunks:
            yield _numbered(chunk, first)
            first += len(chunk)
    except UnicodeDecodeError as exc:
        raise ReaderError(
            f"{path.name}: not valid {encoding} at byte {exc.start}; set options.encoding "
            "(for example cp1252 or latin-1) in the descriptor"
        ) from None
    except pd.errors.ParserError as exc:
        raise ReaderError(f"{path.name}: cannot be read as delimited text: {exc}") from None


@reader("xlsx")
def read_xlsx(path: Path, options: dict, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """An Excel sheet, streamed. Options: sheet (name or 0-based index), skip_rows."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not xlsx
        raise ReaderError(f"{path.name}: not a readable .xlsx workbook ({exc})") from None
    try:
        sheet_option = options.get("sheet", 0)
        sheet = (
            book.worksheets[sheet_option] if isinstance(sheet_option, int) else book[sheet_option]
        )
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
    try:
        with open(path, encoding=options.get("encoding", "utf-8-sig")) as handle:
            document = json.load(handle)
    except ValueError as exc:
        raise ReaderError(f"{path.name}: not valid JSON ({exc})") from None
    for key in filter(None, str(options.get("records", "")).split(".")):
        document = document[key]
    if isinstance(document, dict) and options.get("object_as_record"):
        document = [document]
    if not isinstance(document, list):
        raise ReaderError(f"{path.name}: expected a list of records at {options.get('records')!r}")
    columns = options.get("columns")
    for start in range(0, len(document), chunk_rows):
        part = document[start : start + chunk_rows]
        frame = pd.DataFrame(part, columns=columns) if columns else pd.DataFrame.from_records(part)
        frame = frame.map(lambda v: "" if v is None else str(v))
        yield _numbered(frame, start + 1)
