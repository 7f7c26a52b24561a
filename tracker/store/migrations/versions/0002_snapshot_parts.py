"""snapshot parts: a snapshot's tables are lists of parts, so a publish stores only what changed

Every existing snapshot becomes, per table holding rows, one part of its own (the rows it
already stores): each old snapshot reads back exactly as before. snapshots.sha256 stops being
unique (a file may be published again when it changes something) and gains a plain index;
snapshots.changes records what each publish changed (existing snapshots: "{}").

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 07:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("directives", "responses", "kpis", "budget")


def upgrade() -> None:
    op.create_table(
        "snapshot_parts",
        sa.Column("snapshot_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["part_id"],
            ["snapshots.id"],
            name=op.f("fk_snapshot_parts_part_id_snapshots"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshots.id"],
            name=op.f("fk_snapshot_parts_snapshot_id_snapshots"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("snapshot_id", "kind", "position", name=op.f("pk_snapshot_parts")),
    )
    with op.batch_alter_table("snapshots") as batch:
        batch.add_column(sa.Column("changes", sa.Text(), nullable=False, server_default="{}"))
        batch.drop_constraint("uq_snapshots_sha256", type_="unique")
        batch.create_index("ix_snapshots_sha256", ["sha256"], unique=False)
    for kind in KINDS:
        op.execute(
            "INSERT INTO snapshot_parts (snapshot_id, kind, position, part_id, rows) "
            f"SELECT snapshot_id, '{kind}', 0, snapshot_id, COUNT(*) FROM {kind} "
            "GROUP BY snapshot_id"
        )


def downgrade() -> None:
    raise NotImplementedError(
        "0002 cannot be undone without losing snapshots that share rows; restore a backup."
    )
