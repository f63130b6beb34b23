"""Bilingual text: Bahasa Indonesia first, English beside it, as one value.

Everything a person reads is said in both languages (DESIGN: Indonesian first, then English).
Carrying the two halves together as a `Text` keeps them from drifting apart, and gives one way to
write them out: `str(text)` is the command-line and report form `Indonesian / English` (one
language only when both halves are the same), `text.get(lang)` one side for a page rendered per
language, `text.as_dict()` the `{"id": ..., "en": ...}` shape the manifest and JSON outputs use.
"""

from __future__ import annotations

from typing import NamedTuple

LANGUAGES = ("id", "en")


class Text(NamedTuple):
    """One thing said in Indonesian (`id`) and in English (`en`)."""

    id: str
    en: str

    def __str__(self) -> str:
        return joined(self.id, self.en)


def joined(indonesian: str, english: str) -> str:
    """`Indonesian / English`, or the text once when both languages say the same."""
    return indonesian if indonesian == english else f"{indonesian} / {english}"
