"""Admin (admins only): who may do what (roles.toml), the live data sources (sources.toml) and
the audit log. A save is checked, written atomically with a backup, and audited with the admin's
address (tracker.admin.settings_files); user text is shown only as tables, plain text or code."""

import pandas as pd
import streamlit as st

from data_sources.base import UnreadableFile
from messages.i18n import catalogue, t
from tracker.admin import settings_files
from tracker.admin.roles import ROLES, RoleSettings, RolesFileError, parse_settings, roles_path
from tracker.admin.settings_files import SavedSettings, SettingsRefused
from tracker.live.sources import Source, load_sources
from tracker.live.sync import sources_file
from tracker.store import StoreError
from tracker.thai import format_bangkok, format_int
from ui import data
from ui.auth import _audit, require_action, require_page
from ui.i18n import lang, tr
from ui.reminders import reminders_section

access = require_page("admin")

MAX_AUDIT_ROWS = 2000
FLASH = "admin_flash"


def _when(ts: object) -> str:
    return format_bangkok(ts, lang())


def _show_path(path: object) -> None:
    """The settings file's path, as code (never markdown)."""
    st.caption(tr("admin.file"))
    st.code(str(path), language=None)


def _refused(exc: SettingsRefused) -> None:
    """Why a save was refused, in Thai and English; the problems as plain code text."""
    st.error(t("admin.refused", "th") + " · " + t("admin.refused", "en"), icon=":material/block:")
    lines = list(exc.problems_th)
    if exc.problems_th != exc.problems_en:
        lines += ["", *exc.problems_en]
    st.code("\n".join(lines), language=None, wrap_lines=True)


def _done(result: SavedSettings, action: str) -> None:
    """After a save: audit it with the admin's address, then redraw with the new file."""
    if not result.written:
        st.info(tr("admin.unchanged"), icon=":material/info:")
        return
    _audit(action, result.user, result.summary)
    st.session_state[FLASH] = {
        "file": result.path.name,
        "changes": list(result.changes),
        "backup": str(result.backup) if result.backup else "",
    }
    st.rerun()


def _flash() -> None:
    flash = st.session_state.pop(FLASH, None)
    if not flash:
        return
    st.success(tr("admin.saved", file=flash["file"]), icon=":material/check_circle:")
    st.code("\n".join(flash["changes"]) or "text only (comments or layout)", language=None)
    if flash["backup"]:
        st.caption(tr("admin.backup"))
        st.code(flash["backup"], language=None)


def _action_label(action: str) -> str:
    key = f"history.action.{action}"
    return tr(key) if key in catalogue(lang()) else action


# --- roles --------------------------------------------------------------------------------------


def _roles_section() -> None:
    path = roles_path()
    text = settings_files.read_text(path)
    sha = settings_files.text_sha256(text)
    _show_path(path)
    if access.local:
        st.info(tr("admin.roles.local"), icon=":material/computer:")
    settings: RoleSettings | None = RoleSettings()
    try:
        settings = parse_settings(text, path)
    except RolesFileError as exc:
        settings = None
        st.error(tr("admin.roles.broken"), icon=":material/error:")
        st.code("\n".join(exc.problems), language=None, wrap_lines=True)

    if settings is not None:
        st.subheader(tr("admin.roles.current"))
        rows = settings_files.roles_rows(settings)
        if not rows:
            st.info(tr("admin.roles.none_local" if access.local else "admin.roles.none"))
        else:
            current = pd.DataFrame(
                {
                    tr("admin.roles.col.who"): [r["who"] for r in rows],
                    tr("admin.roles.col.kind"): [
                        tr(
                            "admin.roles.kind.domain"
                            if r["who"].startswith("@")
                            else "admin.roles.kind.user"
                        )
                        for r in rows
                    ],
                    tr("admin.roles.col.role"): [tr(f"role.{r['role']}") for r in rows],
                    tr("admin.roles.col.zones"): [r["zones"] for r in rows],
                    tr("admin.roles.col.districts"): [r["districts"] for r in rows],
                }
            )
            st.dataframe(current, hide_index=True, width="stretch", key="roles_table")
        if settings.contact:
            st.caption(tr("admin.roles.contact_now"))
            st.text(settings.contact)

        st.subheader(tr("admin.roles.edit"))
        st.caption(tr("admin.roles.edit_help"))
        frame = pd.DataFrame(rows, columns=list(settings_files.EDITOR_COLUMNS), dtype=object)
        edited = st.data_editor(
            frame,
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            key=f"roles_editor_{sha[:12]}",
            column_config={
                "who": st.column_config.TextColumn(tr("admin.roles.col.who"), required=True),
                "role": st.column_config.SelectboxColumn(
                    tr("admin.roles.col.role"),
                    options=list(ROLES),
                    required=True,
                    format_func=lambda r: tr(f"role.{r}"),
                ),
                "zones": st.column_config.TextColumn(
                    tr("admin.roles.col.zones"), help=tr("admin.roles.zones_help")
                ),
                "districts": st.column_config.TextColumn(
                    tr("admin.roles.col.districts"), help=tr("admin.roles.districts_help")
                ),
            },
        )
        contact = st.text_input(
            tr("admin.roles.contact"), value=settings.contact, key=f"roles_contact_{sha[:12]}"
        )
        if st.button(
            tr("admin.roles.save"), type="primary", icon=":material/save:", key="roles_save"
        ):
            new_text = settings_files.roles_text(edited.to_dict("records"), contact or "")
            _save_roles(new_text, sha)

    with st.expander(tr("admin.roles.text"), expanded=settings is None):
        raw = st.text_area(
            tr("admin.roles.text_label"), value=text, height=320, key=f"roles_text_{sha[:12]}"
        )
        if st.button(tr("admin.roles.save_text"), icon=":material/save:", key="roles_save_text"):
            _save_roles(raw or "", sha)


