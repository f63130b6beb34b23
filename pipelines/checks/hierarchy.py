"""Hierarchy check: in a table of lines with parents (a chart of accounts, a total and its items),
every parent must equal the sum of its children.

Budget tables print totals beside their parts, and a total that does not add up is news: either
the source is wrong or a part is missing. Frictionless checks one row at a time and cannot see
this, so this module checks it on the normalised table, after validation, and reports every line
that does not add up with its row, column, value and the sum it should have had, never fixing it.

Declared per resource in the descriptor beside the other checks of pipelines/checks/runner.py (this
module registers `hierarchy-sum` in that registry), so any hierarchical table can use it:

    jendela:
      checks:
        - type: hierarchy-sum
          key: kode_akun              # the column that names a line
          parent: kode_akun_induk     # the column naming the line's parent (empty at the top)
          level: tingkat_akun         # optional: the parent is one level up (for repeated names)
          group: [kode_wilayah, tahun]  # lines are compared within one region and year
          values: [anggaran_rp, realisasi_rp]
          subtract: [Pengeluaran Pembiayaan Daerah]  # optional: children counted negatively
          tolerance: 5000000          # optional: the largest rounding error of one value
          on_mismatch: warn           # fail (default): the dataset fails; warn: it is published
                                      # and the validation report lists the mismatches (this
                                      # setting works for every check: pipelines/checks/runner.py)

A parent whose value is empty, or whose children are all empty, claims nothing and is skipped
(DJPK prints groups it does not itemise). With a tolerance, the allowed difference is the
tolerance times the number of values added (children plus the parent): "2.554,77 M" is only
known to 5 million Rupiah either way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..core.errors import Issue, RowMap
from ..core.issue_types import HIERARCHY_PARENT_MISSING, HIERARCHY_SUM_MISMATCH, IssueType
from ..core.model import Resource
from .runner import check, grouped, plain, with_severity

CHECK_TYPE = "hierarchy-sum"
LIMIT = 1000
_NUMERIC = {"integer": "Int64", "year": "Int64", "number": "Float64"}


@check(CHECK_TYPE)
def hierarchy_sum(db, resource: Resource, staging: Path, rows_from: RowMap, **spec) -> list[Issue]:
    """The `hierarchy-sum` check of pipelines/checks/runner.py's registry, on the normalised CSV.

    Its columns are fields of the resource: load_dataset checked that (model.CHECK_TYPES).
    """
    columns = _columns(spec)
    types = {f["name"]: f.get("type", "string") for f in resource.fields}
    frame = pd.read_csv(
        staging,
        usecols=columns,
        dtype={c: _NUMERIC.get(types[c], "string") for c in columns},
        keep_default_na=False,
        na_values=[""],
    )
    return hierarchy_issues(frame, spec, resource.dataset_id, resource.name, rows_from)


def _columns(check: dict) -> list[str]:
    names = [check["key"], check["parent"], *check.get("group", []), *check["values"]]
    if check.get("level"):
        names.append(check["level"])
    return list(dict.fromkeys(names))


def hierarchy_issues(
    frame: pd.DataFrame,
    check: dict,
    dataset: str,
    resource: str,
    rows_from: RowMap | None = None,
) -> list[Issue]:
    """The issues of one check on a table (one row per line, in table order).

    `rows_from` maps a position in `frame` to the source file and row; without it the row is the
    1-based position. Pure: tests call it with a small inline frame, so it marks the severity of
    `on_mismatch` itself, through the same function run_checks applies to every check.
    """
    key, parent, level = check["key"], check["parent"], check.get("level")
    group = list(check.get("group", []))
    tolerance = check.get("tolerance", 0)
    subtract = {str(v) for v in check.get("subtract", [])}
    table = frame.reset_index(drop=True).copy()
    table["_position"] = np.arange(len(table))
    own = [*group, key] + ([level] if level else [])
    children = table[table[parent].notna()].copy()
    children["_parent_level"] = children[level] - 1 if level else 0
    link = [*group, parent, "_parent_level"] if level else [*group, parent]
    sign = np.where(children[key].astype("string").isin(subtract), -1, 1)

    def locate(position: int) -> tuple[str | None, int]:
        if rows_from is None:
            return None, position + 1
        return rows_from.locate(position)

    def issue(kind: IssueType, position: int, column: str, value, message: str, hint: str, extra):
        file, row = locate(position)
        return Issue(
            dataset=dataset,
            resource=resource,
            type=kind,
            message=message,
            file=file,
            row=row,
            column=column,
            value=None if value is None else plain(value),
            hint=hint,
            extra=extra,
        )

    issues: list[Issue] = []
    as_parent = {key: parent, **({level: "_parent_level"} if level else {})}
    parents_known = table[own].rename(columns=as_parent)
    orphans = children.merge(parents_known.drop_duplicates(), on=link, how="left", indicator=True)
    missing = orphans[orphans["_merge"] == "left_only"].head(LIMIT)  # capped as the sums are
    for row in missing.to_dict("records"):
        position = int(row["_position"])
        name = str(row[parent])
        issues.append(
            issue(
                HIERARCHY_PARENT_MISSING,
                position,
                parent,
                name,
                f"induk {name!r} tidak ada dalam kelompok yang sama / parent {name!r} is not a "
                "line of the same group",
                f"every {parent} must name a {key} of the same {', '.join(group) or 'table'}",
                {},
            )
        )
    if len(issues) >= LIMIT:
        return with_severity(issues, check)
    for value in check["values"]:
        signed = children[link + ["_position"]].copy()
        signed["_value"] = children[value] * sign
        present = signed[signed["_value"].notna()]
        sums = present.groupby(link, dropna=False, sort=False).agg(
            _sum=("_value", "sum"),
            _count=("_value", "size"),
            _rows=("_position", list),
        )
        sums = sums.reset_index().rename(
            columns={parent: key, **({"_parent_level": level} if level else {})}
        )
        joined = table[table[value].notna()].merge(sums, on=own, how="inner")
        difference = joined[value] - joined["_sum"]
        allowed = tolerance * (joined["_count"] + 1)
        bad = joined[(difference.abs() > allowed).fillna(False).to_numpy(dtype=bool)]
        for row in bad.to_dict("records"):
            expected, actual = row["_sum"], row[value]
            child_rows = [locate(int(p))[1] for p in row["_rows"]]
            issues.append(
                issue(
                    HIERARCHY_SUM_MISMATCH,
                    int(row["_position"]),
                    value,
                    actual,
                    f"{row[key]!r}: {value} {grouped(actual)} tidak sama dengan jumlah "
                    f"{row['_count']} baris anaknya {grouped(expected)} (selisih "
                    f"{grouped(actual - expected)}) / does not equal the sum of its "
                    f"{row['_count']} children",
                    f"sumber tidak konsisten: periksa baris anak {child_rows} / the source does "
                    f"not add up: check child rows {child_rows}" + _tolerance_note(tolerance),
                    {
                        "expected": plain(expected),
                        "difference": plain(actual - expected),
                        "children": int(row["_count"]),
                        "child_rows": child_rows,
                    },
                )
            )
            if len(issues) >= LIMIT:
                return with_severity(issues, check)
    return with_severity(issues, check)


def _tolerance_note(tolerance) -> str:
    if not tolerance:
        return ""
    return f" (toleransi pembulatan per nilai / rounding tolerance per value {grouped(tolerance)})"
