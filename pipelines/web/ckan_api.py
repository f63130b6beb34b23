"""Datasette plugin: the read-only CKAN Action API under /api/3/action/ (and /api/action/).

CKAN harvesters, ckanapi and national aggregators can then consume our catalog as they would any
CKAN portal: package_list, package_show, package_search, organization_list, organization_show,
current_package_list_with_resources, status_show and help_show, answered in CKAN's envelope
(`help`, `success`, `result`) and, on errors, CKAN's error shape and HTTP status
(`{"success": false, "error": {"__type": "Not Found Error", "message": "Not found"}}`, 404).

The data comes from the served release (found through `plugins.jendela.site_dir`, which
`publish.py serve` sets): pipelines/web/ckan_packages.py builds the dicts once per release.
Parameters come from the query string (GET) or a JSON or form body (POST, which ckanapi uses by
default). Write actions answer 403: this portal is read-only.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl

from datasette import hookimpl
from datasette.utils.asgi import Response

from ..core.errors import DescriptorError
from ..core.layout import MANIFEST_FILE
from ..core.model import METADATA_DIR, Vocabulary
from . import ckan_packages as packages
from .ckan_query import SearchQueryError

API_VERSION = 3
MAX_ROWS = 1000
CKAN_COMPATIBLE = "2.10.0"  # the CKAN release whose read-only API shapes we answer in
WRITE_SUFFIXES = ("_create", "_update", "_patch", "_delete", "_purge", "_revise", "_reorder")


class ActionError(Exception):
    """An error CKAN would give: its HTTP status, `__type` and message or field errors."""

    def __init__(self, status: int, kind: str, message: str | None = None, **fields):
        self.status, self.kind, self.message, self.fields = status, kind, message, fields
        super().__init__(message or kind)

    def as_error(self) -> dict:
        error = {"__type": self.kind}
        if self.message is not None:
            error["message"] = self.message
        error.update(self.fields)
        return error


def not_found() -> ActionError:
    return ActionError(404, "Not Found Error", "Not found")


def invalid(field: str, message: str) -> ActionError:
    return ActionError(409, "Validation Error", **{field: [message]})


@lru_cache(maxsize=4)
def _catalog(release: str, stamp: float, metadata: str = str(METADATA_DIR)) -> packages.CkanCatalog:
    """The release's packages; group titles from the vocabulary as the build reads it, so themes
    the harvester wrote to metadata/harvested/themes.yaml have their titles too. (The release
    itself keeps no theme titles in Bahasa Indonesia to read them from.)"""
    try:
        vocabulary = Vocabulary.load(Path(metadata))
    except DescriptorError as exc:
        raise ActionError(500, "Internal Error", str(exc)) from None
    return packages.load_catalog(Path(release), vocabulary.themes, vocabulary.licences)


def catalog_for(datasette) -> packages.CkanCatalog:
    config = datasette.plugin_config("jendela") or {}
    site = config.get("site_dir")
    if not site:
        raise ActionError(500, "Internal Error", "plugins.jendela.site_dir is not configured")
    release = Path(site).resolve().parent
    manifest = release / MANIFEST_FILE
    if not manifest.is_file():
        raise ActionError(500, "Internal Error", f"no {MANIFEST_FILE} in the served release")
    return _catalog(str(release), manifest.stat().st_mtime)


# -- parameters --------------------------------------------------------------------------------


def _int(params: dict, name: str, default: int | None, low: int = 0, high: int | None = None):
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise invalid(name, "Invalid integer") from None
    if number < low:
        raise invalid(name, f"Must be a natural number (>= {low})")
    return min(number, high) if high is not None else number


def _bool(params: dict, name: str, default: bool) -> bool:
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise invalid(name, "Value must be one of: true, false")


def _list(params: dict, name: str) -> list[str]:
    value = params.get(name)
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    try:
        parsed = json.loads(value)
    except ValueError:
        return [str(value)]
    return [str(v) for v in parsed] if isinstance(parsed, list) else [str(parsed)]


# -- actions -----------------------------------------------------------------------------------


def package_list(cat, params, base):
    """Names of all datasets, sorted; `limit` and `offset` page through them."""
    names = sorted(p["name"] for p in cat.packages)
    offset = _int(params, "offset", 0)
    limit = _int(params, "limit", None, low=0)
    return names[offset : None if limit is None else offset + limit]


def package_show(cat, params, base):
    """One dataset by `id` (its name or its id)."""
    key = params.get("id") or params.get("name_or_id")
    if not key:
        raise invalid("id", "Missing value")
    package = cat.find(str(key))
    if package is None:
        raise not_found()
    return packages.with_base(package, base)


def package_search(cat, params, base):
    """Search: q, fq (organization, tags, groups, res_format, license_id, name), rows, start,
    sort, facet.field."""
    rows = _int(params, "rows", 10, high=MAX_ROWS)
    start = _int(params, "start", 0)
    fq = params.get("fq") or ""
    for extra in _list(params, "fq_list"):
        fq = f"{fq} {extra}".strip()
    try:
        result = packages.search(
            cat,
            str(params.get("q") or ""),
            str(fq),
            rows,
            start,
            params.get("sort"),
            _list(params, "facet.field"),
        )
    except SearchQueryError as exc:
        raise ActionError(409, "Search Query Error", f"Search Query is invalid: {exc}") from None
    result["results"] = [packages.with_base(p, base) for p in result["results"]]
    return result


def current_package_list_with_resources(cat, params, base):
    """Datasets with their resources, most recently modified first; `limit`, `offset`."""
    limit = _int(params, "limit", None, low=0)
    offset = _int(params, "offset", 0)
    ordered = packages.sorted_packages(cat.packages, None)
    chosen = ordered[offset : None if limit is None else offset + limit]
    return [packages.with_base(p, base) for p in chosen]


def _group_listing(items: list[dict], params: dict, chosen: str) -> list:
    """organization_list and group_list alike: names, or dicts with `all_fields`; `sort`
    ("title asc" by default, or name / package_count), `limit`, `offset`, and `chosen` (the
    parameter naming the ones wanted: `organizations` or `groups`)."""
    wanted = set(_list(params, chosen))
    if wanted:
        items = [o for o in items if o["name"] in wanted]
    sort = str(params.get("sort") or "title asc")
    field, _, direction = sort.partition(" ")
    if field not in ("name", "title", "package_count"):
        raise invalid("sort", f"Cannot sort by field `{field}`")
    key = (lambda o: o[field]) if field == "package_count" else (lambda o: str(o[field]).lower())
    items = sorted(items, key=key, reverse=direction.strip().lower() == "desc")
    offset = _int(params, "offset", 0)
    limit = _int(params, "limit", None, low=0)
    items = items[offset : None if limit is None else offset + limit]
    if _bool(params, "all_fields", False):
        return items
    return [o["name"] for o in items]


def organization_list(cat, params, base):
    """Publishers: names, or dicts with `all_fields`; sort, limit, offset, organizations."""
    return _group_listing(cat.organizations(), params, "organizations")


def group_list(cat, params, base):
    """Themes (CKAN groups): names, or dicts with `all_fields`; sort, limit, offset, groups."""
    return _group_listing(cat.groups(), params, "groups")


def tag_list(cat, params, base):
    """Keywords of the published datasets: names, or dicts with `all_fields`; `query` keeps the
    tags containing it (case-insensitive), as CKAN does."""
    tags = cat.tags()
    query = str(params.get("query") or "").strip().lower()
    if query:
        tags = [t for t in tags if query in t["name"].lower()]
    if _bool(params, "all_fields", False):
        return tags
    return [t["name"] for t in tags]


def _by_id(params: dict, find) -> tuple[str, dict]:
    """(the `id` parameter, what `find` returns for it): CKAN's 409 when the id is missing, its
    404 when nothing has it."""
    key = params.get("id")
    if not key:
        raise invalid("id", "Missing value")
    found = find(str(key))
    if found is None:
        raise not_found()
    return str(key), found


def license_list(cat, params, base):
    """The licences this catalog publishes under, in CKAN's licence shape."""
    return cat.licence_list()


