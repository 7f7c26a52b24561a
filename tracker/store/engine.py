"""The snapshot database's engine: where it is (URL), connections and transactions (SQLite
pragmas and BEGIN IMMEDIATE, PostgreSQL lock timeouts), driver errors turned into typed
StoreErrors, and the Alembic migrations.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url

import settings
from tracker.store.errors import StoreBusy, StoreError, StoreFull, StoreUnavailable

try:  # psycopg is a runtime dependency, but SQLite-only use must not need it
    import psycopg
except ImportError:  # pragma: no cover
    psycopg = None  # type: ignore[assignment]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "tracker.sqlite"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ENV_URL = "TRACKER_DATABASE_URL"
_UPGRADE_LOCK_KEY = 7_346_001  # pg_advisory_xact_lock key serialising concurrent upgrades


def resolve_url(url: str | None = None) -> URL:
    """The database URL: argument, else $TRACKER_DATABASE_URL, else data/tracker.sqlite."""
    raw = url or str(settings.get(ENV_URL) or "")
    if not raw:
        return URL.create("sqlite", database=str(DEFAULT_SQLITE_PATH))
    parsed = make_url(raw)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _now() -> datetime:
    """UTC wall time without tzinfo (what the DateTime columns hold)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _classify(exc: BaseException, where: str) -> StoreError:
    """Map a driver/SQLAlchemy exception to the typed StoreError the user is shown."""
    orig = getattr(exc, "orig", None) or exc
    detail = str(orig).strip().splitlines()[0][:300] if str(orig).strip() else type(orig).__name__
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        text = str(orig).lower()
        if primary in (5, 6) or "database is locked" in text:  # SQLITE_BUSY / SQLITE_LOCKED
            return StoreBusy(detail=detail)
        if primary == 13 or "database or disk is full" in text:  # SQLITE_FULL
            return StoreFull(detail=detail)
        if primary in (8, 10, 14, 26) or "unable to open" in text:  # READONLY IOERR CANTOPEN
            return StoreUnavailable(where, detail=detail)
        return StoreError(detail=detail)
    if psycopg is not None and isinstance(orig, psycopg.Error):
        state = orig.sqlstate or ""
        if state in ("55P03", "40P01", "40001"):  # lock timeout, deadlock, serialisation
            return StoreBusy(detail=detail)
        if state in ("53100", "54000"):  # disk full, program limit exceeded
            return StoreFull(detail=detail)
        if state.startswith(("08", "57P", "53300")) or (
            not state and isinstance(orig, psycopg.OperationalError | psycopg.InterfaceError)
        ):
            return StoreUnavailable(where, detail=detail)
        return StoreError(detail=detail)
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return StoreUnavailable(where, detail=detail)
    if isinstance(exc, sa_exc.TimeoutError):  # connection pool exhausted
        return StoreBusy(detail=detail)
    if isinstance(exc, OSError):
        return StoreUnavailable(where, detail=detail)
    return StoreError(detail=detail)


_DB_ERRORS: tuple[type[BaseException], ...] = (sa_exc.SQLAlchemyError, sqlite3.Error, OSError)
if psycopg is not None:
    _DB_ERRORS += (psycopg.Error,)


