"""Dataset checks (pipelines/checks/) that cannot take a build down, and that stay fast.

Check settings are checked when the descriptor loads (model.CHECK_TYPES), `on_mismatch` works for
every check type, and the vectorised checks report exactly what their row-by-row versions did.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlite_utils
from conftest import run_publish

import pipelines.checks  # noqa: F401 (imports every check module, as a build does)
from pipelines.checks.runner import CHECKS, grouped, is_warning, plain, run_checks
from pipelines.core.errors import DescriptorError, RowMap
from pipelines.core.model import CHECK_TYPES, Vocabulary, as_list, load_dataset
from pipelines.stages.load import check_foreign_keys
from pipelines.stages.regions import RegionLookup

LUAS = Path("datasets/luas-wilayah")
CHECK_KEY = "resources[0].jendela.checks[0]"


def publish_in(project: Path, *args: str):
    return run_publish(
        "--datasets-dir", str(project / "datasets"), "--metadata-dir", str(project / "metadata"),
        *args,
    )  # fmt: skip


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _without_check_type_enum(node) -> None:
    """Drop the schema's list of check types, so the Python check in model.py answers alone."""
    if isinstance(node, dict):
        if "region-name" in (node.get("enum") or []):
            del node["enum"]
        for value in node.values():
            _without_check_type_enum(value)
    elif isinstance(node, list):
        for value in node:
            _without_check_type_enum(value)


# --- settings are checked when the descriptor loads: exit 2, file and key named ----------------


@pytest.mark.parametrize("schema_lists_types", [True, False])
def test_mistyped_check_type_stops_validate_with_exit_2(copy_project, schema_lists_types):
    descriptor = copy_project / LUAS / "datapackage.yaml"
    _edit(descriptor, "- type: region-name", "- type: region_name")  # the spelling before #11
    if not schema_lists_types:
        schema_path = copy_project / "metadata/schemas/descriptor.schema.json"
        schema = json.loads(schema_path.read_text())
        _without_check_type_enum(schema)
        schema_path.write_text(json.dumps(schema))

    result = publish_in(copy_project, "validate", "luas-wilayah")

    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {descriptor}: {CHECK_KEY}.type: ")
    assert "'region_name'" in result.stderr and "region-name" in result.stderr
    assert "Traceback" not in result.stderr
    if not schema_lists_types:
        assert result.stderr == (
            f"error: {descriptor}: {CHECK_KEY}.type: jenis pemeriksaan 'region_name' tidak "
            "dikenal / unknown check type 'region_name' (known: hierarchy-sum, outlier, "
            "region-name, region-total, unit-mismatch)\n"
        )


def test_check_naming_a_column_that_is_not_a_field_stops_validate_with_exit_2(copy_project):
    descriptor = copy_project / LUAS / "datapackage.yaml"
    _edit(descriptor, "          name: nama_wilayah_sumber\n", "          name: nama_daerah\n")

    result = publish_in(copy_project, "validate", "luas-wilayah")

    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr == (
        f"error: {descriptor}: {CHECK_KEY}.name: 'nama_daerah' bukan kolom luas_wilayah / "
        "'nama_daerah' is not a field of luas_wilayah\n"
    )


FIRST, SECOND = "resources[0].jendela.checks[0]", "resources[0].jendela.checks[1]"


