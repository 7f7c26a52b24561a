"""Connectors: read spreadsheets safely into RawTable (cells as text + provenance)."""

import os

import pyarrow as pa


def _use_system_allocator() -> None:
    """Make Arrow allocate with the system allocator rather than its bundled mimalloc.

    Measured on the 100,000-directive benchmark (bench/bench_pipeline.py): normalising a
    freshly read sheet takes ~0.85 s of CPU with the system allocator and ~1.15 s with
    mimalloc, which hands freed pages back and faults them in again. An explicit
    ``ARROW_DEFAULT_MEMORY_POOL`` (system, jemalloc, mimalloc) still wins.
    """
    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        pa.set_memory_pool(pa.system_memory_pool())


_use_system_allocator()
