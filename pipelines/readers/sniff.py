"""What a file is, from its first bytes: an HTML page, a PDF, a ZIP (XLSX, DOCX) or other binary
saved where a text table was expected is named as such, instead of parsed into nonsense.

Portals and servers answer a broken link or a login wall with an HTML page, and people save
a PDF report as `.csv`; the parser's own message for that ("Expected 1 fields in line 12")
says nothing useful. The readers ask `readers.refuse_non_text` first.
"""

from __future__ import annotations

from pathlib import Path

HEAD_BYTES = 4096
SIGNATURES = [
    (b"%PDF-", ("PDF", "PDF")),
    (
        b"PK\x03\x04",
        ("arsip ZIP (misalnya XLSX atau DOCX)", "a ZIP archive (such as XLSX or DOCX)"),
    ),
    (b"\xd0\xcf\x11\xe0", ("berkas Office lama (XLS/DOC)", "an old Office file (XLS/DOC)")),
    (b"\x1f\x8b", ("berkas gzip", "a gzip file")),
    (b"\x89PNG", ("gambar PNG", "a PNG image")),
    (b"\xff\xd8\xff", ("gambar JPEG", "a JPEG image")),
]
HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<table", b"<?xml")


def sniff(path: Path) -> tuple[str, str] | None:
    """(Indonesian, English) name of what the file is when it is not a text table, else None.

    >>> sniff(Path(__file__)) is None
    True
    """
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    for signature, names in SIGNATURES:
        if head.startswith(signature):
            return names
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(HTML_STARTS) or b"<html" in text[:512]:
        return ("halaman HTML", "an HTML page")
    # No encoding a text table is saved in has NUL bytes (UTF-16 aside, which has a BOM).
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ("berkas biner", "a binary file")
    return None
