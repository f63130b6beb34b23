"""How long a browser, nginx or a CDN may keep each answer, and how it asks again.

A release never changes once published, so every answer is fixed until the next release; what
differs is whether its address outlives the release:
- Addresses that name their bytes never change meaning: a release's archive `rilis/<id>/...` (the
  id is a digest of its content, stages/history.py) and the assets linked with their digest
  (`?v=`, core/layout.py `versioned`). They are answered IMMUTABLE: kept a year, never asked again.
- Every other address (pages, JSON, `downloads/...`) shows the newest release, so it is kept
  SHORT_MAX_AGE seconds and then revalidated. Files of the static site carry an ETag of their
  bytes (the same on every replica: builds are byte-identical), so a download unchanged by a new
  release stays cached. Datasette's answers carry Last-Modified: when their release was
  published, or when this process started if later (new code may render a release differently);
  a request whose If-Modified-Since is not older is answered 304 without rendering anything.
ETags are weak (`W/`): the same file is sent plain or gzip-compressed (serve.py, nginx).
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs

from ..core.checksum import sha256_file
from ..core.layout import ASSET_DIGITS, ASSET_VERSION, COMPLETE_MARKER, RELEASES_DIR, versioned
from .layout import DATASETTE_STATIC, STATIC_MOUNT

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT_MAX_AGE = 60
REVALIDATE = f"public, max-age={SHORT_MAX_AGE}"
# `rilis/<id>/<file>`: a file inside one release's archive (`rilis/index.json` moves).
RELEASE_ARCHIVE = re.compile(rf"^/{RELEASES_DIR}/[^/]+/.+")
STARTED = time.time()
_ISSUED: list[int] = []  # the stamps this process gave out, one per release it served


@lru_cache(maxsize=8192)
def _digest(path: Path, size: int, mtime_ns: int) -> str:
    return sha256_file(path)


async def file_digest(path: Path) -> str:
    """SHA-256 of a published file, computed once per process (off the event loop: a download
    can be hundreds of megabytes). Size and time of change are in the key, so a file replaced in
    place is hashed again."""
    info = path.stat()
    return await asyncio.to_thread(_digest, path, info.st_size, info.st_mtime_ns)


def names_its_bytes(url_path: str, query: str, sha256: str) -> bool:
    """Whether this address can only ever mean these bytes: a release archive's file, or any
    file asked for with `?v=` equal to its own digest."""
    return bool(RELEASE_ARCHIVE.match(url_path)) or _asks_for(query, sha256)


def _asks_for(query: str, sha256: str) -> bool:
    """Whether the query string's `?v=` names these bytes (core/layout.py `versioned`)."""
    return parse_qs(query).get(ASSET_VERSION) == [sha256[:ASSET_DIGITS]]


def matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2), as GET revalidation uses it."""
    if not if_none_match:
        return False
    wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in wanted or etag.removeprefix("W/") in wanted


def file_headers(url_path: str, query: str, sha256: str) -> dict[str, str]:
    """Cache-Control and ETag of one static file."""
    lifetime = IMMUTABLE if names_its_bytes(url_path, query, sha256) else REVALIDATE
    return {"Cache-Control": lifetime, "ETag": f'W/"{sha256}"'}


@lru_cache(maxsize=64)
def static_digest(name: str) -> str | None:
    """SHA-256 of one of our Datasette static files (they ship with the code), or None."""
    path = (DATASETTE_STATIC / name).resolve()
    if not path.is_relative_to(DATASETTE_STATIC.resolve()) or not path.is_file():
        return None
    return sha256_file(path)


def static_url(name: str) -> str:
    """The address of one of our Datasette static files, with its digest."""
    return versioned(f"/{STATIC_MOUNT}/{name}", static_digest(name) or "")


def published_at(release: Path | None) -> int:
    """Last-Modified of every answer from `release`, in whole seconds (rounded up, so an answer
    rendered in the same second as a switch is never taken for the older one)."""
    stamp = STARTED
    if release is not None:
        marker = release / COMPLETE_MARKER
        with_time = marker if marker.exists() else release
        if with_time.exists():
            stamp = max(stamp, with_time.stat().st_mtime)
    return math.ceil(stamp)


def _not_older(if_modified_since: str, stamp: int) -> bool:
    try:
        return parsedate_to_datetime(if_modified_since).timestamp() >= stamp
    except (TypeError, ValueError, IndexError):
        return False  # a date we cannot read asks for the whole answer


def conditional_wrapper(release_of, max_age: int):
    """ASGI middleware for Datasette's answers: Last-Modified on each GET answered 200 without a
    validator of its own, 304 for a request that already holds it (fresh again for `max_age`
    seconds, Datasette's default_cache_ttl), and IMMUTABLE on our static files asked for by
    digest. `release_of()` is the folder of the release being served."""

    def wrap(app):
        stamp_cache: list[int] = []

        async def handler(scope, receive, send):
            if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
                await app(scope, receive, send)
                return
            if not stamp_cache:
                # Whole seconds: a release published in the second of the one before still
                # gets a later stamp, so a page held from the older one is never "not modified".
                stamp = published_at(release_of())
                stamp = max(stamp, _ISSUED[-1] + 1) if _ISSUED else stamp
                _ISSUED.append(stamp)
                stamp_cache.append(stamp)
            stamp = stamp_cache[0]
            last_modified = formatdate(stamp, usegmt=True).encode()
            asked = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            if "if-none-match" not in asked and _not_older(asked.get("if-modified-since"), stamp):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 304,
                        "headers": [
                            (b"last-modified", last_modified),
                            (b"cache-control", f"max-age={max_age}".encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return
            immutable = _static_by_digest(scope)

            async def send_with_validator(message):
                if message["type"] == "http.response.start" and message["status"] == 200:
                    headers = list(message.get("headers", []))
                    names = {k.lower() for k, _ in headers}
                    if immutable:
                        headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                        headers.append((b"cache-control", IMMUTABLE.encode()))
                    if not names & {b"etag", b"last-modified"}:
                        headers.append((b"last-modified", last_modified))
                    message = {**message, "headers": headers}
                await send(message)

            await app(scope, receive, send_with_validator)

        return handler

    return wrap


def _static_by_digest(scope) -> bool:
    prefix = f"/{STATIC_MOUNT}/"
    path = scope["path"]
    if not path.startswith(prefix):
        return False
    digest = static_digest(path.removeprefix(prefix))
    query = scope.get("query_string", b"").decode("latin-1")
    return digest is not None and _asks_for(query, digest)
