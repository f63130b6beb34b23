"""stages/validate.py: frictionless's findings on the normalised file, named at the source rows.

The staging table below is written by hand, so every row, column and hint expected here is read
off it and off its row map, not off the pipeline's output.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.core.errors import RowMap
from pipelines.core.model import Resource
from pipelines.stages.validate import validate_table

FIELDS = [
    {"name": "id", "type": "integer"},
    {"name": "jumlah", "type": "integer", "constraints": {"minimum": 0}},
]
# Line 1 is the header (with a column the schema does not know); lines 2-5 are rows. The first
# two rows came from a.csv lines 10 and 11, the last two from b.csv lines 5 and 6.
STAGING = "id,jumlah,catatan\n1,5,x\n2,-3,y\n2,abc,z\n4,7,w\n"


def _validate(tmp_path: Path, **options):
    (tmp_path / "staging.csv").write_text(STAGING, encoding="utf-8")
    resource = Resource(
        "uji", "contoh", {"schema": {"fields": FIELDS, "primaryKey": ["id"]}}, tmp_path
    )
    rows_from = RowMap()
    rows_from.add("a.csv", [10, 11])
    rows_from.add("b.csv", [5, 6])
    rows_from.freeze()
    return validate_table(resource, tmp_path / "staging.csv", rows_from, **options)


def test_each_finding_names_the_source_file_row_column_value_and_what_was_expected(tmp_path):
    result = _validate(tmp_path)
    found = [(i.type, i.file, i.row, i.column, i.value) for i in result.issues]
    assert found == [
        ("extra-label", "a.csv (+1)", None, None, None),  # the header: no row, every file
        ("constraint-error", "a.csv", 11, "jumlah", "-3"),  # staging line 3
        ("type-error", "b.csv", 5, "jumlah", "abc"),  # staging line 4
        ("primary-key", "b.csv", 5, None, None),  # id 2 again on staging line 4
    ]
    by_type = {i.type: i for i in result.issues}
    # A finding on a field of the schema says what the field expects, from its descriptor.
    assert by_type["type-error"].hint == "expected type integer, minimum 0"
    assert by_type["constraint-error"].hint == "expected type integer, minimum 0"
    # One with a note is "title: note"; one without keeps frictionless's message.
    assert by_type["type-error"].message == 'Type Error: type is "integer/default"'
    assert 'extra label "catatan"' in by_type["extra-label"].message
    assert {i.dataset for i in result.issues} == {"contoh"}
    assert result.limit_reached is False


def test_stopping_at_the_limit_is_reported(tmp_path):
    """Four findings: a limit of four is reached (later rows unchecked), five is not."""
    assert len(_validate(tmp_path, limit_errors=5).issues) == 4
    assert _validate(tmp_path, limit_errors=5).limit_reached is False
    at_limit = _validate(tmp_path, limit_errors=2)
    assert len(at_limit.issues) == 2
    assert at_limit.limit_reached is True


# --- from the mutation triage (tests/mutation/README.md) ------------------------------------


def _validate_text(tmp_path: Path, text: str, fields: list[dict], rows: list[tuple[str, int]]):
    (tmp_path / "staging.csv").write_text(text, encoding="utf-8")
    resource = Resource("uji", "contoh", {"schema": {"fields": fields}}, tmp_path)
    rows_from = RowMap()
    for file, row in rows:
        rows_from.add(file, [row])
    rows_from.freeze()
    return validate_table(resource, tmp_path / "staging.csv", rows_from).issues


def test_the_last_row_of_a_short_table_is_named_at_its_source_row(tmp_path):
    """One row, then two rows from two files, every row bad: each finding names its own row."""
    fields = [{"name": "n", "type": "integer"}]
    [one] = _validate_text(tmp_path, "n\nx\n", fields, [("a.csv", 9)])
    assert (one.file, one.row) == ("a.csv", 9)
    two = _validate_text(tmp_path, "n\nx\ny\n", fields, [("a.csv", 9), ("b.csv", 4)])
    assert [(i.file, i.row, i.value) for i in two] == [("a.csv", 9, "x"), ("b.csv", 4, "y")]


def test_the_hint_is_that_of_the_field_named_not_of_an_earlier_field(tmp_path):
    """ "zona" sorts after "jumlah": the hint must come from jumlah's own descriptor."""
    fields = [{"name": "zona", "type": "string"}, {"name": "jumlah", "type": "integer"}]
    [issue] = _validate_text(tmp_path, "zona,jumlah\nA,x\n", fields, [("a.csv", 2)])
    assert (issue.column, issue.hint) == ("jumlah", "expected type integer")


def test_a_finding_on_no_field_keeps_frictionless_s_explanation_as_its_hint(tmp_path):
    from frictionless.errors import ExtraCellError

    fields = [{"name": "n", "type": "integer"}]
    [issue] = _validate_text(tmp_path, "n\n1,2\n", fields, [("a.csv", 2)])
    assert (issue.type, issue.row, issue.hint) == ("extra-cell", 2, ExtraCellError.description)


def test_the_default_limit_is_ten_thousand_findings(tmp_path):
    """LIMIT_ERRORS by its value: 9,999 bad cells are all named and the limit is not reached;
    10,000 are all named and reach it (as a limit of four does with four findings above)."""
    from pipelines.stages.validate import LIMIT_ERRORS

    assert LIMIT_ERRORS == 10_000
    fields = [{"name": "jumlah", "type": "integer"}]
    resource = Resource("uji", "contoh", {"schema": {"fields": fields}}, tmp_path)
    for bad, reached in ((9_999, False), (10_000, True)):
        staging = tmp_path / f"staging-{bad}.csv"
        staging.write_text("jumlah\n" + "x\n" * bad + "1\n", encoding="utf-8")
        rows_from = RowMap()
        rows_from.add("a.csv", range(2, bad + 3))
        rows_from.freeze()
        result = validate_table(resource, staging, rows_from)
        assert (len(result.issues), result.limit_reached) == (bad, reached)
        assert result.issues[-1].row == bad + 1
