"""Security headers on every response: a Content-Security-Policy that runs no inline script unless
its hash is listed, `X-Content-Type-Options: nosniff`, and no framing by other sites.

The static catalog has no inline script. Datasette's pages have several, written by its templates
(and ours, which override some): code that is the same on every page, and data assignments such
as `window._datasetteTableData = {{ table_page_data|tojson }}`. A hash is listed only for an inline
script that one of those templates can produce: each template script becomes a pattern in which
literal text must match exactly, a `tojson` value must parse as JSON (data, never code), a plain
value may hold only word characters, and `{% if %}`/`{% for %}` blocks may be present or not. A
script injected through the data matches no pattern, gets no hash, and the browser refuses it.
Our own body script (i18n.ui_script) is listed by its hash.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import cache
from pathlib import Path

import datasette

from ..core.bilingual import LANGUAGES
from .i18n import ui_script
from .layout import DATASETTE_TEMPLATES

DATASETTE_TEMPLATE_DIR = Path(datasette.__file__).parent / "templates"
INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
DATA_TYPES = ("application/ld+json", "application/json")  # data blocks: never executed
JINJA = re.compile(r"({{.*?}}|{%.*?%}|{#.*?#})", re.S)
WHITESPACE = re.compile(r"\s+")
BASE_POLICY = (
    "default-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
)


def script_hash(body: str) -> str:
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _literal(text: str) -> str:
    # Whitespace around Jinja tags depends on `-` trimming: any run of it matches any other.
    return "".join(
        r"\s*" if WHITESPACE.fullmatch(part) else re.escape(part)
        for part in re.split(r"(\s+)", text)
        if part
    )


def _pattern(template_script: str) -> tuple[re.Pattern, int] | None:
    """A template's inline script as a regex; JSON groups are named j0, j1, ..."""
    parts = JINJA.split(template_script)
    out, groups = [], 0
    for part in parts:
        if part.startswith("{#"):
            continue
        if part.startswith("{{"):
            if "tojson" in part:
                out.append(f"(?P<j{groups}>.+?)")
                groups += 1
            else:
                out.append(r"[\w.\-]*")
        elif part.startswith("{%"):
            word = part.strip("{%- }").split(" ")[0]
            if word in ("if", "for"):
                out.append("(?:")
            elif word in ("elif", "else"):
                out.append("|")
            elif word == "endif":
                out.append("|)")
            elif word == "endfor":
                out.append(")*")
            elif word in ("set", "include", "call", "block", "endblock"):
                return None  # not a script these rules understand: no hash for it
        else:
            out.append(_literal(part))
    try:
        return re.compile("".join(out), re.S), groups
    except re.error:
        return None


@cache
def known_scripts() -> tuple[frozenset[str], tuple[tuple[re.Pattern, int], ...]]:
    """(exact hashes, patterns) of the inline scripts our and Datasette's templates write."""
    exact = {script_hash(ui_script(lang)) for lang in LANGUAGES}
    patterns = []
    for folder in (DATASETTE_TEMPLATES, DATASETTE_TEMPLATE_DIR):
        for path in sorted(folder.rglob("*.html")):
            for match in INLINE_SCRIPT.finditer(path.read_text(encoding="utf-8")):
                if "src=" in match["attrs"]:
                    continue
                body = match["body"]
                if not JINJA.search(body):
                    exact.add(script_hash(body))
                elif (pattern := _pattern(body)) is not None:
                    patterns.append(pattern)
    return frozenset(exact), tuple(patterns)


def _from_template(body: str) -> bool:
    exact, patterns = known_scripts()
    if script_hash(body) in exact:
        return True
    for pattern, groups in patterns:
        match = pattern.fullmatch(body)
        if match is None:
            continue
        try:
            for number in range(groups):
                if match[f"j{number}"] is not None:
                    json.loads(match[f"j{number}"])
        except ValueError:
            continue
        return True
    return False


def allowed_hashes(html: str) -> list[str]:
    """Hashes of the inline scripts in `html` that a template wrote, in page order."""
    found = []
    for match in INLINE_SCRIPT.finditer(html):
        attrs = match["attrs"].lower()
        if "src=" in attrs or any(kind in attrs for kind in DATA_TYPES):
            continue
        if _from_template(match["body"]):
            found.append(script_hash(match["body"]))
    return list(dict.fromkeys(found))


def policy(hashes: list[str]) -> str:
    script = " ".join(["script-src 'self'", *hashes])
    return "; ".join([*BASE_POLICY, script])


def security_headers_wrapper(app):
    """ASGI middleware: an HTML response is held until its body is complete (pages are sent
    whole, or in a few chunks for the static catalog) so its inline scripts can be hashed."""

    async def handler(scope, receive, send):
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        held: dict = {"start": None, "chunks": []}

        async def secured_send(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in
                           {b"content-security-policy", *(h for h, _ in HEADERS)}]  # fmt: skip
                message = {**message, "headers": headers + list(HEADERS)}
                content_type = dict((k.lower(), v) for k, v in headers).get(b"content-type", b"")
                if not content_type.startswith(b"text/html"):
                    csp = policy([]).encode()
                    message["headers"].append((b"content-security-policy", csp))
                    await send(message)
                    return
                held["start"] = message
                return
            if message["type"] == "http.response.body" and held["start"] is not None:
                held["chunks"].append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = b"".join(held["chunks"])
                hashes = allowed_hashes(body.decode("utf-8", errors="replace"))
                start = held["start"]
                held["start"] = None
                start["headers"].append((b"content-security-policy", policy(hashes).encode()))
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await app(scope, receive, secured_send)

    return handler
