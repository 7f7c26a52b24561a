"""Snapshot store: publish immutable snapshots, load, list, diff, roll back, audit.

SQLite file by default (WAL, foreign keys, writes in ``BEGIN IMMEDIATE``); PostgreSQL by URL
(``TRACKER_DATABASE_URL``; psycopg 3, bulk rows through COPY). Rows are never updated or
deleted: a publish adds a snapshot and moves the one-row ``current_snapshot`` pointer in the
same transaction; a rollback only moves the pointer.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from itertools import pairwise, repeat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, insert, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url

import settings
from tracker.dataset import COLUMNS, DTYPES, conform, empty_frame
from tracker.store.diff import canonical_frame, diff_frames
from tracker.store.errors import (
    DuplicateSnapshot,
    NothingToPublish,
    SnapshotNotFound,
    StalePreview,
    StoreBusy,
    StoreError,
    StoreFull,
    StoreUnavailable,
)
from tracker.store.parts import DEAD_ROWS_SLACK, MAX_PARTS, SCOPES, surviving
from tracker.store.tables import (
    DATA_TABLES,
    DATE_COLUMNS,
    MONEY_COLUMNS,
    audit_log,
    current_snapshot,
    snapshot_parts,
    snapshots,
)

try:  # psycopg is a runtime dependency, but SQLite-only use must not need it
    import psycopg
except ImportError:  # pragma: no cover
    psycopg = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "tracker.sqlite"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ENV_URL = "TRACKER_DATABASE_URL"
_UPGRADE_LOCK_KEY = 7_346_001  # pg_advisory_xact_lock key serialising concurrent upgrades

# The columns of Store.snapshots(), in order (the CLI's `snapshots` and the History page).
SNAPSHOT_COLUMNS: tuple[str, ...] = (
    "id",
    "created_at",
    "user",
    "source",
    "rows",
    "sha256",
    "note",
    "kind",
    "current",
    "counts",
    "changes",
)

_DATETIME_COLUMNS = frozenset(c for c, d in DTYPES.items() if d == "datetime64[ns]")


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


class Store:
    """The snapshot database behind the dashboard, the upload page and the CLI."""

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

    # --- engine and transactions ----------------------------------------------------------

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

    def __enter__(self) -> Store:
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

    # --- schema -----------------------------------------------------------------------------

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

    # --- reading ----------------------------------------------------------------------------

    def current_id(self) -> int | None:
        """Id of the snapshot the dashboard shows, or None before the first publish."""
        with self._transaction(write=False) as conn:
            return self._current(conn)

    @staticmethod
    def _current(conn: Connection) -> int | None:
        return conn.execute(
            select(current_snapshot.c.snapshot_id).where(current_snapshot.c.id == 1)
        ).scalar()

    def load(self, snapshot_id: int | None = None) -> dict[str, pd.DataFrame]:
        """The four canonical frames of a snapshot (the current one by default)."""
        with self._transaction(write=False) as conn:
            sid = self._current(conn) if snapshot_id is None else int(snapshot_id)
            if sid is None:
                return {kind: empty_frame(kind) for kind in COLUMNS}
            if conn.execute(select(snapshots.c.id).where(snapshots.c.id == sid)).scalar() is None:
                raise SnapshotNotFound(sid)
            lists = self._part_lists(conn, sid)
            return {kind: self._read_snapshot(conn, kind, lists.get(kind, [])) for kind in COLUMNS}

    @staticmethod
    def _part_lists(conn: Connection, snapshot_id: int | None) -> dict[str, list[int]]:
        """Per table, the part ids of a snapshot oldest first (or of every snapshot, keyed
        "kind:id", when ``snapshot_id`` is None)."""
        stmt = select(
            snapshot_parts.c.snapshot_id, snapshot_parts.c.kind, snapshot_parts.c.part_id
        ).order_by(snapshot_parts.c.snapshot_id, snapshot_parts.c.kind, snapshot_parts.c.position)
        if snapshot_id is not None:
            stmt = stmt.where(snapshot_parts.c.snapshot_id == int(snapshot_id))
        out: dict[str, list[int]] = {}
        for sid, kind, part in conn.execute(stmt):
            key = kind if snapshot_id is not None else f"{kind}:{sid}"
            out.setdefault(key, []).append(int(part))
        return out

    def _fetch(
        self, conn: Connection, kind: str, part_ids: list[int] | None, cols: list[str]
    ) -> np.ndarray:
        """Rows of the given parts (all parts when None) as an object array
        [part_id, seq, *cols], ordered by part id and seq."""
        table = DATA_TABLES[kind]
        select_cols = ", ".join(self._select_expr(f"t.{self._q(c)}", c) for c in cols)
        sql = f"SELECT t.snapshot_id, t.seq, {select_cols} FROM {self._q(table.name)} t"
        if part_ids is not None:
            if not part_ids:
                return np.empty((0, len(cols) + 2), dtype=object)
            sql += f" WHERE t.snapshot_id IN ({', '.join(str(int(p)) for p in part_ids)})"
        raw = _driver(conn)
        # psycopg: binary results parse ints, bools and floats without text conversion
        cur = raw.cursor(binary=True) if self.dialect == "postgresql" else raw.cursor()
        try:
            # No ORDER BY: the rows come back (nearly always already) in order and are sorted
            # here if not. A server-side sort of 100,000 wide rows spills to disk on PostgreSQL.
            cur.execute(sql)
            rows = cur.fetchall()
        finally:
            cur.close()
        arr = np.array(rows, dtype=object) if rows else np.empty((0, len(cols) + 2), dtype=object)
        sid, seq = arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64)
        in_order = (sid[1:] > sid[:-1]) | ((sid[1:] == sid[:-1]) & (seq[1:] > seq[:-1]))
        if not in_order.all():
            arr = arr[np.lexsort((seq, sid))]
        return arr

    @staticmethod
    def _columns_for(kind: str, columns: list[str] | None) -> tuple[list[str], list[str]]:
        """(columns asked for, columns to fetch: those plus the table's scope columns)."""
        cols = list(columns) if columns is not None else list(COLUMNS[kind])
        unknown = set(cols) - set(COLUMNS[kind])
        if unknown:
            raise ValueError(f"unknown {kind} columns: {sorted(unknown)}")
        scope = SCOPES[kind] or ()
        return cols, cols + [c for c in scope if c not in cols]

    def _read_snapshot(
        self, conn: Connection, kind: str, part_ids: list[int], columns: list[str] | None = None
    ) -> pd.DataFrame:
        """One table of one snapshot: the rows of its parts that no later part supersedes."""
        cols, fetch = self._columns_for(kind, columns)
        arr = self._fetch(conn, kind, part_ids, fetch)
        positions = np.zeros(len(arr), dtype=np.int64)
        if len(part_ids) > 1 and len(arr):
            rank = {p: i for i, p in enumerate(part_ids)}
            positions = np.array([rank[int(p)] for p in arr[:, 0]], dtype=np.int64)
            order = np.lexsort((arr[:, 1].astype(np.int64), positions))
            arr, positions = arr[order], positions[order]
        if len(part_ids) > 1 and len(arr):
            # superseded rows are dropped before any column is typed (cheaper than after)
            scope = SCOPES[kind] or ()
            keys = pd.DataFrame({c: arr[:, 2 + fetch.index(c)] for c in scope})
            keep = surviving(keys, positions, kind)
            if not keep.all():
                arr = arr[keep]
        frame = _columns_to_frame(list(arr.T[2:]), fetch, kind)
        return frame[cols] if fetch != cols else frame

    def _q(self, name: str) -> str:
        return self.engine.dialect.identifier_preparer.quote(name)

    def _select_expr(self, expr: str, column: str) -> str:
        """SELECT expression for a column, so every backend returns ISO text / floats.

        SQLite already stores dates as ISO text and amounts as REAL. PostgreSQL's date objects
        and Decimals would be slow to convert, so it is asked for text and float8 instead.
        """
        if self.dialect == "sqlite":
            return expr
        if column in DATE_COLUMNS:
            return f"to_char({expr}, 'YYYY-MM-DD')"
        if column in _DATETIME_COLUMNS:
            return f"to_char({expr}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
        if column in MONEY_COLUMNS:
            return f"{expr}::float8"
        return expr

    def snapshots(self) -> pd.DataFrame:
        """All snapshots, oldest first, with a ``current`` flag and rows per table."""
        with self._transaction(write=False) as conn:
            cur_id = self._current(conn)
            rows = conn.execute(select(snapshots).order_by(snapshots.c.id)).mappings().all()
        df = pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in snapshots.columns])
        df["created_at"] = _to_datetime(df["created_at"]).dt.tz_localize("UTC")
        df["id"] = df["id"].astype("Int64")
        df["rows"] = df["rows"].astype("Int64")
        df["counts"] = [json.loads(c) for c in df["counts"]]
        df["changes"] = [json.loads(c or "{}") for c in df["changes"]]
        df["current"] = df["id"].eq(cur_id).fillna(False).astype(bool)
        return df[list(SNAPSHOT_COLUMNS)]

    def audit_log(self) -> pd.DataFrame:
        """Every publish, failed publish and rollback, oldest first (counts as JSON text)."""
        with self._transaction(write=False) as conn:
            rows = conn.execute(select(audit_log).order_by(audit_log.c.id)).mappings().all()
        df = pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in audit_log.columns])
        df["at"] = _to_datetime(df["at"]).dt.tz_localize("UTC")
        df["id"] = df["id"].astype("Int64")
        df["snapshot_id"] = df["snapshot_id"].astype("Int64")
        return df

    def history(
        self, kind: str = "directives", *, columns: list[str] | None = None
    ) -> pd.DataFrame:
        """Rows of ``kind`` in every snapshot, with snapshot_id and created_at (for trends).

        Each snapshot's rows are what it shows (its parts resolved); a part shared by several
        snapshots is read once.
        """
        if kind not in DATA_TABLES:
            raise ValueError(f"unknown table kind {kind!r}")
        cols, fetch = self._columns_for(kind, columns)
        with self._transaction(write=False) as conn:
            lists = self._part_lists(conn, None)
            created = dict(conn.execute(select(snapshots.c.id, snapshots.c.created_at)).all())
            arr = self._fetch(conn, kind, None, fetch)
        part_col = arr[:, 0].astype(np.int64)
        starts = {}
        if len(part_col):
            edges = np.flatnonzero(np.r_[True, part_col[1:] != part_col[:-1], True])
            starts = {int(part_col[a]): (int(a), int(b)) for a, b in pairwise(edges)}
        full = _columns_to_frame(list(arr.T[2:]), fetch, kind)
        pieces: list[np.ndarray] = []
        owners: list[np.ndarray] = []
        for sid in sorted(created):
            parts = lists.get(f"{kind}:{sid}", [])
            spans = [starts[p] for p in parts if p in starts]
            if not spans:
                continue
            idx = np.concatenate([np.arange(a, b) for a, b in spans])
            if len(spans) > 1:
                positions = np.repeat(np.arange(len(spans)), [b - a for a, b in spans])
                idx = idx[surviving(full.iloc[idx], positions, kind)]
            pieces.append(idx)
            owners.append(np.full(len(idx), sid, dtype=np.int64))
        take = np.concatenate(pieces) if pieces else np.empty(0, dtype=np.int64)
        owner = np.concatenate(owners) if owners else np.empty(0, dtype=np.int64)
        frame = full.iloc[take][cols].reset_index(drop=True)
        when = np.array([created[int(s)] for s in owner], dtype=object)
        head = pd.DataFrame(
            {
                "snapshot_id": pd.array(owner, dtype="Int64"),
                "created_at": pd.Series(
                    pd.to_datetime(pd.Series(when, dtype=object)).to_numpy("datetime64[ns]")
                ).dt.tz_localize("UTC"),
            }
        )
        out = pd.concat([head, frame], axis=1)
        if len(owner) and len(cols):
            out[cols] = conform(out[cols], kind)[cols]
        return out

    def diff(self, a: int, b: int) -> dict[str, pd.DataFrame]:
        """What changed from snapshot ``a`` to snapshot ``b`` (see diff.diff_frames)."""
        return diff_frames(self.load(a), self.load(b))

    # --- writing ----------------------------------------------------------------------------

    def publish(
        self,
        dataset_frames: Mapping[str, pd.DataFrame],
        *,
        user: str,
        source: str,
        sha256: str,
        note: str = "",
        kind: str = "upload",
    ) -> int:
        """Store the frames as a whole new snapshot (every table replaced) and make it current.

        The same sha256 published before is refused (DuplicateSnapshot). Uploads, imports and
        syncs publish through ``publish_changes`` instead, which keeps what they do not carry.
        """
        if hasattr(dataset_frames, "frames"):  # a tracker.dataset.Dataset
            dataset_frames = dataset_frames.frames()
        unknown = set(dataset_frames) - set(COLUMNS)
        if unknown:
            raise ValueError(f"unknown table kinds: {sorted(unknown)}")
        frames = {k: canonical_frame(dataset_frames.get(k), k) for k in COLUMNS}
        record = {
            k: {"mode": "replace", "added": len(df), "written": len(df), "source": str(source)}
            for k, df in frames.items()
        }
        return self._publish(
            frames,
            {k: (df, True) for k, df in frames.items()},
            record,
            base_id=None,
            check_base=False,
            refuse_same_sha=True,
            user=user,
            source=source,
            sha256=sha256,
            note=note,
            kind=kind,
        )

    def publish_changes(
        self,
        composition: Any,
        *,
        base_id: int | None,
        user: str,
        source: str,
        sha256: str,
        note: str = "",
        kind: str = "upload",
    ) -> int:
        """Publish what ``composition`` (tracker.publish.compose.Composition) changes over snapshot
        ``base_id``, the snapshot it was composed from.

        The new snapshot is the whole dataset, but only the changed rows are written. Inside
        the publish lock: a current snapshot other than ``base_id`` raises StalePreview; a
        composition that changes nothing raises DuplicateSnapshot (the same sha256 was
        published before) or NothingToPublish. In every refused case nothing is written.
        """
        frames = {k: canonical_frame(composition.frames.get(k), k) for k in COLUMNS}
        writes = {
            k: (canonical_frame(ch.rows, k), bool(ch.replace))
            for k, ch in composition.changes.items()
        }
        if getattr(composition, "fresh", False) and writes:  # every other table empties
            writes = {k: writes.get(k, (empty_frame(k), True)) for k in COLUMNS}
        return self._publish(
            frames,
            writes,
            composition.record(str(source)),
            base_id=base_id,
            check_base=True,
            refuse_same_sha=False,
            user=user,
            source=source,
            sha256=sha256,
            note=note,
            kind=kind,
        )

    def _publish(
        self,
        frames: dict[str, pd.DataFrame],
        writes: dict[str, tuple[pd.DataFrame, bool]],
        record: dict,
        *,
        base_id: int | None,
        check_base: bool,
        refuse_same_sha: bool,
        user: str,
        source: str,
        sha256: str,
        note: str,
        kind: str,
    ) -> int:
        """One publish transaction: new snapshot row, changed parts, part lists, pointer, audit."""
        user, kind = str(user)[:200], str(kind)[:32]  # the column widths
        counts = {k: len(df) for k, df in frames.items()}
        total = sum(counts.values())
        try:
            with self._transaction(write=True) as conn:
                cur_id = self._lock_current(conn)
                if check_base and cur_id != base_id:
                    raise StalePreview(base_id, cur_id)
                dup = conn.execute(
                    select(snapshots.c.id).where(snapshots.c.sha256 == sha256).limit(1)
                ).scalar()
                if dup is not None and (refuse_same_sha or not writes):
                    raise DuplicateSnapshot(dup, current=dup == cur_id)
                if not writes:
                    raise NothingToPublish()
                now = _now()
                sid = conn.execute(  # type: ignore[index]  # an INSERT always has a key
                    insert(snapshots).values(
                        created_at=now,
                        user=user,
                        source=source,
                        sha256=sha256,
                        note=note,
                        kind=kind,
                        rows=total,
                        counts=json.dumps(counts),
                        changes=json.dumps(record, ensure_ascii=False, sort_keys=True),
                    )
                ).inserted_primary_key[0]
                old = self._part_sizes(conn, cur_id)
                part_rows = []
                for k in COLUMNS:
                    parts = self._next_parts(conn, k, sid, old.get(k, []), writes.get(k), frames[k])
                    part_rows += [
                        {"snapshot_id": sid, "kind": k, "position": i, "part_id": p, "rows": n}
                        for i, (p, n) in enumerate(parts)
                    ]
                if part_rows:
                    conn.execute(insert(snapshot_parts), part_rows)
                conn.execute(
                    update(current_snapshot)
                    .where(current_snapshot.c.id == 1)
                    .values(snapshot_id=sid, updated_at=now)
                )
                written = {k: len(w[0]) for k, w in writes.items()}
                self._audit(
                    conn,
                    user=user,
                    action="publish",
                    snapshot_id=sid,
                    source=source,
                    sha256=sha256,
                    counts=counts,
                    message=f"published #{sid} ({total} rows; written: "
                    + (", ".join(f"{k} {n}" for k, n in written.items()) or "none")
                    + f"); previous current: {'#' + str(cur_id) if cur_id else 'none'}",
                )
            return int(sid)
        except BaseException as exc:
            self._record_failure(exc, user=user, source=source, sha256=sha256, counts=counts)
            raise

    @staticmethod
    def _part_sizes(conn: Connection, snapshot_id: int | None) -> dict[str, list[tuple[int, int]]]:
        """Per table, (part id, rows) of a snapshot's parts, oldest first."""
        if snapshot_id is None:
            return {}
        stmt = (
            select(snapshot_parts.c.kind, snapshot_parts.c.part_id, snapshot_parts.c.rows)
            .where(snapshot_parts.c.snapshot_id == snapshot_id)
            .order_by(snapshot_parts.c.kind, snapshot_parts.c.position)
        )
        out: dict[str, list[tuple[int, int]]] = {}
        for k, part, n in conn.execute(stmt):
            out.setdefault(k, []).append((int(part), int(n)))
        return out

    def _next_parts(
        self,
        conn: Connection,
        kind: str,
        sid: int,
        old: list[tuple[int, int]],
        write: tuple[pd.DataFrame, bool] | None,
        whole: pd.DataFrame,
    ) -> list[tuple[int, int]]:
        """Write this snapshot's part of ``kind`` (if any) and return the table's part list.

        A table whose parts would hold more than twice the rows it shows (plus a slack), or
        more than MAX_PARTS parts, is rewritten whole as one part (compaction).
        """
        if write is None:
            return old
        rows, replace = write
        parts = [(sid, len(rows))] if replace else [*old, (sid, len(rows))]
        held = sum(n for _, n in parts)
        if not replace and (len(parts) > MAX_PARTS or held > 2 * len(whole) + DEAD_ROWS_SLACK):
            rows, parts = whole, [(sid, len(whole))]
        if len(rows):
            self._bulk_insert(conn, kind, rows, sid)
        return [(p, n) for p, n in parts if n > 0]

    def provenance(self, snapshot_id: int | None = None) -> pd.DataFrame:
        """Where each table of a snapshot comes from: its parts, oldest first, with the
        snapshot that wrote each (id, when, who, source) and the rows it holds."""
        cols = ["kind", "position", "part_id", "rows", "created_at", "user", "source"]
        with self._transaction(write=False) as conn:
            sid = self._current(conn) if snapshot_id is None else int(snapshot_id)
            if sid is None:
                return pd.DataFrame(columns=cols)
            stmt = (
                select(
                    snapshot_parts.c.kind,
                    snapshot_parts.c.position,
                    snapshot_parts.c.part_id,
                    snapshot_parts.c.rows,
                    snapshots.c.created_at,
                    snapshots.c.user,
                    snapshots.c.source,
                )
                .join(snapshots, snapshots.c.id == snapshot_parts.c.part_id)
                .where(snapshot_parts.c.snapshot_id == sid)
                .order_by(snapshot_parts.c.kind, snapshot_parts.c.position)
            )
            rows = conn.execute(stmt).all()
        df = pd.DataFrame([tuple(r) for r in rows], columns=cols)
        df["created_at"] = _to_datetime(df["created_at"]).dt.tz_localize("UTC")
        return df

    def rollback(self, snapshot_id: int, *, user: str) -> None:
        """Make an earlier (or any existing) snapshot current again; audited, deletes nothing."""
        sid, user = int(snapshot_id), str(user)[:200]
        with self._transaction(write=True) as conn:
            previous = self._lock_current(conn)
            row = conn.execute(
                select(
                    snapshots.c.id, snapshots.c.source, snapshots.c.sha256, snapshots.c.counts
                ).where(snapshots.c.id == sid)
            ).first()
            if row is None:
                raise SnapshotNotFound(sid)
            conn.execute(
                update(current_snapshot)
                .where(current_snapshot.c.id == 1)
                .values(snapshot_id=sid, updated_at=_now())
            )
            self._audit(
                conn,
                user=user,
                action="rollback",
                snapshot_id=sid,
                source=row.source,
                sha256=row.sha256,
                counts=json.loads(row.counts),
                message=f"current {'#' + str(previous) if previous else 'none'} -> #{sid}",
            )

    def audit(
        self,
        action: str,
        *,
        user: str,
        message: str = "",
        source: str = "",
        snapshot_id: int | None = None,
    ) -> None:
        """Record an event that is not a publish or rollback (a refused write, a roles change).

        Append-only like every audit row; texts are clipped to the column widths. Callers pass
        no secrets: the message is shown on the history page.
        """
        with self._transaction(write=True, lock_timeout=2.0) as conn:
            self._audit(
                conn,
                user=str(user)[:200],
                action=str(action)[:32],
                snapshot_id=snapshot_id,
                source=str(source),
                sha256="",
                message=str(message)[:2000],
            )

    def _lock_current(self, conn: Connection) -> int | None:
        """Take the publish lock (PostgreSQL row lock; SQLite already holds BEGIN IMMEDIATE)."""
        stmt = select(current_snapshot.c.snapshot_id).where(current_snapshot.c.id == 1)
        if self.dialect == "postgresql":
            stmt = stmt.with_for_update()
        row = conn.execute(stmt).first()
        if row is None:  # the migration inserts it; recreate if someone removed it
            conn.execute(insert(current_snapshot).values(id=1, snapshot_id=None))
            return None
        return row[0]

    @staticmethod
    def _audit(conn: Connection, **values: Any) -> None:
        values["counts"] = json.dumps(values.get("counts") or {})
        values.setdefault("snapshot_id", None)
        conn.execute(insert(audit_log).values(at=_now(), **values))

    def _record_failure(self, exc: BaseException, **values: Any) -> None:
        """Audit a failed publish in its own short transaction, if the database lets us."""
        if isinstance(exc, StoreUnavailable | KeyboardInterrupt | SystemExit):
            return
        snapshot_id = exc.snapshot_id if isinstance(exc, DuplicateSnapshot) else None
        code = getattr(exc, "code", type(exc).__name__)
        text = getattr(exc, "message_en", "") or str(exc)[:300]
        try:
            with self._transaction(write=True, lock_timeout=1.0) as conn:
                self._audit(
                    conn,
                    action="publish_failed",
                    snapshot_id=snapshot_id,
                    message=f"{code}: {text}",
                    **values,
                )
        except (StoreError, *_DB_ERRORS) as err:  # type: ignore[misc]  # a tuple built at import
            log.warning("could not audit a failed publish: %s", err)

    def _bulk_insert(self, conn: Connection, kind: str, df: pd.DataFrame, sid: int) -> None:
        """Insert all rows of one frame: executemany on SQLite, COPY on PostgreSQL."""
        table = DATA_TABLES[kind]
        cols = list(COLUMNS[kind])
        values = [_db_values(df[c], c, self.dialect) for c in cols]
        rows = zip(repeat(int(sid)), range(len(df)), *values, strict=False)
        q = self.engine.dialect.identifier_preparer.quote
        col_sql = ", ".join(q(c) for c in ["snapshot_id", "seq", *cols])
        if self.dialect == "postgresql":
            raw = _driver(conn)
            with (
                raw.cursor() as cur,
                cur.copy(f"COPY {q(table.name)} ({col_sql}) FROM STDIN") as cp,
            ):
                for row in rows:
                    cp.write_row(row)
            return
        marks = ", ".join("?" * (len(cols) + 2))
        conn.exec_driver_sql(
            f"INSERT INTO {q(table.name)} ({col_sql}) VALUES ({marks})", list(rows)
        )


