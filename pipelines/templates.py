"""The Jinja2 environment for everything we render: site pages and validation reports.

User-facing strings live in metadata/translations/<lang>.yaml, never in templates: a template asks
for `t("key")` (Bahasa Indonesia) and `en("key")` (English) and renders both.
"""

from __future__ import annotations

from functools import cache

import jinja2

from .model import METADATA_DIR, ROOT, read_yaml

TEMPLATES_DIR = ROOT / "site" / "templates"
LANGUAGES = ("id", "en")


@cache
def translations(lang: str) -> dict[str, str]:
    return read_yaml(METADATA_DIR / "translations" / f"{lang}.yaml") or {}


def translate(key: str, lang: str = "id") -> str:
    table = translations(lang)
    if key not in table:
        raise KeyError(f"translation key {key!r} missing from metadata/translations/{lang}.yaml")
    return table[key]


def format_number(value, decimals: int = 0) -> str:
    """Indonesian grouping: 1.234.567,5 (dot for thousands, comma for decimals)."""
    if value is None or value == "":
        return ""
    text = f"{float(value):,.{decimals}f}" if decimals else f"{int(round(float(value))):,}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_bytes(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["t"] = lambda key: translate(key, "id")
    env.globals["en"] = lambda key: translate(key, "en")
    env.filters["number"] = format_number
    env.filters["filesize"] = format_bytes
    return env
