"""One language per Datasette page: the interface strings journalists read, by key.

The strings live in site/datasette/translations.yaml (one key, both languages), and our template
overrides in site/datasette/templates ask for them by key: `t` and `tt` give the side of the
page's language (language.py: Bahasa Indonesia unless the reader switched to English), `both` the
`Indonesian / English` form of messages in JSON and CSV answers, which have no page language.
"""

from __future__ import annotations

import json
import re
from functools import cache

from markupsafe import Markup, escape

from ..core.bilingual import Text, pick, split_joined
from ..core.model import read_yaml
from .language import language
from .layout import DATASETTE_STATIC, TRANSLATIONS

CODE = re.compile(r"`([^`]+)`")
LOOKUP_PREFIX = "op_"  # translation keys of Datasette's filter lookups: op_contains, ...


@cache
def strings() -> dict[str, Text]:
    table = read_yaml(TRANSLATIONS) or {}
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
    """HTML in the page's language (`backticks` become <code>)."""
    return Markup(_html(text(key, **values).get(language())))


def tt(key: str, **values) -> str:
    """Plain text in the page's language, for attributes and <option>s."""
    return text(key, **values).get(language())


def both(key: str, **values) -> str:
    """Plain text `Indonesian / English`, for JSON and CSV messages (no page language there)."""
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


def datasette_js_strings(lang: str) -> dict:
    """The `js_*` strings for jendela-ui.js: Datasette's English text -> what we show in `lang`."""
    exact, patterns = {}, []
    for key, text in strings().items():
        if not key.startswith("js_"):
            continue
        if PLACEHOLDER.search(text.en):
            source = _js_pattern(text.en)
            patterns.append({"source": source, "text": text.get(lang), "indonesian": lang != "en"})
        else:
            exact[text.en] = text.get(lang)
    return {"exact": exact, "patterns": patterns}


def column_title(table_config: dict | None, column: str) -> str:
    """A column's title from its Table Schema in the page's language (the build puts the titles
    in the table's plugin configuration); the column name for a column without one."""
    labels = ((table_config or {}).get("columns") or {}).get(column)
    return pick(labels["title"], language()) if labels else column


def column_description(table_config: dict | None, column: str, fallback: str | None) -> str:
    """A column's description and unit in the page's language, for its header's tooltip;
    Datasette's own description (`fallback`) for a column without labels."""
    labels = ((table_config or {}).get("columns") or {}).get(column)
    if not labels:
        return fallback or ""
    text = pick(labels["description"], language())
    return f"{text} [{labels['unit']}]" if labels.get("unit") else text


def template_functions() -> dict:
    return {
        "t": t,
        "tt": tt,
        "lookup_label": lookup_label,
        "column_title": column_title,
        "column_description": column_description,
        "page_language": language,
        "pick": lambda value: pick(value, language()),
        "split_joined": lambda text: split_joined(text).as_dict(),
        "with_code": lambda text: Markup(_html(text)),
    }


@cache
def ui_script(lang: str) -> str:
    """jendela-ui.js with its strings in front, inlined at the end of every Datasette page.

    Inline rather than a separate file so it runs once the page's elements exist and before
    Datasette's deferred scripts add menus, without a second request.
    """
    data = json.dumps(datasette_js_strings(lang), ensure_ascii=False).replace("</", "<\\/")
    code = (DATASETTE_STATIC / "jendela-ui.js").read_text(encoding="utf-8")
    return f"window.JENDELA_UI_STRINGS = {data};\n{code}"