def _driver(conn: Connection) -> Any:
    """The DB-API connection under a SQLAlchemy connection (sqlite3 or psycopg)."""
    raw = conn.connection.driver_connection
    if raw is None:  # pragma: no cover - a closed connection
        raise StoreError(detail="the database connection is closed")
    return raw


def _to_datetime(s: pd.Series) -> pd.Series:
    """Datetimes as SQLAlchemy returns them (datetime objects) → datetime64."""
    return pd.to_datetime(s)


def _parse_iso(values: np.ndarray, unit: str) -> np.ndarray:
    """ISO date/datetime text (None = missing) → datetime64[ns]; numpy parses it in C."""
    try:
        return np.array(values, dtype=f"datetime64[{unit}]").astype("datetime64[ns]")
    except (ValueError, TypeError):  # text written by another tool: let pandas guess
        return pd.to_datetime(pd.Series(values, dtype=object), format="mixed").to_numpy(
            "datetime64[ns]"
        )


def _int_or_float(col: np.ndarray, dtype: str) -> Any:
    """Object column of numbers/None → Int64 (masked) or float64 (NaN) without inference."""
    missing = np.equal(col, None)  # type: ignore[call-overload]  # object arrays: None compares
    if dtype == "Int64":
        values = np.where(missing, 0, col).astype(np.int64)
        return pd.arrays.IntegerArray(values, missing)
    return np.where(missing, np.nan, col).astype(np.float64)


