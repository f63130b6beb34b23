"""The vectorised parsers (core/indonesian_vector.py) against the scalar ones, their reference.

For random and adversarial cells of every parse kind, parse_column must give the same values,
flags, errors and issue types whether the vectorised forms run or JENDELA_SCALAR_PARSE=1 sends
every cell to the scalar parsers. A second set of tests makes sure the vectorised forms really
take the common shapes (else the comparison would hold trivially).
"""

from __future__ import annotations

import calendar
import contextlib
import os
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipelines.core.indonesian import (
    PARSE_KINDS,
    SCALAR_ENV,
    VECTOR_MIN_VALUES,
    parse_column,
    vectorised_for,
)
from pipelines.core.indonesian_vector import PYTHON_WHITESPACE, text_column, vector_parse
from pipelines.core.indonesian_words import MAGNITUDES, MONTHS

SPACES = ["", " ", "  ", "\xa0", "\t", "\u2009", "\x1c", "\u3000"]
ODD_DIGITS = ["\u0661\u0662", "\uff11\uff12", "\u09e7", "\u00b2"]  # Arabic-Indic, fullwidth, ...
NUMBER_PIECES = [
    "(", ")", "-", "\u2212", "+", "Rp", "Rp.", "rp", "RP ", "IDR", "idr.", ".", ",", ",-", ",--",
    "%", "e", "E+", "M", "m", "jt", "Jt.", "juta", "rb", "ribu", "miliar", "Milyar", "T",
    "triliun", "trilyun", "mil", "_", "0", "00", "000", "1", "12", "123", "1234",
    *SPACES, *ODD_DIGITS,
]  # fmt: skip
MONTH_WORDS = [*MONTHS, "Mei", "AGUSTUS", "Des", "Xyz", "Maret.", "Jum'at", "Senin,"]
DATE_PIECES = [
    "-", "/", ".", ",", ":", "T", "WIB", "10:00", *MONTH_WORDS, "0", "1", "12", "31", "29", "00",
    "2024", "1900", "2000", "0000", "24", *SPACES, *ODD_DIGITS,
]  # fmt: skip


def cased(word: str) -> st.SearchStrategy[str]:
    return st.sampled_from([word, word.lower(), word.upper(), word.title()])


def grouped(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@st.composite
def number_cells(draw) -> str:
    """Shapes sources write, each part optional or slightly off, then padded."""
    whole = draw(st.integers(0, 10**25))
    style = draw(st.sampled_from(["plain", "grouped", "english", "dot", "zeros"]))
    core = {
        "plain": str(whole),
        "grouped": grouped(whole),
        "english": f"{whole:,}",
        "dot": f"{whole}",
        "zeros": f"00{whole}",
    }[style]
    fraction = draw(st.sampled_from(["", "0", "00", "5", "50", "49", "999", "123456789012"]))
    if fraction:
        core += ("." if style in ("dot", "english") else ",") + fraction
    prefix = draw(st.sampled_from(["", "Rp", "Rp.", "rp ", "IDR ", "Rp -", "-", "- Rp "]))
    suffix = draw(st.sampled_from(["", ",-", ",--"]))
    mag = draw(st.sampled_from(["", *MAGNITUDES]))
    text = (
        prefix
        + core
        + suffix
        + (draw(st.sampled_from(["", " "])) + draw(cased(mag)) if mag else "")
    )
    if draw(st.booleans()):
        text = f"({text})"
    return draw(st.sampled_from(SPACES)) + text + draw(st.sampled_from(SPACES))


@st.composite
def date_cells(draw) -> str:
    day = str(draw(st.integers(0, 40))).zfill(draw(st.integers(1, 2)))
    month = str(draw(st.integers(0, 14))).zfill(draw(st.integers(1, 2)))
    year = str(draw(st.integers(0, 9999))).zfill(4)
    sep, sep2 = draw(st.sampled_from("-/.")), draw(st.sampled_from(["-", "/", ".", " "]))
    shape = draw(st.sampled_from(["dmy", "dmy2", "iso", "named"]))
    text = {
        "dmy": f"{day}{sep}{month}{sep}{year}",
        "dmy2": f"{day}{sep}{month}{sep2}{year}",
        "iso": f"{year}-{month}-{day}",
        "named": f"{day}{sep2}{draw(cased(draw(st.sampled_from(MONTH_WORDS))))}{sep2}{year}",
    }[shape]
    return draw(st.sampled_from(SPACES)) + text + draw(st.sampled_from(SPACES))


def pieces(words: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(words), max_size=8).map("".join)


ANY_TEXT = st.text(max_size=12)
NUMBERS = st.one_of(number_cells(), pieces(NUMBER_PIECES), ANY_TEXT)
DATES = st.one_of(date_cells(), pieces(DATE_PIECES), ANY_TEXT)
MACHINE = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    pieces(["-", "0", "1", "12", ".", "5", "e", "E-", "+", *SPACES, *ODD_DIGITS]),
    ANY_TEXT,
)
SEGMENTS = ["32", "71", "01", "00", "0", "1", "09", "99", "1001", "2001", "0101", "0000", "04",
            "3271040", "3271040011", "\u0663\u0662", "ab"]  # fmt: skip


