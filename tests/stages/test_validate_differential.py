"""The fast validation path against frictionless itself: the same errors, in the same order.

Every table here is written by the test (fixed cases where engines disagree, and cells drawn by
hypothesis); the expected findings are frictionless's own report on the same file, read here
with frictionless directly, never the pipeline's output. Each comparison also asserts that the
fast path really ran (no silent fallback), and the sample catalog is built twice, once per path.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from frictionless import Resource as FrictionlessResource
from frictionless import Schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.core.chunks import ENV as CHUNK_ENV
from pipelines.stages.fast_validate import ENGINE_ENV, NotCovered, validate_fast

FIELDS = [
    {"name": "id", "type": "integer"},
    {"name": "kode", "type": "string", "constraints": {"pattern": "[0-9]{2}\\.[0-9]{2}"}},
    {"name": "nama", "type": "string", "constraints": {"required": True, "maxLength": 6}},
    {"name": "jenis", "type": "string", "constraints": {"enum": ["Tender", "Seleksi"]}},
    {"name": "nilai", "type": "number", "constraints": {"minimum": 0, "maximum": 1000}},
    {"name": "jumlah", "type": "integer", "constraints": {"minimum": 0, "maximum": 50}},
    {"name": "tanggal", "type": "date", "constraints": {"minimum": "2020-01-01"}},
    {"name": "tahun", "type": "year", "constraints": {"unique": True}},
    {"name": "aktif", "type": "boolean"},
    {"name": "singkat", "type": "string", "constraints": {"minLength": 2}},
]
NAMES = [f["name"] for f in FIELDS]
GOOD = ["1", "32.71", "Bogor", "Tender", "10.5", "3", "2024-01-31", "2001", "true", "ab"]
# Cells where a vectorised engine and Python's parsers tend to disagree, per column.
ODD = {
    "id": ["1_000", "١٢٣", "１２", "99999999999999999999", "+5", "1e3", " 7", "007", "-0", ""],
    "kode": ["32.7", "٣٢.٧١", "32.71 ", "", "3２.71"],
    "nama": ["", "Bandung", "Depok ", "ÉÉÉÉÉÉ", "ÉÉÉÉÉÉÉ"],
    "jenis": ["tender", "Tender ", "", "Seleksi"],
    "nilai": ["NaN", "inf", "-inf", "-0", "1e3", "1000.0000001", "1_0", "", " 5", "0.0", "1000"],
    "jumlah": [
        "-1",
        "0",
        "+0",
        "50",
        "51",
        "0050",
        "٣",
        "99999999999999999999",
        "-99999999999999999999",
        "",
    ],
    "tanggal": [" 2024-01-01", "2024-01-01 ", "2024-02-30", "2024-1-5", "2019-12-31", "0999-01-01"],
    "tahun": ["0999", "999", "20011", "２００１", "2001", ""],
    "aktif": ["TRUE", "tRUE", "yes", "1", "0", "False", ""],
    "singkat": ["a", "é", "", "ab"],
}


def _write(path: Path, rows: list[list[str]], header: list[str] = NAMES) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _seen(errors) -> list[tuple]:
    return [
        (
            e.type,
            getattr(e, "row_number", None),
            getattr(e, "field_name", None),
            getattr(e, "cell", None),
            e.message,
            e.title,
            e.description,
        )
        for e in errors
    ]


def _compare(path: Path, descriptor: dict, limit: int = 1000) -> list[tuple]:
    """frictionless's errors and the fast path's on the same file; they must be equal."""
    reference = FrictionlessResource(
        path=path.name, basepath=str(path.parent), schema=Schema.from_descriptor(descriptor)
    ).validate(limit_errors=limit)
    expected = _seen(reference.tasks[0].errors)
    fast = validate_fast(Schema.from_descriptor(descriptor), path, limit)
    assert _seen(fast.errors) == expected
    stopped = any("reached error limit" in w for w in reference.tasks[0].warnings)
    assert fast.partial == stopped
    return expected


def test_every_odd_cell_alone_in_a_good_row(tmp_path):
    rows = [GOOD]
    for column, cells in ODD.items():
        for cell in cells:
            row = list(GOOD)
            row[NAMES.index(column)] = cell
            row[NAMES.index("tahun")] = str(2100 + len(rows))  # unique, so only `cell` is odd
            rows.append(row)
    found = _compare(_write(tmp_path / "t.csv", rows), {"fields": FIELDS})
    # The file has findings of every cell kind the fast path covers.
    assert {t for t, *_ in found} >= {"type-error", "constraint-error"}
    notes = " ".join(m for *_, m, _, _ in found)
    for constraint in ("pattern", "required", "maxLength", "enum", "minimum", "maximum"):
        assert f'constraint "{constraint}"' in notes
    assert 'constraint "minLength"' in notes


@pytest.mark.parametrize("group_rows", [None, "2"])
def test_keys_blank_ragged_and_repeated_rows(tmp_path, monkeypatch, group_rows):
    """`group_rows`: the rows the fast path judges together (JENDELA_CHUNK_ROWS), so that
    ragged, blank and repeated rows fall on both sides of a group's edge."""
    if group_rows:
        monkeypatch.setenv(CHUNK_ENV, group_rows)
    path = tmp_path / "t.csv"
    text = (
        ",".join(NAMES)
        + "\n1,32.71,Bogor,Tender,1,1,2024-01-01,2001,true,ab"
        + "\n01,32.71,Bogor,Tender,1,1,2024-01-01,2001,true,ab"  # id 01 is integer 1 again
        + "\n,,,,,,,,,"  # blank row, all-empty primary key
        + "\n"  # an empty line is a blank row too
        + "\n2,32.71,Bogor,Tender,1,1,2024-01-01"  # missing cells
        + "\n3,32.71,Bogor,Tender,1,1,2024-01-01,2003,true,ab,extra,more"  # extra cells
        + "\n2,32.71,Bogor,Tender,1,1,2024-01-01,2006,true,ab"  # id 2 of the ragged row above
        + '\n"4","32.71","Bo\ngor",Tender,1,1,2024-01-01,2004,true,ab'  # newline inside quotes
        + "\n 1,32.71,Bogor,Tender,1,1,2024-01-01,2005,true,ab"  # " 1" is 1 again
        + "\n5,32.71,,Tender,1,1,2024-01-01,02001,true,ab"  # 02001 no year; required nama
        + "\n6,32.71,Bogor,Tender,1,1,2024-01-01,2001,TRUE,ab\n"  # tahun 2001 a third time
    )
    path.write_text(text, encoding="utf-8")
    descriptor = {"fields": FIELDS, "primaryKey": ["id"]}
    found = _compare(path, descriptor)
    kinds = {t for t, *_ in found}
    assert kinds >= {"primary-key", "unique-error", "blank-row", "missing-cell", "extra-cell"}
    # Composite keys where case and spaces differ are different strings, equal integers are not.
    composite = {"fields": FIELDS, "primaryKey": ["kode", "nama", "id"]}
    rows = [
        ["1", "32.71", "Bogor", "Tender", "1", "1", "2024-01-01", "", "true", "ab"],
        ["1", "32.71", "bogor", "Tender", "1", "1", "2024-01-01", "", "true", "ab"],
        ["1", "32.71", "Bogor ", "Tender", "1", "1", "2024-01-01", "", "true", "ab"],
        ["+1", "32.71", "Bogor", "Tender", "1", "1", "2024-01-01", "", "true", "ab"],
        ["x", "", "", "Tender", "1", "1", "2024-01-01", "", "true", "ab"],
        ["y", "", "", "Tender", "1", "1", "2024-01-01", "", "true", "ab"],
    ]
    found = _compare(_write(tmp_path / "k.csv", rows), composite)
    # Row 5 ("+1") repeats row 2; rows 6 and 7 have no valid id, kode or nama: all empty.
    assert [r for t, r, *_ in found if t == "primary-key"] == [5, 6, 7]
    assert any(t == "primary-key" for t, *_ in _compare(path, {**composite}))


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 8, 13])
def test_the_error_limit_cuts_where_frictionless_cuts(tmp_path, limit):
    rows = [["x", "1", "", "no", "-1", "-5", "1999-01-01", "2001", "maybe", "a"] for _ in range(4)]
    _compare(_write(tmp_path / "t.csv", rows), {"fields": FIELDS, "primaryKey": ["id"]}, limit)


