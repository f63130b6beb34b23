"""Indonesian formats: numbers, Rupiah, dates, region codes, region names and free text; and
numbers written the Indonesian way for display (`format_number`).

Every pipeline reads Indonesian values through this one module, so a single rule decides what
"1.234" means (one thousand two hundred thirty-four) everywhere. Parsers never guess: a value no
rule accepts raises a typed error that names the value and says what was expected, and
`parse_column` reports it per cell instead of inventing a value.

Pure module: only the standard library, numpy and pandas (and pyarrow, through the vectorised
forms of the parsers in indonesian_vector.py).
"""

from __future__ import annotations

import datetime as dt
import decimal
import html
import os
import re
import unicodedata
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import numpy as np
import pandas as pd

from .indonesian_vector import text_column, vector_parse
from .indonesian_words import MAGNITUDES as _MAGNITUDES
from .indonesian_words import MONTHS as _MONTHS
from .issue_types import DATE_FORMAT, NUMBER_FORMAT, PARSE_ERROR, REGION_CODE

__all__ = [
    "DateFormatError",
    "IndonesianFormatError",
    "NUMERIC_PARSE_KINDS",
    "PARSE_KINDS",
    "NumberFormatError",
    "PATH_SEPARATOR",
    "ParsedColumn",
    "RegionCodeError",
    "RupiahAmount",
    "clean_text",
    "format_number",
    "normalise_bps_code",
    "normalise_region_code",
    "normalise_region_name",
    "parse_column",
    "parse_date",
    "parse_decimal",
    "parse_integer",
    "parse_rupiah",
    "region_name_key",
    "scale_column",
]


class IndonesianFormatError(ValueError):
    """A value that no Indonesian format rule accepts; `value` is the offending text.

    `slug` is its issue type in the catalogue (core/issue_types.py); parse_column keeps it per
    cell beside the message."""

    slug = PARSE_ERROR.slug

    def __init__(self, message: str, value: object = None):
        super().__init__(message)
        self.value = value


class NumberFormatError(IndonesianFormatError):
    slug = NUMBER_FORMAT.slug


class DateFormatError(IndonesianFormatError):
    slug = DATE_FORMAT.slug


class RegionCodeError(IndonesianFormatError):
    slug = REGION_CODE.slug


class RupiahAmount(NamedTuple):
    value: int  # whole Rupiah
    rounded: bool  # the source abbreviated the amount ("22,1 M"), so it is not exact


class ParsedColumn(NamedTuple):
    values: pd.Series  # canonical text ("1234", "2015-05-26", "32.71"), pd.NA when missing or bad
    errors: pd.Series  # None where fine, else the error message
    rounded: pd.Series | None  # integer/number/rupiah: True where a magnitude suffix was used
    slugs: pd.Series | None = None  # None where fine, else the error's issue type (its slug)


# ---------------------------------------------------------------------------------------------
# Numbers

_NUMBER = re.compile(
    r"(?P<sign>-)?\s*(?:(?:rp|idr)\.?\s*)?(?P<sign2>-)?\s*"
    r"(?P<core>[0-9][0-9.,]*?)(?:,-{1,2})?"
    r"(?:\s*(?P<mag>" + "|".join(sorted(_MAGNITUDES, key=len, reverse=True)) + r")\.?)?",
    re.IGNORECASE | re.ASCII,
)
# Separator patterns, tried in this order (see parse_decimal for the rules).
_ID_PLAIN = re.compile(r"[0-9]+(?:,[0-9]+)?")
_ID_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]+)?")
_EN_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+\.[0-9]+")
_DOT_DECIMAL = re.compile(r"(?:0|[1-9][0-9]*)\.[0-9]+")
_EXPECTED_NUMBER = (
    "expected Indonesian notation such as '1.234.567,89', 'Rp 1.234' or '22,1 M' "
    "('.' groups thousands in threes, ',' is the decimal comma)"
)


def _number_error(text: str, reason: str) -> NumberFormatError:
    return NumberFormatError(
        f"cannot read {text!r} as a number: {reason}; {_EXPECTED_NUMBER}", text
    )


