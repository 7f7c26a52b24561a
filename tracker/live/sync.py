"""Fetch every configured live source once and publish what they change as one snapshot.

Shared by ``python -m tracker sync`` (cron) and the app's refresh (ui/sources.py); no Streamlit.
All sources' RawTables go through ``tracker.read.loader.build_dataset`` as one Dataset, so
everything after reading is the file path's. The snapshot's sha256 is taken over the canonical
content: an unchanged sheet is "no change", not a new snapshot. A source that cannot be read,
data with errors or a database problem publish nothing — the current snapshot stays and the
result says which source failed and why, in Thai and English.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

import settings
from data_sources import gsheets, http_source
from data_sources.base import RawTable, UnreadableFile
from messages.codes import spec
from messages.i18n import t
from messages.problems import Bilingual, InBothLanguages, Refusal, render
from tracker.checks.validate import Issue, has_errors, make_issue
from tracker.dataset import COLUMNS, Dataset
from tracker.live.sources import CachedResult, Source, SourceCache, fetch_source
from tracker.publish.compose import DEMO_KIND, compose
from tracker.read.headers import detect_tables
from tracker.read.loader import build_dataset
from tracker.schema import TABLE_FRAME
from tracker.store import (
    DuplicateSnapshot,
    NothingToPublish,
    StalePreview,
    Store,
    StoreBusy,
    StoreError,
)
from tracker.store.diff import canonical_frame
from tracker.store.locks import SYNC_JOB, job_lock

log = logging.getLogger(__name__)

ENV_SOURCES_FILE = "TRACKER_SOURCES_FILE"
ENV_API_BASE = "TRACKER_GSHEETS_API_BASE"
SYNC_KIND = "sync"
SYNC_USER = "sync"
HASH_VERSION = "tracker-sync-v1"
MAX_SOURCE_TEXT = 500

STATUSES = ("published", "no_change", "checked", "skipped", "failed")
Fetched = list[RawTable] | CachedResult
Fetcher = Callable[[Source], Fetched]


# --- settings ---------------------------------------------------------------------------------


def sources_file() -> Path:
    """The source settings file: TRACKER_SOURCES_FILE, else sources.toml in the project."""
    return Path(settings.get(ENV_SOURCES_FILE))  # type: ignore[arg-type]


def api_base_url() -> str | None:
    """TRACKER_GSHEETS_API_BASE (tests, or a proxy in front of the Sheets API), else Google's."""
    return settings.get(ENV_API_BASE) or None  # type: ignore[return-value]


def source_location(source: Source) -> str:
    """Where a source is, safe to show and store: no user:password, no query string."""
    if source.kind == "gsheets":
        try:
            return f"Google Sheets {gsheets.spreadsheet_key(source.location)}"
        except UnreadableFile:
            return f"Google Sheets {http_source.display_url(source.location)}"
    return http_source.display_url(source.location)


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceReport:
    """One source in a sync: when its tables were read, how many rows, and what went wrong."""

    name: str
    kind: str
    location: str  # display form (see source_location)
    fetched_at: datetime | None = None  # UTC time of the last good read
    rows: int = 0
    sheets: int = 0
    error: UnreadableFile | None = None  # the latest attempt failed (tables may be stale)

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON of ``sync --json`` for one source."""
        return {
            "name": self.name,
            "kind": self.kind,
            "location": self.location,
            "fetched_at": _iso(self.fetched_at),
            "rows": self.rows,
            "sheets": self.sheets,
            "error": _error_dict(self.error),
        }


@dataclass(frozen=True)
class SyncResult(InBothLanguages):
    """What one sync did: ``status`` is one of STATUSES; on "failed", ``code`` says why.

    published: a new snapshot holding what the sources changed is current (tables and scopes
    the sources do not carry stay as they were). no_change: the current snapshot already
    holds everything the sources hold. checked: no store, fetched and validated only.
    skipped: another process (another app server, a cron sync) is syncing this database now.
    failed: nothing was written; ``refusal`` says why (a SyncFailed, whose ``code`` is
    no_sources, source, invalid, no_rows, store or internal).
    """

    status: str
    sources: list[SourceReport] = field(default_factory=list)
    snapshot_id: int | None = None  # the snapshot holding this content, when known
    sha256: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    refusal: SyncFailed | None = None  # why a failed sync wrote nothing

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    @property
    def failed_sources(self) -> list[SourceReport]:
        return [s for s in self.sources if not s.ok]

    @property
    def code(self) -> str:
        """Why it failed ("" unless failed)."""
        return self.refusal.code if self.refusal is not None else ""

    def message(self, lang: str) -> str:
        if self.refusal is not None:
            return self.refusal.message(lang)
        return t(f"sync.status.{self.status}", lang, snapshot=self.snapshot_id)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON of ``sync --json`` (documented in the README)."""
        return {
            "status": self.status,
            "ok": self.ok,
            "snapshot_id": self.snapshot_id,
            "sha256": self.sha256,
            "counts": dict(self.counts),
            "sources": [s.to_dict() for s in self.sources],
            "error": (
                {"code": self.code, "message_th": self.message_th, "message_en": self.message_en}
                if not self.ok
                else None
            ),
            "issues": [i.to_dict() for i in self.issues if i.severity != "info"],
        }


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _error_dict(error: UnreadableFile | None) -> dict[str, str] | None:
    if error is None:
        return None
    return {"code": error.code, "message_th": error.reason_th, "message_en": error.reason_en}


