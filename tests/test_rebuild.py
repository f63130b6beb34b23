"""Nothing built twice (issue 15, stages/reuse.py): a rebuild whose inputs and code did not change
does no work; a change in one dataset rebuilds that dataset (and what reads it) and takes the
rest from the published release, with a result byte-identical to a full build.

What was rebuilt is read off the build's own progress lines (stderr): a dataset that is built
prints its stages (`read+normalise`), one that is taken prints the reuse line.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import ROOT, publish_in, tree_digest

from pipelines.stages import reuse

REUSED = "dipakai ulang dari rilis sebelumnya / reused from the previous release"
UNCHANGED = "nothing changed since the published release"


def build(project: Path, output: Path, *args: str):
    result = publish_in(project, "build", "--output", str(output), *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def progress(stderr: str) -> dict[str, str]:
    """Dataset id -> "reused" or "built", from the build's progress lines."""
    found: dict[str, str] = {}
    current = None
    for line in stderr.splitlines():
        match = re.match(r"\[\d+/\d+\] (\S+)$", line)
        if match:
            current = match.group(1)
            found[current] = "?"
        elif current and REUSED in line:
            found[current] = "reused"
        elif current and "read+normalise" in line:
            found[current] = "built"
    return found


def built(stderr: str) -> set[str]:
    return {d for d, how in progress(stderr).items() if how == "built"}


def dataset_ids(project: Path) -> set[str]:
    return {p.parent.name for p in (project / "datasets").glob("*/datapackage.yaml")}


def referrers(project: Path, table: str) -> set[str]:
    """Datasets whose descriptors declare a foreign key to `table`, read from the YAML."""
    found = set()
    for path in (project / "datasets").glob("*/datapackage.yaml"):
        descriptor = yaml.safe_load(path.read_text(encoding="utf-8"))
        for resource in descriptor.get("resources", []):
            keys = (resource.get("schema") or {}).get("foreignKeys") or []
            if any(k["reference"]["resource"] == table for k in keys):
                found.add(path.parent.name)
    return found


def database_rows(path: Path) -> dict[str, list]:
    """Schema and every row (with its rowid where the table has one) of a SQLite file."""
    conn = sqlite3.connect(path)
    try:
        found = {"schema": conn.execute("SELECT * FROM sqlite_master ORDER BY rowid").fetchall()}
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            try:
                rows = conn.execute(f"SELECT rowid, * FROM [{name}] ORDER BY rowid").fetchall()
            except sqlite3.OperationalError:  # WITHOUT ROWID
                rows = sorted(conn.execute(f"SELECT * FROM [{name}]").fetchall(), key=repr)
            found[name] = rows
        return found
    finally:
        conn.close()


# Imported by every stage that touches rows, and most of a rebuild's cost when nothing changed:
# the no-op rebuild of the real catalog took 0.83-0.97 s with them, 0.40-0.49 s without.
DATA_LIBRARIES = ("pandas", "pyarrow", "numpy", "sqlite_utils", "frictionless", "datasette")