def _non_ascii_digits(text: str) -> list[str]:
    return [c for c in text if not c.isascii() and unicodedata.category(c) == "Nd"]


def _parse_number(text: str) -> tuple[Decimal, bool]:
    """The value and whether a magnitude suffix scaled it (the scalar core of every number)."""
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}: {text!r}")
    s = " ".join(text.replace("\u2212", "-").split())
    if not s:
        raise _number_error(text, "the value is empty")
    if foreign := _non_ascii_digits(s):
        raise _number_error(text, f"it has non-ASCII digits ({''.join(foreign)!r}); only 0-9 count")
    negative = s.startswith("(") and s.endswith(")")
    if negative:
        s = s[1:-1].strip()
    match = _NUMBER.fullmatch(s)
    if match is None:
        if not re.search(r"[0-9]", s):
            reason = "it has no digits"
        elif re.search(r"[0-9][eE][+-]?[0-9]", s):
            reason = "scientific notation is not accepted (read the source column as text)"
        else:
            reason = "it has unexpected characters"
        raise _number_error(text, reason)
    signs = (match["sign"] is not None) + (match["sign2"] is not None) + negative
    if signs > 1:
        raise _number_error(text, "it has more than one minus sign or parenthesis")
    core = match["core"]
    if _ID_PLAIN.fullmatch(core) or _ID_GROUPED.fullmatch(core):
        whole, _, fraction = core.replace(".", "").partition(",")
    elif _EN_GROUPED.fullmatch(core) or _DOT_DECIMAL.fullmatch(core):
        whole, _, fraction = core.replace(",", "").partition(".")
    elif "." not in core and core.count(",") > 1:
        raise _number_error(
            text, "it has more than one decimal comma (English grouping needs a decimal point)"
        )
    else:
        raise _number_error(text, "its '.' and ',' separators fit no accepted pattern")
    mag = match["mag"]
    exponent = _MAGNITUDES[mag.lower()] if mag else 0
    digits = f"{whole}.{fraction}" if fraction else whole
    value = Decimal(f"{'-' if signs else ''}{digits}e{exponent}")
    value = Decimal(int(value)) if value.as_tuple().exponent > 0 else value  # no "2.21E+10"
    return (value.copy_abs() if value.is_zero() else value), mag is not None


def parse_decimal(text: str) -> Decimal:
    """Read an Indonesian number exactly.

    Indonesian writes "1.234.567,89": '.' groups thousands and ',' is the decimal comma. Sources
    add "Rp"/"Rp." (with or without a space), magnitude words such as "2.426,07 M" (DJPK,
    miliar) or "325 Jt" (SPSE HPS), "(1.234)" for negatives and "10.000,-" for "no sen".

    Rules for the separators, in order:
    - only digits and at most one ',' (e.g. "12,5", "1234") -> ',' is the decimal comma;
    - '.' between groups of exactly three digits (first group 1-3 digits, not starting with 0),
      optionally followed by ',' and decimals -> Indonesian thousands ("1.234.567,89");
    - ',' groups of three followed by one '.' ("1,096.08", seen in DJPK percentages) -> English;
    - a single '.' not followed by exactly three digits ("8951.96", "451.3", "3201.0") or after
      a leading "0" or 4+ digits ("0.125", "1234.567") -> decimal point.

    Ambiguity: "1.234" is read as 1234, never 1.234, because thousands grouping is the
    Indonesian reading. A source that writes English decimals with exactly three places must
    be converted by its reader first.

    Magnitudes (case-insensitive): rb/ribu 1e3, jt/juta 1e6, m/miliar/milyar 1e9,
    t/triliun/trilyun 1e12. "M" is miliar (1e9), as in Indonesian tables, not million.

    >>> parse_decimal("2.426,07 M")
    Decimal('2426070000000')
    """
    return _parse_number(text)[0]


