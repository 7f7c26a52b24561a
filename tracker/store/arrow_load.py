"""Snapshot rows through Arrow (ADBC), not Python row tuples: the fast path of ``Store.load``
and ``Store.load_slim`` on SQLite files and PostgreSQL.

The ADBC drivers (``adbc-driver-sqlite``, ``adbc-driver-postgresql``: Apache Arrow's, the
PostgreSQL one reads ``COPY … TO STDOUT (FORMAT binary)``) hand back columns, which
``convert._arrow_to_frame`` types in C (dates parsed by Arrow, categoricals coded by Arrow)
into exactly the frames the tuple path builds. Any other URL (an in-memory SQLite, another
driver), a missing driver, or a driver error (logged) leaves the read to the SQLAlchemy
tuple path, which also reports an unreachable database as usual.

SQLite hands out values of any type in any column and the driver types each column from its
first batch, so every column is CAST to its one type in SQL and a typed first row (dropped
here) leads the result: a NULL-heavy first batch can no longer type a date column as int64.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, select

from tracker.dataset import DTYPES
from tracker.store.convert import _arrow_to_frame, compact_batch
from tracker.store.tables import DATA_TABLES, MONEY_COLUMNS, snapshot_parts

log = logging.getLogger(__name__)

ARROW_LOAD = True  # False: every read goes through SQLAlchemy's row tuples (tests compare)
# Fewer values (rows × columns) than this: SQLAlchemy's tuples beat starting the SQLite child
# (measured: its ~0.5 s start against ~0.5 µs saved per value; 100,000 directives' slim
# columns are 1.8 million values, their 56,000 responses' 0.3 million)
SQLITE_MIN_VALUES = 1_000_000
SQLITE_BATCH_ROWS = 65_536  # rows per Arrow batch from SQLite (the driver's default is 1,024)
PG_BATCH_BYTES = 16 * 2**20  # a hint: bytes per Arrow batch from PostgreSQL
_FIRST = -1  # snapshot_id of the typed first row SQLite's result starts with

# Runtime dependencies, imported when first used (the PostgreSQL driver's import costs a
# command's start); a store without them still loads through SQLAlchemy.
_DRIVERS = {
    name: importlib.util.find_spec(name) is not None
    for name in ("adbc_driver_manager", "adbc_driver_postgresql", "adbc_driver_sqlite")
}


def _sqlite_type(name: str) -> str:
    """The one SQLite type every value of canonical column ``name`` is CAST to."""
    dtype = DTYPES.get(name, "str")
    if dtype in ("Int64", "bool"):
        return "INTEGER"
    if dtype == "float64":
        return "REAL"
    return "TEXT"  # text, categories, and dates (ISO text, as SQLAlchemy writes them)


_TYPED_FIRST = {"INTEGER": "0", "REAL": "0.0", "TEXT": "''"}


def _uri(store: Any) -> tuple[str, str] | None:
    """(backend, the ADBC driver's URI) for the store's URL, or None: not for Arrow."""
    url = store.url
    if store.dialect == "sqlite":
        db = url.database or ""
        if url.drivername not in ("sqlite", "sqlite+pysqlite") or db in ("", ":memory:"):
            return None
        if db.startswith("file:") or url.query:  # URI filenames and options: SQLAlchemy's
            return None
        return "sqlite", db
    if url.drivername not in ("postgresql+psycopg", "postgresql"):
        return None
    query = dict(url.query)
    query.setdefault("application_name", "bma-tracker")  # as the engine connects
    query.setdefault("connect_timeout", "5")
    libpq = url.set(drivername="postgresql", query=query)
    return "postgresql", libpq.render_as_string(hide_password=False)


def _sql(store: Any, backend: str, kind: str, part_ids: list[int], cols: list[str]) -> str:
    """SELECT snapshot_id, seq and ``cols`` of the given parts (SQL from integers and the
    store's own column names only)."""
    quote = store.engine.dialect.identifier_preparer.quote
    table = quote(DATA_TABLES[kind].name)
    ids = ", ".join(str(int(p)) for p in part_ids) or "NULL"
    where = f"FROM {table} t WHERE t.snapshot_id IN ({ids})"
    if backend == "postgresql":  # native types; money is numeric, which Arrow gets as text
        exprs = [
            f"t.{quote(c)}::float8 AS {quote(c)}" if c in MONEY_COLUMNS else f"t.{quote(c)}"
            for c in cols
        ]
        return f"SELECT t.snapshot_id, t.seq, {', '.join(exprs)} {where}"
    types = [_sqlite_type(c) for c in cols]
    exprs = [f"CAST(t.{quote(c)} AS {ty}) AS {quote(c)}" for c, ty in zip(cols, types, strict=True)]
    first = ", ".join(
        [f"{_FIRST} AS snapshot_id", "0 AS seq"]
        + [f"{_TYPED_FIRST[ty]} AS {quote(c)}" for c, ty in zip(cols, types, strict=True)]
    )
    return f"SELECT {first} UNION ALL SELECT t.snapshot_id, t.seq, {', '.join(exprs)} {where}"


# The SQLite read runs in a child process: the ADBC driver carries its own SQLite library,
# and two SQLite libraries in one process break each other's POSIX file locks (a process's
# locks are dropped when either library closes the file; SQLite's "How To Corrupt" §2.2.1).
# Seen here: the driver read a stale copy of the database beside the app's sqlite3
# connection, which then failed with "disk I/O error". A separate process is safe.
_SQLITE_CHILD = """
import sys
import adbc_driver_manager, adbc_driver_sqlite, pyarrow as pa
path, sql, batch_rows, busy_ms = sys.argv[1], sys.stdin.read(), sys.argv[2], int(sys.argv[3])
db = adbc_driver_sqlite.connect(path)
conn = adbc_driver_manager.AdbcConnection(db)
pragma = adbc_driver_manager.AdbcStatement(conn)
pragma.set_sql_query(f"PRAGMA busy_timeout = {busy_ms}")
pragma.execute_update()
pragma.close()
stmt = adbc_driver_manager.AdbcStatement(conn)
stmt.set_options(**{adbc_driver_sqlite.StatementOptions.BATCH_ROWS.value: batch_rows})
stmt.set_sql_query(sql)
handle, _ = stmt.execute_query()
reader = pa.RecordBatchReader.from_stream(handle)
with pa.ipc.new_stream(sys.stdout.buffer, reader.schema) as out:
    for batch in reader:
        out.write_batch(batch)
reader.close()
stmt.close()
conn.close()
db.close()
"""


class ArrowReadError(Exception):
    """The Arrow read failed (the caller falls back to SQLAlchemy's row tuples)."""


@contextlib.contextmanager
def _sqlite_batches(path: str, sql: str, busy_ms: int) -> Iterator[Iterator[pa.RecordBatch]]:
    """The batches of ``sql`` on the SQLite file ``path``, read by the ADBC driver in a
    child process that streams them back as Arrow IPC."""
    args = [sys.executable, "-I", "-c", _SQLITE_CHILD, path, str(SQLITE_BATCH_ROWS), str(busy_ms)]
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
        except OSError as exc:  # no interpreter to start (a frozen app, a full process table)
            raise ArrowReadError(f"cannot start {sys.executable!r}: {exc}") from exc
        assert proc.stdin is not None and proc.stdout is not None
        failed: BaseException | None = None
        try:
            proc.stdin.write(sql.encode())
            proc.stdin.close()
            yield iter(pa.ipc.open_stream(proc.stdout))
        except (OSError, pa.ArrowException) as exc:
            failed = exc
        finally:
            proc.stdout.close()
            if failed is not None or sys.exc_info()[0] is not None:
                proc.kill()
            code = proc.wait()
        if failed is not None or code != 0:
            err.seek(0)
            lines = err.read().decode(errors="replace").strip().splitlines()
            raise ArrowReadError(lines[-1] if lines else f"{failed or f'exit status {code}'}")


@contextlib.contextmanager
def _batches(backend: str, uri: str, sql: str, busy_ms: int) -> Iterator[Iterator[pa.RecordBatch]]:
    """The result of ``sql`` a batch at a time."""
    if backend == "sqlite":
        with _sqlite_batches(uri, sql, busy_ms) as batches:
            yield batches
        return
    import adbc_driver_manager
    import adbc_driver_postgresql

    with contextlib.ExitStack() as stack:
        db = stack.enter_context(contextlib.closing(adbc_driver_postgresql.connect(uri)))
        conn = stack.enter_context(contextlib.closing(adbc_driver_manager.AdbcConnection(db)))
        stmt = stack.enter_context(contextlib.closing(adbc_driver_manager.AdbcStatement(conn)))
        hint = adbc_driver_postgresql.StatementOptions.BATCH_SIZE_HINT_BYTES.value
        stmt.set_options(**{hint: str(PG_BATCH_BYTES)})
        stmt.set_sql_query(sql)
        handle, _ = stmt.execute_query()
        reader = stack.enter_context(contextlib.closing(pa.RecordBatchReader.from_stream(handle)))
        yield iter(reader)


def _adbc_error() -> type[Exception]:
    """The ADBC drivers' error class (imported with the PostgreSQL driver)."""
    import adbc_driver_manager

    return adbc_driver_manager.Error


def _rows(conn: Connection, kind: str, part_ids: list[int]) -> int:
    """How many rows the given parts of ``kind`` hold (superseded ones included)."""
    if not part_ids:
        return 0
    stmt = (
        select(snapshot_parts.c.part_id, snapshot_parts.c.rows)
        .where(snapshot_parts.c.kind == kind, snapshot_parts.c.part_id.in_(part_ids))
        .distinct()
    )
    return sum(int(r) for _, r in conn.execute(stmt))


def fetch_arrow(
    store: Any, conn: Connection, kind: str, part_ids: list[int], cols: list[str]
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray] | None:
    """The rows of the given parts as (frame of ``cols`` typed as ``_columns_to_frame``
    types them, part ids, seqs), in the order the database returns them; None when Arrow
    cannot read this store, or (SQLite) when the parts hold fewer than
    ``SQLITE_MIN_VALUES`` values: the caller reads them through SQLAlchemy (``conn``)."""
    if not arrow_ready(store):
        return None
    backend, uri = _uri(store)  # type: ignore[misc]  # arrow_ready: not None
    if backend == "sqlite" and _rows(conn, kind, part_ids) * (len(cols) + 2) < SQLITE_MIN_VALUES:
        return None
    sql = _sql(store, backend, kind, part_ids, cols)
    names = ["snapshot_id", "seq", *cols]
    batches, encode = [], {}  # type: ignore[var-annotated]
    try:
        with _batches(backend, uri, sql, int(store.busy_timeout * 1000)) as stream:
            for batch in stream:
                first = pc.equal(batch.column(0), _FIRST)
                if backend == "sqlite" and pc.any(first).as_py():  # the typed first row
                    batch = batch.filter(pc.invert(first))
                batches.append(compact_batch(batch, names, encode))
                del batch
    except (ArrowReadError, pa.ArrowException, _adbc_error()) as exc:
        log.warning("Arrow read of %s failed, reading rows instead: %s", kind, exc)
        return None
    if not batches:
        return None
    table = pa.Table.from_batches(batches)
    del batches
    sid = table.column(0).to_numpy().astype(np.int64)
    seq = table.column(1).to_numpy().astype(np.int64)
    columns = [table.column(i) for i in range(2, table.num_columns)]
    del table  # each column's buffers go as soon as that column is typed
    return _arrow_to_frame(columns, cols, kind), sid, seq


def arrow_ready(store: Any) -> bool:
    """Whether ``fetch_arrow`` would try Arrow for this store (drivers installed, URL fit)."""
    target = _uri(store) if ARROW_LOAD and _DRIVERS["adbc_driver_manager"] else None
    return target is not None and _DRIVERS[f"adbc_driver_{target[0]}"]