class SyncFailed(Refusal):
    """Why a sync wrote nothing: ``code`` (no_sources, source, invalid, no_rows, store,
    internal) and its parameters; the messages are the registry's ``sync_<code>``."""

    def __init__(self, code: str, /, **params: Any) -> None:
        super().__init__(f"sync_{code}", **params)
        self.registered = self.code
        self.code = code

    def message(self, lang: str) -> str:
        return render(spec(self.registered), lang, self.params)


def _failed(code: str, *, params: Mapping[str, Any] | None = None, **kw: Any) -> SyncResult:
    return SyncResult("failed", refusal=SyncFailed(code, **(params or {})), **kw)


# --- content ----------------------------------------------------------------------------------


def content_sha256(frames: Mapping[str, pd.DataFrame]) -> str:
    """sha256 over the canonical tables (columns, dtypes and order fixed), not over bytes.

    The same sheet content read twice gives the same hash whatever the transport (a new token,
    other HTTP headers), so an unchanged sheet is recognised as already published.
    """
    digest = hashlib.sha256(HASH_VERSION.encode("ascii"))
    for kind in COLUMNS:
        frame = canonical_frame(frames.get(kind), kind)
        digest.update(f"\n#{kind} {len(frame)}\n".encode())
        text = frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%dT%H:%M:%S")
        digest.update(text.encode("utf-8"))
    return digest.hexdigest()


def mapping_issues(source: Source, tables: Sequence[RawTable]) -> list[Issue]:
    """Errors for worksheets set up as a table that are empty or no longer hold that table.

    A Forms sheet emptied by mistake or a renamed header would otherwise publish a dataset
    without responses (or without a register): the configured mapping says what must be there.
    """
    issues: list[Issue] = []
    if tables and all(tb.frame.empty or tb.frame.isna().all().all() for tb in tables):
        issues.append(make_issue("error", "source_empty", file=tables[0].source, value=source.name))
        return issues
    for tb in tables:
        kind = source.table_for(tb.sheet)
        if kind is None:
            continue
        labels = {lang: t(f"table.{kind}", lang) for lang in ("th", "en")}
        if tb.frame.empty or tb.frame.isna().all().all():
            issues.append(
                make_issue(
                    "error", "source_sheet_empty", file=tb.source, sheet=tb.sheet, table=labels
                )
            )
            continue
        found = [TABLE_FRAME.get(m.kind, m.kind) for _, m in detect_tables(tb)]
        if kind not in found:
            shown = ", ".join(dict.fromkeys(found)) or "-"
            issues.append(
                make_issue(
                    "error",
                    "source_header_changed",
                    file=tb.source,
                    sheet=tb.sheet,
                    value=shown,
                    table=labels,
                )
            )
    return issues


# --- one sync ---------------------------------------------------------------------------------


def fetch_with(
    source: Source,
    credentials: Mapping[str, Any] | UnreadableFile | None,
    api_base: str | None = None,
) -> list[RawTable]:
    """Read one source now; ``credentials`` may be the error of loading them (gsheets only)."""
    if isinstance(credentials, UnreadableFile):
        if source.kind == "gsheets":
            raise credentials
        credentials = None
    return fetch_source(source, credentials=credentials, api_base_url=api_base)


def _internal_error(source: Source, exc: Exception) -> UnreadableFile:
    return UnreadableFile(
        source.name, "source_internal", name=source.name, error=type(exc).__name__
    )


