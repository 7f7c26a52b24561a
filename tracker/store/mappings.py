"""Column mappings saved per source (Upload page), each save audited."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import delete, insert, select

from tracker.schema import header_key
from tracker.store.audit import AuditLog
from tracker.store.convert import _to_datetime
from tracker.store.engine import _now
from tracker.store.tables import column_mappings

COLUMNS = ["pattern", "header", "header_key", "field", "saved_by", "saved_at"]


class ColumnMappings(AuditLog):
    """Reads and saves the column mappings of file-name patterns."""

    def column_mappings(self, patterns: list[str]) -> pd.DataFrame:
        """The saved mappings of ``patterns`` (pattern, header, header_key, field, by, at)."""
        if not patterns:
            return pd.DataFrame(columns=COLUMNS)
        with self._transaction(write=False) as conn:
            rows = (
                conn.execute(
                    select(column_mappings)
                    .where(column_mappings.c.pattern.in_(patterns))
                    .order_by(column_mappings.c.pattern, column_mappings.c.header_key)
                )
                .mappings()
                .all()
            )
        df = pd.DataFrame([dict(r) for r in rows], columns=COLUMNS)
        df["saved_at"] = _to_datetime(df["saved_at"]).dt.tz_localize("UTC")
        return df

    def save_column_mappings(self, pattern: str, choices: dict[str, str], user: str) -> int:
        """Replace the mapping of ``pattern`` by ``choices`` (header as typed -> field) and
        audit it ("header → field" per line); returns how many were saved."""
        pattern = str(pattern)[:200]
        rows = {
            header_key(h)[:200]: (str(h)[:200], str(f)[:32])
            for h, f in choices.items()
            if f and header_key(h)
        }
        with self._transaction(write=True, lock_timeout=2.0) as conn:
            conn.execute(delete(column_mappings).where(column_mappings.c.pattern == pattern))
            if rows:
                now = _now()
                conn.execute(
                    insert(column_mappings),
                    [
                        {
                            "pattern": pattern,
                            "header_key": key,
                            "header": header,
                            "field": field,
                            "saved_by": str(user)[:200],
                            "saved_at": now,
                        }
                        for key, (header, field) in sorted(rows.items())
                    ],
                )
            lines = "; ".join(f"{h} → {f}" for h, f in sorted(rows.values()))
            self._audit(
                conn,
                user=str(user)[:200],
                action="column_mapping",
                snapshot_id=None,
                source=pattern,
                sha256="",
                message=lines[:2000],
            )
        return len(rows)
