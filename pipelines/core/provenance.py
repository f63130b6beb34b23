"""Provenance records of the source snapshots kept in `datasets/<id>/source/`.

Each dataset that keeps snapshots of real public files has `source/provenance.yaml`: one entry per
snapshot file, with where it came from (`url`, `repository`, `origin`), when (`retrieved`), what
it was (`sha256` and `bytes` of the file as the source published it, decompressed where the
repository keeps it gzipped), the licence exactly as the source states it and who published it.
The build checks every snapshot against its entry before reading it (fetch.py), so a file changed
by hand fails loudly; `publish.py build --remote` refreshes snapshots and their entries.

Keys shared by every entry of a dataset sit once under `common:`; an entry's own key wins:

    common: {repository: https://github.com/dringu/APBDKabJatim, licence_as_stated: none stated}
    files:
      - file: source/djpk_apbd_jatim/2021/Bangkalan.csv
        url: https://raw.githubusercontent.com/dringu/APBDKabJatim/44ea94f8.../Bangkalan.csv
        sha256: 5b1d...
        bytes: 1712
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml

from .errors import DescriptorError
from .model import read_yaml

RECORD_NAME = "provenance.yaml"
RECORD_DIR = "source"
REQUIRED = ("file", "sha256", "bytes")
# What the manifest's `sources` entries carry from a record (the catalog shows them).
MANIFEST_KEYS = (
    "file",
    "bytes",
    "url",
    "repository",
    "commit",
    "commit_date",
    "origin",
    "retrieved",
    "licence_as_stated",
    "publisher",
)
HEADER = """\
# Catatan asal-usul salinan sumber / provenance of the source snapshots.
# Satu entri per berkas di source/: alamat sumber, tanggal pengambilan, SHA-256 dan ukuran berkas
# sebagaimana diterbitkan sumber (tanpa kompresi .gz kita), lisensi persis seperti dinyatakan
# sumber, dan penerbitnya. Build memeriksa setiap salinan terhadap catatan ini; perbarui dengan
# `publish.py build --remote`, jangan dengan tangan.
# One entry per file in source/: source address, retrieval date, SHA-256 and size of the file as
# the source published it (before our .gz compression), the licence exactly as the source states
# it, and its publisher. The build checks every snapshot against this record; refresh it with
# `publish.py build --remote`, not by hand.
"""


def record_path(dataset_folder: Path) -> Path:
    return dataset_folder / RECORD_DIR / RECORD_NAME


def load_records(dataset_folder: Path) -> dict[str, dict]:
    """Every entry, keyed by its file path relative to the dataset folder (`source/x.sql.gz`),
    with the common keys merged in. A dataset without a record file has no entries."""
    path = record_path(dataset_folder)
    if not path.is_file():
        return {}
    raw = read_yaml(path) or {}
    if not isinstance(raw, dict) or not isinstance(raw.get("files"), list):
        raise DescriptorError(str(path), "files", "must be a list of entries (see provenance.py)")
    common = raw.get("common") or {}
    records = {}
    for number, entry in enumerate(raw["files"]):
        merged = {**common, **(entry or {})}
        missing = [key for key in REQUIRED if key not in merged]
        if missing:
            raise DescriptorError(
                str(path), f"files[{number}]", f"kunci hilang / missing keys: {', '.join(missing)}"
            )
        records[str(merged["file"])] = merged
    return records


def write_records(dataset_folder: Path, entries: list[dict]) -> Path:
    """Write the record file atomically; keys equal in every entry (of two or more) go under
    `common:` so a folder of 152 files stays readable."""
    entries = [dict(e) for e in entries]
    common: dict = {}
    if len(entries) > 1:
        first = entries[0]
        for key, value in first.items():
            if key != "file" and all(key in e and e[key] == value for e in entries[1:]):
                common[key] = value
        for entry in entries:
            for key in common:
                del entry[key]
    document = {"common": common, "files": entries} if common else {"files": entries}
    text = HEADER + yaml.safe_dump(
        document, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )
    path = record_path(dataset_folder)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".provenance-")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, path)
    return path


def update_records(dataset_folder: Path, changes: dict[str, dict]) -> None:
    """Change some entries' keys (after a refresh), keeping the others and the shared keys;
    `changes` maps an entry's file to its new keys. One write for the whole record file."""
    records = load_records(dataset_folder)
    for file, keys in changes.items():
        if file not in records:
            raise DescriptorError(str(record_path(dataset_folder)), file, "no entry for this file")
        records[file].update(keys)
    write_records(dataset_folder, list(records.values()))


def manifest_facts(record: dict) -> dict:
    """The facts of a record that the manifest's `sources` entries carry."""
    return {key: record[key] for key in MANIFEST_KEYS if record.get(key) is not None}
