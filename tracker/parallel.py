"""A small shared thread pool for column-wise Arrow work.

pyarrow's compute kernels release the GIL, so scanning a sheet's columns in two threads
uses both cores of the office's server. Work done here must not call ``parallel_map``
itself (a nested call runs inline, so a full pool can never wait on itself).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import settings

T = TypeVar("T")
R = TypeVar("R")

_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()
_inside = threading.local()


def workers() -> int:
    """Threads to use: setting TRACKER_THREADS, else the CPUs this process may run on (≤ 4)."""
    setting = settings.get("TRACKER_THREADS")
    if setting is not None:
        return int(setting)  # type: ignore[call-overload]
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))


def _run(fn: Callable[[T], R], item: T) -> R:
    _inside.active = True
    try:
        return fn(item)
    finally:
        _inside.active = False


def _shared_pool() -> ThreadPoolExecutor | None:
    """The pool, or None where threads cannot help (one CPU, or already inside the pool)."""
    global _pool
    if workers() < 2 or getattr(_inside, "active", False):
        return None
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(workers(), thread_name_prefix="tracker-columns")
    return _pool


def parallel_map(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[fn(x) for x in items]``, in the shared pool when that can help; order kept."""
    items = list(items)
    pool = _shared_pool() if len(items) > 1 else None
    if pool is None:
        return [fn(item) for item in items]
    return list(pool.map(_run, [fn] * len(items), items))


def in_background(fn: Callable[[T], R], items: Iterable[T]) -> Callable[[], list[R]]:
    """Start ``fn`` over ``items`` in the pool and return a function that waits for the results
    (in order), so the caller can do other work, holding the GIL, meanwhile."""
    items = list(items)
    pool = _shared_pool()
    if pool is None:
        return lambda: [fn(item) for item in items]
    futures = [pool.submit(_run, fn, item) for item in items]
    return lambda: [future.result() for future in futures]