def parse_rupiah(text: str) -> RupiahAmount:
    """Read an amount of money as whole Rupiah, flagging amounts the source abbreviated.

    SPSE shows HPS as "22,1 M" but contract values as "Rp 470.701.000,00": the first is only
    known to 100 million, which `rounded` records. Sen are rounded half up (ties away from zero,
    so -0,5 -> -1); that does not set `rounded`, which is about the source's own precision.

    >>> parse_rupiah("22,1 M")
    RupiahAmount(value=22100000000, rounded=True)
    """
    value, scaled = _parse_number(text)
    return RupiahAmount(int(value.to_integral_value(rounding=ROUND_HALF_UP)), scaled)


def parse_integer(text: str) -> int:
    """Read a count or a year; refuse a fraction instead of truncating it.

    Accepts Indonesian grouping ("1.234.567") and integers that went through a float on export
    ("3201.0", "2019.0", Open Data Jabar). "12,5" raises NumberFormatError.
    """
    value, _ = _parse_number(text)
    if value != value.to_integral_value():
        raise NumberFormatError(
            f"cannot read {text!r} as a whole number: it has a fractional part ({value}); "
            "expected an integer such as '1.234.567' or '2019'",
            text,
        )
    return int(value)


def _decimal_text(value: Decimal) -> str:
    """Plain decimal text for a CSV: no exponent, no trailing zeros ("12.50" -> "12.5")."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value, "f").rstrip("0")


def format_number(value, decimals: int = 0, lang: str = "id") -> str:
    """A number for people to read: Indonesian 1.234.567,5 (dot for thousands, comma for
    decimals), English 1,234,567.5; "" for a missing value. The one formatter behind the catalog
    pages, the checks' messages and the served Datasette pages.

    >>> format_number(1234567)
    '1.234.567'
    >>> format_number(-97.045, 2)
    '-97,05'
    """
    if value is None or value == "":
        return ""
    text = f"{float(value):,.{decimals}f}" if decimals else f"{int(round(float(value))):,}"
    if lang == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


# ---------------------------------------------------------------------------------------------
# Dates


_WEEKDAY = r"(?:(?:senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad)\s*,?\s*)?"
_TIME = (
    r"(?:(?:\s+|t)[0-9]{1,2}[:.][0-9]{2}(?:[:.][0-9]{2}(?:\.[0-9]+)?)?"
    r"(?:\s*(?:wib|wita|wit|z|[+-][0-9]{2}:?[0-9]{2}))?)?"
)
_FLAGS = re.IGNORECASE | re.ASCII
_DAY_MONTH_YEAR = r"(?P<d>[0-9]{1,2})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})"
_ISO = r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})"
_NAMED = r"(?P<d>[0-9]{1,2})[\s/-]*(?P<name>[a-z]+)\.?[\s/,-]*(?P<y>[0-9]{4})"
_DATE_PATTERNS = [
    re.compile(_WEEKDAY + _DAY_MONTH_YEAR + _TIME, _FLAGS),
    re.compile(_ISO + _TIME, _FLAGS),
    re.compile(_WEEKDAY + _NAMED + _TIME, _FLAGS),
]
_EXPECTED_DATE = (
    "expected a day-first date such as '26 Mei 2015', '17-08-2024', '17/08/2024' or '2024-08-17'"
)


def parse_date(text: str) -> dt.date:
    """Read a date the way Indonesian sources write it: always day first.

    Accepts "26 Mei 2015", "Senin, 26 Mei 2015 10:00 WIB" (weekday and time ignored),
    "17-08-2024", "17/08/2024", "17.08.2024", ISO "2024-08-17" (with an optional time), full or
    short Indonesian month names (Agustus, Agu, Agt, Okt, Des, old spellings Pebruari/Nopember)
    and English ones. "3/18/2015" (month first, as in BIRMS exports) raises: a month-first
    source must be reordered by its reader, because "8/3/2015" cannot be told apart.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}: {text!r}")
    s = " ".join(text.split())
    if not s:
        raise DateFormatError(
            f"cannot read {text!r} as a date: the value is empty; {_EXPECTED_DATE}", text
        )
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(s)
        if match is None:
            continue
        groups = match.groupdict()
        if groups.get("name") is not None:
            month = _MONTHS.get(groups["name"].lower())
            if month is None:
                raise DateFormatError(
                    f"cannot read {text!r} as a date: unknown month name {groups['name']!r}; "
                    f"{_EXPECTED_DATE}",
                    text,
                )
        else:
            month = int(groups["m"])
        day, year = int(groups["d"]), int(groups["y"])
        try:
            return dt.date(year, month, day)
        except ValueError as exc:
            hint = ""
            if month > 12 and day <= 12:
                hint = " (dates are read day first; is this source month first?)"
            raise DateFormatError(
                f"cannot read {text!r} as a date: {exc}{hint}; {_EXPECTED_DATE}", text
            ) from None
    reason = "unrecognised format"
    if _non_ascii_digits(s):
        reason = "it has non-ASCII digits"
    elif re.fullmatch(r"[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2}", s):
        reason = "the year has two digits; a four-digit year is required"
    raise DateFormatError(f"cannot read {text!r} as a date: {reason}; {_EXPECTED_DATE}", text)


