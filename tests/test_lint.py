"""Ruff (lint and format) is part of the suite, so CI refuses code that is not clean."""

from __future__ import annotations

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
    from pipelines.registry import load_catalog

    readme = (ROOT / "README.md").read_text()
    parser = publish._parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name in commands.choices:
        assert f"`python publish.py {name}" in readme, f"publish.py {name} is not in README.md"
    for dataset_id in load_catalog().datasets:
        assert f"`{dataset_id}`" in readme, f"dataset {dataset_id} is not in README.md"
