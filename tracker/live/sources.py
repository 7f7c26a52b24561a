"""Live data sources: the ``sources.toml`` settings, service-account credentials and a cache.

An administrator lists sources (a Google Sheet by URL or key, a sheet published as CSV, or any
http(s) URL serving CSV/xlsx) with which worksheet holds which table and how often to refresh.
``SourceCache`` keeps the last good tables of every source, fetches each source at most once
per interval whatever the number of concurrent viewers, and on failure keeps serving the last
good tables marked stale with the reason, so a page is never empty because Google is down.
Plain Python (no Streamlit): the app, the command line and cron share it.
"""

from __future__ import annotations

import ipaddress
import json
import os
import threading
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from data_sources import gsheets, http_source
from data_sources.base import RawTable, UnreadableFile
from messages.problems import Bilingual
from tracker.schema import TABLE_KINDS

SOURCE_KINDS: tuple[str, ...] = ("gsheets", "published_csv", "http")
CREDENTIALS_ENV = "GOOGLE_SERVICE_ACCOUNT_JSON"
DEFAULT_REFRESH_SECONDS = 300
MIN_REFRESH_SECONDS = 10
DEFAULT_TIMEOUT_SECONDS = 20.0
DEFAULT_DEADLINE_SECONDS = 60.0

_TOP_KEYS = {"refresh_seconds", "timeout_seconds", "deadline_seconds", "sources"}
_SOURCE_KEYS = {
    "name",
    "url",
    "key",
    "kind",
    "worksheets",
    "table",
    "refresh_seconds",
    "timeout_seconds",
    "deadline_seconds",
}


@dataclass(frozen=True)
class Source:
    """One configured source; ``worksheets`` maps worksheet title → table kind (empty = auto)."""

    name: str
    kind: str  # one of SOURCE_KINDS
    location: str  # URL, or the spreadsheet key for gsheets
    worksheets: tuple[tuple[str, str], ...] = ()
    table: str | None = None  # one table kind for every sheet the source gives (CSV sources)
    refresh_seconds: int = DEFAULT_REFRESH_SECONDS
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    deadline_seconds: float = DEFAULT_DEADLINE_SECONDS

    @property
    def auto(self) -> bool:
        """True when tables are to be recognised from their headers (no mapping given)."""
        return not self.worksheets and self.table is None

    def worksheet_titles(self) -> list[str] | None:
        """The worksheets to read, or None for all of them."""
        return [title for title, _ in self.worksheets] or None

    def table_for(self, sheet: str) -> str | None:
        """The table kind configured for ``sheet``; None means detect it from the headers."""
        for title, kind in self.worksheets:
            if title == sheet:
                return kind
        return self.table


# --- settings file ----------------------------------------------------------------------------


def guess_kind(location: str, *, is_key: bool = False) -> str:
    """gsheets for a key or an edit link, published_csv for a CSV export/publish link, else http."""
    if is_key:
        return "gsheets"
    parts = urlsplit(location)
    query = parse_qs(parts.query)
    if parts.hostname == "docs.google.com" and "/spreadsheets/" in parts.path:
        csv_wanted = query.get("output") == ["csv"] or query.get("format") == ["csv"]
        if csv_wanted or "/pub" in parts.path or "/export" in parts.path:
            return "published_csv"
        return "gsheets"
    return "http"


def _number(value: Any, where: str, key: str, minimum: float, problems: list[tuple[str, str]]):
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        problems.append(
            (
                f"{where}: “{key}” ต้องเป็นตัวเลขไม่น้อยกว่า {minimum:g} (ได้ {value!r})",
                f"{where}: “{key}” must be a number of at least {minimum:g} (got {value!r})",
            )
        )
        return None
    return value


def _private_host(host: str) -> bool:
    """A host written as a non-public IP address, or localhost (no DNS lookup here: the
    download checks the resolved address again, see http_source.refuse_private_address)."""
    if http_source.private_allowed():
        return False
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return not ipaddress.ip_address(name.split("%")[0]).is_global
    except ValueError:
        return False


