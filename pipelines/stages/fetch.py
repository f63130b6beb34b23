"""Fetch stage: bring each raw input into the cache, checksummed, with a provenance sidecar.

Raw inputs are immutable (DESIGN rule 8): later stages read only the cached copy, and the sidecar
records where it came from, when, its size and its SHA-256, so a published table can be traced
back to the exact bytes it was built from.

Real snapshots kept in `datasets/<id>/source/` also have a provenance record there
(`source/provenance.yaml`, see provenance.py): before a snapshot is read, its SHA-256 and size
must equal the record's, and `remote=True` refreshes the snapshot and its record from the
record's source URL instead of only downloading into the cache.
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..core.checksum import sha256_file
from ..core.errors import FetchError
from ..core.model import ROOT, Dataset, Resource, catalog_name
from ..core.provenance import load_records, manifest_facts, record_path, update_records

CACHE_DIR = ROOT / ".cache" / "raw"
CHUNK = 1 << 20


@dataclass(frozen=True)
class FetchedFile:
    path: Path
    sha256: str
    size: int
    provenance: dict
    record: dict | None = None  # the snapshot's entry in source/provenance.yaml, if it has one

    def as_source(self) -> dict:
        """The manifest's `sources` entry: the input's path and checksum and, for a snapshot,
        the facts of its provenance record (URL, retrieval date, licence as stated, publisher)."""
        entry = {"path": self.provenance["source"], "sha256": self.sha256}
        if self.record:
            entry.update(manifest_facts(self.record))
        return entry


class SnapshotMismatchError(FetchError):
    """A snapshot whose bytes are not those its provenance record describes."""


def fetch_resource(
    dataset: Dataset,
    resource: Resource,
    cache_dir: Path = CACHE_DIR,
    remote: bool = False,
    override: Path | None = None,
    notify: Callable[[str], None] | None = None,
) -> list[FetchedFile]:
    """Copy the input files (or download the remote one) into the cache.

    A copy is skipped when the cached copy's provenance records the same checksum, so an
    unchanged input is read once (to hash it) and keeps its original provenance record.

    A dataset with a provenance record (source/provenance.yaml) has every snapshot checked
    against it; with `remote`, each snapshot is first refreshed from its URL (`notify` is told
    what changed). Without a record, `remote` downloads `source.url` into the cache only.
    """
    target_dir = cache_dir / dataset.id / resource.name
    target_dir.mkdir(parents=True, exist_ok=True)
    records = load_records(dataset.folder) if override is None else {}
    if remote and records:
        refresh_snapshots(dataset, resource, notify or (lambda text: None))
        records = load_records(dataset.folder)
    elif remote and resource.source_url and override is None:
        origin = resource.source_url
        name = Path(urllib.request.urlparse(origin).path).name or f"{resource.name}.raw"
        target = target_dir / name
        download(origin, target)
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
        # an embedded input by the catalog's name for it (the manifest and reports carry it);
        # terminal messages about the file itself keep its path (`_display`), to open it
        origin = (
            _display(source)
            if override is not None
            else catalog_name(dataset.id, _key(dataset, source))
        )
        done = _record(dataset, resource, origin, target, stored=checksum)
        if records:
            done = _checked(dataset, source, done, records)
        fetched.append(done)
    return fetched


def _key(dataset: Dataset, source: Path) -> str:
    """A snapshot's key in the record: its path relative to the dataset folder."""
    return source.absolute().relative_to(dataset.folder.absolute()).as_posix()


def _checked(dataset: Dataset, source: Path, done: FetchedFile, records: dict) -> FetchedFile:
    """The fetched snapshot with its record, once its checksum and size equal the record's."""
    record = records.get(_key(dataset, source))
    where = _display(record_path(dataset.folder))
    if record is None:
        raise SnapshotMismatchError(
            f"{_display(source)}: tidak ada catatan asal-usul untuk berkas ini di {where} / "
            f"no provenance record for this file in {where}; tambahkan entrinya (file, url, "
            "sha256, bytes, retrieved, licence_as_stated, publisher) / add its entry"
        )
    if record["sha256"] != done.sha256 or int(record["bytes"]) != done.size:
        raise SnapshotMismatchError(
            f"{_display(source)}: salinan sumber berbeda dari catatan asal-usulnya / snapshot "
            f"differs from its provenance record ({where}): sha256 tercatat/recorded "
            f"{record['sha256']} ({int(record['bytes']):,} bytes), berkas/file {done.sha256} "
            f"({done.size:,} bytes). Pulihkan berkasnya (git) atau perbarui dari sumbernya dengan "
            "`publish.py build --remote` / restore the file (git) or refresh it from its source "
            "with `publish.py build --remote`"
        )
    return FetchedFile(done.path, done.sha256, done.size, done.provenance, record)