def test_a_row_too_long_for_the_read_blocks_is_validated_by_the_fast_path(tmp_path):
    """Files are read in 256 KB blocks (core/chunks.py) and a row must fit in two: a 3 MB cell is
    read again with large blocks, and the errors are still frictionless's, rows after it too."""
    long = [*GOOD[:2], "x" * (3 << 20), *GOOD[3:]]  # over nama's maxLength
    bad = [*GOOD[:5], "51", *GOOD[6:]]  # over jumlah's maximum
    rows = [GOOD] * 30_000 + [long] + [GOOD, bad] * 10
    fields = [{**f, "constraints": {}} if f["name"] == "tahun" else f for f in FIELDS]  # not unique
    expected = _compare(_write(tmp_path / "t.csv", rows), {"fields": fields})
    assert [(row, field) for _, row, field, *_ in expected] == [(30_002, "nama")] + [
        (30_002 + 2 * n, "jumlah") for n in range(1, 11)
    ]


def test_what_the_fast_path_does_not_cover_goes_to_frictionless(tmp_path):
    path = _write(tmp_path / "t.csv", [GOOD], header=[*NAMES[:-1], "lain"])
    with pytest.raises(NotCovered):
        validate_fast(Schema.from_descriptor({"fields": FIELDS}), path, 10)
    number_key = {"fields": FIELDS, "primaryKey": ["nilai"]}
    with pytest.raises(NotCovered):
        validate_fast(Schema.from_descriptor(number_key), _write(tmp_path / "n.csv", [GOOD]), 10)


