"""SQLAlchemy Core metadata of the snapshot store (what Alembic migrations must produce)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeEngine

from tracker.dataset import COLUMNS, DTYPES
from tracker.schema import STATUSES

# Stable constraint names, so migrations on SQLite (batch mode) and PostgreSQL agree.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Columns stored as calendar dates (no time of day); other datetime columns keep the time.
DATE_COLUMNS: frozenset[str] = frozenset({"issued_date", "due_date", "as_of"})
# Money: exact decimals with 2 places (satang).
MONEY_COLUMNS: frozenset[str] = frozenset({"allocated", "disbursed"})

snapshots = Table(
    "snapshots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(), nullable=False),  # UTC, naive
    Column("user", String(200), nullable=False),
    Column("source", Text(), nullable=False),
    # Not unique: the same file may be published again when it changes something (e.g. a
    # register re-sent after another file changed the same directives).
    Column("sha256", String(64), nullable=False, index=True),
    Column("note", Text(), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("counts", Text(), nullable=False),  # JSON: rows per table kind
    # JSON: per table this publish changed: mode, added/changed/removed/kept, scopes, source
    Column("changes", Text(), nullable=False, server_default="{}"),
)

# Which parts make up each snapshot's tables, oldest first (see tracker.store.parts): a part
# is the rows snapshot ``part_id`` wrote for table ``kind``; ``rows`` is how many it holds.
snapshot_parts = Table(
    "snapshot_parts",
    metadata,
    Column(
        "snapshot_id",
        Integer,
        ForeignKey("snapshots.id", ondelete="RESTRICT"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("kind", String(16), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("part_id", Integer, ForeignKey("snapshots.id", ondelete="RESTRICT"), nullable=False),
    Column("rows", Integer, nullable=False),
)

# Exactly one row (id = 1); publish and rollback move its pointer in their transaction.
current_snapshot = Table(
    "current_snapshot",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("snapshot_id", Integer, ForeignKey("snapshots.id"), nullable=True),
    Column("updated_at", DateTime(), nullable=True),
    CheckConstraint("id = 1", name="single_row"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(), nullable=False),  # UTC, naive
    Column("user", String(200), nullable=False),
    Column("action", String(32), nullable=False),
    Column("snapshot_id", Integer, ForeignKey("snapshots.id"), nullable=True),
    Column("source", Text(), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("counts", Text(), nullable=False),  # JSON
    Column("message", Text(), nullable=False),
)

# Column mappings saved on the Upload page: for files named like ``pattern`` (numbers as "#",
# tracker.read.mapping.source_pattern), the header typed as ``header`` holds ``field``.
column_mappings = Table(
    "column_mappings",
    metadata,
    Column("pattern", String(200), primary_key=True),
    Column("header_key", String(200), primary_key=True),
    Column("header", String(200), nullable=False),
    Column("field", String(32), nullable=False),
    Column("saved_by", String(200), nullable=False),
    Column("saved_at", DateTime(), nullable=False),  # UTC, naive
)

# Reminders by e-mail (tracker.store.reminders): who is told, what was told, each run.
# role: unit (the unit's own addresses), inspector (a copy for the zone), admin (the summary).
contacts = Table(
    "contacts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit", String(200), nullable=False),  # "" for admins and zone inspectors
    Column("email", String(254), nullable=False),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("zone", String(100), nullable=False),  # an inspector's district group, else ""
    Column("saved_by", String(200), nullable=False),
    Column("saved_at", DateTime(), nullable=False),  # UTC, naive
    UniqueConstraint("unit", "email", "role", "zone", name="uq_contacts_entry"),
    CheckConstraint("role IN ('unit', 'inspector', 'admin')", name="role"),
)

# Each (directive, threshold, occasion) is told once, across runs: ``occasion`` is the due
# date (ISO) for overdue/due_30/due_7/due_1 — a moved due date is a new deadline — and the
# round ("2567/2") for not_reported.
reminders_sent = Table(
    "reminders_sent",
    metadata,
    Column("directive_id", String(200), primary_key=True),
    Column("threshold", String(16), primary_key=True),
    Column("occasion", String(32), primary_key=True),
    Column("unit", String(200), nullable=False),
    Column("sent_at", DateTime(), nullable=False),  # UTC, naive
    Column("run_id", Integer, ForeignKey("reminder_runs.id"), nullable=False),
    CheckConstraint(
        "threshold IN ('overdue', 'due_30', 'due_7', 'due_1', 'not_reported')", name="threshold"
    ),
)

reminder_runs = Table(
    "reminder_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(), nullable=False),  # UTC, naive
    Column("by", String(200), nullable=False),
    Column("sent", Integer, nullable=False),
    Column("skipped", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("detail", Text(), nullable=False),  # JSON: per unit, sent/skipped/failed + reason
)


def column_type(name: str) -> TypeEngine:
    """The SQL type of canonical column ``name``, derived from tracker.dataset.DTYPES."""
    dtype = DTYPES.get(name, "str")
    if name in DATE_COLUMNS:
        return Date()
    if dtype == "datetime64[ns]":
        return DateTime()
    if dtype == "Int64":
        return Integer()
    if dtype == "bool":
        return Boolean()
    if name in MONEY_COLUMNS:
        return Numeric(18, 2)
    if dtype == "float64":
        return Double()
    if name == "status":
        return String(16)
    return Text()


def _data_table(kind: str) -> Table:
    """One immutable row table per canonical frame: rows keyed by (snapshot_id, seq)."""
    cols = [
        Column(
            "snapshot_id",
            Integer,
            ForeignKey("snapshots.id", ondelete="RESTRICT"),
            primary_key=True,
            autoincrement=False,
        ),
        Column("seq", Integer, primary_key=True, autoincrement=False),  # row order in the frame
    ]
    cols += [Column(c, column_type(c), nullable=DTYPES.get(c) != "bool") for c in COLUMNS[kind]]
    extra = []
    if "status" in COLUMNS[kind]:
        allowed = ", ".join(f"'{s}'" for s in STATUSES)
        extra.append(CheckConstraint(f"status IN ({allowed})", name="status"))
    return Table(kind, metadata, *cols, *extra)


DATA_TABLES: dict[str, Table] = {kind: _data_table(kind) for kind in COLUMNS}