def data_libraries_imported(project: Path, output: Path) -> list[str]:
    """The DATA_LIBRARIES that `publish.py build` imports when nothing changed, read from the
    modules of a fresh interpreter after it ran (`python publish.py` in a process of its own)."""
    argv = [
        "--datasets-dir", str(project / "datasets"), "--metadata-dir", str(project / "metadata"),
        "build", "--quiet", "--output", str(output),
    ]  # fmt: skip
    script = (
        "import json, sys; sys.argv[0] = 'publish.py'; import publish\n"
        f"code = publish.main({json.dumps(argv)})\n"
        f"print(json.dumps([code, [m for m in {list(DATA_LIBRARIES)!r} if m in sys.modules]]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    code, imported = json.loads(result.stdout.splitlines()[-1])
    assert code == 0 and UNCHANGED in result.stdout, result.stdout + result.stderr
    return imported


def test_nothing_changed_means_no_work_and_force_builds_again(small_project, tmp_path):
    output = tmp_path / "out" / "build"
    first = build(small_project, output)
    assert built(first.stderr) == dataset_ids(small_project)
    release = output.resolve()
    digest = tree_digest(output)
    folders = sorted(p.name for p in release.parent.iterdir())

    again = build(small_project, output)
    assert UNCHANGED in again.stdout and "tidak ada yang berubah" in again.stdout
    assert progress(again.stderr) == {}, again.stderr  # not one dataset started
    assert output.resolve() == release
    assert sorted(p.name for p in release.parent.iterdir()) == folders
    assert tree_digest(output) == digest
    # The command a user runs again, in a fresh interpreter: no data library is imported.
    assert data_libraries_imported(small_project, output) == []

    forced = build(small_project, output, "--force")
    assert UNCHANGED not in forced.stdout
    assert built(forced.stderr) == dataset_ids(small_project)
    assert output.resolve() != release
    assert tree_digest(output) == digest  # the same inputs give the same bytes


def test_a_changed_day_renders_the_site_again_from_the_same_datasets(small_project, tmp_path):
    output = tmp_path / "out" / "build"
    build(small_project, output, "--today", "2026-01-05")
    later = build(small_project, output, "--today", "2026-01-06")
    assert UNCHANGED not in later.stdout
    assert set(progress(later.stderr).values()) == {"reused"}


def test_one_changed_snapshot_rebuilds_one_dataset_byte_identical_to_a_full_build(
    copy_project, tmp_path
):
    incremental = tmp_path / "incremental" / "build"
    build(copy_project, incremental)
    full = tmp_path / "full"
    shutil.copytree(incremental.parent, full, symlinks=True)
    full = full / "build"

    source = copy_project / "datasets" / "tender-kota-bogor" / "data" / "tender.csv"
    text = source.read_text(encoding="utf-8")
    assert text.count('"Rp 8.612.450.000,00"') == 1
    source.write_text(text.replace('"Rp 8.612.450.000,00"', '"Rp 8.612.460.000,00"'), "utf-8")

    published = incremental.resolve()
    published_digest = tree_digest(published)
    changed = build(copy_project, incremental)
    # The release it took files from is untouched (hard links are never written through).
    assert incremental.resolve() != published
    assert tree_digest(published) == published_digest
    assert built(changed.stderr) == {"tender-kota-bogor"} | referrers(copy_project, "tender")
    reused = {d for d, how in progress(changed.stderr).items() if how == "reused"}
    assert reused == dataset_ids(copy_project) - built(changed.stderr)
    conn = sqlite3.connect(incremental / "jendela.db")
    values = [r[0] for r in conn.execute("SELECT nilai_kontrak_rp FROM tender")]
    conn.close()
    assert 8_612_460_000 in values and 8_612_450_000 not in values

    forced = build(copy_project, full, "--force")
    assert built(forced.stderr) == dataset_ids(copy_project)
    assert database_rows(incremental / "jendela.db") == database_rows(full / "jendela.db")
    assert tree_digest(incremental) == tree_digest(full)


def test_a_descriptor_change_rebuilds_its_dataset_and_a_metadata_change_rebuilds_all(
    copy_project, tmp_path
):
    # The Kota Bogor pair (a foreign key to the region table) and a dataset with no foreign key.
    keep = {"wilayah-kota-bogor", "penduduk-kota-bogor", "wilayah-bps-emsifa"}
    for folder in (copy_project / "datasets").iterdir():
        if folder.is_dir() and folder.name not in keep:
            shutil.rmtree(folder)
    small_project = copy_project
    assert referrers(small_project, "wilayah") - {"wilayah-kota-bogor"} == {"penduduk-kota-bogor"}
    output = tmp_path / "out" / "build"
    build(small_project, output)
    descriptor = small_project / "datasets" / "penduduk-kota-bogor" / "datapackage.yaml"
    descriptor.write_text(descriptor.read_text(encoding="utf-8") + "\n# diubah\n", "utf-8")
    after_descriptor = build(small_project, output)
    assert built(after_descriptor.stderr) == {"penduduk-kota-bogor"}

    # The region table may be read by any dataset (codes and names looked up, checks), with or
    # without a foreign key to it: all rebuild.
    region = small_project / "datasets" / "wilayah-kota-bogor" / "datapackage.yaml"
    region.write_text(region.read_text(encoding="utf-8") + "\n# diubah\n", "utf-8")
    assert built(build(small_project, output).stderr) == dataset_ids(small_project)

    licences = small_project / "metadata" / "licences.yaml"
    assert licences.is_file()
    licences.write_text(licences.read_text(encoding="utf-8") + "\n# diubah\n", "utf-8")
    assert built(build(small_project, output).stderr) == dataset_ids(small_project)


def test_the_code_digest_changes_with_any_file_of_the_code(tmp_path):
    root = tmp_path / "root"
    for name in reuse.CODE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, root / name)
    before = reuse.code_digest(ROOT / "metadata", root)
    assert reuse.code_digest(ROOT / "metadata", root) == before
    template = next((root / "site").rglob("*.html"))
    template.write_text(template.read_text(encoding="utf-8") + " ", encoding="utf-8")
    after_template = reuse.code_digest(ROOT / "metadata", root)
    assert after_template != before
    (root / "pipelines" / "stages" / "new_stage.py").write_text("X = 1\n", encoding="utf-8")
    assert reuse.code_digest(ROOT / "metadata", root) != after_template


def test_the_code_digest_changes_with_an_installed_dependency(monkeypatch):
    """A dependency upgraded (here pandas, as its package metadata would say) rebuilds all."""
    before = reuse.code_digest(ROOT / "metadata")
    installed = reuse.metadata.version

    def upgraded(name: str) -> str:
        return "99.0" if name == "pandas" else installed(name)

    monkeypatch.setattr(reuse.metadata, "version", upgraded)
    reuse._versions.cache_clear()  # as a new process would read them
    try:
        assert "pandas 99.0" in reuse._versions()
        assert reuse.code_digest(ROOT / "metadata") != before
    finally:
        monkeypatch.undo()
        reuse._versions.cache_clear()
    assert reuse.code_digest(ROOT / "metadata") == before


def test_the_manifest_records_every_digest(small_project, tmp_path):
    import json

    output = tmp_path / "out" / "build"
    build(small_project, output)
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["inputs_sha256"])
    digests = {d: e["inputs_sha256"] for d, e in manifest["datasets"].items()}
    assert set(digests) == dataset_ids(small_project)
    assert all(re.fullmatch(r"[0-9a-f]{64}", v) for v in digests.values())
    assert len(set(digests.values())) == len(digests)