def _typed_column(col: np.ndarray, name: str) -> Any:
    """One driver column in the dtype conform() gives it, or None when it is not known here.

    Text stays the driver's str/None objects; "category" gets the sorted categories of
    the values present, as conform() does. The store tests check load() == conform(load()).
    """
    dtype = DTYPES.get(name, "str")
    if name in DATE_COLUMNS:
        return _parse_iso(col, "D")
    if dtype == "datetime64[ns]":
        return _parse_iso(col, "us")
    if dtype == "str":
        return pd.Series(col, dtype=object)
    if dtype == "bool":
        return col.astype(bool)
    if dtype in ("Int64", "float64"):
        return _int_or_float(col, dtype)
    if dtype == "category":
        codes, uniques = pd.factorize(col, sort=True)
        return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object))
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Categorical(col, dtype=dtype)
    return None


def _columns_to_frame(columns: list[np.ndarray], names: list[str], kind: str) -> pd.DataFrame:
    """Driver columns → the canonical frame, each column built straight into its final dtype.

    Letting pandas infer object columns and conform() convert them again costs about
    twice as much, and 100,000 directives must load in under a second. A dtype not known
    here (DTYPES changed) falls back to conform() for the whole frame.
    """
    data: dict[str, Any] = {}
    fallback = False
    for name, col in zip(names, columns, strict=True):
        if name == "snapshot_id":
            data[name] = _int_or_float(col, "Int64")
        elif name == "created_at":
            data[name] = pd.Series(_parse_iso(col, "us")).dt.tz_localize("UTC")
        else:
            typed = _typed_column(col, name)
            fallback |= typed is None
            data[name] = pd.Series(col, dtype=object) if typed is None else typed
    df = pd.DataFrame(data, columns=names)
    if fallback:
        canon = [c for c in names if c in COLUMNS[kind]]
        df[canon] = canonical_frame(df[canon], kind)[canon]
    return df


