"""The audit log: every publish, failed publish, rollback and other recorded event, append-only."""

from __future__ import annotations

import json
import logging
from typing import Any

import pandas as pd
from sqlalchemy import Connection, insert, select

from tracker.store.convert import _to_datetime
from tracker.store.engine import _DB_ERRORS, StoreBase, _now
from tracker.store.errors import DuplicateSnapshot, StoreError, StoreUnavailable
from tracker.store.tables import audit_log

log = logging.getLogger("tracker.store.api")  # the logger these messages always went to


class AuditLog(StoreBase):
    """Writes and reads the audit rows."""

    def audit_log(self) -> pd.DataFrame:
        """Every publish, failed publish and rollback, oldest first (counts as JSON text)."""
        with self._transaction(write=False) as conn:
            rows = conn.execute(select(audit_log).order_by(audit_log.c.id)).mappings().all()
        df = pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in audit_log.columns])
        df["at"] = _to_datetime(df["at"]).dt.tz_localize("UTC")
        df["id"] = df["id"].astype("Int64")
        df["snapshot_id"] = df["snapshot_id"].astype("Int64")
        return df

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
