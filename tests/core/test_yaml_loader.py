"""read_yaml parses with libyaml's C loader for speed (core/model.py); it must read every YAML file
the project ships exactly as PyYAML's pure-Python safe loader does, errors included."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from pipelines.core.errors import DescriptorError
from pipelines.core.model import YAML_LOADER, read_yaml

FOLDERS = ("datasets", "metadata", "site", "tests/fixtures")


def shipped_yaml() -> list[Path]:
    found = [p for folder in FOLDERS for p in (ROOT / folder).rglob("*.y*ml")]
    return sorted(found + list(ROOT.glob("*.yaml")))


def test_the_fast_loader_is_libyaml():
    assert YAML_LOADER is yaml.CSafeLoader


def test_every_shipped_yaml_file_reads_the_same_as_with_the_pure_python_loader():
    files = shipped_yaml()
    assert len(files) > 50 and ROOT / "datasette.yaml" in files
    for path in files:
        with open(path, encoding="utf-8") as handle:
            reference = yaml.load(handle, Loader=yaml.SafeLoader)
        assert read_yaml(path) == reference, path


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\n  b: 2\n",  # bad indentation
        "a: [1, 2\n",  # unclosed flow sequence
        "a: 'unterminated\n",
        "a: 1\na: *missing\n",  # unknown alias
    ],
)
def test_bad_yaml_is_placed_where_the_pure_python_loader_places_it(tmp_path, text):
    path = tmp_path / "datapackage.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(yaml.YAMLError) as reference:
        yaml.load(text, Loader=yaml.SafeLoader)
    mark = reference.value.problem_mark
    with pytest.raises(DescriptorError) as raised:
        read_yaml(path)
    assert f"line {mark.line + 1}, column {mark.column + 1}" in str(raised.value)
