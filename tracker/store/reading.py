"""Reading snapshots: the current one, a snapshot's four frames (its parts resolved), the
snapshot list, every snapshot's rows of a table (for trends), what changed between two, and
where a snapshot's tables come from.
"""

from __future__ import annotations

import json
from itertools import pairwise

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals
from sqlalchemy import Connection, select

from tracker.dataset import COLUMNS, DTYPES, conform, empty_frame
from tracker.store.arrow_load import arrow_ready, fetch_arrow
from tracker.store.convert import _columns_to_frame, _to_datetime
from tracker.store.diff import diff_frames
from tracker.store.engine import _driver
from tracker.store.errors import SnapshotNotFound
from tracker.store.parts import SCOPES, surviving
from tracker.store.searching import SnapshotSearch
from tracker.store.tables import (
    DATA_TABLES,
    current_snapshot,
    snapshot_parts,
    snapshots,
)

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

# The columns the app's shared copy of a snapshot leaves in the database (``load_slim``):
# long texts and where each row came from, fetched for the rows on screen (``rows``).
DETAIL_COLUMNS: dict[str, tuple[str, ...]] = {
    "directives": ("text", "detail", "obstacle", "source", "sheet", "row"),
    "responses": ("detail", "obstacle", "reporter", "source", "sheet", "row"),
}
# text columns with few distinct values: categoricals in the shared copy
SLIM_CATEGORIES: dict[str, tuple[str, ...]] = {"directives": ("issued_by",)}
CHUNK_ROWS = 50_000  # rows typed at a time by ``load_slim``
BULK_ROWS = 20_000  # more keys than this: ``rows`` reads whole parts
IN_CHUNK = 500  # keys per IN list


def row_key(part_ids: np.ndarray, seqs: np.ndarray) -> np.ndarray:
    """A row's key in the store: its part (the snapshot that wrote it) and its seq in one int64."""
    return (np.asarray(part_ids).astype(np.int64) << 32) | np.asarray(seqs).astype(np.int64)


def _concat_typed(frames: list[pd.DataFrame], kind: str) -> pd.DataFrame:
    """Typed chunks of one table as one frame; categoricals keep one sorted category list
    (``pd.concat`` would turn chunks with different categories into object columns)."""
    if len(frames) == 1:
        return frames[0]
    out = {}
    for c in frames[0].columns:
        parts = [f[c] for f in frames]
        if DTYPES.get(c) == "category":
            both = union_categoricals(parts, sort_categories=True)
            cats = pd.Index(both.categories.astype(object), dtype=object)  # as conform() has them
            out[c] = pd.Series(pd.Categorical.from_codes(both.codes, categories=cats))
        else:
            out[c] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(out, columns=frames[0].columns)


