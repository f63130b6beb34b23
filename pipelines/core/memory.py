"""Handing freed memory back to the system at the end of a build stage.

Both allocators a build uses keep what it frees, for reuse: pyarrow's memory pool (mimalloc: the
CSV reader's blocks, Parquet's row groups) and glibc's malloc (pandas' columns of Python strings,
SQLite's rows as tuples). On a 1,000,000-row table that left 150-250 MB resident between stages
that nothing used, and each stage's own peak came on top of it: the build's peak RSS was the
memory of stages long finished. Given back after each stage, the resident size falls back to what
is alive (benchmarks/bench_build.py reports the peak).

pyarrow's pool is asked every time: that is cheap. glibc's `malloc_trim` walks the whole heap, so
it runs only once the resident size has grown by TRIM_AFTER_BYTES since the last trim (or since
the lowest size seen after it): what malloc keeps unreturned between trims is then about that much
at most. Trimming after every stage took 0.6 s of the real catalog's 40 s build, and in a test run,
where one long-lived process with a large heap builds the sample catalog about 150 times, 11.3 of
496 CPU seconds, in trims that found next to nothing to give.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from functools import cache

TRIM_AFTER_BYTES = 32 * 2**20
_trimmed_at = [0]  # the resident size after the last trim, or the lowest seen since


def give_back() -> bool:
    """Return the allocators' free memory to the system; nothing alive is touched. True when
    malloc's free memory was given back too (see TRIM_AFTER_BYTES)."""
    import pyarrow  # loaded by every build; imported here so this module costs nothing to import

    pyarrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is None:
        return False
    resident = _resident_bytes()
    if resident is not None and resident < _trimmed_at[0] + TRIM_AFTER_BYTES:
        _trimmed_at[0] = min(_trimmed_at[0], resident)
        return False
    trim(0)
    _trimmed_at[0] = _resident_bytes() or 0
    return True


def _resident_bytes() -> int | None:
    """This process's resident size, from /proc (None where there is no /proc: trim always)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return None


@cache
def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none (musl, macOS)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
