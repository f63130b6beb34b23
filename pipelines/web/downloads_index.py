"""`/downloads/<dataset>/`: a page listing the dataset's files with their sizes and SHA-256.

The static site has no index page in a downloads folder (a static host would show its own listing
or nothing), so the server writes one: every file in the folder, its size and its SHA-256 as the
release's manifest records it (the build hashed them when it wrote them). A file the manifest does
not list (a reference subset that datapackage.json ships) is hashed here once: the release is
immutable, so the answer is cached per file.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ..core.checksum import sha256_file
from ..core.layout import DOWNLOADS, MANIFEST_FILE
from ..core.manifest import Manifest


def _manifest_hashes(release: Path) -> dict[str, str]:
    """Site-relative path -> SHA-256 of every download the manifest records."""
    if not (release / MANIFEST_FILE).is_file():
        return {}
    manifest = Manifest.load(release)
    found = {}
    for entry in manifest.datasets.values():
        files = [entry.datapackage, entry.zip]
        files += [d for table in entry.resources.values() for d in table.get("downloads", [])]
        found.update({d["path"]: d["sha256"] for d in files if d})
    return found


@cache
def _hash(path: Path, size: int, mtime: float) -> str:
    return sha256_file(path)


def listing(site: Path, folder: Path) -> list[dict]:
    """The files of `folder` (a dataset's downloads), sorted by name: name, bytes, sha256."""
    known = _manifest_hashes(site.parent)
    files = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        stat = path.stat()
        relative = path.relative_to(site).as_posix()
        digest = known.get(relative) or _hash(path, stat.st_size, stat.st_mtime)
        files.append({"name": path.name, "bytes": stat.st_size, "sha256": digest})
    return files


def downloads_folder(site: Path, path: str) -> Path | None:
    """The dataset folder `downloads/<id>/` that `path` names, or None."""
    parts = path.strip("/").split("/")
    if len(parts) != 2 or parts[0] != DOWNLOADS or parts[1] in ("", ".", ".."):
        return None
    folder = (site / DOWNLOADS / parts[1]).resolve()
    return folder if folder.is_dir() and folder.is_relative_to(site) else None
