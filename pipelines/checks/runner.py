"""Dataset checks declared in the descriptor: known kinds of error in official data, caught by rule.

A Table Schema checks one cell at a time. Errors seen in real Indonesian open data need a wider
view: Open Data Jabar's 2013 population rows carry codes whose names belong to other cities (32.71
labelled "KOTA CIMAHI"), and some of its figures are several times their own series (Kota Bandung
2013: 159,854 against about 1.2 million in every other year). A resource lists the checks it wants:

    jendela:
      on_error: quarantine            # or fail: what to do with the rows these checks name
      checks:
        - type: region-name           # the row's region name must be the official name of its code
          code: kode_wilayah
          name: nama_wilayah_sumber
        - type: outlier               # a value far from the median of its own series
          value: jumlah_penduduk
          by: [kode_wilayah, jenis_kelamin]
          ratio: 2
        - type: region-total          # a region's figure equals the sum of its sub-regions'
          value: jumlah_penduduk
          by: [tahun, jenis_kelamin]

Checks read the normalised table (after validation and the foreign-key check) and return Issues
with the source file, row, column and value, exactly like validation errors, so the dataset's
`on_error` policy applies to them in the same way. Any check may say `on_mismatch: warn`: its
Issues are then marked as warnings (`is_warning`), listed in the validation report, and the table
is published anyway. The settings of each type are declared in model.CHECK_TYPES and checked when
the descriptor loads, so a check here may trust them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.errors import Issue, RowMap
from ..core.indonesian import format_number
from ..core.issue_types import (
    OUTLIER,
    REGION_NAME_MISMATCH,
    REGION_NAME_UNCHECKED,
    REGION_TOTAL_UNCHECKED,
    TOTAL_MISMATCH,
    IssueType,
)
from ..core.model import CHECK_TYPES, as_list
from ..stages.regions import REGION_TABLE, cached_lookup

Check = Callable[..., list[Issue]]
CHECKS: dict[str, Check] = {}
# Checks every table gets, declared or not (the personal-data gate): name -> check(resource,
# staging, rows_from). They run right after normalise, before anything is published or
# quarantined.
GATES: dict[str, Check] = {}
WARNING = "warning"  # Issue.extra["severity"] of a finding that is reported but does not fail
ERROR = "error"


def check(name: str) -> Callable[[Check], Check]:
    """Register a check type; its settings must be declared in model.CHECK_TYPES first."""
    if name not in CHECK_TYPES:
        raise LookupError(f"check type {name!r} is not declared in model.CHECK_TYPES")

    def register(function: Check) -> Check:
        CHECKS[name] = function
        return function

    return register


def gate(name: str) -> Callable[[Check], Check]:
    """Register a check that runs on every table (`run_gates`), whatever its descriptor says."""

    def register(function: Check) -> Check:
        GATES[name] = function
        return function

    return register


def run_gates(resource, staging: Path, rows_from: RowMap) -> list[Issue]:
    """Every gate's Issues for one normalised table."""
    issues: list[Issue] = []
    for function in GATES.values():
        issues += function(resource=resource, staging=staging, rows_from=rows_from)
    return issues


def run_checks(db, resource, staging: Path, rows_from: RowMap) -> list[Issue]:
    """Every check the resource declares, in order; their Issues together, each with its severity.

    load_dataset has already refused unknown types, settings and columns (model.CHECK_TYPES).
    """
    issues: list[Issue] = []
    for spec in resource.ext.get("checks") or []:
        kind = spec["type"]
        if kind not in CHECKS:
            raise LookupError(f"check type {kind!r} is declared but its module was not imported")
        settings = {**CHECK_TYPES[kind].defaults, **spec}
        found = CHECKS[kind](
            db=db, resource=resource, staging=staging, rows_from=rows_from, **settings
        )
        issues += with_severity(found, spec)
    return issues


def with_severity(issues: list[Issue], spec: dict) -> list[Issue]:
    """The Issues of one check marked as its `on_mismatch` asks: warn, or fail (the default)."""
    severity = WARNING if spec.get("on_mismatch", "fail") == "warn" else ERROR
    return [replace(issue, extra={**issue.extra, "severity": severity}) for issue in issues]


