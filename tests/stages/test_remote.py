"""`publish.py build --remote` refreshes snapshots from their source URL, against a real HTTP
server on 127.0.0.1 serving copies of the files (changed, unchanged, missing).

The dataset is a copy of wilayah-bps-emsifa (ten small JSON files, no dependencies); its
provenance record's URLs are rewritten to the loopback server. Expected checksums are computed
here with hashlib from the bytes served, never taken from the pipeline.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml
from conftest import REAL_CATALOG, ROOT, StaticHost, publish_in, run_publish, tree_digest

DATASET = "wilayah-bps-emsifa"
RECORD = Path("source") / "provenance.yaml"
CHANGED = "source/emsifa_static_api_kota_bogor/villages/3271010.json"


def entries(folder: Path) -> dict[str, dict]:
    document = yaml.safe_load((folder / RECORD).read_text(encoding="utf-8"))
    common = document.get("common") or {}
    return {e["file"]: {**common, **e} for e in document["files"]}


@pytest.fixture
def served(tmp_path):
    """A real HTTP server on 127.0.0.1 serving tmp_path/served; yields (folder, base URL)."""
    folder = tmp_path / "served"
    folder.mkdir()
    host = StaticHost(folder)
    try:
        yield folder, host.url
    finally:
        host.stop()


@pytest.fixture
def project(tmp_path, served):
    """A copy of the dataset and metadata/, its record pointing at the loopback server, which
    serves byte-identical copies of every snapshot (tests change or remove some)."""
    folder, base = served
    target = tmp_path / "datasets" / DATASET
    shutil.copytree(REAL_CATALOG / DATASET, target)
    shutil.copytree(ROOT / "metadata", tmp_path / "metadata")
    path = target / RECORD
    header = "".join(line for line in path.read_text().splitlines(True) if line.startswith("#"))
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    for entry in document["files"]:
        entry["url"] = f"{base}/{entry['path_in_repository']}"
        copy = folder / entry["path_in_repository"]
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes((target / entry["file"]).read_bytes())
    path.write_text(header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    return tmp_path


def served_path(project: Path, file: str) -> Path:
    entry = entries(project / "datasets" / DATASET)[file]
    return project / "served" / entry["path_in_repository"]


def build_remote(project: Path):
    return publish_in(project, "build", "--remote", "--output", str(project / "build"))


def test_a_changed_source_replaces_the_snapshot_and_its_record(project):
    folder = project / "datasets" / DATASET
    before = entries(folder)
    source = served_path(project, CHANGED)
    text = source.read_text(encoding="utf-8")
    assert '"name":"MULYAHARJA"' in text
    changed = text.replace('"name":"MULYAHARJA"', '"name":"MULYAHARJA BARU"').encode()
    source.write_bytes(changed)
    new_sha = hashlib.sha256(changed).hexdigest()

    result = build_remote(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (folder / CHANGED).read_bytes() == changed
    after = entries(folder)
    assert after[CHANGED]["sha256"] == new_sha
    assert after[CHANGED]["bytes"] == len(changed)
    assert after[CHANGED]["retrieved"] == dt.datetime.now(dt.UTC).date().isoformat()
    assert after[CHANGED]["url"] == before[CHANGED]["url"]
    assert after[CHANGED]["licence_as_stated"] == before[CHANGED]["licence_as_stated"]
    for file in before:
        if file != CHANGED:
            assert after[file] == before[file], file
    said = result.stderr
    assert f"{CHANGED.split('source/')[1]}: diperbarui / refreshed" in said
    assert f"sha256 {before[CHANGED]['sha256']} -> {new_sha}" in said
    assert f"{before[CHANGED]['bytes']:,} -> {len(changed):,} bytes" in said
    assert said.count("tidak berubah / unchanged") == len(before) - 1
    with sqlite3.connect(project / "build" / "jendela.db") as db:
        rows = db.execute("SELECT * FROM wilayah_bps_emsifa").fetchall()
    # the published table was read from the refreshed snapshot
    assert any("MULYAHARJA BARU" in str(value) for row in rows for value in row)


def test_an_unchanged_source_says_so_and_changes_nothing(project):
    folder = project / "datasets" / DATASET
    digest = tree_digest(folder)
    result = build_remote(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert tree_digest(folder) == digest
    assert result.stderr.count("tidak berubah / unchanged") == len(entries(folder))
    assert "diperbarui / refreshed" not in result.stderr


def test_a_missing_source_fails_the_dataset_and_leaves_everything_as_it_was(project):
    """A 404 on one file: the dataset fails with the URL and the reason; no snapshot or record
    changes, not even one whose download succeeded and changed (all or nothing)."""
    folder = project / "datasets" / DATASET
    changed = served_path(project, CHANGED)
    changed.write_bytes(changed.read_bytes().replace(b"MULYAHARJA", b"MULYAHARJA BARU"))
    missing = "source/emsifa_static_api_kota_bogor/villages/3271060.json"
    served_path(project, missing).unlink()
    digest = tree_digest(folder)
    result = build_remote(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"GAGAL/FAILED {DATASET}" in result.stdout
    assert "tidak dapat mengunduh / could not download" in result.stdout
    assert entries(folder)[missing]["url"] in result.stdout
    assert "404" in result.stdout
    assert "snapshot and record left unchanged" in result.stdout
    assert tree_digest(folder) == digest


def test_a_gzipped_snapshot_is_gzipped_again_deterministically(project):
    """A snapshot kept as .gz is replaced by a gzip of the new bytes with no name and mtime 0
    (what `gzip -n` writes), so the same source bytes always give the same file."""
    from pipelines.core.registry import load_catalog
    from pipelines.stages.fetch import refresh_snapshots

    folder = project / "datasets" / DATASET
    plain = folder / CHANGED
    kept = plain.with_name(plain.name + ".gz")
    kept.write_bytes(gzip.compress(plain.read_bytes(), mtime=0))
    plain.unlink()
    path = folder / RECORD
    text = path.read_text(encoding="utf-8").replace(f"file: {CHANGED}\n", f"file: {CHANGED}.gz\n")
    path.write_text(text, encoding="utf-8")
    source = served_path(project, f"{CHANGED}.gz")
    changed = source.read_bytes().replace(b"MULYAHARJA", b"MULYAHARJA BARU")
    source.write_bytes(changed)

    catalog = load_catalog(project / "datasets", project / "metadata")
    dataset = catalog.datasets[DATASET]
    resource = dataset.resources[0]
    resource.descriptor["jendela"]["source"]["path"] = f"{CHANGED}.gz"
    said = refresh_snapshots(dataset, resource, notify=lambda text: None)
    assert len(said) == 1 and "diperbarui / refreshed" in said[0], said
    stored = kept.read_bytes()
    assert gzip.decompress(stored) == changed
    assert stored[3] & 0x08 == 0  # FNAME flag: no file name in the header
    assert stored[4:8] == b"\0\0\0\0"  # MTIME 0
    assert entries(folder)[f"{CHANGED}.gz"]["sha256"] == hashlib.sha256(changed).hexdigest()
    assert entries(folder)[f"{CHANGED}.gz"]["bytes"] == len(changed)
    # refreshed again from the same bytes: nothing to do, the file stays byte-identical
    said = refresh_snapshots(dataset, resource, notify=lambda text: None)
    assert "tidak berubah / unchanged" in said[0] and kept.read_bytes() == stored


def test_validate_offers_no_remote_refresh():
    """validate publishes and changes nothing, so it cannot rewrite snapshots: --remote is
    refused as an unknown option (exit 2)."""
    result = run_publish("validate", "--remote", catalog=None)
    assert result.returncode == 2 and "unrecognized arguments: --remote" in result.stderr
