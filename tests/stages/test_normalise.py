"""Small, inline checks of normalise.py's reports (ragged rows, long cells, chunk errors), from the
mutation triage (tests/mutation/README.md): the builds that used to guard them took ~60 s a
mutant. Expected messages are written out by hand from the inputs."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from pipelines.core.issue_types import CELL_TOO_LONG, EXTRA_CELL, MISSING_CELL
from pipelines.core.model import Resource
from pipelines.readers import INVALID_ROWS, ROW_COLUMN
from pipelines.stages.normalise import (
    MissingColumnsError,
    NormalisedChunk,
    TransformFailedError,
    _without_long_cells,
    cell_lengths,
    max_cell_chars,
    normalise_chunk,
    ragged_issues,
)


class _Resource:
    """The few attributes of a model.Resource that these functions read."""

    dataset_id = "contoh"
    name = "contoh"

    def __init__(self, ext: dict | None = None, column_map: dict | None = None):
        self.ext = ext or {}
        self.column_map = column_map or {}


def test_ragged_rows_name_each_missing_and_each_extra_cell():
    """Line 4 has 1 cell where 4 are expected: columns 2-4 are missing, the second by its mapped
    field name, the ones past the chunk's two headers by number. Line 7 has 4 cells where 2 are
    expected: cells 3 and 4 have no header."""
    chunk = pd.DataFrame({"kode": ["32"], "nama": ["Bogor"], ROW_COLUMN: [2]})
    chunk.attrs[INVALID_ROWS] = [
        {"expected": 4, "found": 1, "line": 4, "text": "32"},
        {"expected": 2, "found": 4, "line": 7, "text": "32,Bogor,x,y"},
    ]
    resource = _Resource(column_map={"nama": "nama_wilayah"})
    issues = ragged_issues(resource, "sumber.csv", chunk)
    assert [(i.type, i.row, i.column, i.value) for i in issues] == [
        (MISSING_CELL.slug, 4, "nama_wilayah", "32"),
        (MISSING_CELL.slug, 4, "#3", "32"),
        (MISSING_CELL.slug, 4, "#4", "32"),
        (EXTRA_CELL.slug, 7, "#3", "32,Bogor,x,y"),
        (EXTRA_CELL.slug, 7, "#4", "32,Bogor,x,y"),
    ]
    assert issues[0].message == (
        "baris ini punya 1 sel, judulnya 4: sel kolom nama_wilayah tidak ada / this row has 1 "
        "cells where the header has 4: the cell of column nama_wilayah is missing"
    )
    assert issues[3].message == (
        "baris ini punya 4 sel, judulnya 2: sel ke-3 tidak punya judul kolom / this row has 4 "
        "cells where the header has 2: cell 3 has no column header"
    )
    assert issues[4].message.endswith(
        "sel ke-4 tidak punya judul kolom / this row has 4 "
        "cells where the header has 2: cell 4 has no column header"
    )


def test_the_cell_limit_is_the_fields_then_the_resources_then_an_xlsx_cell():
    assert max_cell_chars(_Resource(), {"name": "a"}) == 32_767
    assert max_cell_chars(_Resource({"max_cell_chars": 5}), {"name": "a"}) == 5
    own = {"name": "a", "jendela": {"max_cell_chars": 3}}
    assert max_cell_chars(_Resource({"max_cell_chars": 5}), own) == 3


def test_a_cell_over_the_limit_is_emptied_and_reported_with_its_start():
    source = pd.Series(["pendek", "x" * 70_000, "12345", "y" * 50_000])  # the last: at the limit
    rows = pd.Series([2, 3, 4, 5])
    result = NormalisedChunk(pd.DataFrame(), rows)
    field = {"name": "catatan", "jendela": {"max_cell_chars": 50_000}}
    kept = _without_long_cells(source, _Resource(), field, rows, "sumber.csv", result)
    assert kept.isna().tolist() == [False, True, False, False]
    assert result.bad_rows == {1}
    [issue] = result.issues
    assert (issue.type, issue.row, issue.column, issue.value) == (
        CELL_TOO_LONG.slug,
        3,
        "catatan",
        "x" * 60 + "…",
    )
    assert issue.message == (
        "sel ini 70.000 karakter, lebih dari batas 50.000 / this cell has 70.000 characters, "
        "over the limit of 50.000"
    )


def test_cell_lengths_count_characters_of_text_and_of_other_values_as_text():
    """Characters, not bytes ("ñé" is 2, an emoji 1); missing cells 0; a column of numbers from
    a JSON source counts each number's text, as a cell written out would show it."""
    text = pd.Series(["ab", None, "ñé", "", "😀x", pd.NA], dtype=object)
    assert cell_lengths(text).tolist() == [2, 0, 2, 0, 2, 0]
    assert cell_lengths(text.astype("string")).tolist() == [2, 0, 2, 0, 2, 0]
    mixed = pd.Series([1, 22.5, None, "abc"], dtype=object)
    assert cell_lengths(mixed).tolist() == [len("1"), len("22.5"), 0, len("abc")]
    assert cell_lengths(pd.Series([3201, 12])).tolist() == [4, 2]
    assert cell_lengths(pd.Series([None, None], dtype=object)).tolist() == [0, 0]


