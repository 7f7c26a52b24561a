"""Immutable snapshot store (SQLAlchemy Core + Alembic): SQLite by default, PostgreSQL by URL.

The names below are loaded when first used (PEP 562): ``from tracker.store import StoreError``
imports only the errors, not SQLAlchemy and Alembic (~0.5 s), so a command or page that only
catches the store's errors starts fast; ``Store`` and the diffs load the engine when taken.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names as type checkers see them
    from tracker.store.api import ENV_URL, Store, resolve_url
    from tracker.store.diff import diff_counts, diff_frames
    from tracker.store.errors import (
        DuplicateSnapshot,
        NothingToPublish,
        SnapshotNotFound,
        StalePreview,
        StoreBusy,
        StoreError,
        StoreFull,
        StoreUnavailable,
    )

# Each public name and the module it lives in.
_HOMES = {
    "ENV_URL": "api",
    "Store": "api",
    "resolve_url": "api",
    "diff_counts": "diff",
    "diff_frames": "diff",
    "DuplicateSnapshot": "errors",
    "NothingToPublish": "errors",
    "SnapshotNotFound": "errors",
    "StalePreview": "errors",
    "StoreBusy": "errors",
    "StoreError": "errors",
    "StoreFull": "errors",
    "StoreUnavailable": "errors",
}

__all__ = [
    "ENV_URL",
    "DuplicateSnapshot",
    "NothingToPublish",
    "SnapshotNotFound",
    "StalePreview",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreFull",
    "StoreUnavailable",
    "diff_counts",
    "diff_frames",
    "resolve_url",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # once: later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
