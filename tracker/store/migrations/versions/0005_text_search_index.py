"""text search index: the Directives page's search answers from an index, not a table scan

SQLite: a contentless FTS5 table ``directives_search`` (trigram tokenizer, so any substring
of three characters or more is found, Thai included), its rowid the row's key
(snapshot_id << 32 | seq), filled from the existing rows and kept up to date by triggers on
``directives``. PostgreSQL: pg_trgm (created if the server has it and the user may) and a GIN
index ``ix_directives_text_trgm`` on ``directives.text``, which the database maintains itself.

Where the index cannot be made (SQLite without FTS5 or older than 3.34; PostgreSQL without
pg_trgm or the right to create it) the migration still succeeds, logs a warning, and searches
scan the table as before (tracker.store.searching).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 15:00:00

"""

import logging
import sqlite3
from collections.abc import Sequence

from alembic import op
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)

KEY = "((t.snapshot_id << 32) | t.seq)"
SQLITE_TRIGGERS = (
    """CREATE TRIGGER directives_search_insert AFTER INSERT ON directives
    WHEN new.text IS NOT NULL BEGIN
        INSERT INTO directives_search (rowid, text)
        VALUES ((new.snapshot_id << 32) | new.seq, new.text);
    END""",
    """CREATE TRIGGER directives_search_delete AFTER DELETE ON directives
    WHEN old.text IS NOT NULL BEGIN
        INSERT INTO directives_search (directives_search, rowid, text)
        VALUES ('delete', (old.snapshot_id << 32) | old.seq, old.text);
    END""",
    """CREATE TRIGGER directives_search_update AFTER UPDATE OF snapshot_id, seq, text
    ON directives BEGIN
        INSERT INTO directives_search (directives_search, rowid, text)
        SELECT 'delete', (old.snapshot_id << 32) | old.seq, old.text WHERE old.text IS NOT NULL;
        INSERT INTO directives_search (rowid, text)
        SELECT (new.snapshot_id << 32) | new.seq, new.text WHERE new.text IS NOT NULL;
    END""",
)


def _sqlite_upgrade(bind: Connection) -> None:
    if sqlite3.sqlite_version_info < (3, 34, 0):
        log.warning("SQLite %s has no trigram tokenizer: search scans", sqlite3.sqlite_version)
        return
    try:
        with bind.begin_nested():
            bind.exec_driver_sql(
                "CREATE VIRTUAL TABLE directives_search USING fts5(text, content='',"
                " tokenize='trigram', detail='none', columnsize=0)"
            )
    except DBAPIError as exc:  # no FTS5 in this SQLite build
        log.warning("no FTS5 trigram index (%s): search scans", exc.orig)
        return
    for ddl in SQLITE_TRIGGERS:
        bind.exec_driver_sql(ddl)
    bind.exec_driver_sql(
        f"INSERT INTO directives_search (rowid, text) SELECT {KEY}, t.text"
        " FROM directives t WHERE t.text IS NOT NULL"
    )


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
        _sqlite_upgrade(bind)
    else:
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
