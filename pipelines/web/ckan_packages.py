"""Our published catalog in CKAN's shapes: package, resource and organisation dicts, and search.

National aggregators (Satu Data Indonesia) and CKAN harvesters read portals through CKAN's Action
API. This module turns one release (its manifest.json and the datapackage.json of each dataset)
into the dicts CKAN 2.10 returns, so pipelines/web/ckan_api.py only routes requests. It reads the
release's files, never the descriptors on disk: the API describes exactly what is published.

Ids are stable UUIDs derived from our names (uuid5), so a harvester that keys on `id` sees the
same package across releases. Dates: `jendela.updated` is the only date we publish, so it is both
metadata_created and metadata_modified.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..core.ckan_terms import LICENCES, SAMPLE_EXTRA
from ..core.layout import DATAPACKAGE, downloads_dir, zip_file
from ..core.manifest import DatasetEntry, Manifest
from .ckan_query import EXACT_FIELDS, SearchQueryError, matches

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://jendela-data/ckan")
# CKAN's `isopen`: the licences the harvester maps CKAN's open licence ids to, one list for both.
OPEN_LICENCES = frozenset(LICENCES.values())
SORTABLE = {
    "name": lambda p: p["name"],
    "title_string": lambda p: p["title"].lower(),
    "title": lambda p: p["title"].lower(),
    "metadata_modified": lambda p: p["metadata_modified"],
    "metadata_created": lambda p: p["metadata_created"],
    "id": lambda p: p["id"],  # CKAN's harvester pages with sort=id asc
}
# The manifest's download formats offered as CKAN resources, in this order per table, with the
# format label and media type CKAN portals use. Portals list one table several times, once per
# format, under one name; harvesters (ours too) take the CSV. The quarantine file (rows that
# failed validation) is a report, not a copy of the table: it is not offered as a resource.
RESOURCE_FORMATS = {
    "csv": ("CSV", "text/csv"),
    "json": ("JSON", "application/json"),
    "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "parquet": ("Parquet", "application/vnd.apache.parquet"),
    # the index of the Parquet files partitioned by year and region (docs/parquet.md)
    "partitions": ("Parquet partitions", "application/json"),
    "ocds": ("OCDS", "application/json"),
    "schema": ("Table Schema", "application/json"),
    "datapackage": ("Data Package", "application/json"),
    "zip": ("ZIP", "application/zip"),
}
PACKAGE_FILES = {
    "datapackage": "Frictionless Data Package: every table's schema, licence and sources",
    "zip": "Every table of the dataset with datapackage.json, in one ZIP file",
}


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


@dataclass
class CkanCatalog:
    packages: list[dict]  # full package dicts without absolute URLs (see `with_base`)
    # metadata/licences.yaml, keyed by SPDX id
    licences: dict = dataclasses.field(default_factory=dict)

    def resource(self, key: str) -> dict | None:
        for package in self.packages:
            for resource in package["resources"]:
                if resource["id"] == key:
                    return resource
        return None

    def tags(self) -> list[dict]:
        """Every keyword of a published package, once, by name."""
        found = {t["name"]: t for p in self.packages for t in p["tags"]}
        return [found[name] for name in sorted(found)]

    def groups(self) -> list[dict]:
        """The themes packages belong to, with CKAN's group keys and their package counts."""
        found: dict[str, dict] = {}
        for package in self.packages:
            for group in package["groups"]:
                entry = found.setdefault(group["name"], {**group, "package_count": 0})
                entry["package_count"] += 1
        return [
            {**found[name], "type": "group", "is_organization": False, "state": "active"}
            for name in sorted(found)
        ]

    def licence_list(self) -> list[dict]:
        """Licences in CKAN's license_list shape; `od_conformance` says whether the Open
        Definition approves it (the open licences the harvester maps CKAN's ids to)."""
        return [
            {
                "id": key,
                "title": entry.get("title", key),
                "url": entry.get("path", ""),
                "status": "active",
                "od_conformance": "approved" if key in OPEN_LICENCES else "not reviewed",
                "osd_conformance": "not reviewed",
                "is_okd_compliant": key in OPEN_LICENCES,
                "is_generic": False,
                "domain_content": True,
                "domain_data": True,
                "domain_software": False,
            }
            for key, entry in sorted(self.licences.items())
        ]

    def find(self, key: str) -> dict | None:
        for package in self.packages:
            if key in (package["name"], package["id"]):
                return package
        return None

    def organizations(self) -> list[dict]:
        found: dict[str, dict] = {}
        for package in self.packages:
            org = found.setdefault(package["organization"]["name"], dict(package["organization"]))
            org["package_count"] = org.get("package_count", 0) + 1
        return [found[name] for name in sorted(found)]

    def organization(self, key: str) -> dict | None:
        for org in self.organizations():
            if key in (org["name"], org["id"]):
                return org
        return None


