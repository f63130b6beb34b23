"""Vectorised forms of the Indonesian parsers, for the value shapes most cells have.

A million-row table has a million amounts like "Rp 338.240.000,00" and dates like "26 Mei 2023";
running the scalar parser (regex, Decimal) per distinct value made parsing the slowest part of
read+normalise. Here pyarrow.compute does the same work over whole columns, but only for shapes
it fully recognises: plain and grouped Indonesian numbers with an optional "Rp"/"IDR", sign or
parentheses, decimal comma, ",-" and magnitude word ("1,2 M"), dot decimals ("3201.0"), machine
notation, dates "12 Januari 2024", "12/01/2024", "12-01-2024", "12.01.2024", "2024-01-12", and
region codes already canonical ("32.71.01.1001", BPS "3271040": a region list is all distinct).

The scalar parsers in indonesian.py stay the reference and the only source of errors: a cell this
module does not recognise, or recognises but would reject (31 Februari, a fraction in an integer
field, two minus signs), is left `done = False` and parse_column runs the scalar parser on it, so
every error keeps its exact message and issue type. tests/core/test_indonesian_vector.py checks
with hypothesis that both give the same result for every kind.

Pure module: pyarrow, numpy and the words of indonesian_words.py.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .indonesian_words import MAGNITUDES as _MAGNITUDES
from .indonesian_words import MONTHS as _MONTHS

__all__ = ["PYTHON_WHITESPACE", "VectorParsed", "text_column", "vector_parse"]

# Every character str.strip() and str.split() treat as whitespace (str.isspace), so that trimming
# with pyarrow gives what Python's strip gives (tests/core/test_indonesian_vector.py checks it).
PYTHON_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


class VectorParsed(NamedTuple):
    values: np.ndarray  # canonical text, or None where the cell is empty (only where `done`)
    done: np.ndarray  # bool: the value is final; False leaves the cell to the scalar parser
    rounded: np.ndarray | None  # numeric kinds: True where a magnitude word scaled the value
    empty: np.ndarray  # bool: only whitespace (missing, with no error)


_MAG_WORDS = sorted(_MAGNITUDES, key=len, reverse=True)
# The subset of indonesian._NUMBER handled here, on text already trimmed: ASCII spaces only
# (the scalar parser collapses other whitespace first), one sign at most (counted below).
_NUMBER = (
    r"^(?P<open>\(?) *(?P<s1>-?) *(?:(?:[Rr][Pp]|[Ii][Dd][Rr])\.? *)?(?P<s2>-?) *"
    r"(?:(?P<whole>[0-9]+|[1-9][0-9]{0,2}(?:\.[0-9]{3})+)(?:,(?P<frac>[0-9]+))?"
    r"|(?P<dwhole>0|[1-9][0-9]*)\.(?P<dfrac>[0-9]+))"
    r"(?:,--?)?(?: *(?P<mag>(?i:" + "|".join(_MAG_WORDS) + r"))\.?)? *(?P<close>\)?)$"
)
_MACHINE = r"^(?P<s1>-?)(?P<whole>[0-9]+)(?:\.(?P<frac>[0-9]+))?$"
_DATES = [
    r"^(?P<d>[0-9]{1,2})(?P<s1>[-/.])(?P<m>[0-9]{1,2})(?P<s2>[-/.])(?P<y>[0-9]{4})$",
    r"^(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})$",
    r"^(?P<d>[0-9]{1,2})[ /-]*(?P<name>[A-Za-z]+)\.?[ /,-]*(?P<y>[0-9]{4})$",
]
_MONTH_NAMES = pa.array(list(_MONTHS))
_MONTH_NUMBERS = np.array(list(_MONTHS.values()), dtype=np.int64)
_MAG_EXPONENTS = sorted(set(_MAGNITUDES.values()))
# Region codes already in their canonical form, which the scalar parsers return as they are
# (trimmed): a dotted Kemendagri code whose segments are none all zeros, whose province does not
# start with 0 and whose desa number starts with 1-9 (indonesian._segment_problem), and undotted
# BPS digits of 2, 4, 7 or 10 not starting with 0. Anything else (undotted or float-artefact
# Kemendagri codes, every error) is left to the scalar parsers. In a region list every code is
# distinct, so the scalar parser had run once per row (91,599 Kemendagri codes, two columns).
_CANONICAL_CODES = {
    "region_code": r"^[1-9][0-9](?:\.(?:0[1-9]|[1-9][0-9])(?:\.(?:0[1-9]|[1-9][0-9])"
    r"(?:\.[1-9][0-9]{3})?)?)?$",
    "bps_code": r"^[1-9](?:[0-9]|[0-9]{3}|[0-9]{6}|[0-9]{9})$",
}
_NUMERIC = ("integer", "number", "rupiah", "decimal")
_INT64_DIGITS = 18  # whole Rupiah up to 18 digits are summed as int64 without overflow


def vector_parse(raw: np.ndarray, kind: str) -> VectorParsed | None:
    """Parse distinct source texts (`raw`, Python str) of one parse kind where their shape
    allows it; None for a kind with no vectorised form."""
    if kind not in ("text", "date", *_CANONICAL_CODES, *_NUMERIC):
        return None
    try:
        source = pa.array(raw, type=pa.string())
    except (pa.ArrowException, UnicodeError):  # e.g. a lone surrogate: leave all to the scalar
        return None
    trimmed = pc.utf8_trim(source, characters=PYTHON_WHITESPACE)
    empty = _numpy(pc.equal(trimmed, ""))
    if kind == "text":
        values = trimmed.to_numpy(zero_copy_only=False).astype(object)
        values[empty] = None
        return VectorParsed(values, np.ones(len(raw), dtype=bool), None, empty)
    if kind in _CANONICAL_CODES:
        values = trimmed.to_numpy(zero_copy_only=False).astype(object)
        done = _numpy(pc.match_substring_regex(trimmed, _CANONICAL_CODES[kind]))
        rounded = None
    elif kind == "date":
        values, done = _dates(trimmed)
        rounded = None
    else:
        values, done, rounded = _numbers(trimmed, kind)
    values[empty] = None
    return VectorParsed(values, done | empty, rounded, empty)


def text_column(values: pd.Series) -> pd.Series | None:
    """A whole `text` column trimmed as str.strip() trims, only-whitespace cells missing; None
    when its cells are not all text (numbers from a typed read: the general path words them).

    Free text is mostly distinct per row (package names), so it skips the distinct-value
    bookkeeping of parse_column and stays in arrow memory end to end."""
    try:
        source = pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowException, UnicodeError):
        return None
    trimmed = pc.utf8_trim(source, characters=PYTHON_WHITESPACE)
    kept = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    return pd.Series(pd.arrays.ArrowStringArray(kept), index=values.index, name=values.name)


def _numpy(array: pa.Array) -> np.ndarray:
    """A boolean arrow array as numpy, null counting as False."""
    return pc.fill_null(array, False).to_numpy(zero_copy_only=False)


def _groups(trimmed: pa.Array, pattern: str) -> tuple[np.ndarray, dict[str, pa.Array]]:
    """Which cells match `pattern`, and its named groups ("" where a group took no part)."""
    found = pc.extract_regex(trimmed, pattern)
    matched = _numpy(found.is_valid())
    names = [found.type.field(i).name for i in range(found.type.num_fields)]
    groups = {name: pc.fill_null(pc.struct_field(found, name), "") for name in names}
    return matched, groups


def _numbers(trimmed: pa.Array, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Canonical text of numbers, as indonesian._integer_cell, _number_cell, _rupiah_cell and
    _decimal_cell write it, computed on digit strings so that no value passes through a float."""
    if kind == "decimal":  # machine notation: no grouping, no words, no magnitude
        done, g = _groups(trimmed, _MACHINE)
        whole, frac, mag = g["whole"], g["frac"], pa.nulls(len(trimmed), pa.string())
        negative = _numpy(pc.equal(g["s1"], "-"))
    else:
        done, g = _groups(trimmed, _NUMBER)
        dotted = _numpy(pc.equal(g["whole"], ""))
        whole = pc.if_else(dotted, g["dwhole"], pc.replace_substring(g["whole"], ".", ""))
        frac = pc.if_else(dotted, g["dfrac"], g["frac"])
        mag = g["mag"]
        opened, closed = _numpy(pc.equal(g["open"], "(")), _numpy(pc.equal(g["close"], ")"))
        signs = opened.astype(int) + _numpy(pc.equal(g["s1"], "-")) + _numpy(pc.equal(g["s2"], "-"))
        done &= (opened == closed) & (signs <= 1)
        negative = signs == 1
    whole, frac = _shift(whole, frac, mag)
    whole = pc.utf8_ltrim(whole, characters="0")
    whole = pc.if_else(pc.equal(whole, ""), "0", whole)
    frac = pc.utf8_rtrim(frac, characters="0")
    has_frac = _numpy(pc.not_equal(frac, ""))
    if kind == "integer":
        done &= ~has_frac  # a fraction is an error: the scalar parser words it
        text = whole
    elif kind == "rupiah":  # sen rounded half up, away from zero like ROUND_HALF_UP
        fits = _numpy(pc.less_equal(pc.utf8_length(whole), _INT64_DIGITS))
        done &= ~has_frac | fits
        carry = _numpy(pc.greater_equal(pc.utf8_slice_codeunits(frac, 0, 1), "5"))
        small = pc.if_else(fits & done, whole, "0")
        rounded_up = pc.cast(
            pc.add(pc.cast(small, pa.int64()), pa.array(carry, pa.int64())), "string"
        )
        text = pc.if_else(has_frac, rounded_up, whole)
    else:
        text = pc.if_else(has_frac, pc.binary_join_element_wise(whole, frac, "."), whole)
    zero = _numpy(pc.equal(text, "0"))
    values = text.to_numpy(zero_copy_only=False).astype(object)
    minus = negative & ~zero & done
    values[minus] = np.char.add("-", values[minus].astype(str)).astype(object)
    rounded = _numpy(pc.not_equal(mag, "")) if kind != "decimal" else np.zeros(len(values), bool)
    return values, done, rounded.astype(object)