def _db_values(s: pd.Series, name: str, dialect: str) -> list | np.ndarray:
    """One conformed column as driver-ready Python values (None for missing)."""
    dtype = DTYPES.get(name, "str")
    if dtype == "datetime64[ns]":
        arr = s.to_numpy(dtype="datetime64[ns]")
        if dialect == "sqlite":  # the text format SQLAlchemy's SQLite Date/DateTime use
            if name in DATE_COLUMNS:
                out = np.datetime_as_string(arr, unit="D").tolist()
            else:
                out = np.char.replace(np.datetime_as_string(arr, unit="us"), "T", " ").tolist()
            for i in np.flatnonzero(np.isnat(arr)).tolist():
                out[i] = None
            return out
        unit = "datetime64[D]" if name in DATE_COLUMNS else "datetime64[us]"
        return arr.astype(unit).astype(object).tolist()  # date/datetime, NaT → None
    if dtype == "bool":
        return s.astype(bool).tolist()
    if dtype == "float64":
        arr = s.to_numpy(dtype="float64", na_value=np.nan)
        if name in MONEY_COLUMNS:
            arr = np.round(arr, 2)
        return [None if v != v else v for v in arr.tolist()]  # NaN → None
    if dtype == "Int64":
        return [None if v is pd.NA else int(v) for v in s.astype(object).tolist()]
    return s.astype(object).where(s.notna(), None).tolist()
