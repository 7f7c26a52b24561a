"""Text search over a snapshot's rows (the Directives page's search box), answered through an
index the database keeps itself where one exists, with the same rows a plain scan finds.

The database maintains the indexes on every insert (publish needs no code of its own):

When TRACKER_SEARCH_INDEX is on (made or dropped after every upgrade; off by default: keeping
one doubles the time a million-directive publish takes):

- SQLite (``sync_sqlite_index``): a contentless FTS5 table ``<kind>_search`` (trigram tokenizer: substrings, so Thai,
  which has no spaces between words, is found anywhere in a word), its rowid the row's key
  (``reading.row_key``), filled by triggers on the data table.
- PostgreSQL (``sync_pg_index``): a GIN index ``ix_<kind>_<column>_trgm`` (pg_trgm) on each searched column; the
  planner uses it for the same ``ILIKE`` a scan runs.

The index only proposes rows: every answer is checked with the literal ``LIKE`` / ``ILIKE`` a
scan runs, so the rows found are exactly the scan's. Queries shorter than ``MIN_INDEXED``
characters, columns without an index, and databases without one (SQLite without FTS5 or older
than 3.34, PostgreSQL without pg_trgm) are scanned as before.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import Connection, text

from tracker.dataset import DTYPES
from tracker.store.engine import _UPGRADE_LOCK_KEY, StoreBase, _driver
from tracker.store.tables import DATA_TABLES, DATE_COLUMNS, MONEY_COLUMNS

# The columns migration 0005 indexes, per table (the ones the app searches in the database).
SEARCH_INDEXES: dict[str, tuple[str, ...]] = {"directives": ("text",)}
MIN_INDEXED = 3  # characters: a trigram index cannot answer shorter queries
MAX_TRIGRAMS = 12  # trigrams asked of FTS5 per query (any subset proposes a superset)
# FTS5's own tables for a virtual table (contentless: no _content; columnsize=0: no _docsize)
_FTS_SHADOWS = ("", "_data", "_idx", "_config", "_docsize", "_content")

# a row's key (reading.row_key) in SQL
KEY = "((CAST(t.snapshot_id AS BIGINT) << 32) | t.seq)"

_DATETIME_COLUMNS = frozenset(c for c, d in DTYPES.items() if d == "datetime64[ns]")


def fts_table(kind: str) -> str:
    """The SQLite FTS5 table indexing ``kind``'s searched columns."""
    return f"{kind}_search"


def trgm_index(kind: str, column: str) -> str:
    """The PostgreSQL pg_trgm GIN index on one searched column."""
    return f"ix_{kind}_{column}_trgm"


# Tables and indexes the search adds that are not in tables.metadata (Alembic's autogenerate
# must leave them alone: see ``include_name``).
SEARCH_OBJECTS: frozenset[str] = frozenset(
    [fts_table(k) + s for k in SEARCH_INDEXES for s in _FTS_SHADOWS]
    + [trgm_index(k, c) for k, cols in SEARCH_INDEXES.items() for c in cols]
)


def include_name(name: str | None, type_: str, parent_names: object = None) -> bool:
    """Alembic ``include_name`` hook: compare everything but the search's own objects."""
    return not (type_ in ("table", "index") and name in SEARCH_OBJECTS)


