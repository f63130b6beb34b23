"""publish.py as a user runs it: exact exit codes and messages for good and bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import catalog_name, publish_in, run_publish

from pipelines.core.indonesian import IndonesianFormatError, parse_integer
from pipelines.core.model import DEFAULT_OUTPUT
from pipelines.core.registry import load_catalog
from pipelines.core.release import current_release, releases_dir

PENDUDUK = Path("datasets/penduduk-kota-bogor")


def test_good_build_prints_one_line_per_dataset_and_exits_0(copy_project, tmp_path):
    output = tmp_path / "out" / "build"
    result = publish_in(copy_project, "build", "--quiet", "--output", str(output))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""  # --quiet: no progress
    catalog = load_catalog(copy_project / "datasets", copy_project / "metadata")
    lines = result.stdout.splitlines()
    manifest = json.loads((output / "manifest.json").read_text())
    expected = []
    for dataset_id in catalog.build_order():
        entry = manifest["datasets"][dataset_id]
        rows = sum(r["rows"] for r in entry["resources"].values())
        warnings = sum(r["warnings"] for r in entry["reports"].values())
        note = f" ({warnings:,} peringatan/warnings)" if warnings else ""
        expected.append(f"OK    {dataset_id}: {rows:,} baris/rows{note}")
        for resource, report in entry["reports"].items():
            if report["warnings"]:
                expected.append(f"  Laporan / report ({resource}): {output / report['html']}")
    assert lines[:-1] == expected
    count = len(manifest["datasets"])
    assert re.fullmatch(
        rf"{count}/{count} dataset diterbitkan / published -> "
        rf"{re.escape(str(output))} \(\d+\.\d s\)",
        lines[-1],
    )


def test_progress_goes_to_stderr_unless_quiet(copy_project, tmp_path):
    result = publish_in(
        copy_project, "build", "penduduk-kota-bogor", "--output", str(tmp_path / "b")
    )
    assert result.returncode == 0
    assert "[1/2] wilayah-kota-bogor" in result.stderr  # dependencies are built first
    assert "penduduk: validate" in result.stderr


def test_bad_row_names_file_row_column_value_and_type_and_exits_1(copy_project, tmp_path):
    source = copy_project / PENDUDUK / "data" / "penduduk.csv"
    text = source.read_text()
    assert "104.161" in text
    source.write_text(text.replace("104.161", "104.16x", 1))
    output = tmp_path / "out" / "build"

    # The broken table, the region list it refers to and a dataset of its own (tender): enough
    # to see the one fail and the others publish, without building the whole sample catalog.
    result = publish_in(
        copy_project, "build", "penduduk-kota-bogor", "tender-kota-bogor", "--quiet",
        "--output", str(output),
    )  # fmt: skip

    assert result.returncode == 1
    with pytest.raises(IndonesianFormatError) as parse_failure:
        parse_integer("104.16x")
    lines = result.stdout.splitlines()
    failed = lines.index("GAGAL/FAILED penduduk-kota-bogor: 1 masalah/issues")
    name = catalog_name(copy_project, source)  # datasets/<id>/..., not the copy's path
    assert lines[failed + 1] == (
        f"  penduduk-kota-bogor/penduduk | {name} | baris/row 2 | kolom/column "
        f"jumlah_penduduk: [parse-error] {parse_failure.value} (nilai/value '104.16x')"
    )
    report = output / "reports" / "penduduk-kota-bogor" / "penduduk.html"
    assert lines[failed + 2] == f"  Laporan lengkap / full report (penduduk): {report}"
    # The other datasets still build and are published.
    assert "OK    wilayah-kota-bogor: 76 baris/rows" in lines
    assert any(line.startswith("OK    tender-kota-bogor:") for line in lines)
    # The full report exists as JSON and HTML.
    document = json.loads(report.with_suffix(".json").read_text())
    assert document["valid"] is False
    assert document["errors"] == [
        {
            "dataset": "penduduk-kota-bogor",
            "resource": "penduduk",
            "type": "parse-error",
            "message": str(parse_failure.value),
            "file": catalog_name(copy_project, source),
            "row": 2,
            "column": "jumlah_penduduk",
            "value": "104.16x",
            "hint": "expected a value of type integer",
        }
    ]
    assert "104.16x" in report.read_text()
    # The failed table is not published.
    manifest = json.loads((output / "manifest.json").read_text())
    assert manifest["datasets"]["penduduk-kota-bogor"]["status"] == "failed"
    assert not (output / "site" / "downloads" / "penduduk-kota-bogor" / "penduduk.csv").exists()


def test_constraint_error_from_the_table_schema_is_reported(copy_project, tmp_path):
    source = copy_project / PENDUDUK / "data" / "penduduk.csv"
    lines = source.read_text().splitlines()
    lines[3] = lines[3].replace("laki-laki", "pria", 1)  # not in the enum of jenis_kelamin
    source.write_text("\n".join(lines) + "\n")
    result = publish_in(copy_project, "validate", "--quiet", "penduduk-kota-bogor")
    assert result.returncode == 1
    issue = next(line for line in result.stdout.splitlines() if "[constraint-error]" in line)
    name = catalog_name(copy_project, source)  # datasets/<id>/..., not the copy's path
    assert issue.startswith(
        f"  penduduk-kota-bogor/penduduk | {name} | baris/row 4 | kolom/column jenis_kelamin: "
    )
    assert issue.endswith("(nilai/value 'pria')")


def test_malformed_descriptor_names_the_file_and_key_and_exits_2(copy_project, tmp_path):
    descriptor = copy_project / PENDUDUK / "datapackage.yaml"
    descriptor.write_text(descriptor.read_text().replace("reader: csv", "reader: [csv]", 1))
    result = publish_in(copy_project, "build", "--output", str(tmp_path / "b"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {descriptor}: resources[0].jendela.reader: ['csv'] is not of type 'string'\n"
    )
    assert not (tmp_path / "b").exists()


def test_yaml_syntax_error_names_line_and_exits_2(copy_project):
    descriptor = copy_project / PENDUDUK / "datapackage.yaml"
    descriptor.write_text("title: [unclosed\n" + descriptor.read_text())
    result = publish_in(copy_project, "list")
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {descriptor}: line 2, column 6: not valid YAML")


def test_unknown_vocabulary_key_lists_the_known_ones(copy_project):
    descriptor = copy_project / PENDUDUK / "datapackage.yaml"
    descriptor.write_text(
        descriptor.read_text().replace("themes: [kependudukan]", "themes: [penduduk]", 1)
    )
    result = publish_in(copy_project, "list")
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"error: {descriptor}: jendela.themes: 'penduduk' is not defined in metadata/ (known: "
    )


def test_unknown_dataset_suggests_the_closest_names():
    result = run_publish("build", "pendudk-kota-bogor")
    assert result.returncode == 2
    # The closest name comes first; others sharing "-kota-bogor" may follow.
    assert result.stderr.startswith(
        "error: Dataset tidak dikenal / unknown dataset: 'pendudk-kota-bogor'. "
        "Did you mean: penduduk-kota-bogor"
    )
    assert result.stderr.endswith("? Run `python publish.py list` to see all datasets.\n")
    assert run_publish("build", "zzzz").stderr == (
        "error: Dataset tidak dikenal / unknown dataset: 'zzzz'. "
        "Run `python publish.py list` to see all datasets.\n"
    )


def test_bad_source_option_is_a_usage_error():
    result = run_publish("validate", "--source", "penduduk")
    assert result.returncode == 2
    assert result.stderr == "error: --source expects RESOURCE=PATH, got 'penduduk'\n"


def test_list_shows_every_dataset_and_its_tables():
    """`publish.py list`, as a user types it, lists the real catalog of datasets/."""
    result = run_publish("list", catalog=None)
    assert result.returncode == 0
    catalog = load_catalog()
    for dataset in catalog.datasets.values():
        assert any(
            line.startswith(f"{dataset.id}: {dataset.title}") for line in result.stdout.splitlines()
        )
        for resource in dataset.resources:
            assert f"    {resource.name}: {resource.title} (" in result.stdout


def test_validate_publishes_nothing(copy_project):
    """`build` without --output publishes to DEFAULT_OUTPUT (build/, a link to a folder in
    .build-releases/); `validate` builds in a temporary folder and leaves both as they were."""

    def published() -> tuple[Path | None, list[str]]:
        releases = releases_dir(DEFAULT_OUTPUT)
        folders = sorted(p.name for p in releases.iterdir()) if releases.is_dir() else []
        return current_release(DEFAULT_OUTPUT), folders

    before = published()
    result = publish_in(copy_project, "validate", "--quiet", "penduduk-kota-bogor")
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1].startswith("2/2 dataset divalidasi / validated")
    assert " -> " not in result.stdout  # no "published -> <folder>" line
    assert published() == before


def test_no_command_prints_help_and_exits_2():
    result = run_publish()
    assert result.returncode == 2
    assert "build" in result.stdout and "serve" in result.stdout


def test_missing_source_file_names_the_table_and_the_file(tmp_path):
    missing = tmp_path / "tidak-ada.csv"
    result = run_publish("validate", "-q", "penduduk-kota-bogor", "--source", f"penduduk={missing}")
    assert result.returncode == 1
    assert (
        f"  penduduk-kota-bogor/penduduk | {missing}: [source-error] "
        f"penduduk-kota-bogor/penduduk: no input file matches {missing}"
    ) in result.stdout.splitlines()


def test_timings_name_every_timed_stage_of_a_table_in_order(tmp_path):
    """`build --timings` (what benchmarks/bench_build.py prints) times each stage of a table,
    the OCDS package included, then its dataset's own work, then the build's after the tables:
    a stage left untimed hides where a big build spends its time (about 70 s of a 1M-row build
    once, issue 15)."""
    timings = tmp_path / "timings.json"
    result = run_publish(
        "build", "-q", "tender-kota-bogor", "--output", str(tmp_path / "build"),
        "--timings", str(timings),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    records = json.loads(timings.read_text(encoding="utf-8"))
    stages = [r["stage"] for r in records if r["resource"] == "tender"]
    expected = [
        "fetch", "read+normalise", "gates", "validate", "checks", "load", "index+fts", "export",
        "ocds",
    ]  # fmt: skip
    assert stages == expected
    dataset = [r["stage"] for r in records if r["dataset"] == "tender-kota-bogor"]
    assert dataset == [*expected, "coverage", "datapackage", "zip"]
    build = [r["stage"] for r in records if r["dataset"] is None and r["resource"] is None]
    assert build == [
        "export workers (wait)", "manifest", "red flags", "changes", "optimize", "vacuum",
        "site", "datasette metadata", "analyze", "inspect", "facet store", "history", "publish",
    ]  # fmt: skip
    assert all(r["seconds"] >= 0 and r["peak_rss_mb"] > 0 for r in records)
