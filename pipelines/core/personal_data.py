"""Personal data in a column, found by the column's name and by its values (UU 27/2022, PDP).

Four kinds are looked for, each by what makes it that kind, not by a bare digit count, so that
a budget line or a contract number is not taken for a person:

- **NIK** (Nomor Induk Kependudukan): 16 digits, `PPKKCC DDMMYY SSSS`: a province code that
  exists (11-19, 21, 31-36, 51-53, 61-65, 71-76, 81-82, 91-97), a kabupaten/kota number 01-79
  (kota are 71-79), a kecamatan number 01-99, a birth date DDMMYY that exists (a woman's day
  has 40 added: 41-71), and a serial 0001-9999. A 16-digit contract number rarely passes all of
  these (`3273012345678901`: month 45).
- **NPWP of a person**: the 15-digit tax number, written `09.254.294.3-407.000` or as bare digits
  in a column named for it. Assumed (from DJP's numbering): the first two digits 00 are a
  treasurer (bendahara), 01-03 a company (badan): public, not personal; every other start is
  taken as a person. Since 2024 a person's NPWP is the NIK itself (caught as NIK); a company's
  16-digit NPWP is `0` + its NPWP15, which no NIK starts with.
- **phone number**: Indonesian mobile (`08xx`, `+62 8xx`, `628xx`: 10-13 digits after the 0)
  and landline (`(022) 4234567`, `+62 21 555 1234`: area code 2-9, 8-11 digits after the 0),
  with spaces, dots, dashes or brackets between digits. A figure written with thousand dots
  (`62.812.345.678`) is a number, never a phone; bare `62...` digits count only as a mobile.
- **e-mail address**: `name@domain.tld`, alone or inside a longer text.

Only text the source gave is read (the normalised cells), and findings never carry a full value:
`mask` keeps the first two and last two characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

KINDS = {
    "nik": ("NIK (nomor induk kependudukan)", "NIK (national identity number)"),
    "npwp": ("NPWP orang pribadi", "NPWP (tax number) of a person"),
    "phone": ("nomor telepon", "phone number"),
    "email": ("alamat surel", "e-mail address"),
}
PROVINCES = {
    *map(str, range(11, 20)), "21", *map(str, range(31, 37)), "51", "52", "53",
    *map(str, range(61, 66)), *map(str, range(71, 77)), "81", "82", *map(str, range(91, 98)),
}  # fmt: skip
# Name tokens (a field name split at "_") that say what a column holds.
NAME_TOKENS = {
    "nik": {"nik", "ktp", "nomor_ktp", "no_ktp"},
    "npwp": {"npwp"},
    "phone": {
        "telepon",
        "telpon",
        "telp",
        "tlp",
        "hp",
        "ponsel",
        "handphone",
        "phone",
        "whatsapp",
        "wa",
        "seluler",
    },  # fmt: skip
    "email": {"email", "surel", "e_mail", "mail"},
}
_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]  # 29 February: some century is leap
_SEPARATED = r"^\+?\(?[0-9][0-9 .\-()]*[0-9]\Z"
_GROUPED = r"^[0-9]{1,3}(?:\.[0-9]{3})+\Z"  # 62.812.345.678: a figure with thousand dots
_MOBILE = re.compile(r"8[1-9][0-9]{7,10}")
_LANDLINE = re.compile(r"[2-79][0-9]{7,10}")
_NPWP_FORMATTED = r"^[0-9]{2}\.[0-9]{3}\.[0-9]{3}\.[0-9]-[0-9]{3}\.[0-9]{3}\Z"
_EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
_FIGURE_IN_TEXT = r"(?<![0-9.])[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?(?![0-9.])"
_MOBILE_IN_TEXT = r"(?:\+62|\b62|\b0)[ .\-]?8[1-9][0-9 .\-]{7,16}[0-9]"


@dataclass(frozen=True)
class Finding:
    """One kind of personal data in one column: how many cells, the first cell's position, and
    that cell masked."""

    column: str
    kind: str
    count: int
    first: int  # 0-based position in the column
    example: str  # masked
    by_name: bool  # the column's name says it, whatever the values look like


def mask(value: str) -> str:
    """The first two and last two characters, every other letter or digit as `*`.

    >>> mask("3271014508900001"), mask("budi@contoh.go.id")
    ('32************01', 'bu**@******.**.id')
    """
    if len(value) <= 4:
        return re.sub(r"[0-9A-Za-z]", "*", value)
    return value[:2] + re.sub(r"[0-9A-Za-z]", "*", value[2:-2]) + value[-2:]


def is_nik(text: str) -> bool:
    """A 16-digit NIK with a real province, kabupaten/kota and kecamatan number and birth date.

    >>> is_nik("3271014508900001"), is_nik("3273012345678901")
    (True, False)
    """
    if len(text) != 16 or not text.isdigit() or text[:2] not in PROVINCES:
        return False
    if not 1 <= int(text[2:4]) <= 79 or text[4:6] == "00" or text[12:] == "0000":
        return False
    day, month = int(text[6:8]), int(text[8:10])
    day = day - 40 if day > 40 else day
    return 1 <= month <= 12 and 1 <= day <= _DAYS[month - 1]


def is_person_npwp(digits: str) -> bool:
    """A 15-digit NPWP not of a treasurer (00) or a company (01-03)."""
    return len(digits) == 15 and digits.isdigit() and digits[:2] not in {"00", "01", "02", "03"}


def is_phone(text: str) -> bool:
    """An Indonesian mobile or landline number, separators allowed (see the module doc)."""
    if not re.match(_SEPARATED, text) or re.match(_GROUPED, text):
        return False
    digits = re.sub(r"[^0-9]", "", text)
    plus = text.lstrip("(").startswith("+")
    if plus or digits.startswith("62"):
        if not digits.startswith("62"):
            return False
        national = digits[2:]
        return bool(_MOBILE.fullmatch(national) or (plus and _LANDLINE.fullmatch(national)))
    if digits.startswith("0"):
        national = digits[1:]
        return bool(_MOBILE.fullmatch(national) or _LANDLINE.fullmatch(national))
    return False


def name_kind(column: str) -> str | None:
    """The kind a column's name announces (`no_hp` -> phone, `nik_pemilik` -> nik), or None."""
    tokens = column.lower().split("_")
    joined = {"_".join(tokens[i : i + 2]) for i in range(len(tokens) - 1)}
    for kind, words in NAME_TOKENS.items():
        if words & (set(tokens) | joined):
            return kind
    return None


