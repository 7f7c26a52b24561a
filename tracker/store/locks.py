"""One run of a background job at a time across every app process and command line on one
database: the live sources' sync and the e-mail reminders.

PostgreSQL (several app servers behind a load balancer): a session advisory lock,
``pg_try_advisory_lock(7346, hashtext(<schema>:<job>))``, taken on a connection kept for the
run and released when it ends — or by PostgreSQL itself when the process or its connection
dies, since the lock belongs to the session. SQLite (one server): an exclusive ``flock`` on a
file next to the database (``tracker.sqlite-sync.lock``), which also keeps a cron run and the
app apart and is dropped by the kernel when the process dies; a database in memory, or a
folder where no lock file can be made, falls back to a lock inside the process.

``job_lock`` never waits: it yields False when another run holds the job, and the caller skips.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator

from sqlalchemy import Connection

from tracker.store.engine import StoreBase

try:
    import fcntl
except ImportError:  # pragma: no cover - not Linux: the in-process lock below
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

SYNC_JOB = "sync"
REMINDERS_JOB = "reminders"
JOBS = (SYNC_JOB, REMINDERS_JOB)
PG_NAMESPACE = 7346  # the first key of the two-key advisory lock: this application's locks
_TRY = "SELECT pg_try_advisory_lock(%(ns)s, hashtext(current_schema() || ':' || %(job)s))"
_UNLOCK = "SELECT pg_advisory_unlock(%(ns)s, hashtext(current_schema() || ':' || %(job)s))"

_local_guard = threading.Lock()
_local: dict[tuple[str, str], threading.Lock] = {}


def _check(job: str) -> None:
    if job not in JOBS:
        raise ValueError(f"unknown job {job!r}; one of {JOBS}")


@contextlib.contextmanager
def job_lock(store: StoreBase, job: str) -> Iterator[bool]:
    """Hold ``job``'s lock for the block if nobody holds it: yields True (run) or False (another
    run holds it: skip). Raises StoreError when the database cannot be reached."""
    _check(job)
    lock = _pg_lock if store.dialect == "postgresql" else _sqlite_lock
    with lock(store, job) as held:
        yield held


@contextlib.contextmanager
def _pg_lock(store: StoreBase, job: str) -> Iterator[bool]:
    params = {"ns": PG_NAMESPACE, "job": job}
    with store._translate():
        conn = store.engine.connect()
        try:
            held = bool(conn.exec_driver_sql(_TRY, params).scalar())
            conn.commit()  # the lock is the session's: it outlives the transaction
        except BaseException:
            conn.invalidate()
            conn.close()
            raise
    try:
        yield held
    finally:
        _pg_release(conn, params, held)


def _pg_release(conn: Connection, params: dict[str, object], held: bool) -> None:
    """Unlock and hand the connection back; if unlocking fails, close the connection itself
    (PostgreSQL drops a session's locks with it) rather than pool a connection holding one."""
    try:
        if held:
            conn.exec_driver_sql(_UNLOCK, params)
            conn.commit()
    except Exception:
        log.warning("could not release the %s lock; closing its connection", params["job"])
        conn.invalidate()
    finally:
        conn.close()


@contextlib.contextmanager
def _sqlite_lock(store: StoreBase, job: str) -> Iterator[bool]:
    database = store.url.database or ""
    handle = None
    if fcntl is not None and database not in ("", ":memory:"):
        try:
            handle = open(f"{database}-{job}.lock", "a+b")  # noqa: SIM115 - held for the block
        except OSError as exc:  # a read-only folder: one process is the deployment anyway
            log.warning("no lock file for %s (%s): locking inside the process", job, exc)
    if handle is None:
        with _local_lock(database, job) as held:
            yield held
        return
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def _local_lock(database: str, job: str) -> Iterator[bool]:
    with _local_guard:
        lock = _local.setdefault((database, job), threading.Lock())
    held = lock.acquire(blocking=False)
    try:
        yield held
    finally:
        if held:
            lock.release()


__all__ = ["JOBS", "PG_NAMESPACE", "REMINDERS_JOB", "SYNC_JOB", "job_lock"]
