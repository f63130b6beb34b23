"""Arrows point one way (DESIGN rule 3):

    metadata/ (data) <- model/registry <- stages <- build orchestration <- CLI and Datasette plugin

`pipelines/` never imports `datasets/` (a dataset's transform.py is loaded by path), and stages
do not import each other sideways except through the few edges listed here, each with its reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIPELINES = ROOT / "pipelines"

# Layer of each module; a module may import only from lower layers (or an allowed sideways edge).
FOUNDATION = {"errors", "indonesian", "progress"}
MODEL = {"model"}
# release layout, the Jinja environment, and the provenance records of source snapshots
BESIDE_MODEL = {"release", "templates", "provenance"}
REGISTRY = {"registry"}
ORCHESTRATION = {"build", "readme_table"}  # readme_table: docs from a finished build
TOP = {"cli", "datasette_plugin", "ckan_api", "openapi"}
LAYERS = {
    **dict.fromkeys(FOUNDATION, 0),
    **dict.fromkeys(MODEL, 1),
    **dict.fromkeys(BESIDE_MODEL, 1.5),
    **dict.fromkeys(REGISTRY, 2),
    **dict.fromkeys(ORCHESTRATION, 4),
    **dict.fromkeys(TOP, 5),
}
STAGE_LAYER = 3  # every other module is a stage (fetch, readers, normalise, validate, load, ...)

# Stage -> stage imports that are allowed, and why.
SIDEWAYS = {
    ("normalise", "readers"),  # the row-number column name a reader adds
    ("export", "fetch"),  # sha256_file: one checksum function for inputs and downloads
    ("datasette_config", "catalog"),  # the database name the site links to
    ("datasette_config", "facet_store"),  # the arrays written beside each facet cube
    ("datasette_config", "fetch"),  # sha256_file: inspect.json's database hash, one checksum
    ("checks", "regions"),  # region_name compares rows with the region table's name index
}


def layer(module: str) -> int:
    if module.startswith("datasette_") and module != "datasette_config":
        return 5
    if module == "ckan_api":
        return 5
    if module.startswith("ckan_"):
        return 4  # harvesting writes dataset folders: orchestration, like build

    return LAYERS.get(module, STAGE_LAYER)


def family(module: str) -> str:
    return module.split("_")[0]


def imports_of(path: Path) -> set[str]:
    """Top-level names imported from `pipelines` (relative or absolute) and other packages."""
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(f"pipelines.{node.module.split('.')[0]}")
            elif node.level == 1:
                found.update(f"pipelines.{alias.name}" for alias in node.names)
            elif node.module:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_pipelines_never_import_datasets():
    for path in PIPELINES.glob("*.py"):
        for name in imports_of(path):
            assert name.split(".")[0] != "datasets", f"{path.name} imports {name}"


def test_arrows_point_one_way():
    problems = []
    for path in sorted(PIPELINES.glob("*.py")):
        source = path.stem
        if source == "__init__":
            continue
        for name in imports_of(path):
            if not name.startswith("pipelines."):
                continue
            target = name.split(".")[1]
            if target == source:
                continue
            if layer(target) < layer(source):
                continue
            if layer(target) == layer(source) and (
                (source, target) in SIDEWAYS or family(source) == family(target)
            ):
                continue  # a listed edge, or one family (readers_sql -> readers, ckan_* -> ckan_*)
            problems.append(
                f"{source} (layer {layer(source)}) imports {target} (layer {layer(target)})"
            )
    assert not problems, "\n".join(problems)


def test_cli_is_thin():
    """publish.py parses, calls pipelines/ and prints: it imports no stage directly."""
    stages = {
        name.split(".")[1]
        for name in imports_of(ROOT / "publish.py")
        if name.startswith("pipelines.") and layer(name.split(".")[1]) == STAGE_LAYER
    }
    assert not stages - {"ckan_harvest"}, stages


def test_the_checker_catches_a_sideways_import(tmp_path):
    """The rule itself can fail: a stage importing another stage is reported."""
    module = tmp_path / "validate.py"
    module.write_text("from .load import insert_rows\n")
    assert "pipelines.load" in imports_of(module)
    assert layer("validate") == layer("load") == STAGE_LAYER
    assert ("validate", "load") not in SIDEWAYS and family("validate") != family("load")
