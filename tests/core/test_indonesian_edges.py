"""Edges of core/indonesian.py that its other tests did not reach, from the mutation triage
(tests/mutation/README.md): boundaries of the rules, the exact wording of hints, and the paths of
parse_column. Expected values are worked out by hand from the docstrings' rules."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pipelines.core import indonesian
from pipelines.core.indonesian import (
    SCALAR_ENV,
    DateFormatError,
    NumberFormatError,
    RegionCodeError,
    format_number,
    normalise_bps_code,
    normalise_region_code,
    parse_column,
    parse_date,
    parse_decimal,
    parse_integer,
    scale_column,
)

MONTH_FIRST = " (dates are read day first; is this source month first?)"


def test_format_number_groups_the_indonesian_or_the_english_way():
    assert format_number(1234567) == "1.234.567"
    assert format_number(1234567.5, 1) == "1.234.567,5"
    assert format_number(1234567.5, 1, "en") == "1,234,567.5"
    assert format_number(1234567, lang="en") == "1,234,567"
    assert format_number(0) == "0"
    assert format_number(None) == format_number("") == ""


@pytest.mark.parametrize(
    ("text", "hinted"),
    [
        ("12/13/2024", True),  # month 13 with a day that could be a month: month first?
        ("1/13/2024", True),
        ("13/13/2024", False),  # 13 cannot be a month either way
        ("0/05/2024", False),  # day 0 of May: wrong, but not month first
        ("0/12/2024", False),  # day 0 of December: 12 is a month
        ("31/02/2024", False),
    ],
)
def test_the_month_first_hint_only_where_swapping_could_help(text, hinted):
    with pytest.raises(DateFormatError) as info:
        parse_date(text)
    assert (MONTH_FIRST in str(info.value)) is hinted


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("327", ""),
        ("32710", ""),
        ("0327104", ""),
        ("327101", "; it looks like a Kemendagri code: use normalise_region_code"),
        ("32.71.01", "; it looks like a Kemendagri code: use normalise_region_code"),
    ],
)
def test_a_bps_code_error_suggests_kemendagri_only_for_its_shapes(text, hint):
    with pytest.raises(RegionCodeError) as info:
        normalise_bps_code(text)
    assert str(info.value) == (
        f"{text!r} is not a BPS region code: expected 2, 4, 7 or 10 digits not starting with 0 "
        f"(32, 3271, 3271040, 3271040011){hint}"
    )


@pytest.mark.parametrize("setting", ["0", "1"])
def test_rounded_flags_are_missing_for_empty_and_bad_cells_on_both_paths(monkeypatch, setting):
    """Setting "0" sends every cell through the vectorised forms first, "1" the scalar parsers:
    an abbreviated amount is rounded, an exact one is not, and a cell with no value (empty or
    unreadable) has no flag either way."""
    monkeypatch.setenv(SCALAR_ENV, setting)
    parsed = parse_column(pd.Series(["22,1 M", "Rp 1.000", "", "x", None]), "rupiah")
    assert parsed.values.tolist() == ["22100000000", "1000", pd.NA, pd.NA, pd.NA]
    assert parsed.rounded.tolist() == [True, False, pd.NA, pd.NA, pd.NA]


@pytest.mark.parametrize("text", ["1.000 \u20ac", "\u00b25", "1\u20132", "1 \u00e9"])
def test_only_non_ascii_digits_are_called_digits(text):
    """A euro sign (Sc), a superscript two (No), an en dash (Pd) and an e with an accent (Ll)
    are not decimal digits (Nd): they are unexpected characters, not foreign digits."""
    with pytest.raises(NumberFormatError) as info:
        parse_decimal(text)
    assert str(info.value).startswith(f"cannot read {text!r} as a number: it has unexpected ")


def test_a_desa_number_starting_with_0_is_named_in_full():
    with pytest.raises(RegionCodeError) as info:
        normalise_region_code("3271010123")
    assert str(info.value) == (
        "'3271010123' is not a Kemendagri region code: desa/kelurahan number '0123' starts with 0 "
        "(Kemendagri numbers start with 1 for kelurahan, 2 for desa); this may be a 10-digit BPS "
        "desa code: keep it with normalise_bps_code and map it through a BPS-Kemendagri crosswalk"
    )


def test_scale_column_shifts_the_decimal_point_and_keeps_missing_and_failed_cells():
    """1000 (ribu): 0,0001 is 0.1, 2 is 2000, -1,5 is -1500; the missing cell stays missing and
    the unreadable one keeps its parse error. An integer field refuses 0.1 (each time it occurs)
    but still scales the cells after it; a scale of 1 changes nothing."""
    parsed = parse_column(pd.Series(["0,0001", None, "x", "2", "0,0001", "-1,5"]), "number")
    scaled = scale_column(parsed, 1000)
    assert scaled.values.tolist() == ["0.1", pd.NA, pd.NA, "2000", "0.1", "-1500"]
    assert scaled.errors.tolist() == [None, None, parsed.errors[2], None, None, None]
    assert parsed.errors[2].startswith("cannot read 'x' as a number")
    assert scaled.slugs.tolist() == [None, None, "number-format", None, None, None]
    assert scaled.rounded is parsed.rounded

    whole = scale_column(parsed, 1000, whole=True)
    assert whole.values.tolist() == [pd.NA, pd.NA, pd.NA, "2000", pd.NA, "-1500"]
    refused = (
        "0.0001 x 1000 = 0.1: bukan bilangan bulat / not a whole number, and an integer field is "
        "never rounded; check jendela.scale and the source unit"
    )
    assert whole.errors.tolist() == [refused, None, parsed.errors[2], None, refused, None]
    assert whole.slugs.tolist() == ["number-format", None, "number-format", None, "number-format",
                                    None]  # fmt: skip

    assert scale_column(parsed, 1).values.tolist() == ["0.0001", pd.NA, pd.NA, "2", "0.0001",
                                                       "-1.5"]  # fmt: skip
    assert scale_column(parsed, 10, whole=True).values.tolist()[3:] == ["20", pd.NA, "-15"]
    last = scale_column(parse_column(pd.Series(["2", "3", None, "0,0001"]), "number"), 1000, True)
    assert last.errors.tolist() == [None, None, None, refused]  # the missing cell has no error
    up = scale_column(parse_column(pd.Series(["0,0009", "-0,0001"]), "number"), 1000, True)
    assert up.values.tolist() == [pd.NA, pd.NA]  # 0.9 and -0.1 are not whole either
    assert [e.split(":")[0] for e in up.errors] == ["0.0009 x 1000 = 0.9", "-0.0001 x 1000 = -0.1"]


@pytest.mark.parametrize(
    ("factor", "message"),
    [
        (0, "scale must be a positive power of ten, got 0"),
        (-10, "scale must be a positive power of ten, got -10"),
        (True, "scale must be a positive power of ten, got True"),
        (10.0, "scale must be a positive power of ten, got 10.0"),
        ("10", "scale must be a positive power of ten, got '10'"),
        (20, "scale must be a power of ten such as 1000, got 20"),
        (11, "scale must be a power of ten such as 1000, got 11"),
        (1500, "scale must be a power of ten such as 1000, got 1500"),
    ],
)
def test_a_scale_that_is_not_a_positive_power_of_ten_is_refused(factor, message):
    parsed = parse_column(pd.Series(["2"]), "number")
    with pytest.raises(ValueError) as info:
        scale_column(parsed, factor)
    assert str(info.value) == message


def test_a_text_column_skips_the_per_value_parser(monkeypatch):
    """Free text is trimmed as a whole column (text_column), never value by value, unless
    JENDELA_SCALAR_PARSE=1 asks for the scalar reference."""
    calls = []

    def counting(text):
        calls.append(text)
        return text.strip() or None, None

    monkeypatch.setitem(indonesian._CELLS, "text", counting)
    monkeypatch.delenv(SCALAR_ENV, raising=False)
    assert parse_column(pd.Series([" a ", "b", None]), "text").values.tolist() == ["a", "b", pd.NA]
    assert calls == []
    monkeypatch.setenv(SCALAR_ENV, "1")
    assert parse_column(pd.Series([" a ", "b", None]), "text").values.tolist() == ["a", "b", pd.NA]
    assert calls == [" a ", "b"]


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("327", ""),
        ("32710", ""),
        ("32710101", ""),
        ("3271010", "; a 7-digit code may be a BPS kecamatan code (BPS 3271040 is Kemendagri "
                    "32.71.03): keep it with normalise_bps_code and map it through a crosswalk"),
    ],
)  # fmt: skip
def test_only_a_seven_digit_code_is_taken_for_a_bps_kecamatan(text, hint):
    with pytest.raises(RegionCodeError) as info:
        normalise_region_code(text)
    assert str(info.value) == (
        f"{text!r} is not a Kemendagri region code: it has {len(text)} digits; expected a "
        "Kemendagri code of 2, 4, 6 or 10 digits, dotted or not (32, 32.71, 32.71.01, "
        f"32.71.01.1001){hint}"
    )


@pytest.mark.parametrize("setting", ["0", "1"])
def test_machine_notation_is_never_rounded(monkeypatch, setting):
    """The decimal kind has no magnitude words, so no cell of it was abbreviated by its source."""
    monkeypatch.setenv(SCALAR_ENV, setting)
    parsed = parse_column(pd.Series(["111.366", "1e3", "", "x"]), "decimal")
    assert parsed.values.tolist() == ["111.366", "1000", pd.NA, pd.NA]
    assert parsed.rounded.tolist() == [False, False, pd.NA, pd.NA]


@pytest.mark.parametrize("text", ["(5", "5)", "(1.000", "Rp 1.000)"])
def test_a_parenthesis_alone_is_not_a_negative_sign(text):
    with pytest.raises(NumberFormatError) as info:
        parse_decimal(text)
    assert str(info.value).startswith(f"cannot read {text!r} as a number: it has unexpected ")


def test_a_missing_cell_takes_nothing_from_the_last_distinct_value():
    """Three distinct values, the last unreadable, then a missing cell: the missing cell has no
    value, no error and no issue type."""
    parsed = parse_column(pd.Series(["1", "2", "x", None]), "integer")
    assert parsed.values.tolist() == ["1", "2", pd.NA, pd.NA]
    assert [e is None for e in parsed.errors] == [True, True, False, True]
    assert parsed.slugs.tolist() == [None, None, "number-format", None]
    assert parsed.rounded.tolist() == [False, False, pd.NA, pd.NA]


def test_typed_cells_that_are_not_text_are_read_as_their_text():
    """A typed read (a spreadsheet's time cell) gives objects, not text: each is read as its
    str(), as numbers are ("3201.0")."""
    parsed = parse_column(pd.Series([dt.time(10, 30), None, dt.time(7, 5)], dtype=object), "text")
    assert parsed.values.tolist() == ["10:30:00", pd.NA, "07:05:00"]


@pytest.mark.parametrize(("text", "plain"), [("1,23 rb", "1230"), ("1,5 rb", "1500")])
def test_a_magnitude_word_gives_plain_digits(text, plain):
    """1,23 ribu is 1230, written out: never "1.23E+3" (parse_decimal promises plain text)."""
    assert str(parse_decimal(text)) == plain


@pytest.mark.parametrize("text", ["12,7", "-1,5", "0,9"])
def test_parse_integer_refuses_fractions_that_round_up_or_are_negative(text):
    """A fraction is refused whichever way it would round: 12,7 is not 12 nor 13."""
    with pytest.raises(NumberFormatError, match="as a whole number: it has a fractional part"):
        parse_integer(text)