def like_pattern(query: str) -> str:
    """``%query%`` with LIKE's wildcards and the escape character taken literally."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", query) + "%"


def fts_match(query: str) -> str:
    """An FTS5 query asking for trigrams of ``query`` (at most ``MAX_TRIGRAMS``, spread over
    it): every row holding ``query`` holds them all, so the rows found are a superset."""
    grams = list(dict.fromkeys(query[i : i + 3] for i in range(len(query) - 2)))
    if len(grams) > MAX_TRIGRAMS:
        step = (len(grams) - 1) / (MAX_TRIGRAMS - 1)
        grams = [grams[round(i * step)] for i in range(MAX_TRIGRAMS)]
    return " AND ".join('"' + g.replace('"', '""') + '"' for g in grams)


class SnapshotSearch(StoreBase):
    """Finds rows by their text (never writes); part of ``SnapshotReader``."""

    if TYPE_CHECKING:  # provided by SnapshotReader

        @staticmethod
        def _part_lists(conn: Connection, snapshot_id: int | None) -> dict[str, list[int]]: ...

        @staticmethod
        def _columns_for(kind: str, columns: list[str] | None) -> tuple[list[str], list[str]]: ...

    def upgrade(self, revision: str = "head") -> None:
        """The migrations, then (at head) the search index as the setting TRACKER_SEARCH_INDEX
        wants it: made from the rows there, or dropped (``sync_search_index``)."""
        super().upgrade(revision)
        if revision == "head":
            import settings

            wanted = bool(settings.get("TRACKER_SEARCH_INDEX"))
            with self._transaction(write=True) as conn:
                if self.dialect == "sqlite":
                    sync_sqlite_index(conn, wanted)
                else:  # one server at a time, as the migrations
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_UPGRADE_LOCK_KEY})")
                    sync_pg_index(conn, wanted)

    def search(self, snapshot_id: int, kind: str, columns: list[str], query: str) -> np.ndarray:
        """Keys (``row_key``) of the snapshot's rows whose ``columns`` hold ``query``
        (literal, case-insensitive for Latin letters), found by the database; rows a later
        part supersedes may be among them (they match no row of the loaded frame)."""
        cols, _ = self._columns_for(kind, columns)
        needle = query.strip()
        if not needle or not cols:
            return np.empty(0, dtype=np.int64)
        params = {"p": like_pattern(needle)}
        # the driver's own placeholders: its rows are read without SQLAlchemy's Row objects
        mark = (lambda n: f"%({n})s") if self.dialect == "postgresql" else (lambda n: f":{n}")
        like = "ILIKE" if self.dialect == "postgresql" else "LIKE"
        table = self._q(DATA_TABLES[kind].name)
        found = " OR ".join(f"t.{self._q(c)} {like} {mark('p')} ESCAPE '\\'" for c in cols)
        with self._transaction(write=False) as conn:
            parts = self._part_lists(conn, int(snapshot_id)).get(kind, [])
            if not parts:
                return np.empty(0, dtype=np.int64)
            ids = ", ".join(str(int(p)) for p in parts)
            if self._fts_usable(conn, kind, cols, needle):
                # candidates from the index (its rowid is the row's key), checked like a scan
                params["m"] = fts_match(needle)
                sql = (
                    f"SELECT s.rowid FROM {self._q(fts_table(kind))}({mark('m')}) AS s"
                    f" CROSS JOIN {table} t WHERE (s.rowid >> 32) IN ({ids})"
                    " AND t.snapshot_id = (s.rowid >> 32) AND t.seq = (s.rowid & 4294967295)"
                    f" AND ({found})"
                )
            else:  # PostgreSQL's planner picks the trigram index for this itself
                sql = f"SELECT {KEY} FROM {table} t WHERE t.snapshot_id IN ({ids}) AND ({found})"
            cur = _driver(conn).cursor()
            try:
                cur.execute(sql, params)
                rows = cur.fetchall()  # one int per row: a million make an array in ms
            finally:
                cur.close()
        return np.array(rows, dtype=np.int64).reshape(-1)

    def _fts_usable(self, conn: Connection, kind: str, cols: list[str], needle: str) -> bool:
        """Whether SQLite can answer this search from ``kind``'s FTS5 table."""
        if self.dialect != "sqlite" or len(needle) < MIN_INDEXED:
            return False
        if not set(cols) <= set(SEARCH_INDEXES.get(kind, ())):
            return False
        return self._has_object(conn, fts_table(kind))

    def _has_object(self, conn: Connection, name: str) -> bool:
        if self.dialect == "sqlite":
            sql = "SELECT 1 FROM sqlite_master WHERE name = :n"
        else:  # an index of the data tables' schema (the first on the search path)
            sql = "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = :n"
        return conn.execute(text(sql), {"n": name}).scalar() is not None

    def search_indexed(self, kind: str = "directives") -> bool:
        """Whether every searched column of ``kind`` has its index (False: searches scan)."""
        with self._transaction(write=False) as conn:
            if self.dialect == "sqlite":
                return self._has_object(conn, fts_table(kind))
            return all(
                self._has_object(conn, trgm_index(kind, c)) for c in SEARCH_INDEXES.get(kind, ())
            ) and bool(SEARCH_INDEXES.get(kind))

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


# The indexes follow the setting TRACKER_SEARCH_INDEX (off by default), checked after every
# upgrade: keeping one costs ~35-45 s per million directives published (each row's ~90
# trigrams; measured 33 s -> 68 s on PostgreSQL, 49 s -> ~100 s on SQLite, for a 1M import),
# which would double a million-directive import; without one a search scans (1-3 s at 1M).
# SQLite's: a contentless trigram FTS5 table kept by triggers on the data table.
_SQLITE_TRIGGERS = (
    """CREATE TRIGGER {kind}_search_insert AFTER INSERT ON {kind}
    WHEN new.{col} IS NOT NULL BEGIN
        INSERT INTO {kind}_search (rowid, {col})
        VALUES ((new.snapshot_id << 32) | new.seq, new.{col});
    END""",
    """CREATE TRIGGER {kind}_search_delete AFTER DELETE ON {kind}
    WHEN old.{col} IS NOT NULL BEGIN
        INSERT INTO {kind}_search ({kind}_search, rowid, {col})
        VALUES ('delete', (old.snapshot_id << 32) | old.seq, old.{col});
    END""",
    """CREATE TRIGGER {kind}_search_update AFTER UPDATE OF snapshot_id, seq, {col}
    ON {kind} BEGIN
        INSERT INTO {kind}_search ({kind}_search, rowid, {col})
        SELECT 'delete', (old.snapshot_id << 32) | old.seq, old.{col} WHERE old.{col} IS NOT NULL;
        INSERT INTO {kind}_search (rowid, {col})
        SELECT (new.snapshot_id << 32) | new.seq, new.{col} WHERE new.{col} IS NOT NULL;
    END""",
)
_TRIGGER_NAMES = ("insert", "delete", "update")


