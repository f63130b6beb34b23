"""Every published package is whole and valid, as a user's own tools see it.

The real `frictionless validate` command line runs over every `downloads/<id>/datapackage.json`
of the default (real) build and over every `<id>.zip` of the sample build; every zip, real and
sample, is shown to hold exactly its folder's files, so each package is validated as both.
Foreign keys are kept: a table's `kode_wilayah -> wilayah` reference resolves inside the package,
because the package ships the region rows it references (and their parent regions, since
`wilayah` refers to itself). Every resource states `bytes` and `hash`, checked here against the
files with hashlib. The expected region rows come from the package's own tables and from the
codes themselves (a code's parents are its dotted prefixes), not from the pipeline.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import REAL_CATALOG, SAMPLE_CATALOG, frictionless_validate

REAL_IDS = sorted(p.parent.name for p in REAL_CATALOG.glob("*/datapackage.yaml"))
SAMPLE_IDS = sorted(p.parent.name for p in SAMPLE_CATALOG.glob("*/datapackage.yaml"))
CASES = [("real", i) for i in REAL_IDS] + [("sample", i) for i in SAMPLE_IDS]
CATALOG_DIRS = {"real": REAL_CATALOG, "sample": SAMPLE_CATALOG}


@pytest.fixture(scope="module")
def builds(request):
    """The output folder of each build, started only when a test asks for it."""

    class Builds:
        def __getitem__(self, which: str) -> Path:
            if which == "real":
                return request.getfixturevalue("real").output
            return request.getfixturevalue("built_catalog")

    return Builds()


def problems(report: dict) -> list[tuple]:
    """The report's errors as small tuples (resource, row, field, type, note)."""
    found = [(None, None, None, e["type"], e.get("note", "")) for e in report.get("errors", [])]
    for task in report["tasks"]:
        for e in task["errors"]:
            found.append(
                (task["name"], e.get("rowNumber"), e.get("fieldName"), e["type"], e.get("note"))
            )
    return found


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def own_descriptor(which: str, dataset_id: str) -> dict:
    return yaml.safe_load((CATALOG_DIRS[which] / dataset_id / "datapackage.yaml").read_text())


def as_list(value) -> list:
    return list(value) if isinstance(value, list) else [value]


def check_package(files: dict[str, bytes], own: dict) -> None:
    """What a whole package holds, on its files (a download folder or a zip's members)."""
    package = json.loads(files["datapackage.json"])
    resources = {r["name"]: r for r in package["resources"]}
    own_names = [r["name"] for r in own["resources"]]
    # The dataset's own tables first, in descriptor order, then the rows they reference.
    assert [r["name"] for r in package["resources"]][: len(own_names)] == own_names
    for res in package["resources"]:
        data = files[res["path"]]
        assert res["bytes"] == len(data), res["name"]
        assert res["hash"] == f"sha256:{sha256(data)}", res["name"]
    # Foreign keys are published as the descriptor states them, and each resolves inside.
    for written in own["resources"]:
        published = resources[written["name"]]["schema"].get("foreignKeys", [])
        assert published == written["schema"].get("foreignKeys", []), written["name"]
    for res in package["resources"]:
        for fk in res["schema"].get("foreignKeys", []):
            assert fk["reference"]["resource"] in resources, (res["name"], fk)
    extra = [r for r in package["resources"] if r["name"] not in own_names]
    for res in extra:
        assert res["jendela"]["subset_of"]["resource"] == res["name"]
        assert res["jendela"]["subset_of"]["rows"] == len(csv_rows(files[res["path"]]))
    if "wilayah" in resources and "wilayah" not in own_names:
        check_region_rows(files, package, resources["wilayah"])


def check_region_rows(files: dict[str, bytes], package: dict, wilayah: dict) -> None:
    """The `wilayah` rows are exactly the codes the package's tables name, with their parents
    (the code without its last dotted part, up to the province), each row once."""
    referenced: set[str] = set()
    for res in package["resources"]:
        if res["name"] == "wilayah":
            continue
        for fk in res["schema"].get("foreignKeys", []):
            if fk["reference"]["resource"] != "wilayah":
                continue
            (column,) = as_list(fk["fields"])
            referenced |= {row[column] for row in csv_rows(files[res["path"]]) if row[column]}
    expected = {".".join(code.split(".")[:n]) for code in referenced
                for n in range(1, code.count(".") + 2)}  # fmt: skip
    rows = csv_rows(files[wilayah["path"]])
    codes = [row["kode_wilayah"] for row in rows]
    assert len(codes) == len(set(codes))
    assert set(codes) == expected
    for row in rows:
        parent = row["kode_wilayah_induk"]
        assert parent == row["kode_wilayah"].rpartition(".")[0], row
        assert not parent or parent in expected