def is_warning(issue: Issue) -> bool:
    return issue.extra.get("severity") == WARNING


def plain(value) -> str:
    """A value as a person types it: 450.0 -> '450', 2.5 -> '2.5', anything else as str()."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def grouped(value) -> str:
    """2554770000000 -> '2.554.770.000.000', 0.5 -> '0,50' (as a data officer reads a figure)."""
    return format_number(value, 0 if float(value).is_integer() else 2)


def _read(staging: Path, columns: list[str]) -> pd.DataFrame:
    return pd.read_csv(
        staging, usecols=columns, dtype="string", keep_default_na=False, na_values=[""]
    )


def _issue(resource, rows_from: RowMap, position: int, **fields) -> Issue:
    file, row = rows_from.locate(int(position))
    return Issue(dataset=resource.dataset_id, resource=resource.name, file=file, row=row, **fields)


def _unchecked(resource, rows_from: RowMap, kind: IssueType, what_id: str, what_en: str) -> Issue:
    """The table `wilayah` is needed to check `what`, and it is not published (yet)."""
    return Issue(
        dataset=resource.dataset_id,
        resource=resource.name,
        type=kind,
        message=(
            f"tabel {REGION_TABLE!r} belum diterbitkan, jadi {what_id} tidak dapat diperiksa / "
            f"table {REGION_TABLE!r} is not published, so {what_en} cannot be checked"
        ),
        file=rows_from.label,
        hint=(
            f"bangun dulu dataset yang mendefinisikan {REGION_TABLE!r} / build the dataset that "
            f"defines {REGION_TABLE!r} first"
        ),
    )


@check("region-name")
def region_name(
    db, resource, staging, rows_from, code: str, name: str, accept: dict | None = None, **_
) -> list[Issue]:
    """The name a row gives must be the official name of its code (compared by region_name_key).

    `accept` lists, per code, source spellings checked by hand and accepted, e.g. a typo in an
    official file: `accept: {"96": ["Papua Barat Oaya"]}`. Codes missing from the region table
    are left to the foreign-key check. One issue per source row, however many rows it became.
    """
    accepted = {(str(c), str(n)) for c, names in (accept or {}).items() for n in as_list(names)}
    lookup = cached_lookup(db)
    if lookup is None:
        return [_unchecked(resource, rows_from, REGION_NAME_UNCHECKED, "nama", "names")]
    frame = _read(staging, [code, name])
    pairs = frame.dropna().drop_duplicates()
    wrong = [
        (c, n)
        for c, n in pairs.itertuples(index=False)
        if c in lookup.names and (c, n) not in accepted and not lookup.same_name(c, n)
    ]
    if not wrong:
        return []
    rows = pd.MultiIndex.from_frame(frame[[code, name]]).isin(wrong)
    issues: dict[tuple, Issue] = {}
    for position in np.flatnonzero(rows):
        value, given = frame.at[position, code], frame.at[position, name]
        official = lookup.names[value]
        where = rows_from.locate(int(position))
        if where in issues:
            continue
        issues[where] = _issue(
            resource,
            rows_from,
            position,
            type=REGION_NAME_MISMATCH,
            message=(
                f"{code} {value} bernama {official!r} dalam tabel {REGION_TABLE}, tetapi baris "
                f"ini menamainya {given!r} / {code} {value} is {official!r} in table "
                f"{REGION_TABLE}, but this row names it {given!r}"
            ),
            column=code,
            value=str(value),
            hint=(
                f"kode dan nama tidak cocok: periksa {code} dan {name} baris ini di sumber; bila "
                "satu tahun penuh tidak cocok, baris-barisnya mungkin bergeser dari kodenya / "
                f"code and name disagree: check {code} and {name} of this row in the source; "
                "when a whole year disagrees, its rows are probably shifted against their codes"
            ),
            extra={"nama_sumber": str(given), "nama_resmi": official},
        )
    return list(issues.values())


@check("outlier")
def outlier(
    db, resource, staging, rows_from, value: str, by: list[str], ratio: float = 2.0, **_
) -> list[Issue]:
    """A value more than `ratio` times above or below the median of its series (at least 3 values).

    A series is the rows sharing the `by` columns, e.g. one region and sex over the years; rows
    with an empty `by` column form a series of their own. Grouped on the columns themselves: a
    key string joined per row cost 30 s per million rows.
    """
    frame = _read(staging, [*by, value])
    numbers = pd.to_numeric(frame[value], errors="coerce")
    series = numbers.groupby([frame[c].fillna("") for c in by], sort=False)
    median = series.transform("median")
    count = series.transform("count")
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.maximum(numbers / median, median / numbers)
    flagged = (count >= 3) & (numbers > 0) & (median > 0) & (factor > ratio)
    issues = []
    for position in np.flatnonzero(flagged.fillna(False).to_numpy()):
        members = ", ".join(f"{c} {frame.at[position, c]}" for c in by)
        number, middle = numbers[position], median[position]
        below = number < middle
        times = f"{factor[position]:.1f}"
        size = int(count[position])
        issues.append(
            _issue(
                resource,
                rows_from,
                position,
                type=OUTLIER,
                message=(
                    f"{plain(number)} {times} kali {'di bawah' if below else 'di atas'} median "
                    f"{plain(middle)} deretnya ({members}; {size} nilai) / {plain(number)} is "
                    f"{times} times {'below' if below else 'above'} the median {plain(middle)} "
                    f"of its series ({members}; {size} values)"
                ),
                column=value,
                value=plain(number),
                hint=(
                    "nilai sejauh ini dari deretnya kemungkinan salah ketik atau salah letak; "
                    f"periksa di sumber (batas: {ratio} kali median) / a value this far from the "
                    "rest of its series is likely an entry or alignment error; check it in the "
                    f"source (limit: {ratio} times the median)"
                ),
            )
        )
    return issues


@check("region-total")
def region_total(
    db, resource, staging, rows_from, value: str, by: list[str], code: str, **_
) -> list[Issue]:
    """A region's value must equal the sum of its direct sub-regions' values in the same table.

    Compared only where every sub-region that table `wilayah` lists under it is present (with the
    same `by` values), so a table that covers part of a city is not held to the city's total. A
    total whose own value is empty claims nothing and is skipped. `code` defaults to kode_wilayah
    (model.CHECK_TYPES).
    """
    lookup = cached_lookup(db)
    if lookup is None:
        return [_unchecked(resource, rows_from, REGION_TOTAL_UNCHECKED, "total", "totals")]
    frame = _read(staging, [code, *by, value])
    frame[by] = frame[by].fillna("")
    frame["number"] = pd.to_numeric(frame[value], errors="coerce")
    frame["parent"] = frame[code].map(lookup.parents)
    parts = (
        frame.dropna(subset=["parent"])
        .groupby(["parent", *by])
        .agg(parts_sum=("number", "sum"), parts_count=(code, "nunique"))
        .reset_index()
    )
    wholes = frame.reset_index(names="position").merge(
        parts, left_on=[code, *by], right_on=["parent", *by], how="inner", suffixes=("", "_")
    )
    members = {c: len(lookup.members(c)) for c in wholes[code].unique()}
    wholes["expected"] = wholes[code].map(members)
    complete = wholes["parts_count"] == wholes["expected"]
    differs = (wholes["number"] != wholes["parts_sum"]).fillna(False)
    issues = []
    for row in wholes[complete & differs].to_dict("records"):
        number, parts_sum, expected = plain(row["number"]), plain(row["parts_sum"]), row["expected"]
        issues.append(
            _issue(
                resource,
                rows_from,
                row["position"],
                type=TOTAL_MISMATCH,
                message=(
                    f"{number} untuk {row[code]} bukan jumlah {expected} sub-wilayahnya dalam "
                    f"tabel ini, {parts_sum} / {number} for {row[code]} is not the sum of its "
                    f"{expected} sub-regions in this table, {parts_sum}"
                ),
                column=value,
                value=number,
                hint=(
                    "total harus sama dengan jumlah bagiannya: periksa baris total dan baris "
                    "sub-wilayahnya / a total must equal its parts: check the total row and its "
                    "sub-region rows"
                ),
            )
        )
    return issues