@st.composite
def code_cells(draw) -> str:
    """Region codes as sources write them: dotted or not, a segment of zeros or of one digit, a
    desa number starting with 0, a float's ".0", seven BPS digits, other digits, padding."""
    segments = draw(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=4))
    text = draw(st.sampled_from([".", ""])).join(segments)
    text += draw(st.sampled_from(["", "", ".0", ".00", ".", "5"]))
    return draw(st.sampled_from(SPACES)) + text + draw(st.sampled_from(SPACES))


CODES = st.one_of(code_cells(), pieces([*SEGMENTS, ".", *SPACES]), ANY_TEXT)
CELLS = {
    "integer": NUMBERS,
    "number": NUMBERS,
    "rupiah": NUMBERS,
    "decimal": MACHINE,
    "date": DATES,
    "text": st.one_of(ANY_TEXT, pieces([*SPACES, "a", "<b>", "&amp;", "\n", "  x  "])),
    "region_code": CODES,
    "bps_code": CODES,
}


@contextlib.contextmanager
def parsers(setting: str):
    """JENDELA_SCALAR_PARSE=`setting` for the duration: "1" the scalar parsers alone (the
    reference), "0" the vectorised forms at any column size (a build picks them only for columns
    of many distinct values, and these cells are few)."""
    before = os.environ.get(SCALAR_ENV)
    os.environ[SCALAR_ENV] = setting
    try:
        yield
    finally:
        if before is None:
            del os.environ[SCALAR_ENV]
        else:
            os.environ[SCALAR_ENV] = before


def as_lists(series_list) -> list:
    """Each series as a list with every missing value (NA, NaN, None) as None. Cell by cell: the
    columns are short, and a pandas `where` per series took a quarter of this file's time."""
    return [
        None if s is None else [None if pd.isna(v) else v for v in s.tolist()] for s in series_list
    ]


def assert_same_as_scalar(cells: list[str], kind: str) -> None:
    column = pd.Series(cells, dtype=object)
    with parsers("0"):
        fast = parse_column(column, kind)
    with parsers("1"):
        reference = parse_column(column, kind)
    assert as_lists(fast) == as_lists(reference), (kind, cells)