@pytest.mark.parametrize("dataset_id", REAL_IDS)
def test_published_package_validates_whole(builds, dataset_id):
    """`frictionless validate` passes on datapackage.json with every resource checked (rows,
    types, constraints, primary and foreign keys, bytes and hash). The sample packages are
    validated as their zips (below), whose members are their folders' files byte for byte."""
    folder = builds["real"] / "site" / "downloads" / dataset_id
    path = folder / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    report = frictionless_validate(path)
    assert report["valid"], problems(report)[:20]
    assert sorted(t["name"] for t in report["tasks"]) == sorted(resource_names(package))
    for task in report["tasks"]:
        # The validator read every row: its count equals the CSV's own.
        data = (folder / task["place"]).read_bytes()
        assert task["stats"]["rows"] == len(csv_rows(data)), task["name"]
    files = {"datapackage.json": path.read_bytes()}
    files |= {r["path"]: (folder / r["path"]).read_bytes() for r in package["resources"]}
    check_package(files, own_descriptor("real", dataset_id))


@pytest.mark.parametrize(("which", "dataset_id"), CASES, ids=[f"{w}:{i}" for w, i in CASES])
def test_published_zip_is_the_package(builds, which, dataset_id):
    """The zip is the same package: datapackage.json and the very files it lists, byte for
    byte those of the download folder that `frictionless validate` passed above, nothing else."""
    folder = builds[which] / "site" / "downloads" / dataset_id
    files = zip_members(folder / f"{dataset_id}.zip")
    assert files["datapackage.json"] == (folder / "datapackage.json").read_bytes()
    package = json.loads(files["datapackage.json"])
    assert list(files) == ["datapackage.json"] + [r["path"] for r in package["resources"]]
    for name, data in files.items():
        assert data == (folder / name).read_bytes(), name
    check_package(files, own_descriptor(which, dataset_id))


@pytest.mark.parametrize("dataset_id", SAMPLE_IDS)
def test_frictionless_validates_the_zip_itself(built_catalog, dataset_id):
    """`frictionless validate` passes on the zip file itself, as a user runs it on the download.

    Run on the sample build's zips, made by the same code as every zip: with the test above
    (each real zip holds exactly the files of its folder package, validated whole), this shows
    every zip valid without validating each real table a second time (the two region lists
    alone take nine seconds)."""
    path = built_catalog / "site" / "downloads" / dataset_id / f"{dataset_id}.zip"
    members = zip_members(path)
    package = json.loads(members["datapackage.json"])
    report = frictionless_validate(path)
    assert report["valid"], problems(report)[:20]
    assert sorted(t["name"] for t in report["tasks"]) == sorted(resource_names(package))
    paths = {r["name"]: r["path"] for r in package["resources"]}
    for task in report["tasks"]:
        # The validator read every row: its count equals the CSV's own.
        assert task["stats"]["rows"] == len(csv_rows(members[paths[task["name"]]])), task["name"]


def zip_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def resource_names(package: dict) -> list[str]:
    return [r["name"] for r in package["resources"]]


def test_validator_catches_a_missing_region_row_and_a_changed_file(built_catalog, tmp_path):
    """The check above can fail: a package whose region rows lack one referenced code fails on
    the foreign key, and a file that no longer matches its `bytes` and `hash` fails on both."""
    source = built_catalog / "site" / "downloads" / "apbd-kota-bogor"
    copy = tmp_path / "apbd-kota-bogor"
    shutil.copytree(source, copy)
    package = json.loads((copy / "datapackage.json").read_text())
    assert "wilayah" in resource_names(package)
    lines = (copy / "wilayah.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    referenced = {row["kode_wilayah"] for row in csv_rows((copy / "apbd.csv").read_bytes())}
    kept = [line for line in lines if line.split(",", 1)[0] not in referenced]
    assert len(kept) < len(lines)
    (copy / "wilayah.csv").write_text("".join(kept), encoding="utf-8")
    report = frictionless_validate(copy / "datapackage.json")
    assert not report["valid"]
    types = {(name, kind) for name, _, _, kind, _ in problems(report)}
    assert ("apbd", "foreign-key") in types
    assert {("wilayah", "hash-count"), ("wilayah", "byte-count")} <= types
