"""Parses workbooks (and CSV) in a sandboxed child process, so a hostile file cannot take
the app down with it.

Workbooks are parsed in a forkserver child with an address-space and CPU limit, so a hostile
file that makes the Rust reader allocate hundreds of GB kills only the child, not the app.
The child reads its input through a file descriptor sent with it (a local file, or a private
/dev/shm copy of uploaded bytes) and hands each sheet back, as soon as it is parsed, as an
Arrow IPC stream in its own private file in /dev/shm (one copy, mapped by the parent without
copying; a sheet read in row blocks, a column per file: ``data_sources.handoff``), or over the
pipe where that is not possible.
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
import secrets
import signal
import sys
import threading
import time
from collections.abc import Iterable
from typing import Any

import pyarrow as pa

import settings
from data_sources import handoff
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

    handoff.sweep_stale_handoffs()
    _sandbox_context()
    forkserver.ensure_running()


def _limit_resources(memory_bytes: int, cpu_seconds: int) -> None:
    """Cap the child's address space and CPU time (best effort where unsupported)."""
    for limit, soft, hard in (
        (resource.RLIMIT_AS, memory_bytes, memory_bytes),
        (resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 5),
        (resource.RLIMIT_CORE, 0, 0),
    ):
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(limit, (soft, hard))


