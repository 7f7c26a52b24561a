"""Fetch a CSV or workbook from an http(s) URL with the same distrust as an upload.

A URL is configured by an administrator, never typed by a viewer, but what it serves is still
hostile until checked: the body is capped in size while it streams, the whole download has a
time limit, transient failures (429/5xx, timeouts) get a bounded number of retries inside a
total deadline, and the format is sniffed from the bytes, never trusted from the extension or
the Content-Type. The body is then parsed by the upload path (``data_sources.files.read_file``) and its guards.
``csv_table`` reads a CSV body through the same CSV reader (used for Google's CSV export, where
an empty worksheet must still give an empty table).
"""

from __future__ import annotations

import io
import ipaddress
import random
import re
import socket
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import pandas as pd
import requests

import settings
from data_sources.base import RawTable, UnreadableFile

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
WORKBOOK_KINDS = ("xlsx", "xls", "ods")
_CHUNK = 64 * 1024
_USER_AGENT = "bma-inspection-tracker/0.1 (+data_sources.http_source)"
# Sources may only be on the public internet: a private, loopback, link-local or reserved
# address (e.g. http://169.254.169.254/, the cloud metadata service) is refused, also when a
# redirect leads there. Tests that serve a stand-in on 127.0.0.1 set
# TRACKER_ALLOW_PRIVATE_SOURCES=1 (see settings).


def private_allowed() -> bool:
    return settings.allow_private_sources()


def refuse_private_address(url: str) -> None:
    """Raise http_private_address when ``url``'s host is, or resolves to, a non-public address.

    A name that does not resolve passes here (the download then reports it cannot connect).
    """
    if private_allowed():
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = 443
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        return
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            raise UnreadableFile(
                display_url(url)[:200], "http_private_address", address=str(address)
            )


class _PublicOnlySession(requests.Session):
    """A session that checks every redirect's target address before following it."""

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        target = super().get_redirect_target(resp)
        if target:
            refuse_private_address(requests.compat.urljoin(resp.url, target))
        return target


# --- time budget shared by every connector that talks HTTP ------------------------------------


class Deadline:
    """A total time budget with per-request timeouts and jittered exponential backoff.

    Why: a library's own retry loop (gspread's BackOffHTTPClient) can retry forever; every
    remote read here must give up, with a clear message, once its budget is spent.
    """

    def __init__(
        self,
        total: float,
        *,
        timeout: float,
        max_attempts: int = 6,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.total = total
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.clock = clock
        self.sleep = sleep
        self.expires_at = clock() + total

    def remaining(self) -> float:
        """Seconds left in the budget (never negative)."""
        return max(0.0, self.expires_at - self.clock())

    def request_timeout(self) -> float:
        """The timeout for the next HTTP request: the per-request limit, cut to what is left."""
        return max(0.05, min(self.timeout, self.remaining()))

    def backoff(self, attempt: int, retry_after: float | None = None) -> bool:
        """Sleep before retry number ``attempt`` (1-based); False when no retry fits the budget."""
        if attempt >= self.max_attempts:
            return False
        delay = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        delay *= 0.5 + random.random() / 2  # equal jitter: callers do not retry in lockstep
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.backoff_cap))
        # Leave room for at least a short request after the pause.
        if delay + 0.05 >= self.remaining():
            return False
        self.sleep(delay)
        return True


def retry_after_seconds(value: str | None) -> float | None:
    """The Retry-After header in seconds when it is a number (HTTP dates are ignored)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


# --- results and sniffing ---------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """What a URL served: the body (capped), its sniffed kind and where it finally came from."""

    url: str
    final_url: str
    content: bytes
    kind: str  # "csv" | "xlsx" | "xls" | "ods"
    content_type: str
    filename: str


def display_url(url: str) -> str:
    """The URL without user:password and query, safe to show and to use as a RawTable source."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def sniff(content: bytes) -> str:
    """Classify a body by its bytes: csv, xlsx, xls, ods, or html / zip / binary (refused)."""
    head = content[:8192]
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return "zip"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "content.xml" in names and b"opendocument.spreadsheet" in content[:200]:
            return "ods"
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    text_head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text_head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
        b"<html" in head.lower()
    ):
        return "html"
    if b"\x00" in head or text_head.startswith((b"%pdf", b"<?xml", b"{", b"\x1f\x8b")):
        return "binary"
    return "csv"


