"""Memory: Arrow's allocator, and memory freed after a large read given back to the system.

``use_system_allocator`` is called once by each entry point (app.py, the command line, the
sandbox child, the benchmarks), never as a side effect of an import.

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
import os

import pyarrow as pa


def use_system_allocator() -> None:
    """Make Arrow allocate with the system allocator rather than its bundled mimalloc.

    Measured on the 100,000-directive benchmark (bench/bench_pipeline.py): normalising a
    freshly read sheet takes ~0.85 s of CPU with the system allocator and ~1.15 s with
    mimalloc, which hands freed pages back and faults them in again. An explicit
    ``ARROW_DEFAULT_MEMORY_POOL`` (system, jemalloc, mimalloc) still wins.
    """
    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        pa.set_memory_pool(pa.system_memory_pool())


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