def resource_show(cat, params, base):
    """One resource (a published file) by `id`, with its URL, format, size and SHA-256."""
    key, resource = _by_id(params, cat.resource)
    package = next(p for p in cat.packages if p["id"] == resource["package_id"])
    return next(r for r in packages.with_base(package, base)["resources"] if r["id"] == key)


def organization_show(cat, params, base):
    """One publisher by `id` (name or id); `include_datasets` adds its packages."""
    _, org = _by_id(params, cat.organization)
    org = dict(org)
    if _bool(params, "include_datasets", False):
        org["packages"] = [
            packages.with_base(p, base)
            for p in cat.packages
            if p["organization"]["name"] == org["name"]
        ]
    return org


def status_show(cat, params, base):
    """What this site is: CKAN clients check it before harvesting."""
    return {
        "site_title": "Jendela Data",
        "site_description": "Data terbuka pemerintah daerah / open regional government data",
        "site_url": base,
        "ckan_version": CKAN_COMPATIBLE,
        "api_version": API_VERSION,
        "error_emails_to": None,
        "locale_default": "id",
        "extensions": ["jendela_ckan"],
        "read_only": True,
    }


def help_show(cat, params, base):
    """The documentation of an action (`name`)."""
    name = params.get("name")
    if name not in ACTIONS:
        raise not_found()
    return " ".join((ACTIONS[name].__doc__ or "").split())


