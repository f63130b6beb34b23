"""The test suite's own promises: a run in CI never passes by skipping the real-data tests, and
the files it hands out first exist."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import FIRST, ROOT

PROBE = "tests/core/test_indonesian.py::test_real_djpk_apbd_amounts"  # needs ../shared/realdata


def run_probe(tmp_path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "CI"}
    environment |= {"JENDELA_REALDATA": str(tmp_path / "absent"), **env}
    # Datasette's own pytest plugin (it closes the servers a test makes) imports all of Datasette
    # when pytest starts, half of the probe's second; the probe makes no server.
    pytest = [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider"]
    return subprocess.run(
        [*pytest, "-p", "no:datasette", "-rs", PROBE],
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


def test_every_file_given_an_early_place_exists():
    """The order files go out to the workers (conftest.FIRST) names files by path; a renamed file
    would silently lose its place and could end a run with a long file on one worker."""
    missing = [path for path in FIRST if not (ROOT / "tests" / path).is_file()]
    assert missing == []


def test_ci_script_sets_ci():
    script = (ROOT / ".ci/run").read_text()
    assert "export CI=" in script
    assert script.index("export CI=") < script.index("-m pytest")


def test_forked_frictionless_reports_what_the_installed_command_reports(built_catalog, tmp_path):
    """`frictionless_validate` runs the command in a child of a warm process
    (tests/forked.py); its report is the installed `frictionless` script's, on a valid
    package and on one whose region rows lost a line (errors, rows, exit code alike)."""
    import json
    import shutil

    from conftest import FRICTIONLESS, frictionless_validate

    def essentials(report: dict) -> list:
        return [report["valid"], report["errors"]] + [
            [task["name"], task["valid"], task["stats"]["rows"], task["errors"]]
            for task in report["tasks"]
        ]

    copy = tmp_path / "apbd-kota-bogor"
    shutil.copytree(built_catalog / "site" / "downloads" / "apbd-kota-bogor", copy)
    valid = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    broken = tmp_path / "broken"
    shutil.copytree(copy, broken)
    lines = (broken / "wilayah.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (broken / "wilayah.csv").write_text("".join(lines[:-1]), encoding="utf-8")
    for folder, expect_valid in ((copy, True), (broken, False)):
        installed = subprocess.run(
            [str(FRICTIONLESS), "validate", "--json", "datapackage.json"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=300,
        )
        expected = json.loads(installed.stdout)
        assert expected["valid"] is expect_valid and (installed.returncode == 0) is expect_valid
        forked = frictionless_validate(folder / "datapackage.json")
        assert essentials(forked) == essentials(expected)
    assert [r["name"] for r in valid["resources"]][-1] == "wilayah"


def test_forked_server_answers_what_the_command_started_anew_answers(built_catalog):
    """`Server` forks `publish.py serve` from a warm interpreter (tests/forked.py); a server
    started as a new process (`python publish.py serve`) gives the same answers: the same plugins
    with the same hooks (imported in another order, our plugin once registered half made and
    every page failed), settings, rows, and a not-found page."""
    import json

    import httpx
    from conftest import PUBLISH, Server, free_port, wait_for_http

    port = free_port()
    anew = subprocess.Popen(
        [*PUBLISH, "serve", "--output", str(built_catalog), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    forked = Server(built_catalog)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/-/versions.json")
        # The plugins in any order: Datasette lists them from a set, in each process its own.
        expected, answer = (
            sorted(httpx.get(url + "/-/plugins.json", timeout=60).json(), key=json.dumps)
            for url in (f"http://127.0.0.1:{port}", forked.url)
        )
        assert answer == expected
        assert any("extra_template_vars" in p["hooks"] for p in answer), answer
        paths = ["/-/settings.json", "/jendela/penduduk.json?_shape=array", "/tidak-ada",
                 "/jendela/tidak-ada.json"]  # fmt: skip
        for path in paths:
            expected = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=60)
            answer = httpx.get(forked.url + path, timeout=60)
            assert (answer.status_code, answer.text) == (expected.status_code, expected.text), path
    finally:
        forked.stop()
        anew.terminate()
        anew.wait(timeout=10)
