"""One contract over every dataset folder: adding a dataset touches its folder and its fixture,
and this test holds it to the same rules as the rest (STYLE: one test over every source)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import yaml
from frictionless import Package

from pipelines.model import DATASETS_DIR, Vocabulary, load_dataset
from pipelines.registry import DATASET_ID, load_catalog

FIXTURES = Path(__file__).parent / "fixtures" / "datasets"
DATASET_IDS = sorted(p.name for p in DATASETS_DIR.iterdir() if (p / "datapackage.yaml").exists())
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(params=DATASET_IDS)
def dataset(request, catalog):
    return catalog.datasets[request.param]


def test_every_folder_is_a_dataset():
    folders = sorted(
        p.name for p in DATASETS_DIR.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
    )
    assert folders == DATASET_IDS, "a folder under datasets/ without datapackage.yaml"


def test_names_follow_the_rules(dataset):
    assert DATASET_ID.match(dataset.id)
    for resource in dataset.resources:
        assert SNAKE.match(resource.name)
        for field in resource.fields:
            name, kind = field["name"], field.get("type", "string")
            assert SNAKE.match(name), name
            if name.endswith("_rp"):
                assert kind == "integer", f"{resource.name}.{name}: money is integer Rupiah"
            if name.endswith("_pct"):
                assert kind == "number", f"{resource.name}.{name}: percentages are numbers"
            if name.startswith("kode_"):
                assert kind == "string", f"{resource.name}.{name}: codes are strings"


def test_every_field_is_documented_in_both_languages(dataset):
    assert dataset.ext["en"]["title"] and dataset.descriptor["description"].strip()
    for resource in dataset.resources:
        assert resource.ext.get("en", {}).get("title"), resource.name
        for field in resource.fields:
            assert field.get("title") and field.get("description"), field["name"]
            assert (field.get("jendela") or {}).get("en", {}).get("description"), field["name"]


def test_region_columns_point_at_the_region_table(dataset):
    for resource in dataset.resources:
        referenced = {
            column
            for fk in resource.foreign_keys
            if fk["reference"]["resource"] == "wilayah"
            for column in (fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]])
        }
        for field in resource.fields:
            if field["name"] == "kode_wilayah" and resource.name != "wilayah":
                assert "kode_wilayah" in referenced, f"{resource.name}.kode_wilayah has no FK"


def test_published_descriptor_is_a_valid_frictionless_package(dataset):
    descriptor = dataset.package_descriptor()
    # Other datasets' tables are referenced by name; frictionless checks within one package.
    for resource in descriptor["resources"]:
        resource["schema"].pop("foreignKeys", None)
    package = Package.from_descriptor(descriptor)
    assert [r.name for r in package.resources] == [r.name for r in dataset.resources]
    assert package.licenses and package.licenses[0]["path"]


def test_sample_data_is_labelled_on_its_page(dataset, built_catalog):
    """Sample data says so on every page that shows it; real data never carries the label."""
    page = (built_catalog / "site" / "dataset" / dataset.id / "index.html").read_text().lower()
    assert ("contoh, bukan data resmi" in page) == dataset.is_sample


def test_descriptor_load_is_pure(dataset):
    """Loading twice gives the same model: no hidden state, no writes into the folder."""
    before = sorted(p.name for p in dataset.folder.rglob("*"))
    again = load_dataset(dataset.folder, Vocabulary.load())
    assert again.descriptor == dataset.descriptor
    assert sorted(p.name for p in dataset.folder.rglob("*")) == before


def test_fixture_exists_for_every_dataset(dataset):
    assert (FIXTURES / f"{dataset.id}.yaml").is_file(), "add tests/fixtures/datasets/<id>.yaml"


def test_embedded_sample_builds_validates_and_matches_its_fixture(dataset, built_catalog):
    fixture = yaml.safe_load((FIXTURES / f"{dataset.id}.yaml").read_text())
    import json

    manifest = json.loads((built_catalog / "manifest.json").read_text())
    entry = manifest["datasets"][dataset.id]
    assert entry["status"] == "published", entry.get("reports")
    with sqlite3.connect(built_catalog / "jendela.db") as db:
        db.row_factory = sqlite3.Row
        for resource_name, expected in fixture.items():
            assert entry["reports"][resource_name]["valid"]
            count = db.execute(f"SELECT count(*) FROM [{resource_name}]").fetchone()[0]
            assert count == expected["rows"] == entry["resources"][resource_name]["rows"]
            for check in expected.get("checks", []):
                where = " AND ".join(f"[{k}] = ?" for k in check["where"])
                rows = db.execute(
                    f"SELECT * FROM [{resource_name}] WHERE {where}", list(check["where"].values())
                ).fetchall()
                assert len(rows) == 1, check["where"]
                for column, value in check["expect"].items():
                    assert rows[0][column] == value, (check["where"], column)
