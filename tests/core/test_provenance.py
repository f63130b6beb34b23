"""Every snapshot in datasets/<id>/source/ has a provenance record whose facts hold.

The figures are read independently here: SHA-256 and size with hashlib and gzip from the files as
kept, the licence and the source file from the shared collection's PROVENANCE.md and its files.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from conftest import REAL_CATALOG, ROOT, publish_in

RECORD = Path("source") / "provenance.yaml"
DATASETS = sorted(p.parent.name for p in REAL_CATALOG.glob("*/datapackage.yaml"))


def published_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def entries(folder: Path) -> dict[str, dict]:
    document = yaml.safe_load((folder / RECORD).read_text(encoding="utf-8"))
    common = document.get("common") or {}
    return {e["file"]: {**common, **e} for e in document["files"]}


def provenance_rows(realdata: Path) -> dict[tuple[str, str], dict]:
    """(repository, path in repository) -> the row of PROVENANCE.md's table."""
    rows = {}
    for line in (realdata / "PROVENANCE.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) == 9 and cells[0] not in ("file",) and not cells[0].startswith("---"):
            keys = ("file", "topic", "repo", "path", "commit", "licence", "what", "rows", "quirks")
            row = dict(zip(keys, cells, strict=True))
            rows[(row["repo"], row["path"])] = row
    return rows


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_snapshot_has_a_record_that_matches_it(dataset):
    folder = REAL_CATALOG / dataset
    assert (folder / RECORD).is_file(), f"{dataset}: no {RECORD}"
    recorded = entries(folder)
    kept = {
        p.relative_to(folder).as_posix()
        for p in (folder / "source").rglob("*")
        if p.is_file() and p.name != RECORD.name and not p.name.startswith(".")
    }
    assert kept, dataset
    assert sorted(kept) == sorted(recorded), f"{dataset}: files and record entries differ"
    for file, entry in recorded.items():
        data = published_bytes(folder / file)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), file
        assert entry["bytes"] == len(data), file
        assert entry["url"].startswith("https://raw.githubusercontent.com/"), file
        assert entry["repository"].startswith("https://github.com/"), file
        assert entry["url"].startswith(
            entry["repository"].replace("github.com", "raw.githubusercontent.com")
        )
        assert entry["original_name"] == Path(entry["path_in_repository"]).name, file
        dt.date.fromisoformat(entry["retrieved"])
        assert entry["licence_as_stated"], file
        assert entry["publisher"]["name"], file
        for link in (entry.get("origin", {}).get("url"), entry["publisher"].get("url")):
            assert link is None or link.startswith("https://"), file


def test_records_state_what_the_shared_collection_states(realdata):
    """Licence verbatim, commit and URL as PROVENANCE.md gives them; and each snapshot holds the
    bytes of the collection's file (which PROVENANCE.md says is the file at that commit)."""
    rows = provenance_rows(realdata)
    checked = 0
    for dataset in DATASETS:
        for file, entry in entries(REAL_CATALOG / dataset).items():
            repo = entry["repository"].removeprefix("https://github.com/")
            row = rows[(repo, entry["path_in_repository"])]
            assert entry["licence_as_stated"] == row["licence"], file
            assert entry["commit"] == row["commit"], file
            commit = row["commit"].split()[0]
            assert entry["url"] == (
                f"https://raw.githubusercontent.com/{repo}/{commit}/{quote(row['path'])}"
            ), file
            original = (realdata / row["file"]).read_bytes()
            assert hashlib.sha256(original).hexdigest() == entry["sha256"], file
            checked += 1
    assert checked >= 180  # 152 DJPK files among them


def test_a_tampered_snapshot_fails_its_dataset_with_both_checksums(tmp_path):
    """One byte changed in a copy: the dataset fails before it is read, naming the file and both
    checksums; the build exits 1."""
    shutil.copytree(REAL_CATALOG / "monitoring-lkpp", tmp_path / "datasets" / "monitoring-lkpp")
    shutil.copytree(ROOT / "metadata", tmp_path / "metadata")
    snapshot = tmp_path / "datasets/monitoring-lkpp/source/lkpp_monitoring.xlsx"
    data = bytearray(snapshot.read_bytes())
    data[-1] ^= 0x01
    snapshot.write_bytes(bytes(data))
    recorded = entries(tmp_path / "datasets/monitoring-lkpp")["source/lkpp_monitoring.xlsx"]
    result = publish_in(tmp_path, "build", "--output", str(tmp_path / "build"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "GAGAL/FAILED monitoring-lkpp" in result.stdout
    assert "snapshot differs from its provenance record" in result.stdout
    assert "salinan sumber berbeda dari catatan asal-usulnya" in result.stdout
    assert "lkpp_monitoring.xlsx" in result.stdout
    assert recorded["sha256"] in result.stdout
    assert hashlib.sha256(bytes(data)).hexdigest() in result.stdout
    assert f"{len(data):,} bytes" in result.stdout


def test_manifest_sources_carry_the_record(tmp_path):
    """The published manifest's `sources` entry of a snapshot holds its record's facts."""
    shutil.copytree(REAL_CATALOG / "monitoring-lkpp", tmp_path / "datasets" / "monitoring-lkpp")
    shutil.copytree(ROOT / "metadata", tmp_path / "metadata")
    result = publish_in(tmp_path, "build", "--output", str(tmp_path / "build"))
    assert result.returncode == 0, result.stdout + result.stderr
    import json

    manifest = json.loads((tmp_path / "build" / "manifest.json").read_text())
    sources = manifest["datasets"]["monitoring-lkpp"]["resources"]["monitoring_rup_lkpp"]["sources"]
    recorded = entries(tmp_path / "datasets/monitoring-lkpp")["source/lkpp_monitoring.xlsx"]
    data = (tmp_path / "datasets/monitoring-lkpp/source/lkpp_monitoring.xlsx").read_bytes()
    assert len(sources) == 1
    assert sources[0]["sha256"] == hashlib.sha256(data).hexdigest()
    assert sources[0]["bytes"] == len(data)
    for key in ("url", "repository", "retrieved", "licence_as_stated", "publisher", "origin"):
        assert sources[0][key] == recorded[key], key
