"""Admin page → E-mail reminders: the contacts (table or uploaded sheet), a preview of what the
next run would send (per unit, and one whole message as plain text), the last runs, and
"send now" (admins; checked on the server again, recorded and audited as the run's user).
User text is shown only in tables and as plain text, never as markdown."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from data_sources.base import RawTable, UnreadableFile
from data_sources.files import read_bytes
from messages.i18n import t
from messages.problems import Refusal
from tracker.live.remind import plan_for, run, smtp_config
from tracker.places import zones
from tracker.present.reminder_mail import subject, text_body
from tracker.present.reminders import THRESHOLDS, candidates
from tracker.schema import header_key
from tracker.store import StoreError
from tracker.store.reminders import CONTACT_ROLES, ContactsRefused
from tracker.thai import format_bangkok, format_int
from ui import data
from ui.auth import require_action
from ui.i18n import lang, tr

FLASH = "reminders_flash"
EDIT_COLUMNS = ["unit", "email", "name", "role", "zone"]
# Headers of an uploaded contacts sheet (compared by tracker.schema.header_key).
SHEET_HEADERS = {
    "unit": ("หน่วยงาน", "unit", "agency"),
    "email": ("อีเมล", "อีเมล์", "email", "e-mail"),
    "name": ("ชื่อผู้ประสานงาน", "ผู้ประสานงาน", "ชื่อ", "name", "coordinator"),
    "role": ("บทบาท", "role"),
    "zone": ("กลุ่มเขต", "zone"),
}


def contacts_from_tables(tables: list[RawTable]) -> list[dict[str, object]] | None:
    """The contacts of the first sheet whose header row (within its first 10 rows) names the
    unit and the e-mail columns; each row keeps its Excel row number. None when none does."""
    wanted = {header_key(h): field for field, names in SHEET_HEADERS.items() for h in names}
    for table in tables:
        frame = table.frame
        for i in range(min(10, len(frame))):
            cols = {
                j: wanted[header_key(v)]
                for j, v in enumerate(frame.iloc[i])
                if isinstance(v, str) and header_key(v) in wanted
            }
            if {"unit", "email"} <= set(cols.values()):
                rows = []
                for k in range(i + 1, len(frame)):
                    row: dict[str, object] = {"row": table.excel_row(k)}
                    for j, field in cols.items():
                        row.setdefault(field, frame.iat[k, j])
                    rows.append(row)
                return rows
    return None


def _refused(exc: ContactsRefused) -> None:
    st.error(f"{exc.message_th} · {exc.message_en}", icon=":material/block:")
    st.dataframe(
        pd.DataFrame(
            {
                tr("reminders.ui.col.unit"): [p.value for p in exc.issues],
                "": [p.message(lang()) for p in exc.issues],
            }
        ),
        hide_index=True,
        width="stretch",
        key="reminders_problems",
    )


def _save(rows: list[dict[str, object]]) -> None:
    user = require_action("manage_reminders").user
    try:
        n = data.store().save_contacts(rows, user)
    except ContactsRefused as exc:
        _refused(exc)
        return
    except StoreError as exc:
        st.error(data.store_message(exc))
        return
    st.session_state[FLASH] = tr("reminders.ui.saved", n=format_int(n))
    st.rerun()


def _contacts_section(contacts: pd.DataFrame) -> None:
    st.subheader(tr("reminders.ui.contacts"))
    st.caption(tr("reminders.ui.contacts_help"))
    frame = contacts[EDIT_COLUMNS].astype(object) if not contacts.empty else None
    if frame is None:
        frame = pd.DataFrame(columns=EDIT_COLUMNS, dtype=object)
    version = abs(hash(tuple(map(tuple, frame.astype(str).to_numpy())))) % 10**8
    edited = st.data_editor(
        frame,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key=f"contacts_editor_{version}",
        column_config={
            "unit": st.column_config.TextColumn(tr("reminders.ui.col.unit")),
            "email": st.column_config.TextColumn(tr("reminders.ui.col.email"), required=True),
            "name": st.column_config.TextColumn(tr("reminders.ui.col.name")),
            "role": st.column_config.SelectboxColumn(
                tr("reminders.ui.col.role"), options=list(CONTACT_ROLES), default="unit"
            ),
            "zone": st.column_config.SelectboxColumn(
                tr("reminders.ui.col.zone"), options=[z[0] for z in zones()]
            ),
        },
    )
    if st.button(tr("reminders.ui.save"), icon=":material/save:", key="contacts_save"):
        _save(edited.to_dict("records"))

    upload = st.file_uploader(tr("reminders.ui.upload"), type=["xlsx", "csv", "ods", "xls"])
    if upload is not None and st.button(tr("reminders.ui.upload_save"), key="contacts_upload"):
        try:
            rows = contacts_from_tables(read_bytes(upload.getvalue(), upload.name))
        except UnreadableFile as exc:
            st.error(f"{exc.message_th} · {exc.message_en}")
            return
        if rows is None:
            st.error(tr("reminders.ui.upload_bad"))
            return
        others = contacts[contacts["role"] != "unit"][EDIT_COLUMNS].to_dict("records")
        _save([*others, *({**r, "role": r.get("role") or "unit"} for r in rows)])


def _with_texts(loaded: data.Loaded) -> pd.DataFrame:
    """The snapshot's directives with the text of those a digest may list (the shared copy
    leaves texts in the database: only the candidates' are fetched)."""
    directives = loaded.dataset.directives
    if "text" in directives.columns:
        return directives
    cand, _, _ = candidates(directives, data.today())
    wanted = directives.iloc[np.unique(cand["pos"].to_numpy())]
    fetched = data.with_columns(loaded, "directives", wanted, ("text",), cache=False)
    return directives.assign(text=fetched["text"].reindex(directives.index))


