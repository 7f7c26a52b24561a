"""Cut the big sheets of an .xlsx into row blocks, so the reader holds one block's cells at once.

calamine (under fastexcel) builds a sheet's whole cell grid before anything can be taken from
it: a sheet of a million directives is 13 million cells, 1.3-1.7 GB, held while its Arrow copy
is made. Neither fastexcel nor python-calamine offers calamine's streaming cell reader, so a
big sheet is cut here instead: a thread streams its XML once and writes every few thousand
whole ``<row>`` elements as a small workbook of their own (the original's workbook, styles and
shared strings, and the block as that sheet; entries stored, in an unlinked file in /dev/shm),
while the reader parses the block before it (``excel.iter_workbook``). One block's cells, and
at most two blocks' files, are in memory at once.

Every block after the first starts with a one-cell marker row at the previous block's last
row number, column A: calamine starts a sheet's grid at its first cell, so the marker tells
which Excel row and column the block's first row and column are, without the reader padding
the grid from row 1. The marker row is dropped when the blocks are joined.

Anything this module cannot cut with certainty (rows without ``r`` numbers or out of order,
CDATA sections or comments in the sheet, a workbook not at ``xl/workbook.xml``, shared strings
too big to copy into every block, an .xlsb or .ods) is left alone: the sheet is read whole.
"""

from __future__ import annotations

import contextlib
import io
import os
import queue
import re
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

# A sheet whose XML unpacks to more than this is cut, into blocks of about CHUNK_BYTES of XML
# (about 75,000 rows of a 13-column register: 150-200 MB of cells while a block is parsed).
SPLIT_BYTES = 192 * 2**20
CHUNK_BYTES = 96 * 2**20
# every block carries the shared strings, parsed again with each: beyond this, no cut
SHARED_MAX_BYTES = 16 * 2**20
_READ_BYTES = 8 * 2**20
# a head before <sheetData> or a run of XML without a closing </row> longer than this: no cut
_MAX_CARRY = 64 * 2**20
# parts every block carries whatever their size; other parts only up to _PART_MAX_BYTES
_NEEDED = ("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels")
_PART_MAX_BYTES = 2**20

MARKER_TEXT = "\u2060"  # the marker cell's text (never seen: its row is dropped)


class NotSplittable(Exception):
    """This workbook or sheet cannot be cut with certainty: read it whole."""


@dataclass
class Block:
    """One block of a sheet: a workbook of its own, in an unlinked file (``path`` reads it
    while open). ``marker`` is the Excel row of its marker row (0 for the first block)."""

    sheet: int
    marker: int
    handle: IO[bytes]
    on_close: Callable[[], None] | None = None

    @property
    def path(self) -> str:
        return f"/proc/self/fd/{self.handle.fileno()}"

    def close(self) -> None:
        if self.handle.closed:
            return
        self.handle.close()
        if self.on_close is not None:
            self.on_close()


def sheets_to_cut(source: bytes | str) -> list[int]:
    """Indices of the sheets to read in blocks: .xlsx sheets over SPLIT_BYTES of XML, when the
    workbook's shape is known and its shared strings are small (cheap: zip directory and
    workbook.xml only). Empty when there are none or none can be cut."""
    if not os.path.isdir("/proc/self/fd"):
        return []
    try:
        with zipfile.ZipFile(_opened(source)) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            if not any(
                info.file_size > SPLIT_BYTES and name.startswith("xl/worksheets/")
                for name, info in infos.items()
            ):
                return []
            shared = infos.get("xl/sharedStrings.xml")
            if shared is not None and shared.file_size > SHARED_MAX_BYTES:
                return []
            parts = _sheet_parts(archive)
    except (zipfile.BadZipFile, NotSplittable, OSError, ValueError, KeyError):
        return []
    return [i for i, part in enumerate(parts) if part and infos[part].file_size > SPLIT_BYTES]


def _opened(source: bytes | str) -> IO[bytes] | str:
    return io.BytesIO(source) if isinstance(source, bytes) else source


_SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet\b[^>]*?/?>")
_ATTR_RID = re.compile(rb'\s[\w.-]+:id="([^"]*)"')
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\b[^>]*?/?>")
_ATTR_ID = re.compile(rb'\sId="([^"]*)"')
_ATTR_TARGET = re.compile(rb'\sTarget="([^"]*)"')


def _sheet_parts(archive: zipfile.ZipFile) -> list[str]:
    """The part name of each sheet, in workbook order ("" where not found)."""
    names = set(archive.namelist())
    if not all(part in names for part in _NEEDED):
        raise NotSplittable("not the usual .xlsx parts")
    targets: dict[bytes, bytes] = {}
    for element in _RELATIONSHIP.finditer(archive.read("xl/_rels/workbook.xml.rels")):
        found_id = _ATTR_ID.search(element.group(0))
        found_target = _ATTR_TARGET.search(element.group(0))
        if found_id and found_target:
            targets[found_id.group(1)] = found_target.group(1)
    parts: list[str] = []
    for element in _SHEET.finditer(archive.read("xl/workbook.xml")):
        found_rid = _ATTR_RID.search(element.group(0))
        target = targets.get(found_rid.group(1)) if found_rid else None
        part = _part_name(target) if target else ""
        parts.append(part if part in names else "")
    return parts


