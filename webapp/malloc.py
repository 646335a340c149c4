"""Ask glibc's allocator to keep a process small (web workers and the outbox worker).

By default glibc gives each thread that allocates its own arena (up to eight
per core) and, after a large block is freed, raises the size from which
blocks come straight from the kernel, so that later large blocks (a page or
feed being rendered, a mail being built) are carved out of those arenas and
stay resident after they are freed. Two arenas and a fixed threshold of
128 KiB keep large blocks returnable: measured under the benchmark's load,
about 6 to 10 MB less per web worker. Elsewhere (another C library) nothing
changes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from typing import Any

# mallopt's parameters (malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
ARENAS = 2
THRESHOLD = 128 * 1024


def keep_small() -> None:
    """Set the allocator's options for this process, if it is glibc's."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return
    mallopt(M_ARENA_MAX, ARENAS)
    mallopt(M_MMAP_THRESHOLD, THRESHOLD)
    mallopt(M_TRIM_THRESHOLD, THRESHOLD)


def give_back() -> None:
    """Return the free pages inside glibc's heap to the system, if the C library is glibc.

    Building a large answer (the full feed: thousands of rows and their
    entries) frees many small blocks scattered through the heap, which the
    trim threshold alone cannot return; measured after the benchmark's full
    feed, about 4 MB of a web worker.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Any:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
