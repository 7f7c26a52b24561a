"""Google Sheets connector: a spreadsheet's worksheets as RawTables, read live with gspread 6.

Values are read as displayed text (``get_all_values``; never the records helper, which turns
"0012" into 12), so normalisation stays ours and a sheet reads like the same data as .xlsx.
Every HTTP call has a timeout, and 429/5xx/timeouts are retried with jittered exponential
backoff inside one total deadline for the whole read (gspread's BackOffHTTPClient retries
without limit, so it is not used). Failures become UnreadableFile with a distinct code whose
Thai and English reasons (messages/locales/read.*.json) name the sheet and say what to do.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import requests
from google.auth import exceptions as google_auth_errors
from google.oauth2.service_account import Credentials
from gspread import Client
from gspread.exceptions import APIError, SpreadsheetNotFound
from gspread.http_client import HTTPClient
from gspread.urls import SPREADSHEETS_API_V4_BASE_URL

from data_sources import http_source
from data_sources.base import RawTable, UnreadableFile
from data_sources.http_source import Deadline, retry_after_seconds, rows_to_frame

READONLY_SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets.readonly",
    "https://www.googleapis.com/auth/drive.readonly",
)
DOCS_BASE_URL = "https://docs.google.com"
_KEY_IN_URL = re.compile(r"/spreadsheets/d/([a-zA-Z0-9_-]+)")
_BARE_KEY = re.compile(r"^[a-zA-Z0-9_-]{20,}$")
_RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})


# --- locating a spreadsheet -------------------------------------------------------------------


def spreadsheet_key(spreadsheet: str) -> str:
    """The spreadsheet key from a Google Sheets URL or a bare key; UnreadableFile otherwise."""
    text = spreadsheet.strip()
    m = _KEY_IN_URL.search(text)
    if m and m.group(1) != "e":
        return m.group(1)
    if "://" not in text:
        if _BARE_KEY.match(text):
            return text
    else:
        key = parse_qs(urlsplit(text).query).get("key")
        if key and _BARE_KEY.match(key[0]):
            return key[0]
    raise UnreadableFile(text[:200], "gsheets_bad_url")


def csv_export_url(spreadsheet: str, gid: int | str | None = None, *, base_url: str = "") -> str:
    """The CSV export URL of a worksheet (gid) from its spreadsheet URL or key.

    A URL that already asks for CSV (``export?format=csv``, ``pub?output=csv``) is returned
    as is; an edit link keeps its host and its ``#gid=``; a bare key uses ``base_url`` (Google).
    """
    text = spreadsheet.strip()
    if "://" in text:
        parts = urlsplit(text)
        query = parse_qs(parts.query)
        if "/export" in parts.path or "/pub" in parts.path or "output" in query:
            return text
        fragment_gid = re.search(r"gid=(\d+)", parts.fragment or "")
        gid = gid if gid is not None else (fragment_gid.group(1) if fragment_gid else None)
        gid = gid if gid is not None else next(iter(query.get("gid") or []), None)
        key = spreadsheet_key(text)
        root = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    else:
        key = spreadsheet_key(text)
        root = (base_url or DOCS_BASE_URL).rstrip("/")
    url = f"{root}/spreadsheets/d/{key}/export?format=csv"
    return url + (f"&gid={gid}" if gid is not None else "")


# --- messages ---------------------------------------------------------------------------------


def _auth_error(name: str, detail: str = "") -> UnreadableFile:
    if not detail:
        return UnreadableFile(name, "gsheets_auth", variant="no_detail", name=name)
    return UnreadableFile(name, "gsheets_auth", name=name, detail=detail)


def _forbidden_error(name: str, email: str) -> UnreadableFile:
    return UnreadableFile(name, "gsheets_forbidden", name=name, email=email)


def _api_disabled_error(name: str) -> UnreadableFile:
    return UnreadableFile(name, "gsheets_api_disabled", name=name)


def _not_found_error(name: str) -> UnreadableFile:
    return UnreadableFile(name, "gsheets_not_found", name=name)


def _worksheet_missing_error(name: str, missing: list[str], existing: list[str]) -> UnreadableFile:
    wanted = ", ".join(f"“{w}”" for w in missing)
    have = ", ".join(f"“{w}”" for w in existing) or "—"
    return UnreadableFile(name, "gsheets_worksheet_missing", name=name, wanted=wanted, have=have)


def _unavailable_error(name: str, status: int | str, seconds: float) -> UnreadableFile:
    return UnreadableFile(name, "gsheets_unavailable", name=name, status=status, seconds=seconds)


def _timeout_error(name: str, timeout: float, seconds: float) -> UnreadableFile:
    return UnreadableFile(name, "gsheets_timeout", name=name, timeout=timeout, seconds=seconds)


# --- the bounded HTTP client ------------------------------------------------------------------


class _GiveUp(Exception):
    """Retries exhausted: the last failure was a retryable status, a timeout or no connection."""

    def __init__(self, reason: str, status: int | str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unavailable" | "timeout"
        self.status = status


class BoundedHTTPClient(HTTPClient):
    """gspread's HTTPClient with per-request timeouts, bounded retries and a base-URL override."""

    def __init__(
        self,
        auth: Any,
        session: requests.Session | None = None,
        *,
        budget: Deadline,
        api_base_url: str | None = None,
    ) -> None:
        super().__init__(auth, session)
        self.budget = budget
        self.api_base_url = api_base_url.rstrip("/") if api_base_url else None

    def _rewrite(self, endpoint: str) -> str:
        if self.api_base_url and endpoint.startswith(SPREADSHEETS_API_V4_BASE_URL):
            return self.api_base_url + endpoint[len(SPREADSHEETS_API_V4_BASE_URL) :]
        return endpoint

    def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> requests.Response:
        """One API call: retried on 429/5xx/timeouts until the read's deadline, then _GiveUp."""
        endpoint = self._rewrite(endpoint)
        attempt = 0
        while True:
            attempt += 1
            if self.budget.remaining() <= 0:
                raise _GiveUp("timeout", "deadline")
            self.set_timeout(self.budget.request_timeout())
            try:
                return super().request(method, endpoint, *args, **kwargs)
            except APIError as exc:
                status = exc.response.status_code
                if status not in _RETRYABLE:
                    raise
                retry_after = retry_after_seconds(exc.response.headers.get("Retry-After"))
                if not self.budget.backoff(attempt, retry_after):
                    raise _GiveUp("unavailable", status) from None
            except requests.Timeout:
                if not self.budget.backoff(attempt):
                    raise _GiveUp("timeout", "timeout") from None
            except requests.ConnectionError as exc:
                timed_out = "timed out" in str(exc).lower()
                if not self.budget.backoff(attempt):
                    raise _GiveUp(
                        "timeout" if timed_out else "unavailable",
                        "timeout" if timed_out else "no connection",
                    ) from None
            except google_auth_errors.TransportError as exc:
                # The token request failed below HTTP (google-auth wraps requests' errors).
                timed_out = "timed out" in str(exc).lower() or "timeout" in str(exc).lower()
                if not self.budget.backoff(attempt):
                    raise _GiveUp(
                        "timeout" if timed_out else "unavailable",
                        "timeout" if timed_out else "token endpoint unreachable",
                    ) from None
            except google_auth_errors.RefreshError as exc:
                if not getattr(exc, "retryable", False) or not self.budget.backoff(attempt):
                    raise