def sync_sqlite_index(conn: Connection, wanted: bool) -> None:
    """Make SQLite's search index exist exactly when ``wanted`` (built from the rows already
    there; dropped with its triggers otherwise). Where FTS5's trigram tokenizer is missing
    (SQLite older than 3.34, a build without FTS5) it logs a warning and searches scan."""
    import logging
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    log = logging.getLogger(__name__)
    for kind, (col,) in SEARCH_INDEXES.items():
        table = fts_table(kind)
        present = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).scalar()
        if not wanted:
            if present:
                for name in _TRIGGER_NAMES:
                    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {kind}_search_{name}")
                conn.exec_driver_sql(f"DROP TABLE {table}")
            continue
        if present:
            continue
        if sqlite3.sqlite_version_info < (3, 34, 0):
            log.warning("SQLite %s has no trigram tokenizer: search scans", sqlite3.sqlite_version)
            return
        try:
            with conn.begin_nested():
                conn.exec_driver_sql(
                    f"CREATE VIRTUAL TABLE {table} USING fts5({col}, content='',"
                    " tokenize='trigram', detail='none', columnsize=0)"
                )
        except DBAPIError as exc:  # no FTS5 in this SQLite build
            log.warning("no FTS5 trigram index (%s): search scans", exc.orig)
            return
        for ddl in _SQLITE_TRIGGERS:
            conn.exec_driver_sql(ddl.format(kind=kind, col=col))
        conn.exec_driver_sql(
            f"INSERT INTO {table} (rowid, {col}) SELECT {KEY}, t.{col}"
            f" FROM {kind} t WHERE t.{col} IS NOT NULL"
        )


def sync_pg_index(conn: Connection, wanted: bool) -> None:
    """Make PostgreSQL's trigram indexes exist exactly when ``wanted``: pg_trgm (created in
    public if the server has it and the user may) and a GIN index per searched column, then
    ANALYZE so the planner weighs it. Without pg_trgm or the right to create it: a warning,
    and searches scan."""
    import logging

    from sqlalchemy.exc import DBAPIError

    log = logging.getLogger(__name__)
    if not wanted:
        for kind, cols in SEARCH_INDEXES.items():
            for col in cols:
                conn.exec_driver_sql(f"DROP INDEX IF EXISTS {trgm_index(kind, col)}")
        return
    missing = [
        (kind, col)
        for kind, cols in SEARCH_INDEXES.items()
        for col in cols
        if not conn.exec_driver_sql(
            "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = %s",
            (trgm_index(kind, col),),
        ).scalar()
    ]
    if not missing:
        return
    schema = _trgm_schema(conn)
    available = conn.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
    ).scalar()
    # public first: an extension in a schema that is later dropped would take the index along
    for where in (" WITH SCHEMA public", ""):
        if schema is not None or not available:
            break
        try:
            with conn.begin_nested():
                conn.exec_driver_sql(f"CREATE EXTENSION IF NOT EXISTS pg_trgm{where}")
        except DBAPIError as exc:  # no right to create it (or no schema public)
            log.warning("CREATE EXTENSION pg_trgm%s failed: %s", where, exc.orig)
        schema = _trgm_schema(conn)
    if schema is None:
        log.warning("PostgreSQL has no pg_trgm: search scans")
        return
    conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")  # this transaction only
    ops = f"{conn.dialect.identifier_preparer.quote_schema(schema)}.gin_trgm_ops"
    for kind, col in missing:
        conn.exec_driver_sql(
            f'CREATE INDEX IF NOT EXISTS {trgm_index(kind, col)} ON {kind} USING gin ("{col}" {ops})'
        )
        # statistics, so the planner weighs the index against the scan (a table never
        # analysed looks tiny to it, and autovacuum may be off or not yet run)
        conn.exec_driver_sql(f"ANALYZE {kind}")


def _trgm_schema(conn: Connection) -> str | None:
    return conn.exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
    ).scalar()