# ---------------------------------------------------------------------------------------------
# Region codes

_DOTTED_CODE = re.compile(r"[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?", re.ASCII)
_FLOAT_ARTEFACT = re.compile(r"([0-9]+)\.0+", re.ASCII)
_SEGMENT_ENDS = {2: (2,), 4: (2, 4), 6: (2, 4, 6), 10: (2, 4, 6, 10)}
_EXPECTED_CODE = (
    "expected a Kemendagri code of 2, 4, 6 or 10 digits, dotted or not "
    "(32, 32.71, 32.71.01, 32.71.01.1001)"
)


def _segment_problem(parts: list[str]) -> str | None:
    if parts[0].startswith("0"):
        return f"province code {parts[0]!r} starts with 0"
    if zero := next((p for p in parts if not p.strip("0")), None):
        return f"segment {zero!r} is all zeros"
    if len(parts) == 4 and parts[3].startswith("0"):
        return (
            f"desa/kelurahan number {parts[3]!r} starts with 0 (Kemendagri numbers start with "
            "1 for kelurahan, 2 for desa); this may be a 10-digit BPS desa code: keep it with "
            "normalise_bps_code and map it through a BPS-Kemendagri crosswalk"
        )
    return None


def normalise_region_code(text: str) -> str:
    """Kemendagri region code in its dotted form, the key of the region table.

    Sources write the same code as "3271", "32.71" or, after a trip through a float, "3271.0"
    (Open Data Jabar writes provinces as "32.0"). All become "32.71"; "3271011001" becomes
    "32.71.01.1001". A 7-digit code is refused: it is a BPS kecamatan code, a different scheme
    (Bogor Tengah is BPS 3271040 but Kemendagri 32.71.03). Idempotent.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}: {text!r}")
    s = text.strip()
    if _DOTTED_CODE.fullmatch(s):
        problem = _segment_problem(s.split("."))
        if problem is None:
            return s
        if not _FLOAT_ARTEFACT.fullmatch(s):
            raise RegionCodeError(f"{text!r} is not a Kemendagri region code: {problem}", text)
    float_match = _FLOAT_ARTEFACT.fullmatch(s)
    digits = float_match[1] if float_match else s
    if not (digits.isascii() and digits.isdigit()):
        reason = "it is not made of digits"
        if re.fullmatch(r"[0-9]{2}(\.[0-9]{2})*\.[0-9]", digits):
            reason = "a trailing zero seems lost to a float conversion (32.10 -> 32.1)"
        raise RegionCodeError(
            f"{text!r} is not a Kemendagri region code: {reason}; " + _EXPECTED_CODE, text
        )
    ends = _SEGMENT_ENDS.get(len(digits))
    if ends is None:
        hint = ""
        if len(digits) == 7:
            hint = (
                "; a 7-digit code may be a BPS kecamatan code (BPS 3271040 is Kemendagri "
                "32.71.03): keep it with normalise_bps_code and map it through a crosswalk"
            )
        raise RegionCodeError(
            f"{text!r} is not a Kemendagri region code: it has {len(digits)} digits; "
            f"{_EXPECTED_CODE}{hint}",
            text,
        )
    parts = [digits[start:end] for start, end in zip((0, *ends), ends, strict=False)]
    if problem := _segment_problem(parts):
        raise RegionCodeError(f"{text!r} is not a Kemendagri region code: {problem}", text)
    return ".".join(parts)


def normalise_bps_code(text: str) -> str:
    """BPS region code as undotted digits (2, 4, 7 or 10), e.g. "3201190006.0" -> "3201190006".

    BPS codes travel beside Kemendagri codes (DESIGN rule 5) and are often exported as floats.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}: {text!r}")
    s = text.strip()
    float_match = _FLOAT_ARTEFACT.fullmatch(s)
    digits = float_match[1] if float_match else s
    is_digits = digits.isascii() and digits.isdigit()
    if is_digits and len(digits) in (2, 4, 7, 10) and not digits.startswith("0"):
        return digits
    hint = ""
    if _DOTTED_CODE.fullmatch(s) or (is_digits and len(digits) == 6):
        hint = "; it looks like a Kemendagri code: use normalise_region_code"
    raise RegionCodeError(
        f"{text!r} is not a BPS region code: expected 2, 4, 7 or 10 digits not starting with 0 "
        f"(32, 3271, 3271040, 3271040011){hint}",
        text,
    )


