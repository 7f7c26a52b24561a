"""Writing snapshots: publish a whole new snapshot or only what a composition changes (the
new snapshot row, the changed parts, the part lists and the current pointer in one
transaction), and roll back (the pointer only). Rows are never updated or deleted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, insert, select, update

from tracker.dataset import COLUMNS, DTYPES, empty_frame
from tracker.store.audit import AuditLog
from tracker.store.convert import _db_values
from tracker.store.diff import canonical_frame
from tracker.store.engine import _driver, _now
from tracker.store.errors import (
    DuplicateSnapshot,
    NothingToPublish,
    SnapshotNotFound,
    StalePreview,
)
from tracker.store.parts import DEAD_ROWS_SLACK, MAX_PARTS
from tracker.store.tables import (
    DATA_TABLES,
    MONEY_COLUMNS,
    current_snapshot,
    snapshot_parts,
    snapshots,
)


class SnapshotWriter(AuditLog):
    """Publishes snapshots and moves the current pointer (audited)."""

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
        ready = getattr(composition, "canonical", False)  # made by compose(): conformed

        def canonical(df: pd.DataFrame | None, kind: str) -> pd.DataFrame:
            return df if ready and df is not None else canonical_frame(df, kind)

        frames = {k: canonical(composition.frames.get(k), k) for k in COLUMNS}
        writes = {
            k: (canonical(ch.rows, k), bool(ch.replace)) for k, ch in composition.changes.items()
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

    def _bulk_insert(self, conn: Connection, kind: str, df: pd.DataFrame, sid: int) -> None:
        """Insert all rows of one frame: executemany on SQLite, COPY on PostgreSQL, a chunk of
        rows at a time (the driver's values for a million rows would take gigabytes)."""
        table = DATA_TABLES[kind]
        cols = list(COLUMNS[kind])
        q = self.engine.dialect.identifier_preparer.quote
        col_sql = ", ".join(q(c) for c in ["snapshot_id", "seq", *cols])
        chunks = (
            _driver_rows(df.iloc[start : start + INSERT_CHUNK], cols, self.dialect, sid, start)
            for start in range(0, len(df), INSERT_CHUNK)
        )
        if self.dialect == "postgresql":
            raw = _driver(conn)
            with (
                raw.cursor() as cur,
                cur.copy(f"COPY {q(table.name)} ({col_sql}) FROM STDIN") as cp,
            ):
                for rows in chunks:
                    for row in rows:
                        cp.write_row(row)
            return
        marks = ", ".join("?" * (len(cols) + 2))
        sql = f"INSERT INTO {q(table.name)} ({col_sql}) VALUES ({marks})"
        for rows in chunks:
            conn.exec_driver_sql(sql, list(rows))


INSERT_CHUNK = 50_000  # rows converted to driver values at a time


def _driver_rows(df: pd.DataFrame, cols: list[str], dialect: str, sid: int, start: int) -> Any:
    """Rows (snapshot id, seq, values…) of ``df`` as driver-ready tuples, lazily."""
    values = [_fast_values(df[c], c, dialect) for c in cols]
    return zip(repeat(int(sid)), range(start, start + len(df)), *values, strict=False)


def _fast_values(s: pd.Series, name: str, dialect: str) -> list:
    """``_db_values`` (the same values) for the common dtypes without a Python step per value:
    text already None for missing, Int64 and float64 columns through numpy."""
    dtype = DTYPES.get(name, "str")
    if dtype == "str" and s.dtype == object:
        arr = s.to_numpy()
        missing = pd.isna(arr)
        if not missing.any() or np.equal(arr[missing], None).all():  # type: ignore[call-overload]
            return arr.tolist()
    elif dtype == "Int64" and isinstance(s.dtype, pd.Int64Dtype):
        mask = s.isna().to_numpy()
        out = s.to_numpy(dtype=np.int64, na_value=0).tolist()
        for i in np.flatnonzero(mask).tolist():
            out[i] = None
        return out
    elif dtype == "float64" and s.dtype == np.float64:
        arr = s.to_numpy()
        if name in MONEY_COLUMNS:
            arr = np.round(arr, 2)
        out = arr.tolist()
        for i in np.flatnonzero(np.isnan(arr)).tolist():
            out[i] = None
        return out
    out = _db_values(s, name, dialect)
    return out if isinstance(out, list) else list(out)
