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

import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..core.ckan_terms import LICENCES, SAMPLE_EXTRA
from ..core.layout import DATAPACKAGE, downloads_dir
from ..core.manifest import DatasetEntry, Manifest

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://jendela-data/ckan")
# CKAN's `isopen`: the licences the harvester maps CKAN's open licence ids to, one list for both.
OPEN_LICENCES = frozenset(LICENCES.values())
SORTABLE = {
    "name": lambda p: p["name"],
    "title_string": lambda p: p["title"].lower(),
    "title": lambda p: p["title"].lower(),
    "metadata_modified": lambda p: p["metadata_modified"],
    "metadata_created": lambda p: p["metadata_created"],
}
FILTER_FIELDS = {
    "organization": lambda p: [p["organization"]["name"]],
    "owner_org": lambda p: [p["owner_org"]],
    "tags": lambda p: [t["name"] for t in p["tags"]],
    "groups": lambda p: [g["name"] for g in p["groups"]],
    "res_format": lambda p: [r["format"] for r in p["resources"]],
    "license_id": lambda p: [p["license_id"]],
    "name": lambda p: [p["name"]],
    "id": lambda p: [p["id"]],
}
TERM = re.compile(r'([+-]?)([A-Za-z_]+):("[^"]*"|\S+)|("[^"]*"|\S+)')


class SearchQueryError(ValueError):
    """A q or fq we cannot read; CKAN answers these with "Search Query Error"."""


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


@dataclass
class CkanCatalog:
    packages: list[dict]  # full package dicts without absolute URLs (see `with_base`)

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


def load_catalog(release: Path, themes: dict | None = None) -> CkanCatalog:
    """Package dicts for every dataset of the release that has published tables."""
    manifest = Manifest.load(release)
    packages = []
    for dataset_id, entry in sorted(manifest.datasets.items()):
        datapackage = downloads_dir(release, dataset_id) / DATAPACKAGE
        if not entry.resources or not datapackage.is_file():
            continue
        descriptor = json.loads(datapackage.read_text(encoding="utf-8"))
        packages.append(package_dict(dataset_id, descriptor, entry, themes or {}))
    return CkanCatalog(packages)


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
    for position, res in enumerate(descriptor.get("resources") or []):
        published = entry.resources.get(res["name"])
        if not published:
            continue
        csv = next((d for d in published.get("downloads", []) if d["format"] == "csv"), None)
        if csv is None:
            continue
        resources.append(
            {
                "id": stable_id("resource", dataset_id, res["name"]),
                "package_id": package_id,
                "name": res["name"],
                "title": res.get("title", res["name"]),
                "description": res.get("description", ""),
                "url": csv["path"],
                "format": "CSV",
                "mimetype": "text/csv",
                "size": csv["bytes"],
                "hash": csv["sha256"],
                "position": position,
                "state": "active",
                "url_type": None,
                "resource_type": None,
                "datastore_active": False,
                "created": modified,
                "last_modified": modified,
                "metadata_modified": modified,
                "rows": published.get("rows"),
                "schema": _table_schema(res.get("schema") or {}),
                "datasette_url": f"jendela/{res['name']}",
            }
        )
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
    """package_search over the catalog: q words (all must match) and field:value filters.

    Accepts CKAN's common forms: `q=*:*`, `q=apbd bogor`, `q=tags:anggaran`,
    `fq=organization:pemkot-bogor +tags:"data contoh"`, `-organization:x` to exclude. This is no
    Solr: no wildcards inside words, no ranges, no boosts; an unknown field is a query error.
    """
    found = [p for p in catalog.packages if _matches(p, q, free_text=True) and _matches(p, fq)]
    found = sorted_packages(found, sort)
    facets, search_facets = _facets(found, facet_fields)
    return {
        "count": len(found),
        "sort": sort or "score desc, metadata_modified desc",
        "facets": facets,
        "search_facets": search_facets,
        "results": found[start : start + rows],
    }


def _matches(package: dict, query: str, free_text: bool = False) -> bool:
    query = (query or "").strip()
    if query in ("", "*:*", "*"):
        return True
    for sign, field, value, word in TERM.findall(query):
        if word:
            if word == "AND":
                continue
            if word in ("OR", "NOT"):
                raise SearchQueryError(f"{word} is not supported; terms are joined by AND")
            if not free_text:
                raise SearchQueryError(f"expected field:value, got {word!r}")
            if _unquote(word).lower() not in _text_of(package):
                return False
            continue
        if field == "text":
            hit = _unquote(value).lower() in _text_of(package)
        elif field in FILTER_FIELDS:
            wanted = _unquote(value)
            values = FILTER_FIELDS[field](package)
            hit = wanted == "*" or any(str(v).lower() == wanted.lower() for v in values)
        else:
            raise SearchQueryError(
                f"unknown field {field!r}; known: {', '.join(sorted(FILTER_FIELDS))}, text"
            )
        if hit == (sign == "-"):
            return False
    return True


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def _text_of(package: dict) -> str:
    parts = [
        package["name"],
        package["title"],
        package["notes"],
        package["organization"]["title"],
        *(t["name"] for t in package["tags"]),
        *(r["name"] + " " + r.get("title", "") for r in package["resources"]),
    ]
    return " ".join(parts).lower()


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
        if field not in FILTER_FIELDS:
            raise SearchQueryError(f"cannot facet on {field!r}")
        counts: dict[str, int] = {}
        for package in packages:
            for value in set(FILTER_FIELDS[field](package)):
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
