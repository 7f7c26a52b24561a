"""Immutable snapshot store (SQLAlchemy Core + Alembic): SQLite by default, PostgreSQL by URL."""

from tracker.store.api import ENV_URL, Store, resolve_url
from tracker.store.diff import diff_counts, diff_frames
from tracker.store.errors import (
    DuplicateSnapshot,
    SnapshotNotFound,
    StoreBusy,
    StoreError,
    StoreFull,
    StoreUnavailable,
)

__all__ = [
    "ENV_URL",
    "DuplicateSnapshot",
    "SnapshotNotFound",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreFull",
    "StoreUnavailable",
    "diff_counts",
    "diff_frames",
    "resolve_url",
]