@pytest.mark.parametrize(
    ("dataset", "old", "new", "key", "says"),
    [
        ("luas-wilayah", "name: nama_wilayah_sumber\n", "nama: nama_wilayah_sumber\n",
         f"{FIRST}.nama", "has no setting 'nama'"),
        ("luas-wilayah", "          name: nama_wilayah_sumber\n", "",
         f"{FIRST}.name", "region-name needs 'name'"),
        ("penduduk-jabar-odj", "          ratio: 2\n", "          ratio: dua\n",
         f"{SECOND}.ratio", "must be angka / a number: 'dua'"),
        ("penduduk-jabar-odj", "          ratio: 2\n", "          ratio: 1\n",
         f"{SECOND}.ratio", "must be greater than 1: 1 (rasio 1 atau kurang menandai setiap"),
        ("penduduk-jabar-odj", "          ratio: 2\n", "          ratio: -3\n",
         f"{SECOND}.ratio", "a ratio of 1 or less flags every value"),
        ("penduduk-jabar-odj", "by: [kode_wilayah, jenis_kelamin]", "by: kode_wilayah",
         f"{SECOND}.by", "must be daftar / a list"),
        ("penduduk-jabar-odj", "by: [kode_wilayah, jenis_kelamin]", "by: [kode_wilayah, jk]",
         f"{SECOND}.by", "'jk' is not a field of penduduk_odj"),
        ("monitoring-lkpp", "on_mismatch: warn", "on_mismatch: warning",
         f"{FIRST}.on_mismatch", "must be one of: fail, warn"),
        ("monitoring-lkpp", "columns: [nilai_rup_rp, nilai_realisasi_rp]", "columns: []",
         f"{FIRST}.columns", "unit-mismatch needs 'columns'"),
        ("monitoring-lkpp", "on_mismatch: warn", "headers: {nama_instansi: Nama}",
         f"{FIRST}.headers", "'nama_instansi' is not one of the columns"),
        ("ppks-tangsel", "columns: [jumlah_ppks_dtks]", "columns: [jumlah_ppks_dtks, tahun]",
         f"{FIRST}.columns", "no source header for 'tahun'"),
    ],
)  # fmt: skip
def test_bad_check_settings_are_descriptor_errors_naming_the_key(
    copy_project, dataset, old, new, key, says
):
    descriptor = copy_project / "datasets" / dataset / "datapackage.yaml"
    _edit(descriptor, old, new)
    with pytest.raises(DescriptorError) as error:
        load_dataset(descriptor.parent, Vocabulary.load(copy_project / "metadata"))
    assert (error.value.path, error.value.key) == (str(descriptor), key)
    assert says in error.value.message


