"""Reminders by e-mail, in the database: the contacts (checked, every save audited), what was
told to whom (each directive, threshold and occasion once, across runs) and each run."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from email.utils import parseaddr
from typing import Any

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect

from messages.problems import Issue, Refusal, issue
from tracker.agencies import is_known_agency
from tracker.places import normalize_agency, zones
from tracker.store.audit import AuditLog
from tracker.store.convert import _to_datetime
from tracker.store.engine import _now
from tracker.store.tables import contacts, reminder_runs, reminders_sent

CONTACT_ROLES = ("unit", "inspector", "admin")
CONTACT_COLUMNS = ["unit", "email", "name", "role", "zone", "saved_by", "saved_at"]
SENT_COLUMNS = ["directive_id", "threshold", "occasion", "unit", "sent_at", "run_id"]
RUN_COLUMNS = ["id", "started_at", "by", "sent", "skipped", "failed", "detail"]
# A plain address: local part and a dotted domain, no spaces, no display name, no quoting.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


class ContactsRefused(Refusal):
    """Contacts not saved: the problems found, one Issue per cell."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("contacts_invalid", n=len(issues))
        self.issues = issues


def valid_email(text: str) -> bool:
    """A bare address of a sensible shape (what ``email.utils`` parses back unchanged)."""
    text = str(text).strip()
    if len(text) > 254 or not _EMAIL.fullmatch(text):
        return False
    name, addr = parseaddr(text)
    return not name and addr == text and ".." not in text and not text.startswith(".")


def check_contacts(rows: Iterable[Mapping[str, Any]]) -> tuple[list[dict[str, str]], list[Issue]]:
    """Contacts as typed (unit, email, name, role, zone; role defaults to unit) → the clean
    rows and the problems (row = position + 1, or the row's own ``row``). Pure."""
    zone_names = {z for pair in zones() for z in pair}
    zone_th = {en: th for th, en in zones()}
    clean: list[dict[str, str]] = []
    problems: list[Issue] = []
    seen: set[tuple[str, str, str, str]] = set()
    for pos, raw in enumerate(rows, start=1):
        row = int(raw.get("row") or pos)

        def text(key: str, raw: Mapping[str, Any] = raw) -> str:
            value = raw.get(key)
            return "" if value is None or pd.isna(value) else str(value).strip()

        unit, email, name = text("unit"), text("email"), text("name")
        role = (text("role") or "unit").lower()
        zone = text("zone")
        if not (unit or email or name or zone):
            continue  # an empty line of the editor or the sheet
        bad = False
        if role not in CONTACT_ROLES:
            problems.append(issue("error", "contact_bad_role", row=row, value=role))
            bad = True
        if not valid_email(email):
            problems.append(issue("error", "contact_bad_email", row=row, value=email))
            bad = True
        if role == "unit":
            if not unit:
                problems.append(issue("error", "contact_no_unit", row=row, value=email))
                bad = True
            elif not is_known_agency(unit):
                problems.append(issue("error", "contact_unknown_unit", row=row, value=unit))
                bad = True
        if role == "inspector" and zone:
            if zone not in zone_names:
                problems.append(issue("error", "contact_unknown_zone", row=row, value=zone))
                bad = True
            zone = zone_th.get(zone, zone)
        if bad:
            continue
        entry = {
            "unit": normalize_agency(unit)[:200] if role == "unit" else "",
            "email": email.lower(),
            "name": name[:200],
            "role": role,
            "zone": zone[:100] if role == "inspector" else "",
        }
        key = (entry["unit"], entry["email"], entry["role"], entry["zone"])
        if key not in seen:  # the same line twice is kept once
            seen.add(key)
            clean.append(entry)
    return clean, problems


