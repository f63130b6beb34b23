"""Round trip: our harvester (ckanapi.RemoteCKAN) harvests our own running server's CKAN API.

The harvested descriptors must say what our catalog says (titles in both languages, descriptions,
licences, publishers, themes, keywords, tables and their columns), and building the harvested
folders must give back the same rows, value for value.
"""

from __future__ import annotations

import shutil
import sqlite3

import pytest
import yaml
from conftest import ROOT, own_packages, run_publish

from pipelines.core.release import current_release
from pipelines.harvest.client import ClientSettings
from pipelines.harvest.harvester import HarvestOptions, harvest


@pytest.fixture(scope="module")
def round_trip(datasette_server, built_catalog, tmp_path_factory):
    folder = tmp_path_factory.mktemp("roundtrip")
    (folder / "datasets").mkdir()
    shutil.copytree(ROOT / "metadata", folder / "metadata")
    report = harvest(
        HarvestOptions(
            portal=datasette_server.url,
            datasets_dir=folder / "datasets",
            metadata_dir=folder / "metadata",
            cache_dir=folder / ".cache",
            settings=ClientSettings(timeout=10, retries=0),
        )
    )
    return folder, report


@pytest.fixture(scope="module")
def published(built_catalog) -> dict[str, dict]:
    """Our datapackage.json of every dataset, as built (its own tables)."""
    return own_packages(built_catalog)


def test_harvested_descriptors_match_our_catalog(round_trip, published):
    folder, report = round_trip
    assert report.error is None
    assert {o.id: o.status for o in report.outcomes} == dict.fromkeys(published, "created")
    for name, ours in published.items():
        theirs = yaml.safe_load((folder / "datasets" / name / "datapackage.yaml").read_text())
        assert theirs["title"] == ours["title"]
        assert theirs["description"] == ours["description"].strip()
        assert theirs["jendela"]["en"]["title"] == ours["jendela"]["en"]["title"]
        assert [lic["name"] for lic in theirs["licenses"]] == [ours["licenses"][0]["name"]]
        assert theirs["keywords"] == ours["keywords"]
        for key in ("publisher", "themes", "sample", "updated"):
            assert theirs["jendela"][key] == ours["jendela"][key], (name, key)
        assert [r["name"] for r in theirs["resources"]] == [r["name"] for r in ours["resources"]]
        assert [r["title"] for r in theirs["resources"]] == [r["title"] for r in ours["resources"]]
        for mine, original in zip(theirs["resources"], ours["resources"], strict=True):
            names = [f["name"] for f in mine["schema"]["fields"]]
            assert names == [f["name"] for f in original["schema"]["fields"]]
            assert "columns" not in mine["jendela"]  # our headers are already snake_case
    # nothing new in the vocabulary: every publisher, licence and theme was ours already
    assert not (folder / "metadata" / "harvested").exists()


def test_harvested_catalog_builds_to_the_same_rows(round_trip, built_catalog, published):
    folder, _ = round_trip
    output = folder / "build"
    result = run_publish(
        "--datasets-dir", str(folder / "datasets"), "--metadata-dir", str(folder / "metadata"),
        "build", "--quiet", "--output", str(output),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    original = sqlite3.connect(current_release(built_catalog) / "jendela.db")
    again = sqlite3.connect(current_release(output) / "jendela.db")
    for ours in published.values():
        for resource in ours["resources"]:
            names = ", ".join(f"[{f['name']}]" for f in resource["schema"]["fields"])
            query = f"SELECT {names} FROM [{resource['name']}] ORDER BY rowid"
            assert again.execute(query).fetchall() == original.execute(query).fetchall()
