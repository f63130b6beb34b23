"""give_back hands the memory a stage freed back to the system (core/memory.py).

pyarrow's pool keeps freed blocks for reuse: after 200 arrays of text are dropped, the process
still holds them. So does glibc's malloc, for Python objects freed below one still alive. give_back
must return both, and leave what is alive readable; malloc's only once the process has grown,
since its trim walks the whole heap. Linux only (the resident size comes from /proc), as the
build's memory figures do.
"""

from __future__ import annotations

import os

import pyarrow as pa

from pipelines.core.memory import TRIM_AFTER_BYTES, give_back


def resident_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_freed_pyarrow_memory_goes_back_and_live_data_stays():
    give_back()
    kept = pa.array([f"tetap-{n}" for n in range(10_000)])
    start = resident_mb()
    arrays = [pa.array([f"{i}-{j}" for j in range(20_000)]) for i in range(200)]
    # The arrays' own buffers, not a fixed figure: the process grew by about this much (59.6 MB
    # against a fixed 60 in one run here), whatever else the allocators happened to hold.
    size = sum(a.nbytes for a in arrays) / 2**20
    grown = resident_mb() - start
    del arrays
    held = resident_mb() - start
    assert grown > 0.8 * size and held > size / 2, (size, grown, held)  # the pool kept them
    give_back()
    assert resident_mb() - start < held / 2, (held, resident_mb() - start)
    assert kept[9_999].as_py() == "tetap-9999" and len(kept) == 10_000


def test_freed_malloc_memory_goes_back_once_the_process_has_grown():
    give_back()
    assert give_back() is False  # nothing grew since: the heap is not walked again
    start = resident_mb()
    # Blocks of 4 KiB come from malloc's heap (Python's own allocator takes up to 512 bytes, and
    # malloc maps blocks of 128 KiB and more apart). One in 64 stays alive, so free() alone cannot
    # shrink the heap from its top, wherever in it the blocks landed.
    blocks = [bytes([n % 251]) * 4096 for n in range(40_000)]
    alive = blocks[::64]
    size = len(blocks) * 4096 / 2**20
    assert size * 2**20 > 4 * TRIM_AFTER_BYTES
    del blocks
    held = resident_mb() - start
    assert held > size / 2, (size, held)  # malloc kept them
    assert give_back() is True
    assert resident_mb() - start < held / 2, (held, resident_mb() - start)
    assert [block[:1] for block in alive] == [bytes([n % 251]) for n in range(0, 40_000, 64)]
