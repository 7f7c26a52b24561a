"""Parses workbooks (and CSV) in a sandboxed child process, so a hostile file cannot take
the app down with it.

Workbooks are parsed in a forkserver child with an address-space and CPU limit, so a hostile
file that makes the Rust reader allocate hundreds of GB kills only the child, not the app.
The child hands the sheets back as Arrow IPC streams in a private file in /dev/shm (one
copy, read by the parent without copying), or over the pipe where that is not possible.
A refusal comes back as its code and parameters (JSON), rebuilt here as an UnreadableFile.

As with any multiprocessing start method but fork, a *script* run as ``python script.py``
that reads workbooks must keep its top-level code under ``if __name__ == "__main__":``
(the child imports the main module); ``python -m``, pytest and ``streamlit run`` are fine.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing as mp
import os
import resource
import signal
import sys
import tempfile
import threading
import time
from typing import Any

import pyarrow as pa

import settings
from data_sources.base import UnreadableFile, refuse
from data_sources.inspection import damaged, part_beyond_declared_size
from data_sources.sandbox_start import PRELOAD
from messages.problems import Bilingual
from messages.reader_codes import READER_REFUSALS

# The child's caps follow settings (settings.reader_caps: TRACKER_SANDBOX_MEMORY_MB and
# TRACKER_SANDBOX_SECONDS, by default max(4 GB, 16 x the file cap) and max(60 s, file MB / 2)).
# Address space, not RSS: allocators reserve far more than they touch. A legitimate 19 MB
# workbook (360,000 rows x 12 Thai text columns) peaks at 1.2 GB RSS but 2.7 GB of address
# space, so 2 GB would refuse it; 4 GB still stops A1:XFD1048576 (a 512 GB allocation).


_context_lock = threading.Lock()
_context: mp.context.BaseContext | None = None


def _sandbox_context() -> mp.context.BaseContext:
    """The forkserver context; its server preloads pandas/pyarrow/fastexcel once."""
    global _context
    with _context_lock:
        if _context is None:
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            _context = ctx
    return _context


@contextlib.contextmanager
def _main_module_hidden():
    """Start children without re-running the parent's main script in them.

    multiprocessing re-imports ``__main__`` in a forkserver child (as ``__mp_main__``) when it
    has a file or a module name: that would be app.py, the CLI or a benchmark script. The
    child's target lives in this module, so it needs none of it.
    """
    with _start_lock:  # two uploads (or an upload and the sync thread) start children at once
        main = sys.modules.get("__main__")
        names = ("__spec__", "__file__")
        saved = {k: main.__dict__[k] for k in names if main and k in main.__dict__}
        try:
            if main is not None:
                main.__dict__["__spec__"] = None
                main.__dict__.pop("__file__", None)
            yield
        finally:
            if main is not None:
                main.__dict__.update(saved)


_start_lock = threading.Lock()


def warm_up_sandbox() -> None:
    """Start the sandbox forkserver early (it preloads the readers in the background), and
    remove handoff files left behind by a server process that was killed mid-parse."""
    from multiprocessing import forkserver

    sweep_stale_handoffs()
    _sandbox_context()
    forkserver.ensure_running()


HANDOFF_DIR = "/dev/shm"
HANDOFF_PREFIX = "tracker-sandbox-"
# A parse is stopped after TRACKER_SANDBOX_SECONDS (60 s by default): a handoff file older
# than this, or than twice that setting, belongs to a server process that was killed.
STALE_HANDOFF_SECONDS = 10 * 60


def sweep_stale_handoffs(now: float | None = None) -> int:
    """Delete handoff files older than a parse can last; how many were removed."""
    removed = 0
    now = time.time() if now is None else now
    stale = max(STALE_HANDOFF_SECONDS, 2 * settings.reader_caps().sandbox_seconds)
    with contextlib.suppress(OSError):
        for entry in os.scandir(HANDOFF_DIR):
            if not entry.name.startswith(HANDOFF_PREFIX):
                continue
            with contextlib.suppress(OSError):
                if now - entry.stat(follow_symlinks=False).st_mtime > stale:
                    os.unlink(entry.path)
                    removed += 1
    return removed


def _limit_resources(memory_bytes: int, cpu_seconds: int) -> None:
    """Cap the child's address space and CPU time (best effort where unsupported)."""
    for limit, soft, hard in (
        (resource.RLIMIT_AS, memory_bytes, memory_bytes),
        (resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 5),
        (resource.RLIMIT_CORE, 0, 0),
    ):
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(limit, (soft, hard))


