"""Take a snapshot of a real public file into `datasets/<id>/source/`, with its provenance entry.

README "Adding a dataset", step 1. The provenance record (provenance.py) is written here from what
was downloaded, never typed: the URL, today's date, the SHA-256 and size of the bytes as the
source served them, and the licence and publisher as the person adding the dataset read them on
the source's page. With it a dataset folder needs only what a person must write: the descriptor
and, where YAML cannot say it, a transform. `publish.py build --remote` refreshes the snapshot
later from the same URL.

Files over GZIP_ABOVE bytes are kept gzipped (`x.csv.gz`, like `gzip -9 -n`) to keep the checkout
light; readers, checksums and the record still see the file as the source published it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from ..core.checksum import sha256_file
from ..core.errors import FetchError, JendelaError
from ..core.provenance import RECORD_DIR, load_records, record_path, write_records
from .fetch import download, write_gzip

GZIP_ABOVE = 400 * 1024
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Snapshot:
    """What was kept: the file in the dataset folder and the record entry written for it."""

    path: Path
    entry: dict


def take_snapshot(
    dataset_folder: Path,
    url: str,
    *,
    licence_as_stated: str,
    publisher: str,
    publisher_url: str | None = None,
    name: str | None = None,
    today: dt.date | None = None,
) -> Snapshot:
    """Download `url` into `dataset_folder/source/` and add its entry to the provenance record.

    Refuses (JendelaError, exit 2) a URL that is not http(s), a file name that is not a plain name,
    and a file the record already lists: a snapshot is replaced only by `build --remote`, which
    says what changed."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise JendelaError(
            f"{url}: hanya alamat http(s) yang dapat disalin / only http(s) addresses can be "
            "snapshotted"
        )
    name = name or Path(urllib.parse.unquote(parts.path)).name
    if not SAFE_NAME.match(name or ""):
        raise JendelaError(
            f"{name!r}: nama berkas tidak sah; beri nama dengan --name / not a valid file name; "
            "give one with --name"
        )
    source_dir = dataset_folder / RECORD_DIR
    source_dir.mkdir(parents=True, exist_ok=True)
    key = f"{RECORD_DIR}/{name}"
    records = load_records(dataset_folder)
    if key in records or f"{key}.gz" in records:
        raise JendelaError(
            f"{record_path(dataset_folder)}: {name} sudah tercatat; perbarui dengan "
            f"`publish.py build --remote` / is already recorded; refresh it with "
            f"`publish.py build --remote`"
        )
    fd, tmp = tempfile.mkstemp(dir=source_dir, prefix=".snapshot-")
    os.close(fd)
    downloaded = Path(tmp)
    try:
        download(url, downloaded, label=key)
        size, checksum = downloaded.stat().st_size, sha256_file(downloaded)
        if size == 0:
            raise FetchError(f"{url}: berkas kosong / the file is empty; nothing kept")
        if size > GZIP_ABOVE:
            key, target = f"{key}.gz", source_dir / f"{name}.gz"
            write_gzip(downloaded, target)
        else:
            target = source_dir / name
            os.chmod(downloaded, 0o644)
            os.replace(downloaded, target)
    finally:
        downloaded.unlink(missing_ok=True)
    entry = {
        "file": key,
        "original_name": name,
        "url": url,
        "retrieved": (today or dt.datetime.now(dt.UTC).date()).isoformat(),
        "sha256": checksum,
        "bytes": size,
        "licence_as_stated": licence_as_stated,
        "publisher": {"name": publisher, **({"url": publisher_url} if publisher_url else {})},
    }
    write_records(dataset_folder, [*records.values(), entry])
    return Snapshot(target, entry)
