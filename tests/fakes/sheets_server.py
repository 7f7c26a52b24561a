"""A stand-in Google Sheets server on 127.0.0.1 that the real gspread client talks to over HTTP.

It implements what gspread 6 calls to read a spreadsheet, and what a browser-less CSV link
fetches:

- ``POST /token``: the OAuth 2.0 JWT-bearer grant of a service account. The assertion's
  RS256 signature is verified against the public key registered by ``service_account()``
  (a throwaway RSA key made with ``cryptography``), so a wrong key gets ``invalid_grant``.
- ``GET /v4/spreadsheets/{key}``: metadata (title, locale, sheets with sheetId, title, index,
  gridProperties). ``GET /v4/spreadsheets/{key}/values/{range}`` and ``values:batchGet``:
  formatted values as strings, trailing empty cells and rows trimmed as Google does. A range
  selects a whole worksheet (``'Title'`` or ``'Title'!A1:Z9``; the A1 part is ignored).
  401 without a valid bearer token, 403 when the sheet is not shared with the caller, 404 for
  an unknown key, 400 "Unable to parse range" for an unknown worksheet.
- ``GET /spreadsheets/d/{key}/export?format=csv&gid=N`` and
  ``GET /spreadsheets/d/e/{key}/pub?output=csv&gid=N``: CSV of one worksheet when the sheet is
  public; otherwise a redirect to an HTML sign-in page, as Google does.
- ``add_file(path, body)``: any other body at a path (for the generic http(s) connector),
  optionally dripped slowly or without Content-Length.

Failures are scripted per endpoint with ``fail(endpoint, status=…, delay=…, times=…)``;
every request is logged in ``log`` as (endpoint, method, path).

Usage::

    with SheetsServer() as server:
        server.add_spreadsheet("k" * 44, "Register", {"Sheet1": [["a", "b"]]})
        info = server.service_account()          # token_uri points here
        gsheets.read("k" * 44, credentials=info, api_base_url=server.api_base_url)
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ENDPOINTS = ("token", "metadata", "values", "export", "file", "any")
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
DEFAULT_EMAIL = "tracker-reader@test-project.iam.gserviceaccount.com"


@dataclass
class FakeSpreadsheet:
    """A spreadsheet: ordered worksheets of text rows, who may read it, whether it is public."""

    key: str
    title: str
    sheets: dict[str, list[list[str]]]
    gids: dict[str, int] = field(default_factory=dict)
    shared_with: set[str] | None = None  # None: every registered service account
    public: bool = False
    locale: str = "th_TH"

    def rename(self, old: str, new: str) -> None:
        """Rename a worksheet, keeping its gid and position."""
        self.sheets = {(new if t == old else t): rows for t, rows in self.sheets.items()}
        self.gids = {(new if t == old else t): gid for t, gid in self.gids.items()}


@dataclass
class Fault:
    """A scripted failure: wait ``delay`` s, then answer ``status`` (None: answer normally)."""

    endpoint: str
    status: int | None = None
    delay: float = 0.0
    times: int | None = 1  # None: forever
    message: str | None = None
    retry_after: str | None = None


@dataclass
class _File:
    body: bytes
    content_type: str
    drip_delay: float = 0.0
    send_length: bool = True
    status: int = 200


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _trimmed(rows: list[list[str]]) -> list[list[str]]:
    out = []
    for row in rows:
        row = [("" if v is None else str(v)) for v in row]
        while row and row[-1] == "":
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def _sheet_from_range(range_text: str) -> str:
    """The worksheet title in an A1 range: ``'It''s'!A1:B2`` → ``It's``; ``Sheet1`` → ``Sheet1``."""
    if range_text.startswith("'"):
        i, title = 1, []
        while i < len(range_text):
            ch = range_text[i]
            if ch == "'":
                if range_text[i + 1 : i + 2] == "'":
                    title.append("'")
                    i += 2
                    continue
                break
            title.append(ch)
            i += 1
        return "".join(title)
    return range_text.split("!", 1)[0]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout test) resets the connection: not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class SheetsServer:
    """The stand-in server; start() it (or use it as a context manager) and stop() it."""

    def __init__(self) -> None:
        self.spreadsheets: dict[str, FakeSpreadsheet] = {}
        self.files: dict[str, _File] = {}
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str, str]] = []
        self._public_keys: dict[str, rsa.RSAPublicKey] = {}
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> SheetsServer:
        """Serve on 127.0.0.1 at a free port in a daemon thread."""
        handler = type("Handler", (_Handler,), {"server_state": self})
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; slow handlers still waiting are woken up."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def __enter__(self) -> SheetsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start() the server first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_base_url(self) -> str:
        """Replaces https://sheets.googleapis.com/v4/spreadsheets."""
        return self.url + "/v4/spreadsheets"

    @property
    def token_uri(self) -> str:
        return self.url + "/token"

    # --- content ------------------------------------------------------------------------------

    def add_spreadsheet(
        self,
        key: str,
        title: str,
        sheets: dict[str, list[list[str]]],
        *,
        shared_with: set[str] | None = None,
        public: bool = False,
    ) -> FakeSpreadsheet:
        """Serve a spreadsheet; worksheet gids are 0, 1001, 1002, … in the given order."""
        gids = {t: (0 if i == 0 else 1000 + i) for i, t in enumerate(sheets)}
        book = FakeSpreadsheet(key, title, dict(sheets), gids, shared_with, public)
        with self._lock:
            self.spreadsheets[key] = book
        return book

    def add_file(
        self,
        path: str,
        body: bytes,
        content_type: str = "application/octet-stream",
        *,
        drip_delay: float = 0.0,
        send_length: bool = True,
        status: int = 200,
    ) -> str:
        """Serve ``body`` at ``path`` (dripped 1 KiB per ``drip_delay`` s); returns its URL."""
        with self._lock:
            self.files[path] = _File(body, content_type, drip_delay, send_length, status)
        return self.url + path

    def service_account(
        self, email: str = DEFAULT_EMAIL, *, registered: bool = True, key_size: int = 2048
    ) -> dict[str, str]:
        """A service-account dict with a fresh RSA key and ``token_uri`` pointing here.

        ``registered=False`` makes a key the server does not know (the token request fails).
        """
        key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        if registered:
            with self._lock:
                self._public_keys[email] = key.public_key()
        return {
            "type": "service_account",
            "project_id": "test-project",
            "private_key_id": secrets.token_hex(20),
            "private_key": pem,
            "client_email": email,
            "client_id": "1234567890",
            "auth_uri": self.url + "/o/oauth2/auth",
            "token_uri": self.token_uri,
            "auth_provider_x509_cert_url": self.url + "/certs",
            "client_x509_cert_url": self.url + "/certs/" + email,
            "universe_domain": "googleapis.com",
        }

    # --- scripted failures --------------------------------------------------------------------

    def fail(
        self,
        endpoint: str,
        status: int | None = None,
        *,
        delay: float = 0.0,
        times: int | None = 1,
        message: str | None = None,
        retry_after: str | None = None,
    ) -> None:
        """Script the next ``times`` requests to ``endpoint`` (None = forever) to fail."""
        assert endpoint in ENDPOINTS, endpoint
        with self._lock:
            self.faults.append(Fault(endpoint, status, delay, times, message, retry_after))

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def count(self, endpoint: str) -> int:
        """How many requests reached ``endpoint`` so far."""
        with self._lock:
            return sum(1 for e, _, _ in self.log if e == endpoint)

    def _take_fault(self, endpoint: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.endpoint in (endpoint, "any") and fault.times != 0:
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def _record(self, endpoint: str, method: str, path: str) -> None:
        with self._lock:
            self.log.append((endpoint, method, path))

    # --- OAuth --------------------------------------------------------------------------------

    def _grant(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
            return 400, {"error": "unsupported_grant_type"}
        try:
            head_b64, payload_b64, sig_b64 = form["assertion"][0].split(".")
            header = json.loads(_b64url_decode(head_b64))
            claims = json.loads(_b64url_decode(payload_b64))
            signature = _b64url_decode(sig_b64)
        except (KeyError, ValueError):
            return 400, {"error": "invalid_request", "error_description": "Bad assertion."}
        with self._lock:
            public_key = self._public_keys.get(str(claims.get("iss")))
        if header.get("alg") != "RS256" or public_key is None:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        try:
            public_key.verify(
                signature,
                f"{head_b64}.{payload_b64}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        # google-auth signs for Google's own token endpoint whatever token_uri says.
        audiences = {self.token_uri, GOOGLE_TOKEN_AUDIENCE}
        if claims.get("aud") not in audiences or float(claims.get("exp", 0)) < time.time():
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT claims."}
        token = "ya29.fake-" + secrets.token_urlsafe(16)
        with self._lock:
            self._tokens[token] = str(claims["iss"])
        return 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def _caller(self, authorization: str | None) -> str | None:
        if not authorization or not authorization.startswith("Bearer "):
            return None
        with self._lock:
            return self._tokens.get(authorization[len("Bearer ") :])


def _google_error(status: int, message: str) -> dict[str, Any]:
    names = {
        400: "INVALID_ARGUMENT",
        401: "UNAUTHENTICATED",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
        429: "RESOURCE_EXHAUSTED",
        500: "INTERNAL",
        503: "UNAVAILABLE",
    }
    return {"error": {"code": status, "message": message, "status": names.get(status, "UNKNOWN")}}


_DEFAULT_MESSAGES = {
    429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute "
    "per user' of service 'sheets.googleapis.com'.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}

_SIGN_IN_PAGE = (
    b"<!DOCTYPE html><html><head><title>Sign in - Google Accounts</title></head>"
    b"<body>Sign in to continue to Sheets</body></html>"
)


class _Handler(BaseHTTPRequestHandler):
    server_state: SheetsServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        return

    # --- plumbing -----------------------------------------------------------------------------

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send(status, body, "application/json; charset=UTF-8", headers)

    def _endpoint(self, path: str) -> str:
        if path == "/token":
            return "token"
        if path.startswith("/v4/spreadsheets/"):
            return "values" if "/values" in path else "metadata"
        if path.startswith("/spreadsheets/d/"):
            return "export"
        return "file"

    def _apply_fault(self, endpoint: str) -> bool:
        """Run a scripted fault; True when it already answered the request."""
        fault = self.server_state._take_fault(endpoint)
        if fault is None:
            return False
        if fault.delay:
            self.server_state._stopping.wait(fault.delay)
        if fault.status is None:
            return False
        headers = {"Retry-After": fault.retry_after} if fault.retry_after else None
        message = fault.message or _DEFAULT_MESSAGES.get(fault.status, "Scripted failure.")
        if endpoint == "token":
            error = "temporarily_unavailable" if fault.status >= 500 else "invalid_grant"
            self._json(fault.status, {"error": error, "error_description": message}, headers)
        else:
            self._json(fault.status, _google_error(fault.status, message), headers)
        return True

    # --- verbs --------------------------------------------------------------------------------

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        endpoint = self._endpoint(parts.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        self.server_state._record(endpoint, "POST", parts.path)
        if self._apply_fault(endpoint):
            return
        if endpoint != "token":
            self._json(404, _google_error(404, "Not found."))
            return
        status, payload = self.server_state._grant(parse_qs(body))
        self._json(status, payload)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        endpoint = self._endpoint(parts.path)
        self.server_state._record(endpoint, "GET", parts.path)
        if self._apply_fault(endpoint):
            return
        query = parse_qs(parts.query)
        if endpoint in ("metadata", "values"):
            self._api(parts.path, query)
        elif endpoint == "export":
            self._export(parts.path, query)
        else:
            self._file(parts.path)

    # --- Sheets API ---------------------------------------------------------------------------

    def _api(self, path: str, query: dict[str, list[str]]) -> None:
        state = self.server_state
        caller = state._caller(self.headers.get("Authorization"))
        if caller is None:
            self._json(
                401,
                _google_error(
                    401,
                    "Request had invalid authentication credentials. Expected OAuth 2 access "
                    "token, login cookie or other valid authentication credential.",
                ),
            )
            return
        m = re.match(r"^/v4/spreadsheets/([^/:]+)(.*)$", path)
        key, rest = (m.group(1), m.group(2)) if m else ("", "")
        book = state.spreadsheets.get(key)
        if book is None:
            self._json(404, _google_error(404, "Requested entity was not found."))
            return
        if book.shared_with is not None and caller not in book.shared_with:
            self._json(403, _google_error(403, "The caller does not have permission"))
            return
        if rest == "":
            self._json(200, self._metadata(book))
        elif rest.startswith("/values:batchGet"):
            ranges = query.get("ranges", [])
            value_ranges = []
            for r in ranges:
                vr = self._value_range(book, r)
                if vr is None:
                    return
                value_ranges.append(vr)
            self._json(200, {"spreadsheetId": key, "valueRanges": value_ranges})
        elif rest.startswith("/values/"):
            vr = self._value_range(book, unquote(rest[len("/values/") :]))
            if vr is not None:
                self._json(200, vr)
        else:
            self._json(404, _google_error(404, "Not found."))

    def _metadata(self, book: FakeSpreadsheet) -> dict[str, Any]:
        sheets = []
        for index, (title, rows) in enumerate(book.sheets.items()):
            width = max((len(r) for r in rows), default=0)
            sheets.append(
                {
                    "properties": {
                        "sheetId": book.gids[title],
                        "title": title,
                        "index": index,
                        "sheetType": "GRID",
                        "gridProperties": {
                            "rowCount": max(1000, len(rows)),
                            "columnCount": max(26, width),
                        },
                    }
                }
            )
        return {
            "spreadsheetId": book.key,
            "properties": {
                "title": book.title,
                "locale": book.locale,
                "autoRecalc": "ON_CHANGE",
                "timeZone": "Asia/Bangkok",
            },
            "sheets": sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.key}/edit",
        }

    def _value_range(self, book: FakeSpreadsheet, range_text: str) -> dict[str, Any] | None:
        title = _sheet_from_range(range_text)
        if title not in book.sheets:
            self._json(400, _google_error(400, f"Unable to parse range: {range_text}"))
            return None
        values = _trimmed(book.sheets[title])
        width = max((len(r) for r in values), default=0)
        quoted = title.replace("'", "''")
        out: dict[str, Any] = {
            "range": f"'{quoted}'!A1:{_letter(max(width, 1))}{max(len(values), 1)}",
            "majorDimension": "ROWS",
        }
        if values:
            out["values"] = values
        return out

    # --- CSV export / publish -----------------------------------------------------------------

    def _export(self, path: str, query: dict[str, list[str]]) -> None:
        m = re.match(r"^/spreadsheets/d/(?:e/)?([^/]+)/(export|pub)$", path)
        book = self.server_state.spreadsheets.get(m.group(1)) if m else None
        if book is None:
            self._send(404, b"<html><body>Not found</body></html>", "text/html")
            return
        if not book.public:
            self._send(
                302,
                b"",
                "text/html",
                {"Location": self.server_state.url + "/ServiceLogin"},
            )
            return
        gid = query.get("gid", [None])[0]
        titles = [t for t, g in book.gids.items() if gid is None or str(g) == gid]
        if not titles:
            self._send(400, b"<html><body>Bad gid</body></html>", "text/html")
            return
        rows = book.sheets[titles[0]]
        width = max((len(r) for r in rows), default=0)
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        for row in rows:
            writer.writerow([*row, *[""] * (width - len(row))])
        self._send(200, buf.getvalue().encode("utf-8"), "text/csv; charset=utf-8")

    # --- plain files --------------------------------------------------------------------------

    def _file(self, path: str) -> None:
        if path.endswith("/ServiceLogin"):
            self._send(200, _SIGN_IN_PAGE, "text/html; charset=utf-8")
            return
        f = self.server_state.files.get(path)
        if f is None:
            self._send(404, b"<html><body>Not found</body></html>", "text/html")
            return
        if not f.drip_delay and f.send_length:
            self._send(f.status, f.body, f.content_type)
            return
        try:
            self.send_response(f.status)
            self.send_header("Content-Type", f.content_type)
            if f.send_length:
                self.send_header("Content-Length", str(len(f.body)))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            for i in range(0, len(f.body), 1024):
                self.wfile.write(f.body[i : i + 1024])
                self.wfile.flush()
                if f.drip_delay and self.server_state._stopping.wait(f.drip_delay):
                    return
        except (BrokenPipeError, ConnectionResetError):
            pass


def _letter(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out
