"""The vectorised parsers change speed, never output: a build of the sample catalog with every
cell parsed by the scalar parsers alone (JENDELA_SCALAR_PARSE=1, the reference) publishes the
same bytes as one with the vectorised forms (core/indonesian_vector.py) for every column
(JENDELA_SCALAR_PARSE=0; the default build picks them only for columns of many distinct values,
and the sample's tables are small), and as the default build.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conftest import run_publish, tree_digest

from pipelines.core.indonesian import SCALAR_ENV


def dump_of(output: Path) -> list[str]:
    """Every table, index and row of the database, as SQL statements."""
    with sqlite3.connect(output / "jendela.db") as db:
        return list(db.iterdump())


def test_scalar_reference_build_publishes_the_same_bytes(built_catalog, tmp_path, monkeypatch):
    """Database rows and schema, every download and site file, the manifest and the reports."""
    outputs = {}
    for setting in ("1", "0"):
        monkeypatch.setenv(SCALAR_ENV, setting)
        outputs[setting] = output = tmp_path / f"build-{setting}"
        result = run_publish("build", "--quiet", "--output", str(output))
        assert result.returncode == 0, result.stdout + result.stderr
    for output, other in ((outputs["0"], outputs["1"]), (outputs["1"], built_catalog)):
        assert dump_of(output) == dump_of(other)
        assert tree_digest(output / "site") == tree_digest(other / "site")
        for name in ("manifest.json", "facet_counts.json", "metadata.json"):
            assert (output / name).read_bytes() == (other / name).read_bytes(), name
        assert tree_digest(output / "reports") == tree_digest(other / "reports")
