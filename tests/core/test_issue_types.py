"""The issue-type catalogue (pipelines/core/issue_types.py) is the one place issue types come from.

Read from the source itself: every `Issue(...)` in pipelines/ names its type through the
catalogue, never as a string typed at the call, and no module but the catalogue spells a
catalogue slug as a literal. At run time an Issue with a slug nobody declared is refused.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pandas as pd
import pytest
from frictionless import errors as frictionless_errors

from pipelines.core.errors import Issue
from pipelines.core.indonesian import (
    DateFormatError,
    IndonesianFormatError,
    NumberFormatError,
    RegionCodeError,
    parse_column,
    scale_column,
)
from pipelines.core.issue_types import CATALOGUE, UnknownIssueTypeError, issue_type, register

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE_FILE = ROOT / "pipelines" / "core" / "issue_types.py"
SOURCES = sorted((ROOT / "pipelines").rglob("*.py")) + [ROOT / "publish.py"]


# Issue itself and the helpers that make one from keyword arguments (checks/runner.py `_issue`).
ISSUE_MAKERS = {"Issue", "_issue", "issue"}


def _called(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def test_every_issue_takes_its_type_from_the_catalogue_not_from_a_literal():
    literal_types, typed = [], 0
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or _called(node) not in ISSUE_MAKERS:
                continue
            for keyword in node.keywords:
                if keyword.arg == "type":
                    typed += 1
                    if isinstance(keyword.value, ast.Constant | ast.JoinedStr):
                        literal_types.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert typed >= 15  # the scan sees the Issues of stages, checks and build
    assert literal_types == []


def _check_type_names(tree: ast.AST) -> set[int]:
    """ids of the string nodes that name a check type: `@check("outlier")`, the keys of
    CHECK_TYPES and `CHECK_TYPE = "unit-mismatch"`. A check may share its name with the type of
    the issues it reports; that name is the check's, declared in the check registry."""
    names: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called(node) == "check":
            names.update(id(arg) for arg in node.args)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            labels = {getattr(t, "id", None) for t in targets}
            if "CHECK_TYPE" in labels:
                names.add(id(node.value))
            elif "CHECK_TYPES" in labels and isinstance(node.value, ast.Dict):
                names.update(id(key) for key in node.value.keys)
    return names


def test_no_module_but_the_catalogue_spells_an_issue_slug():
    """A slug typed in a second module is a second declaration."""
    found = []
    for path in SOURCES:
        if path == CATALOGUE_FILE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        check_names = _check_type_names(tree)
        for node in ast.walk(tree):
            spelled = isinstance(node, ast.Constant) and node.value in CATALOGUE
            if spelled and id(node) not in check_names:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert found == []


def test_an_issue_with_an_undeclared_type_is_refused():
    with pytest.raises(UnknownIssueTypeError, match="no-such-problem"):
        Issue(dataset="d", resource="r", type="no-such-problem", message="m")
    made = Issue(dataset="d", resource="r", type=issue_type("outlier"), message="m")
    assert made.type == "outlier" and type(made.type) is str
    assert made.as_dict()["type"] == "outlier"


def test_every_entry_has_title_and_hint_in_both_languages():
    assert len(CATALOGUE) >= 40
    for slug, entry in CATALOGUE.items():
        assert entry.slug == slug
        for text in (entry.title, entry.hint):
            assert text.id.strip() and text.en.strip(), slug
        assert entry.title.id != entry.title.en, f"{slug}: the Indonesian title is the English"


def test_register_refuses_a_second_declaration_a_missing_language_and_a_bad_slug():
    with pytest.raises(ValueError, match="declared twice"):
        register("parse-error", ("a", "b"), ("c", "d"))
    with pytest.raises(ValueError, match="`id` and `en`"):
        register("new-kind-of-problem", ("Judul", ""), ("saran", "hint"))
    with pytest.raises(ValueError, match="lower-case"):
        register("Bad_Slug", ("a", "b"), ("c", "d"))
    assert "new-kind-of-problem" not in CATALOGUE and "Bad_Slug" not in CATALOGUE


def test_every_frictionless_data_error_is_in_the_catalogue():
    """stages/validate.py passes frictionless's own slug on; each one a table validation can
    report (data, row, cell, label, header, file and resource errors) must be declared."""
    families = (frictionless_errors.DataError, frictionless_errors.ResourceError)
    slugs = {
        cls.type
        for _, cls in inspect.getmembers(frictionless_errors, inspect.isclass)
        if issubclass(cls, families) and cls not in families
    }
    assert {"type-error", "constraint-error", "primary-key", "missing-cell"} <= slugs
    assert sorted(slugs - set(CATALOGUE)) == []


def test_format_errors_carry_catalogue_slugs_and_parse_column_keeps_them():
    for cls in (IndonesianFormatError, NumberFormatError, DateFormatError, RegionCodeError):
        assert cls.slug in CATALOGUE
    numbers = parse_column(pd.Series(["1.234", "dua", None]), "integer")
    assert numbers.slugs.tolist() == [None, "number-format", None]
    dates = parse_column(pd.Series(["26 Mei 2015", "31 Februari 2015"]), "date")
    assert dates.slugs.tolist() == [None, "date-format"]
    codes = parse_column(pd.Series(["32.71", "Kota Bandung"]), "region_code")
    assert codes.slugs.tolist() == [None, "region-code"]
    # a scaled integer that is not whole is a number-format error of its own cell
    scaled = scale_column(parse_column(pd.Series(["1,5", "x", "2"]), "number"), 1, whole=True)
    assert scaled.slugs.tolist() == ["number-format", "number-format", None]
