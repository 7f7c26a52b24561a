"""column mappings saved per source (file name pattern), applied on the next upload

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 11:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "column_mappings",
        sa.Column("pattern", sa.String(length=200), nullable=False),
        sa.Column("header_key", sa.String(length=200), nullable=False),
        sa.Column("header", sa.String(length=200), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("saved_by", sa.String(length=200), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pattern", "header_key", name=op.f("pk_column_mappings")),
    )


def downgrade() -> None:
    op.drop_table("column_mappings")
