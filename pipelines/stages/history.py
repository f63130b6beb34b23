"""Release history: an id derived from what a release holds, and the last N releases kept
downloadable at addresses that name that id, so a citation points at bytes that never move.

The id is the first 16 hex digits of a SHA-256 over the manifest's checksums (core/manifest.py
lists every published file with its own): two builds of the same data get the same id, wherever
their inputs were read from, and any changed cell gives another. Nothing that depends on the day
or on earlier releases is in it.

Each release's site carries `rilis/<id>/` for itself and for up to N-1 releases before it (the
database, the manifest and the downloads), plus `rilis/index.json` listing them newest first.
Files are hard links to the previous release's copies (a release never changes a file it
published), so keeping N releases costs no more disk than the files that differ; pruning a
release folder (core/release.py) never removes an archived file another release still links.
A rebuild with the same id keeps the history as it was, with the date of the first build.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from ..core.checksum import sha256_file
from ..core.errors import DescriptorError
from ..core.layout import (
    DATABASE_FILE,
    DOWNLOADS,
    MANIFEST_FILE,
    RELEASES_DIR,
    RELEASES_INDEX,
    site_dir,
)
from ..core.manifest import Manifest
from ..core.model import read_yaml

DEFAULT_KEEP = 5
ID_DIGITS = 16


def release_id(release: Path, manifest: Manifest) -> str:
    """The id of `release`: a digest of its manifest of checksums, one line per published file
    (`path sha256`, sorted). Where the inputs were read from (a path in the manifest's sources)
    and whether a dataset was rebuilt or carried do not count: the same data gives the same id."""
    lines = []
    for entry in manifest.datasets.values():
        files = [d for r in entry.resources.values() for d in r.get("downloads", [])]
        files += [d for d in (entry.datapackage, entry.zip) if d]
        lines += [f"{d['path']} {d['sha256']}" for d in files]
    for path in manifest.indicators.get("downloads", []):
        lines.append(f"{path} {sha256_file(site_dir(release) / path)}")
    digest = hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()
    return digest[:ID_DIGITS]


def read_history(release: Path | None) -> list[dict]:
    """The release history as `release` published it, newest first; empty when it has none."""
    if release is None:
        return []
    path = site_dir(release) / RELEASES_DIR / RELEASES_INDEX
    try:
        return json.loads(path.read_text(encoding="utf-8"))["releases"]
    except (FileNotFoundError, ValueError, KeyError):
        return []


def next_history(previous: list[dict], new_id: str, today: str, keep: int) -> list[dict]:
    """The history after publishing `new_id`: itself first, then the older ones, `keep` at most.
    A rebuild with the id already newest changes nothing (the date stays the first build's)."""
    if previous and previous[0]["id"] == new_id:
        return previous[:keep]
    older = [entry for entry in previous if entry["id"] != new_id]
    return [{"id": new_id, "date": today}, *older][: max(keep, 1)]


def plan(previous: Path | None, new_id: str, today: str, keep: int) -> list[dict]:
    """The history the new release will publish: `next_history` of what `previous` published,
    without older releases whose files `previous` no longer holds (removed by hand)."""
    history = next_history(read_history(previous), new_id, today, keep)
    own, *older = history
    return [own] + [e for e in older if previous and (_archived(previous, e["id"])).is_dir()]


def archived_database(release: Path | None, release_id: str | None) -> Path | None:
    """The database of release `release_id` as archived in `release`, or None."""
    if release is None or release_id is None:
        return None
    path = _archived(release, release_id) / DATABASE_FILE
    return path if path.is_file() else None


def keep_releases(metadata_dir: Path) -> int:
    """N, the number of releases kept downloadable: `releases.keep` in metadata/catalog.yaml
    (DEFAULT_KEEP when unset); anything but a whole number from 1 up stops the build (exit 2)."""
    settings = read_yaml(metadata_dir / "catalog.yaml") or {}
    value = (settings.get("releases") or {}).get("keep", DEFAULT_KEEP)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DescriptorError(
            str(metadata_dir / "catalog.yaml"),
            "releases.keep",
            f"harus bilangan bulat 1 atau lebih, tertulis {value!r} / must be a whole number "
            f"of 1 or more, got {value!r}",
        )
    return value


def _archived(release: Path, release_id: str) -> Path:
    return site_dir(release) / RELEASES_DIR / release_id


def base_of(history: list[dict]) -> str | None:
    """The release the newest one is compared with: the one before it, or None."""
    return history[1]["id"] if len(history) > 1 else None


def archive(release: Path, previous: Path | None, history: list[dict]) -> None:
    """Fill `site/rilis/` of `release` (call it when the database is final): this release's
    files under its own id, each older release of `history` (from `plan`) linked from
    `previous`, and the index; each entry gains its folder and its database's checksum."""
    folder = site_dir(release) / RELEASES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    own, *older = history
    if previous is not None and (_archived(previous, own["id"]) / DATABASE_FILE).is_file():
        older = history  # a rebuild of the same data keeps the bytes first published under its id
    else:
        _archive_own(release, folder / own["id"])
    for entry in older:
        link_tree(_archived(previous, entry["id"]), folder / entry["id"])
    for entry in history:
        entry["files"] = f"{RELEASES_DIR}/{entry['id']}/"
        entry["database_sha256"] = sha256_file(folder / entry["id"] / DATABASE_FILE)
    text = json.dumps({"releases": history}, indent=2, ensure_ascii=False, sort_keys=True)
    (folder / RELEASES_INDEX).write_text(text + "\n", encoding="utf-8")


def _archive_own(release: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in (DATABASE_FILE, MANIFEST_FILE):
        link_file(release / name, target / name)
    downloads = site_dir(release) / DOWNLOADS
    if downloads.is_dir():
        link_tree(downloads, target / DOWNLOADS)


def link_tree(source: Path, target: Path) -> None:
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.is_symlink():
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            link_file(path, destination)


def link_file(source: Path, target: Path) -> None:
    """A hard link where the file system allows one, else a copy (same bytes either way)."""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
