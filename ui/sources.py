"""Where the shown data came from, the live sources' refresh and the stale banner (every page).

Administrators list the sources in ``sources.toml`` on the server (TRACKER_SOURCES_FILE); no
page has a URL input, so the server never fetches an address typed by a viewer. One SyncRunner
per process (``st.cache_resource``) holds the SourceCache: each source is fetched at most once
per interval whatever the number of users, in a background thread, while pages show the
current snapshot. When a source cannot be read, the current snapshot stays and a banner names
the source and the reason — never an empty dashboard.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

import settings
from data_sources.base import UnreadableFile
from messages.i18n import t
from tracker.live.sources import Source, load_credentials, load_sources
from tracker.live.sync import SyncResult, SyncRunner, api_base_url, sources_file
from tracker.thai import format_date, format_datetime
from ui import data
from ui.i18n import lang, tr

log = logging.getLogger(__name__)

BANGKOK = ZoneInfo("Asia/Bangkok")
ACTION = "refresh_sources"
MAX_LISTED_ISSUES = 3
_LANGS = ("th", "en")


@st.cache_resource(show_spinner=False)
def runner() -> SyncRunner:
    """The process's one runner: shared cache and at most one sync at a time for all users."""
    return SyncRunner()


@st.cache_resource(show_spinner=False, max_entries=4)
def _settings(path: str, mtime_ns: int) -> tuple[list[Source], UnreadableFile | None]:
    """sources.toml parsed once per file version (edits are picked up on the next run)."""
    try:
        return load_sources(path), None
    except UnreadableFile as exc:
        return [], exc


def configured() -> tuple[list[Source], UnreadableFile | None]:
    """The configured sources, or the settings file's error; none without a file."""
    path = sources_file()
    try:
        mtime = Path(path).stat().st_mtime_ns
    except FileNotFoundError:
        return [], None
    except OSError:
        mtime = -1  # load_sources reports why it cannot be read
    return _settings(str(path), mtime)


def _credentials() -> Mapping | UnreadableFile | None:
    """The service account of secrets.toml [gcp_service_account] or the environment."""
    section = None
    try:
        secrets = st.secrets
        if secrets.load_if_toml_exists():
            section = secrets.get("gcp_service_account")
    except Exception:  # no or unreadable secrets: the environment may still hold the key
        section = None
    try:
        if isinstance(section, Mapping) and section:
            return load_credentials({"gcp_service_account": dict(section)})
        return load_credentials()
    except UnreadableFile as exc:
        return exc


# --- text -------------------------------------------------------------------------------------


def _when(value: object, language: str) -> str:
    """A UTC time as Bangkok time: "23 พ.ย. 2566 14:05" / "23 Nov 2023 14:05"."""
    if value is None or (not isinstance(value, datetime) and pd.isna(value)):
        return "-"
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        ts = ts.tz_localize(UTC)
    return format_datetime(ts.tz_convert(BANGKOK).tz_localize(None).to_pydatetime(), language)


def provenance(loaded: data.Loaded, language: str) -> str:
    """ "ข้อมูล ณ <time> · <sources>" for the current snapshot (markdown-escaped)."""
    if loaded.snapshot_id is None:
        return t("sources.none", language)
    return data.md_escape(
        t(
            "sources.provenance",
            language,
            at=_when(loaded.created_at, language),
            source=loaded.source or "-",
        )
    )


def source_lines(sources: Sequence[Source], r: SyncRunner, language: str) -> list[str]:
    """One line per source: when it was last fetched well, and whether the last try failed."""
    reports = {s.name: s for s in (r.last.sources if r.last else [])}
    lines = []
    for source in sources:
        cached = r.cache.peek(source.name)
        report = reports.get(source.name)
        if cached is not None:
            line = t(
                "sources.fetched", language, name=source.name, at=_when(cached.fetched_at, language)
            )
            if cached.stale:
                line += f" ({t('sources.failed_flag', language)})"
        else:
            line = t("sources.never", language, name=source.name)
            if report is not None and report.error is not None:
                line += f" ({t('sources.failed_flag', language)})"
        lines.append(data.md_escape(line))
    return lines


