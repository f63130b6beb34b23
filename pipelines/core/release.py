"""Release stage: a finished build replaces the published one in a single atomic step.

`build/` is a symbolic link to a release folder beside it (`.build-releases/<n>`). A build writes a
new release folder and only then swaps the link with os.replace, which is atomic on POSIX: readers
see the old release or the new one, never a half-written mix, and a build that fails before the swap
leaves the published release untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .layout import REPORTS, SITE, site_dir

KEEP_RELEASES = 2
# The names inside a release are core/layout.py's.


def releases_dir(output: Path) -> Path:
    return output.parent / f".{output.name}-releases"


def current_release(output: Path) -> Path | None:
    """The folder `output` points at now, or None when nothing was published yet."""
    if output.is_symlink():
        target = output.resolve()
        return target if target.is_dir() else None
    return output if output.is_dir() else None


def new_release(output: Path) -> Path:
    folder = releases_dir(output)
    folder.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=folder, prefix="release-"))


def publish(output: Path, release: Path) -> None:
    """Point `output` at `release` atomically, then prune old releases."""
    reports = release / REPORTS
    if (site_dir(release) / REPORTS).is_dir() and not reports.exists():
        reports.symlink_to(f"{SITE}/{REPORTS}")
    if output.exists() and not output.is_symlink():
        # A plain folder from an older layout: move it aside so the link can take its place.
        os.replace(output, releases_dir(output) / "release-legacy")
    link = release.parent / f".link-{release.name}"
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(release, output.parent), link)
    os.replace(link, output)
    _prune(output, release)


def discard(release: Path) -> None:
    shutil.rmtree(release, ignore_errors=True)


def _prune(output: Path, keep: Path) -> None:
    folder = releases_dir(output)
    releases = sorted(
        (p for p in folder.iterdir() if p.is_dir() and p.name.startswith("release-")),
        key=lambda p: p.stat().st_mtime,
    )
    old = [p for p in releases if p != keep][: max(0, len(releases) - KEEP_RELEASES)]
    for path in old:
        shutil.rmtree(path, ignore_errors=True)
