"""A release holds only files core/layout.py names, and its manifest round-trips through the typed
object (core/manifest.py) byte for byte."""

from __future__ import annotations

import json

from pipelines.core import layout
from pipelines.core.manifest import PUBLISHED, DatasetEntry, Manifest


def test_every_file_of_a_release_has_its_name_in_the_layout(built_catalog):
    release = built_catalog.resolve()
    top = {p.name for p in release.iterdir()}
    assert top == {
        layout.DATABASE_FILE, layout.MANIFEST_FILE, layout.METADATA_FILE, layout.INSPECT_FILE,
        layout.FACET_COUNTS_FILE, layout.FACET_STORE_DIR, layout.SITE, layout.REPORTS,
        layout.COMPLETE_MARKER,
    }  # fmt: skip
    for store in (release / layout.FACET_STORE_DIR).iterdir():
        assert (store / layout.FACET_STORE_INDEX).is_file(), store
    site = layout.site_dir(release)
    root_files = {p.name for p in site.iterdir() if p.is_file()}
    assert root_files == {
        "index.html", *layout.SITE_FILES, *layout.HISTORY_FILES, layout.METHODOLOGY_PAGE,
        layout.SCORECARD_FILE,
    }  # fmt: skip
    assert (site / layout.PUBLISHERS_DIR / "index.html").is_file()
    history = {p.name for p in (site / layout.RELEASES_DIR).iterdir()}
    (release_id,) = history - {layout.RELEASES_INDEX}  # the sample build is its first release
    archived = site / layout.RELEASES_DIR / release_id
    assert {p.name for p in archived.iterdir()} == {
        layout.DATABASE_FILE, layout.MANIFEST_FILE, layout.DOWNLOADS
    }  # fmt: skip
    assert (site / layout.LANGUAGE_PREFIX["en"] / layout.FEED).is_file()
    manifest = json.loads((release / layout.MANIFEST_FILE).read_text(encoding="utf-8"))
    trees_seen = 0
    for dataset_id, entry in manifest["datasets"].items():
        folder = layout.downloads_dir(release, dataset_id)
        expected = {layout.DATAPACKAGE, layout.zip_file(dataset_id)}
        package = json.loads((folder / layout.DATAPACKAGE).read_text(encoding="utf-8"))
        # every table of the package (its own and the referenced rows it ships) as CSV
        expected |= {r["path"] for r in package["resources"]}
        partitioned = set()
        for table, built in entry["resources"].items():
            expected |= {layout.table_file(table, d["format"]) for d in built["downloads"]}
            partitioned |= {table for d in built["downloads"] if d["format"] == "partitions"}
            json_report, html_report = layout.report_paths(dataset_id, table)
            assert (site / json_report).is_file() and (site / html_report).is_file()
        if partitioned:  # partisi/<table>/<column>=<value>/.../part-0.parquet
            trees_seen += 1
            expected.add(layout.PARTITIONS_DIR)
            trees = folder / layout.PARTITIONS_DIR
            assert {p.name for p in trees.iterdir()} == partitioned, dataset_id
            for path in trees.rglob("*"):
                if path.is_file():
                    assert path.name == layout.PARTITION_FILE.format(i=0), path
                    assert all("=" in part for part in path.relative_to(trees).parts[1:-1]), path
        assert {p.name for p in folder.iterdir()} == expected, dataset_id
    assert trees_seen  # the sample has tables with a year and a region column


def test_the_manifest_round_trips_byte_for_byte(built_catalog, tmp_path):
    release = built_catalog.resolve()
    manifest = Manifest.load(release)
    assert manifest.datasets and all(e.status == PUBLISHED for e in manifest.datasets.values())
    manifest.save(tmp_path)
    original = (release / layout.MANIFEST_FILE).read_bytes()
    assert (tmp_path / layout.MANIFEST_FILE).read_bytes() == original


def test_a_failed_entry_keeps_only_the_keys_it_has():
    entry = DatasetEntry(reports={"t": {"valid": False}})
    assert entry.as_dict() == {
        "status": "failed",
        "resources": {},
        "reports": {"t": {"valid": False}},
    }
    kept = DatasetEntry.from_dict({**entry.as_dict(), "status": "failed-kept-previous"})
    assert kept.status == "failed-kept-previous" and kept.sample is None
