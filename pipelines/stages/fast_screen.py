"""Vectorised screens for the fast validation path: which cells frictionless would pass for sure.

A screen never decides that a cell is wrong. It only marks, with pyarrow compute over a whole
column of a record batch, the cells whose verdict is certain: "-12" for an integer within its
bounds, "2024-01-31" for a date that round-trips, a string within its lengths. Every other cell
is read by frictionless's own cell reader, once per distinct value (`Screen.read`), so the notes
and parsed values are frictionless's. A screen that is too strict only costs time; one that is
too loose would hide an error, hence the narrow shapes below (ASCII digits only, no sign "+",
no spaces, no "_", at most 18 digits for int64) and the differential tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from frictionless import Schema
from frictionless.schema import Field

INTEGER = r"^-?[0-9]{1,18}$"
YEAR = r"^[0-9]{4}$"
NUMBER = r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# Patterns RE2 (pyarrow) may screen: no flags, lookarounds, back-references or word boundaries,
# only escapes whose RE2 meaning (ASCII \d, \w, \s, literal punctuation) is a subset of Python's
# Unicode one, and no POSIX classes "[[:alpha:]]" or "{,n}" that Python reads otherwise.
# So what RE2 matches, Python's re matches too; the rest goes to Python's re.
SAFE_PATTERN = re.compile(r"(?!.*(?:\[:|\{,))(?:[^\\(]|\\[dws.\-/+()\[\]{}*?|^$\\]|\((?!\?))*")
BOUNDS = {
    "minimum": pc.greater_equal,
    "maximum": pc.less_equal,
    "exclusiveMinimum": pc.greater,
    "exclusiveMaximum": pc.less,
}
# A float compared with a decimal bound is only trusted this far from it; nearer, frictionless
# decides with its Decimal.
NUMBER_MARGIN = 1e-6
MEMO_LIMIT = 200_000  # distinct values remembered per field before the memo starts afresh


@dataclass
class Verdict:
    """One batch judged: rows to hand to the row judge, and key fields' canonical values."""

    flagged: np.ndarray  # bool per row: some cell has a finding, or the row is blank
    canon: dict[str, np.ndarray]  # key field -> str(parsed value) per row, None where empty


class Screen:
    """The screens of every field of a schema, with frictionless's readers behind them."""

    def __init__(self, schema: Schema, key_fields: list[str]) -> None:
        self.fields = list(schema.fields)
        self.readers = [f.create_cell_reader() for f in self.fields]
        self.memos: list[dict[Any, tuple[Any, dict | None]]] = [{} for _ in self.fields]
        self.missing = [pa.array(_missing_values(schema, f), pa.string()) for f in self.fields]
        self.missing_ok = [
            all(reader(value)[1] is None for value in _missing_values(schema, f))
            for f, reader in zip(self.fields, self.readers, strict=True)
        ]
        self.key_fields = key_fields

    def read(self, index: int, source: Any) -> tuple[Any, dict | None]:
        """frictionless's (parsed value, notes) for one cell of field `index`, remembered."""
        memo = self.memos[index]
        if source not in memo:
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
            memo[source] = self.readers[index](source)
        return memo[source]

    def judge(self, batch: pa.RecordBatch) -> Verdict:
        flagged = np.zeros(batch.num_rows, dtype=bool)
        blank = np.ones(batch.num_rows, dtype=bool)
        canon: dict[str, np.ndarray] = {}
        for index, field in enumerate(self.fields):
            column = batch.column(index)
            missing = pc.is_in(column, value_set=self.missing[index]).to_numpy(zero_copy_only=False)
            sure, canonical = _screen(field, self.readers[index], column)
            certain = np.where(missing, self.missing_ok[index], sure)
            blank &= missing
            doubtful = np.flatnonzero(~certain)
            parsed = self._judge_doubtful(index, column, doubtful, flagged)
            if field.name in self.key_fields:
                canon[field.name] = _canon(column, canonical, missing, doubtful, parsed)
        return Verdict(flagged | blank, canon)

    def _judge_doubtful(
        self, index: int, column: pa.Array, doubtful: np.ndarray, flagged: np.ndarray
    ) -> list[Any]:
        """frictionless reads each distinct doubtful value once; rows with notes are flagged.
        Returns the parsed values of the doubtful cells, in order."""
        if not doubtful.size:
            return []
        values = column.take(pa.array(doubtful))
        distinct = pc.unique(values)
        position = pc.index_in(values, value_set=distinct).to_numpy(zero_copy_only=False)
        results = [self.read(index, value) for value in distinct.to_pylist()]
        has_notes = np.array([notes is not None for _, notes in results], dtype=bool)
        flagged[doubtful[has_notes[position]]] = True
        return [results[p][0] for p in position.tolist()]


def canonical_text(value: Any) -> str | None:
    """The text a parsed key value is compared by: str() of frictionless's Python value (ints,
    dates and booleans compare as values: "007" and "7" are the same integer)."""
    return None if value is None else str(value)