@pytest.mark.parametrize("kind", sorted(CELLS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
@example(data=None)
def test_vectorised_equals_scalar(kind, data):
    """Value or error, flag and issue type: the same for every cell."""
    if data is None:  # the adversarial cells named in the assignment, always tried
        cells = [
            "1.234.567,89", "Rp 1.234", "(1.234)", "12,5%", "1,2 M", "12 Januari 2024",
            "12/01/2024", "", "-", " ", "\xa0", "1\xa0234", "1 234", "\u0661\u0662", "Rp -5",
            "--5", "(-5)", "(5", "9" * 40 + ",5", "0,5", "-0,5", "-0,4", "0", "-0", "1e5",
            "1_000", "31/02/2024", "29 Feb 2023", "29 Feb 2024", "17-08/2024", "2024-13-01",
            "Rp 999.999.999.999.999.999,50", "Rp 9.999.999.999.999.999.999,50", "3201.0",
            "1,096.08", "1.2345", "0.125", "10.000,-", "garbage", "\u3000Rp 5\u3000",
            "32.71.01.1001", "32.00", "32.71.00", "03.71", "32.71.01.0101", "3271040.0",
        ]  # fmt: skip
    else:
        cells = data.draw(st.lists(CELLS[kind], min_size=1, max_size=30))
    assert_same_as_scalar(cells, kind)


def test_a_build_vectorises_only_columns_of_many_distinct_values(monkeypatch):
    """Unset, the choice follows the column's distinct values; "0" and "1" override it."""
    monkeypatch.delenv(SCALAR_ENV, raising=False)
    assert not vectorised_for(VECTOR_MIN_VALUES - 1)
    assert vectorised_for(VECTOR_MIN_VALUES)
    for setting, expected in (("0", True), ("1", False)):
        monkeypatch.setenv(SCALAR_ENV, setting)
        assert vectorised_for(1) is expected
        assert vectorised_for(10**6) is expected


def test_every_parse_kind_is_compared():
    """A new parse kind with a vectorised form gets its strategy here, or this fails."""
    vectorised = {k for k in PARSE_KINDS if vector_parse(np.array(["1"], dtype=object), k)}
    assert vectorised <= set(CELLS)
    assert vectorised >= {"integer", "number", "rupiah", "decimal", "date", "text"}
    assert vectorised == set(PARSE_KINDS)


@pytest.mark.parametrize(
    ("kind", "cells", "expected"),
    [
        ("rupiah", ["Rp 338.240.000,00", "(1.234)", "22,1 M", "Rp 5,5", "-0,4", "10.000,-"],
         ["338240000", "-1234", "22100000000", "6", "0", "10000"]),
        ("number", ["1.234.567,89", "1,2 M", "3201.0", "0,050", "1,25 rb", "-12,5"],
         ["1234567.89", "1200000000", "3201", "0.05", "1250", "-12.5"]),
        ("integer", ["1.234", "3201.0", "007", "2019"], ["1234", "3201", "7", "2019"]),
        ("decimal", ["111.366", "-0.50", "-0", "12"], ["111.366", "-0.5", "0", "12"]),
        ("date", ["12 Januari 2024", "12/01/2024", "12-1-2024", "12.01.2024", "2024-01-12",
                  "5 agt. 2020"],
         ["2024-01-12"] * 5 + ["2020-08-05"]),
        ("text", ["  a  b ", "<b>&amp;"], ["a  b", "<b>&amp;"]),
        ("region_code", ["32", " 32.71", "32.71.01", "32.71.10.1001", "91.05.10.2009"],
         ["32", "32.71", "32.71.01", "32.71.10.1001", "91.05.10.2009"]),
        ("bps_code", ["32", "3271", "3271040 ", "3271040011"],
         ["32", "3271", "3271040", "3271040011"]),
    ],
)  # fmt: skip
def test_common_shapes_are_vectorised(kind, cells, expected):
    """The shapes of real sources never reach the scalar parser (expected values written here
    by hand from the rules in parse_decimal and parse_date)."""
    parsed = vector_parse(np.array(cells, dtype=object), kind)
    assert parsed.done.all(), [c for c, d in zip(cells, parsed.done, strict=True) if not d]
    assert parsed.values.tolist() == expected


def test_region_codes_the_scalar_parser_rewrites_or_refuses_are_left_to_it():
    """Only codes already canonical are taken: "3271" (dotted by the scalar parser), "32.0" (a
    float's artefact) and every code it refuses go to the scalar parser, which words the error."""
    cells = ["3271", "32.0", "32.71.0", "32.00", "03.71", "32.71.01.0101", "3271040", "32.7"]
    assert not vector_parse(np.array(cells, dtype=object), "region_code").done.any()
    cells = ["3271040.0", "0327", "327104", "32.71", "3271\u0664"]
    assert not vector_parse(np.array(cells, dtype=object), "bps_code").done.any()


def test_rejected_shapes_are_left_to_the_scalar_parser():
    """Cells the scalar parser rejects are never given a value by the vectorised one."""
    cells = ["12,5%", "(-5)", "(5", "31/02/2024", "17-08/2024", "1.234.5", "\u0661"]
    for kind in ("number", "date"):
        parsed = vector_parse(np.array(cells, dtype=object), kind)
        assert not parsed.done.any(), kind


def test_whitespace_is_pythons():
    """The trim set is exactly what str.strip() removes, so trimmed text is Python's."""
    assert set(PYTHON_WHITESPACE) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


def test_month_ends_and_leap_days_are_vectorised_exactly():
    """Day counts of the Gregorian calendar, from the mutation triage (tests/mutation/README.md):
    29 February in 2024 and in 2000 (divisible by 400), not in 2023 nor in 1900 (divisible by 100
    only); 31 days in January, March and December, 30 in April; year 1 is the first. Real dates
    are taken, impossible ones left to the scalar parser, which words their errors."""
    good = ["29/02/2024", "29 Februari 2000", "28-02-2023", "31.01.2023", "31/03/2023",
            "30 April 2024", "31 Desember 2023", "01/01/0001", "2024-12-31"]  # fmt: skip
    parsed = vector_parse(np.array(good, dtype=object), "date")
    assert parsed.values.tolist() == [
        "2024-02-29", "2000-02-29", "2023-02-28", "2023-01-31", "2023-03-31", "2024-04-30",
        "2023-12-31", "0001-01-01", "2024-12-31",
    ]  # fmt: skip
    assert parsed.done.all()
    bad = ["29/02/2023", "29/02/1900", "30 Februari 2024", "31/04/2024", "32/01/2024",
           "32.03.2024", "00/01/2024", "01/00/2024", "01/13/2024", "01/01/0000"]  # fmt: skip
    assert not vector_parse(np.array(bad, dtype=object), "date").done.any()

    for month in range(1, 13):  # the last day of each month of 2023 is taken, the next is not
        last = calendar.monthrange(2023, month)[1]
        cells = [f"{last}/{month:02d}/2023", f"{last + 1}/{month:02d}/2023"]
        parsed = vector_parse(np.array(cells, dtype=object), "date")
        assert parsed.done.tolist() == [True, False], month
        assert parsed.values[0] == f"2023-{month:02d}-{last}"


@pytest.mark.parametrize("kind", ["integer", "number", "rupiah", "decimal", "date", "text"])
def test_no_cells_give_empty_results(kind):
    parsed = vector_parse(np.array([], dtype=object), kind)
    assert (len(parsed.values), len(parsed.done), len(parsed.empty)) == (0, 0, 0)


def test_text_arrow_cannot_hold_is_declined_not_failed():
    """A lone surrogate (broken UTF-16 in a source) cannot be arrow text: both vectorised entry
    points decline the column, leaving it to the scalar parsers, instead of raising."""
    cells = np.array(["1", "1\ud800"], dtype=object)
    for kind in ("number", "date", "text"):
        assert vector_parse(cells, kind) is None
    assert text_column(pd.Series(cells, dtype=object)) is None


def test_a_parenthesis_without_its_pair_is_left_to_the_scalar_parser():
    """Only "(...)" as a whole is a negative amount; a lone "(" or ")" is an error the scalar
    parser words, as are two signs."""
    cells = ["5)", "Rp 1.000)", "(5", "(Rp 5", "--5", "(-5)", "- Rp -5"]
    for kind in ("integer", "number", "rupiah"):
        assert not vector_parse(np.array(cells, dtype=object), kind).done.any(), kind


@pytest.mark.parametrize("cell", ["12/01/2024", "2024-01-12", "12 Januari 2024"])
def test_each_date_shape_is_vectorised_alone(cell):
    """A column of only ISO or only named-month dates is taken too, not only one that mixes them
    with day-first numbers."""
    parsed = vector_parse(np.array([cell], dtype=object), "date")
    assert parsed.done.tolist() == [True]
    assert parsed.values.tolist() == ["2024-01-12"]


def test_rupiah_with_sen_is_summed_up_to_18_digits_and_whole_rupiah_at_any_length():
    """Sen are rounded in int64, so a whole part of up to 18 digits with sen is taken (18 nines
    and 50 sen round up to 10**18), 19 digits with sen are left to the scalar parser, and whole
    Rupiah with no sen are taken at any length (no sum is needed)."""
    cells = ["Rp 999.999.999.999.999.999,50", "9.999.999.999.999.999.999,50", "1" + "0" * 24]
    parsed = vector_parse(np.array(cells, dtype=object), "rupiah")
    assert parsed.done.tolist() == [True, False, True]
    assert parsed.values[0] == "1" + "0" * 18
    assert parsed.values[2] == "1" + "0" * 24


def test_a_text_column_with_missing_cells_is_trimmed_whole():
    """pandas reads an empty cell of a text column as NaN or None: both stay missing, the column
    is still trimmed in arrow (not declined to the per-value path)."""
    column = pd.Series([" a ", np.nan, None, "\xa0"], dtype=object, name="nama")
    trimmed = text_column(column)
    assert trimmed is not None
    assert trimmed.name == "nama"
    assert trimmed.astype(object).where(trimmed.notna(), None).tolist() == ["a", None, None, None]


def test_unknown_month_names_beside_known_ones_are_left_to_the_scalar_parser():
    """A word in the month's place that is no month ("Senin", a weekday) leaves its cell to the
    scalar parser; the known names beside it are still taken."""
    cells = ["12 Senin 2024", "12 Mei 2024", "3 Xyz 2020"]
    parsed = vector_parse(np.array(cells, dtype=object), "date")
    assert parsed.done.tolist() == [False, True, False]
    assert parsed.values[1] == "2024-05-12"


def test_29_february_is_taken_in_leap_years_only():
    """Every year from 1890 to 2040 and the century years around them: 29 February is a date
    exactly in the leap years of the Gregorian calendar (calendar.isleap), e.g. 2020 but not
    2019, whatever the year's bits."""
    years = [*range(1890, 2041), 1600, 1700, 1800, 2100, 2400, 1, 4, 100, 400, 9996, 9999]
    cells = [f"29/02/{year:04d}" for year in years]
    parsed = vector_parse(np.array(cells, dtype=object), "date")
    assert parsed.done.tolist() == [calendar.isleap(year) for year in years]
    taken = [value for value in parsed.values if value is not None]
    assert taken == [f"{year:04d}-02-29" for year in years if calendar.isleap(year)]