def fetch_all(
    sources: Sequence[Source], fetcher: Fetcher, now: Callable[[], datetime]
) -> tuple[list[SourceReport], list[RawTable], list[Issue]]:
    """Read every source once: a report per source, all good tables, and mapping issues."""
    reports: list[SourceReport] = []
    tables: list[RawTable] = []
    issues: list[Issue] = []
    for source in sources:
        where = source_location(source)
        try:
            got = fetcher(source)
        except UnreadableFile as exc:
            reports.append(SourceReport(source.name, source.kind, where, error=exc))
            continue
        except Exception as exc:  # a connector bug must not take the dashboard down
            log.exception("reading source %s failed", source.name)
            failure = _internal_error(source, exc)
            reports.append(SourceReport(source.name, source.kind, where, error=failure))
            continue
        error: UnreadableFile | None
        if isinstance(got, CachedResult):
            found, fetched_at, error = list(got.tables), got.fetched_at, got.error
        else:
            found, fetched_at, error = list(got), now(), None
        reports.append(
            SourceReport(
                source.name,
                source.kind,
                where,
                fetched_at=fetched_at,
                rows=sum(len(tb.frame) for tb in found),
                sheets=len(found),
                error=error,
            )
        )
        if error is None:
            tables += found
            issues += mapping_issues(source, found)
    return reports, tables, issues


def _source_text(sources: Sequence[Source]) -> str:
    text = ", ".join(s.name for s in sources)
    return text if len(text) <= MAX_SOURCE_TEXT else text[: MAX_SOURCE_TEXT - 1] + "…"


def _note(reports: Sequence[SourceReport]) -> str:
    parts = [f"{r.name}: {r.location} @ {_iso(r.fetched_at)}" for r in reports]
    return "sync · " + "; ".join(parts)


def _write(
    store: Store, dataset: Dataset, sha: str, sources: Sequence[Source], reports, user: str
) -> tuple[str, int | None]:
    """Publish what the sources change, or skip; (status, snapshot id). Raises StoreError.

    Only the tables and scopes the sources carry change (tracker.publish.compose): a sync of a Forms
    responses sheet leaves the KPIs and budget published from files alone. When another
    publish lands between reading the current snapshot and writing, the change is composed
    again over the new one.
    """
    for _attempt in range(4):
        snaps = store.snapshots()
        current = snaps[snaps["current"]]
        if len(current) and current["sha256"].iat[0] == sha:
            return "no_change", int(current["id"].iat[0])
        base_id = int(current["id"].iat[0]) if len(current) else None
        frames = store.load(base_id) if base_id is not None else None
        demo = len(current) and current["kind"].iat[0] == DEMO_KIND
        composition = compose(frames, dataset.frames(), fresh=bool(demo))
        if composition.empty:
            return "no_change", base_id
        try:
            sid = store.publish_changes(
                composition,
                base_id=base_id,
                user=user,
                source=_source_text(sources),
                sha256=sha,
                note=_note(reports),
                kind=SYNC_KIND,
            )
        except StalePreview:
            continue
        except (DuplicateSnapshot, NothingToPublish):  # published meanwhile by another process
            return "no_change", store.current_id()
        return "published", sid
    raise StoreBusy()


