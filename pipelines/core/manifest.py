"""The manifest of a release: what a build published, as a typed object with load and save.

The build writes it (`manifest.json`, core/layout.py); the catalog pages, the Datasette metadata,
the served CKAN API, README's dataset table and the command line read it. A typed object instead
of a dict gives those readers one spelling of every key and a place that says what each holds.
Per-table entries keep the JSON shape (TypedDicts) because they are written once by the build's
stages and passed through unchanged.

Saved with sorted keys, two-space indent and a final newline, byte for byte as before; a key
whose value is unset (None) is left out, as the build always did.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TypedDict

from .layout import DATABASE_FILE, MANIFEST_FILE

PUBLISHED = "published"
FAILED = "failed"
FAILED_KEPT_PREVIOUS = "failed-kept-previous"  # failed now; the last good tables stay published
CARRIED = "carried"  # not built this time (a build of some datasets): carried from the last one


class Download(TypedDict):
    """One file of a release: `path` relative to the site, with its size and sha256."""

    format: str
    path: str
    bytes: int
    sha256: str


class TableEntry(TypedDict, total=False):
    """One published table: rows kept, where they came from, what covers them, its files."""

    rows: int
    sources: list[dict]  # stages/fetch.py: each input's path, checksum and provenance facts
    coverage: dict  # stages/coverage.py
    downloads: list[Download]
    quarantined: int  # rows set aside into <table>.quarantine.csv (only when some were)


class ReportEntry(TypedDict):
    """A table's validation report: where it is, and what it found."""

    json: str
    html: str
    valid: bool
    errors: int
    warnings: int
    error_types: dict[str, int]  # issue-type slug -> count, for weighing them (scorecard)
    warning_types: dict[str, int]
    quarantined: bool


@dataclass
class DatasetEntry:
    """One dataset in the manifest; `status` is one of the constants above."""

    status: str = FAILED
    resources: dict[str, TableEntry] = field(default_factory=dict)
    reports: dict[str, ReportEntry] = field(default_factory=dict)
    coverage: dict | None = None  # stages/coverage.py, over all the dataset's tables
    sample: bool | None = None  # built from sample data (labelled as such everywhere)
    datapackage: Download | None = None
    zip: Download | None = None
    last_attempt_failed: bool | None = None  # with FAILED_KEPT_PREVIOUS
    # stages/reuse.py: a digest of everything the entry was built from; a later build whose
    # digest is the same takes the dataset from this release instead of building it again
    inputs_sha256: str | None = None

    @property
    def published(self) -> bool:
        return self.status == PUBLISHED

    def as_dict(self) -> dict:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {key: value for key, value in values.items() if value is not None}

    @classmethod
    def from_dict(cls, entry: dict) -> DatasetEntry:
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in entry.items() if key in known})


@dataclass
class Manifest:
    datasets: dict[str, DatasetEntry] = field(default_factory=dict)
    database: str = DATABASE_FILE
    # checks/indicators.py's red-flag tables (tables, views, downloads, reads, sample); empty when
    # the build wrote none, and then left out of the file
    indicators: dict = field(default_factory=dict)
    # stages/reuse.py: the digest of the code, site options and every dataset's inputs; a build
    # whose digest is the same does no work (left out when unknown, as after `build --remote`)
    inputs_sha256: str | None = None

    def as_dict(self) -> dict:
        datasets = {key: entry.as_dict() for key, entry in self.datasets.items()}
        data = {"database": self.database, "datasets": datasets}
        if self.indicators:
            data["indicators"] = self.indicators
        if self.inputs_sha256:
            data["inputs_sha256"] = self.inputs_sha256
        return data

    def save(self, release: Path) -> Path:
        path = release / MANIFEST_FILE
        text = json.dumps(self.as_dict(), indent=2, ensure_ascii=False, sort_keys=True)
        path.write_text(text + "\n")
        return path

    @classmethod
    def load(cls, release: Path) -> Manifest:
        """The manifest of `release`; FileNotFoundError or ValueError when it has none that
        can be read."""
        data = json.loads((release / MANIFEST_FILE).read_text(encoding="utf-8"))
        datasets = data.get("datasets", {})
        return cls(
            datasets={key: DatasetEntry.from_dict(entry) for key, entry in datasets.items()},
            database=data.get("database", DATABASE_FILE),
            indicators=data.get("indicators", {}),
            inputs_sha256=data.get("inputs_sha256"),
        )
