"""Fast validation path: frictionless's findings on the staging CSV without its per-row loop.

frictionless stays the judge. This module only decides *which cells need judging*: pyarrow reads
the staging CSV in record batches (bounded memory, every column as text) and vectorised
screens (regular expressions, casts and comparisons in pyarrow compute) mark the cells whose
verdict is certain — a canonical integer inside its bounds, an ISO date that round-trips, a
string within its lengths. Every other cell (" 5", "+5", "1_000", "١٢٣", an integer beyond
int64, "NaN", a value matched against a pattern, a missing required value) is read by
frictionless's own cell reader (`Field.create_cell_reader`), once per distinct value, so types,
notes and constraints are frictionless's by construction, not re-implemented. Rows with a
finding are then turned into frictionless's own error objects (`TypeError`, `ConstraintError`,
`UniqueError`, `PrimaryKeyError`, `BlankRowError`, `ExtraCellError`, `MissingCellError`) in the
order frictionless's row stream emits them (`rows.RowJudge`).

Why pyarrow: it is already a runtime dependency, its streaming CSV reader is multithreaded C++
with bounded memory, and its compute kernels cover the screens; polars or DuckDB would add a
dependency for no finding pyarrow cannot screen.

Primary keys and unique fields are checked in bounded memory: each row's key (the canonical
text of frictionless's parsed values) is hashed twice to 64 bits (a 128-bit digest, 16 bytes a
row, never the table itself); a stable sort of the digests finds the repeats and the row each one
repeats ("the same as in the row at position N": the nearest earlier row, as frictionless keeps
the last row it saw per key).

What the fast path does not take goes to frictionless whole (`NotCovered`), one rule decided per
resource before reading any row (`coverage_problem`).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from frictionless import Resource as FrictionlessResource
from frictionless import Schema
from frictionless.error import Error

from ..core.chunks import chunk_rows, regrouped, row_over_block, with_long_rows
from .fast_keys import KeyDigests
from .fast_rows import RowJudge
from .fast_screen import Screen

# Setting this to "frictionless" sends every table to the reference path (tests compare both).
ENGINE_ENV = "JENDELA_VALIDATE"
REFERENCE = "frictionless"
KEY_TYPES = {"string", "integer", "year", "date", "boolean"}
GROUP_ROWS = 20_000  # rows judged together: 1M tenders 2.5 s (3.3 in 256 KB blocks), no more memory
_NUMBER = "\x00row"  # the row numbers' column while blocks are gathered (never a field name)


class NotCovered(Exception):
    """The table needs something the fast path does not do: frictionless validates it."""


def fast_path_wanted() -> bool:
    return os.environ.get(ENGINE_ENV, "").strip().lower() != REFERENCE


def coverage_problem(schema: Schema, staging: Path) -> str | None:
    """Why the fast path cannot take this table, or None when it can.

    The one rule: no foreign keys in the schema (ours are checked after loading, never by
    frictionless), keys only over fields of a type in KEY_TYPES, and frictionless itself, opening
    the file, finds a valid descriptor, UTF-8 CSV in the default dialect and a header naming the
    schema's fields in order with no header error."""
    if schema.foreign_keys:
        return "foreign keys"
    for name in _key_fields(schema):
        if schema.get_field(name).type not in KEY_TYPES:
            return f"key over a {schema.get_field(name).type} field"
    table = FrictionlessResource(path=staging.name, basepath=str(staging.parent), schema=schema)
    try:
        table.to_descriptor(validate=True)
        with table:
            if table.format != "csv" or table.encoding != "utf-8":
                return f"{table.format} in {table.encoding}"
            if table.dialect.to_descriptor():
                return "a CSV dialect other than the default"
            if table.header.errors or table.labels != schema.field_names:
                return "a header that differs from the schema"
    except Exception as exc:  # frictionless reports it the way it always does
        return f"frictionless could not open it ({exc})"
    return None


@dataclass
class FastResult:
    errors: list[Error]
    partial: bool  # stopped at the error limit, as frictionless's report says


@dataclass
class _Scan:
    """What one pass over the batches leaves: the rows to judge, their cells, the key digests."""

    flagged: dict[int, list[str | None]] = field(default_factory=dict)  # row number -> cells
    found: int = 0  # a lower bound of the errors in the flagged rows
    last_row: int = 1


def validate_fast(schema: Schema, staging: Path, limit_errors: int | None) -> FastResult:
    """frictionless's errors for the staging CSV, in its order, cut at `limit_errors` as it does.

    Raises NotCovered when the table is not the fast path's (the caller asks frictionless)."""
    problem = coverage_problem(schema, staging)
    if problem:
        raise NotCovered(problem)

    def run(block_bytes: int) -> FastResult:
        try:
            return _validate(schema, staging, limit_errors, True, block_bytes)
        except _Ragged:  # pyarrow numbers ragged rows only when it reads on one thread
            return _validate(schema, staging, limit_errors, False, block_bytes)

    try:
        return with_long_rows(run)  # a row too long for the small blocks: read again
    except pa.ArrowInvalid as exc:  # too long even for the large ones
        raise NotCovered(f"pyarrow could not read it ({exc})") from exc


class _Ragged(Exception):
    """A ragged row turned up while pyarrow read on several threads (it cannot number it)."""


