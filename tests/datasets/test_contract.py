"""One contract over every dataset folder, of the real catalog (datasets/) and of the hand-made
sample catalog the machinery tests build (tests/fixtures/sample-catalog): both are held to the
same rules (STYLE: one test over every source). A sample dataset's expected values live beside it,
in tests/fixtures/sample-catalog/<id>/expected.yaml; the real catalog's figures are checked against
the source files by the domain tests (tests/readers/test_budget.py, test_population.py, ...)."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
import yaml
from conftest import REAL_CATALOG, SAMPLE_CATALOG
from frictionless import Package

from pipelines.core.model import SAMPLE_LABEL, Vocabulary, load_dataset
from pipelines.core.registry import DATASET_ID, load_catalog

EXPECTED = "expected.yaml"  # beside a sample dataset's descriptor: what its built tables hold
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


def _ids(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if (p / "datapackage.yaml").exists())


REAL_IDS = _ids(REAL_CATALOG)
SAMPLE_IDS = _ids(SAMPLE_CATALOG)
CATALOGS = {"real": REAL_CATALOG, "sample": SAMPLE_CATALOG}


@pytest.fixture(scope="module")
def catalogs():
    return {name: load_catalog(folder) for name, folder in CATALOGS.items()}


@pytest.fixture(
    params=[("real", i) for i in REAL_IDS] + [("sample", i) for i in SAMPLE_IDS],
    ids=lambda p: f"{p[0]}:{p[1]}",
)
def dataset(request, catalogs):
    which, dataset_id = request.param
    return catalogs[which].datasets[dataset_id]


@pytest.fixture(params=SAMPLE_IDS)
def sample_dataset(request, catalogs):
    return catalogs["sample"].datasets[request.param]


@pytest.mark.parametrize("folder", CATALOGS.values(), ids=CATALOGS.keys())
def test_every_folder_is_a_dataset(folder):
    folders = sorted(
        p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
    )
    assert folders == _ids(folder), f"a folder under {folder} without datapackage.yaml"


def test_real_catalog_holds_no_sample():
    """Hand-made data never enters datasets/: no descriptor there calls itself a sample, and every
    embedded input is a snapshot under source/ (the hand-made ones live in tests/fixtures)."""
    for dataset in load_catalog(REAL_CATALOG).datasets.values():
        assert "sample" not in dataset.ext, dataset.id
        for resource in dataset.resources:
            assert resource.ext["source"]["path"].startswith("source/"), resource.name


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


def test_published_descriptor_is_a_valid_frictionless_package(dataset, request):
    """The datapackage.json the build publishes, foreign keys kept: valid metadata, and every
    key resolves inside the package (the rows of other datasets' tables that it references are
    shipped with it). tests/stages/test_packages.py runs `frictionless validate` on the data too."""
    output = (
        request.getfixturevalue("real").output
        if dataset.folder.parent == REAL_CATALOG
        else request.getfixturevalue("built_catalog")
    )
    path = output / "site" / "downloads" / dataset.id / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    report = Package.validate_descriptor(descriptor)
    assert report.valid, report.flatten(["type", "note"])
    package = Package.from_descriptor(descriptor)
    names = [r.name for r in package.resources]
    assert names[: len(dataset.resources)] == [r.name for r in dataset.resources]
    for resource in package.resources:
        for fk in resource.schema.foreign_keys:
            assert fk["reference"]["resource"] in names, (resource.name, fk)
    assert package.licenses and package.licenses[0]["path"]


def test_sample_data_is_labelled_on_its_page(sample_dataset, built_catalog):
    """Sample data says so on every page that shows it; real data never carries the label."""
    dataset = sample_dataset
    page = (built_catalog / "site" / "dataset" / dataset.id / "index.html").read_text().lower()
    assert (SAMPLE_LABEL.id in page) == dataset.is_sample


def test_default_build_carries_no_sample_label_anywhere(real):
    """Nothing the default build publishes (pages, JSON, CKAN-shaped metadata, downloads) says
    'sample': it holds real data only."""
    for path in sorted((real.output / "site").rglob("*")):
        if path.suffix in {".html", ".json", ".jsonld", ".xml", ".csv", ".yaml"} and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace").lower()
            for label in SAMPLE_LABEL:
                assert label not in text, path
    for entry in real.manifest["datasets"].values():
        assert not entry.get("sample"), entry


def test_descriptor_load_is_pure(dataset):
    """Loading twice gives the same model: no hidden state, no writes into the folder."""
    before = sorted(p.name for p in dataset.folder.rglob("*"))
    again = load_dataset(dataset.folder, Vocabulary.load())
    assert again.descriptor == dataset.descriptor
    assert sorted(p.name for p in dataset.folder.rglob("*")) == before


def test_fixture_exists_for_every_sample_dataset(sample_dataset):
    assert (sample_dataset.folder / EXPECTED).is_file(), f"add {sample_dataset.folder}/{EXPECTED}"


def test_embedded_sample_builds_validates_and_matches_its_fixture(sample_dataset, built_catalog):
    dataset = sample_dataset
    fixture = yaml.safe_load((dataset.folder / EXPECTED).read_text())
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