class StoreBase:
    """The engine and transactions every part of the Store works through."""

    def __init__(
        self,
        url: str | None = None,
        *,
        busy_timeout: float = 10.0,
        connect_timeout: int = 5,
    ) -> None:
        """Prepare the engine (lazily: nothing connects until the first operation)."""
        self.url = resolve_url(url)
        self.dialect = "sqlite" if self.url.get_backend_name() == "sqlite" else "postgresql"
        if self.dialect == "sqlite" and self.url.database not in (None, "", ":memory:"):
            # Create the folder of the file (data/ by default). If that is impossible the
            # first operation reports StoreUnavailable, so constructing never raises.
            with contextlib.suppress(OSError):
                Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        self.busy_timeout = busy_timeout
        self.engine = self._make_engine(connect_timeout)

    @property
    def where(self) -> str:
        """A password-free description of the database, safe for messages."""
        if self.dialect == "sqlite":
            return f"SQLite {self.url.database or ':memory:'}"
        return (
            f"PostgreSQL {self.url.host or 'localhost'}:{self.url.port or 5432}/{self.url.database}"
        )

    def _make_engine(self, connect_timeout: int) -> Engine:
        """Create the engine with the SQLite pragmas and begin hooks, or PostgreSQL timeouts."""
        if self.dialect == "sqlite":
            engine = create_engine(self.url, connect_args={"timeout": self.busy_timeout})
            busy_ms = int(self.busy_timeout * 1000)

            @event.listens_for(engine, "connect")
            def _on_connect(dbapi_conn: Any, _record: Any) -> None:
                dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
                cur = dbapi_conn.cursor()
                cur.execute(f"PRAGMA busy_timeout = {busy_ms}")
                cur.execute("PRAGMA journal_mode = WAL")
                cur.execute("PRAGMA foreign_keys = ON")
                cur.close()

            @event.listens_for(engine, "begin")
            def _on_begin(conn: Connection) -> None:
                mode = conn.get_execution_options().get("sqlite_begin", "")
                conn.exec_driver_sql(f"BEGIN {mode}".strip())

            return engine
        query = dict(self.url.query)
        args: dict[str, Any] = {}
        if "application_name" not in query:
            args["application_name"] = "bma-tracker"
        if "connect_timeout" not in query:
            args["connect_timeout"] = connect_timeout
        return create_engine(self.url, connect_args=args, pool_pre_ping=True)

    def dispose(self) -> None:
        """Close pooled connections (tests, process exit)."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()

    @contextlib.contextmanager
    def _translate(self) -> Iterator[None]:
        """Turn driver exceptions into typed StoreErrors."""
        try:
            yield
        except StoreError:
            raise
        except _DB_ERRORS as exc:
            raise _classify(exc, self.where) from exc

    @contextlib.contextmanager
    def _transaction(
        self, *, write: bool, lock_timeout: float | None = None
    ) -> Iterator[Connection]:
        """One transaction; writers take the write lock first (BEGIN IMMEDIATE / row lock).

        ``lock_timeout`` (seconds) overrides how long a writer waits for the lock.
        """
        with self._translate(), self.engine.connect() as conn:
            if self.dialect == "sqlite":
                if write:
                    conn.execution_options(sqlite_begin="IMMEDIATE")
                if lock_timeout is not None:
                    raw = _driver(conn)
                    raw.execute(f"PRAGMA busy_timeout = {int(lock_timeout * 1000)}")
            try:
                with conn.begin():
                    if write and self.dialect == "postgresql":
                        wait = self.busy_timeout if lock_timeout is None else lock_timeout
                        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(wait * 1000)}")
                    yield conn
            finally:
                if self.dialect == "sqlite" and lock_timeout is not None:
                    with contextlib.suppress(sqlite3.Error):
                        _driver(conn).execute(
                            f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}"
                        )

    def upgrade(self, revision: str = "head") -> None:
        """Run the Alembic migrations up to ``revision`` (idempotent; safe from any cwd)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        if self.dialect == "sqlite":
            self._upgrade_sqlite(cfg, revision)
            return
        with self._transaction(write=True) as conn:
            if self.dialect == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_UPGRADE_LOCK_KEY})")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)

    def _upgrade_sqlite(self, cfg: Config, revision: str) -> None:
        """SQLite migrations with foreign keys off, as SQLite requires for a table rebuilt in
        batch mode (other tables refer to it); every key is checked before the commit."""
        with self._translate(), self.engine.connect() as conn:
            raw = _driver(conn)
            raw.execute("PRAGMA foreign_keys = OFF")  # outside a transaction, or it is ignored
            try:
                conn.execution_options(sqlite_begin="IMMEDIATE")
                with conn.begin():
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, revision)
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise StoreError(detail=f"foreign keys broken by a migration: {broken[:3]}")
            finally:
                raw.execute("PRAGMA foreign_keys = ON")


def _driver(conn: Connection) -> Any:
    """The DB-API connection under a SQLAlchemy connection (sqlite3 or psycopg)."""
    raw = conn.connection.driver_connection
    if raw is None:  # pragma: no cover - a closed connection
        raise StoreError(detail="the database connection is closed")
    return raw