def _filename(url: str, content_disposition: str | None) -> str:
    if content_disposition:
        m = re.search(r"filename\*=UTF-8''([^;]+)", content_disposition, re.I)
        if m:
            return unquote(m.group(1)).strip('"')
        m = re.search(r'filename="?([^";]+)"?', content_disposition, re.I)
        if m:
            return m.group(1)
    return unquote(Path(urlsplit(url).path).name) or urlsplit(url).hostname or "download"


# --- errors -----------------------------------------------------------------------------------


def _error(url: str, code: str, **params: object) -> UnreadableFile:
    """A refusal about ``url``, shown (and named in its messages) without query or password."""
    shown = display_url(url)
    return UnreadableFile(shown, code, url=shown, **params)


def _status_error(url: str, status: int) -> UnreadableFile:
    if status in (401, 403):
        return _error(url, "http_forbidden", status=status)
    if status in (404, 410):
        return _error(url, "http_not_found", status=status)
    if status in RETRYABLE_STATUS:
        return _error(url, "http_unavailable", status=status)
    return _error(url, "http_error", status=status)


def _timeout_error(url: str, seconds: float) -> UnreadableFile:
    return _error(url, "http_timeout", seconds=seconds)


def _too_large_error(url: str, max_bytes: int) -> UnreadableFile:
    return _error(url, "http_too_large", limit_mb=max_bytes / (1024 * 1024))


# --- fetching ---------------------------------------------------------------------------------


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnreadableFile(url[:200], "http_bad_url")


def _download_once(
    session: requests.Session, url: str, budget: Deadline, max_bytes: int, headers: dict
) -> tuple[requests.Response, bytes]:
    """One GET, streamed under the size cap and the deadline; raises on HTTP errors."""
    t = budget.request_timeout()
    with session.get(url, headers=headers, timeout=(t, t), stream=True) as response:
        if response.status_code >= 400:
            return response, b""
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise _too_large_error(url, max_bytes)
        body = bytearray()
        for chunk in response.iter_content(_CHUNK):
            body += chunk
            if len(body) > max_bytes:
                raise _too_large_error(url, max_bytes)
            if budget.remaining() <= 0:
                raise requests.Timeout("deadline passed while streaming")
        return response, bytes(body)


def fetch(
    url: str,
    *,
    max_bytes: int | None = None,
    timeout: float = 20.0,
    deadline: float = 60.0,
    headers: dict[str, str] | None = None,
    session: requests.Session | None = None,
    budget: Deadline | None = None,
) -> Download:
    """Download ``url`` (http/https only) under a size cap and a total deadline, and sniff it.

    Raises UnreadableFile (http_bad_url, http_private_address, http_forbidden, http_not_found,
    http_unavailable, http_error, http_too_many_redirects, http_bad_redirect, http_timeout,
    http_too_large, http_html, http_not_table).
    """
    _check_url(url)
    refuse_private_address(url)
    max_bytes = max_bytes or settings.max_file_bytes()
    budget = budget or Deadline(deadline, timeout=timeout)
    own_session = session is None
    session = session or _PublicOnlySession()
    session.max_redirects = 5
    request_headers = {"User-Agent": _USER_AGENT, **(headers or {})}
    attempt = 0
    try:
        while True:
            attempt += 1
            retry_after = None
            try:
                response, body = _download_once(session, url, budget, max_bytes, request_headers)
            except (requests.Timeout, requests.ConnectionError) as exc:
                timed_out = isinstance(exc, requests.Timeout) or "timed out" in str(exc).lower()
                if budget.backoff(attempt):
                    continue
                if timed_out:
                    raise _timeout_error(url, budget.total) from None
                raise _error(url, "http_unavailable", variant="no_connection") from None
            except requests.TooManyRedirects:
                raise _error(url, "http_too_many_redirects") from None
            except (requests.exceptions.InvalidSchema, requests.exceptions.InvalidURL):
                raise _error(url, "http_bad_redirect") from None
            if response.status_code >= 400:
                if response.status_code in RETRYABLE_STATUS:
                    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                    if budget.backoff(attempt, retry_after):
                        continue
                raise _status_error(url, response.status_code)
            break
    finally:
        if own_session:
            session.close()

    kind = sniff(body)
    if kind == "html":
        raise _error(url, "http_html")
    if kind not in ("csv", *WORKBOOK_KINDS):
        raise _error(url, "http_not_table")
    return Download(
        url=url,
        final_url=response.url or url,
        content=body,
        kind=kind,
        content_type=response.headers.get("Content-Type", ""),
        filename=_filename(response.url or url, response.headers.get("Content-Disposition")),
    )


