"""Markdown of descriptors, read one way everywhere it is shown: HTML on the site, plain text in
cards, feeds, JSON-LD and the XLSX `kamus_data` sheet.

Descriptions are Markdown written by us (`code`, **bold**, lists). Raw HTML in them is never
passed through (markdown-it escapes it), so a descriptor cannot inject markup into a page; and
no backtick or asterisk reaches a reader of plain text.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markupsafe import Markup

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False})


def markdown_html(text: str) -> str:
    """A description as HTML blocks; raw HTML in the text is shown escaped, not rendered."""
    return _MARKDOWN.render(text or "")


def markdown_inline(text: str) -> Markup:
    """One line of Markdown (field descriptions: `code`, *emphasis*), HTML escaped."""
    return Markup(_MARKDOWN.renderInline(text or ""))


def markdown_text(text: str) -> str:
    """Plain text of a Markdown description, one line: "Kode `32.71` **resmi**" -> "Kode 32.71
    resmi"."""
    words = []
    for token in _MARKDOWN.parse(text or ""):
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append(" ")
        if token.type in ("paragraph_close", "heading_close"):
            words.append(" ")
    return re.sub(r"\s+", " ", "".join(words)).strip()


def summary_and_notes(text: str) -> tuple[str, str]:
    """A description split into what the data is (its first paragraph, with the list it
    introduces when it ends in a colon) and the technical notes after it (how the source is read,
    what was corrected), which pages for people show lower down.

    >>> summary_and_notes("Jumlah penduduk.\\n\\nKolom `kode` dibaca sebagai teks.")
    ('Jumlah penduduk.', 'Kolom `kode` dibaca sebagai teks.')
    """
    blocks = [b.strip() for b in re.split(r"\n\s*\n", (text or "").strip()) if b.strip()]
    if not blocks:
        return "", ""
    take = 2 if blocks[0].endswith(":") and len(blocks) > 1 else 1
    return "\n\n".join(blocks[:take]), "\n\n".join(blocks[take:])