def test_every_declared_check_type_is_registered_and_the_schema_agrees():
    assert set(CHECKS) == set(CHECK_TYPES)
    schema = json.loads(Path("metadata/schemas/descriptor.schema.json").read_text())
    enums = []

    def walk(node):
        if isinstance(node, dict):
            if "region-name" in (node.get("enum") or []):
                enums.append(node["enum"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    assert all(set(enum) == set(CHECK_TYPES) for enum in enums), enums


# --- on_mismatch for every check type; region-total without the region table ------------------

REGIONS = [
    ("32", "Jawa Barat", None),
    ("32.71", "Kota Bogor", "32"),
    ("32.71.01", "Bogor Selatan", "32.71"),
    ("32.71.06", "Tanah Sareal", "32.71"),
    ("32.73", "Kota Bandung", "32"),
    ("32.73.01", "Sukasari", "32.73"),
]


class _Resource:
    """The few attributes of a model.Resource that the checks read."""

    dataset_id = "contoh"
    name = "contoh"

    def __init__(self, checks: list[dict], foreign_keys: list[dict] | None = None):
        self.ext = {"checks": checks}
        self.foreign_keys = foreign_keys or []


def _region_db(tmp_path: Path, with_regions: bool = True) -> sqlite_utils.Database:
    db = sqlite_utils.Database(tmp_path / "regions.db")
    if with_regions:
        db["wilayah"].insert_all(
            {"kode_wilayah": c, "nama_wilayah": n, "kode_wilayah_induk": p} for c, n, p in REGIONS
        )
    return db


def _staging(tmp_path: Path, rows: list[dict]) -> tuple[Path, RowMap]:
    path = tmp_path / "staging.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    rows_from = RowMap()
    rows_from.add("sumber.csv", list(range(2, len(rows) + 2)))
    rows_from.freeze()
    return path, rows_from


# Kota Bogor's total is 1 off its parts; Kota Bandung's series has one value 10x the others; row
# 2 names 32.71 after another city.
ROWS = [
    {"kode_wilayah": "32.71", "nama": "KOTA BOGOR", "tahun": "2023", "jumlah": "16"},
    {"kode_wilayah": "32.71", "nama": "KOTA CIMAHI", "tahun": "2024", "jumlah": "15"},
    {"kode_wilayah": "32.71.01", "nama": "Bogor Selatan", "tahun": "2023", "jumlah": "10"},
    {"kode_wilayah": "32.71.06", "nama": "Tanah Sareal", "tahun": "2023", "jumlah": "5"},
    {"kode_wilayah": "32.71", "nama": "KOTA BOGOR", "tahun": "2025", "jumlah": "15"},
    {"kode_wilayah": "32.73", "nama": "KOTA BANDUNG", "tahun": "2022", "jumlah": "100"},
    {"kode_wilayah": "32.73", "nama": "KOTA BANDUNG", "tahun": "2023", "jumlah": "1000"},
    {"kode_wilayah": "32.73", "nama": "KOTA BANDUNG", "tahun": "2024", "jumlah": "110"},
]
EVERY_TYPE = [
    {"type": "region-name", "code": "kode_wilayah", "name": "nama"},
    {"type": "outlier", "value": "jumlah", "by": ["kode_wilayah"], "ratio": 2},
    {"type": "region-total", "value": "jumlah", "by": ["tahun"]},
]


@pytest.mark.parametrize("spec", EVERY_TYPE, ids=lambda s: s["type"])
def test_on_mismatch_warn_turns_any_check_into_warnings(tmp_path, spec):
    db = _region_db(tmp_path)
    staging, rows_from = _staging(tmp_path, ROWS)
    failing = run_checks(db, _Resource([spec]), staging, rows_from)
    warned = run_checks(db, _Resource([{**spec, "on_mismatch": "warn"}]), staging, rows_from)
    assert failing and not any(is_warning(i) for i in failing)
    assert {i.extra["severity"] for i in failing} == {"error"}
    assert [i.row for i in warned] == [i.row for i in failing]
    assert all(is_warning(i) for i in warned)


def test_region_total_without_the_region_table_says_it_could_not_check(tmp_path):
    db = _region_db(tmp_path, with_regions=False)
    staging, rows_from = _staging(tmp_path, ROWS)
    check = {"type": "region-total", "value": "jumlah", "by": ["tahun"]}
    [issue] = run_checks(db, _Resource([check]), staging, rows_from)
    assert (issue.type, issue.file, issue.row) == ("region-total-unchecked", "sumber.csv", None)
    assert issue.message == (
        "tabel 'wilayah' belum diterbitkan, jadi total tidak dapat diperiksa / table 'wilayah' is "
        "not published, so totals cannot be checked"
    )
    assert issue.hint == (
        "bangun dulu dataset yang mendefinisikan 'wilayah' / build the dataset that defines "
        "'wilayah' first"
    )


def test_foreign_key_issues_are_bilingual(tmp_path):
    db = _region_db(tmp_path)
    staging, rows_from = _staging(tmp_path, [{"kode_wilayah": "32.79", "jumlah": "1"}])
    to_regions = {"fields": ["kode_wilayah"], "reference": {"resource": "wilayah"}}
    to_regions["reference"]["fields"] = ["kode_wilayah"]
    [issue] = check_foreign_keys(db, _Resource([], [to_regions]), staging, rows_from)
    assert (issue.type, issue.row, issue.value) == ("foreign-key", 2, "32.79")
    assert issue.message == (
        "32.79 tidak ada di wilayah.kode_wilayah / 32.79 not found in wilayah.kode_wilayah"
    )
    assert issue.hint == (
        "setiap kode_wilayah harus berupa kode_wilayah dari tabel wilayah / every kode_wilayah "
        "must be a kode_wilayah of table wilayah"
    )
    elsewhere = {"fields": "kode_wilayah", "reference": {"resource": "kecamatan", "fields": "k"}}
    [issue] = check_foreign_keys(db, _Resource([], [elsewhere]), staging, rows_from)
    assert issue.message == (
        "tabel 'kecamatan' belum diterbitkan, jadi ['kode_wilayah'] tidak dapat diperiksa / "
        "table 'kecamatan' is not published, so ['kode_wilayah'] cannot be checked"
    )


# --- the vectorised checks report what the row-by-row versions did ---------------------------
# The references below are the code the checks had before (per-row joins, tuples), kept here to
# pin down that the faster versions find the same rows with the same figures. region-total has no
# such copy: its rows and messages are worked out by hand below.


def _old_outlier(frame: pd.DataFrame, value: str, by: list[str], ratio: float) -> list[tuple]:
    numbers = pd.to_numeric(frame[value], errors="coerce")
    groups = frame[by].fillna("").astype(str).agg("\x1f".join, axis=1)
    median = numbers.groupby(groups).transform("median")
    count = numbers.groupby(groups).transform("count")
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.maximum(numbers / median, median / numbers)
    flagged = (count >= 3) & (numbers > 0) & (median > 0) & (factor > ratio)
    found = []
    for position in np.flatnonzero(flagged.fillna(False).to_numpy()):
        series = ", ".join(f"{c} {frame.at[position, c]}" for c in by)
        number, middle = numbers[position], median[position]
        direction = "below" if number < middle else "above"
        message = (
            f"{plain(number)} is {factor[position]:.1f} times {direction} the median "
            f"{plain(middle)} of its series ({series}; {int(count[position])} values)"
        )
        found.append((position + 2, plain(number), message))
    return found


def _old_region_name(frame: pd.DataFrame, lookup, code, name):
    pairs = frame.dropna().drop_duplicates()
    wrong = {
        (c, n)
        for c, n in pairs.itertuples(index=False)
        if c in lookup.names and not lookup.same_name(c, n)
    }
    keys = pd.Series(list(zip(frame[code], frame[name], strict=True)))
    found = []
    for position in np.flatnonzero(keys.isin(wrong).to_numpy()):
        value, given = frame.at[position, code], frame.at[position, name]
        message = (
            f"{code} {value} is {lookup.names[value]!r} in table wilayah, but this row names it "
            f"{given!r}"
        )
        found.append((position + 2, str(value), message))
    return found


# Empty cells in the group columns (jenis_kelamin, tahun), in values and in codes and names.
MIXED = [
    ("32.71", "KOTA BOGOR", "", "2023", "16"),
    ("32.71", "KOTA BOGOR", "", "2024", "15"),
    ("32.71", "KOTA BOGOR", "", "2025", "70"),
    ("32.71", "KOTA CIMAHI", "p", "2023", "8"),
    ("32.71", "KOTA BOGOR", "p", "2024", "9"),
    ("32.71", "", "p", "2025", "40"),
    ("32.71", "KOTA BOGOR", "p", "2026", ""),
    ("32.71.01", "Bogor Selatan", "", "2023", "10"),
    ("32.71.06", "Tanah Sareal", "", "2023", "5"),
    ("32.71.01", "Bogor Selatan", "p", "", "3"),
    ("32.71.06", "Tanah Sareal", "p", "", "4"),
    ("32.71", "KOTA BOGOR", "p", "", "8"),
    ("", "KOTA BANDUNG", "", "2023", "500"),
    ("", "KOTA BANDUNG", "", "2024", "50"),
    ("", "KOTA BANDUNG", "", "2025", "55"),
    ("32.73", "Kota Bandung", "l", "2023", "2.5"),
    ("32.73", "KOTA BANDUNG", "l", "2024", "20.5"),
    ("32.73", "Kota Bandung", "l", "2025", "2.75"),
    ("32.73.01", "Sukasari", "l", "2023", "2.5"),
    ("32.71.01", "Bogor Selatan", "l", "2026", "1"),
    ("32.71.06", "Tanah Sareal", "l", "2026", "2"),
]
COLUMNS = ["kode_wilayah", "nama", "jenis_kelamin", "tahun", "jumlah"]


def _mixed(tmp_path):
    rows = [dict(zip(COLUMNS, row, strict=True)) for row in MIXED]
    staging, rows_from = _staging(tmp_path, rows)
    frame = pd.read_csv(staging, dtype="string", keep_default_na=False, na_values=[""])
    return staging, rows_from, frame


def _found(issues) -> list[tuple]:
    return [(i.row, i.value, i.message.split(" / ", 1)[1]) for i in issues]


@pytest.mark.parametrize("by", [["kode_wilayah", "jenis_kelamin"], ["jenis_kelamin"]])
def test_outlier_finds_what_the_per_row_version_found(tmp_path, by):
    staging, rows_from, frame = _mixed(tmp_path)
    spec = {"type": "outlier", "value": "jumlah", "by": by, "ratio": 2}
    new = run_checks(_region_db(tmp_path), _Resource([spec]), staging, rows_from)
    old = _old_outlier(frame, "jumlah", by, 2)
    assert len(old) >= 2
    assert _found(new) == old


def test_region_name_finds_what_the_tuple_version_found(tmp_path):
    staging, rows_from, frame = _mixed(tmp_path)
    lookup = RegionLookup(REGIONS)
    spec = {"type": "region-name", "code": "kode_wilayah", "name": "nama"}
    new = run_checks(_region_db(tmp_path), _Resource([spec]), staging, rows_from)
    old = _old_region_name(frame[["kode_wilayah", "nama"]], lookup, "kode_wilayah", "nama")
    assert old
    assert _found(new) == old


# Worked out by hand from MIXED and REGIONS (row = line of the staging file, header = line 1), so
# the checks are held to their definitions, not only to their earlier code:
# - outlier (ratio 2, series of at least 3 values): by code and sex, the series (32.71, "") 16, 15,
#   70 has median 16 -> 70; (32.71, p) 8, 9, 40, 8 median 8.5 -> 40; ("", "") 500, 50, 55 median
#   55 -> 500; (32.73, l) 2.5, 20.5, 2.75 median 2.75 -> 20.5. By sex only: "" 16, 15, 70, 10,
#   5, 500, 50, 55 median 33 -> every value but 50 and 55; p 8, 9, 40, 3, 4, 8 median 8 -> 40
#   and 3 (4 is exactly half: not more than twice); l 2.5, 20.5, 2.75, 2.5, 1, 2 median 2.5 ->
#   20.5 and 1.
# - region_total: 32.71 has two kecamatan in REGIONS, 32.73 one. By year: 2023 holds both (10 +
#   5 = 15), so both 32.71 rows of 2023 (16 and 8) are off; the empty year holds both (3 + 4 =
#   7) against 8; 2026 holds both but its 32.71 row has no value; 32.73's 2.5 equals its part.
#   By sex and year: only (32.71, "", 2023) 16 against 15 and (32.71, p, "") 8 against 7.
# - region_name: only line 5 names 32.71 after another city (KOTA CIMAHI); an empty name or code
#   is not a claim.
HAND_WORKED = [
    ({"type": "outlier", "value": "jumlah", "by": ["kode_wilayah", "jenis_kelamin"], "ratio": 2},
     [(4, "70"), (7, "40"), (14, "500"), (18, "20.5")]),
    ({"type": "outlier", "value": "jumlah", "by": ["jenis_kelamin"], "ratio": 2},
     [(2, "16"), (3, "15"), (4, "70"), (7, "40"), (9, "10"), (10, "5"), (11, "3"), (14, "500"),
      (18, "20.5"), (21, "1")]),
    ({"type": "region-total", "value": "jumlah", "by": ["tahun"]},
     [(2, "16"), (5, "8"), (13, "8")]),
    ({"type": "region-total", "value": "jumlah", "by": ["jenis_kelamin", "tahun"]},
     [(2, "16"), (13, "8")]),
    ({"type": "region-name", "code": "kode_wilayah", "name": "nama"}, [(5, "32.71")]),
]  # fmt: skip


@pytest.mark.parametrize(("spec", "expected"), HAND_WORKED, ids=lambda v: str(v)[:40])
def test_checks_find_the_rows_worked_out_by_hand(tmp_path, spec, expected):
    staging, rows_from, _ = _mixed(tmp_path)
    issues = run_checks(_region_db(tmp_path), _Resource([spec]), staging, rows_from)
    assert [(i.row, i.value) for i in issues] == expected
    assert {i.file for i in issues} == {"sumber.csv"}


# By year, from MIXED and REGIONS: 2023 parts 10 + 5 = 15 against 16 (line 2) and 8 (line 5);
# the empty year's parts 3 + 4 = 7 against 8 (line 13). 32.71 has two kecamatan in REGIONS.
REGION_TOTAL_BY_HAND = [
    (2, "16 for 32.71 is not the sum of its 2 sub-regions in this table, 15"),
    (5, "8 for 32.71 is not the sum of its 2 sub-regions in this table, 15"),
    (13, "8 for 32.71 is not the sum of its 2 sub-regions in this table, 7"),
]


def test_region_total_messages_give_the_figures_worked_out_by_hand(tmp_path):
    """The claimed total, the number of sub-regions and their sum, each in both languages."""
    staging, rows_from, _ = _mixed(tmp_path)
    spec = {"type": "region-total", "value": "jumlah", "by": ["tahun"]}
    issues = run_checks(_region_db(tmp_path), _Resource([spec]), staging, rows_from)
    assert [(i.row, i.message.split(" / ", 1)[1]) for i in issues] == REGION_TOTAL_BY_HAND
    assert [i.message.split(" / ", 1)[0] for i in issues] == [
        "16 untuk 32.71 bukan jumlah 2 sub-wilayahnya dalam tabel ini, 15",
        "8 untuk 32.71 bukan jumlah 2 sub-wilayahnya dalam tabel ini, 15",
        "8 untuk 32.71 bukan jumlah 2 sub-wilayahnya dalam tabel ini, 7",
    ]
    assert {(i.column, i.type) for i in issues} == {("jumlah", "total-mismatch")}


# --- small shared helpers ---------------------------------------------------------------------


def test_as_list_reads_one_item_or_a_list():
    assert (as_list(None), as_list("kode"), as_list(["a", "b"])) == ([], ["kode"], ["a", "b"])


@pytest.mark.parametrize(
    ("value", "shown", "typed"),
    [
        (2554770000000, "2.554.770.000.000", "2554770000000"),
        (-1000.0, "-1.000", "-1000"),
        (1234.5, "1.234,50", "1234.5"),
        (np.float64(450.0), "450", "450"),
    ],
)
def test_figures_in_check_messages(value, shown, typed):
    assert (grouped(value), plain(value)) == (shown, typed)


def test_outlier_at_its_edges_worked_out_by_hand(tmp_path):
    """From the mutation triage of runner.py (tests/mutation/README.md); the default ratio 2.
    Lines (header = line 1): x 1, 100 is a series of two, no middle to stand on: nothing. y 1, 2,
    100: median 2, 100 is 50 times it (line 6); 1 is exactly half, not more than twice. z 0, 0, 5:
    median 0, no ratio to it: nothing. w 1, 1, 5: median 1, 5 (line 12). v 2, 2, 5: median 2, 5
    is 2.5 times, over the default 2 (line 15). A series named "NA" (10, 10) is its own, not the
    empty series ("" 100): nothing. u 0, 5, 5: a zero has no ratio to its median: nothing. t 10,
    10, 1: 1 is ten times below the median 10 (line 24)."""
    series = [("x", "1"), ("x", "100"), ("y", "1"), ("y", "2"), ("y", "100"), ("z", "0"),
              ("z", "0"), ("z", "5"), ("w", "1"), ("w", "1"), ("w", "5"), ("v", "2"), ("v", "2"),
              ("v", "5"), ("NA", "10"), ("NA", "10"), ("", "100"), ("u", "0"), ("u", "5"),
              ("u", "5"), ("t", "10"), ("t", "10"), ("t", "1")]  # fmt: skip
    rows = [{"seri": seri, "jumlah": jumlah} for seri, jumlah in series]
    staging, rows_from = _staging(tmp_path, rows)
    spec = {"type": "outlier", "value": "jumlah", "by": ["seri"]}
    issues = run_checks(_region_db(tmp_path), _Resource([spec]), staging, rows_from)
    assert [(i.row, i.value) for i in issues] == [(6, "100"), (12, "5"), (15, "5"), (24, "1")]
    assert issues[0].message == (
        "100 50.0 kali di atas median 2 deretnya (seri y; 3 nilai) / "
        "100 is 50.0 times above the median 2 of its series (seri y; 3 values)"
    )
    assert issues[-1].message == (
        "1 10.0 kali di bawah median 10 deretnya (seri t; 3 nilai) / "
        "1 is 10.0 times below the median 10 of its series (seri t; 3 values)"
    )


def test_region_name_reports_each_source_row_once_and_goes_on_after_it(tmp_path):
    """From the mutation triage of runner.py (`continue` as `break`): source line 2 became two
    normalised rows, both naming 32.71 "KOTA CIMAHI"; line 3 names 32.73 "KOTA BOGOR". One issue
    per source line, and line 3 is still reported after line 2's second row."""
    rows = [
        {"kode_wilayah": "32.71", "nama": "KOTA CIMAHI"},
        {"kode_wilayah": "32.71", "nama": "KOTA CIMAHI"},
        {"kode_wilayah": "32.73", "nama": "KOTA BOGOR"},
    ]
    staging, _ = _staging(tmp_path, rows)
    rows_from = RowMap()
    rows_from.add("sumber.csv", [2, 2, 3])
    rows_from.freeze()
    spec = {"type": "region-name", "code": "kode_wilayah", "name": "nama"}
    issues = run_checks(_region_db(tmp_path), _Resource([spec]), staging, rows_from)
    assert [(i.row, i.value) for i in issues] == [(2, "32.71"), (3, "32.73")]
