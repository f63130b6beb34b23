"""Dataset checks declared in the descriptor: known kinds of error in official data, caught by rule.

A Table Schema checks one cell at a time. Errors seen in real Indonesian open data need a wider
view: Open Data Jabar's 2013 population rows carry codes whose names belong to other cities (32.71
labelled "KOTA CIMAHI"), and some of its figures are several times their own series (Kota Bandung
2013: 159,854 against about 1.2 million in every other year). A resource lists the checks it wants:

    jendela:
      on_error: quarantine            # or fail: what to do with the rows these checks name
      checks:
        - type: region_name           # the row's region name must be the official name of its code
          code: kode_wilayah
          name: nama_wilayah_sumber
        - type: outlier               # a value far from the median of its own series
          value: jumlah_penduduk
          by: [kode_wilayah, jenis_kelamin]
          ratio: 2
        - type: region_total          # a region's figure equals the sum of its sub-regions'
          value: jumlah_penduduk
          by: [tahun, jenis_kelamin]

Checks read the normalised table (after validation and the foreign-key check) and return Issues
with the source file, row, column and value, exactly like validation errors, so the dataset's
`on_error` policy applies to them in the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import Issue, RowMap
from .regions import REGION_TABLE, cached_lookup

Check = Callable[..., list[Issue]]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS[name] = function
        return function

    return register


def run_checks(db, resource, staging: Path, rows_from: RowMap) -> list[Issue]:
    """Every check the resource declares, in order; their Issues together."""
    issues: list[Issue] = []
    for spec in resource.ext.get("checks") or []:
        function = CHECKS.get(spec.get("type"))
        if function is None:
            known = ", ".join(sorted(CHECKS))
            raise ValueError(f"{resource.name}: unknown check {spec.get('type')!r}; known: {known}")
        issues += function(db=db, resource=resource, staging=staging, rows_from=rows_from, **spec)
    return issues


def _read(staging: Path, columns: list[str]) -> pd.DataFrame:
    return pd.read_csv(
        staging, usecols=columns, dtype="string", keep_default_na=False, na_values=[""]
    )


def _issue(resource, rows_from: RowMap, position: int, **fields) -> Issue:
    file, row = rows_from.locate(int(position))
    return Issue(dataset=resource.dataset_id, resource=resource.name, file=file, row=row, **fields)


@check("region_name")
def region_name(
    db, resource, staging, rows_from, code: str, name: str, accept: dict | None = None, **_
) -> list[Issue]:
    """The name a row gives must be the official name of its code (compared by region_name_key).

    `accept` lists, per code, source spellings checked by hand and accepted, e.g. a typo in an
    official file: `accept: {"96": ["Papua Barat Oaya"]}`. Codes missing from the region table
    are left to the foreign-key check. One issue per source row, however many rows it became.
    """
    accepted = {(str(c), str(n)) for c, names in (accept or {}).items() for n in _as_list(names)}
    lookup = cached_lookup(db)
    if lookup is None:
        return [
            Issue(
                dataset=resource.dataset_id,
                resource=resource.name,
                type="region-name-unchecked",
                message=f"table {REGION_TABLE!r} is not published, so names cannot be checked",
                file=rows_from.label,
                hint=f"build the dataset that defines {REGION_TABLE!r} first",
            )
        ]
    frame = _read(staging, [code, name])
    pairs = frame.dropna().drop_duplicates()
    wrong = {
        (c, n)
        for c, n in pairs.itertuples(index=False)
        if c in lookup.names and (c, n) not in accepted and not lookup.same_name(c, n)
    }
    if not wrong:
        return []
    keys = pd.Series(list(zip(frame[code], frame[name], strict=True)))
    issues: dict[tuple, Issue] = {}
    for position in np.flatnonzero(keys.isin(wrong).to_numpy()):
        value, given = frame.at[position, code], frame.at[position, name]
        official = lookup.names[value]
        where = rows_from.locate(int(position))
        if where in issues:
            continue
        issues[where] = _issue(
            resource,
            rows_from,
            position,
            type="region-name-mismatch",
            message=(
                f"{code} {value} is {official!r} in table {REGION_TABLE}, but this row names "
                f"it {given!r}"
            ),
            column=code,
            value=str(value),
            hint=(
                f"code and name disagree: check {code} and {name} of this row in the source; "
                "when a whole year disagrees, its rows are probably shifted against their codes"
            ),
            extra={"nama_sumber": str(given), "nama_resmi": official},
        )
    return list(issues.values())


def _as_list(value) -> list:
    return list(value) if isinstance(value, list) else [value]


@check("outlier")
def outlier(
    db, resource, staging, rows_from, value: str, by: list[str], ratio: float = 2.0, **_
) -> list[Issue]:
    """A value more than `ratio` times above or below the median of its series (at least 3 values).

    A series is the rows sharing the `by` columns, e.g. one region and sex over the years.
    """
    frame = _read(staging, [*by, value])
    numbers = pd.to_numeric(frame[value], errors="coerce")
    groups = frame[by].fillna("").astype(str).agg("\x1f".join, axis=1)
    median = numbers.groupby(groups).transform("median")
    count = numbers.groupby(groups).transform("count")
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.maximum(numbers / median, median / numbers)
    flagged = (count >= 3) & (numbers > 0) & (median > 0) & (factor > ratio)
    issues = []
    for position in np.flatnonzero(flagged.fillna(False).to_numpy()):
        series = ", ".join(f"{c} {frame.at[position, c]}" for c in by)
        number, middle = numbers[position], median[position]
        direction = "below" if number < middle else "above"
        issues.append(
            _issue(
                resource,
                rows_from,
                position,
                type="outlier",
                message=(
                    f"{_plain(number)} is {factor[position]:.1f} times {direction} the median "
                    f"{_plain(middle)} of its series ({series}; {int(count[position])} values)"
                ),
                column=value,
                value=_plain(number),
                hint=(
                    f"a value this far from the rest of its series is likely an entry or "
                    f"alignment error; check it in the source (limit: {ratio} times the median)"
                ),
            )
        )
    return issues


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


@check("region_total")
def region_total(
    db, resource, staging, rows_from, value: str, by: list[str], code: str = "kode_wilayah", **_
) -> list[Issue]:
    """A region's value must equal the sum of its direct sub-regions' values in the same table.

    Compared only where every sub-region that table `wilayah` lists under it is present (with the
    same `by` values), so a table that covers part of a city is not held to the city's total.
    """
    lookup = cached_lookup(db)
    if lookup is None:
        return []
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
    issues = []
    for _, row in wholes.iterrows():
        expected = len(lookup.members(row[code]))
        if row["parts_count"] != expected or row["number"] == row["parts_sum"]:
            continue
        issues.append(
            _issue(
                resource,
                rows_from,
                row["position"],
                type="total-mismatch",
                message=(
                    f"{_plain(row['number'])} for {row[code]} is not the sum of its {expected} "
                    f"sub-regions in this table, {_plain(row['parts_sum'])}"
                ),
                column=value,
                value=_plain(row["number"]),
                hint="a total must equal its parts: check the total row and its sub-region rows",
            )
        )
    return issues