def _validate(
    schema: Schema, staging: Path, limit_errors: int | None, threads: bool, block_bytes: int
) -> FastResult:
    screen = Screen(schema, _key_fields(schema))
    digests = KeyDigests(schema, screen)
    scan = _Scan()
    for number, batch, ragged in _batches(staging, schema.field_names, block_bytes, threads):
        verdict = screen.judge(batch)
        empty_key = digests.add(number, verdict, ragged)
        verdict.flagged[np.isin(number, empty_key)] = True
        rows = np.flatnonzero(verdict.flagged)
        for index in rows.tolist():
            scan.flagged[int(number[index])] = [
                batch.column(i)[index].as_py() for i in range(batch.num_columns)
            ]
        for row_number, cells in ragged:
            scan.flagged[row_number] = cells
        scan.found += len(rows) + len(ragged)
        scan.last_row = int(number[-1]) if len(number) else scan.last_row
        if ragged:
            scan.last_row = max(scan.last_row, ragged[-1][0])
        if limit_errors and scan.found >= limit_errors:
            break  # later rows can only come after the limit frictionless stops at
    keys = digests.repeats(up_to=scan.last_row)
    missing = sorted(set(keys.rows()) - set(scan.flagged))
    scan.flagged.update(_cells_of(staging, schema.field_names, missing, block_bytes))
    judge = RowJudge(schema, screen)
    errors: list[Error] = []
    for row_number in sorted(scan.flagged):
        errors += judge.errors(row_number, scan.flagged[row_number], keys)
        if limit_errors and len(errors) >= limit_errors:
            return FastResult(errors[:limit_errors], partial=True)
    return FastResult(errors, partial=False)


def _key_fields(schema: Schema) -> list[str]:
    unique = [f.name for f in schema.fields if f.constraints.get("unique")]
    return list(schema.primary_key) + unique


def _batches(
    staging: Path, names: list[str], block_bytes: int, threads: bool = False
) -> Iterator[tuple[np.ndarray, pa.RecordBatch, list[tuple[int, list[str]]]]]:
    """(row numbers, batch, ragged rows) per record batch; row 1 is the header, as frictionless
    counts. Ragged rows (too few or too many cells) are skipped by pyarrow and handed back
    parsed by Python's csv module, the reader frictionless uses, with their row numbers."""
    ragged: list[tuple[int, list[str]]] = []
    unplaced: list = []

    def keep(row) -> str:
        if row.number is None:
            unplaced.append(row)
            return "skip"
        cells = next(csv.reader(io.StringIO(row.text)), [])
        ragged.append((row.number, cells))
        return "skip"

    reader = pacsv.open_csv(
        staging,
        read_options=pacsv.ReadOptions(block_size=block_bytes, use_threads=threads),
        parse_options=pacsv.ParseOptions(
            newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=keep
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    next_row = 2

    def numbered() -> Iterator[pa.Table]:
        """Each block's rows, their row numbers in front (column 0)."""
        nonlocal next_row
        for batch in _guarded(reader):
            if unplaced:
                raise _Ragged
            numbers = _number_rows(next_row, batch.num_rows, [n for n, _ in ragged])
            next_row = int(numbers[-1]) + 1 if batch.num_rows else next_row
            yield pa.Table.from_batches([batch]).add_column(0, _NUMBER, pa.array(numbers))
        if unplaced:
            raise _Ragged

    taken = 0  # ragged rows already handed back
    # The small blocks (core/chunks.py) are judged a group of rows at a time: the checks cost
    # a few milliseconds per batch whatever its length (1M tenders: 3.3 s in 256 KB batches).
    for piece in regrouped(numbered(), chunk_rows(GROUP_ROWS)):
        piece = piece.combine_chunks()
        numbers = piece.column(0).to_numpy()
        [batch] = piece.select(range(1, piece.num_columns)).to_batches()
        mine = [r for r in ragged[taken:] if r[0] <= numbers[-1]]
        taken += len(mine)
        yield numbers, batch, mine
    if taken < len(ragged):
        yield np.empty(0, dtype=np.int64), _empty_batch(names), ragged[taken:]


def _guarded(reader: pacsv.CSVStreamingReader) -> Iterator[pa.RecordBatch]:
    """The batches; a row pyarrow cannot parse or place sends the table to frictionless (a row
    too long for the blocks is read again with larger ones first: `validate_fast`)."""
    try:
        yield from reader
    except pa.ArrowInvalid as exc:
        if row_over_block(exc):
            raise
        raise NotCovered(f"pyarrow could not read it ({exc})") from exc


def _number_rows(start: int, count: int, skipped: list[int]) -> np.ndarray:
    """Row numbers from `start` for `count` rows, passing over the ragged rows' numbers."""
    numbers = np.arange(start, start + count, dtype=np.int64)
    for gap in sorted(n for n in skipped if n >= start):
        numbers[numbers >= gap] += 1
    return numbers


def _empty_batch(names: list[str]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict({name: pa.array([], pa.string()) for name in names})


def _cells_of(
    staging: Path, names: list[str], wanted: list[int], block_bytes: int
) -> dict[int, list]:
    """The cells of the given rows (rows repeating a key, with no other finding), read again."""
    found: dict[int, list] = {}
    if not wanted:
        return found
    want = np.asarray(wanted, dtype=np.int64)
    for number, batch, ragged in _batches(staging, names, block_bytes):
        for index in np.flatnonzero(np.isin(number, want)).tolist():
            found[int(number[index])] = [c[index].as_py() for c in batch.columns]
        found.update({n: cells for n, cells in ragged if n in set(wanted)})
        if len(number) and number[-1] >= want[-1]:
            break
    return found