class Reminders(AuditLog):
    """Contacts, reminders sent and reminder runs."""

    def contacts(self) -> pd.DataFrame:
        """Every contact (unit, email, name, role, zone, saved_by, saved_at), by unit."""
        with self._transaction(write=False) as conn:
            rows = (
                conn.execute(
                    select(*[contacts.c[c] for c in CONTACT_COLUMNS]).order_by(
                        contacts.c.role, contacts.c.unit, contacts.c.zone, contacts.c.email
                    )
                )
                .mappings()
                .all()
            )
        df = pd.DataFrame([dict(r) for r in rows], columns=CONTACT_COLUMNS)
        df["saved_at"] = _to_datetime(df["saved_at"]).dt.tz_localize("UTC")
        return df

    def save_contacts(self, rows: Iterable[Mapping[str, Any]], user: str) -> int:
        """Replace every contact by ``rows`` after checking them (ContactsRefused lists every
        problem, nothing saved); audited with what was added and removed. Returns the count."""
        clean, problems = check_contacts(rows)
        if problems:
            raise ContactsRefused(problems)
        user = str(user)[:200]
        with self._transaction(write=True, lock_timeout=2.0) as conn:
            before = {
                (r.unit, r.email, r.role, r.zone)
                for r in conn.execute(
                    select(contacts.c.unit, contacts.c.email, contacts.c.role, contacts.c.zone)
                )
            }
            after = {(c["unit"], c["email"], c["role"], c["zone"]) for c in clean}
            conn.execute(delete(contacts))
            if clean:
                now = _now()
                conn.execute(
                    insert(contacts), [{**c, "saved_by": user, "saved_at": now} for c in clean]
                )
            added, removed = sorted(after - before), sorted(before - after)
            lines = [f"+ {_who(k)}" for k in added] + [f"- {_who(k)}" for k in removed]
            self._audit(
                conn,
                user=user,
                action="contacts_saved",
                source="contacts",
                sha256="",
                counts={"contacts": len(clean), "added": len(added), "removed": len(removed)},
                message="; ".join(lines)[:2000],
            )
        return len(clean)

    def reminders_sent(self) -> pd.DataFrame:
        """What was told already: directive_id, threshold, occasion, unit, sent_at, run_id."""
        with self._transaction(write=False) as conn:
            rows = conn.execute(select(*[reminders_sent.c[c] for c in SENT_COLUMNS])).all()
        df = pd.DataFrame([tuple(r) for r in rows], columns=SENT_COLUMNS)
        df["sent_at"] = _to_datetime(df["sent_at"]).dt.tz_localize("UTC")
        return df

    def record_reminder_run(
        self,
        *,
        by: str,
        started_at: datetime,
        sent: int,
        skipped: int,
        failed: int,
        detail: Mapping[str, Any],
        told: Iterable[Mapping[str, str]],
    ) -> int:
        """Record a run and what it told (directive_id, threshold, occasion, unit): a key told
        before (another run at the same time) is kept as it was. Audited; returns the run id."""
        by = str(by)[:200]
        with self._transaction(write=True, lock_timeout=5.0) as conn:
            run_id = conn.execute(
                insert(reminder_runs)
                .values(
                    started_at=started_at.replace(tzinfo=None),
                    by=by,
                    sent=int(sent),
                    skipped=int(skipped),
                    failed=int(failed),
                    detail=json.dumps(detail, ensure_ascii=False, default=str),
                )
                .returning(reminder_runs.c.id)
            ).scalar_one()
            now = _now()
            keys = [
                {
                    "directive_id": str(k["directive_id"])[:200],
                    "threshold": str(k["threshold"]),
                    "occasion": str(k["occasion"])[:32],
                    "unit": str(k["unit"])[:200],
                    "sent_at": now,
                    "run_id": run_id,
                }
                for k in told
            ]
            if keys:
                dialect = pg_dialect if self.dialect == "postgresql" else sqlite_dialect
                stmt = dialect.insert(reminders_sent).on_conflict_do_nothing()
                for start in range(0, len(keys), 5000):
                    conn.execute(stmt, keys[start : start + 5000])
            self._audit(
                conn,
                user=by,
                action="reminders_sent",
                source="reminders",
                sha256="",
                counts={"sent": sent, "skipped": skipped, "failed": failed, "told": len(keys)},
                message=f"run {run_id}: {sent} sent, {skipped} skipped, {failed} failed",
            )
        return int(run_id)

    def reminder_runs(self, limit: int = 50) -> pd.DataFrame:
        """The last runs, newest first (detail as parsed JSON)."""
        with self._transaction(write=False) as conn:
            rows = conn.execute(
                select(*[reminder_runs.c[c] for c in RUN_COLUMNS])
                .order_by(reminder_runs.c.id.desc())
                .limit(limit)
            ).all()
        df = pd.DataFrame([tuple(r) for r in rows], columns=RUN_COLUMNS)
        df["started_at"] = _to_datetime(df["started_at"]).dt.tz_localize("UTC")
        df["detail"] = [json.loads(x) if x else {} for x in df["detail"]]
        return df


def _who(key: tuple[str, str, str, str]) -> str:
    unit, email, role, zone = key
    return f"{email} ({role}{': ' + (unit or zone) if unit or zone else ''})"