# --- reading ----------------------------------------------------------------------------------


def _client(
    credentials: Mapping[str, Any], budget: Deadline, api_base_url: str | None, label: str
) -> Client:
    try:
        creds = Credentials.from_service_account_info(dict(credentials), scopes=READONLY_SCOPES)
    except (ValueError, KeyError, TypeError) as exc:
        # Name the missing fields when that is the problem; never echo anything else (the
        # message of a key that does not parse could quote it).
        text = str(exc)
        detail = text[text.index("missing") :][:120] if "missing" in text else "private_key"
        raise _auth_error(label, detail) from None
    factory = functools.partial(BoundedHTTPClient, budget=budget, api_base_url=api_base_url)
    return Client(auth=creds, http_client=factory)  # type: ignore[arg-type]


def _cells_table(title: str, worksheet_title: str, values: list[list[Any]]) -> RawTable:
    rows = [list(r) for r in values if r is not None]
    while rows and not any(v not in ("", None) for v in rows[-1]):
        rows.pop()
    return RawTable(source=title, sheet=worksheet_title, frame=rows_to_frame(rows), first_row=1)


def read(
    spreadsheet: str,
    *,
    worksheets: list[str] | None = None,
    credentials: Mapping[str, Any] | None = None,
    api_base_url: str | None = None,
    timeout: float = 20.0,
    deadline: float = 60.0,
) -> list[RawTable]:
    """Read a spreadsheet (URL or key) with a service account: one RawTable per worksheet.

    ``worksheets`` picks worksheets by title (all when None); ``api_base_url`` replaces
    ``https://sheets.googleapis.com/v4/spreadsheets`` (tests point it at a stand-in server;
    the token endpoint comes from the credentials' ``token_uri``). ``timeout`` bounds each
    HTTP request and ``deadline`` the whole read, retries included.
    """
    key = spreadsheet_key(spreadsheet)
    label = key
    if not credentials:
        raise UnreadableFile(key, "gsheets_auth", variant="no_credentials", name=key)
    email = str(credentials.get("client_email", "?"))
    budget = Deadline(deadline, timeout=timeout)
    client = _client(credentials, budget, api_base_url, label)
    try:
        book = client.open_by_key(key)
        label = book.title or key
        available = book.worksheets()
        titles = [ws.title for ws in available]
        if worksheets is None:
            chosen = available
        else:
            missing = [w for w in worksheets if w not in titles]
            if missing:
                raise _worksheet_missing_error(label, missing, titles)
            by_title = {ws.title: ws for ws in reversed(available)}
            chosen = [by_title[w] for w in worksheets]
        tables = []
        for ws in chosen:
            try:
                values = ws.get_all_values()
            except APIError as exc:
                if exc.response.status_code == 400 and "parse range" in str(exc.error).lower():
                    raise _worksheet_missing_error(label, [ws.title], titles) from None
                raise
            table = _cells_table(label, ws.title, values)
            table.notes.append(f"google_sheets:{key}#gid={ws.id}")
            tables.append(table)
        return tables
    except UnreadableFile:
        raise
    except _GiveUp as exc:
        if exc.reason == "timeout":
            raise _timeout_error(label, timeout, deadline) from None
        raise _unavailable_error(label, exc.status, deadline) from None
    except SpreadsheetNotFound:
        raise _not_found_error(label) from None
    except PermissionError as exc:  # gspread turns a 403 on open_by_key into PermissionError
        cause = exc.__cause__ if isinstance(exc.__cause__, APIError) else None
        raise _forbidden_or_disabled(label, email, cause) from None
    except google_auth_errors.RefreshError as exc:
        if getattr(exc, "retryable", False):
            raise _unavailable_error(label, "token", deadline) from None
        raise _auth_error(label, _refresh_detail(exc)) from None
    except google_auth_errors.GoogleAuthError as exc:
        raise _auth_error(label, type(exc).__name__) from None
    except APIError as exc:
        raise _api_error(label, email, exc) from None
    finally:
        client.http_client.session.close()


