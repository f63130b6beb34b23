"""The vectorised parsers change speed, never output: a build of the sample catalog with every
cell parsed by the scalar parsers alone (JENDELA_SCALAR_PARSE=1, the reference) publishes the
same bytes as the default build, which runs the vectorised forms (core/indonesian_vector.py).
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
    monkeypatch.setenv(SCALAR_ENV, "1")
    output = tmp_path / "build"
    result = run_publish("build", "--quiet", "--output", str(output))
    assert result.returncode == 0, result.stdout + result.stderr
    assert dump_of(output) == dump_of(built_catalog)
    assert tree_digest(output / "site") == tree_digest(built_catalog / "site")
    for name in ("manifest.json", "facet_counts.json", "metadata.json"):
        assert (output / name).read_bytes() == (built_catalog / name).read_bytes(), name
    assert tree_digest(output / "reports") == tree_digest(built_catalog / "reports")