def _shift(whole: pa.Array, frac: pa.Array, mag: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Move the decimal point right by the magnitude word's power of ten ("1,25 rb" -> 1250)."""
    if pc.all(pc.equal(pc.fill_null(mag, ""), "")).as_py() is not False:
        return whole, frac
    exponents = pc.index_in(pc.utf8_lower(mag), value_set=pa.array(list(_MAGNITUDES)))
    exponents = pc.fill_null(pc.take(pa.array(list(_MAGNITUDES.values())), exponents), 0)
    for exponent in _MAG_EXPONENTS:
        here = pc.equal(exponents, exponent)
        padded = pc.utf8_rpad(frac, width=exponent, padding="0")
        moved = pc.binary_join_element_wise(whole, pc.utf8_slice_codeunits(padded, 0, exponent), "")
        whole = pc.if_else(here, moved, whole)
        frac = pc.if_else(here, pc.utf8_slice_codeunits(padded, exponent), frac)
    return whole, frac


def _dates(trimmed: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """ISO dates for the day-first shapes of indonesian.parse_date that name a real date."""
    n = len(trimmed)
    year, month, day = (np.zeros(n, dtype=np.int64) for _ in range(3))
    done = np.zeros(n, dtype=bool)
    for pattern in _DATES:
        matched, g = _groups(trimmed, pattern)
        matched &= ~done
        if not matched.any():
            continue
        if "s1" in g:  # the same separator twice: "17-08/2024" is not a date
            matched &= _numpy(pc.equal(g["s1"], g["s2"]))
        if "name" in g:
            where = pc.index_in(pc.utf8_lower(g["name"]), value_set=_MONTH_NAMES)
            known = _numpy(where.is_valid())
            matched &= known
            months = np.zeros(n, dtype=np.int64)
            months[known] = _MONTH_NUMBERS[where.to_numpy(zero_copy_only=False)[known].astype(int)]
        else:
            months = _integers(g["m"])
        year[matched] = _integers(g["y"])[matched]
        month[matched] = months[matched]
        day[matched] = _integers(g["d"])[matched]
        done |= matched
    valid = done & (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    lengths = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    valid &= day <= lengths[np.clip(month, 0, 12)] + (leap & (month == 2))
    values = np.full(n, None, dtype=object)
    if valid.any():
        text = np.char.add(
            np.char.add(np.char.zfill(year[valid].astype(str), 4), "-"),
            np.char.add(
                np.char.add(np.char.zfill(month[valid].astype(str), 2), "-"),
                np.char.zfill(day[valid].astype(str), 2),
            ),
        )
        values[valid] = text.astype(object)
    return values, valid


def _integers(digits: pa.Array) -> np.ndarray:
    """Digit strings ("" where a group did not match) as int64, 0 for ""."""
    filled = pc.if_else(pc.equal(digits, ""), "0", digits)
    return pc.cast(filled, pa.int64()).to_numpy(zero_copy_only=False)