def _save_roles(text: str, sha: str) -> None:
    try:
        result = settings_files.save_roles(
            roles_path(),
            text,
            user=require_action("manage_roles").user,
            expected_sha256=sha,
            check_lockout=not access.local,
        )
    except SettingsRefused as exc:
        _refused(exc)
        return
    _done(result, "role_change")


# --- sources ------------------------------------------------------------------------------------


def _sources_section() -> None:
    path = sources_file()
    text = settings_files.read_text(path)
    sha = settings_files.text_sha256(text)
    _show_path(path)
    sources: list[Source] = []
    if text.strip():
        try:
            sources = load_sources(path)
        except UnreadableFile as exc:
            st.error(tr("admin.sources.broken"), icon=":material/error:")
            st.code(f"{exc.reason_th}\n\n{exc.reason_en}", language=None, wrap_lines=True)
    st.subheader(tr("admin.sources.current"))
    if not sources:
        st.info(tr("admin.sources.none"))
    else:
        rows = [settings_files.source_row(s) for s in sources]
        table = pd.DataFrame(rows)
        table.columns = [
            tr(f"admin.sources.col.{c}")
            for c in ("name", "kind", "location", "worksheets", "refresh")
        ]
        st.dataframe(table, hide_index=True, width="stretch", key="sources_table")
    st.warning(tr("admin.sources.no_secrets"), icon=":material/key_off:")
    raw = st.text_area(
        tr("admin.sources.text_label"), value=text, height=420, key=f"sources_text_{sha[:12]}"
    )
    if st.button(
        tr("admin.sources.save"), type="primary", icon=":material/save:", key="sources_save"
    ):
        try:
            result = settings_files.save_sources(
                path, raw or "", user=require_action("manage_sources").user, expected_sha256=sha
            )
        except SettingsRefused as exc:
            _refused(exc)
            return
        _done(result, "source_change")


# --- audit log ------------------------------------------------------------------------------------


def _audit_section() -> None:
    try:
        audit = data.store().audit_log()
    except StoreError as exc:
        st.error(data.store_message(exc))
        return
    if audit.empty:
        st.info(tr("admin.audit.none"))
        return
    audit = audit.sort_values("id", ascending=False)
    if len(audit) > MAX_AUDIT_ROWS:
        st.caption(
            tr("admin.audit.first_rows", n=format_int(MAX_AUDIT_ROWS), total=format_int(len(audit)))
        )
        audit = audit.head(MAX_AUDIT_ROWS)
    view = pd.DataFrame(
        {
            tr("admin.audit.col.when"): [_when(x) for x in audit["at"]],
            tr("admin.audit.col.user"): audit["user"],
            tr("admin.audit.col.action"): [_action_label(a) for a in audit["action"]],
            tr("admin.audit.col.snapshot"): audit["snapshot_id"],
            tr("admin.audit.col.source"): audit["source"],
            tr("admin.audit.col.message"): audit["message"],
        }
    )
    st.dataframe(view, hide_index=True, width="stretch", key="audit_table")


st.title(tr("admin.title"))
_flash()
roles_tab, sources_tab, reminders_tab, audit_tab = st.tabs(
    [
        tr("admin.tab.roles"),
        tr("admin.tab.sources"),
        tr("admin.tab.reminders"),
        tr("admin.tab.audit"),
    ]
)
with roles_tab:
    _roles_section()
with sources_tab:
    _sources_section()
with reminders_tab:
    reminders_section()
with audit_tab:
    _audit_section()