def _parse_source(
    raw: Any, index: int, defaults: dict[str, Any], problems: list[tuple[str, str]]
) -> Source | None:
    where = f"sources[{index}]"
    if not isinstance(raw, dict):
        problems.append(
            (f"{where}: ต้องเป็นตาราง [[sources]]", f"{where}: must be a [[sources]] table")
        )
        return None
    name = raw.get("name")
    if isinstance(name, str) and name.strip():
        where = f"sources[{index}] “{name.strip()}”"
    else:
        problems.append((f"{where}: ต้องมี name", f"{where}: “name” is required"))
    for key in sorted(set(raw) - _SOURCE_KEYS):
        problems.append(
            (
                f"{where}: ไม่รู้จักคีย์ “{key}” (ที่ใช้ได้: {', '.join(sorted(_SOURCE_KEYS))})",
                f"{where}: unknown key “{key}” (allowed: {', '.join(sorted(_SOURCE_KEYS))})",
            )
        )
    url, key = raw.get("url"), raw.get("key")
    location, is_key = None, False
    if (url is None) == (key is None):
        problems.append(
            (
                f"{where}: ต้องมี url หรือ key อย่างใดอย่างหนึ่ง",
                f"{where}: give exactly one of “url” or “key”",
            )
        )
    elif url is not None:
        parts = urlsplit(str(url))
        if not isinstance(url, str) or parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(
                (f"{where}: url ต้องขึ้นต้นด้วย http:// หรือ https://", f"{where}: “url” must be http(s)")
            )
        elif _private_host(parts.hostname):
            problems.append(
                (
                    f"{where}: url ชี้ไปยังที่อยู่ภายในเครือข่าย ({parts.hostname}) "
                    "แหล่งข้อมูลต้องอยู่บนอินเทอร์เน็ตสาธารณะ",
                    f"{where}: “url” points to a private, loopback or link-local address "
                    f"({parts.hostname}); a source must be on the public internet",
                )
            )
        else:
            location = url.strip()
    else:
        try:
            location, is_key = gsheets.spreadsheet_key(str(key)), True
        except UnreadableFile:
            problems.append(
                (f"{where}: key ไม่ใช่รหัสสเปรดชีต", f"{where}: “key” is not a spreadsheet key")
            )
    kind = raw.get("kind")
    if kind is None and location is not None:
        kind = guess_kind(location, is_key=is_key)
    elif kind is not None and kind not in SOURCE_KINDS:
        problems.append(
            (
                f"{where}: kind ต้องเป็นหนึ่งใน {', '.join(SOURCE_KINDS)}",
                f"{where}: “kind” must be one of {', '.join(SOURCE_KINDS)}",
            )
        )
    elif kind == "http" and is_key:
        problems.append((f"{where}: kind http ต้องใช้ url", f"{where}: kind http needs a “url”"))

    worksheets: list[tuple[str, str]] = []
    mapping = raw.get("worksheets", "auto")
    tables_hint = f"auto, {', '.join(TABLE_KINDS)}"
    if isinstance(mapping, dict):
        for title, table in mapping.items():
            if table not in TABLE_KINDS:
                problems.append(
                    (
                        f"{where}: แผ่นงาน “{title}” ต้องจับคู่กับตาราง {', '.join(TABLE_KINDS)} (ได้ {table!r})",
                        f"{where}: worksheet “{title}” must map to one of {', '.join(TABLE_KINDS)} "
                        f"(got {table!r})",
                    )
                )
            else:
                worksheets.append((str(title), table))
    elif mapping != "auto":
        problems.append(
            (
                f'{where}: worksheets ต้องเป็น "auto" หรือตาราง ชื่อแผ่นงาน = ชนิดตาราง ({tables_hint})',
                f'{where}: “worksheets” must be "auto" or a table of worksheet = table kind '
                f"({tables_hint})",
            )
        )
    table = raw.get("table")
    if table is not None and table not in TABLE_KINDS:
        problems.append(
            (
                f"{where}: table ต้องเป็นหนึ่งใน {', '.join(TABLE_KINDS)}",
                f"{where}: “table” must be one of {', '.join(TABLE_KINDS)}",
            )
        )
        table = None
    if worksheets and kind != "gsheets":
        problems.append(
            (
                f"{where}: การจับคู่ worksheets ใช้ได้กับ Google Sheets ที่ใช้บัญชีบริการเท่านั้น — ใช้ table แทน",
                f"{where}: a “worksheets” mapping needs kind gsheets; use “table” instead",
            )
        )
    numbers = {}
    for key_name, minimum in (
        ("refresh_seconds", MIN_REFRESH_SECONDS),
        ("timeout_seconds", 1),
        ("deadline_seconds", 1),
    ):
        numbers[key_name] = _number(
            raw.get(key_name, defaults[key_name]), where, key_name, minimum, problems
        )
    if (
        location is None
        or not isinstance(name, str)
        or not name.strip()
        or kind not in SOURCE_KINDS
    ):
        return None
    if None in numbers.values():
        return None
    return Source(
        name=name.strip(),
        kind=kind,
        location=location,
        worksheets=tuple(worksheets),
        table=table,
        refresh_seconds=int(numbers["refresh_seconds"]),
        timeout_seconds=float(numbers["timeout_seconds"]),
        deadline_seconds=float(numbers["deadline_seconds"]),
    )


