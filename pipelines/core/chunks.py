"""How many rows a stage holds in memory at once, and the one way to make it small.

Large tables are streamed in chunks (readers, foreign-key check, quarantine, load, facet store).
Code that carries a position from one chunk to the next is only exercised when a table spans
several chunks; `JENDELA_CHUNK_ROWS` lets tests (and anyone chasing such a bug) cross chunk
boundaries with a 12-row file instead of a 100,001-row one. The published output does not
depend on the chunk size (tests/test_chunks.py builds with both and compares).
"""

from __future__ import annotations

import os

from .errors import JendelaError

ENV = "JENDELA_CHUNK_ROWS"


class ChunkSizeError(JendelaError):
    """JENDELA_CHUNK_ROWS set to something that is not a row count: a usage error (exit 2)."""


def chunk_rows(default: int) -> int:
    """`default`, or the positive whole number in JENDELA_CHUNK_ROWS when it is set."""
    return env_whole_number(ENV, default)


def env_whole_number(name: str, default: int, minimum: int = 1) -> int:
    """`default`, or the whole number (at least `minimum`: 1 or 0) in the environment variable
    `name` when it is set; anything else there is a usage error (exit 2)."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < minimum:
        kind = ("positif", "positive") if minimum == 1 else ("tak negatif", "non-negative")
        raise ChunkSizeError(
            f"{name}={value!r} harus bilangan bulat {kind[0]} / must be a {kind[1]} whole number"
        )
    return int(value)