def refresh_snapshots(
    dataset: Dataset, resource: Resource, notify: Callable[[str], None]
) -> list[str]:
    """Download the source URL of every snapshot of `resource` that has one; where the bytes
    changed, replace the snapshot (gzipped again, deterministically, where the repository keeps
    it as .gz) and its record (sha256, bytes, retrieved = today). Returns what was said.

    All or nothing per resource: every file is downloaded before any snapshot is touched, so a
    failed download raises FetchError and leaves every snapshot and the record as they were."""
    records = load_records(dataset.folder)
    said: list[str] = []

    def say(text: str) -> None:
        said.append(text)
        notify(text)

    planned = []  # (snapshot, its record key, the record, url)
    for source in resource.source_files():
        key, label = _key(dataset, source), _display(source)
        record = records.get(key)
        if record is None:
            continue  # fetch_resource's check names the missing record
        url = record.get("url") or resource.source_url
        if not url:
            say(f"{label}: tanpa URL sumber, tidak diperbarui / no source URL, not refreshed")
        elif record.get("differs_from_url"):
            say(
                f"{label}: tidak diperbarui: salinan ini memang tidak sama byte demi byte dengan "
                f"berkas di URL-nya / not refreshed: this snapshot is not a byte-identical copy "
                f"of its URL's file ({url})"
            )
        else:
            planned.append((source, key, record, url))
    with tempfile.TemporaryDirectory(prefix=".remote-", dir=dataset.folder) as tmp:
        downloads = []
        for number, (source, _, _, url) in enumerate(planned):
            target = Path(tmp) / str(number)
            download(url, target, label=_display(source))
            downloads.append(target)
        changes: dict[str, dict] = {}
        today = dt.datetime.now(dt.UTC).date().isoformat()
        for (source, key, record, url), downloaded in zip(planned, downloads, strict=True):
            label = _display(source)
            new_sha, new_size = sha256_file(downloaded), downloaded.stat().st_size
            old_sha = sha256_published(source)
            if new_sha == old_sha == record["sha256"] and new_size == int(record["bytes"]):
                say(f"{label}: tidak berubah / unchanged (sha256 {new_sha}, {new_size:,} bytes)")
                continue
            old_lines = _lines(source)
            if new_sha != old_sha:
                _replace_snapshot(downloaded, source)
            changes[key] = {
                "sha256": new_sha,
                "bytes": new_size,
                "retrieved": today,
                "retrieved_note": (
                    "diunduh ulang dari url dengan `publish.py build --remote` / downloaded "
                    "again from url by `publish.py build --remote`"
                ),
            }
            new_lines = _lines(source)
            lines = (
                f", baris teks/text lines {old_lines:,} -> {new_lines:,}"
                if old_lines is not None and new_lines is not None
                else ""
            )
            say(
                f"{label}: diperbarui / refreshed <- {url}: sha256 {record['sha256']} -> "
                f"{new_sha}, {int(record['bytes']):,} -> {new_size:,} bytes{lines}"
            )
        if changes:
            update_records(dataset.folder, changes)
    return said


def _replace_snapshot(downloaded: Path, source: Path) -> None:
    """Put downloaded bytes in place of a snapshot atomically, in the form the repository keeps
    it: gzipped like `gzip -n` (no name, mtime 0) when the snapshot is a .gz, so the same bytes
    always give the same file."""
    if source.suffix != ".gz":
        shutil.copymode(source, downloaded)  # a temporary file is private (0600); keep the mode
        os.replace(downloaded, source)
        return
    write_gzip(downloaded, source, mode_from=source)


def write_gzip(plain: Path, target: Path, mode_from: Path | None = None) -> None:
    """`plain` gzipped into `target` atomically, as `gzip -9 -n` does (no name, mtime 0), so the
    same bytes always give the same file; the mode is copied from `mode_from` if given."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".gz-")
    if mode_from is not None:
        shutil.copymode(mode_from, tmp)
    else:
        os.chmod(tmp, 0o644)  # a temporary file is private (0600); a snapshot is not
    with (
        os.fdopen(fd, "wb") as raw,
        open(plain, "rb") as handle,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as out,
    ):
        shutil.copyfileobj(handle, out, CHUNK)
    os.replace(tmp, target)


def _lines(path: Path) -> int | None:
    """Text lines of a CSV-like snapshot (a cheap before/after figure); None for other formats."""
    if published_name(path).suffix.lower() not in (".csv", ".tsv", ".txt"):
        return None
    count = 0
    with open_published(path) as handle:
        while block := handle.read(CHUNK):
            count += block.count(b"\n")
    return count


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


def download(url: str, target: Path, timeout: float = 60.0, label: str | None = None) -> None:
    """`url`'s bytes into `target`, atomically; FetchError names the URL (and `label`'s file)."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".fetch-")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            shutil.copyfileobj(response, out, CHUNK)
        os.replace(tmp, target)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        Path(tmp).unlink(missing_ok=True)
        what = f"{label}: " if label else ""
        kept = (
            "; salinan dan catatannya tidak diubah / snapshot and record left unchanged"
            if label
            else ""
        )
        raise FetchError(
            f"{what}tidak dapat mengunduh / could not download {url}: {exc}{kept}"
        ) from exc
