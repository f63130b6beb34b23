"""Harvest a CKAN portal into dataset folders: `publish.py harvest <portal-url>`.

Each CKAN package with CSV, XLSX or JSON resources becomes an ordinary dataset folder
(docs/descriptor.md) that `publish.py build <id>` builds like any other:

- `datapackage.yaml`: CKAN metadata in our terms (pipelines/harvest/mapping.py), Table Schemas
  inferred for review (pipelines/harvest/infer.py, `jendela.inferred: true`), and `jendela.harvest`:
  portal, package id, metadata_modified and, per CKAN resource, its URL, format and SHA-256;
- `data/<table>.<ext>`: the downloaded file, the input the build reads (`jendela.source.path`),
  with the CKAN URL beside it in `jendela.source.url` for `build --remote`;
- the same bytes in the cache (`.cache/raw/<id>/<table>/ckan/`) with a provenance sidecar.

Organisations, licences and themes the portal uses but metadata/ does not know are written to
metadata/harvested/*.yaml, which the vocabulary merges under the hand-written files.

Incremental and safe: a dataset is rewritten only when its metadata_modified, its set of resources
or a resource checksum changed; a new folder is prepared aside, checked, and only then swapped in,
so a failure (timeout, HTTP error, 404 file, invalid JSON, an HTML page instead of CSV) leaves the
published folder as it was and is recorded in the harvest report; the other datasets go on.
Datasets that disappeared from the portal are reported, never removed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import yaml

from ..core.errors import DescriptorError
from ..core.issue_types import PERSONAL_DATA
from ..core.model import (
    DESCRIPTOR_NAME,
    HARVESTED_DIR,
    Vocabulary,
    catalog_name,
    load_dataset,
    read_yaml,
)
from ..core.personal_data import DECLARE_HINT, declared_public, describe
from . import mapping
from .client import ClientSettings, Downloaded, PortalClient, PortalError, both
from .infer import infer_resource

VOCABULARY_TABLES = ("publishers", "licences", "themes")
MAX_TABLE_NAME = 60
STATUS_ORDER = ("created", "updated", "unchanged", "skipped", "failed", "deleted-upstream")
SHOWN = {
    "created": "BARU/CREATED",
    "updated": "DIPERBARUI/UPDATED",
    "unchanged": "TETAP/UNCHANGED",
    "skipped": "DILEWATI/SKIPPED",
    "failed": "GAGAL/FAILED",
    "deleted-upstream": "HILANG DI PORTAL/DELETED UPSTREAM",
}


@dataclass
class HarvestOptions:
    portal: str
    datasets_dir: Path
    metadata_dir: Path
    cache_dir: Path
    org: str | None = None
    tag: str | None = None
    query: str | None = None
    limit: int | None = None
    settings: ClientSettings = field(default_factory=ClientSettings)
    today: str = field(default_factory=lambda: dt.date.today().isoformat())

    @property
    def filtered(self) -> bool:
        return bool(self.org or self.tag or self.query or self.limit)


@dataclass
class Outcome:
    """What happened to one CKAN package (or one local dataset) in this run."""

    id: str
    status: str  # one of STATUS_ORDER
    package: str | None = None  # the CKAN name
    message: str = ""
    package_id: str | None = None
    error: dict | None = None
    resources: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        out = {"id": self.id, "status": self.status, "package": self.package}
        for key in ("message", "error", "resources", "warnings"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out

    def line(self) -> str:
        text = f"{SHOWN[self.status]:<34} {self.id}"
        return f"{text}: {self.message}" if self.message else text


@dataclass
class HarvestReport:
    portal: str
    selection: dict
    started: str
    outcomes: list[Outcome] = field(default_factory=list)
    error: dict | None = None

    def counts(self) -> dict[str, int]:
        return {s: n for s in STATUS_ORDER if (n := sum(o.status == s for o in self.outcomes))}

    @property
    def exit_code(self) -> int:
        return 1 if self.error or any(o.status == "failed" for o in self.outcomes) else 0

    def as_dict(self) -> dict:
        return {
            "portal": self.portal,
            "selection": self.selection,
            "started": self.started,
            "summary": self.counts(),
            "error": self.error,
            "datasets": [o.as_dict() for o in self.outcomes],
        }

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n")

    def summary_lines(self) -> list[str]:
        lines = [o.line() for o in self.outcomes]
        if self.error:
            lines.append(f"GAGAL/FAILED portal {self.portal}: {self.error['message']}")
        counts = ", ".join(f"{n} {SHOWN[s].lower()}" for s, n in self.counts().items())
        lines.append(f"Panen/harvest {self.portal}: {counts or '0 dataset'}")
        return lines


def default_report_path(cache_dir: Path, portal: str) -> Path:
    host = mapping.dataset_id(urlparse(portal).netloc or portal) or "portal"
    return cache_dir / "harvest" / f"{host}.json"


def harvest(options: HarvestOptions) -> HarvestReport:
    """Harvest `options.portal` into `options.datasets_dir`; never raises for a portal's faults."""
    portal = options.portal.rstrip("/")
    report = HarvestReport(
        portal,
        {k: getattr(options, k) for k in ("org", "tag", "query", "limit") if getattr(options, k)},
        dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    )
    client = PortalClient(portal, options.settings)
    harvester = _Harvester(options, portal, client)
    try:
        try:
            listed = harvester.list_packages()
        except PortalError as exc:
            report.error = exc.as_dict()
            for local in harvester.local.from_portal():
                report.outcomes.append(
                    Outcome(
                        local.id,
                        "failed",
                        local.package_name,
                        both(
                            f"portal tidak dapat dibaca; datasets/{local.id} dibiarkan apa adanya",
                            f"portal unreadable; datasets/{local.id} kept as it was",
                        ),
                        exc.as_dict(),
                    )
                )
            return report
        for summary in listed:
            report.outcomes.append(harvester.harvest_package(summary))
        seen = {o.package_id for o in report.outcomes} | {o.package for o in report.outcomes}
        for local in harvester.local.from_portal():
            if local.package_id not in seen and local.package_name not in seen:
                outcome = harvester.check_missing(local)
                if outcome is not None:
                    report.outcomes.append(outcome)
        return report
    finally:
        client.close()


