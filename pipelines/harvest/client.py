"""Talking to a remote CKAN portal: ckanapi for the Action API, requests for resource files.

Real portals time out, answer 500 for a while, serve an HTML error page with status 200, or have
their Action API switched off. This module turns every such case into one `PortalError` with a
short `kind` slug and a bilingual message, so the harvester can record it per dataset and go on.
Retries with exponential backoff come from urllib3's `Retry` (a well-kept library), mounted on the
requests session that ckanapi itself uses.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import ckanapi
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..core.errors import JendelaError

RETRY_STATUSES = (429, 500, 502, 503, 504)
CHUNK = 1 << 16
USER_AGENT = "JendelaData-harvester/0.1 (+https://github.com/ckan/ckanapi)"


def both(indonesian: str, english: str) -> str:
    """User-facing text: Bahasa Indonesia first, English second."""
    return f"{indonesian} / {english}"


class PortalError(JendelaError):
    """One failed exchange with a portal. `kind` is a stable slug for reports and tests."""

    exit_code = 1

    def __init__(self, kind: str, message: str, url: str | None = None, status: int | None = None):
        self.kind, self.message, self.url, self.status = kind, message, url, status
        super().__init__(message)

    def as_dict(self) -> dict:
        out = {"kind": self.kind, "message": self.message}
        if self.url:
            out["url"] = self.url
        if self.status is not None:
            out["status"] = self.status
        return out


@dataclass(frozen=True)
class ClientSettings:
    timeout: float = 30.0  # seconds, for connecting and for each read
    retries: int = 3  # extra tries after a timeout, a dropped connection or a 429/5xx
    backoff: float = 1.0  # urllib3 backoff factor: waits backoff * 2**(try - 1) seconds
    max_bytes: int = 1 << 30  # a resource larger than this is refused, not truncated
    page_size: int = 100  # rows per package_search page


@dataclass(frozen=True)
class Downloaded:
    path: Path
    sha256: str
    bytes: int
    etag: str | None
    last_modified: str | None
    content_type: str | None


class PortalClient:
    """A CKAN portal at `address` (e.g. https://data.go.id), read-only."""

    def __init__(self, address: str, settings: ClientSettings | None = None):
        self.address = address.rstrip("/")
        self.settings = settings or ClientSettings()
        self.session = requests.Session()
        retry = Retry(
            total=self.settings.retries,
            connect=self.settings.retries,
            read=self.settings.retries,
            status=self.settings.retries,
            other=0,
            backoff_factor=self.settings.backoff,
            backoff_max=60,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "HEAD"}),
            raise_on_status=False,  # the last answer comes back and is classified below
            respect_retry_after_header=True,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = USER_AGENT
        self._last: requests.Response | None = None
        self.session.hooks["response"].append(self._remember)
        # GET only: every action we call is a read, GET works on every CKAN, and some portals
        # refuse POST from anonymous clients.
        self.ckan = ckanapi.RemoteCKAN(
            self.address, user_agent=USER_AGENT, get_only=True, session=self.session
        )
        self.ckan.base_url = "api/3/action/"

    def _remember(self, response, *args, **kwargs):
        self._last = response

    def close(self) -> None:
        self.session.close()

    def action(self, name: str, **params) -> object:
        """Call a read action; any failure becomes a PortalError naming the action and cause."""
        self._last = None
        url = f"{self.address}/api/3/action/{name}"
        params = {k: _param(v) for k, v in params.items() if v is not None}
        try:
            return self.ckan.call_action(
                name, params, requests_kwargs={"timeout": self.settings.timeout}
            )
        except ckanapi.NotFound as exc:
            raise PortalError(
                "not-found", both("tidak ditemukan", "not found") + f": {name} {exc}", url, 404
            ) from None
        except ckanapi.NotAuthorized:
            raise PortalError(
                "not-authorized",
                both("portal menolak akses", "the portal refused access") + f" ({name})",
                url,
                403,
            ) from None
        except (ckanapi.ValidationError, ckanapi.SearchQueryError, ckanapi.SearchError) as exc:
            raise PortalError(
                "query-error",
                both("portal menolak permintaan", "the portal rejected the request")
                + f" ({name}): {exc}",
                url,
            ) from None
        except requests.Timeout:
            raise self._timeout(url) from None
        except requests.ConnectionError as exc:
            raise self._connection(url, exc) from None
        except (ckanapi.CKANAPIError, ckanapi.errors.ServerIncompatibleError):
            raise self._bad_answer(name, url) from None

    def _timeout(self, url: str) -> PortalError:
        tries = self.settings.retries + 1
        return PortalError(
            "timeout",
            both(
                f"tidak ada jawaban dalam {self.settings.timeout:g} detik ({tries} kali dicoba); "
                "portal yang lambat perlu --timeout atau --retries yang lebih besar",
                f"no answer within {self.settings.timeout:g} s ({tries} tries); "
                "a slow portal needs a larger --timeout or --retries",
            ),
            url,
        )

    def _connection(self, url: str, exc: Exception) -> PortalError:
        if "timed out" in str(exc).lower() or "timeout" in type(exc).__name__.lower():
            return self._timeout(url)
        return PortalError(
            "connection",
            both("tidak dapat terhubung", "cannot connect") + f": {_short(str(exc))}",
            url,
        )

    def _bad_answer(self, name: str, url: str) -> PortalError:
        response = self._last
        status = response.status_code if response is not None else None
        body = response.text if response is not None else ""
        looks_html = _looks_like_html(body.encode("utf-8", "replace")[:2048])
        if status in (401, 403, 404, 405, 410, 501) or (looks_html and status == 200):
            return PortalError(
                "api-disabled",
                both(
                    f"Action API CKAN tidak tersedia di {self.address} (HTTP {status}); "
                    "periksa alamat portal atau apakah API-nya dimatikan",
                    f"the CKAN Action API is not available at {self.address} (HTTP {status}); "
                    "check the portal address or whether its API is switched off",
                ),
                url,
                status,
            )
        if status is not None and status >= 400:
            tries = self.settings.retries + 1
            return PortalError(
                "http-error",
                both(
                    f"portal menjawab HTTP {status} untuk {name} ({tries} kali dicoba)",
                    f"the portal answered HTTP {status} to {name} ({tries} tries)",
                ),
                url,
                status,
            )
        try:
            json.loads(body)
            message = both(
                f"jawaban {name} memang JSON, tetapi bukan jawaban CKAN (tanpa success/result)",
                f"the {name} answer is JSON but no CKAN answer (no success/result)",
            )
        except ValueError as exc:
            message = (
                both(f"jawaban {name} bukan JSON yang sah", f"the {name} answer is not valid JSON")
                + f": {exc}"
            )
        return PortalError("invalid-json", message, url, status)

    def download(
        self,
        url: str,
        folder: Path,
        expect: str,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Downloaded | None:
        """Stream `url` into a new file in `folder`, hashing it; None when the server says 304.

        `expect` is the format the portal promised (csv, xlsx, json): an HTML page where data was
        promised (a login wall, an error page served with status 200) is refused here, before
        anything downstream tries to read it as data.
        """
        scheme = urlparse(url).scheme
        if scheme not in ("http", "https"):
            raise PortalError(
                "bad-url",
                both("alamat sumber daya bukan http(s)", "the resource URL is not http(s)")
                + f": {url!r}",
                url,
            )
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            response = self.session.get(
                url, headers=headers, stream=True, timeout=self.settings.timeout
            )
        except requests.Timeout:
            raise self._timeout(url) from None
        except requests.ConnectionError as exc:
            raise self._connection(url, exc) from None
        with response:
            if response.status_code == 304:
                return None
            if response.status_code >= 400:
                raise PortalError(
                    "resource-http-error",
                    both(
                        f"berkas sumber daya tidak dapat diunduh: HTTP {response.status_code}",
                        f"the resource file cannot be downloaded: HTTP {response.status_code}",
                    ),
                    url,
                    response.status_code,
                )
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".download-", suffix=f".{expect}")
            digest = hashlib.sha256()
            size = 0
            head = b""
            try:
                with os.fdopen(fd, "wb") as out:
                    for block in response.iter_content(CHUNK):
                        if len(head) < 2048:
                            head += block[: 2048 - len(head)]
                        size += len(block)
                        if size > self.settings.max_bytes:
                            raise PortalError(
                                "too-large",
                                both(
                                    f"berkas lebih besar dari {self.settings.max_bytes:,} bita; "
                                    "naikkan batasnya dengan --max-bytes",
                                    f"the file is larger than {self.settings.max_bytes:,} bytes; "
                                    "raise the limit with --max-bytes",
                                ),
                                url,
                            )
                        digest.update(block)
                        out.write(block)
                _check_content(head, expect, response.headers.get("Content-Type"), url)
            except requests.RequestException as exc:
                Path(tmp).unlink(missing_ok=True)
                raise self._connection(url, exc) from None
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return Downloaded(
            Path(tmp),
            digest.hexdigest(),
            size,
            response.headers.get("ETag"),
            response.headers.get("Last-Modified"),
            response.headers.get("Content-Type"),
        )


def _check_content(head: bytes, expect: str, content_type: str | None, url: str) -> None:
    if _looks_like_html(head):
        raise PortalError(
            "html-not-data",
            both(
                f"portal menjanjikan {expect.upper()} tetapi mengirim halaman HTML "
                "(halaman galat atau login?)",
                f"the portal promised {expect.upper()} but served an HTML page "
                f"(an error or login page?); Content-Type {content_type or '-'}",
            ),
            url,
        )
    if expect == "xlsx" and not head.startswith(b"PK\x03\x04"):
        raise PortalError(
            "not-xlsx",
            both("berkas bukan buku kerja XLSX", "the file is not an XLSX workbook"),
            url,
        )


def _looks_like_html(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
        text.startswith(b"<") and b"<html" in text[:1024]
    )


def _param(value) -> str | int:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
