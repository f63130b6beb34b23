"""Tables that span several chunks: the chunk size changes memory use, never the output.

Readers, the foreign-key check, quarantine, load and the facet store stream tables
`JENDELA_CHUNK_ROWS` rows at a time (100,000 by default, pipelines/core/chunks.py). A position
carried from one chunk to the next (`offset += len(chunk)`) is only exercised when a table spans
several chunks, so these tests make chunks of 2 to 4 rows instead of shipping 100,001-row files.
Expected rows and keys are read from the source files here, with the csv module.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from conftest import catalog_name, publish_in, run_publish, tree_digest

from pipelines.core.chunks import ENV
from pipelines.core.errors import RowMap
from pipelines.core.model import Resource
from pipelines.stages.load import check_foreign_keys

PENDUDUK = Path("datasets/penduduk-kota-bogor")


def rows_of(output: Path, table: str) -> list[tuple]:
    with sqlite3.connect(output / "jendela.db") as db:
        return db.execute(f"SELECT * FROM [{table}] ORDER BY rowid").fetchall()


def dump_of(output: Path) -> list[str]:
    """Every table, index and row of the database, as SQL statements."""
    with sqlite3.connect(output / "jendela.db") as db:
        return list(db.iterdump())


def test_three_row_chunks_publish_the_same_catalog(built_catalog, tmp_path, monkeypatch):
    """The whole sample catalog built three rows at a time equals the default build: every site
    file, the manifest, the facet cubes and every table, row by row (this found two transforms
    that looked at one chunk only: a footnote and a duplicate pair in another chunk)."""
    monkeypatch.setenv(ENV, "3")
    output = tmp_path / "build"
    result = run_publish("build", "--quiet", "--output", str(output))
    assert result.returncode == 0, result.stdout + result.stderr
    assert tree_digest(output / "site") == tree_digest(built_catalog / "site")
    for name in ("manifest.json", "facet_counts.json", "metadata.json"):
        assert (output / name).read_bytes() == (built_catalog / name).read_bytes(), name
    assert tree_digest(output / "facet_store") == tree_digest(built_catalog / "facet_store")
    assert dump_of(output) == dump_of(built_catalog)


def test_bad_rows_in_later_chunks_are_quarantined_at_their_source_rows(
    copy_project, tmp_path, monkeypatch
):
    """Rows broken in the first, second and third chunk of four rows leave the table and reach
    the quarantine file with the line numbers a person sees in the source file."""
    descriptor = copy_project / PENDUDUK / "datapackage.yaml"
    text = descriptor.read_text()
    descriptor.write_text(
        text.replace("      reader: csv\n", "      reader: csv\n      on_error: quarantine\n", 1)
    )
    source = copy_project / PENDUDUK / "data/penduduk.csv"
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) == 13  # header + 12 rows: chunks of 4 are rows 2-5, 6-9, 10-13
    broken = [3, 8, 13]  # line numbers, header = line 1
    for number in broken:
        cells = lines[number - 1].split(",")
        cells[3] = "banyak"  # JUMLAH: not a number
        lines[number - 1] = ",".join(cells)
    source.write_text("".join(lines), encoding="utf-8")
    with open(source, encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert [n for n, r in enumerate(records, start=2) if r["JUMLAH"] == "banyak"] == broken
    kept = [
        (r["JENIS_KELAMIN"], int(r["JUMLAH"].replace(".", "")))
        for n, r in enumerate(records, start=2)
        if n not in broken
    ]

    monkeypatch.setenv(ENV, "4")
    output = tmp_path / "out" / "build"
    # The population table alone (and the region list it refers to): nothing else is read here.
    result = publish_in(copy_project, "build", "penduduk-kota-bogor", "-q", "--output", str(output))

    assert result.returncode == 0, result.stdout + result.stderr
    quarantined = output / "site/downloads/penduduk-kota-bogor/penduduk.quarantine.csv"
    with open(quarantined, encoding="utf-8", newline="") as handle:
        moved = list(csv.DictReader(handle))
    assert [int(r["sumber_baris"]) for r in moved] == broken
    assert {r["sumber_berkas"] for r in moved} == {catalog_name(copy_project, source)}
    for row in moved:
        source_row = records[int(row["sumber_baris"]) - 2]
        assert (row["tahun"], row["jenis_kelamin"]) == (
            source_row["TAHUN"],
            source_row["JENIS_KELAMIN"],
        )
        assert "parse-error" in row["masalah"]
    with sqlite3.connect(output / "jendela.db") as db:
        published = db.execute(
            "SELECT jenis_kelamin, jumlah_penduduk FROM penduduk ORDER BY rowid"
        ).fetchall()
    assert published == kept


def region_resource(folder: Path, foreign_keys: list[dict], name: str = "wilayah") -> Resource:
    fields = [{"name": n, "type": "string"} for n in ("kode", "induk", "tahun")]
    schema = {"fields": fields, "primaryKey": ["kode"], "foreignKeys": foreign_keys}
    return Resource(name=name, dataset_id="uji", descriptor={"schema": schema}, folder=folder)


def staging_file(folder: Path, rows: list[tuple[str, str, str]]) -> tuple[Path, RowMap]:
    """A normalised CSV of `rows` and a row map saying row i came from line i + 2 of sumber.csv."""
    path = folder / "staging.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["kode", "induk", "tahun"])
        writer.writerows(rows)
    rows_from = RowMap()
    rows_from.add("sumber.csv", range(2, len(rows) + 2))
    rows_from.freeze()
    return path, rows_from


REGIONS = [
    ("32", "", "2024"),
    ("32.71", "32", "2024"),
    ("33.01", "33", "2024"),  # parent 33 is not in the table
    ("32.71.01", "32.71", "2024"),
    ("32.71.01.1001", "32.71.01", "2024"),
    ("32.71.02", "32.72", "2024"),  # parent 32.72 is not in the table
    ("32.71.02.1001", "32.71.02", "2024"),
    ("NA.01", "NA", "2024"),  # parent "NA" is text like any other, and not in the table
    ("N/A", "", "2024"),  # codes that pandas would read as missing are text too:
    ("N/A.01", "N/A", "2024"),  # this parent exists
]


@pytest.mark.parametrize("chunk_rows", ["2", "100000"])
def test_self_reference_names_every_dangling_parent(tmp_path, monkeypatch, chunk_rows):
    """A region's parent must be a region of the same table (checked before it is loaded): each
    row whose parent is absent is named by its source row, whatever chunk it falls in."""
    monkeypatch.setenv(ENV, chunk_rows)
    fk = {"fields": "induk", "reference": {"resource": "wilayah", "fields": "kode"}}
    resource = region_resource(tmp_path, [fk])
    staging, rows_from = staging_file(tmp_path, REGIONS)
    db = sqlite_utils.Database(memory=True)

    issues = check_foreign_keys(db, resource, staging, rows_from)

    codes = {kode for kode, _, _ in REGIONS}
    expected = [
        (line, induk)
        for line, (_, induk, _) in enumerate(REGIONS, start=2)
        if induk and induk not in codes
    ]
    assert expected == [(4, "33"), (7, "32.72"), (9, "NA")]
    assert [(i.row, i.value) for i in issues] == expected
    assert {(i.type, i.file, i.column) for i in issues} == {("foreign-key", "sumber.csv", "induk")}
    assert "tidak ada di wilayah.kode / " in issues[0].message


@pytest.mark.parametrize("chunk_rows", ["3", "100000"])
def test_composite_key_must_match_on_every_column(tmp_path, monkeypatch, chunk_rows):
    """A two-column reference (region and year) fails when the region exists only for another
    year; a row with a missing part is not checked (the schema's `required` says if it may)."""
    monkeypatch.setenv(ENV, chunk_rows)
    db = sqlite_utils.Database(memory=True)
    targets = [("32", "2023"), ("32.71", "2024"), ("32.71.01", "2024")]
    db["pagu"].insert_all([{"kode": k, "tahun": t} for k, t in targets])
    fk = {
        "fields": ["kode", "tahun"],
        "reference": {"resource": "pagu", "fields": ["kode", "tahun"]},
    }
    resource = region_resource(tmp_path, [fk], name="realisasi")
    rows = [
        ("32", "", "2023"),
        ("32", "", "2024"),  # 32 exists for 2023 only
        ("32.71", "", "2024"),
        ("32.71.01", "", ""),  # no year: not checked
        ("32.71.01", "", "2023"),  # exists for 2024 only
        ("32.71", "", "2024"),
    ]
    staging, rows_from = staging_file(tmp_path, rows)

    issues = check_foreign_keys(db, resource, staging, rows_from)

    known = set(targets)
    expected = [
        (line, f"{k}, {t}")
        for line, (k, _, t) in enumerate(rows, start=2)
        if t and (k, t) not in known
    ]
    assert expected == [(3, "32, 2024"), (6, "32.71.01, 2023")]
    assert [(i.row, i.value) for i in issues] == expected
    # The issue names the reference's first column, and the hint both ends of it.
    assert {i.column for i in issues} == {"kode"}
    assert issues[0].hint == (
        "setiap kode harus berupa kode dari tabel pagu / every kode must be a kode of table pagu"
    )


def test_foreign_key_issues_stop_at_the_cap_in_row_order(tmp_path, monkeypatch):
    """Past `limit` issues the check stops (the table fails anyway): the first `limit` dangling
    rows are named, in order, across chunks."""
    monkeypatch.setenv(ENV, "2")
    fk = {"fields": "induk", "reference": {"resource": "wilayah", "fields": "kode"}}
    resource = region_resource(tmp_path, [fk])
    rows = [(f"9{n}", f"8{n}", "2024") for n in range(7)]  # every parent dangles
    staging, rows_from = staging_file(tmp_path, rows)
    db = sqlite_utils.Database(memory=True)

    issues = check_foreign_keys(db, resource, staging, rows_from, limit=3)

    assert [(i.row, i.value) for i in issues] == [(2, "80"), (3, "81"), (4, "82")]
    assert len(check_foreign_keys(db, resource, staging, rows_from, limit=100)) == 7


def test_a_reference_to_an_unpublished_table_says_so(tmp_path):
    fk = {"fields": "induk", "reference": {"resource": "wilayah_lain", "fields": "kode"}}
    resource = region_resource(tmp_path, [fk])
    staging, rows_from = staging_file(tmp_path, REGIONS)

    issues = check_foreign_keys(sqlite_utils.Database(memory=True), resource, staging, rows_from)

    assert [(i.type, i.row) for i in issues] == [("foreign-key-target-missing", None)]
    assert "belum diterbitkan" in issues[0].message and "is not published" in issues[0].message


def test_a_dangling_parent_in_the_region_table_fails_the_build(copy_project, tmp_path, monkeypatch):
    """End to end, five rows a chunk: without its kecamatan row, every kelurahan of Bogor Selatan
    points at a missing parent; the dataset fails and its report names each kelurahan's line of
    the SQL dump."""
    dump = copy_project / "datasets/wilayah-kota-bogor/data/wilayah.sql"
    text = dump.read_text(encoding="utf-8")
    assert text.count("('32.71.01','Bogor Selatan'),\n") == 1
    dump.write_text(text.replace("('32.71.01','Bogor Selatan'),\n", ""), encoding="utf-8")
    lines = dump.read_text(encoding="utf-8").splitlines()
    orphans = [n for n, line in enumerate(lines, start=1) if line.startswith("('32.71.01.")]
    assert len(orphans) > 5  # they span several chunks

    monkeypatch.setenv(ENV, "5")
    output = tmp_path / "out" / "build"
    result = publish_in(copy_project, "build", "-q", "--output", str(output), "wilayah-kota-bogor")

    assert result.returncode == 1, result.stdout
    report = json.loads((output / "reports/wilayah-kota-bogor/wilayah.json").read_text())
    assert [(e["type"], e["row"], e["value"]) for e in report["errors"]] == [
        ("foreign-key", n, "32.71.01") for n in orphans
    ]
    assert {e["file"] for e in report["errors"]} == {catalog_name(copy_project, dump)}


def test_quarantine_keeps_every_cell_as_written_and_says_why(tmp_path, monkeypatch):
    """quarantine() on its own, two rows a chunk: cells such as `NA`, `null` and an empty one
    stay as written in both files, a row with two issues lists both reasons, an issue of no
    column says `-`, and the target folder is made (or reused) as needed."""
    from pipelines.core.errors import Issue
    from pipelines.stages.quarantine import can_quarantine, quarantine

    monkeypatch.setenv(ENV, "2")
    rows = [("a", "NA"), ("b", "null"), ("c", ""), ("d", "N/A"), ("e", "1"), ("f", "2")]
    staging = tmp_path / "staging.csv"
    staging.write_text("kode,nilai\n" + "".join(f"{k},{v}\n" for k, v in rows), encoding="utf-8")
    rows_from = RowMap()
    rows_from.add("sumber.csv", range(10, 16))  # source lines 10-15
    rows_from.freeze()

    def issue(row: int, column: str | None, message: str) -> Issue:
        return Issue("uji", "uji", "constraint-error", message, "sumber.csv", row, column)

    issues = [issue(11, "nilai", "bukan angka"), issue(11, None, "baris ganda"),
              issue(14, "kode", "tidak dikenal")]  # fmt: skip
    assert can_quarantine(issues, limit_reached=False)
    assert not can_quarantine(issues, limit_reached=True)
    assert not can_quarantine([*issues, issue(None, "kode", "tabel")], limit_reached=False)
    target = tmp_path / "baru" / "lagi" / "uji.quarantine.csv"  # folders that do not exist yet

    moved, kept_map = quarantine(staging, rows_from, issues, target)

    assert (moved.rows, moved.kept) == (2, 4)
    assert staging.read_text(encoding="utf-8") == "kode,nilai\na,NA\nc,\nd,N/A\nf,2\n"
    with open(target, encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["sumber_berkas", "sumber_baris", "masalah", "kode", "nilai"],
            ["sumber.csv", "11", "constraint-error: nilai: bukan angka | "
             "constraint-error: -: baris ganda", "b", "null"],
            ["sumber.csv", "14", "constraint-error: kode: tidak dikenal", "e", "1"],
        ]  # fmt: skip
    assert [kept_map.locate(i) for i in range(4)] == [("sumber.csv", n) for n in (10, 12, 13, 15)]
    # Again into the folder that now exists.
    staging.write_text("kode,nilai\ng,NA\n", encoding="utf-8")
    again = RowMap()
    again.add("sumber.csv", [2])
    again.freeze()
    moved, _ = quarantine(staging, again, [issue(2, "nilai", "x")], target)
    assert moved.rows == 1 and "g,NA" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("value", ["abc", "0", "-5"])
def test_a_chunk_size_that_is_not_a_row_count_is_a_usage_error(tmp_path, monkeypatch, value):
    monkeypatch.setenv(ENV, value)
    result = run_publish("build", "-q", "--output", str(tmp_path / "build"), "penduduk-kota-bogor")
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{ENV}={value!r} harus bilangan bulat positif / must be a positive whole number" in (
        result.stdout + result.stderr
    )
    assert not (tmp_path / "build").exists()
