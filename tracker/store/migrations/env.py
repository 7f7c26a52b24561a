"""Alembic environment: runs on the connection the Store hands over (or a URL from settings)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from tracker.store.searching import include_name
from tracker.store.tables import metadata

config = context.config


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER support on SQLite
        compare_type=True,
        include_name=include_name,  # the search indexes are the migrations' own (0005)
    )


def run_migrations_online() -> None:
    """Use the Store's connection (already in a locked transaction) or connect to the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from tracker.store.api import resolve_url  # only for the `alembic` command line

    engine = create_engine(resolve_url(config.get_main_option("sqlalchemy.url") or None))
    with engine.begin() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run them online.")
run_migrations_online()