@dataclass
class LocalDataset:
    id: str
    folder: Path
    descriptor: dict

    @property
    def harvest(self) -> dict:
        return (self.descriptor.get("jendela") or {}).get("harvest") or {}

    @property
    def package_id(self) -> str | None:
        return self.harvest.get("id")

    @property
    def package_name(self) -> str | None:
        return self.harvest.get("name")


class LocalState:
    """The dataset folders already on disk, read as raw YAML.

    A descriptor that cannot be read must not stop the other datasets, nor pass for an empty one
    (its folder would then look like someone else's dataset): it is kept in `broken` with the
    error naming its file and line, and the package that would go there reports that error.
    """

    def __init__(self, datasets_dir: Path, portal: str):
        self.portal = portal
        self.datasets: dict[str, LocalDataset] = {}
        self.broken: dict[str, DescriptorError] = {}
        self.owners: dict[str, str] = {}  # resource (table) name -> dataset id
        datasets_dir.mkdir(parents=True, exist_ok=True)
        for folder in sorted(p for p in datasets_dir.iterdir() if (p / DESCRIPTOR_NAME).is_file()):
            shown = catalog_name(folder.name, DESCRIPTOR_NAME)
            try:
                descriptor = read_yaml(folder / DESCRIPTOR_NAME)
            except DescriptorError as exc:
                # PyYAML's text repeats the absolute path on "in ..." lines; the key has the line.
                lines = exc.message.splitlines()
                message = "; ".join(x.strip() for x in lines if not x.strip().startswith('in "'))
                self.broken[folder.name] = DescriptorError(shown, exc.key, message)
                continue
            except UnicodeDecodeError as exc:
                message = both("bukan teks UTF-8", "not UTF-8 text") + f" (byte {exc.start})"
                self.broken[folder.name] = DescriptorError(shown, "(file)", message)
                continue
            if descriptor is not None and not isinstance(descriptor, dict):
                message = both("harus berupa mapping", "must be a mapping")
                self.broken[folder.name] = DescriptorError(shown, "(top)", message)
                continue
            self.add(LocalDataset(folder.name, folder, descriptor or {}))

    def add(self, local: LocalDataset) -> None:
        self.owners = {k: v for k, v in self.owners.items() if v != local.id}
        self.datasets[local.id] = local
        for res in local.descriptor.get("resources") or []:
            if isinstance(res, dict) and res.get("name"):
                self.owners[res["name"]] = local.id

    def from_portal(self) -> list[LocalDataset]:
        key = portal_key(self.portal)
        return [d for d in self.datasets.values() if portal_key(d.harvest.get("portal", "")) == key]

    def by_package(self, package_id: str) -> LocalDataset | None:
        for local in self.from_portal():
            if local.package_id == package_id:
                return local
        return None


