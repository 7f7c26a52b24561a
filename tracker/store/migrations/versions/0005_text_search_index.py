"""text search index: the Directives page's search answers from an index, not a table scan

SQLite: nothing here; its FTS5 index follows the setting TRACKER_SQLITE_SEARCH_INDEX and is
made (or dropped) after every upgrade (tracker.store.searching.sync_sqlite_index). PostgreSQL:
pg_trgm (created if the server has it and the user may) and a GIN
index ``ix_directives_text_trgm`` on ``directives.text``, which the database maintains itself.

Where the index cannot be made (SQLite without FTS5 or older than 3.34; PostgreSQL without
pg_trgm or the right to create it) the migration still succeeds, logs a warning, and searches
scan the table as before (tracker.store.searching).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 15:00:00

"""

import logging
from collections.abc import Sequence

from alembic import op
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)


def _trgm_schema(bind: Connection) -> str | None:
    return bind.exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
    ).scalar()


def _pg_upgrade(bind: Connection) -> None:
    schema = _trgm_schema(bind)
    available = bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
    ).scalar()
    # public first: an extension in a schema that is later dropped would take the index along
    for where in (" WITH SCHEMA public", ""):
        if schema is not None or not available:
            break
        try:
            with bind.begin_nested():
                bind.exec_driver_sql(f"CREATE EXTENSION IF NOT EXISTS pg_trgm{where}")
        except DBAPIError as exc:  # no right to create it (or no schema public)
            log.warning("CREATE EXTENSION pg_trgm%s failed: %s", where, exc.orig)
        schema = _trgm_schema(bind)
    if schema is None:
        log.warning("PostgreSQL has no pg_trgm: search scans directives.text")
        return
    bind.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")  # this transaction only
    bind.exec_driver_sql(
        'CREATE INDEX ix_directives_text_trgm ON directives USING gin ("text"'
        f" {bind.dialect.identifier_preparer.quote_schema(schema)}.gin_trgm_ops)"
    )
    # statistics, so the planner weighs the index against the scan (a few seconds at 1M rows;
    # a table never analysed looks tiny to it, and autovacuum may be off or not yet run)
    bind.exec_driver_sql("ANALYZE directives")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # SQLite's index follows the setting TRACKER_SQLITE_SEARCH_INDEX (off by default: a
        # trigram FTS5 index doubles the time a million-directive publish takes); it is made
        # or dropped after every upgrade: tracker.store.searching.sync_sqlite_index
        return
    _pg_upgrade(bind)


def downgrade() -> None:
    # pg_trgm stays: something else may use it, and dropping it needs more rights
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS directives_search_{name}")
        bind.exec_driver_sql("DROP TABLE IF EXISTS directives_search")
    else:
        bind.exec_driver_sql("DROP INDEX IF EXISTS ix_directives_text_trgm")
