"""The swap of `build/` is atomic and old releases are pruned, watched by a reader in a process.

A reader (a web server, rsync, a user's script) opens `build/` at any moment: it must find a
complete release there, old or new, never nothing and never a half-written folder. The reader
below runs in its own process, as a real one would, and polls while releases are published.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import publish_in

from pipelines.core import release as releases

# Resolve the link once, then read inside the release it named: what a careful reader does.
# A release pruned while it is read (here releases change every millisecond) is not counted: that
# reader would simply retry. Pruning removes a release's completion marker before anything else
# (core/release.py), so a file missing while the marker is still there is a half release: a
# failure, however slow the machine (a timing window here made the test flaky under load).
READER = r"""
import json, os, sys, time
build, stop, required, marker = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
seen, missing, incomplete, pruned = set(), 0, [], 0
open(stop + ".started", "w").close()
while not os.path.exists(stop):
    try:
        target = os.path.join(os.path.dirname(build), os.readlink(build))
    except OSError:
        missing += 1
        continue
    try:
        with open(os.path.join(target, "manifest.json"), "rb") as handle:
            json.loads(handle.read())
        for name in required:
            with open(os.path.join(target, name), "rb"):
                pass
        seen.add(target)
    except (OSError, ValueError) as exc:
        if os.path.exists(os.path.join(target, marker)):
            incomplete.append(f"{target}: {exc!r}")
        else:
            pruned += 1
print(json.dumps({"seen": sorted(seen), "missing": missing, "incomplete": incomplete[:5],
                  "pruned": pruned}))
"""


def start_reader(build: Path, stop: Path, required: list[str]) -> subprocess.Popen:
    """The reader above, polling from the moment this returns (a busy machine can take longer to
    start a Python than a small build takes)."""
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            READER,
            str(build),
            str(stop),
            json.dumps(required),
            releases.COMPLETE_MARKER,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    started = Path(f"{stop}.started")
    deadline = time.monotonic() + 60
    while not started.exists() and reader.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert started.exists(), "the polling reader did not start"
    return reader


def stop_reader(reader: subprocess.Popen, stop: Path) -> dict:
    stop.touch()
    out, _ = reader.communicate(timeout=60)
    return json.loads(out)


def make_release(output: Path, marker: int) -> Path:
    """A small complete release: a manifest naming it and a page, written before the swap."""
    release = releases.new_release(output)
    (release / "site").mkdir()
    (release / "site/index.html").write_text(f"<p>{marker}</p>", encoding="utf-8")
    (release / "manifest.json").write_text(json.dumps({"marker": marker}), encoding="utf-8")
    return release


def release_folders(output: Path) -> set[Path]:
    folder = releases.releases_dir(output)
    return {p for p in folder.iterdir() if p.is_dir() and p.name.startswith("release-")}


def test_a_polling_reader_always_finds_a_whole_release(tmp_path):
    """300 swaps while another process reads: `build/` never goes missing, every release it
    names is whole, and pruning keeps exactly the current and the previous release."""
    output = tmp_path / "build"
    releases.publish(output, make_release(output, 0), releases.current_release(output))
    stop = tmp_path / "stop"
    reader = start_reader(output, stop, ["site/index.html"])
    time.sleep(0.3)  # the reader is polling
    published = []
    for marker in range(1, 301):
        release = make_release(output, marker)
        releases.publish(output, release, releases.current_release(output))
        published.append(release)
        if marker % 50 == 0:
            time.sleep(0.05)  # let the reader see this one
    result = stop_reader(reader, stop)

    assert result["missing"] == 0, result
    assert result["incomplete"] == [], result
    assert len(result["seen"]) > 1, result  # it watched releases change
    assert releases.current_release(output) == published[-1].resolve()
    assert json.loads((output / "manifest.json").read_text()) == {"marker": 300}
    assert release_folders(output) == {p.resolve() for p in published[-2:]}
    assert not list(releases.releases_dir(output).glob(".link-*"))


def test_an_old_plain_build_folder_is_kept_aside_and_replaced_by_the_link(tmp_path):
    output = tmp_path / "build"
    output.mkdir()
    (output / "manifest.json").write_text('{"marker": "old"}', encoding="utf-8")
    releases.publish(output, make_release(output, 1), releases.current_release(output))
    assert output.is_symlink()
    legacy = releases.releases_dir(output) / "release-legacy"
    assert json.loads((legacy / "manifest.json").read_text()) == {"marker": "old"}


def test_repeated_builds_are_read_whole_by_a_polling_reader(small_project, tmp_path):
    """Three real builds of one dataset (the population; the region list is carried) while a
    reader polls: it always finds the manifest and the dataset's download, and two releases
    remain on disk."""
    output = tmp_path / "out" / "build"
    assert publish_in(small_project, "build", "-q", "--output", str(output)).returncode == 0
    stop = tmp_path / "stop"
    reader = start_reader(output, stop, ["site/downloads/penduduk-kota-bogor/penduduk.csv"])
    targets = [releases.current_release(output)]
    for _ in range(3):
        # --force: the same inputs would otherwise leave the published release as it is
        result = publish_in(
            small_project, "build", "-q", "--force", "--output", str(output), "penduduk-kota-bogor"
        )
        assert result.returncode == 0, result.stdout + result.stderr
        targets.append(releases.current_release(output))
    watched = stop_reader(reader, stop)

    assert watched["missing"] == 0 and watched["incomplete"] == [], watched
    assert len(set(watched["seen"])) >= 2, watched
    assert len(set(targets)) == 4
    assert release_folders(output) == set(targets[-2:])


def test_pruning_removes_every_release_but_the_last_two_and_nothing_else(tmp_path):
    """Releases left by earlier runs (four here) all go at the next publish except the newest
    two; a folder or file of another name beside them is not touched."""
    output = tmp_path / "nested" / "out" / "build"  # folders that do not exist yet
    left = [make_release(output, n) for n in range(4)]
    for n, release in enumerate(left):  # complete releases of earlier runs (core/release.py)
        marker = release / releases.COMPLETE_MARKER
        marker.touch()
        os.utime(marker, (1_000 + n, 1_000 + n))  # oldest first
    other = releases.releases_dir(output) / "catatan"
    other.mkdir()
    note = releases.releases_dir(output) / "release-notes.txt"
    note.write_text("bukan rilis / not a release", encoding="utf-8")
    newest = make_release(output, 4)

    releases.publish(output, newest, releases.current_release(output))

    assert release_folders(output) == {left[-1], newest}  # the newest two
    assert other.is_dir() and note.is_file()
    assert releases.current_release(output) == newest.resolve()


def test_current_release_of_a_plain_folder_and_of_nothing(tmp_path):
    output = tmp_path / "build"
    assert releases.current_release(output) is None
    output.mkdir()
    assert releases.current_release(output) == output
    releases.discard(tmp_path / "never-made")  # discarding what is not there is not an error


def test_reports_link_points_into_the_site_only_when_it_has_reports(tmp_path):
    """`build/reports` is a link to `site/reports` for people and scripts; a release without
    reports gets no dangling link."""
    output = tmp_path / "build"
    with_reports = make_release(output, 1)
    (with_reports / "site/reports/contoh").mkdir(parents=True)
    releases.publish(output, with_reports, releases.current_release(output))
    assert (output / "reports").is_symlink() and (output / "reports/contoh").is_dir()
    assert os.readlink(output / "reports") == "site/reports"
    without = make_release(output, 2)
    releases.publish(output, without, releases.current_release(output))
    assert not os.path.lexists(output / "reports")