class _Harvester:
    def __init__(self, options: HarvestOptions, portal: str, client: PortalClient):
        self.options = options
        self.portal = portal
        self.client = client
        self.local = LocalState(options.datasets_dir, portal)
        self.harvested_dir = options.metadata_dir / HARVESTED_DIR
        self.vocabulary = Vocabulary.load(options.metadata_dir)

    # -- listing -------------------------------------------------------------------------------

    def list_packages(self) -> list[dict]:
        """Package summaries (id, name, ...) selected by --org/--tag/--query/--limit, by name."""
        if self.options.org:
            self._check_organisation(self.options.org)
        fq = []
        if self.options.org:
            fq.append(f"organization:{self.options.org}")
        if self.options.tag:
            fq.append(f'tags:"{self.options.tag}"')
        limit = self.options.limit
        page = self.options.settings.page_size
        found: list[dict] = []
        start = 0
        try:
            while True:
                rows = page if limit is None else min(page, limit - len(found))
                if rows <= 0:
                    break
                result = self.client.action(
                    "package_search",
                    q=self.options.query or "*:*",
                    fq=" AND ".join(fq) or None,
                    rows=rows,
                    start=start,
                    sort="name asc",
                )
                if not isinstance(result, dict) or not isinstance(result.get("results"), list):
                    raise PortalError(
                        "invalid-json",
                        both(
                            "jawaban package_search tidak berisi results",
                            "the package_search answer has no results",
                        ),
                    )
                batch = result["results"]
                found += batch
                start += len(batch)
                if not batch or start >= int(result.get("count") or 0):
                    break
        except PortalError as exc:
            if self.options.filtered or exc.kind not in ("query-error", "http-error"):
                raise
            # Search (Solr) broken but the portal alive: package_list still names everything.
            names = self.client.action("package_list")
            if not isinstance(names, list):
                raise
            found = [{"id": None, "name": name} for name in sorted(map(str, names))]
        return found[:limit] if limit else found

    def _check_organisation(self, org: str) -> None:
        try:
            self.client.action("organization_show", id=org, include_datasets=False)
        except PortalError as exc:
            if exc.kind != "not-found":
                raise
            import difflib

            names = self.client.action("organization_list")
            names = [n if isinstance(n, str) else n.get("name", "") for n in names or []]
            close = difflib.get_close_matches(org, names, n=3, cutoff=0.5)
            hint = f" ({both('mungkin', 'did you mean')}: {', '.join(close)})" if close else ""
            raise PortalError(
                "unknown-organisation",
                both(
                    f"organisasi {org!r} tidak ada di portal",
                    f"organisation {org!r} does not exist on the portal",
                )
                + hint,
            ) from None

    # -- one package ---------------------------------------------------------------------------

    def harvest_package(self, summary: dict) -> Outcome:
        name = str(summary.get("name") or summary.get("id"))
        outcome = Outcome(mapping.dataset_id(name), "failed", name)
        staging = Path(tempfile.mkdtemp(dir=self._work_dir(), prefix="package-"))
        try:
            self._harvest_into(summary, outcome, staging)
        except PortalError as exc:
            outcome.status = "failed"
            outcome.error = exc.as_dict()
            outcome.message = exc.message + _kept(self.local.datasets.get(outcome.id))
        except DescriptorError as exc:
            outcome.status = "failed"
            outcome.error = {
                "kind": "descriptor",
                "message": self._descriptor_problem(exc, staging),
            }
            outcome.message = outcome.error["message"] + _kept(self.local.datasets.get(outcome.id))
        except Exception as exc:  # a portal must never stop the other datasets
            outcome.status = "failed"
            outcome.error = {"kind": "internal", "message": f"{type(exc).__name__}: {exc}"}
            outcome.message = outcome.error["message"] + _kept(self.local.datasets.get(outcome.id))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return outcome

    def _harvest_into(self, summary: dict, outcome: Outcome, staging: Path) -> None:
        package = self.client.action("package_show", id=summary.get("name") or summary.get("id"))
        if not isinstance(package, dict) or "id" not in package:
            raise PortalError(
                "invalid-json",
                both("jawaban package_show bukan paket", "the package_show answer is no package"),
            )
        local = self.local.by_package(package["id"])
        dataset_id = local.id if local else mapping.dataset_id(package.get("name") or package["id"])
        outcome.id, outcome.package = dataset_id, package.get("name")
        outcome.package_id = package["id"]
        if package.get("state", "active") == "deleted":
            outcome.status = "deleted-upstream"
            outcome.message = _deleted_message(dataset_id)
            return
        if local is None and dataset_id in self.local.broken:
            raise self.local.broken[dataset_id]  # perhaps ours, perhaps not: a person must look
        existing = self.local.datasets.get(dataset_id)
        if existing is not None and local is None:
            raise PortalError(
                "id-conflict",
                both(
                    f"datasets/{dataset_id} sudah ada dan bukan hasil panen paket ini",
                    f"datasets/{dataset_id} exists and was not harvested from this package",
                ),
            )
        tabular, records = [], []
        for res in package.get("resources") or []:
            if not res.get("id"):  # seen on hand-rolled portals: key the resource by its URL
                res = {**res, "id": hashlib.sha256(str(res.get("url")).encode()).hexdigest()[:32]}
            fmt = mapping.resource_format(res)
            record = {
                "id": res.get("id"),
                "name": mapping.pick_text(res.get("name")) or mapping.pick_text(res.get("title")),
                "format": mapping.format_label(res),
                "url": res.get("url"),
            }
            if fmt and res.get("url"):
                tabular.append((res, fmt, record))
            else:
                record["skipped"] = both(
                    "format tidak dipanen (hanya CSV, XLSX, JSON)",
                    "format not harvested (only CSV, XLSX, JSON)",
                )
            records.append(record)
        tabular = _one_format_per_table(tabular)
        if not tabular:
            formats = ", ".join(sorted({r["format"] for r in records})) or "-"
            outcome.status = "skipped"
            outcome.resources = records
            outcome.message = both(
                f"tidak ada sumber daya CSV/XLSX/JSON (format: {formats})",
                f"no CSV/XLSX/JSON resource (formats: {formats})",
            ) + _kept(local)
            return
        previous = {r.get("id"): r for r in (local.harvest.get("resources") if local else []) or []}
        downloads: dict[str, Downloaded | None] = {}
        for res, fmt, _record in tabular:
            downloads[res["id"]] = self._download(res, fmt, previous.get(res["id"]), local, staging)
        changed = (
            local is None
            or local.harvest.get("metadata_modified") != package.get("metadata_modified")
            or {r["id"] for r, _, _ in tabular} != {i for i, r in previous.items() if "table" in r}
            or any(
                d is not None and d.sha256 != previous.get(i, {}).get("sha256")
                for i, d in downloads.items()
            )
        )
        if not changed:
            outcome.status = "unchanged"
            outcome.resources = local.harvest.get("resources") or []
            return
        descriptor = self._descriptor(
            package, dataset_id, local, tabular, records, previous, downloads, outcome
        )
        folder = staging / dataset_id
        self._write_folder(folder, descriptor, local, tabular, downloads)
        load_dataset(folder, self.vocabulary)  # the same checks `publish.py build` makes
        self._cache(dataset_id, package, tabular, downloads, descriptor)
        self._swap(folder, self.options.datasets_dir / dataset_id)
        self.local.add(LocalDataset(dataset_id, self.options.datasets_dir / dataset_id, descriptor))
        outcome.status = "updated" if local else "created"
        outcome.resources = records
        tables = ", ".join(r["table"] for r in records if "table" in r)
        outcome.message = both(f"tabel {tables}", f"tables {tables}")

    def _download(self, res, fmt, previous, local, staging) -> Downloaded | None:
        """The new bytes, or None when the portal says the file we hold is still current."""
        held = (
            local.folder / previous["file"] if local and previous and previous.get("file") else None
        )
        conditional = held is not None and held.is_file() and res.get("url") == previous.get("url")
        try:
            return self.client.download(
                res["url"],
                staging / "downloads",
                fmt,
                etag=previous.get("etag") if conditional else None,
                last_modified=previous.get("last_modified") if conditional else None,
            )
        except PortalError as exc:
            raise _about(exc, res) from None

    # -- writing -------------------------------------------------------------------------------

    def _descriptor(
        self, package, dataset_id, local, tabular, records, previous, downloads, outcome
    ) -> dict:
        meta = mapping.package_metadata(package, self.portal, self.options.today)
        licence = self._vocabulary_key(
            "licences", *mapping.licence(package, self.vocabulary.licences)
        )
        publisher = self._vocabulary_key(
            "publishers", *mapping.publisher(package, self.portal, self.vocabulary.publishers)
        )
        theme_keys, theme_entry = mapping.themes(package, self.vocabulary.themes)
        if theme_entry:
            self._vocabulary_key("themes", theme_keys[0], theme_entry)
        old_resources = {
            r.get("name"): r for r in (local.descriptor.get("resources") if local else []) or []
        }
        taken = {n for n, owner in self.local.owners.items() if owner != dataset_id}
        resources = []
        for res, fmt, record in tabular:
            before = previous.get(res["id"], {})
            table = before.get("table") or self._table_name(res, dataset_id, taken)
            taken.add(table)
            download = downloads[res["id"]]
            ext = fmt
            record.update({"table": table, "file": f"data/{table}.{ext}"})
            if download is None:  # 304: the file we hold is current
                for key in ("sha256", "bytes", "etag", "last_modified", "fetched"):
                    if key in before:
                        record[key] = before[key]
            else:
                record.update(
                    {
                        "sha256": download.sha256,
                        "bytes": download.bytes,
                        "fetched": self.options.today,
                    }
                )
                for key in ("etag", "last_modified"):
                    if getattr(download, key):
                        record[key] = getattr(download, key)
            old = old_resources.get(table)
            if download is None and old is not None:
                shape = None  # unchanged file: keep the (perhaps reviewed) schema as it is
            else:
                path = download.path if download else local.folder / before["file"]
                try:
                    shape = infer_resource(
                        path, fmt, catalog_name(dataset_id, record["file"]), _declared(res)
                    )
                except PortalError as exc:
                    raise _about(exc, res) from None
                outcome.warnings += [f"{table}: {w}" for w in shape.warnings]
                _refuse_personal_data(shape, old, catalog_name(dataset_id, record["file"]))
            resources.append(self._resource(res, record, table, fmt, shape, old))
        title_en = meta["en"]
        kept_en = (local.descriptor.get("jendela") or {}).get("en") if local else None
        if kept_en and title_en["title"] == meta["title"]:
            title_en = kept_en  # a person's translation survives when the portal has none
        jendela = {
            "publisher": publisher,
            "themes": theme_keys,
            "sample": mapping.is_sample(package),
            "updated": meta["updated"],
            "inferred": True,
            "en": title_en,
            "harvest": {
                "portal": self.portal,
                "id": package["id"],
                "name": package.get("name"),
                "url": mapping.dataset_page(self.portal, package),
                "metadata_modified": package.get("metadata_modified"),
                "harvested": self.options.today,
                "resources": records,
            },
        }
        return {
            "title": meta["title"],
            "description": meta["description"],
            "keywords": meta["keywords"],
            "licenses": [{"name": licence}],
            "sources": meta["sources"],
            "jendela": jendela,
            "resources": resources,
        }

    def _resource(self, res: dict, record: dict, table: str, fmt: str, shape, old) -> dict:
        title = mapping.pick_text(res.get("title")) or record["name"] or table
        en_title = res.get("title").get("en") if isinstance(res.get("title"), dict) else None
        description = mapping.pick_text(res.get("description"))
        if shape is None:
            resource = dict(old)
            resource["jendela"] = {
                **old["jendela"],
                "source": {"path": record["file"], "url": res["url"]},
            }
        else:
            ext: dict = {
                "en": {"title": en_title or title},
                "source": {"path": record["file"], "url": res["url"]},
                "reader": shape.reader,
            }
            if shape.options:
                ext["options"] = shape.options
            if shape.columns:
                ext["columns"] = shape.columns
            # Portal files carry blank rows, totals and stray values the inferred schema cannot
            # foresee: such rows are published aside, flagged, instead of failing the dataset.
            ext["on_error"] = "quarantine"
            resource = {
                "name": table,
                "title": title,
                "jendela": ext,
                "schema": {"fields": shape.fields},
            }
            if old is not None and [f.get("name") for f in old["schema"]["fields"]] == [
                f["name"] for f in shape.fields
            ]:
                resource["schema"] = old["schema"]  # same columns: keep the reviewed schema
        resource["title"] = title
        if description:
            resource["description"] = description
        else:
            resource.pop("description", None)
        return resource

    def _table_name(self, res: dict, dataset_id: str, taken: set[str]) -> str:
        raw = mapping.pick_text(res.get("name")) or mapping.pick_text(res.get("title"))
        if not raw:
            raw = Path(urlparse(str(res.get("url") or "")).path).stem or "tabel"
        base = mapping.snake_name(raw, prefix="tabel")[:MAX_TABLE_NAME].rstrip("_") or "tabel"
        if base in taken:
            prefix = mapping.snake_name(dataset_id, prefix="data")
            base = f"{prefix}_{base}"[:MAX_TABLE_NAME].rstrip("_")
        return mapping.unique_name(base, taken)

    def _vocabulary_key(self, table: str, key: str, entry: dict | None) -> str:
        if entry is None:
            return key
        path = self.harvested_dir / f"{table}.yaml"
        current = (yaml.safe_load(path.read_text("utf-8")) if path.is_file() else None) or {}
        if current.get(key) != entry:
            current[key] = entry
            path.parent.mkdir(parents=True, exist_ok=True)
            header = (
                f"# Ditulis oleh `publish.py harvest`; kunci yang sama di ../{table}.yaml menang.\n"
                f"# Written by `publish.py harvest`; the same key in ../{table}.yaml wins.\n"
            )
            body = dump_yaml(dict(sorted(current.items())))
            _atomic_write(path, header + body)
            self.vocabulary = Vocabulary.load(self.options.metadata_dir)
        return key

    def _write_folder(self, folder, descriptor, local, tabular, downloads) -> None:
        if local is not None:
            # Keep whatever a person added (transform.py, notes); our own files are rewritten.
            shutil.copytree(local.folder, folder, ignore=shutil.ignore_patterns(DESCRIPTOR_NAME))
        (folder / "data").mkdir(parents=True, exist_ok=True)
        wanted = set()
        for res, _fmt, record in tabular:  # `_descriptor` gave each record its table and file
            target = folder / record["file"]
            wanted.add(target.name)
            download = downloads[res["id"]]
            if download is not None:
                shutil.copyfile(download.path, target)
        previous = {
            Path(r.get("file", "")).name for r in (local.harvest.get("resources") if local else [])
        }
        for old in (folder / "data").iterdir():
            if old.name in previous and old.name not in wanted:
                old.unlink()  # a resource the portal dropped; its history stays in the cache
        text = (
            f"# Dipanen dari / harvested from {descriptor['jendela']['harvest']['url']}\n"
            "# oleh / by `publish.py harvest`. Skema disimpulkan otomatis: tinjau, lalu set\n"
            "# jendela.inferred: false. / Schemas were inferred: review them, then set\n"
            "# jendela.inferred: false.\n"
        ) + dump_yaml(descriptor)
        (folder / DESCRIPTOR_NAME).write_text(text, encoding="utf-8")

    def _cache(self, dataset_id, package, tabular, downloads, descriptor) -> None:
        """Raw bytes with provenance (DESIGN rule 8): what was fetched, from where, when."""
        for res, _fmt, record in tabular:
            download = downloads[res["id"]]
            if download is None:
                continue
            folder = self.options.cache_dir / "raw" / dataset_id / record["table"] / "ckan"
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / Path(record["file"]).name
            shutil.copyfile(download.path, target)
            provenance = {
                "dataset": dataset_id,
                "resource": record["table"],
                "source": res["url"],
                "ckan": {
                    "portal": self.portal,
                    "package_id": package["id"],
                    "package": package.get("name"),
                    "resource_id": res["id"],
                    "metadata_modified": package.get("metadata_modified"),
                },
                "licenses": [lic["name"] for lic in descriptor["licenses"]],
                "fetched": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                "bytes": download.bytes,
                "sha256": download.sha256,
                "etag": download.etag,
                "last_modified": download.last_modified,
                "content_type": download.content_type,
            }
            sidecar = target.with_name(target.name + ".provenance.json")
            _atomic_write(sidecar, json.dumps(provenance, indent=2, ensure_ascii=False) + "\n")

    def _swap(self, new: Path, target: Path) -> None:
        """Put `new` in place of `target`; the old folder is moved aside first, then removed."""
        trash = None
        if target.exists():
            trash = Path(tempfile.mkdtemp(dir=self._work_dir(), prefix="replaced-"))
            shutil.move(str(target), str(trash / target.name))
        shutil.move(str(new), str(target))
        if trash is not None:
            shutil.rmtree(trash, ignore_errors=True)

    def _work_dir(self) -> Path:
        folder = self.options.cache_dir / "harvest" / "work"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _descriptor_problem(self, exc: DescriptorError, staging: Path) -> str:
        """`exc` naming the file a person can open: the staging folder is gone by then, and what
        was checked there is what would have become datasets/<id>/."""
        path = Path(exc.path)
        try:
            shown = "datasets/" + path.absolute().relative_to(staging.absolute()).as_posix()
            what = both(
                "deskriptor hasil panen tidak lolos pemeriksaan",
                "the harvested descriptor fails the checks",
            )
        except ValueError:
            shown = exc.path
            what = both(
                "deskriptor tidak terbaca; perbaiki berkas ini, lalu panen lagi",
                "the descriptor cannot be read; fix this file, then harvest again",
            )
        return f"{shown}: {exc.key}: {what}: {exc.message}"

    # -- gone upstream -------------------------------------------------------------------------

    def check_missing(self, local: LocalDataset) -> Outcome | None:
        """A local dataset the listing did not return: deleted upstream, or just not selected."""
        try:
            package = self.client.action("package_show", id=local.package_id)
        except PortalError as exc:
            if exc.kind == "not-found":
                return Outcome(
                    local.id, "deleted-upstream", local.package_name, _deleted_message(local.id)
                )
            return Outcome(
                local.id, "failed", local.package_name, exc.message + _kept(local), exc.as_dict()
            )
        if isinstance(package, dict) and package.get("state") == "deleted":
            return Outcome(
                local.id, "deleted-upstream", local.package_name, _deleted_message(local.id)
            )
        return None  # still on the portal, only outside this run's selection (or Solr's)