def _part_name(target: bytes) -> str:
    text = target.decode("utf-8", "replace")
    if ".." in text or "\\" in text:
        return ""
    return text[1:] if text.startswith("/") else f"xl/{text.removeprefix('./')}"


def _block_folder() -> str:
    """/dev/shm (a block lives a few seconds and at most two exist at once), else disk."""
    for folder in ("/dev/shm", "/var/tmp", tempfile.gettempdir()):
        if os.path.isdir(folder) and os.access(folder, os.W_OK):
            return folder
    return tempfile.gettempdir()


class BlockWriter:
    """Cuts ``sheets`` of ``source`` into blocks in a thread of its own, one block ahead of
    the reader: ``blocks(i)`` yields sheet ``i``'s blocks (sheets in the order given)."""

    def __init__(self, source: bytes | str, sheets: list[int], folder: str | None = None):
        self.source, self.sheets = source, sheets
        self.folder = folder or _block_folder()
        self.queue: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=1)
        # block files in existence: the one being read and the one being written
        self.room = threading.Semaphore(2)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._work, name="xlsx-blocks", daemon=True)
        self.thread.start()

    def blocks(self, sheet: int) -> Iterator[Block]:
        """Sheet ``sheet``'s blocks, in order; the caller closes each. Raises NotSplittable
        when the sheet turned out not to be cuttable (the blocks seen so far are void)."""
        finished = False
        try:
            while True:
                kind, value = self.queue.get()
                if kind == "block":
                    assert isinstance(value, Block) and value.sheet == sheet
                    yield value
                    continue
                finished = True
                if kind == "done":
                    return
                if kind == "failed":
                    raise NotSplittable(str(value))
                assert isinstance(value, BaseException)
                raise value
        finally:
            while not finished:  # the reader gave up on this sheet: skip its other blocks
                kind, value = self.queue.get()
                if kind == "block":
                    assert isinstance(value, Block)
                    value.close()
                else:
                    finished = True

    def close(self) -> None:
        self.stop.set()
        while self.thread.is_alive():
            try:
                kind, value = self.queue.get(timeout=0.1)
            except queue.Empty:
                continue
            if kind == "block":
                assert isinstance(value, Block)
                value.close()

    def _put(self, item: tuple[str, object]) -> None:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
        if item[0] == "block":
            assert isinstance(item[1], Block)
            item[1].close()
        raise _Stopped

    def _work(self) -> None:
        try:
            with zipfile.ZipFile(_opened(self.source)) as archive:
                parts = _sheet_parts(archive)
                common = [
                    (info.filename, archive.read(info))
                    for info in archive.infolist()
                    if not info.filename.startswith("xl/worksheets/")
                    and (
                        info.filename in _NEEDED
                        or info.filename in ("xl/sharedStrings.xml", "xl/styles.xml")
                        or info.file_size <= _PART_MAX_BYTES
                    )
                ]
                for sheet in self.sheets:
                    try:
                        for block in self._cut(archive, parts[sheet], sheet, common):
                            self._put(("block", block))
                    except NotSplittable as exc:
                        self._put(("failed", exc))
                        continue
                    self._put(("done", None))
        except _Stopped:
            return
        except BaseException as exc:  # the reader raises it for the sheet it waits on
            try:
                self._put(("error", exc))
            except _Stopped:
                return

    def _cut(
        self, archive: zipfile.ZipFile, part: str, sheet: int, common: list[tuple[str, bytes]]
    ) -> Iterator[Block]:
        with archive.open(part) as reader:
            rows = _Rows(reader)
            block: tuple[Block, zipfile.ZipFile, IO[bytes]] | None = None
            written = last_closed = 0
            try:
                for whole, last in rows.runs():
                    if self.stop.is_set():
                        raise _Stopped
                    if block is None:
                        if last == last_closed:
                            continue  # no row in this run: blanks after the last block
                        block = self._open_block(sheet, part, last_closed, common)
                        block[2].write(rows.head)
                        if last_closed:
                            block[2].write(_marker_row(rows.prefix, last_closed))
                        written = 0
                    block[2].write(whole)
                    written += len(whole)
                    if written >= CHUNK_BYTES:
                        yield self._closed_block(block, rows.closing)
                        block, last_closed = None, last
                if block is not None:
                    yield self._closed_block(block, rows.closing)
                    block = None
            finally:
                if block is not None:  # cut short: the block's file goes unread
                    with contextlib.suppress(Exception):
                        block[2].close()
                        block[1].close()
                    block[0].close()

    def _open_block(
        self, sheet: int, part: str, marker: int, common: list[tuple[str, bytes]]
    ) -> tuple[Block, zipfile.ZipFile, IO[bytes]]:
        while not self.room.acquire(timeout=0.1):  # until the reader is done with a block
            if self.stop.is_set():
                raise _Stopped
        try:
            handle = tempfile.TemporaryFile(dir=self.folder)  # noqa: SIM115 (handed on open)
        except BaseException:
            self.room.release()
            raise
        block = Block(sheet=sheet, marker=marker, handle=handle, on_close=self.room.release)
        try:
            archive = zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED, allowZip64=True)
            for name, data in common:
                archive.writestr(name, data)
            return block, archive, archive.open(part, "w", force_zip64=True)
        except BaseException:
            block.close()
            raise

    @staticmethod
    def _closed_block(block: tuple[Block, zipfile.ZipFile, IO[bytes]], closing: bytes) -> Block:
        block[2].write(closing)
        block[2].close()
        block[1].close()
        block[0].handle.flush()
        return block[0]