def load_sources(path: str | Path) -> list[Source]:
    """Parse ``sources.toml``; every problem in the file is reported at once as UnreadableFile.

    Codes: sources_missing (no file), sources_invalid (TOML syntax or a wrong setting).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UnreadableFile(str(path), "sources_missing", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableFile(
            str(path),
            "sources_invalid",
            variant="encoding",
            path=str(path),
            error=type(exc).__name__,
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UnreadableFile(
            str(path), "sources_invalid", variant="toml", path=str(path), error=str(exc)
        ) from None
    problems: list[tuple[str, str]] = []
    for key in sorted(set(data) - _TOP_KEYS):
        problems.append((f"ไม่รู้จักคีย์ “{key}”", f"unknown key “{key}”"))
    defaults = {
        "refresh_seconds": data.get("refresh_seconds", DEFAULT_REFRESH_SECONDS),
        "timeout_seconds": data.get("timeout_seconds", DEFAULT_TIMEOUT_SECONDS),
        "deadline_seconds": data.get("deadline_seconds", DEFAULT_DEADLINE_SECONDS),
    }
    raw_sources = data.get("sources", [])
    if not isinstance(raw_sources, list):
        problems.append(
            ("sources ต้องเขียนเป็น [[sources]]", "“sources” must be written as [[sources]]")
        )
        raw_sources = []
    sources = [
        s for i, raw in enumerate(raw_sources) if (s := _parse_source(raw, i, defaults, problems))
    ]
    seen: set[str] = set()
    for s in sources:
        if s.name in seen:
            problems.append((f"ชื่อแหล่งข้อมูลซ้ำ “{s.name}”", f"duplicate source name “{s.name}”"))
        seen.add(s.name)
    if problems:
        raise UnreadableFile(
            str(path),
            "sources_invalid",
            path=str(path),
            problems=Bilingual(
                "; ".join(th for th, _ in problems), "; ".join(en for _, en in problems)
            ),
        )
    return sources


# --- credentials ------------------------------------------------------------------------------


class ServiceAccountInfo(dict):
    """A service-account JSON as a dict whose repr shows only the e-mail (secrets never logged)."""

    def __repr__(self) -> str:
        return f"<service account {self.get('client_email', '?')}>"

    __str__ = __repr__


def _credentials_error(origin: str, th: str, en: str) -> UnreadableFile:
    return UnreadableFile(origin, "credentials_invalid", reason=Bilingual(th, en))


def load_credentials(
    secrets: Mapping[str, Any] | None = None, *, environ: Mapping[str, str] | None = None
) -> ServiceAccountInfo | None:
    """The service account from ``secrets`` (e.g. st.secrets content) or the environment.

    ``secrets`` may be the service-account mapping itself or hold it under
    ``gcp_service_account``. Otherwise ``GOOGLE_SERVICE_ACCOUNT_JSON`` holds the JSON text or a
    path to the JSON file. None when neither is set (only published CSV / http sources work).
    """
    origin = "secrets"
    info: Any = None
    if secrets:
        info = secrets.get("gcp_service_account", secrets)
    else:
        env = os.environ if environ is None else environ
        value = (env.get(CREDENTIALS_ENV) or "").strip()
        if not value:
            return None
        origin = CREDENTIALS_ENV
        if value.startswith("{"):
            text = value
        else:
            try:
                text = Path(value).expanduser().read_text(encoding="utf-8")
            except OSError as exc:
                raise _credentials_error(
                    origin,
                    f"{CREDENTIALS_ENV} ไม่ใช่ JSON และเปิดเป็นไฟล์ไม่ได้ ({type(exc).__name__}) — ใส่ข้อความ JSON หรือ path ของไฟล์ JSON",
                    f"{CREDENTIALS_ENV} is neither JSON nor a readable file ({type(exc).__name__}); "
                    "set it to the JSON text or the path of the JSON key file.",
                ) from None
        try:
            info = json.loads(text)
        except json.JSONDecodeError as exc:
            # Only the position: the text itself is secret.
            raise _credentials_error(
                origin,
                f"JSON ของบัญชีบริการใน {CREDENTIALS_ENV} ผิดรูปแบบ (บรรทัด {exc.lineno})",
                f"The service-account JSON in {CREDENTIALS_ENV} is malformed (line {exc.lineno}).",
            ) from None
    if not isinstance(info, Mapping):
        raise _credentials_error(
            origin,
            "ข้อมูลบัญชีบริการต้องเป็นออบเจกต์ JSON",
            "The service-account data must be a JSON object.",
        )
    info = ServiceAccountInfo({str(k): v for k, v in info.items()})
    missing = [k for k in ("client_email", "private_key", "token_uri") if not info.get(k)]
    if missing or info.get("type", "service_account") != "service_account":
        what = ", ".join(missing) or "type"
        raise _credentials_error(
            origin,
            f"ข้อมูลบัญชีบริการไม่ครบหรือไม่ใช่ service account (ขาด: {what}) — ดาวน์โหลดไฟล์คีย์ JSON ใหม่จาก Google Cloud Console",
            f"The service-account data is incomplete or not a service account (missing: {what}); "
            "download a new JSON key from the Google Cloud Console.",
        )
    return info


# --- fetching a source ------------------------------------------------------------------------


def fetch_source(
    source: Source,
    *,
    credentials: Mapping[str, Any] | None = None,
    api_base_url: str | None = None,
    parse: Callable[[bytes, str], list[RawTable]] | None = None,
) -> list[RawTable]:
    """Read one source now (no cache): every table it gives, as RawTables."""
    timeout, deadline = source.timeout_seconds, source.deadline_seconds
    if source.kind == "gsheets":
        tables = gsheets.read(
            source.location,
            worksheets=source.worksheet_titles(),
            credentials=credentials,
            api_base_url=api_base_url,
            timeout=timeout,
            deadline=deadline,
        )
    elif source.kind == "published_csv":
        tables = [gsheets.read_published_csv(source.location, timeout=timeout, deadline=deadline)]
    else:
        tables = http_source.read(source.location, timeout=timeout, deadline=deadline, parse=parse)
    for table in tables:
        table.notes.append(f"source_name:{source.name}")
    return tables


def make_fetcher(
    credentials: Mapping[str, Any] | None = None, **overrides: Any
) -> Callable[[Source], list[RawTable]]:
    """A ``fetch(source)`` for SourceCache with the credentials bound (kept out of logs)."""

    def fetch(source: Source) -> list[RawTable]:
        return fetch_source(source, credentials=credentials, **overrides)

    return fetch


# --- cache ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CachedResult:
    """A source's tables as last read well, when, and whether the latest attempt failed."""

    source: str
    tables: list[RawTable]
    fetched_at: datetime  # UTC time of the last good fetch ("ข้อมูล ณ …")
    stale: bool
    error: UnreadableFile | None = None


