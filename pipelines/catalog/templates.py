"""The Jinja2 environment for everything we render: site pages, feeds and validation reports.

User-facing strings live in metadata/translations/<lang>.yaml, never in templates. A page is
rendered once per language with `lang` in its context: `t("key")` gives the string in the page's
language (Indonesian when no `lang` is set, as in validation reports), `en("key")` always English,
and the `tr` filter picks one side of a bilingual `{"id": ..., "en": ...}` value.
"""

from __future__ import annotations

import json
from functools import cache

import jinja2
from markupsafe import Markup

from ..core.bilingual import LANGUAGES, pick
from ..core.checksum import sha256_file
from ..core.indonesian import format_number
from ..core.layout import ASSETS, versioned
from ..core.markdown import markdown_html, markdown_inline
from ..core.model import ROOT
from ..core.translations import translate

TEMPLATES_DIR = ROOT / "site" / "templates"
ASSETS_DIR = ROOT / "site" / "static"  # copied to the site's assets/


@cache
def asset_url(name: str) -> str:
    """The address of one of the site's assets relative to the site root, with its digest."""
    return versioned(f"{ASSETS}/{name}", sha256_file(ASSETS_DIR / name))


def format_compact(value, lang: str = "id") -> str:
    """Short amounts for chart labels: 2,68 T / 2.68 tn (the words come from translations)."""
    if value is None:
        return ""
    number = float(value)
    for power, key in ((12, "num_trillion"), (9, "num_billion"), (6, "num_million")):
        if abs(number) >= 10**power:
            return f"{format_number(number / 10**power, 2, lang)} {translate(key, lang)}"
    return format_number(number, 0, lang)


def format_bytes(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"


def json_script(value) -> Markup:
    """JSON safe inside <script>: `<`, `>` and `&` escaped so no `</script>` can close it."""
    text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _lang(context) -> str:
    return context.get("lang") or "id"


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
    env.globals["t"] = jinja2.pass_context(lambda ctx, key: translate(key, _lang(ctx)))
    env.globals["en"] = lambda key: translate(key, "en")
    env.globals["languages"] = LANGUAGES
    env.globals["asset"] = asset_url
    env.filters["tr"] = jinja2.pass_context(lambda ctx, value: pick(value, _lang(ctx)))
    env.filters["number"] = jinja2.pass_context(
        lambda ctx, value, decimals=0, lang=None: format_number(value, decimals, lang or _lang(ctx))
    )
    env.filters["compact"] = jinja2.pass_context(lambda ctx, v: format_compact(v, _lang(ctx)))
    env.filters["filesize"] = format_bytes
    env.filters["md_inline"] = markdown_inline
    env.filters["md"] = lambda text: Markup(markdown_html(text))
    env.filters["json_script"] = json_script
    env.filters["json"] = lambda value: json.dumps(value, ensure_ascii=False, sort_keys=True)
    return env