def _refuse_personal_data(shape, old: dict | None, shown: str) -> None:
    """A harvested table with personal data (core/personal_data.py) fails its package: nothing
    is written, so the file never reaches datasets/. A column the local descriptor already
    declares public (`jendela.personal_data`, kept from a person's review) is let through."""
    public = {
        f["name"] for f in (old or {}).get("schema", {}).get("fields", []) if declared_public(f)
    }
    found = [f for f in shape.personal if f.column not in public]
    if found:
        rows = shape.source_rows
        lines = [describe(f, rows[f.first] if f.first < len(rows) else None) for f in found]
        raise PortalError(PERSONAL_DATA.slug, f"{shown}: " + "; ".join(lines) + ". " + DECLARE_HINT)


def _declared(resource: dict) -> dict | None:
    """The Table Schema a portal publishes on a resource (a dict or JSON text), if any."""
    schema = resource.get("schema")
    if isinstance(schema, str):
        try:
            schema = json.loads(schema)
        except ValueError:
            return None
    return schema if isinstance(schema, dict) and isinstance(schema.get("fields"), list) else None


def portal_key(address: str) -> str:
    """A portal's identity: http and https, a trailing slash or letter case make no difference."""
    parsed = urlparse(address.strip())
    return f"{parsed.netloc.lower()}{parsed.path.rstrip('/')}"