@dataclass
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    source: Source | None = None
    tables: list[RawTable] | None = None
    fetched_at: datetime | None = None
    attempted_at: float | None = None  # clock() when the last attempt ended
    error: UnreadableFile | None = None
    generation: int = 0  # bumped by every finished attempt


class SourceCache:
    """Last good tables per source, refreshed at most once per interval for all callers.

    ``get`` returns the cached tables while they are younger than the source's
    ``refresh_seconds``; otherwise one caller fetches while concurrent callers for the same
    source wait and reuse its result. A failure keeps the last good tables, marked stale with
    the error; after a failure the next attempt is allowed after ``failure_retry_seconds``
    (or the TTL if shorter). With no good tables yet, the error is raised. Tables are shared
    between callers: treat them as read-only.
    """

    def __init__(
        self,
        fetch: Callable[[Source], list[RawTable]],
        clock: Callable[[], float] = time.monotonic,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        failure_retry_seconds: float = 30.0,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._now = now
        self._failure_retry = failure_retry_seconds
        self._entries: dict[str, _Entry] = {}
        self._guard = threading.Lock()

    def _entry(self, name: str) -> _Entry:
        with self._guard:
            return self._entries.setdefault(name, _Entry())

    def _due(self, entry: _Entry, source: Source) -> bool:
        if entry.attempted_at is None or entry.source != source:
            return True
        interval = float(source.refresh_seconds)
        if entry.error is not None:
            interval = min(interval, self._failure_retry)
        return self._clock() - entry.attempted_at >= interval

    @staticmethod
    def _result(name: str, entry: _Entry) -> CachedResult:
        if entry.tables is None or entry.fetched_at is None:
            assert entry.error is not None
            raise entry.error
        return CachedResult(
            source=name,
            tables=list(entry.tables),
            fetched_at=entry.fetched_at,
            stale=entry.error is not None,
            error=entry.error,
        )

    def get(self, source: Source, force: bool = False) -> CachedResult:
        """The source's tables: cached if fresh, else fetched now (``force``: fetch anyway).

        A forced refresh that waited for another caller's fetch reuses that fresh result.
        Raises the UnreadableFile of the first failed attempt when nothing good is cached.
        """
        entry = self._entry(source.name)
        generation_seen = entry.generation
        with entry.lock:
            if entry.source is not None and entry.source != source:
                # The settings changed (other URL, other mapping): old tables do not apply.
                entry.tables = entry.fetched_at = entry.error = entry.attempted_at = None
            fetched_meanwhile = entry.generation != generation_seen and entry.source == source
            if fetched_meanwhile or (not force and not self._due(entry, source)):
                return self._result(source.name, entry)
            entry.source = source
            try:
                tables = self._fetch(source)
            except UnreadableFile as exc:
                entry.error = exc
                entry.attempted_at = self._clock()
                entry.generation += 1
                return self._result(source.name, entry)
            entry.tables = list(tables)
            entry.fetched_at = self._now()
            entry.error = None
            entry.attempted_at = self._clock()
            entry.generation += 1
            return self._result(source.name, entry)

    def peek(self, name: str) -> CachedResult | None:
        """What is cached for source ``name`` without fetching (None if nothing good yet)."""
        entry = self._entries.get(name)
        if entry is None or entry.tables is None or entry.fetched_at is None:
            return None
        with entry.lock:
            return self._result(name, entry)

    def invalidate(self, name: str | None = None) -> None:
        """Forget one source's cache (or all): the next get fetches."""
        with self._guard:
            if name is None:
                self._entries.clear()
            else:
                self._entries.pop(name, None)
