"""Handing freed memory back to the system at the end of a build stage.

Both allocators a build uses keep what it frees, for reuse: pyarrow's memory pool (mimalloc: the
CSV reader's blocks, Parquet's row groups) and glibc's malloc (pandas' columns of Python strings,
SQLite's rows as tuples). On a 1,000,000-row table that left 150-250 MB resident between stages
that nothing used, and each stage's own peak came on top of it: the build's peak RSS was the
memory of stages long finished. Given back after each stage, the resident size falls back to what
is alive (benchmarks/bench_build.py reports the peak).

Cheap where there is little to give (well under a millisecond), so every stage does it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache


def give_back() -> None:
    """Return the allocators' free memory to the system; nothing alive is touched."""
    import pyarrow  # loaded by every build; imported here so this module costs nothing to import

    pyarrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none (musl, macOS)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