def _refresh_detail(exc: Exception) -> str:
    """The OAuth error code only (e.g. invalid_grant): never the request or the key."""
    args = getattr(exc, "args", ())
    for arg in args:
        if isinstance(arg, Mapping) and arg.get("error"):
            return str(arg["error"])[:60]
    text = str(args[0]) if args else ""
    return text.split(":")[0][:60]


def _forbidden_or_disabled(label: str, email: str, exc: APIError | None) -> UnreadableFile:
    if exc is not None:
        message = str(exc.error.get("message", "")) + str(exc.error.get("status", ""))
        if "has not been used" in message or "SERVICE_DISABLED" in message or "disabled" in message:
            return _api_disabled_error(label)
    return _forbidden_error(label, email)


def _api_error(label: str, email: str, exc: APIError) -> UnreadableFile:
    status = exc.response.status_code
    if status == 403:
        return _forbidden_or_disabled(label, email, exc)
    if status == 404:
        return _not_found_error(label)
    if status == 401:
        return _auth_error(label, "HTTP 401")
    detail = str(exc.error.get("message", ""))[:200]
    return UnreadableFile(label, "gsheets_error", name=label, status=status, detail=detail)


def read_published_csv(
    url: str,
    *,
    gid: int | str | None = None,
    sheet: str | None = None,
    docs_base_url: str = "",
    max_bytes: int | None = None,
    timeout: float = 20.0,
    deadline: float = 60.0,
) -> RawTable:
    """Read one worksheet of a sheet shared or published as CSV, without credentials.

    ``url`` may be a published-CSV link (``…/pub?output=csv``), an export link
    (``…/export?format=csv&gid=…``), an edit link (its ``#gid=`` picks the worksheet) or a bare
    key (``docs_base_url`` replaces https://docs.google.com for tests).
    """
    target = csv_export_url(url, gid, base_url=docs_base_url)
    shown = http_source.display_url(target)
    try:
        download = http_source.fetch(
            target, max_bytes=max_bytes, timeout=timeout, deadline=deadline
        )
    except UnreadableFile as exc:
        if exc.code in ("http_html", "http_forbidden"):
            raise UnreadableFile(shown, "gsheets_not_published", url=shown) from None
        if exc.code == "http_not_found":
            raise _not_found_error(shown) from None
        if exc.code == "http_unavailable":
            raise _unavailable_error(shown, "HTTP", deadline) from None
        if exc.code == "http_timeout":
            raise _timeout_error(shown, timeout, deadline) from None
        raise
    if download.kind != "csv":
        raise UnreadableFile(shown, "gsheets_not_csv", url=shown, kind=download.kind)
    name = sheet or _gid_label(target)
    table = http_source.csv_table(download.content, shown, name)
    table.notes.append(f"published_csv:{shown}")
    return table


def _gid_label(url: str) -> str:
    gid = parse_qs(urlsplit(url).query).get("gid")
    return f"gid={gid[0]}" if gid else "csv"