def slim_frame(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """``frame`` with its ``SLIM_CATEGORIES`` text columns as categoricals (sorted)."""
    cols = [c for c in SLIM_CATEGORIES.get(kind, ()) if c in frame.columns]
    if not cols:
        return frame
    return frame.assign(**{c: _as_category(frame[c]) for c in cols})


def _as_category(col: pd.Series) -> pd.Series:
    """``col.astype("category")``, six times faster for text (no pass through pandas'
    string dtype): the sorted distinct values as its str categories."""
    codes, uniques = pd.factorize(col.to_numpy(), sort=True)
    if col.dtype != object or not len(uniques) or not all(isinstance(u, str) for u in uniques):
        return col.astype("category")  # empty, or not all text: pandas decides the dtype
    cats = pd.CategoricalDtype(pd.Index(uniques, dtype="str"))
    return pd.Series(pd.Categorical.from_codes(codes, dtype=cats), index=col.index, name=col.name)


class SnapshotReader(SnapshotSearch):
    """Reads what the snapshots hold (never writes)."""

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
        self,
        conn: Connection,
        kind: str,
        part_ids: list[int] | None,
        cols: list[str],
        where: str = "",
    ) -> np.ndarray:
        """Rows of the given parts (all parts when None) as an object array
        [part_id, seq, *cols], ordered by part id and seq; ``where`` narrows them (SQL made
        here from integers only)."""
        table = DATA_TABLES[kind]
        select_cols = ", ".join(self._select_expr(f"t.{self._q(c)}", c) for c in cols)
        sql = f"SELECT t.snapshot_id, t.seq, {select_cols} FROM {self._q(table.name)} t"
        if part_ids is not None:
            if not part_ids:
                return np.empty((0, len(cols) + 2), dtype=object)
            sql += f" WHERE t.snapshot_id IN ({', '.join(str(int(p)) for p in part_ids)})"
        if where:
            sql += (" AND " if part_ids is not None else " WHERE ") + where
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
        """One table of one snapshot: the rows of its parts that no later part supersedes
        (through Arrow where the store allows it, else the driver's row tuples)."""
        if arrow_ready(self):
            return self._read_typed(conn, kind, part_ids, columns)[0]
        return self._read_keyed(conn, kind, part_ids, columns)[0]

    def _fetch_typed(
        self, conn: Connection, kind: str, part_ids: list[int], cols: list[str]
    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """``_fetch`` typed a chunk at a time (frame of ``cols``, part ids, seqs): the driver's
        row tuples of one chunk are all that is alive at once, never the whole table's.
        SQLite files and PostgreSQL are read through Arrow instead (``arrow_load``)."""
        arrow = fetch_arrow(self, conn, kind, part_ids, cols)
        if arrow is not None:
            return arrow
        table = DATA_TABLES[kind]
        select_cols = ", ".join(self._select_expr(f"t.{self._q(c)}", c) for c in cols)
        ids = ", ".join(str(int(p)) for p in part_ids) or "NULL"
        sql = (
            f"SELECT t.snapshot_id, t.seq, {select_cols} FROM {self._q(table.name)} t"
            f" WHERE t.snapshot_id IN ({ids})"
        )
        raw = _driver(conn)
        # PostgreSQL: a server-side cursor, so the client holds one chunk, not the result
        cur = (
            raw.cursor(name="tracker_load", binary=True)
            if self.dialect == "postgresql"
            else raw.cursor()
        )
        frames, sids, seqs = [], [], []
        try:
            cur.execute(sql)
            while rows := cur.fetchmany(CHUNK_ROWS):
                arr = np.array(rows, dtype=object)
                del rows
                sids.append(arr[:, 0].astype(np.int64))
                seqs.append(arr[:, 1].astype(np.int64))
                frames.append(_columns_to_frame(list(arr.T[2:]), cols, kind))
                del arr
        finally:
            cur.close()
        if not frames:
            empty = np.empty((0, len(cols)), dtype=object)
            frames = [_columns_to_frame(list(empty.T), cols, kind)]
            sids, seqs = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
        return _concat_typed(frames, kind), np.concatenate(sids), np.concatenate(seqs)

    def _read_typed(
        self, conn: Connection, kind: str, part_ids: list[int], columns: list[str] | None
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """``_read_keyed`` through ``_fetch_typed`` (rows typed as they arrive, then ordered
        and the superseded ones dropped): the low-memory path of ``load_slim``."""
        cols, fetch = self._columns_for(kind, columns)
        frame, sid, seq = self._fetch_typed(conn, kind, part_ids, fetch)
        rank = pd.Series(np.arange(len(part_ids)), index=part_ids, dtype=np.int64)
        positions = rank.reindex(sid).to_numpy() if len(part_ids) > 1 else np.zeros(len(sid), int)
        order = np.lexsort((seq, positions))
        if len(order) and not (order[1:] > order[:-1]).all():
            frame, sid, seq, positions = frame.take(order), sid[order], seq[order], positions[order]
        if len(part_ids) > 1 and len(frame):
            keep = surviving(frame.reset_index(drop=True), positions, kind)
            if not keep.all():
                frame, sid, seq = frame[keep], sid[keep], seq[keep]
        frame = frame.reset_index(drop=True)
        return (frame[cols] if fetch != cols else frame), row_key(sid, seq)

    def _read_keyed(
        self, conn: Connection, kind: str, part_ids: list[int], columns: list[str] | None = None
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """``_read_snapshot`` and each row's key (``row_key``: the part and row it is in)."""
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
        keys = row_key(arr[:, 0], arr[:, 1])
        frame = _columns_to_frame(list(arr.T[2:]), fetch, kind)
        return (frame[cols] if fetch != cols else frame), keys

    def load_slim(
        self, snapshot_id: int | None = None
    ) -> tuple[dict[str, pd.DataFrame], dict[str, np.ndarray]]:
        """A snapshot's frames without the columns in ``DETAIL_COLUMNS`` (texts and provenance
        stay in the database: ``rows`` fetches them) and with repeated text as categoricals,
        plus each frame's row keys (position i of a frame is the row of key i)."""
        with self._transaction(write=False) as conn:
            sid = self._current(conn) if snapshot_id is None else int(snapshot_id)
            if sid is None:
                empty = {k: slim_frame(empty_frame(k), k) for k in COLUMNS}
                return empty, {k: np.empty(0, dtype=np.int64) for k in COLUMNS}
            if conn.execute(select(snapshots.c.id).where(snapshots.c.id == sid)).scalar() is None:
                raise SnapshotNotFound(sid)
            lists = self._part_lists(conn, sid)
            frames, keys = {}, {}
            for kind in COLUMNS:
                cols = [c for c in COLUMNS[kind] if c not in DETAIL_COLUMNS.get(kind, ())]
                frame, keys[kind] = self._read_typed(conn, kind, lists.get(kind, []), cols)
                frames[kind] = slim_frame(frame, kind)
        return frames, keys

    def rows(self, kind: str, keys: np.ndarray, columns: list[str]) -> pd.DataFrame:
        """``columns`` of the rows with the given keys (``row_key``), in the keys' order,
        index 0..n-1 (a key no row has gives a blank row)."""
        cols, _ = self._columns_for(kind, columns)
        wanted = np.asarray(keys, dtype=np.int64)
        parts, seqs = wanted >> 32, wanted & 0xFFFFFFFF
        pieces = []
        with self._transaction(write=False) as conn:
            if len(wanted) > BULK_ROWS:  # an export: whole parts are cheaper than IN lists
                pieces.append(self._fetch(conn, kind, sorted(set(parts.tolist())), cols))
            else:
                for part in sorted(set(parts.tolist())):
                    mine = np.unique(seqs[parts == part])
                    for start in range(0, len(mine), IN_CHUNK):
                        chunk = ", ".join(str(int(q)) for q in mine[start : start + IN_CHUNK])
                        pieces.append(
                            self._fetch(conn, kind, [part], cols, where=f"t.seq IN ({chunk})")
                        )
        arr = np.concatenate(pieces) if pieces else np.empty((0, len(cols) + 2), dtype=object)
        frame = _columns_to_frame(list(arr.T[2:]), cols, kind)
        frame.index = pd.Index(row_key(arr[:, 0], arr[:, 1]))
        return frame.reindex(wanted).reset_index(drop=True)

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
