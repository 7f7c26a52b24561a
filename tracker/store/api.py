"""Snapshot store: publish immutable snapshots, load, list, diff, roll back, audit.

SQLite file by default (WAL, foreign keys, writes in ``BEGIN IMMEDIATE``); PostgreSQL by URL
(``TRACKER_DATABASE_URL``; psycopg 3, bulk rows through COPY). Rows are never updated or
deleted: a publish adds a snapshot and moves the one-row ``current_snapshot`` pointer in the
same transaction; a rollback only moves the pointer.

The Store is made of its parts (each a module of this package): ``engine`` (URL, connections,
transactions, migrations), ``reading`` (snapshots back as frames), ``writing`` (publish,
rollback), ``audit`` (the audit log), ``mappings`` (column mappings saved per source) and ``convert`` (rows between the driver and the frames).
"""

from __future__ import annotations

from tracker.store.engine import DEFAULT_SQLITE_PATH, ENV_URL, MIGRATIONS_DIR, resolve_url
from tracker.store.mappings import ColumnMappings
from tracker.store.reading import SNAPSHOT_COLUMNS, SnapshotReader
from tracker.store.reminders import Reminders
from tracker.store.writing import SnapshotWriter


class Store(SnapshotReader, SnapshotWriter, ColumnMappings, Reminders):
    """The snapshot database behind the dashboard, the upload page and the CLI."""


__all__ = [
    "DEFAULT_SQLITE_PATH",
    "ENV_URL",
    "MIGRATIONS_DIR",
    "SNAPSHOT_COLUMNS",
    "Store",
    "resolve_url",
]
