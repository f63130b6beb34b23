"""Bahasa Indonesia first, English beside it, on the Datasette pages journalists read.

The strings live in site/datasette/translations.yaml (one key, both languages), and our template
overrides in site/datasette/templates ask for them by key. English sits beside the Indonesian text
rather than behind a switch: pages stay cacheable (an immutable database sends long cache
headers, and a language cookie would need `Vary` handling by every cache) and match the static
catalog, which shows both languages the same way.
"""

from __future__ import annotations

import re
from functools import cache

import yaml
from markupsafe import Markup, escape

from .datasette_layout import TRANSLATIONS

CODE = re.compile(r"`([^`]+)`")
# Datasette's filter lookups, by the key Datasette gives them, to our translation keys.
LOOKUP_KEYS = {
    "exact": "op_exact",
    "not": "op_not",
    "contains": "op_contains",
    "notcontains": "op_notcontains",
    "endswith": "op_endswith",
    "startswith": "op_startswith",
    "gt": "op_gt",
    "gte": "op_gte",
    "lt": "op_lt",
    "lte": "op_lte",
    "like": "op_like",
    "notlike": "op_notlike",
    "glob": "op_glob",
    "in": "op_in",
    "notin": "op_notin",
    "arraycontains": "op_arraycontains",
    "arraynotcontains": "op_arraynotcontains",
    "date": "op_date",
    "isnull": "op_isnull",
    "notnull": "op_notnull",
    "isblank": "op_isblank",
    "notblank": "op_notblank",
}


@cache
def strings() -> dict[str, dict[str, str]]:
    with open(TRANSLATIONS, encoding="utf-8") as handle:
        table = yaml.safe_load(handle) or {}
    for key, pair in table.items():
        if not isinstance(pair, dict) or not pair.get("id") or not pair.get("en"):
            raise KeyError(f"{TRANSLATIONS}: key {key!r} needs both `id` and `en`")
    return table


def _pair(key: str, values: dict) -> tuple[str, str]:
    table = strings()
    if key not in table:
        raise KeyError(f"translation key {key!r} missing from {TRANSLATIONS}")
    pair = table[key]
    return pair["id"].format(**values), pair["en"].format(**values)


def _html(text: str) -> str:
    """Escaped text in which `backticks` mark code, as in our Markdown descriptions."""
    return CODE.sub(r"<code>\1</code>", str(escape(text)))


def t(key: str, **values) -> Markup:
    """HTML: the Indonesian text, then the English in a span marked lang="en"."""
    indonesian, english = _pair(key, values)
    if indonesian == english:
        return Markup(_html(indonesian))
    return Markup(f'{_html(indonesian)} <span class="en" lang="en">/ {_html(english)}</span>')


def tt(key: str, **values) -> str:
    """Plain text `Indonesian / English`, for attributes, <option>s and JSON messages."""
    indonesian, english = _pair(key, values)
    return indonesian if indonesian == english else f"{indonesian} / {english}"


def lookup_label(key: str, display: str) -> str:
    """A filter operator's label (`contains` becomes `memuat / contains`)."""
    name = LOOKUP_KEYS.get(key)
    return tt(name) if name else display


def template_functions() -> dict:
    return {"t": t, "tt": tt, "lookup_label": lookup_label}