class _Stopped(Exception):
    """The reader is gone: stop cutting."""


_SHEET_DATA = re.compile(rb"<((?:[\w.-]+:)?)sheetData\b[^>]*?(/?)>")
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?/>")
_ROOT = re.compile(rb"<((?:[\w.-]+:)?worksheet)\b")


class _Rows:
    """The rows of one sheet part, streamed: yields runs of whole <row> elements."""

    def __init__(self, reader: IO[bytes]) -> None:
        self.reader = reader
        head = b""
        while True:
            block = reader.read(_READ_BYTES)
            if not block:
                raise NotSplittable("no sheetData")
            head += block
            found = _SHEET_DATA.search(head)
            if found:
                break
            if len(head) > _MAX_CARRY:
                raise NotSplittable("head too long")
        if found.group(2):
            raise NotSplittable("empty sheetData")
        root = _ROOT.search(head, 0, found.start())
        if root is None:
            raise NotSplittable("no worksheet element")
        prefix = found.group(1)
        self.prefix = prefix
        self.head = _DIMENSION.sub(b"", head[: found.end()])
        self.closing = b"</%ssheetData></%s>" % (prefix, root.group(1))
        self.carry = head[found.end() :]
        self.row_close = b"</%srow>" % prefix
        self.data_close = b"</%ssheetData>" % prefix
        self.row_tag = b"<%srow" % prefix
        self.row_numbered = b'<%srow r="' % prefix  # as Excel writes it
        self.row_open = re.compile(rb"<%srow[\s/>]" % re.escape(prefix))
        self.row_number = re.compile(rb'<%srow\s[^>]*?\br="(\d+)"' % re.escape(prefix))
        self.last_row = 0

    def runs(self) -> Iterator[tuple[memoryview, int]]:
        """Yield (whole rows, last row number so far) until </sheetData>.

        Rows must carry their numbers, and each run must start after the last one ended;
        what the reader finds inside a block is checked when the blocks are joined
        (``excel._parse_blocks``).
        """
        done = False
        while not done:
            block = self.reader.read(_READ_BYTES)
            buffer = self.carry + block if self.carry else block
            cut = buffer.find(self.data_close)
            if cut >= 0:
                done = True
            elif not block:
                raise NotSplittable("no </sheetData>")
            else:
                cut = buffer.rfind(self.row_close)
                if cut < 0:
                    if len(buffer) > _MAX_CARRY:
                        raise NotSplittable("no </row> for too long")
                    self.carry = buffer
                    continue
                cut += len(self.row_close)
            if buffer.find(b"<![CDATA[", 0, cut) >= 0 or buffer.find(b"<!--", 0, cut) >= 0:
                raise NotSplittable("CDATA or comment")
            self._check_numbers(buffer, cut)
            self.carry = b"" if done else buffer[cut:]
            yield memoryview(buffer)[:cut], self.last_row

    def _check_numbers(self, buffer: bytes, cut: int) -> None:
        tags = buffer.count(self.row_tag, 0, cut)
        if not tags:
            return
        if tags != buffer.count(self.row_numbered, 0, cut):  # other attribute order: exact
            whole = buffer[:cut]
            if len(self.row_number.findall(whole)) != len(self.row_open.findall(whole)):
                raise NotSplittable("a row without its number")
        first = self.row_number.match(buffer, buffer.find(self.row_tag, 0, cut))
        last = self.row_number.match(buffer, buffer.rfind(self.row_tag, 0, cut))
        if first is None or last is None:
            raise NotSplittable("a row without its number")
        first_row, last_row = int(first.group(1)), int(last.group(1))
        if first_row <= self.last_row or last_row < first_row:
            raise NotSplittable("rows out of order")
        self.last_row = last_row


def _marker_row(prefix: bytes, row: int) -> bytes:
    return (
        (
            b'<{p}row r="{r}"><{p}c r="A{r}" t="inlineStr"><{p}is><{p}t>{t}</{p}t></{p}is></{p}c>'
            b"</{p}row>"
        )
        .replace(b"{p}", prefix)
        .replace(b"{r}", str(row).encode())
        .replace(b"{t}", MARKER_TEXT.encode())
    )