def personal_values(values: set[str]) -> dict[str, str]:
    """The values that are personal data by what they hold alone (there is no column to go by),
    each with its kind (a key of KINDS): for texts such as a line the reader could not split,
    cut into its cells."""
    if not values:
        return {}
    uniques = pd.Series(sorted(values), dtype=object)
    found: dict[str, str] = {}
    for kind, hits in _value_kinds(uniques, None).items():
        for value in uniques[hits]:
            found.setdefault(value, kind)
    return found


def _value_kinds(
    uniques: pd.Series, column_kind: str | None, only_nik: bool = False
) -> dict[str, np.ndarray]:
    """For each kind, which of the distinct values are of that kind. `only_nik`: the other
    kinds are not looked for (all False), as in a number column, where only a NIK counts; the
    phone test reads every distinct number in Python, a third of a big table's gate time."""
    text = uniques.astype(str).str.strip()
    # Separators are taken out only where a text is all digits and separators, the only texts
    # that can then be 15 or 16 digits (an NPWP, a NIK): in a million distinct names, replacing
    # in every text was a fifth of the gate. Elsewhere `compact` is the text itself.
    numeric = text.str.fullmatch(r"[0-9 .\-]+").to_numpy(dtype=bool, na_value=False)
    compact = text.copy()
    compact[numeric] = text[numeric].str.replace(r"[ .\-]", "", regex=True)

    def where(mask: np.ndarray, test, values: pd.Series) -> np.ndarray:
        """`test` on the values under `mask`, read into Python only there: every distinct
        value of a 50,000-row chunk as a Python string was 26 MB of the gate's peak."""
        out = np.zeros(len(values), dtype=bool)
        if mask.any():
            out[mask] = [test(v) for v in values[mask].to_numpy(dtype=object)]
        return out

    nik = where(compact.str.fullmatch(r"[0-9]{16}").to_numpy(dtype=bool), is_nik, compact)
    if only_nik:
        none = np.zeros(len(text), dtype=bool)
        return {"nik": nik, "npwp": none, "phone": none.copy(), "email": none.copy()}
    candidates = text.str.match(_NPWP_FORMATTED).to_numpy(dtype=bool).copy()
    if column_kind == "npwp":
        candidates |= compact.str.fullmatch(r"[0-9]{15}").to_numpy(dtype=bool)
    npwp = where(candidates, is_person_npwp, compact)
    # is_phone's own first test, vectorised: a phone number's digits start with 0 or 62; read
    # only in texts that start as a phone number can (the digits of every text were half the gate)
    starts = text.str.match(r"^[+(0-9]").to_numpy(dtype=bool)
    lead = text[starts].str.replace(r"[^0-9]", "", regex=True).str[:2]
    national = np.zeros(len(text), dtype=bool)
    national[starts] = (lead.str.startswith("0") | lead.eq("62")).to_numpy(dtype=bool)
    maybe_phone = starts & national & ~nik & ~candidates
    phone = where(maybe_phone, is_phone, text)
    # In a longer text: a mobile number, once figures with thousand dots are taken out. Plain
    # substring tests first pick the few texts a regex needs to read (1M distinct names).
    maybe = text.str.contains("08", regex=False) | text.str.contains("62", regex=False)
    maybe = maybe.to_numpy(dtype=bool) & ~phone & ~nik & ~candidates
    if maybe.any():
        figures = text[maybe].str.replace(_FIGURE_IN_TEXT, " ", regex=True)
        phone[maybe] = figures.str.contains(_MOBILE_IN_TEXT).to_numpy(dtype=bool)
    email = np.zeros(len(text), dtype=bool)
    at = text.str.contains("@", regex=False).to_numpy(dtype=bool)
    if at.any():
        email[at] = text[at].str.contains(_EMAIL).to_numpy(dtype=bool)
    return {"nik": nik, "npwp": npwp, "phone": phone, "email": email}


