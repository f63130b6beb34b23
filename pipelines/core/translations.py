"""The catalog's interface strings: metadata/translations/<lang>.yaml, one file per language.

The static site's templates read them (catalog/templates.py), and so does the server where it
writes the same words, such as a dataset's citation in an evidence pack (web/evidence.py): one
lookup, so the site and the server never word the same thing twice.
"""

from __future__ import annotations

from functools import cache

from .model import METADATA_DIR, read_yaml


@cache
def translations(lang: str) -> dict[str, str]:
    return read_yaml(METADATA_DIR / "translations" / f"{lang}.yaml") or {}


def translate(key: str, lang: str = "id") -> str:
    """The string `key` in `lang`; KeyError naming the file when it has none."""
    table = translations(lang)
    if key not in table:
        raise KeyError(f"translation key {key!r} missing from metadata/translations/{lang}.yaml")
    return table[key]