def dump_yaml(data) -> str:
    """YAML a person can review: multi-line text as `|` blocks, keys in our order."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value.strip("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _deleted_message(dataset_id: str) -> str:
    return both(
        f"paket dihapus dari portal; datasets/{dataset_id} TIDAK dihapus, putuskan sendiri",
        f"the package was deleted on the portal; datasets/{dataset_id} was NOT removed, decide",
    )


def _about(exc: PortalError, res: dict) -> PortalError:
    """`exc` naming the CKAN resource it is about, by its name and its URL."""
    exc.message = f"{mapping.pick_text(res.get('name')) or res.get('id')}: {exc.message}"
    exc.url = exc.url or res.get("url")
    return exc


def _kept(local) -> str:
    if local is None:
        return ""
    return " " + both(
        f"(datasets/{local.id} dibiarkan apa adanya)", f"(datasets/{local.id} kept as it was)"
    )


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


# When a portal lists one table in several formats (same resource name), the one harvested.
FORMAT_PREFERENCE = ("csv", "xlsx", "json")


def _one_format_per_table(tabular: list[tuple[dict, str, dict]]) -> list[tuple[dict, str, dict]]:
    """Portals (CKAN's own habit, and ours) list one table several times under one name, once per
    format: harvesting each would publish the same rows two or three times. Of resources sharing
    a name, the CSV is kept (else XLSX, else JSON); the others are recorded as skipped, saying
    which one was taken. Resources with distinct names all stay."""
    by_name: dict[str, list[tuple[dict, str, dict]]] = {}
    for item in tabular:
        by_name.setdefault(str(item[2]["name"] or item[0]["id"]).strip().lower(), []).append(item)
    kept = []
    for item in tabular:
        group = by_name[str(item[2]["name"] or item[0]["id"]).strip().lower()]
        best = min(group, key=lambda i: FORMAT_PREFERENCE.index(i[1]))
        if item is best:
            kept.append(item)
        else:
            item[2]["skipped"] = both(
                f"tabel yang sama juga ada sebagai {best[2]['format']}, yang dipanen",
                f"the same table is also given as {best[2]['format']}, which was harvested",
            )
    return kept