def _write_stream(table: pa.Table, sink: pa.NativeFile) -> None:
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)


def _stream_size(table: pa.Table) -> int:
    """Bytes of ``table`` as an IPC stream (a measuring pass that copies nothing)."""
    measure = pa.MockOutputStream()
    _write_stream(table, measure)
    return measure.size()


def _ipc_stream(table: pa.Table) -> pa.Buffer:
    """Serialise a table as an Arrow IPC stream into a buffer of the exact size (no regrowth)."""
    buffer = pa.allocate_buffer(_stream_size(table))
    _write_stream(table, pa.FixedSizeBufferWriter(buffer))
    return buffer


def _handoff_write(path: str, tables: list[pa.Table]) -> list[dict] | None:
    """Child: write the tables into the parent's shared-memory file; None if it cannot.

    The space is reserved up front (``posix_fallocate``), so a full /dev/shm is an error
    here, never a SIGBUS while writing through the mapping. Returns each stream's span.
    """
    sizes = [_stream_size(table) for table in tables]
    try:
        fd = os.open(path, os.O_RDWR)  # created by the parent (0600, unique name)
    except OSError:
        return None
    try:
        os.ftruncate(fd, 0)  # it held the workbook
        os.posix_fallocate(fd, 0, max(1, sum(sizes)))
        with pa.memory_map(path, "r+") as sink:
            for table in tables:
                _write_stream(table, sink)
    except (OSError, pa.ArrowException):
        return None
    finally:
        os.close(fd)
    offsets = [sum(sizes[:i]) for i in range(len(sizes))]
    return [{"offset": o, "size": n} for o, n in zip(offsets, sizes, strict=True)]