def test_chunk_errors_name_the_rows_of_the_chunk_and_the_header_line():
    chunk = pd.DataFrame({"kode": ["a", "b", "c"], ROW_COLUMN: [12, 13, 14]})
    error = TransformFailedError(_Resource(), "sumber.csv", chunk, KeyError("kode"))
    assert error.issue.message.endswith("raised KeyError: 'kode' (on rows 12-14)")
    missing = MissingColumnsError(_Resource(), "sumber.csv", ["nama"], ["kode", ROW_COLUMN])
    assert (missing.issue.row, missing.issue.message) == (
        1,
        "columns nama not found in the source; it has kode",
    )


def test_issues_stop_at_the_room_left_but_every_bad_row_is_marked():
    """room=1: the first long cell of `a` takes the one Issue, the second of `a` and the one of
    `b` get none (capped), yet all three rows are bad."""
    rows = pd.Series([2, 3, 4])
    result = NormalisedChunk(pd.DataFrame(), rows, room=1)
    resource = _Resource({"max_cell_chars": 2})
    _without_long_cells(pd.Series(["xxx", "xxx", "y"]), resource, {"name": "a"}, rows, "s", result)
    _without_long_cells(pd.Series(["y", "y", "xxx"]), resource, {"name": "b"}, rows, "s", result)
    assert [(i.row, i.column) for i in result.issues] == [(2, "a")]
    assert (result.capped, result.bad_rows) == (True, {0, 1, 2})


def test_a_scaled_number_field_keeps_its_fraction_and_an_integer_field_is_multiplied_out():
    """`jendela.scale` 1000 (ribu): 0,0015 of a number field is 1.5; 2 of an integer field is
    2000. Only an integer field refuses a fraction left after scaling."""
    fields = [
        {"name": "nilai", "type": "number", "jendela": {"scale": 1000}},
        {"name": "jumlah", "type": "integer", "jendela": {"scale": 1000}},
    ]
    descriptor = {"name": "t", "jendela": {}, "schema": {"fields": fields}}
    resource = Resource("t", "contoh", descriptor, Path("."))
    chunk = pd.DataFrame({ROW_COLUMN: [2], "nilai": ["0,0015"], "jumlah": ["2"]})
    normalised = normalise_chunk(chunk, resource, "sumber.csv")
    assert normalised.issues == []
    assert normalised.frame.to_dict("list") == {"nilai": ["1.5"], "jumlah": ["2000"]}


def test_a_ragged_rows_raw_text_reaches_the_quarantine_file_once(tmp_path):
    """A row the reader could not split is not in the table, so the quarantine file must keep its
    raw line: written once for line 4, though the row has three missing-cell issues, beside
    the one kept row's table line (line 2) and a header of the two columns."""
    from pipelines.core.errors import RowMap
    from pipelines.stages.quarantine import quarantine

    chunk = pd.DataFrame({"kode": ["32"], "nama": ["Bogor"], ROW_COLUMN: [2]})
    chunk.attrs[INVALID_ROWS] = [{"expected": 3, "found": 1, "line": 4, "text": "3271"}]
    issues = ragged_issues(_Resource(), "sumber.csv", chunk)
    staging = tmp_path / "staging.csv"
    staging.write_text("kode,nama\n32,Bogor\n", encoding="utf-8")
    rows_from = RowMap()
    rows_from.add("sumber.csv", [2])
    rows_from.freeze()
    target = tmp_path / "contoh.quarantine.csv"
    moved, _ = quarantine(staging, rows_from, issues, target)
    assert (moved.rows, moved.kept) == (1, 1)
    message = (
        "missing-cell: nama: baris ini punya 1 sel, judulnya 3: sel kolom nama tidak ada / this "
        "row has 1 cells where the header has 3: the cell of column nama is missing"
    )
    with open(target, encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["sumber_berkas", "sumber_baris", "masalah", "kode", "nama"],
            ["sumber.csv", "4", f"{message} | baris mentah / raw line:", "3271"],
        ]
    assert staging.read_text(encoding="utf-8") == "kode,nama\n32,Bogor\n"
