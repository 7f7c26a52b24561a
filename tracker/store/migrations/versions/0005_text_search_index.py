"""text search index: the Directives page's search may answer from an index, not a scan

The indexes themselves follow the setting TRACKER_SEARCH_INDEX and are made, or dropped, after
every upgrade to head (tracker.store.searching.sync_search_index): SQLite, a contentless
trigram FTS5 table ``directives_search`` kept by triggers; PostgreSQL, pg_trgm and a GIN index
``ix_directives_text_trgm``. This revision only marks the schema that knows them; its
downgrade removes them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 15:00:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Both indexes follow the setting TRACKER_SEARCH_INDEX (off by default: keeping a trigram
    # index doubles the time a million-directive publish takes) and are made or dropped after
    # every upgrade to head: tracker.store.searching.sync_search_index.
    return


def downgrade() -> None:
    # pg_trgm stays: something else may use it, and dropping it needs more rights
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS directives_search_{name}")
        bind.exec_driver_sql("DROP TABLE IF EXISTS directives_search")
    else:
        bind.exec_driver_sql("DROP INDEX IF EXISTS ix_directives_text_trgm")
