"""Fetch stage: bring each raw input into the cache, checksummed, with a provenance sidecar.

Raw inputs are immutable (DESIGN rule 8): later stages read only the cached copy, and the sidecar
records where it came from, when, its size and its SHA-256, so a published table can be traced
back to the exact bytes it was built from.
"""

from __future__ import annotations

import datetime as dt
import gzip
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
        target = target_dir / published_name(source.relative_to(base))
        target.parent.mkdir(parents=True, exist_ok=True)
        checksum = sha256_file(source)
        if not target.is_file() or _read_json(_sidecar(target)).get("stored_sha256") != checksum:
            _atomic_copy(source, target)
        fetched.append(_record(dataset, resource, _display(source), target, stored=checksum))
    return fetched


def published_name(path: Path) -> Path:
    """The name a snapshot had at its source: `wilayah.sql.gz` is kept compressed in the
    repository to keep the checkout light, but readers, checksums and provenance see the file
    as the source published it (`wilayah.sql`)."""
    return path.with_suffix("") if path.suffix == ".gz" else path


def open_published(path: Path):
    """The bytes of a snapshot as its source published them (decompressing a `.gz` copy)."""
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")  # noqa: SIM115


def sha256_published(path: Path) -> str:
    """SHA-256 of the file as the source published it, whatever form the repository keeps."""
    digest = hashlib.sha256()
    with open_published(path) as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


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
    dataset: Dataset, resource: Resource, origin: str, target: Path, stored: str | None = None
) -> FetchedFile:
    """The provenance of a cached file. `stored`, the checksum of the file as the repository or
    the user keeps it, lets an unchanged input skip both the copy and a second hash of the
    cached bytes (a compressed snapshot's cached copy is hashed once, when it changes)."""
    sidecar = _sidecar(target)
    provenance = _read_json(sidecar)
    if stored and provenance.get("stored_sha256") == stored and provenance.get("source") == origin:
        return FetchedFile(target, provenance["sha256"], target.stat().st_size, provenance)
    checksum = sha256_file(target)
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
    if stored and provenance.get("stored_sha256") != stored:
        provenance["stored_sha256"] = stored
        sidecar.write_text(json.dumps(provenance, indent=2, ensure_ascii=False) + "\n")
    return FetchedFile(target, checksum, target.stat().st_size, provenance)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}


def _atomic_copy(source: Path, target: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".fetch-")
    with os.fdopen(fd, "wb") as out, open_published(source) as handle:
        shutil.copyfileobj(handle, out, CHUNK)
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