def banner_text(result: SyncResult, loaded: data.Loaded) -> str:
    """The stale banner in Thai then English: what failed, why, and which data is shown."""
    parts = []
    for language in _LANGS:
        th = language == "th"
        lines = [
            t("sources.stale_banner", language, at=_when(loaded.created_at, language)),
            result.message_th if th else result.message_en,
        ]
        for report in result.failed_sources:
            reason = report.error.reason_th if th else report.error.reason_en
            lines.append(f"“{report.name}” [{report.error.code}]: {reason}")
        errors = [i for i in result.issues if i.severity == "error"][:MAX_LISTED_ISSUES]
        for issue in errors:
            where = " › ".join(x for x in (issue.sheet, f"{issue.row}" if issue.row else "") if x)
            lines.append(f"{where}: {issue.message_th if th else issue.message_en}")
        parts.append("\n\n".join(data.md_escape(line) for line in lines))
    return "\n\n---\n\n".join(parts)


# --- drawing ----------------------------------------------------------------------------------


def _may_refresh() -> bool:
    from ui.auth import current_access

    try:
        return current_access().can(ACTION)
    except Exception:  # no session (bare Python): no button
        return False


def _refresh(r: SyncRunner, sources: Sequence[Source]) -> SyncResult | None:
    """The refresh button's work: re-check the role on the server, fetch now, publish."""
    from ui.auth import require_action

    access = require_action(ACTION)
    store, error = data.writable()
    if store is None:
        st.sidebar.error(data.store_message(error), icon=":material/cloud_off:")
        return None
    with st.sidebar.status(tr("sources.refreshing"), expanded=False) as status:
        result = r.run(sources, store, user=access.user, force=True)
        status.update(
            label=tr("sources.refresh_done" if result.ok else "sources.refresh_failed"),
            state="complete" if result.ok else "error",
        )
        st.write(result.message(lang()))
    if result.status == "published":
        data.after_write()
    return result


def sources_panel() -> None:
    """For the app shell after sign-in: provenance, fetch times, refresh button, stale banner."""
    # The snapshot the page will show; resolving it first also seeds an empty database, so a
    # sync never races the bundled data.
    loaded = data._resolve()
    sources, settings_error = configured()
    r = runner()
    box = st.sidebar.container()
    if sources:
        r.credentials, r.api_base = _credentials(), api_base_url()
        clicked = _may_refresh() and st.sidebar.button(
            tr("sources.refresh"),
            key="sources_refresh",
            help=tr("sources.refresh_help"),
            icon=":material/refresh:",
        )
        if clicked:
            result = _refresh(r, sources)
            if result is not None and result.status == "published":
                loaded = data._resolve()
        elif settings.get("TRACKER_BACKGROUND_SYNC"):  # 0: cron or another server syncs
            store, _ = data.writable()
            if store is not None:
                r.start(sources, store)  # skipped while another process syncs (store.locks)
    language = lang()
    box.caption(f"{tr('sources.heading')}: {provenance(loaded, language)}")
    as_of = data.demo_as_of()
    if as_of is not None:
        box.info(tr("data.demo_as_of", day=format_date(as_of, language)), icon=":material/event:")
    for line in source_lines(sources, r, language):
        box.caption(line)
    if r.running:
        box.caption(tr("sources.refreshing"))
    elif r.last is not None and r.last.status == "skipped":
        box.caption(tr("servers.synced_elsewhere"))
    if settings_error is not None:
        log.warning("sources settings: %s", settings_error.reason_en)
        text = "\n\n".join(
            data.md_escape(t("sources.settings_error", x) + " — " + reason)
            for x, reason in (("th", settings_error.reason_th), ("en", settings_error.reason_en))
        )
        st.warning(text, icon=":material/warning:")
    configured_names = {s.name for s in sources}
    last = r.last
    if (
        last is not None
        and not last.ok
        and configured_names
        and {s.name for s in last.sources} <= configured_names
    ):
        st.warning(banner_text(last, loaded), icon=":material/cloud_off:")


__all__ = ["banner_text", "configured", "provenance", "runner", "source_lines", "sources_panel"]
