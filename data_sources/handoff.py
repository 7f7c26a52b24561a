"""Sheets handed from the parse child to its parent through files in /dev/shm.

The child writes each parsed sheet as an Arrow IPC stream into its own new file (0600,
created by the child, never an existing file); the parent checks the file (a regular file of
its own user, of the size the child said), maps it without copying and unlinks it at once, so
a sheet's memory goes back to the system as soon as the sheet is let go. A sheet read in row
blocks comes a column per file, each column joined as it is written (``_columns_write``).
Uploaded bytes reach the child the same way (``_handoff_file``). Where there is no writable
/dev/shm, everything goes over the pipe instead (``data_sources.sandbox``).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time

import pyarrow as pa

import settings
from data_sources.memory import release_memory

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


def sheet_file(token: str, index: int, column: int | None = None) -> str:
    """Where the child leaves sheet ``index`` of the parse ``token`` (in /dev/shm), or its
    column ``column`` when the sheet is handed over a column per file."""
    suffix = "" if column is None else f"-c{column}"
    return os.path.join(HANDOFF_DIR, f"{HANDOFF_PREFIX}{token}-{index}{suffix}.arrow")


def _in_blocks(table: pa.Table) -> bool:
    """A sheet read in row blocks (its columns still in pieces, see excel._parse_blocks)."""
    return any(column.num_chunks > 1 for column in table.columns)


def _columns_write(token: str, index: int, holder: list[pa.Table]) -> list[int]:
    """Child: a sheet read in row blocks, one file per column: each column is joined into one
    piece as it is written and its blocks let go, so the sheet is never held twice (its
    pieces and a joined copy, or a copy and its file). ``holder`` hands over the only
    reference to the table. Raises MemoryError when a file cannot be written (its files
    are removed): the pieces already let go cannot go over the pipe instead."""
    table = holder.pop()
    names = table.column_names
    columns: list[pa.ChunkedArray | None] = list(table.columns)
    del table
    sizes: list[int] = []
    for j, name in enumerate(names):
        column = columns[j]
        assert column is not None
        columns[j] = None
        joined = pa.table([pa.concat_arrays(column.chunks)], names=[name])
        del column
        size = _file_write(sheet_file(token, index, j), joined)
        del joined
        release_memory()  # the column's blocks, back to the system before the next column
        if size is None:
            for k in range(j):
                with contextlib.suppress(OSError):
                    os.unlink(sheet_file(token, index, k))
            raise MemoryError("no room in /dev/shm for the sheet")
        sizes.append(size)
    return sizes


def _sheet_write(token: str, index: int, table: pa.Table) -> int | None:
    """Child: write one sheet as an Arrow IPC stream into its own new shared-memory file
    (0600, created here, never an existing file); its size, or None if it cannot (no
    /dev/shm, full: the sheet then goes over the pipe). Plain writes, no mapping: the
    pages are the file's, not the child's."""
    return _file_write(sheet_file(token, index), table)


def _file_write(path: str, table: pa.Table) -> int | None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "wb") as handle:
            sink = pa.PythonFile(handle, mode="w")
            _write_stream(table, sink)
            size = sink.tell()
    except (OSError, pa.ArrowException):
        with contextlib.suppress(OSError):
            os.unlink(path)
        return None
    return size


def _sheet_read(token: str, index: int, size: object) -> pa.Table:
    """Parent: map sheet ``index``'s file and read its stream without copying it, then unlink
    the file (the mapping lives on in the table, and ends with it: each sheet's memory goes
    back to the system as soon as the sheet is let go). A list of sizes: the sheet came a
    column per file (``_columns_write``), each mapped the same way.

    The child is not trusted: the file must be a regular file of ours, of the size it said.
    """
    if isinstance(size, list):
        if not size or len(size) > 16_384:
            raise ValueError("bad handoff size")
        parts = [_file_read(sheet_file(token, index, j), n) for j, n in enumerate(size)]
        if any(part.num_columns != 1 for part in parts):
            raise ValueError("bad handoff file")
        return pa.table(
            [part.column(0) for part in parts], names=[part.column_names[0] for part in parts]
        )
    return _file_read(sheet_file(token, index), size)


def _file_read(path: str, size: object) -> pa.Table:
    if type(size) is not int or size <= 0:
        raise ValueError("bad handoff size")
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_size != size:
        raise ValueError("bad handoff file")
    try:
        source = pa.memory_map(path)
    finally:
        os.unlink(path)
    return pa.ipc.open_stream(source).read_all()


def _remove_sheet_files(token: str) -> None:
    """Remove every file the child left for the parse ``token`` (after a failure)."""
    prefix = f"{HANDOFF_PREFIX}{token}-"
    with contextlib.suppress(OSError):
        for entry in os.scandir(HANDOFF_DIR):
            if entry.name.startswith(prefix):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _handoff_possible() -> bool:
    """Whether sheets can come back through shared-memory files (a writable /dev/shm)."""
    return os.path.isdir(HANDOFF_DIR) and os.access(HANDOFF_DIR, os.W_OK)


def _handoff_file(data: bytes) -> str | None:
    """A new private file in shared memory (/dev/shm) holding ``data`` for the child (it reads
    it through its own descriptor; the name goes as soon as the child has started); None
    where that is not possible (no /dev/shm, full)."""
    folder = HANDOFF_DIR
    if not _handoff_possible():
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
