"""Which addresses may become links: http(s) and mailto only.

Descriptors, the shared vocabulary (publishers, licences) and metadata harvested from a remote CKAN
portal all give addresses that the static catalog and the Datasette pages turn into links. A
`javascript:` or `data:` address there would run in the reader's browser, and a remote portal could
put one there with no human edit; so any other scheme fails, with a message naming file and key.
A relative path (`data/x.csv`) is no address and is left alone where a path is allowed.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .errors import DescriptorError

SAFE_SCHEMES = ("http", "https", "mailto")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
# Browsers drop ASCII whitespace and control characters anywhere in an address before they read
# its scheme ("java\tscript:" runs), so they are removed before looking.
IGNORED = re.compile(r"[\x00-\x20\x7f]")
MAX_SHOWN = 80


def is_safe_link(value: str, relative_ok: bool = False) -> bool:
    """True for an http(s) address with a host, a mailto address, or (when `relative_ok`) a
    relative path without a scheme."""
    text = IGNORED.sub("", value)
    if not SCHEME.match(text):
        return relative_ok and not text.startswith("//") and not text.startswith("\\")
    parts = urlsplit(text)
    if parts.scheme.lower() in ("http", "https"):
        return bool(parts.netloc)
    return parts.scheme.lower() == "mailto" and len(text) > len("mailto:")


def link_problem(value: str) -> str:
    """The bilingual message for an address that is not accepted."""
    shown = value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "…"
    return (
        f"alamat tautan harus http(s) atau mailto, bukan {shown!r} / a link address must be "
        f"http(s) or mailto, not {shown!r}"
    )


def check_link(value, path: str, key: str, relative_ok: bool = False) -> None:
    """DescriptorError naming `path` and `key` unless `value` is an accepted address."""
    if value is None:
        return
    if not isinstance(value, str) or not is_safe_link(value, relative_ok):
        raise DescriptorError(path, key, link_problem(str(value)))
