"""Bilingual text: Bahasa Indonesia first, English beside it, as one value.

Everything a person reads is said in both languages (DESIGN: Indonesian first, then English).
Carrying the two halves together as a `Text` keeps them from drifting apart, and gives one way to
write them out: `str(text)` is the command-line and report form `Indonesian / English` (one
language only when both halves are the same), `text.get(lang)` one side for a page rendered per
language, `text.as_dict()` the `{"id": ..., "en": ...}` shape the manifest, JSON outputs and the
page views use (`pair` makes one, `pick` reads one side back).
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

    def get(self, lang: str) -> str:
        """One side: `en` for English, Indonesian for any other language."""
        return self.en if lang == "en" else self.id

    def format(self, **values) -> Text:
        """Both sides with their `{placeholders}` filled in (str.format)."""
        return Text(self.id.format(**values), self.en.format(**values))

    def as_dict(self) -> dict:
        """The `{"id": ..., "en": ...}` shape of JSON outputs, the manifest and page views."""
        return {"id": self.id, "en": self.en}

    @classmethod
    def from_dict(cls, value: dict, where: str = "text") -> Text:
        """A `{"id": ..., "en": ...}` mapping (a YAML entry); KeyError when a side is missing."""
        if not isinstance(value, dict) or not value.get("id") or not value.get("en"):
            raise KeyError(f"{where} needs both `id` and `en`")
        return cls(value["id"], value["en"])


def pair(indonesian, english) -> dict:
    """A bilingual value as a dict; English falls back to Indonesian where none is given (a
    descriptor without an English title, a year range, a name)."""
    return {"id": indonesian, "en": english if english not in (None, "") else indonesian}


def pick(value, lang: str):
    """One side of a bilingual dict (Indonesian when the other is empty); anything else as is."""
    if isinstance(value, dict) and "id" in value:
        return value.get(lang) or value.get("id")
    return value


def split_joined(text: str) -> Text:
    """`Indonesian / English` back into its two sides (the inverse of `joined`), for text that
    configuration writes joined (Datasette's canned-query titles and descriptions); text with no
    single ` / ` is the same in both languages."""
    parts = text.split(" / ")
    return Text(parts[0], parts[1]) if len(parts) == 2 else Text(text, text)


def joined(indonesian: str, english: str) -> str:
    """`Indonesian / English`, or the text once when both languages say the same."""
    return indonesian if indonesian == english else f"{indonesian} / {english}"
