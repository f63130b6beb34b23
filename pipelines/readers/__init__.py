"""Read stage: raw files become chunks of text columns, whatever their format.

Readers never guess types (DESIGN pitfall: `32.10` must not become `32.1`): every cell leaves
here as `str` or missing, and the Table Schema decides types later. Each chunk carries the
source row number in ROW_COLUMN so an error can name the row a person sees when opening the file.

A reader is registered the same way a new one would be, with `@reader("name")`.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import pkgutil
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.chunks import (
    ARROW_CSV_BLOCK_BYTES,
    ARROW_CSV_LONG_ROW_BLOCK_BYTES,
    regrouped,
    row_over_block,
)
from .sniff import sniff

ROW_COLUMN = "__row__"
FILE_COLUMN = "__file__"  # added by the build: which input file a row came from (for transforms)
DEFAULT_CHUNK_ROWS = 50_000  # a chunk of 20 text columns is ~60 MB of Python strings

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

    Parsed by pyarrow (about three times faster than pandas' C parser on a million rows), every
    column as text. A row with fewer or more cells than the header is not padded or cut: it is
    left out of the chunk and listed in `chunk.attrs[INVALID_ROWS]` (line number, cells expected
    and found, the raw line), so the build reports each one by row and column (`ragged_issues`).
    A file that is HTML, PDF or binary is named as such (sniff.py) instead of parsed.

    Each row is numbered by its line in the file, then rows with no text (a blank line, a line
    of only delimiters) are dropped: dropping first would number every row after a blank line
    one too low. Blank lines between the skipped rows and the header are passed over. Row
    numbers assume one line per record; a quoted field spanning lines shifts later numbers.

    pyarrow parses a block of text at a time and a row must fit in one. Blocks are small
    (CSV_BLOCK_BYTES) and gathered into chunks of `chunk_rows`, so memory holds a chunk and the
    blocks pyarrow reads ahead, not the file; a row longer than a block sends the reader back to
    the start with blocks that hold any row within the cell size limit
    (CSV_LONG_ROW_BLOCK_BYTES), passing over the rows (and ragged rows) already given.
    """
    import pyarrow as pa

    encoding = options.get("encoding", "utf-8-sig")
    refuse_non_text(path, "CSV")
    try:
        skip = int(options.get("skip_rows", 0))
        skip += _blank_lines_before_header(path, encoding, skip)
        header = _header(path, encoding, skip, options.get("delimiter", ","))
        names = _unique_headers(header)
        given = _Given()
        try:
            yield from _csv_chunks(path, options, encoding, skip, names, chunk_rows, given,
                                   CSV_BLOCK_BYTES)  # fmt: skip
        except _RowOverBlock:
            yield from _csv_chunks(path, options, encoding, skip, names, chunk_rows, given,
                                   CSV_LONG_ROW_BLOCK_BYTES)  # fmt: skip
        if not given.chunks:  # a header and nothing else: one empty chunk, so its columns are seen
            empty = _numbered(pd.DataFrame(columns=names, dtype=object), 0)
            empty.attrs[INVALID_ROWS] = []  # a ragged row would have been given in a chunk
            yield empty
    except UnicodeDecodeError as exc:
        raise encoding_error(path, encoding, exc) from None
    except ReaderError:
        raise
    except _RowOverBlock:
        raise ReaderError(
            f"{path.name}: satu baris lebih dari {CSV_LONG_ROW_BLOCK_BYTES >> 20} MB (sel yang "
            f"jauh melebihi batas ukuran?) / a row is longer than "
            f"{CSV_LONG_ROW_BLOCK_BYTES >> 20} MB (a cell far over the size limit?); check the file"
        ) from None
    except (pa.ArrowInvalid, ValueError) as exc:
        if "UTF8" in str(exc) or "utf-8" in str(exc).lower():
            raise _utf8_error(path, encoding) from None
        raise ReaderError(
            f"{path.name}: tidak bisa dibaca sebagai teks berpembatas / cannot be read as "
            "delimited text (check options.delimiter and the quoting of the file)"
        ) from None


class _RowOverBlock(Exception):
    """pyarrow met a row too long for its blocks (core/chunks.row_over_block)."""


class _Given:
    """What the reader has given so far, so that a second pass gives only what follows."""

    def __init__(self) -> None:
        self.through_line = 0  # every row up to this line was given (or was blank)
        self.ragged_lines: set[int | None] = set()  # the ragged rows given
        self.chunks = 0


