"""Publishing is atomic and builds are deterministic.

A failed pipeline never damages what was published before: a dataset that fails keeps its last
good tables and downloads, and a build that crashes leaves the published release untouched.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import catalog_name, publish_in, tree_digest

PENDUDUK_CSV = Path("datasets/penduduk-kota-bogor/data/penduduk.csv")


def folders(root: Path) -> list[str]:
    """Every folder under `root` (tree_digest lists files only: an empty folder counts here)."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir())


def table_rows(output: Path, table: str) -> list[tuple]:
    with sqlite3.connect(output / "jendela.db") as db:
        return db.execute(f"SELECT * FROM [{table}] ORDER BY rowid").fetchall()


def test_failed_dataset_keeps_the_previous_release_of_it(small_project, tmp_path):
    output = tmp_path / "out" / "build"
    assert publish_in(small_project, "build", "-q", "--output", str(output)).returncode == 0
    before_rows = table_rows(output, "penduduk")
    before_csv = (output / "site/downloads/penduduk-kota-bogor/penduduk.csv").read_bytes()

    source = small_project / PENDUDUK_CSV
    source.write_text(source.read_text().replace("104.161", "banyak", 1))
    result = publish_in(small_project, "build", "-q", "--output", str(output))

    assert result.returncode == 1
    assert (
        "GAGAL/FAILED penduduk-kota-bogor: 1 masalah/issues "
        "(rilis sebelumnya tetap terbit / previous release kept)"
    ) in result.stdout
    assert table_rows(output, "penduduk") == before_rows
    assert (output / "site/downloads/penduduk-kota-bogor/penduduk.csv").read_bytes() == before_csv
    manifest = json.loads((output / "manifest.json").read_text())
    entry = manifest["datasets"]["penduduk-kota-bogor"]
    assert entry["status"] == "failed-kept-previous"
    assert entry["last_attempt_failed"] is True
    assert entry["reports"]["penduduk"]["valid"] is False  # the new report says what failed
    page = (output / "site/dataset/penduduk-kota-bogor/index.html").read_text()
    assert "sebelumnya" in page  # the page says the previous release is shown
    # Full-text index and indexes came along with the carried table.
    with sqlite3.connect(output / "jendela.db") as db:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert "idx_penduduk_jenis_kelamin" in names


# Two datasets of their own (and the region list both refer to) stand for a catalog in the tests
# of one dataset failing or being rebuilt while the others stay published.
PAIR = ("tender-kota-bogor", "penduduk-kota-bogor")


def test_broken_transform_fails_only_its_dataset(copy_project, tmp_path):
    output = tmp_path / "out" / "build"
    assert publish_in(copy_project, "build", *PAIR, "-q", "--output", str(output)).returncode == 0
    before = table_rows(output, "tender")
    transform = copy_project / "datasets" / "tender-kota-bogor" / "transform.py"
    transform.write_text("def transform(frame, context):\n    raise RuntimeError('boom')\n")

    result = publish_in(copy_project, "build", *PAIR, "-q", "--output", str(output))

    assert result.returncode == 1
    assert (
        "[transform-error] datasets/tender-kota-bogor/transform.py raised RuntimeError: boom "
        "(on rows 2-31)"
    ) in result.stdout
    assert "OK    penduduk-kota-bogor: 12 baris/rows" in result.stdout
    assert table_rows(output, "tender") == before


def test_crash_in_a_late_stage_leaves_the_published_release_untouched(
    small_project, tmp_path, monkeypatch
):
    from pipelines import build as build_module
    from pipelines.core.registry import load_catalog

    output = tmp_path / "out" / "build"
    catalog = load_catalog(small_project / "datasets", small_project / "metadata")
    assert build_module.build(catalog, output=output).exit_code == 0
    published = output.resolve()
    digest = tree_digest(output)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("pipelines.catalog.datasette_metadata.write_datasette_files", disk_full)
    source = small_project / PENDUDUK_CSV
    source.write_text(source.read_text().replace("104.161", "104.162", 1))
    with pytest.raises(OSError, match="No space left"):
        build_module.build(catalog, output=output)

    assert output.resolve() == published
    assert tree_digest(output) == digest
    releases = [p for p in output.parent.glob(".build-releases/release-*") if p.is_dir()]
    assert releases == [published]  # the half-built release was removed