class _InputFd:
    """An open file handed to the child as a descriptor (sent with the process, as
    multiprocessing sends a pipe's ends): the child reads the very file the parent checked,
    whatever happens to its name meanwhile."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __reduce__(self):
        from multiprocessing import reduction

        return (_rebuild_input_fd, (reduction.DupFd(self.fd),))


def _rebuild_input_fd(dup) -> _InputFd:
    return _InputFd(dup.detach())


def _child_input(source: _InputFd | bytes | None, kind: str) -> bytes | str:
    """Child: the workbook as a path to its descriptor (calamine reads the file itself, so
    the child never holds its bytes), or the bytes (a CSV file; no /proc)."""
    if not isinstance(source, _InputFd):
        assert source is not None
        return source
    path = f"/proc/self/fd/{source.fd}"
    if kind != "csv" and os.path.exists(path):
        return path
    size = os.fstat(source.fd).st_size
    return os.pread(source.fd, size + 1, 0)


def _sandbox_main(
    conn,
    source: _InputFd | bytes | None,
    name: str,
    memory_bytes: int,
    cpu_seconds: int,
    token: str | None,
    kind: str = "workbook",
    csv_caps: tuple[int, int, int] | None = None,
) -> None:
    """Child: parse the workbook (or CSV, ``kind`` "csv"), send a JSON header then, for the
    sheets not handed over in shared memory, their Arrow IPC streams over the pipe.

    ``source`` is the input file's descriptor (a local file, or the shared-memory copy of
    uploaded bytes) or, where there is no /dev/shm, the bytes themselves. With a ``token``,
    each sheet is written to its own shared-memory file as soon as it is parsed and let go
    before the next is parsed (one copy, no pipe; the child's memory holds one sheet at a
    time); header["handoff"] gives each sheet's size there, or null for a sheet sent over
    the pipe instead.
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
        data = _child_input(source, kind)
        if kind == "csv":
            from data_sources import csv_file

            assert isinstance(data, bytes)
            sheets: Iterable = [csv_file.parse_csv(data, name, caps=csv_caps)]
        else:
            from data_sources import excel

            sheets = excel.iter_workbook(data, name)
        metas: list[dict[str, Any]] = []
        sizes: list[int | list[int] | None] = []
        for sheet in sheets:
            metas.append(
                {
                    "sheet": sheet.sheet,
                    "first_row": sheet.first_row,
                    "first_col": sheet.first_col,
                    "notes": sheet.notes,
                }
            )
            size: int | list[int] | None = None
            if token and handoff._in_blocks(sheet.table):
                holder, sheet.table = [sheet.table], pa.table({})  # the writer's alone now
                size = handoff._columns_write(token, len(sizes), holder)
            elif token:
                size = handoff._sheet_write(token, len(sizes), sheet.table)
            sizes.append(size)
            if size is None:
                blobs.append(handoff._ipc_stream(sheet.table))
            del sheet  # its cells go before the next sheet is parsed
        parsed = time.perf_counter()
        header = {"status": "ok", "sheets": metas}
        if token:
            header["handoff"] = sizes
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
    data: bytes | None,
    name: str,
    *,
    timeout: float | None = None,
    memory_bytes: int | None = None,
    stats: dict | None = None,
    kind: str = "workbook",
    fd: int | None = None,
) -> list:
    """Parse a workbook (or a CSV file: ``kind`` "csv") in a forkserver child with memory and
    time limits; list of SheetArrow.

    The input is ``data``, or (``data`` None) the open file ``fd``, which the child reads
    itself: a local file's bytes never need to be in this process while it is parsed.
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
    token = secrets.token_hex(8) if handoff._handoff_possible() else None
    upload_copy = None
    if fd is None:
        assert data is not None
        upload_copy = handoff._handoff_file(data) if token else None
    if upload_copy is not None:
        fd = os.open(upload_copy, os.O_RDONLY)
    source: _InputFd | bytes | None = _InputFd(fd) if fd is not None else data
    process = ctx.Process(  # type: ignore[attr-defined]
        target=_sandbox_main,
        args=(
            sender,
            source,
            name,
            memory_bytes,
            int(timeout) + 5,
            token,
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
        if upload_copy is not None:  # the child has its own descriptor of the copy now
            os.close(fd)  # type: ignore[arg-type]
            with contextlib.suppress(OSError):
                os.unlink(upload_copy)
    try:
        deadline = time.monotonic() + timeout
        header = json.loads(_receive(receiver, deadline))
        sizes = header.get("handoff") if token else None
        if stats is not None:
            stats["child_seconds"] = header.get("child_seconds")
            stats["parse_seconds"] = header.get("parse_seconds")
            stats["child_peak_rss_kib"] = header.get("child_peak_rss_kib")
            stats["handoff"] = "shared memory" if sizes and None not in sizes else "pipe"
        if header.get("status") != "ok":
            raise _diagnosed(_child_error(header, name, memory_bytes), data, name, fd)
        metas = header["sheets"]
        if sizes is not None and (not isinstance(sizes, list) or len(sizes) != len(metas)):
            raise ValueError("bad handoff")
        sheets = []
        for index, meta in enumerate(metas):
            size = sizes[index] if sizes is not None else None
            table = (
                pa.ipc.open_stream(_receive(receiver, deadline)).read_all()
                if size is None
                else handoff._sheet_read(token, index, size)  # type: ignore[arg-type]
            )
            sheets.append(
                SheetArrow(
                    sheet=str(meta["sheet"]),
                    table=table,
                    first_row=int(meta["first_row"]),
                    first_col=int(meta["first_col"]),
                    notes=[str(note) for note in meta["notes"]],
                )
            )
        done = True
        return sheets
    except _Deadline:
        process.kill()
        raise timed_out(name, timeout) from None
    except (EOFError, OSError, ValueError, TypeError, KeyError, pa.ArrowInvalid):
        process.join(5)
        error = _died(name, process.exitcode, memory_bytes, timeout)
        raise _diagnosed(error, data, name, fd) from None
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
            if token:
                handoff._remove_sheet_files(token)


def _diagnosed(
    error: UnreadableFile, data: bytes | None, name: str, fd: int | None = None
) -> UnreadableFile:
    """Name the real cause of a parser that ran out of memory, when it can be found.

    A zip whose parts expand beyond the sizes its directory declares passes the listing
    checks and then exhausts the reader: check each part against its declared size (streamed,
    never more than declared in memory) and call it a zip bomb. Only on this failure path
    (a local file's bytes are read again from ``fd`` for it).
    """
    if error.code != "out_of_memory":
        return error
    if data is None and fd is not None:
        with contextlib.suppress(OSError):
            data = os.pread(fd, os.fstat(fd).st_size, 0)
    if not data or not data.startswith(b"PK"):
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