def _csv_chunks(
    path: Path,
    options: dict,
    encoding: str,
    skip: int,
    names: list[str],
    chunk_rows: int,
    given: _Given,
    block_bytes: int,
) -> Iterator[pd.DataFrame]:
    """The chunks of rows after line `given.through_line`, parsed with blocks of `block_bytes`.

    pyarrow's batches (one per block) are gathered until they hold `chunk_rows` rows, and that
    many become one pandas frame; the ragged rows met on the way go with it."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    invalid: list[dict] = []

    def on_invalid(row) -> str:
        invalid.append(
            {
                "line": row.number,
                "expected": row.expected_columns,
                "found": row.actual_columns,
                "text": row.text,
            }
        )
        return "skip"

    arrow_encoding = "utf8" if encoding.lower().replace("_", "-") in UTF8 else encoding
    with _row_over_block():
        batches = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(
                encoding=arrow_encoding,
                skip_rows=skip + 1,
                column_names=names,
                use_threads=False,
                block_size=block_bytes,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=options.get("delimiter", ","),
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    first = skip + 2  # the header is line skip+1
    ragged: list[dict] = []  # met while reading, given with the next chunk
    # pyarrow may parse the next block before it hands over this batch, so the ragged rows
    # reported so far can lie past it: they stay unplaced until a batch reaches their line.
    unplaced: list[dict] = []

    def numbered() -> Iterator[pa.Table]:
        """Each batch's new rows, their line numbers in front (column 0)."""
        nonlocal first, unplaced
        for batch in _batches(batches):
            unplaced += invalid
            invalid.clear()
            lines = _line_numbers(first, batch.num_rows, unplaced)
            first = int(lines[-1]) + 1 if len(lines) else first
            placed = [i for i in unplaced if i["line"] is None or i["line"] < first]
            unplaced = [i for i in unplaced if i["line"] is not None and i["line"] >= first]
            ragged.extend(i for i in placed if i["line"] not in given.ragged_lines)
            rows = pa.Table.from_batches([batch]).add_column(0, ROW_COLUMN, pa.array(lines))
            new = lines > given.through_line  # all, except after a row too long for the block
            yield rows if new.all() else rows.filter(pa.array(new))

    for piece in regrouped(numbered(), chunk_rows):
        yield from _chunk(piece, names, _taken(ragged), given)
    ragged.extend(i for i in unplaced + invalid if i["line"] not in given.ragged_lines)
    if ragged:  # ragged rows after the last row read: a chunk of their own
        empty = pa.table({n: pa.array([], pa.string()) for n in [ROW_COLUMN, *names]})
        yield from _chunk(empty, names, _taken(ragged), given)


def _taken(items: list) -> list:
    """The list's items, the list emptied."""
    taken = list(items)
    items.clear()
    return taken


def _chunk(rows, names: list[str], ragged: list[dict], given: _Given):
    """One chunk: the rows (line numbers in column 0) as text columns, blank rows left out."""
    lines = rows.column(0).to_numpy().astype(np.int64, copy=False)
    frame = rows.select(range(1, rows.num_columns)).to_pandas()
    frame.columns = names
    part = _numbered(frame, 0)
    part[ROW_COLUMN] = lines
    part = part[~_blank_rows(frame)].reset_index(drop=True)
    part.attrs[INVALID_ROWS] = ragged
    given.through_line = max(given.through_line, int(lines.max(initial=0)))
    given.ragged_lines.update(i["line"] for i in ragged)
    if part.empty and given.chunks and not ragged:
        return
    given.chunks += 1
    yield part


@contextlib.contextmanager
def _row_over_block():
    """pyarrow's error for a row longer than its block, as `_RowOverBlock`."""
    import pyarrow as pa

    try:
        yield
    except pa.ArrowInvalid as exc:
        if row_over_block(exc):
            raise _RowOverBlock from None
        raise


def _batches(reader) -> Iterator:
    with _row_over_block():
        yield from reader


def refuse_non_text(path: Path, expected: str) -> None:
    """Raise ReaderError naming what the file is when it is not the `expected` text table."""
    found = sniff(path)
    if found is not None:
        raise ReaderError(
            f"{path.name}: berkas ini {found[0]}, bukan tabel {expected} / this file is "
            f"{found[1]}, not a {expected} table; check the source address or download it again"
        )


INVALID_ROWS = "invalid_rows"  # chunk.attrs key: rows with too few or too many cells
UTF8 = {"utf-8", "utf8", "utf-8-sig"}
# pyarrow parses a block at a time, reading ahead (core/chunks.py); a row longer than a block
# is read again with large blocks, which hold any row whose cells are within the size limit
# (normalise.DEFAULT_MAX_CELL_CHARS).
CSV_BLOCK_BYTES = ARROW_CSV_BLOCK_BYTES
CSV_LONG_ROW_BLOCK_BYTES = ARROW_CSV_LONG_ROW_BLOCK_BYTES


def _header(path: Path, encoding: str, skip: int, delimiter: str) -> list[str]:
    """The header line's cells (after `skip` lines), read with the csv module."""
    import csv

    with open(path, encoding=encoding, newline="") as handle:
        rows = csv.reader(handle, delimiter=delimiter)
        for number, row in enumerate(rows):
            if number == skip:
                return [str(c).strip() for c in row]
    raise ReaderError(
        f"{path.name}: berkas kosong, tanpa baris judul / the file is empty, it has no header"
    )


def _unique_headers(header: list[str]) -> list[str]:
    """Header cells made unique the way pandas does (`a`, `a.1`), so every column keeps a name."""
    seen: dict[str, int] = {}
    out = []
    for name in header:
        if name in seen:
            seen[name] += 1
            out.append(f"{name}.{seen[name]}")
        else:
            seen[name] = 0
            out.append(name)
    return out


def _line_numbers(first: int, count: int, invalid: list[dict]) -> np.ndarray:
    """Line numbers of `count` parsed rows from line `first` on, passing over the invalid rows
    pyarrow skipped (it numbers them by their line in the file)."""
    taken = {i["line"] for i in invalid if i["line"] is not None}
    numbers = np.arange(first, first + count + len(taken), dtype=np.int64)
    if taken:
        numbers = numbers[~np.isin(numbers, list(taken))]
    return numbers[:count]


def _utf8_error(path: Path, encoding: str) -> ReaderError:
    """The encoding message with the first bad byte, found by decoding the file (error path)."""
    data = path.read_bytes()
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return encoding_error(path, encoding, exc)
    return ReaderError(f"{path.name}: bukan teks UTF-8 yang sah / not valid UTF-8 text")


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
