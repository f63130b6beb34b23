"""Bahasa Indonesia first, English beside it, on the Datasette pages journalists read.

The strings live in site/datasette/translations.yaml (one key, both languages), and our template
overrides in site/datasette/templates ask for them by key. English sits beside the Indonesian text
rather than behind a switch: pages stay cacheable (an immutable database sends long cache
headers, and a language cookie would need `Vary` handling by every cache) and match the static
catalog, which shows both languages the same way.
"""

from __future__ import annotations

import json
import re
from functools import cache

import yaml
from markupsafe import Markup, escape

from ..core.bilingual import Text
from .layout import DATASETTE_STATIC, TRANSLATIONS

CODE = re.compile(r"`([^`]+)`")
LOOKUP_PREFIX = "op_"  # translation keys of Datasette's filter lookups: op_contains, ...


@cache
def strings() -> dict[str, Text]:
    with open(TRANSLATIONS, encoding="utf-8") as handle:
        table = yaml.safe_load(handle) or {}
    return {
        key: Text.from_dict(pair, f"{TRANSLATIONS}: key {key!r}") for key, pair in table.items()
    }


def text(key: str, **values) -> Text:
    """The string `key` in both languages, its `{placeholders}` filled in."""
    table = strings()
    if key not in table:
        raise KeyError(f"translation key {key!r} missing from {TRANSLATIONS}")
    return table[key].format(**values)


def _html(text: str) -> str:
    """Escaped text in which `backticks` mark code, as in our Markdown descriptions."""
    return CODE.sub(r"<code>\1</code>", str(escape(text)))


def t(key: str, **values) -> Markup:
    """HTML: the Indonesian text, then the English in a span marked lang="en"."""
    said = text(key, **values)
    if said.id == said.en:
        return Markup(_html(said.id))
    return Markup(f'{_html(said.id)} <span class="en" lang="en">/ {_html(said.en)}</span>')


def tt(key: str, **values) -> str:
    """Plain text `Indonesian / English`, for attributes, <option>s and JSON messages."""
    return str(text(key, **values))


def lookup_label(key: str, display: str) -> str:
    """A filter operator's label (`contains` becomes `memuat / contains`).

    Datasette's lookup `k` has the translation key `op_k`; a lookup added by a later Datasette
    (or a plugin) without one keeps Datasette's own label.
    """
    name = LOOKUP_PREFIX + key
    return tt(name) if name in strings() else display


PLACEHOLDER = re.compile(r"\{(\w+)\}")
JS_SPECIAL = re.compile(r"[.*+?^${}()|[\]\\/]")


def _js_pattern(english: str) -> str:
    """`{n} of {total} selected` -> a JavaScript regex with named groups for the numbers.

    A group never spans " / ", so our own rewrite ("3 dari 9 dipilih / 3 of 9 selected") does
    not match again.
    """
    parts = PLACEHOLDER.split(english)  # literal, name, literal, name, ..., literal
    source = "".join(
        f"(?<{part}>[^/]+?)" if i % 2 else JS_SPECIAL.sub(r"\\\g<0>", part)
        for i, part in enumerate(parts)
    )
    return f"^{source}$"


def datasette_js_strings() -> dict:
    """The `js_*` strings for jendela-ui.js: Datasette's English text -> what we show."""
    exact, patterns = {}, []
    for key, text in strings().items():
        if not key.startswith("js_"):
            continue
        if PLACEHOLDER.search(text.en):
            patterns.append({"source": _js_pattern(text.en), **text.as_dict()})
        else:
            exact[text.en] = tt(key)
    return {"exact": exact, "patterns": patterns}


def template_functions() -> dict:
    return {"t": t, "tt": tt, "lookup_label": lookup_label}


@cache
def ui_script() -> str:
    """jendela-ui.js with its strings in front, inlined at the end of every Datasette page.

    Inline rather than a separate file so it runs once the page's elements exist and before
    Datasette's deferred scripts add menus, without a second request.
    """
    data = json.dumps(datasette_js_strings(), ensure_ascii=False).replace("</", "<\\/")
    code = (DATASETTE_STATIC / "jendela-ui.js").read_text(encoding="utf-8")
    return f"window.JENDELA_UI_STRINGS = {data};\n{code}"
