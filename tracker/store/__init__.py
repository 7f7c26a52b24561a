"""Immutable snapshot store (SQLAlchemy Core + Alembic): SQLite by default, PostgreSQL by URL."""

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