# --- parsing ----------------------------------------------------------------------------------


def rows_to_frame(rows: Sequence[Sequence[object]]) -> pd.DataFrame:
    """Rows of cells → a positional frame of text, '' as None, short rows padded with None."""
    width = max((len(r) for r in rows), default=0)
    cells = [
        [None if v is None or v == "" else str(v) for v in row] + [None] * (width - len(row))
        for row in rows
    ]
    if not cells or width == 0:
        return pd.DataFrame()
    # Same shape as the file readers: columns 0..n-1 of pandas string dtype, missing as NaN.
    return pd.DataFrame(cells, columns=pd.RangeIndex(width), dtype="str")


def csv_table(content: bytes, source: str, sheet: str = "csv") -> RawTable:
    """A CSV body as one RawTable, read by the one CSV reader (``data_sources.csv_file``: the
    same decoding — UTF-8, UTF-16, Windows-874 — delimiter sniffing and caps, parsed in the
    memory-capped sandbox). An empty body (an empty worksheet exported by Google) is an empty
    table, not an error."""
    from data_sources import csv_file, excel, guard

    text, _ = csv_file.decode_text(content, source)
    if not text.strip():
        return RawTable(source=source, sheet=sheet, frame=pd.DataFrame())
    (parsed,) = guard.parse_in_sandbox(content, source, kind="csv")
    table = excel.to_raw_table(source, parsed)
    return RawTable(
        source=source,
        sheet=sheet,
        frame=table.frame,
        first_row=table.first_row,
        first_col=table.first_col,
        notes=table.notes,
    )


def _shared_reader(data: bytes, name: str) -> list[RawTable]:
    from data_sources.files import read_file  # the upload path: guards + sandboxed parse

    return read_file(data, name)


def read(
    url: str,
    *,
    max_bytes: int | None = None,
    timeout: float = 20.0,
    deadline: float = 60.0,
    parse: Callable[[bytes, str], list[RawTable]] | None = None,
) -> list[RawTable]:
    """Read every table a URL serves (CSV: one RawTable; workbook: one per sheet).

    The body, once fetched and sniffed, goes to ``parse(data, name)`` (default:
    ``data_sources.files.read_file``, the upload path) so downloads and uploads share one
    set of guards and one parser; ``name`` carries the sniffed kind (``report.xlsx``).
    RawTable.source is the URL without query or credentials.
    """
    download = fetch(url, max_bytes=max_bytes, timeout=timeout, deadline=deadline)
    stem = Path(download.filename).stem or "download"
    tables = (parse or _shared_reader)(download.content, f"{stem}.{download.kind}")
    source = display_url(url)
    return [replace(t, source=source, notes=[*t.notes, f"url:{source}"]) for t in tables]