def find_in_column(column: str, values: pd.Series, text: bool = True) -> list[Finding]:
    """Every kind of personal data `values` (cells as text, missing allowed) hold, by name or value.

    `text` False (an integer or number field): only a NIK is looked for by value there; an
    amount such as 628123456700 Rupiah is a figure, not a phone written without its `+`.

    By value: each kind its cells match, counted. By name: a column named for a kind (`nik`,
    `no_hp`, `email`) with any non-empty cell is that kind, unless its values show otherwise:
    an `npwp` column whose numbers are all companies' is not personal.
    """
    return find_in_frame(pd.DataFrame({column: values}), {column: text})[column]


@dataclass(frozen=True)
class _Column:
    name: str
    values: pd.Series
    text: bool
    announced: str | None
    codes: np.ndarray
    uniques: pd.Series


def find_in_frame(frame: pd.DataFrame, columns: dict[str, bool]) -> dict[str, list[Finding]]:
    """`find_in_column` for each of `columns` (name -> text) of `frame`, in their order.

    A pass of `_value_kinds` costs a few milliseconds whatever its size (pandas' fixed cost per
    string operation), which made it most of a small table's gate: the distinct values of every
    column read alike (text or number, named npwp or not) go through one pass together. Each
    value's kinds depend on the value alone, so the answer per column is the same."""
    found: dict[str, list[Finding]] = {name: [] for name in columns}
    groups: dict[tuple[bool, bool], list[_Column]] = {}
    for name, text in columns.items():
        values = frame[name].reset_index(drop=True)
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        if len(uniques):
            column = _Column(name, values, text, name_kind(name), codes, pd.Series(uniques))
            groups.setdefault((column.announced == "npwp", text), []).append(column)
    for (npwp, text), members in groups.items():
        together = pd.concat([c.uniques for c in members], ignore_index=True)
        matched = _value_kinds(together, "npwp" if npwp else None, only_nik=not text)
        blank = together.astype(str).str.strip().eq("").to_numpy(dtype=bool)
        start = 0
        for column in members:
            end = start + len(column.uniques)
            kinds = {kind: hits[start:end] for kind, hits in matched.items()}
            found[column.name] = _findings(column, kinds, blank[start:end])
            start = end
    return found


def _findings(column: _Column, matched: dict[str, np.ndarray], blank: np.ndarray) -> list[Finding]:
    """The column's Findings from which of its distinct values are of each kind or blank."""
    findings = []
    for kind, hits in matched.items():
        hits = hits & ~blank if column.text or kind == "nik" else np.zeros_like(blank)
        by_name = column.announced == kind and kind != "npwp"
        if by_name:
            hits = ~blank
        if not hits.any():
            continue
        cells = np.flatnonzero(np.isin(column.codes, np.flatnonzero(hits)))
        first = int(cells[0])
        example = mask(str(column.values.iloc[first]))
        findings.append(Finding(column.name, kind, len(cells), first, example, by_name))
    return findings


DECLARE_HINT = (
    "hapus kolom itu dari sumber atau dari skema (UU 27/2022 PDP); bila isinya memang publik "
    "(misalnya telepon resmi kantor), nyatakan di field-nya: jendela.personal_data: "
    '{public: true, reason: "..."} / remove the column from the source or the schema '
    "(Indonesian personal data protection law, UU 27/2022); if it is public (an office's "
    "official phone number), declare it on its field: jendela.personal_data: "
    '{public: true, reason: "..."}'
)


def describe(finding: Finding, row: int | None) -> str:
    """The bilingual sentence for a finding: column, kind, how found, how many cells, first row
    (never the value: the caller shows `finding.example`, masked)."""
    kind_id, kind_en = KINDS[finding.kind]
    count = f"{finding.count:,}".replace(",", ".")
    how_id = "menurut nama kolomnya" if finding.by_name else "menurut isinya"
    how_en = "by its name" if finding.by_name else "by its values"
    return (
        f"kolom {finding.column} memuat data pribadi ({kind_id}, {how_id}): {count} sel, "
        f"pertama di baris {row} (contoh tersamar {finding.example}) / column {finding.column} "
        f"holds personal data ({kind_en}, {how_en}): {count} cells, the first in row {row} "
        f"(masked example {finding.example})"
    )


def declared_public(field_descriptor: dict) -> bool:
    """True when the field says `jendela.personal_data: {public: true, reason: ...}`."""
    declared = (field_descriptor.get("jendela") or {}).get("personal_data") or {}
    return declared.get("public") is True and bool(str(declared.get("reason") or "").strip())


NUMERIC_TYPES = ("integer", "number", "year")
