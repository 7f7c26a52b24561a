"""Give memory freed after a large read back to the system (one entry point).

After a big upload is parsed, normalised and dropped (refused, or previewed and published),
glibc's allocator and Arrow's pool keep the freed pages for reuse: the server's resident
size stays hundreds of MB above its baseline for as long as it runs. ``release_memory``
returns them (``malloc_trim`` and Arrow's ``release_unused``): a few milliseconds, called once
per upload, never in a hot loop. Where glibc is absent it does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools

import pyarrow as pa


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.malloc_trim  # noqa: B018 - glibc only
    except (OSError, AttributeError):
        return None
    return libc


def release_memory() -> None:
    """Return freed heap and Arrow pool memory to the operating system."""
    with contextlib.suppress(Exception):
        pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
