"""Fetch stage: bring each raw input into the cache, checksummed, with a provenance sidecar.

Raw inputs are immutable (DESIGN rule 8): later stages read only the cached copy, and the sidecar
records where it came from, when, its size and its SHA-256, so a published table can be traced
back to the exact bytes it was built from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .errors import FetchError
from .model import ROOT, Dataset, Resource

CACHE_DIR = ROOT / ".cache" / "raw"
CHUNK = 1 << 20


@dataclass(frozen=True)
class FetchedFile:
    path: Path
    sha256: str
    size: int
    provenance: dict


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def fetch_resource(
    dataset: Dataset,
    resource: Resource,
    cache_dir: Path = CACHE_DIR,
    remote: bool = False,
    override: Path | None = None,
) -> list[FetchedFile]:
    """Copy the input files (or download the remote one) into the cache.

    A copy is skipped when the cached copy's provenance records the same checksum, so an
    unchanged input is read once (to hash it) and keeps its original provenance record.
    """
    target_dir = cache_dir / dataset.id / resource.name
    target_dir.mkdir(parents=True, exist_ok=True)
    if remote and resource.source_url and override is None:
        origin = resource.source_url
        name = Path(urllib.request.urlparse(origin).path).name or f"{resource.name}.raw"
        target = target_dir / name
        _download(origin, target)
        return [_record(dataset, resource, origin, target)]
    files = resource.source_files(override)
    if not files:
        wanted = override or resource.ext["source"]["path"]
        raise FetchError(f"{dataset.id}/{resource.name}: no input file matches {wanted}")
    base = Path(os.path.commonpath([f.parent for f in files]))
    fetched = []
    for source in files:
        target = target_dir / source.relative_to(base)
        target.parent.mkdir(parents=True, exist_ok=True)
        checksum = sha256_file(source)
        if not target.is_file() or _read_json(_sidecar(target)).get("sha256") != checksum:
            _atomic_copy(source, target)
        fetched.append(_record(dataset, resource, _display(source), target, checksum))
    return fetched


def _display(path: Path) -> str:
    """A path as people should see it in messages: inside the project, relative to it."""
    path = path.absolute()
    for base in (ROOT, Path.cwd()):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return path.as_posix()


def _sidecar(target: Path) -> Path:
    return target.with_name(target.name + ".provenance.json")


def _record(
    dataset: Dataset, resource: Resource, origin: str, target: Path, checksum: str | None = None
) -> FetchedFile:
    """The provenance of a cached file. `checksum`, when the caller already hashed the bytes it
    copied, saves reading a large file a second time."""
    checksum = checksum or sha256_file(target)
    sidecar = _sidecar(target)
    provenance = _read_json(sidecar)
    if provenance.get("sha256") != checksum or provenance.get("source") != origin:
        provenance = {
            "dataset": dataset.id,
            "resource": resource.name,
            "source": origin,
            "licenses": [lic["name"] for lic in dataset.descriptor["licenses"]],
            "fetched": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "bytes": target.stat().st_size,
            "sha256": checksum,
        }
        sidecar.write_text(json.dumps(provenance, indent=2, ensure_ascii=False) + "\n")
    return FetchedFile(target, checksum, target.stat().st_size, provenance)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}


def _atomic_copy(source: Path, target: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".fetch-")
    os.close(fd)
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def _download(url: str, target: Path, timeout: float = 60.0) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".fetch-")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            shutil.copyfileobj(response, out, CHUNK)
        os.replace(tmp, target)
    except (urllib.error.URLError, OSError) as exc:
        Path(tmp).unlink(missing_ok=True)
        raise FetchError(f"could not download {url}: {exc}") from exc
