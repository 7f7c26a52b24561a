"""reminders by e-mail: contacts, what was sent (once per directive and threshold), runs

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 14:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # New tables only (no batch rebuild of an existing table, so SQLite needs no batch mode).
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("zone", sa.String(length=100), nullable=False),
        sa.Column("saved_by", sa.String(length=200), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("role IN ('unit', 'inspector', 'admin')", name=op.f("ck_contacts_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("unit", "email", "role", "zone", name="uq_contacts_entry"),
    )
    op.create_table(
        "reminder_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_runs")),
    )
    op.create_table(
        "reminders_sent",
        sa.Column("directive_id", sa.String(length=200), nullable=False),
        sa.Column("threshold", sa.String(length=16), nullable=False),
        sa.Column("occasion", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "threshold IN ('overdue', 'due_30', 'due_7', 'due_1', 'not_reported')",
            name=op.f("ck_reminders_sent_threshold"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["reminder_runs.id"],
            name=op.f("fk_reminders_sent_run_id_reminder_runs"),
        ),
        sa.PrimaryKeyConstraint(
            "directive_id", "threshold", "occasion", name=op.f("pk_reminders_sent")
        ),
    )


def downgrade() -> None:
    op.drop_table("reminders_sent")
    op.drop_table("reminder_runs")
    op.drop_table("contacts")