def test_subset_build_carries_the_other_datasets(copy_project, tmp_path):
    output = tmp_path / "out" / "build"
    assert publish_in(copy_project, "build", *PAIR, "-q", "--output", str(output)).returncode == 0
    tender_before = table_rows(output, "tender")
    source = copy_project / PENDUDUK_CSV
    source.write_text(source.read_text().replace("104.161", "104.162", 1))
    result = publish_in(copy_project, "build", "-q", "penduduk-kota-bogor", "--output", str(output))
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[0] == "OK    penduduk-kota-bogor: 12 baris/rows"
    assert table_rows(output, "tender") == tender_before
    with sqlite3.connect(output / "jendela.db") as db:
        counts = [n for (n,) in db.execute("SELECT jumlah_penduduk FROM penduduk")]
    assert 104162 in counts
    manifest = json.loads((output / "manifest.json").read_text())
    assert manifest["datasets"]["tender-kota-bogor"]["status"] == "carried"
    assert (output / "site/downloads/tender-kota-bogor/tender.csv").is_file()


def test_quarantine_policy_publishes_good_rows_and_the_bad_ones_apart(small_project, tmp_path):
    descriptor = small_project / "datasets/penduduk-kota-bogor/datapackage.yaml"
    text = descriptor.read_text()
    descriptor.write_text(
        text.replace("      reader: csv\n", "      reader: csv\n      on_error: quarantine\n", 1)
    )
    source = small_project / PENDUDUK_CSV
    source.write_text(source.read_text().replace("104.161", "banyak", 1))
    output = tmp_path / "out" / "build"

    result = publish_in(small_project, "build", "-q", "--output", str(output))

    assert result.returncode == 0, result.stdout
    assert (
        "OK    penduduk-kota-bogor: 11 baris/rows (1 baris dikarantina/rows quarantined)"
        in result.stdout.splitlines()
    )
    report_html = output / "reports/penduduk-kota-bogor/penduduk.html"
    assert f"  Laporan / report (penduduk): {report_html}" in result.stdout.splitlines()
    rows = table_rows(output, "penduduk")
    assert len(rows) == 11 and ("32.71.01", 2024, "laki-laki") not in [r[:3] for r in rows]
    quarantine = output / "site/downloads/penduduk-kota-bogor/penduduk.quarantine.csv"
    lines = quarantine.read_text().splitlines()
    assert lines[0].startswith("sumber_berkas,sumber_baris,masalah,kode_wilayah,")
    name = catalog_name(small_project, source)  # datasets/<id>/..., not the copy's path
    assert len(lines) == 2 and f"{name},2," in lines[1] and "parse-error" in lines[1]
    # The cell that did not parse shows the source's text, not the table's empty cell.
    header, row = csv.reader(lines)
    assert dict(zip(header, row, strict=True))["jumlah_penduduk"] == "banyak"
    report = json.loads((output / "reports/penduduk-kota-bogor/penduduk.json").read_text())
    assert report["quarantined"] is True and report["error_count"] == 1


def test_same_inputs_give_byte_identical_outputs(built_catalog, copy_project, tmp_path):
    """A second build of the sample catalog, from a copy of it in another folder and into
    another folder, equals the session's build of it: the same folders and files, the same
    bytes, the same rows. Where the catalog sits is not an input: reports, quarantine files and
    the manifest name a source `datasets/<id>/<file>`, never by the builder's own path."""
    first, second = built_catalog, tmp_path / "b" / "build"
    result = publish_in(copy_project, "build", "-q", "--output", str(second))
    assert result.returncode == 0, result.stdout + result.stderr
    assert folders(first / "site") == folders(second / "site")
    assert tree_digest(first / "site") == tree_digest(second / "site")
    for name in ("manifest.json", "metadata.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    with sqlite3.connect(first / "jendela.db") as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE '%_fts%'"
            )
        ]
    assert tables
    for table in tables:
        assert table_rows(first, table) == table_rows(second, table)
