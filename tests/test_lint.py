"""Ruff (lint and format) is part of the suite, so CI refuses code that is not clean."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_ruff_check_is_clean():
    result = ruff("check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_command_and_dataset_is_documented_in_the_readme():
    """STYLE: docs are tested. A new subcommand or dataset must appear in README.md."""
    import argparse

    import publish
    from pipelines.core.registry import load_catalog

    readme = (ROOT / "README.md").read_text()
    parser = publish._parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name in commands.choices:
        assert f"`.venv/bin/python publish.py {name}" in readme, f"publish.py {name} not in README"
    for dataset_id in load_catalog().datasets:
        assert f"`{dataset_id}`" in readme, f"dataset {dataset_id} is not in README.md"


def test_readme_commands_use_the_venv_python():
    """A bare `python` is not on a fresh Debian machine: every command README gives must run
    there as written, starting with the two set-up commands."""
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"(?<![/\w.])python publish\.py", readme) is None
    first = readme.index("```sh\n") + len("```sh\n")
    assert readme[first:].startswith(
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/python publish.py build "
        "&& .venv/bin/python publish.py serve"
    )


def test_readme_dataset_table_is_what_the_default_build_publishes(real):
    """The table is generated (`publish.py readme`), never kept by hand: regenerated from the
    default build, it must equal README's, and name every real dataset with its row count."""
    import publish
    from pipelines.catalog.readme_table import dataset_table, table_in
    from pipelines.core.manifest import Manifest
    from pipelines.core.registry import load_catalog

    generated = dataset_table(load_catalog(), Manifest.load(real.output))
    assert table_in(ROOT / "README.md") == generated, "run `.venv/bin/python publish.py readme`"
    for dataset_id, entry in real.manifest["datasets"].items():
        rows = sum(r["rows"] for r in entry["resources"].values())
        shown = f"{rows:,}".replace(",", ".")  # Indonesian digit grouping, as the coverage
        assert f"| `{dataset_id}` |" in generated and f"| {shown} |" in generated, dataset_id
    assert publish.main(["readme", "--output", str(real.output), "--check"]) == 0
