"""One default build of the real catalog (datasets/ and its snapshots), shared by the test modules.

Building the full Kemendagri region list (91,599 rows) and the BPS crosswalk takes most of a
minute on this machine, so every test module that reads a real-data table (regions, population,
budget, procurement, messy files, the folder walk) shares one build per test session through the
`real` fixture of conftest.py instead of each making its own (pytest-xdist's workers share it
too). It runs `publish.py build` with no arguments, as README's first command does.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from conftest import run_publish


class RealBuild:
    """The output folder of the real-data build, with its manifest, reports and database."""

    def __init__(self, output: Path):
        self.output = output
        self.manifest = json.loads((output / "manifest.json").read_text())

    def query(self, sql: str, *args) -> list[tuple]:
        with sqlite3.connect(self.output / "jendela.db") as db:
            return db.execute(sql, args).fetchall()

    def report(self, dataset: str, resource: str) -> dict:
        return json.loads((self.output / "reports" / dataset / f"{resource}.json").read_text())

    def resource(self, dataset: str, resource: str) -> dict:
        return self.manifest["datasets"][dataset]["resources"][resource]

    def quarantine_csv(self, dataset: str, resource: str) -> Path:
        return self.output / "site" / "downloads" / dataset / f"{resource}.quarantine.csv"


def real_build(folder: Path) -> RealBuild:
    """The default build into `folder`, exactly as README's first command runs it. The `real`
    fixture calls it once per test run (once for all pytest-xdist workers)."""
    output = folder / "build"
    if not (output / "manifest.json").is_file():
        result = run_publish("build", "--quiet", "--output", str(output), catalog=None)
        if not (output / "manifest.json").is_file():
            raise AssertionError(
                f"the real-data build did not finish:\n{result.stdout}{result.stderr}"
            )
    return RealBuild(output)