def _canon(
    column: pa.Array,
    canonical: pa.Array | None,
    missing: np.ndarray,
    doubtful: np.ndarray,
    parsed: list[Any],
) -> np.ndarray:
    values = (canonical if canonical is not None else column).to_numpy(zero_copy_only=False)
    values = values.astype(object)
    values[missing] = None
    if doubtful.size:
        values[doubtful] = [canonical_text(v) for v in parsed]
    return values


def _missing_values(schema: Schema, field: Field) -> list[str]:
    own = field.has_defined("missing_values")
    return list(field.missing_values if own else schema.missing_values)


def _screen(field: Field, reader, column: pa.Array) -> tuple[np.ndarray, pa.Array | None]:
    """(sure, canonical): per cell, whether a present value certainly passes type and
    constraints; and the canonical text of the parsed value where the type is a key type."""
    constraints = {k: v for k, v in field.constraints.items() if k not in ("required", "unique")}
    kind = (field.type, field.format)
    if kind == ("string", "default"):
        return _string(field, column, constraints), None
    if kind in (("integer", "default"), ("year", "default")) and _plain_number(field):
        return _integer(field, column, constraints)
    if kind == ("number", "default") and _plain_number(field) and not field.float_number:
        return _number(field, column, constraints), None
    if kind == ("date", "default"):
        return _date(field, column, constraints), None
    if field.type == "boolean" and not constraints:
        truth = pc.is_in(column, value_set=pa.array(field.true_values, pa.string()))
        sure = pc.or_(truth, pc.is_in(column, value_set=pa.array(field.false_values, pa.string())))
        return _np(sure), pc.if_else(truth, "True", "False")
    return np.zeros(len(column), dtype=bool), None


def _plain_number(field: Field) -> bool:
    defined = set(field.list_defined())
    return not defined & {"bare_number", "group_char", "decimal_char"}


def _string(field: Field, column: pa.Array, constraints: dict) -> np.ndarray:
    sure = np.ones(len(column), dtype=bool)
    for name, value in constraints.items():
        if name == "minLength" and isinstance(value, int):
            sure &= _np(pc.greater_equal(pc.utf8_length(column), value))
        elif name == "maxLength" and isinstance(value, int):
            sure &= _np(pc.less_equal(pc.utf8_length(column), value))
        elif name == "enum" and all(isinstance(v, str) for v in value):
            sure &= _np(pc.is_in(column, value_set=pa.array(value, pa.string())))
        elif name == "pattern" and isinstance(value, str) and SAFE_PATTERN.fullmatch(value):
            sure &= _np(pc.match_substring_regex(column, f"^{value}$"))
        else:  # anything else: frictionless decides
            return np.zeros(len(column), dtype=bool)
    return sure


def _integer(field: Field, column: pa.Array, constraints: dict) -> tuple[np.ndarray, pa.Array]:
    shape = pc.match_substring_regex(column, INTEGER if field.type == "integer" else YEAR)
    numbers = pc.cast(pc.if_else(shape, column, "0"), pa.int64())
    sure = _np(shape)
    value_reader = field.create_value_reader()
    for name, value in constraints.items():
        bound = value_reader(value) if name != "enum" else [value_reader(v) for v in value]
        if name in BOUNDS and isinstance(bound, int):
            sure &= _np(BOUNDS[name](numbers, bound))
        elif name == "enum" and all(isinstance(v, int) for v in bound):
            sure &= _np(pc.is_in(numbers, value_set=pa.array(bound, pa.int64())))
        else:
            return np.zeros(len(column), dtype=bool), pc.cast(numbers, pa.string())
    return sure, pc.cast(numbers, pa.string())


def _number(field: Field, column: pa.Array, constraints: dict) -> np.ndarray:
    shape = pc.match_substring_regex(column, NUMBER)
    numbers = pc.cast(pc.if_else(shape, column, "0"), pa.float64())
    sure = _np(shape)
    value_reader = field.create_value_reader()
    for name, value in constraints.items():
        bound = value_reader(value) if name in BOUNDS else None
        if bound is None:
            return np.zeros(len(column), dtype=bool)
        bound = float(bound)
        margin = NUMBER_MARGIN * max(1.0, abs(bound))
        nudged = bound + margin if name in ("minimum", "exclusiveMinimum") else bound - margin
        sure &= _np(BOUNDS[name](numbers, nudged))
    return sure


def _date(field: Field, column: pa.Array, constraints: dict) -> np.ndarray:
    shape = pc.match_substring_regex(column, DATE)
    text = pc.if_else(shape, column, "2000-01-01")
    stamps = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
    # pyarrow rolls 2024-02-30 over to March and reads " 2024-1-5": only a round trip is sure
    days = pc.cast(stamps, pa.date32())
    back = pc.cast(days, pa.string())
    sure = _np(pc.and_(shape, pc.fill_null(pc.equal(back, text), False)))
    value_reader = field.create_value_reader()
    for name, value in constraints.items():
        bound = value_reader(value) if name in BOUNDS else None
        if bound is None:
            return np.zeros(len(column), dtype=bool)
        sure &= _np(pc.fill_null(BOUNDS[name](days, pa.scalar(bound, pa.date32())), False))
    return sure


def _np(mask: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)
