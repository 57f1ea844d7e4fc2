"""Give freed heap memory back to the operating system.

glibc's allocator keeps memory freed by a long run (Arrow's row groups, numpy temporaries)
in its arenas for reuse; ``malloc_trim`` returns it, so the next phase of a command (the
report) does not stack its peak on top of memory nobody uses. Elsewhere (macOS, musl) this is
a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util


def release_freed_memory() -> bool:
    """True when the C library's allocator was asked to return freed memory."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim(0)
    return True