def load_catalog(
    release: Path, themes: dict | None = None, licences: dict | None = None
) -> CkanCatalog:
    """Package dicts for every dataset of the release that has published tables."""
    manifest = Manifest.load(release)
    packages = []
    for dataset_id, entry in sorted(manifest.datasets.items()):
        datapackage = downloads_dir(release, dataset_id) / DATAPACKAGE
        if not entry.resources or not datapackage.is_file():
            continue
        descriptor = json.loads(datapackage.read_text(encoding="utf-8"))
        packages.append(package_dict(dataset_id, descriptor, entry, themes or {}))
    return CkanCatalog(packages, licences or {})


def package_dict(dataset_id: str, descriptor: dict, entry: DatasetEntry, themes: dict) -> dict:
    """One dataset as CKAN's package_show returns it; URLs are site paths until `with_base`."""
    ext = descriptor.get("jendela") or {}
    en = ext.get("en") or {}
    modified = f"{ext.get('updated', '1970-01-01')}T00:00:00"
    package_id = stable_id("dataset", dataset_id)
    publisher = (descriptor.get("contributors") or [{}])[0]
    org_name = ext.get("publisher", "jendela-data")
    org = {
        "id": stable_id("organization", org_name),
        "name": org_name,
        "title": publisher.get("title") or org_name,
        "description": "",
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "created": modified,
    }
    if publisher.get("path"):
        org["url"] = publisher["path"]
    licence = (descriptor.get("licenses") or [{}])[0]
    tags = [
        {
            "id": stable_id("tag", word),
            "name": word,
            "display_name": word,
            "state": "active",
            "vocabulary_id": None,
        }
        for word in descriptor.get("keywords") or []
    ]
    groups = [
        {
            "id": stable_id("group", key),
            "name": key,
            "title": (themes.get(key) or {}).get("title", key),
            "display_name": (themes.get(key) or {}).get("title", key),
            "description": (themes.get(key) or {}).get("description", ""),
            "image_display_url": "",
        }
        for key in ext.get("themes") or []
    ]
    resources = []
    for res in descriptor.get("resources") or []:
        published = entry.resources.get(res["name"])
        if not published:
            continue
        table = {
            "name": res["name"],
            "title": res.get("title", res["name"]),
            "description": res.get("description", ""),
            "rows": published.get("rows"),
            "schema": _table_schema(res.get("schema") or {}),
            "datasette_url": f"jendela/{res['name']}",
        }
        for download in sorted(
            (d for d in published.get("downloads", []) if d["format"] in RESOURCE_FORMATS),
            key=lambda d: list(RESOURCE_FORMATS).index(d["format"]),
        ):
            # The CSV keeps the id it had when it was the only resource of its table.
            parts = (
                (res["name"],) if download["format"] == "csv" else (res["name"], download["format"])
            )
            resources.append({**table, **_file_resource(dataset_id, parts, download, modified)})
    for key, name in (("datapackage", DATAPACKAGE), ("zip", zip_file(dataset_id))):
        if getattr(entry, key):
            resources.append(
                {
                    "name": name,
                    "title": name,
                    "description": PACKAGE_FILES[key],
                    **_file_resource(dataset_id, (key,), getattr(entry, key), modified),
                }
            )
    for position, resource in enumerate(resources):
        resource["package_id"], resource["position"] = package_id, position
    extras = [{"key": SAMPLE_EXTRA, "value": "true" if ext.get("sample") else "false"}]
    if "frequency" in ext:
        extras.append({"key": "jendela_frequency", "value": ext["frequency"]})
    extras += coverage_extras(entry.coverage or {})
    extras.sort(key=lambda extra: extra["key"])
    return {
        "id": package_id,
        "name": dataset_id,
        "title": descriptor.get("title", dataset_id),
        "title_translated": {"id": descriptor.get("title", ""), "en": en.get("title", "")},
        "notes": descriptor.get("description", ""),
        "notes_translated": {
            "id": descriptor.get("description", ""),
            "en": en.get("description", ""),
        },
        "url": f"dataset/{dataset_id}/",
        "type": "dataset",
        "state": "active",
        "private": False,
        "license_id": licence.get("name"),
        "license_title": licence.get("title"),
        "license_url": licence.get("path"),
        "isopen": licence.get("name") in OPEN_LICENCES,
        "owner_org": org["id"],
        "organization": org,
        "author": None,
        "author_email": None,
        "maintainer": publisher.get("title"),
        "maintainer_email": None,
        "version": None,
        "metadata_created": modified,
        "metadata_modified": modified,
        "tags": tags,
        "num_tags": len(tags),
        "groups": groups,
        "extras": extras,
        "resources": resources,
        "num_resources": len(resources),
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def _file_resource(dataset_id: str, parts: tuple[str, ...], download: dict, modified: str) -> dict:
    """The CKAN keys of one published file: its URL (a site path until `with_base`), format,
    media type, size and SHA-256 as the manifest records them."""
    label, mimetype = RESOURCE_FORMATS[download["format"]]
    return {
        "id": stable_id("resource", dataset_id, *parts),
        "url": download["path"],
        "format": label,
        "mimetype": mimetype,
        "size": download["bytes"],
        "hash": download["sha256"],
        "state": "active",
        "url_type": None,
        "resource_type": None,
        "datastore_active": False,
        "created": modified,
        "last_modified": modified,
        "metadata_modified": modified,
    }


def coverage_extras(coverage: dict) -> list[dict]:
    """What the tables hold, as the build computed it (pipelines/stages/coverage.py): rows, the
    spatial coverage in words (Indonesian, English) and by code, and the years. The keys are
    ours: CKAN's own `spatial` extra is a GeoJSON geometry (ckanext-spatial), which we do not
    have."""
    extras = []
    if coverage.get("rows") is not None:
        extras.append({"key": "jendela_rows", "value": str(coverage["rows"])})
    if coverage.get("spatial"):
        extras.append({"key": "jendela_spatial", "value": coverage["spatial"]["id"]})
        extras.append({"key": "jendela_spatial_en", "value": coverage["spatial"]["en"]})
        codes = [p["code"] for p in coverage.get("places") or [] if p.get("code")]
        if codes:
            extras.append({"key": "jendela_spatial_codes", "value": json.dumps(codes)})
    if coverage.get("years"):
        extras.append({"key": "jendela_temporal", "value": coverage["period"]["id"]})
        extras.append({"key": "jendela_years", "value": json.dumps(coverage["years"])})
    return extras


def _table_schema(schema: dict) -> dict:
    """The resource's Table Schema as ckanext-validation publishes it: fields with their types,
    titles and descriptions (English ones under `jendela.en`), and the primary key."""
    fields = []
    for f in schema.get("fields") or []:
        field = {k: f[k] for k in ("name", "type", "title", "description") if k in f}
        en = (f.get("jendela") or {}).get("en")
        if en:
            field["jendela"] = {"en": en}
        fields.append(field)
    out = {"fields": fields}
    if schema.get("primaryKey"):
        out["primaryKey"] = schema["primaryKey"]
    return out


def with_base(package: dict, base: str) -> dict:
    """A copy of `package` whose site paths are absolute URLs on `base` (the request's host)."""
    base = base.rstrip("/")
    out = dict(package)
    out["url"] = f"{base}/{package['url']}"
    out["resources"] = []
    for res in package["resources"]:
        res = dict(res)
        res["url"] = f"{base}/{res['url']}"
        if "datasette_url" in res:  # a table's files; the package's own files have none
            res["datasette_url"] = f"{base}/{res['datasette_url']}"
        out["resources"].append(res)
    return out


def search(
    catalog: CkanCatalog,
    q: str,
    fq: str,
    rows: int,
    start: int,
    sort: str | None,
    facet_fields: list[str],
) -> dict:
    """package_search over the catalog: `q` (free words and field:value terms) and `fq`
    (field:value terms), in the syntax ckan_query.py reads."""
    found = [p for p in catalog.packages if matches(p, q, free_text=True) and matches(p, fq, False)]
    found = sorted_packages(found, sort)
    facets, search_facets = _facets(found, facet_fields)
    return {
        "count": len(found),
        "sort": sort or "score desc, metadata_modified desc",
        "facets": facets,
        "search_facets": search_facets,
        "results": found[start : start + rows],
    }


def sorted_packages(packages: list[dict], sort: str | None) -> list[dict]:
    """Packages in CKAN's `sort` order ("name asc, metadata_modified desc"); by default the most
    recently modified first, ties by name."""
    ordered = sorted(packages, key=lambda p: p["name"])
    if not sort:
        return sorted(ordered, key=lambda p: p["metadata_modified"], reverse=True)
    for clause in reversed([c.strip() for c in sort.split(",") if c.strip()]):
        field, _, direction = clause.partition(" ")
        if field == "score":
            continue
        if field not in SORTABLE:
            raise SearchQueryError(f"cannot sort by {field!r}; known: {', '.join(SORTABLE)}")
        ordered = sorted(ordered, key=SORTABLE[field], reverse=direction.strip().lower() == "desc")
    return ordered


def _facets(packages: list[dict], fields: list[str]) -> tuple[dict, dict]:
    facets, search_facets = {}, {}
    for field in fields:
        if field not in EXACT_FIELDS:
            raise SearchQueryError(f"cannot facet on {field!r}")
        counts: dict[str, int] = {}
        for package in packages:
            for value in set(EXACT_FIELDS[field](package)):
                counts[value] = counts.get(value, 0) + 1
        facets[field] = counts
        search_facets[field] = {
            "title": field,
            "items": [
                {"name": v, "display_name": v, "count": n}
                for v, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            ],
        }
    return facets, search_facets
