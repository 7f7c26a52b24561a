"""The one entry point for local files and uploads: check, detect the kind, parse safely.

``read_file`` decides what a file is from its content (``guard.detect_kind``), refuses
what must not be opened, parses workbooks and CSV in a sandboxed child process (memory and time capped),
and returns one RawTable per sheet. Every failure is an ``UnreadableFile`` with
a stable code and its parameters (its Thai and English reasons are rendered from
messages/locales/read.*.json); ``name`` is only ever shown, never opened.

Empty input: a 0-byte or blank file, or a workbook none of whose sheets has a value,
raises ``UnreadableFile(code="empty_file")``. An empty sheet of a workbook that has data
elsewhere is returned as a RawTable with a 0 x 0 frame, so the caller can report it.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import settings
from data_sources import csv_file, excel, guard
from data_sources.base import RawTable, UnreadableFile, refuse

# What the upload widget offers. Content decides the real kind: a CSV named .txt is read,
# an .xlsx that is really text is refused. .tsv/.txt are read as delimited text.
SUPPORTED_EXTENSIONS: tuple[str, ...] = (".xlsx", ".xls", ".ods", ".csv", ".tsv", ".txt")


def sha256_of(data: bytes) -> str:
    """Hex SHA-256 of the raw bytes: the content key for snapshots and caches."""
    return hashlib.sha256(data).hexdigest()


def read_file(
    source: str | Path | bytes,
    name: str | None = None,
    *,
    max_bytes: int | None = None,
    sandbox: bool = True,
) -> list[RawTable]:
    """Read a local file or uploaded bytes into RawTables, one per sheet (CSV: one).

    ``name`` (required with bytes) is the display name used in messages and RawTable.source.
    ``sandbox=False`` parses workbooks in this process: only for trusted, bundled files.
    ``max_bytes`` defaults to TRACKER_MAX_FILE_MB.
    """
    if max_bytes is None:
        max_bytes = settings.max_file_bytes()
    if isinstance(source, bytes | bytearray | memoryview):
        if not name:
            raise ValueError("name is required when reading bytes")
        data = bytes(source)
        if len(data) > max_bytes:
            raise guard.too_large(name, len(data), max_bytes)
    else:
        path = Path(source)
        name = name or path.name
        if sandbox:
            started = _take_started(path, name, max_bytes)
            if started is None:
                started = _parse_local(path, name, max_bytes)
            return _raw_tables(name, *started)
        data = _read_capped(path, name, max_bytes)
    return read_bytes(data, name, sandbox=sandbox)


def read_bytes(data: bytes, name: str, *, sandbox: bool = True) -> list[RawTable]:
    """Detect the kind of ``data`` from its content and parse it (size already checked)."""
    kind = guard.detect_kind(data, name)
    if kind == "csv" and not sandbox:
        return [csv_file.read_csv_bytes(data, name)]
    return _raw_tables(name, kind, _parse_kind(data, name, kind, sandbox))


def _parse_kind(data: bytes, name: str, kind: str, sandbox: bool) -> list[excel.SheetArrow]:
    """Parse ``data`` of the detected ``kind`` into Arrow sheets (no pandas needed here)."""
    if kind == "csv":
        # untrusted text is parsed where the memory cap holds, like every workbook
        (sheet,) = guard.parse_in_sandbox(data, name, kind="csv")
        return [sheet]
    return guard.parse_in_sandbox(data, name) if sandbox else _parse_in_process(data, name)


def _raw_tables(name: str, kind: str, sheets: list[excel.SheetArrow]) -> list[RawTable]:
    if kind != "csv" and not excel.has_data(sheets):
        raise guard.empty_file(name)
    return [excel.to_raw_table(name, sheet) for sheet in sheets]


# Reading started early (issue 20): ``python -m tracker summary FILE`` starts checking and
# parsing FILE (sandboxed, as always) in a thread before the command line imports pandas and
# its own modules, so the parse runs on the other core meanwhile. ``read_file`` of the same
# path, name and cap then takes that result, or raises its refusal, instead of reading the
# file again, provided the file is unchanged since (same inode, size and modification time).


@dataclass
class _Started:
    identity: tuple[int, int, int]
    thread: threading.Thread | None = None
    outcome: list = field(default_factory=list)  # [(kind, sheets)] or [the exception]


_started: dict[tuple[str, str, int], _Started] = {}
_started_lock = threading.Lock()


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def start_reading(path: str | Path, max_bytes: int) -> None:
    """Start checking and parsing the local file ``path`` (sandboxed) in a background thread,
    for a later ``read_file(path, max_bytes=max_bytes)`` in this process."""
    path = Path(path)
    identity = _identity(path)
    if identity is None:
        return
    started = _Started(identity)

    def work() -> None:
        try:
            started.outcome.append(_parse_local(path, path.name, max_bytes))
        except BaseException as exc:  # handed to the reader, which raises it
            started.outcome.append(exc)

    started.thread = threading.Thread(target=work, name="tracker-read-early", daemon=True)
    with _started_lock:
        key = (str(path), path.name, max_bytes)
        if key in _started:
            return
        if not _started:
            atexit.register(_finish_started)
        _started[key] = started
    started.thread.start()


def _finish_started() -> None:
    """At exit: let a parse started early and never taken finish (its shared-memory file is
    removed when it does)."""
    with _started_lock:
        pending = list(_started.values())
        _started.clear()
    for started in pending:
        try:
            if started.thread is not None:
                started.thread.join()
        except KeyboardInterrupt:
            return


def _take_started(path: Path, name: str, max_bytes: int) -> tuple[str, list] | None:
    """The early read of ``path`` (waiting for it to end), or None if none was started or the
    file changed since it was; raises the refusal it met."""
    if not _started:
        return None
    with _started_lock:
        started = _started.pop((str(path), name, max_bytes), None)
    if started is None or started.thread is None:
        return None
    started.thread.join()
    if _identity(path) != started.identity or not started.outcome:
        return None
    outcome = started.outcome[0]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _parse_in_process(data: bytes, name: str) -> list[excel.SheetArrow]:
    """Parse a trusted workbook here; reader errors still become UnreadableFile."""
    try:
        return excel.parse_workbook(data, name)
    except UnreadableFile:
        raise
    except MemoryError:
        raise guard.out_of_memory(name) from None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # pyo3 panics derive from BaseException
        detail = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise refuse(name, "parse_failed", variant="in_process", detail=detail) from None


def _parse_local(path: Path, name: str, max_bytes: int) -> tuple[str, list[excel.SheetArrow]]:
    """Check a local file and parse it in the sandbox; (its kind, its sheets).

    The checks read the file's bytes; the sandboxed child then reads the same open file
    itself, so the bytes are let go before the parse (a 250 MB workbook is not held here
    while the child parses it; issue 20).
    """
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise refuse(name, "not_found", detail=str(exc.strerror)) from None
    with handle:
        data = _read_handle(handle, name, max_bytes)
        kind = guard.detect_kind(data, name)
        del data
        sheets = guard.parse_in_sandbox(
            None, name, kind="csv" if kind == "csv" else "workbook", fd=handle.fileno()
        )
    return kind, sheets


def _read_handle(handle, name: str, max_bytes: int) -> bytes:
    """An open file's bytes, refusing it by size before reading (and if it grows meanwhile)."""
    try:
        size = os.fstat(handle.fileno()).st_size
        if size > max_bytes:
            raise guard.too_large(name, size, max_bytes)
        data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise refuse(name, "not_found", detail=str(exc.strerror)) from None
    if len(data) > max_bytes:
        raise guard.too_large(name, len(data), max_bytes)
    return data


def _read_capped(path: Path, name: str, max_bytes: int) -> bytes:
    """Read a local file, refusing it by size before reading (and if it grows meanwhile)."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise refuse(name, "not_found", detail=str(exc.strerror)) from None
    with handle:
        return _read_handle(handle, name, max_bytes)