# ---------------------------------------------------------------------------------------------
# Region names

# Between the names of a region and its ancestors in a name path, "JAWA BARAT > KOTA BOGOR":
# readers build such paths and the region lookup splits them, so both take it from here.
PATH_SEPARATOR = " > "

# Level words that add nothing once the level is known; KOTA and KABUPATEN stay in display
# names because they tell Kota Bogor from Kabupaten Bogor.
_LEVEL_PREFIX = re.compile(
    r"^(?:(?:KEC|KEL|PROV)\.\s*|(?:KECAMATAN|KELURAHAN|PROVINSI|KEC|KEL)\s+|DESA\s+(?!ADAT\b))",
    re.IGNORECASE,
)
_ABBREVIATIONS = [
    (re.compile(r"^KAB(?:\.\s*|\s+)", re.IGNORECASE), "Kabupaten "),
    (re.compile(r"\bADM(?:\.\s*|\s+)", re.IGNORECASE), "Administrasi "),
    (re.compile(r"\bKEP(?:\.\s*|\s+)", re.IGNORECASE), "Kepulauan "),
]
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_ROMAN = re.compile(r"(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})")
_ACRONYMS = {"DKI"}


def _title_word(match: re.Match[str]) -> str:
    word = match[0]
    upper = word.upper()
    if upper in _ACRONYMS or _ROMAN.fullmatch(upper):
        return upper
    return word[:1].upper() + word[1:].lower()


def normalise_region_name(text: str) -> str:
    """Display name of a region, the same whichever source it came from.

    Strips the level words KEC./KEL./KECAMATAN/KELURAHAN/DESA/PROVINSI ("KEC. BOGOR TENGAH" ->
    "Bogor Tengah"), expands "KAB." to "Kabupaten" but keeps it and "Kota" ("KAB. BOGOR" ->
    "Kabupaten Bogor", "KOTA BOGOR" -> "Kota Bogor"), collapses whitespace and title-cases the
    Indonesian way: roman numerals and DKI stay upper-case, no capital after an apostrophe.
    """
    s = _WORD.sub(_title_word, _region_words(text))
    return re.sub(r"^Di (?=Yogyakarta)", "DI ", s)


def _region_words(text: str) -> str:
    """The words of a region's name without its level word and abbreviations, case untouched:
    `normalise_region_name` before title-casing."""
    s = clean_text(text) or ""
    s = _LEVEL_PREFIX.sub("", s, count=1) or s
    for pattern, replacement in _ABBREVIATIONS:
        s = pattern.sub(replacement, s)
    return " ".join(s.split())


