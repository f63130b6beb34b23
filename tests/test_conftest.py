"""The test suite's own promises: a run in CI never passes by skipping the real-data tests."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT

PROBE = "tests/core/test_indonesian.py::test_real_djpk_apbd_amounts"  # needs ../shared/realdata


def run_probe(tmp_path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "CI"}
    environment |= {"JENDELA_REALDATA": str(tmp_path / "absent"), **env}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", "-rs", PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_missing_real_data_fails_in_ci(tmp_path):
    result = run_probe(tmp_path, CI="true")
    assert result.returncode == 1, result.stdout
    assert "1 error" in result.stdout
    assert f"CI: {tmp_path / 'absent'} tidak ada" in result.stdout
    assert "is absent: these tests read the shared real public data in place" in result.stdout


def test_missing_real_data_skips_on_a_fresh_clone(tmp_path):
    result = run_probe(tmp_path)
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout and "tidak ada" in result.stdout


def test_ci_script_sets_ci():
    script = (ROOT / ".ci/run").read_text()
    assert "export CI=" in script
    assert script.index("export CI=") < script.index("-m pytest")
