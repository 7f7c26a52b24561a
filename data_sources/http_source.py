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
                display_url(url)[:200],
                f"ไม่อนุญาตให้ดึงข้อมูลจากที่อยู่ภายในเครือข่าย ({address}) แหล่งข้อมูลต้องอยู่บนอินเทอร์เน็ตสาธารณะ",
                f"Fetching from a private, loopback or link-local address ({address}) is not "
                "allowed; a source must be on the public internet.",
                code="http_private_address",
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


def _error(url: str, code: str, th: str, en: str) -> UnreadableFile:
    return UnreadableFile(display_url(url), th, en, code=code)


def _status_error(url: str, status: int) -> UnreadableFile:
    shown = display_url(url)
    if status in (401, 403):
        return _error(
            url,
            "http_forbidden",
            f"เซิร์ฟเวอร์ไม่อนุญาตให้อ่าน {shown} (HTTP {status}) — ตรวจสอบว่าลิงก์เปิดให้ทุกคนที่มีลิงก์อ่านได้ หรือใช้บัญชีบริการ (service account)",
            f"The server refused access to {shown} (HTTP {status}). Make sure the link is "
            "readable by anyone with the link, or use a service account.",
        )
    if status in (404, 410):
        return _error(
            url,
            "http_not_found",
            f"ไม่พบไฟล์ที่ {shown} (HTTP {status}) — ตรวจสอบ URL ในการตั้งค่าแหล่งข้อมูล",
            f"Nothing found at {shown} (HTTP {status}). Check the URL in the source settings.",
        )
    if status in RETRYABLE_STATUS:
        return _error(
            url,
            "http_unavailable",
            f"เซิร์ฟเวอร์ของ {shown} ไม่พร้อมให้บริการ (HTTP {status}) แม้ลองใหม่หลายครั้งแล้ว — ลองอีกครั้งภายหลัง",
            f"The server of {shown} is unavailable (HTTP {status}) after several retries. "
            "Try again later.",
        )
    return _error(
        url,
        "http_error",
        f"อ่าน {shown} ไม่ได้: เซิร์ฟเวอร์ตอบ HTTP {status}",
        f"Cannot read {shown}: the server answered HTTP {status}.",
    )


def _timeout_error(url: str, seconds: float) -> UnreadableFile:
    shown = display_url(url)
    return _error(
        url,
        "http_timeout",
        f"ดาวน์โหลด {shown} ไม่เสร็จภายใน {seconds:g} วินาที — เซิร์ฟเวอร์ช้าหรือไฟล์ใหญ่เกินไป ลองอีกครั้งภายหลัง",
        f"Downloading {shown} did not finish within {seconds:g} s: the server is slow or the "
        "file too big. Try again later.",
    )


def _too_large_error(url: str, max_bytes: int) -> UnreadableFile:
    mb = max_bytes / (1024 * 1024)
    shown = display_url(url)
    return _error(
        url,
        "http_too_large",
        f"ไฟล์ที่ {shown} ใหญ่เกินขนาดที่อนุญาต ({mb:g} MB) — แบ่งไฟล์หรือลดขนาดก่อน",
        f"The file at {shown} is larger than the allowed {mb:g} MB. Split or shrink it first.",
    )


# --- fetching ---------------------------------------------------------------------------------


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnreadableFile(
            url[:200],
            "URL ต้องขึ้นต้นด้วย http:// หรือ https:// และมีชื่อเครื่อง",
            "The URL must start with http:// or https:// and name a host.",
            code="http_bad_url",
        )


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

    Raises UnreadableFile (http_bad_url, http_forbidden, http_not_found, http_unavailable,
    http_timeout, http_too_large, http_html, http_not_table).
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
                raise _error(
                    url,
                    "http_unavailable",
                    f"ติดต่อเซิร์ฟเวอร์ของ {display_url(url)} ไม่ได้ — ตรวจสอบ URL และการเชื่อมต่อเครือข่าย",
                    f"Cannot connect to the server of {display_url(url)}. Check the URL and "
                    "the network connection.",
                ) from None
            except requests.TooManyRedirects:
                raise _error(
                    url,
                    "http_error",
                    f"{display_url(url)} ส่งต่อ (redirect) หลายทอดเกินไป",
                    f"{display_url(url)} redirects too many times.",
                ) from None
            except (requests.exceptions.InvalidSchema, requests.exceptions.InvalidURL):
                raise _error(
                    url,
                    "http_bad_url",
                    f"{display_url(url)} ส่งต่อไปยังที่อยู่ที่ไม่ใช่ http(s)",
                    f"{display_url(url)} redirects to a non-http(s) address.",
                ) from None
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
    shown = display_url(url)
    if kind == "html":
        raise _error(
            url,
            "http_html",
            f"{shown} ส่งหน้าเว็บกลับมา ไม่ใช่ไฟล์ CSV หรือ Excel — อาจต้องเข้าสู่ระบบ หรือ URL ไม่ใช่ลิงก์ดาวน์โหลด",
            f"{shown} returned a web page, not a CSV or Excel file: it may need a sign-in, or "
            "the URL is not a download link.",
        )
    if kind not in ("csv", *WORKBOOK_KINDS):
        raise _error(
            url,
            "http_not_table",
            f"ข้อมูลจาก {shown} ไม่ใช่ไฟล์ CSV, xlsx, xls หรือ ods",
            f"What {shown} serves is not a CSV, xlsx, xls or ods file.",
        )
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