CELL = st.one_of(
    st.sampled_from(sorted({c for cells in ODD.values() for c in cells} | set(GOOD))),
    st.text(alphabet=st.sampled_from("0123456789-+.eE _٣１ aT:"), max_size=12),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(st.lists(CELL, min_size=len(NAMES), max_size=len(NAMES)), max_size=12))
def test_drawn_cells_give_the_same_errors(tmp_path, rows):
    _compare(_write(tmp_path / "h.csv", rows), {"fields": FIELDS, "primaryKey": ["id"]})


def test_the_sample_build_reports_the_same_with_either_path(copy_project, monkeypatch):
    """The sample catalog built on the fast path and on frictionless: identical reports, also
    for a tender list given findings only frictionless's checks make (a repeated tender code,
    a procurement kind outside its list, a negative bidder count)."""
    from tests.conftest import run_publish

    tenders = copy_project / "datasets" / "tender-kota-bogor" / "data" / "tender.csv"
    lines = tenders.read_text(encoding="utf-8").splitlines()
    header, first, second = lines[0].split(","), lines[1], lines[2]
    bad = next(csv.reader([second]))
    bad[header.index("Jenis Pengadaan")] = "Pengadaan Barang/Jasa"
    bad[header.index("Jumlah Peserta")] = "-3"
    with open(tenders, "a", encoding="utf-8", newline="") as out:
        out.write(first + "\n")  # its Kode Tender again
        csv.writer(out, lineterminator="\n").writerow(bad)
    reports = {}
    for engine in ("fast", "frictionless"):
        monkeypatch.setenv(ENGINE_ENV, engine)
        output = copy_project / engine
        run_publish(
            "--metadata-dir",
            str(copy_project / "metadata"),
            "build",
            "--quiet",
            "--output",
            str(output),
            catalog=copy_project / "datasets",
        )
        reports[engine] = {
            p.relative_to(output).as_posix(): p.read_bytes()
            for p in sorted(output.rglob("reports/*/*.json"))
        }
    assert reports["fast"] == reports["frictionless"]
    types = {kind for body in reports["fast"].values() for kind in json.loads(body)["error_types"]}
    assert {"primary-key", "constraint-error"} <= types, types