def region_name_key(text: str) -> str:
    """Key for matching one region's name across sources: upper-case letters and digits only.

    "KEL. BATUTULIS" and "Batu Tulis", "KAB. BOGOR" and "Bogor", "PROVINSI DKI JAKARTA" and
    "Daerah Khusus Ibukota Jakarta" get the same key. Kabupaten is dropped as the default level;
    "Kota" is kept, so Kota Bogor ("KOTABOGOR") never matches Kabupaten Bogor ("BOGOR").

    The key is upper-case, so an ASCII name skips the display name's title-casing (which only
    changes case) and the accent folding; other text takes the display name's whole way, where
    case changes can fold differently ("ẞ" becomes "SS" only through "ß").
    """
    words = _region_words(text)
    if words.isascii():
        s = words.upper()
    else:
        s = unicodedata.normalize("NFKD", normalise_region_name(text))
        s = "".join(c for c in s if not unicodedata.combining(c)).upper()
    for pattern, replacement in _KEY_PREFIXES:
        s = pattern.sub(replacement, s, count=1)
    return _NOT_KEY.sub("", s)


# The start of an upper-case name, in key form (the default level dropped, long forms spelled
# out); compiled once, since the key runs on every name of the region list.
_KEY_PREFIXES = [
    (re.compile(r"^KABUPATEN\s+"), ""),
    (re.compile(r"^(KOTA\s+)?ADMINISTRASI\s+"), r"\1"),
    (re.compile(r"^DKI\s+"), "DAERAH KHUSUS IBUKOTA "),
    (re.compile(r"^DI\s+(?=YOGYAKARTA)"), "DAERAH ISTIMEWA "),
]
_NOT_KEY = re.compile(r"[^A-Z0-9]+")


# ---------------------------------------------------------------------------------------------
# Text

_BLOCK_TAG = re.compile(r"</?(?:br|p|div|li|td|th|tr|table|ul|ol|h[1-6])\b[^<>]*>", re.IGNORECASE)
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def clean_text(text: str | None) -> str | None:
    """Free text without markup and stray whitespace; None when nothing is left. For matching
    region names only (`normalise_region_name`): stored values are never cleaned this way
    (`parse: text` keeps the source's text, see `_text_cell`).

    SPSE package names carry HTML labels and entities:
    "BELANJA BAHAN MEDIS <span class='label'>Tender Ulang</span>" ->
    "BELANJA BAHAN MEDIS Tender Ulang". Tags are removed before entities are unescaped, so an
    escaped "&lt;b&gt;" stays as the literal text "<b>".
    """
    if text is None:
        return None
    s = _TAG.sub("", _BLOCK_TAG.sub(" ", text))
    s = " ".join(html.unescape(s).translate(_INVISIBLE).split())
    return s or None


# ---------------------------------------------------------------------------------------------
# Columns

_Cell = Callable[[str], tuple[str | None, bool | None]]


def _integer_cell(text: str) -> tuple[str, bool]:
    value, scaled = _parse_number(text)
    if value != value.to_integral_value():
        parse_integer(text)  # raises the fractional-part error
    return str(int(value)), scaled


def _number_cell(text: str) -> tuple[str, bool]:
    value, scaled = _parse_number(text)
    return _decimal_text(value), scaled


def _rupiah_cell(text: str) -> tuple[str, bool]:
    amount = parse_rupiah(text)
    return str(amount.value), amount.rounded


_MACHINE_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def _decimal_cell(text: str) -> tuple[str, bool]:
    """Machine notation, as a Frictionless CSV writes numbers: "111.366" is 111.366, not 111366.

    For sources that declare a standard Table Schema (our own exports, harvested packages), where
    the Indonesian reading of a dot as thousands separator would be wrong.
    """
    stripped = text.strip()
    if not _MACHINE_NUMBER.fullmatch(stripped):
        raise NumberFormatError(
            f"cannot read {text!r} as a number in machine notation; expected digits with an "
            "optional '-' and '.' decimal point, such as '1234.5' or '-0.25'",
            text,
        )
    return _decimal_text(Decimal(stripped)), False


