"""checks/hierarchy.py at its edges, from the mutation triage (tests/mutation/README.md): the
tolerance of one child, exact integer sums, a missing group value, the issue cap, the hint text and
a line named like a missing value. Figures worked out by hand from the inline tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipelines.checks import hierarchy
from pipelines.checks.hierarchy import hierarchy_issues, hierarchy_sum
from pipelines.core.errors import RowMap
from pipelines.core.model import Resource

CHECK = {"key": "akun", "parent": "induk", "group": ["tahun"], "values": ["nilai"]}


def lines(*rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["tahun", "akun", "induk", "nilai"])
    return frame.astype({"tahun": "Int64", "nilai": "Int64"})


def test_tolerance_of_one_child_counts_the_parent_too():
    """One child, tolerance 2: two values added, so a difference of 4 is allowed and 5 is not."""
    check = {**CHECK, "tolerance": 2}
    assert hierarchy_issues(lines((1, "A", None, 100), (1, "B", "A", 104)), check, "d", "r") == []
    [issue] = hierarchy_issues(lines((1, "A", None, 100), (1, "B", "A", 105)), check, "d", "r")
    assert issue.extra["difference"] == "-5"
    assert issue.hint.endswith("(toleransi pembulatan per nilai / rounding tolerance per value 2)")


def test_without_tolerance_one_rupiah_off_is_reported_and_the_hint_has_no_tolerance_note():
    [issue] = hierarchy_issues(lines((1, "A", None, 100), (1, "B", "A", 101)), CHECK, "d", "r")
    assert issue.extra["difference"] == "-1"
    assert issue.hint.endswith("check child rows [2]")


def test_sums_of_integers_stay_exact_beyond_float_precision():
    """2**53 + 1 has no float: a sum taken in floats would report 9007199254740992."""
    frame = lines((1, "A", None, 0), (1, "B", "A", 2**53 + 1))
    [issue] = hierarchy_issues(frame, CHECK, "d", "r")
    assert issue.extra["expected"] == "9007199254740993"


def test_lines_with_an_empty_group_value_are_still_compared():
    """The year is empty on all three lines: they form one group of their own."""
    frame = lines((None, "A", None, 10), (None, "B", "A", 4), (None, "C", "A", 5))
    [issue] = hierarchy_issues(frame, CHECK, "d", "r")
    assert (issue.row, issue.extra["expected"], issue.extra["child_rows"]) == (1, "9", [2, 3])


def test_every_mismatch_is_reported_up_to_the_cap_and_no_further():
    """LIMIT + 1 parents, each one off from its only child: exactly LIMIT issues, in table order."""
    n = hierarchy.LIMIT + 1
    rows = [(1, f"P{i}", None, 1) for i in range(n)] + [(1, f"C{i}", f"P{i}", 2) for i in range(n)]
    issues = hierarchy_issues(lines(*rows), CHECK, "d", "r")
    assert len(issues) == 1000
    assert [i.row for i in issues[:3]] == [1, 2, 3]
    assert issues[-1].value == "1" and issues[-1].row == 1000


def test_the_missing_parent_hint_names_the_group_or_the_table():
    frame = lines((1, "A", None, 1), (1, "B", "Hilang", 1))
    [grouped] = hierarchy_issues(frame, CHECK, "d", "r")
    assert grouped.hint == "every induk must name a akun of the same tahun"
    [whole] = hierarchy_issues(frame, {**CHECK, "group": []}, "d", "r")
    assert whole.hint == "every induk must name a akun of the same table"


def test_a_line_named_na_in_the_staging_file_is_a_name_not_a_missing_value(tmp_path: Path):
    """pandas reads "NA" as missing by default; here it is the parent of line B (source row 8)."""
    staging = tmp_path / "staging.csv"
    staging.write_text("tahun,akun,induk,nilai\n1,NA,,10\n1,B,NA,3\n", encoding="utf-8")
    fields = [
        {"name": "tahun", "type": "integer"},
        {"name": "akun", "type": "string"},
        {"name": "induk", "type": "string"},
        {"name": "nilai", "type": "integer"},
    ]
    resource = Resource("tabel", "contoh", {"schema": {"fields": fields}}, tmp_path)
    rows_from = RowMap()
    rows_from.add("sumber.csv", [7, 8])
    rows_from.freeze()
    [issue] = hierarchy_sum(None, resource, staging, rows_from, **CHECK)
    assert (issue.type, issue.file, issue.row, issue.value) == (
        "hierarchy-sum-mismatch", "sumber.csv", 7, "10",
    )  # fmt: skip
    assert issue.extra["child_rows"] == [8]


def test_missing_parents_are_reported_up_to_the_cap_and_no_further():
    """LIMIT + 1 lines naming parents that do not exist, and a sum that is off: exactly LIMIT
    issues, all missing parents, in table order (the cap the sums already had)."""
    n = hierarchy.LIMIT + 1
    rows = [(1, "A", None, 1), (1, "B", "A", 2)] + [(1, f"C{i}", f"X{i}", 1) for i in range(n)]
    issues = hierarchy_issues(lines(*rows), CHECK, "d", "r")
    assert len(issues) == hierarchy.LIMIT
    assert {i.type for i in issues} == {"hierarchy-parent-missing"}
    assert [i.value for i in issues[:2]] == ["X0", "X1"] and issues[-1].value == "X999"