def _preview_section() -> None:
    st.subheader(tr("reminders.ui.preview"))
    loaded = data.current()  # the snapshot the pages show, read once per snapshot
    plan = plan_for(data.store(), data.today(), directives=_with_texts(loaded))
    digests = [*plan.digests, *plan.skipped]
    if not digests:
        st.info(tr("reminders.ui.preview_none"))
        return
    view = pd.DataFrame(
        {
            tr("reminders.ui.col.unit"): [d.unit for d in digests],
            tr("reminders.ui.col.to"): [", ".join(d.to) for d in digests],
            tr("reminders.ui.col.cc"): [", ".join(d.cc) for d in digests],
            **{
                t(f"reminders.short.{s}", lang()): [d.counts.get(s, 0) for d in digests]
                for s in THRESHOLDS
            },
            tr("reminders.ui.col.total"): [d.total for d in digests],
            tr("reminders.ui.col.state"): [
                tr("reminders.state.would_send" if d.to else "reminders.state.skipped")
                for d in digests
            ],
        }
    )
    st.dataframe(view, hide_index=True, width="stretch", key="reminders_preview")
    st.caption(tr("reminders.ui.example"))
    units = [d.unit for d in digests]
    chosen = st.selectbox(tr("reminders.ui.col.unit"), units, key="reminders_example_unit")
    digest = digests[units.index(chosen)] if chosen in units else digests[0]
    st.text(subject(digest))
    st.text(text_body(digest))  # plain text, never markdown


def _runs_section() -> None:
    st.subheader(tr("reminders.ui.runs"))
    runs = data.store().reminder_runs(20)
    if runs.empty:
        st.info(tr("reminders.ui.runs_none"))
        return

    def detail(d: dict) -> str:
        units = d.get("units", {}) if isinstance(d, dict) else {}
        lines = [f"{u}: {s}" for u, s in units.items() if s != "sent"]
        if d.get("summary", "none") not in ("none", "sent"):
            lines.append(f"summary: {d['summary']}")
        return "; ".join(lines)

    view = pd.DataFrame(
        {
            tr("reminders.ui.col.when"): [format_bangkok(x, lang()) for x in runs["started_at"]],
            tr("reminders.ui.col.by"): runs["by"],
            tr("reminders.ui.col.sent"): runs["sent"],
            tr("reminders.ui.col.skipped"): runs["skipped"],
            tr("reminders.ui.col.failed"): runs["failed"],
            tr("reminders.ui.col.detail"): [detail(d) for d in runs["detail"]],
        }
    )
    st.dataframe(view, hide_index=True, width="stretch", key="reminders_runs")


def _send_section() -> None:
    cfg = smtp_config()
    if cfg is None:
        st.warning(tr("reminders.ui.no_smtp"), icon=":material/mail_off:")
    if st.button(
        tr("reminders.ui.send"),
        type="primary",
        icon=":material/send:",
        key="reminders_send",
        disabled=cfg is None,
    ):
        user = require_action("manage_reminders").user
        try:
            result = run(data.store(), data.today(), by=user, cfg=cfg)
        except Refusal as busy:  # another run (another server, cron) is sending now
            st.warning(busy.message(lang()), icon=":material/hourglass_top:")
            return
        st.session_state[FLASH] = tr(
            "reminders.ui.sent", sent=result.sent, skipped=result.skipped, failed=result.failed
        )
        st.rerun()


def reminders_section() -> None:
    """The whole section (the Admin page's "E-mail reminders" tab)."""
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(flash, icon=":material/check_circle:")
    try:
        contacts = data.store().contacts()
        _contacts_section(contacts)
        _preview_section()
        _send_section()
        _runs_section()
    except StoreError as exc:
        st.error(data.store_message(exc))