def _text_cell(text: str) -> tuple[str | None, None]:
    """Free text as the source wrote it, only trimmed at both ends (docs/descriptor.md, `parse`).

    Nothing inside the text changes: tag-shaped text (`<kosong>`), entities (`&amp;`), line breaks
    and repeated spaces are data, and escaping them is the job of each output (the site's
    templates and Datasette escape HTML, CSV downloads neutralise formulas). Whitespace around a
    cell is layout of the file, not content: a Table Schema string field compares and joins on
    the trimmed text, and a cell of only whitespace is missing, like an empty one.
    """
    return text.strip() or None, None


_CELLS: dict[str, _Cell] = {
    "text": _text_cell,
    "integer": _integer_cell,
    "number": _number_cell,
    "rupiah": _rupiah_cell,
    "date": lambda s: (parse_date(s).isoformat(), None),
    "region_code": lambda s: (normalise_region_code(s), None),
    "bps_code": lambda s: (normalise_bps_code(s), None),
    "decimal": _decimal_cell,
}
# The parse kinds a field's `jendela.parse` may name, registered once: the descriptor schema's
# enums and docs/descriptor.md are checked against these (tests/test_registries.py).
PARSE_KINDS = tuple(_CELLS)
NUMERIC_PARSE_KINDS = ("integer", "number", "rupiah", "decimal")  # those `scale` may multiply
# Which parsers read a column's distinct values. Unset: the vectorised forms
# (indonesian_vector.py) for a column of at least VECTOR_MIN_VALUES distinct values, the scalar
# parsers below that, where pyarrow's fixed cost per call is two to three times theirs (measured:
# 2 ms against 0.6 ms for 8 values, even at about 200; a DJPK export is 152 files of 33 rows).
# "1": the scalar parsers alone, the reference. "0": the vectorised forms at any size, what the
# comparisons with the reference run (tests/core/test_indonesian_vector.py,
# tests/stages/test_normalise_vector.py). Every setting publishes the same bytes.
SCALAR_ENV = "JENDELA_SCALAR_PARSE"
VECTOR_MIN_VALUES = 128


def vectorised_for(count: int) -> bool:
    """Whether a column of `count` distinct values goes through the vectorised forms."""
    setting = os.environ.get(SCALAR_ENV)
    if setting in ("0", "1"):
        return setting == "0"
    return count >= VECTOR_MIN_VALUES