def sync(
    sources: Sequence[Source],
    store: Store | None,
    *,
    credentials: Mapping[str, Any] | UnreadableFile | None = None,
    user: str = SYNC_USER,
    fetcher: Fetcher | None = None,
    api_base: str | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> SyncResult:
    """Fetch every source once, build one Dataset and publish it (see SyncResult).

    ``fetcher(source)`` returns the source's RawTables or a CachedResult (the app's shared
    cache); by default each source is read now with ``credentials`` (the service account, or
    the error met while loading it). ``store`` None only fetches and validates ("checked").
    """
    if not sources:
        return _failed("no_sources")
    if fetcher is None:

        def fetcher(source: Source) -> list[RawTable]:
            return fetch_with(source, credentials, api_base)

    reports, tables, mapping = fetch_all(sources, fetcher, now)
    failed = [r for r in reports if not r.ok]
    if failed:
        names = ", ".join(f"“{r.name}”" for r in failed)
        return _failed("source", params={"names": names, "n": len(failed)}, sources=reports)
    dataset = build_dataset(tables)
    dataset.issues = mapping + dataset.issues
    counts = {k: len(getattr(dataset, k)) for k in COLUMNS}
    base: dict[str, Any] = {"sources": reports, "counts": counts, "issues": list(dataset.issues)}
    if has_errors(dataset.issues):
        n = sum(i.severity == "error" for i in dataset.issues)
        return _failed("invalid", params={"n": n}, **base)
    if sum(counts.values()) == 0:
        return _failed("no_rows", **base)
    sha = content_sha256(dataset.frames())
    if store is None:
        return SyncResult("checked", sha256=sha, **base)
    try:
        status, sid = _write(store, dataset, sha, sources, reports, user)
    except StoreError as exc:
        reason = Bilingual(exc.message_th, exc.message_en)
        return _failed("store", params={"reason": reason}, sha256=sha, **base)
    return SyncResult(status, snapshot_id=sid, sha256=sha, **base)


@contextlib.contextmanager
def locked(store: Store | None) -> Iterator[bool | SyncResult]:
    """The sync lock of ``store``'s database for a block: True (sync), False (another process
    is syncing: skip) or a failed SyncResult (the database cannot be reached); no store: True."""
    with contextlib.ExitStack() as stack:
        held: bool | SyncResult = True
        if store is not None:
            try:
                held = stack.enter_context(job_lock(store, SYNC_JOB))
            except StoreError as exc:
                held = _failed(
                    "store", params={"reason": Bilingual(exc.message_th, exc.message_en)}
                )
        yield held


# --- the app's shared runner ------------------------------------------------------------------


class SyncRunner:
    """The app's live sources: one SourceCache and at most one sync at a time, for all users.

    ``start`` runs a sync in a background thread when the shortest refresh interval has passed
    (viewers never wait for Google); ``run`` syncs now (the refresh button, waiting for a
    running one). A sync whose tables are the ones already evaluated is not rebuilt.
    """

    def __init__(
        self,
        fetch: Callable[[Source], list[RawTable]] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        failure_retry_seconds: float = 30.0,
    ) -> None:
        self.credentials: Mapping[str, Any] | UnreadableFile | None = None
        self.api_base: str | None = None
        self.cache = SourceCache(
            fetch or self._fetch, clock, failure_retry_seconds=failure_retry_seconds
        )
        self.last: SyncResult | None = None
        self._clock = clock
        self._failure_retry = failure_retry_seconds
        self._run_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._next_at = float("-inf")
        self._seen: tuple | None = None

    def _fetch(self, source: Source) -> list[RawTable]:
        return fetch_with(source, self.credentials, self.api_base)

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def due(self) -> bool:
        """True when a background sync should start (interval passed, none running)."""
        return not self.running and self._clock() >= self._next_at

    def _schedule(self, sources: Sequence[Source], result: SyncResult) -> None:
        interval: float = min((s.refresh_seconds for s in sources), default=300)
        if not result.ok:
            interval = min(interval, self._failure_retry)
        self._next_at = self._clock() + interval

    def run(
        self, sources: Sequence[Source], store: Store | None, *, user: str = SYNC_USER, force=False
    ) -> SyncResult:
        """Sync now through the cache (``force``: fetch every source again); "skipped", fetching
        nothing, while another process holds the database's sync lock (tracker.store.locks)."""
        with self._run_lock, locked(store) as held:
            if isinstance(held, SyncResult):  # the lock could not be asked for
                self.last = held
                self._schedule(sources, held)
                return held
            if not held:
                log.info("sync skipped: another process is syncing this database")
                self.last = SyncResult("skipped")
                self._schedule(sources, self.last)
                return self.last
            got: dict[str, Fetched | UnreadableFile] = {}
            for source in sources:
                try:
                    got[source.name] = self.cache.get(source, force=force)
                except UnreadableFile as exc:
                    got[source.name] = exc
            seen = (
                tuple(sources),
                tuple(g.fetched_at if isinstance(g, CachedResult) else None for g in got.values()),
            )
            fresh = all(isinstance(g, CachedResult) and not g.stale for g in got.values())
            last = self.last
            if (
                not force
                and fresh
                and last is not None
                and seen == self._seen
                and last.code not in ("store", "internal", "source")
            ):
                self._schedule(sources, last)
                return last

            def fetcher(source: Source) -> Fetched:
                value = got[source.name]
                if isinstance(value, UnreadableFile):
                    raise value
                return value

            result = sync(sources, store, user=user, fetcher=fetcher)
            self.last, self._seen = result, seen
            self._schedule(sources, result)
            return result

    def start(self, sources: Sequence[Source], store: Store | None) -> bool:
        """Start a background sync if one is due; True when one was started."""
        if not sources:
            return False
        with self._state_lock:
            if not self.due():
                return False
            self._next_at = self._clock() + min(s.refresh_seconds for s in sources)
            self._thread = threading.Thread(
                target=self._background, args=(list(sources), store), daemon=True, name="sync"
            )
            self._thread.start()
            return True

    def _background(self, sources: list[Source], store: Store | None) -> None:
        try:
            self.run(sources, store)
        except Exception:  # never let a thread die silently with the state unknown
            log.exception("background sync failed")
            self.last = _failed("internal")
            self._next_at = self._clock() + self._failure_retry

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a running background sync; True when none is running any more."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return not self.running


__all__ = [
    "ENV_API_BASE",
    "ENV_SOURCES_FILE",
    "SYNC_KIND",
    "SYNC_USER",
    "SourceReport",
    "SyncFailed",
    "SyncResult",
    "SyncRunner",
    "api_base_url",
    "content_sha256",
    "fetch_with",
    "locked",
    "mapping_issues",
    "source_location",
    "sources_file",
    "sync",
]
