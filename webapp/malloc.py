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