def parse_column(values: pd.Series, kind: str) -> ParsedColumn:
    """Parse a whole column of source text into canonical text, with per-cell errors.

    Built for millions of rows: each distinct value is parsed once (pandas.factorize), and
    distinct values of the common shapes ("Rp 1.234.567,89", "26 Mei 2015", any text) are parsed
    column-wise by indonesian_vector.py when there are enough of them (`vectorised_for`); only the
    rest go through the scalar parser, which also words every error (JENDELA_SCALAR_PARSE=1 sends
    all of them there). Empty or missing cells
    give pd.NA with no error; a cell that cannot be parsed gives pd.NA and its error message (and
    its issue type in `slugs`), never a guess. Kinds: PARSE_KINDS (decimal is machine notation).

    >>> parse_column(pd.Series(["1.234", "Rp 5,5", "x"]), "rupiah").values.tolist()
    ['1234', '6', <NA>]
    """
    cell = _CELLS.get(kind)
    if cell is None:
        raise ValueError(f"unknown parse kind {kind!r}; expected one of {', '.join(_CELLS)}")
    scalar = os.environ.get(SCALAR_ENV) == "1"
    if kind == "text" and not scalar and (text := text_column(values)) is not None:
        none = pd.Series(np.full(len(values), None, dtype=object), index=values.index)
        return ParsedColumn(text, none.rename(values.name), None, none.rename(values.name))
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    count = len(uniques)
    # One slot per distinct value plus a last slot for missing cells, which code -1 selects.
    out = np.full(count + 1, pd.NA, dtype=object)
    errors = np.full(count + 1, None, dtype=object)
    slugs = np.full(count + 1, None, dtype=object)
    flags = np.full(count + 1, pd.NA, dtype=object) if kind in NUMERIC_PARSE_KINDS else None
    if count:
        distinct = pd.Series(uniques.array)
        if not isinstance(distinct.dtype, pd.StringDtype):
            distinct = distinct.astype(object)
            if pd.api.types.infer_dtype(distinct, skipna=True) != "string":
                # Numbers from JSON or from a typed read: 3201.0 is read as "3201.0".
                distinct = distinct.map(lambda item: item if isinstance(item, str) else str(item))
        raw = distinct.to_numpy(dtype=object)
        todo = np.ones(count, dtype=bool)
        fast = vector_parse(raw, kind) if vectorised_for(count) else None
        if fast is not None:  # the shapes pyarrow reads; the rest (and every error) below
            out[:count][fast.done] = fast.values[fast.done]
            if flags is not None:
                filled = fast.done & ~fast.empty
                flags[:count][filled] = fast.rounded[filled]
            todo = ~fast.done
        for i in np.flatnonzero(todo):
            if not raw[i].strip():  # only whitespace: missing, not an error
                continue
            try:
                text, flag = cell(raw[i])
            except ValueError as exc:
                errors[i] = str(exc)
                slugs[i] = getattr(exc, "slug", IndonesianFormatError.slug)
                continue
            out[i] = pd.NA if text is None else text
            if flags is not None:
                flags[i] = flag
    return ParsedColumn(
        values=pd.Series(out[codes], index=values.index, dtype="string", name=values.name),
        errors=pd.Series(errors[codes], index=values.index, dtype=object, name=values.name),
        rounded=None
        if flags is None
        else pd.Series(flags[codes], index=values.index, dtype="boolean", name=values.name),
        slugs=pd.Series(slugs[codes], index=values.index, dtype=object, name=values.name),
    )


def scale_column(parsed: ParsedColumn, factor: int, whole: bool = False) -> ParsedColumn:
    """Multiply parsed numbers exactly by `factor`, an integer power of ten (a source unit:
    thousands of persons, billions of Rupiah), so a transform need not do it by hand.

    Each distinct value is scaled once, as a Decimal with its exponent shifted (no float, no
    rounding). With `whole` (an integer field) a product with a fraction is an error for that
    cell, never rounded. Cells that already failed keep their error.

    >>> scale_column(parse_column(pd.Series(["17986.5"]), "decimal"), 10**9).values.tolist()
    ['17986500000000']
    """
    if isinstance(factor, bool) or not isinstance(factor, int) or factor < 1:
        raise ValueError(f"scale must be a positive power of ten, got {factor!r}")
    exponent = len(str(factor)) - 1
    if 10**exponent != factor:
        raise ValueError(f"scale must be a power of ten such as 1000, got {factor!r}")
    codes, uniques = pd.factorize(parsed.values, use_na_sentinel=True)
    out = np.full(len(uniques) + 1, pd.NA, dtype=object)
    errors = np.full(len(uniques) + 1, None, dtype=object)
    exact = decimal.Context(prec=decimal.MAX_PREC)
    for i, text in enumerate(uniques):
        value = Decimal(text).scaleb(exponent, context=exact)
        if whole and value != value.to_integral_value():
            errors[i] = (
                f"{text} x {factor} = {_decimal_text(value)}: bukan bilangan bulat / not a whole "
                "number, and an integer field is never rounded; check jendela.scale and the "
                "source unit"
            )
            continue
        out[i] = _decimal_text(value)
    scaled_errors = pd.Series(errors[codes], index=parsed.values.index, dtype=object)
    failed = parsed.errors.notna()
    scaled_slugs = scaled_errors.where(scaled_errors.isna(), NumberFormatError.slug)
    return ParsedColumn(
        values=pd.Series(
            out[codes], index=parsed.values.index, dtype="string", name=parsed.values.name
        ),
        errors=parsed.errors.where(failed, scaled_errors),
        rounded=parsed.rounded,
        slugs=None if parsed.slugs is None else parsed.slugs.where(failed, scaled_slugs),
    )