def _sandbox_main(
    conn,
    data: bytes | None,
    name: str,
    memory_bytes: int,
    cpu_seconds: int,
    handoff: str | None,
    kind: str = "workbook",
    csv_caps: tuple[int, int, int] | None = None,
) -> None:
    """Child: parse the workbook (or CSV, ``kind`` "csv"), send a JSON header then the sheets
    as Arrow IPC streams.

    With a shared-memory file ``handoff``, the workbook arrives in it (``data`` is None) and
    the streams go back in it (one copy each way, no pipe: ~4x faster for 100 MB); without
    one, the workbook comes as an argument and the streams over the pipe after the header.
    """
    _limit_resources(memory_bytes, cpu_seconds)
    from data_sources.memory import use_system_allocator

    use_system_allocator()
    os.environ["RUST_BACKTRACE"] = "0"
    # A reader that aborts (e.g. "memory allocation of … bytes failed") writes to stderr: the
    # child reports through its header instead, so the server's and the CLI's stderr stay clean.
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    started = parsed = time.perf_counter()
    blobs: list = []
    header: dict[str, Any]
    try:
        if data is None:
            assert handoff is not None  # the workbook came through the shared-memory file
            with open(handoff, "rb") as handle:
                data = handle.read()

        if kind == "csv":
            from data_sources import csv_file

            sheets = [csv_file.parse_csv(data, name, caps=csv_caps)]
        else:
            from data_sources import excel

            sheets = excel.parse_workbook(data, name)
        parsed = time.perf_counter()
        header = {
            "status": "ok",
            "sheets": [
                {
                    "sheet": s.sheet,
                    "first_row": s.first_row,
                    "first_col": s.first_col,
                    "notes": s.notes,
                }
                for s in sheets
            ],
        }
        tables = [sheet.table for sheet in sheets]
        spans = _handoff_write(handoff, tables) if handoff else None
        if spans is None:
            blobs = [_ipc_stream(table) for table in tables]
        else:
            header["handoff"] = spans
    except UnreadableFile as exc:
        header = {"status": "error", "code": exc.code, "params": _params_json(exc)}
        blobs = []
    except MemoryError:
        header, blobs = {"status": "error", "code": "out_of_memory"}, []
    except BaseException as exc:  # pyo3 panics derive from BaseException
        detail = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        header = {"status": "error", "code": "parse_failed", "detail": detail}
        blobs = []
    header["child_seconds"] = time.perf_counter() - started
    header["parse_seconds"] = parsed - started
    header["child_peak_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    conn.send_bytes(json.dumps(header, default=str).encode("utf-8"))
    for blob in blobs:
        conn.send_bytes(blob)
    conn.close()


def out_of_memory(name: str, limit_bytes: int | None = None) -> UnreadableFile:
    """The parser needed more memory than the sandbox allows (or was killed)."""
    if limit_bytes is None:
        limit_bytes = settings.reader_caps().sandbox_memory_bytes
    return refuse(
        name,
        "out_of_memory",
        limit_mb=limit_bytes // 1_048_576,
        setting="TRACKER_SANDBOX_MEMORY_MB",
    )


def timed_out(name: str, seconds: float) -> UnreadableFile:
    """The parser ran longer than the sandbox allows."""
    return refuse(name, "timeout", seconds=seconds, setting="TRACKER_SANDBOX_SECONDS")


class _Deadline(Exception):
    pass


def _receive(conn, deadline: float) -> bytes:
    if not conn.poll(max(0.0, deadline - time.monotonic())):
        raise _Deadline
    return conn.recv_bytes()


def parse_in_sandbox(
    data: bytes,
    name: str,
    *,
    timeout: float | None = None,
    memory_bytes: int | None = None,
    stats: dict | None = None,
    kind: str = "workbook",
) -> list:
    """Parse a workbook (or a CSV file: ``kind`` "csv") in a forkserver child with memory and
    time limits; list of SheetArrow.

    The child returns plain JSON plus Arrow IPC streams (never pickles), so even a child
    subverted by a hostile file cannot make the parent run code. A killed child becomes
    out_of_memory, an overrun becomes timeout. ``stats``, if given, receives the child's
    parse seconds and peak RSS (for benchmarks). ``timeout`` and ``memory_bytes`` default
    to the settings (settings.reader_caps); the CSV caps are read here and handed to the child
    (the forkserver's environment is the one it started with).
    """
    from data_sources.excel import SheetArrow

    caps = settings.reader_caps()
    timeout = caps.sandbox_seconds if timeout is None else timeout
    memory_bytes = caps.sandbox_memory_bytes if memory_bytes is None else memory_bytes

    ctx = _sandbox_context()
    receiver, sender = ctx.Pipe(duplex=False)
    handoff = _handoff_file(data)
    process = ctx.Process(  # type: ignore[attr-defined]
        target=_sandbox_main,
        args=(
            sender,
            None if handoff else data,
            name,
            memory_bytes,
            int(timeout) + 5,
            handoff,
            kind,
            (caps.csv_rows, caps.csv_columns, caps.cell_chars),
        ),
        name="data_sources-sandbox",
        daemon=True,
    )
    done = False
    try:
        with _main_module_hidden():
            process.start()
    finally:
        sender.close()
    try:
        deadline = time.monotonic() + timeout
        header = json.loads(_receive(receiver, deadline))
        if stats is not None:
            stats["child_seconds"] = header.get("child_seconds")
            stats["parse_seconds"] = header.get("parse_seconds")
            stats["child_peak_rss_kib"] = header.get("child_peak_rss_kib")
            stats["handoff"] = "shared memory" if header.get("handoff") else "pipe"
        if header.get("status") != "ok":
            raise _diagnosed(_child_error(header, name, memory_bytes), data, name)
        tables = (
            _handoff_read(handoff, header["handoff"], len(header["sheets"]))
            if header.get("handoff") and handoff
            else [
                pa.ipc.open_stream(_receive(receiver, deadline)).read_all()
                for _ in header["sheets"]
            ]
        )
        sheets = [
            SheetArrow(
                sheet=str(meta["sheet"]),
                table=table,
                first_row=int(meta["first_row"]),
                first_col=int(meta["first_col"]),
                notes=[str(note) for note in meta["notes"]],
            )
            for meta, table in zip(header["sheets"], tables, strict=True)
        ]
        done = True
        return sheets
    except _Deadline:
        process.kill()
        raise timed_out(name, timeout) from None
    except (EOFError, OSError, ValueError, TypeError, KeyError, pa.ArrowInvalid):
        process.join(5)
        error = _died(name, process.exitcode, memory_bytes, timeout)
        raise _diagnosed(error, data, name) from None
    finally:
        receiver.close()
        if done:
            # all output is in: let the child finish exiting (freeing its memory) off the
            # caller's clock, and reap it in the background
            threading.Thread(target=process.join, args=(30,), daemon=True).start()
        else:
            if process.is_alive():
                process.kill()
            process.join(5)
        if handoff:
            with contextlib.suppress(OSError):
                os.unlink(handoff)


def _handoff_file(data: bytes) -> str | None:
    """A new private file in shared memory (/dev/shm) holding ``data`` for the child, which
    then writes its output there; None where that is not possible (no /dev/shm, full)."""
    folder = HANDOFF_DIR
    if not (os.path.isdir(folder) and os.access(folder, os.W_OK)):
        return None
    try:
        fd, path = tempfile.mkstemp(prefix=HANDOFF_PREFIX, suffix=".arrow", dir=folder)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
        return None
    return path


def _handoff_read(path: str, spans: list, count: int) -> list[pa.Table]:
    """Parent: map the child's file and read each sheet's stream without copying it.

    The child is not trusted: spans must be ints inside the file, one per sheet. The tables
    keep the mapping alive; the file itself is unlinked by the caller right after.
    """
    source = pa.memory_map(path)
    total = source.size()
    if not isinstance(spans, list) or len(spans) != count:
        raise ValueError("bad handoff")
    tables = []
    for span in spans:
        offset, size = span["offset"], span["size"]
        if not (
            type(offset) is int and type(size) is int and 0 <= offset <= offset + size <= total
        ):
            raise ValueError("bad handoff span")
        source.seek(offset)
        tables.append(pa.ipc.open_stream(source.read_buffer(size)).read_all())
    return tables


def _diagnosed(error: UnreadableFile, data: bytes, name: str) -> UnreadableFile:
    """Name the real cause of a parser that ran out of memory, when it can be found.

    A zip whose parts expand beyond the sizes its directory declares passes the listing
    checks and then exhausts the reader: check each part against its declared size (streamed,
    never more than declared in memory) and call it a zip bomb. Only on this failure path.
    """
    if error.code != "out_of_memory" or not data.startswith(b"PK"):
        return error
    part = part_beyond_declared_size(data)
    if part is None:
        return error
    return refuse(name, "zip_bomb", variant="expands", part=part[:80])


# A parameter as the child may send it: JSON scalars, or a {"th", "en"} pair (a Bilingual).
_SCALARS = (str, int, float, bool, type(None))


def _params_json(error: UnreadableFile) -> dict[str, Any]:
    """Child: a refusal's parameters as JSON (a Bilingual as {"th": .., "en": ..})."""
    return {
        name: value._asdict() if isinstance(value, Bilingual) else value
        for name, value in error.params
    }


def _child_error(header: dict, name: str, memory_bytes: int | None = None) -> UnreadableFile:
    """Rebuild the child's error from its JSON header: a reader's code and its parameters.

    The child is not trusted: the code must be a reader's refusal, the parameters JSON scalars
    or {"th", "en"} texts, and both messages must render; otherwise the file is "damaged".
    """
    code = header.get("code")
    if code == "out_of_memory":
        return out_of_memory(name, memory_bytes)
    params = header.get("params")
    if (
        isinstance(code, str)
        and code in READER_REFUSALS
        and isinstance(params, dict)
        and all(map(_json_param, params.values()))
    ):
        try:
            error = UnreadableFile(name, code, **params)
            if error.reason_th and error.reason_en:  # both render (or raise now, not on display)
                return error
        except (KeyError, ValueError, TypeError, IndexError):
            pass
    detail = str(header.get("detail", ""))[:200]
    return damaged(name, detail or "reader error")


def _json_param(value: object) -> bool:
    if isinstance(value, dict):
        return set(value) == {"th", "en"} and all(isinstance(v, str) for v in value.values())
    return isinstance(value, _SCALARS)


def _died(
    name: str, exitcode: int | None, memory_bytes: int | None = None, seconds: float = 60.0
) -> UnreadableFile:
    """Map how the child ended to an error: killed/aborted = memory, SIGXCPU = time."""
    if exitcode in (-signal.SIGKILL, -signal.SIGABRT, -signal.SIGBUS):
        return out_of_memory(name, memory_bytes)
    if exitcode == -signal.SIGXCPU:
        return timed_out(name, seconds)
    return refuse(name, "parse_failed", variant="reader_stopped", exit_code=exitcode)