ACTIONS = {
    f.__name__: f
    for f in (
        package_list,
        package_show,
        package_search,
        current_package_list_with_resources,
        organization_list,
        organization_show,
        group_list,
        tag_list,
        license_list,
        resource_show,
        status_show,
        help_show,
    )
}


# -- HTTP --------------------------------------------------------------------------------------


async def _params(request) -> dict:
    params = dict(parse_qsl(request.query_string, keep_blank_values=True))
    if request.method == "POST":
        body = await request.post_body()
        if body.strip():
            content_type = request.headers.get("content-type", "")
            if "application/x-www-form-urlencoded" in content_type:
                params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            else:
                try:
                    data = json.loads(body)
                except ValueError as exc:
                    raise ActionError(
                        400, "Bad request", f"Bad request - JSON Error: {exc}"
                    ) from None
                if not isinstance(data, dict):
                    raise ActionError(
                        400,
                        "Bad request",
                        "Bad request - JSON Error: Request data JSON decoded to a non-dict",
                    )
                params.update(data)
    return params


def _respond(action: str, base: str, status: int, body: dict) -> Response:
    envelope = {"help": f"{base}/api/3/action/help_show?name={action}", **body}
    return Response(
        json.dumps(envelope, ensure_ascii=False),
        status=status,
        content_type="application/json;charset=utf-8",
        headers={"Access-Control-Allow-Origin": "*"},
    )


async def action_view(datasette, request) -> Response:
    action = request.url_vars["action"]
    base = datasette.absolute_url(request, "/").rstrip("/")
    try:
        if request.method not in ("GET", "POST"):
            raise ActionError(405, "Bad request", f"Bad request - method {request.method}")
        handler = ACTIONS.get(action)
        if handler is None:
            if action.endswith(WRITE_SUFFIXES):
                raise ActionError(
                    403,
                    "Authorization Error",
                    "Access denied: Jendela Data hanya-baca / Jendela Data is read-only",
                )
            raise ActionError(400, "Bad request", f"Bad request - Action name not known: {action}")
        params = await _params(request)
        result = handler(catalog_for(datasette), params, base)
    except ActionError as exc:
        return _respond(action, base, exc.status, {"success": False, "error": exc.as_error()})
    return _respond(action, base, 200, {"success": True, "result": result})


async def version_view(datasette, request) -> Response:
    """GET /api/3 -> {"version": 3}, as CKAN answers."""
    return Response.json({"version": API_VERSION})


@hookimpl
def register_routes(datasette):
    return [
        (r"^/api/(?:3/)?action/(?P<action>[A-Za-z_]+)$", action_view),
        (r"^/api/3/?$", version_view),
    ]
