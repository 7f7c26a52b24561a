"""Checks every untrusted file before parsing, and parses workbooks in a sandboxed child.

What a file is comes from its content, never its name: a zip is .xlsx or .ods only if its
``[Content_Types].xml`` / ``mimetype`` says so, an OLE2 file is .xls only if its directory
has a Workbook stream (an ``EncryptionInfo`` stream means an encrypted OOXML), anything else
must be text (CSV). Zip listings are checked (entries, unpacked size, ratio) before anything
is decompressed; macros, encryption and XML with a DTD/entities are refused. Workbooks are
then parsed in a forkserver child with an address-space and CPU limit, so a hostile file
that makes the Rust reader allocate hundreds of GB kills only the child, not the app.
The child hands the sheets back as Arrow IPC streams in a private file in /dev/shm (one
copy, read by the parent without copying), or over the pipe where that is not possible.

As with any multiprocessing start method but fork, a *script* run as ``python script.py``
that reads workbooks must keep its top-level code under ``if __name__ == "__main__":``
(the child imports the main module); ``python -m``, pytest and ``streamlit run`` are fine.
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing as mp
import os
import resource
import signal
import struct
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from pathlib import PurePath
from typing import Any

import pyarrow as pa
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from data_sources.base import UnreadableFile, empty_file, refuse

# --- limits (module constants so that the app, the CLI and tests agree on them) ---
MAX_BYTES = 20 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
# Excel's shared strings keep sheets ~8x their zipped size, but writers that use inline
# strings (xlsxwriter constant_memory, many web exports) reach ~21x: 20 MB x 21 > 400 MB.
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
# The ratio is only judged on entries big enough to matter: a 100 KB run of blanks
# compresses 500:1 harmlessly.
RATIO_MIN_ENTRY_BYTES = 4 * 1024 * 1024
MAX_MANIFEST_BYTES = 8 * 1024 * 1024
MAX_XML_PROLOG_BYTES = 1024 * 1024
# Address space, not RSS: allocators reserve far more than they touch. A legitimate 19 MB
# workbook (360,000 rows x 12 Thai text columns) peaks at 1.2 GB RSS but 2.7 GB of address
# space, so 2 GB would refuse it; 4 GB still stops A1:XFD1048576 (a 512 GB allocation).
SANDBOX_MEMORY_BYTES = 4 * 1024 * 1024 * 1024
SANDBOX_TIMEOUT_SECONDS = 60.0

ERROR_CODES = frozenset(
    {
        "too_large",
        "empty_file",
        "not_a_spreadsheet",
        "zip_bomb",
        "macro_enabled",
        "encrypted",
        "xml_attack",
        "bad_encoding",
        "parse_failed",
        "timeout",
        "out_of_memory",
        "not_found",
        "cell_too_long",
    }
)

WORKBOOK_EXTENSIONS = frozenset(
    {".xlsx", ".xlsm", ".xltx", ".xltm", ".xlam", ".xlsb", ".xls", ".xlt", ".ods", ".ots"}
)
MACRO_EXTENSIONS = frozenset({".xlsm", ".xltm", ".xlam"})

XLSX_MAIN_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    }
)
XLSB_MAIN_TYPE = "application/vnd.ms-excel.sheet.binary.macroenabled.main"
# Parts that run code or embed programs, refused like VBA: Excel 4 (XLM) macro sheets, ActiveX
# controls, embedded OLE objects (their own programs).
MACRO_PARTS = ("xl/macrosheets/", "xl/intlmacrosheets/", "xl/activex/", "xl/embeddings/")
ACTIVE_CONTENT_TYPES = frozenset(
    {
        "application/vnd.ms-excel.macrosheet+xml",
        "application/vnd.ms-excel.intlmacrosheet+xml",
        "application/vnd.ms-office.activex+xml",
        "application/vnd.ms-office.activex",
        "application/vnd.openxmlformats-officedocument.oleobject",
    }
)
ODS_MIMETYPES = frozenset(
    {
        b"application/vnd.oasis.opendocument.spreadsheet",
        b"application/vnd.oasis.opendocument.spreadsheet-template",
    }
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
BINARY_MAGICS = {
    b"%PDF": "PDF",
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"\x1f\x8b": "gzip",
    b"7z\xbc\xaf": "7-Zip",
    b"Rar!": "RAR",
    b"MZ": "EXE",
}


def too_large(name: str, size: int, limit: int) -> UnreadableFile:
    """The file is bigger than the upload cap."""
    mb, cap = f"{size / 1_048_576:,.1f}", f"{limit / 1_048_576:,.0f}"
    return refuse(
        name,
        "too_large",
        f"ไฟล์มีขนาดใหญ่เกินกำหนด ({mb} MB; รับได้ไม่เกิน {cap} MB)",
        f"The file is too large ({mb} MB; the limit is {cap} MB).",
    )


def extension_of(name: str) -> str:
    """Lower-case extension of a display name; the name is never used as a path."""
    return PurePath(name.replace("\\", "/")).suffix.lower()


# --------------------------------------------------------------------------------------
# What kind of file is it?
# --------------------------------------------------------------------------------------


def detect_kind(data: bytes, name: str) -> str:
    """Return "xlsx", "ods", "xls" or "csv" from the content, after every safety check.

    Raises UnreadableFile (empty_file, not_a_spreadsheet, zip_bomb, macro_enabled,
    encrypted, xml_attack) when the file must not be parsed.
    """
    if not data or data.isspace():
        raise empty_file(name)
    extension = extension_of(name)
    if data.startswith(ZIP_MAGICS):
        kind = inspect_zip(data, name)
    elif data.startswith(OLE_MAGIC):
        kind = inspect_ole(data, name)
    else:
        _refuse_binary_or_markup(data, name, extension)
        return "csv"
    if extension in MACRO_EXTENSIONS:
        raise _macro(name, f"extension {extension}")
    return kind


def _refuse_binary_or_markup(data: bytes, name: str, extension: str) -> None:
    """Refuse known non-text formats, web pages/XML saved as .xls, and renamed files."""
    for magic, label in BINARY_MAGICS.items():
        if data.startswith(magic):
            raise refuse(
                name,
                "not_a_spreadsheet",
                f"ไฟล์นี้เป็นไฟล์ {label} ไม่ใช่ตารางข้อมูล (รับ .xlsx .xls .ods .csv)",
                f"This is a {label} file, not a spreadsheet (accepted: .xlsx .xls .ods .csv).",
            )
    head = data[:65536]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse(
            name,
            "not_a_spreadsheet",
            "ไฟล์นี้ไม่ใช่ไฟล์ตารางข้อมูลที่รองรับ (เป็นไฟล์ไบนารีที่ไม่รู้จัก)",
            "This is not a supported spreadsheet (an unknown binary file).",
        )
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta")):
        raise refuse(
            name,
            "not_a_spreadsheet",
            "ไฟล์นี้เป็นหน้าเว็บหรือ XML ที่ตั้งชื่อเป็นไฟล์ตาราง กรุณาเปิดใน Excel แล้วบันทึกเป็น .xlsx ก่อนอัปโหลด",
            "This is a web page or XML file named like a spreadsheet; open it in Excel and "
            "save it as .xlsx before uploading.",
        )
    if extension in WORKBOOK_EXTENSIONS:
        raise refuse(
            name,
            "not_a_spreadsheet",
            f"ไฟล์ใช้นามสกุล {extension} แต่เนื้อในไม่ใช่ไฟล์ Excel/ODS "
            "(อาจถูกเปลี่ยนชื่อมาจากไฟล์ชนิดอื่น) กรุณาเปิดใน Excel แล้วบันทึกเป็น .xlsx",
            f"The file is named {extension} but its content is not an Excel/ODS workbook "
            "(it may have been renamed); open it in Excel and save it as .xlsx.",
        )


def _macro(name: str, why: str) -> UnreadableFile:
    return refuse(
        name,
        "macro_enabled",
        "ไฟล์มีมาโคร (VBA) ซึ่งไม่รับเพื่อความปลอดภัย กรุณาบันทึกเป็น “Excel Workbook (.xlsx)” แล้วอัปโหลดใหม่",
        f"The workbook contains macros ({why}), which are refused for safety; save it as "
        "“Excel Workbook (.xlsx)” and upload it again.",
    )


def _encrypted(name: str) -> UnreadableFile:
    return refuse(
        name,
        "encrypted",
        "ไฟล์ถูกเข้ารหัสหรือตั้งรหัสผ่านไว้ กรุณาเอารหัสผ่านออกแล้วบันทึกใหม่ก่อนอัปโหลด",
        "The file is encrypted or password-protected; remove the password, save it and "
        "upload it again.",
    )


def _zip_bomb(name: str, why_th: str, why_en: str) -> UnreadableFile:
    return refuse(
        name,
        "zip_bomb",
        f"ไฟล์มีโครงสร้างผิดปกติ ({why_th}) จึงไม่เปิดเพื่อความปลอดภัย",
        f"The file's structure is abnormal ({why_en}), so it was not opened, for safety.",
    )


def _xml_attack(name: str, part: str) -> UnreadableFile:
    return refuse(
        name,
        "xml_attack",
        f"ไฟล์มี XML ที่ไม่ปลอดภัย (DTD/ENTITY ใน {part}) จึงไม่เปิดเพื่อความปลอดภัย",
        f"The file contains unsafe XML (a DTD/entity declaration in {part}), so it was not "
        "opened, for safety.",
    )


def _damaged(name: str, detail: str) -> UnreadableFile:
    return refuse(
        name,
        "parse_failed",
        f"ไฟล์เสียหายหรือไม่สมบูรณ์ ({detail}) ลองเปิดใน Excel แล้วบันทึกใหม่",
        f"The file is damaged or incomplete ({detail}); open it in Excel and save it again.",
    )


def _not_workbook(name: str, what_th: str, what_en: str) -> UnreadableFile:
    return refuse(
        name,
        "not_a_spreadsheet",
        f"ไฟล์นี้ไม่ใช่ไฟล์ตารางข้อมูลที่รองรับ ({what_th}) รับเฉพาะ .xlsx .xls .ods .csv",
        f"This is not a supported spreadsheet ({what_en}); accepted: .xlsx .xls .ods .csv.",
    )


# --------------------------------------------------------------------------------------
# Zip containers: .xlsx and .ods
# --------------------------------------------------------------------------------------


def inspect_zip(data: bytes, name: str) -> str:
    """Check a zip container from its listing first, then its manifests; "xlsx" or "ods"."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise _damaged(name, f"zip: {exc}") from None
    _check_zip_listing(infos, name)
    entries = {info.filename: info for info in infos}
    lowered = {filename.lower() for filename in entries}
    for filename in lowered:
        if filename.endswith("vbaproject.bin") or filename.startswith(MACRO_PARTS):
            raise _macro(name, filename)
        if filename.startswith(("basic/", "scripts/")):
            raise _macro(name, filename)
    for info in infos:
        _check_xml_prolog(archive, info, name)

    if "[Content_Types].xml" in entries:
        return _inspect_ooxml(archive, entries, name)
    if "mimetype" in entries:
        mimetype = _read_entry(archive, entries["mimetype"], name, 256).strip()
        if mimetype in ODS_MIMETYPES and "content.xml" in entries:
            if "META-INF/manifest.xml" in entries:
                _parse_xml(archive, entries["META-INF/manifest.xml"], name)
            return "ods"
        raise _not_workbook(name, "เอกสาร OpenDocument ชนิดอื่น", "another OpenDocument type")
    raise _not_workbook(name, "ไฟล์ zip", "a zip archive")


def _check_zip_listing(infos: list[zipfile.ZipInfo], name: str) -> None:
    """Refuse a zip bomb from the central directory alone (nothing decompressed yet)."""
    if len(infos) > MAX_ZIP_ENTRIES:
        raise _zip_bomb(
            name,
            f"มีไฟล์ย่อย {len(infos):,} รายการ เกิน {MAX_ZIP_ENTRIES:,}",
            f"{len(infos):,} entries, more than {MAX_ZIP_ENTRIES:,}",
        )
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED_BYTES:
        mb, cap = total // 1_048_576, MAX_UNPACKED_BYTES // 1_048_576
        raise _zip_bomb(
            name,
            f"ขนาดเมื่อแตกไฟล์ {mb:,} MB เกิน {cap:,} MB",
            f"{mb:,} MB unpacked, more than {cap:,} MB",
        )
    for info in infos:
        if info.flag_bits & 0x1:
            raise _encrypted(name)
        if info.file_size >= RATIO_MIN_ENTRY_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise _zip_bomb(
                    name,
                    f"อัตราการบีบอัด {ratio:,.0f}:1 เกิน {MAX_COMPRESSION_RATIO}:1",
                    f"compression ratio {ratio:,.0f}:1 above {MAX_COMPRESSION_RATIO}:1 "
                    f"in {info.filename}",
                )


def _inspect_ooxml(archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], name: str) -> str:
    """Read [Content_Types].xml safely and decide: workbook, macro workbook, or not Excel."""
    root = _parse_xml(archive, entries["[Content_Types].xml"], name)
    main_part = None
    types: list[str] = []
    for element in root:
        content_type = (element.get("ContentType") or "").lower()
        types.append(content_type)
        if content_type in XLSX_MAIN_TYPES:
            # an Override names the part; a Default (by extension) means the usual path
            main_part = (element.get("PartName") or "/xl/workbook.xml").lstrip("/")
    if any("macroenabled" in t and t != XLSB_MAIN_TYPE for t in types):
        raise _macro(name, "macroEnabled content type")
    if "application/vnd.ms-office.vbaproject" in types:
        raise _macro(name, "vbaProject content type")
    active = [t for t in types if t in ACTIVE_CONTENT_TYPES or "activex" in t]
    if active:
        raise _macro(name, active[0])
    if XLSB_MAIN_TYPE in types:
        raise _not_workbook(
            name,
            "Excel Binary Workbook .xlsb กรุณาบันทึกเป็น .xlsx",
            "an Excel Binary Workbook .xlsb; save it as .xlsx",
        )
    if main_part is None:
        raise _not_workbook(name, "เอกสาร Office ที่ไม่ใช่ Excel", "an Office file other than Excel")
    if main_part not in entries:
        raise _damaged(name, f"missing {main_part}")
    _parse_xml(archive, entries[main_part], name)
    return "xlsx"


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limit: int) -> bytes:
    """Read at most limit bytes of one entry (decompression stops there)."""
    try:
        with archive.open(info) as handle:
            return handle.read(limit)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as exc:
        raise _damaged(name, f"{info.filename}: {exc}") from None
    except RuntimeError:  # an entry encrypted with a zip password
        raise _encrypted(name) from None


def _parse_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str):
    """Parse one small XML part with defusedxml (no DTD, no entities, no external refs)."""
    if info.file_size > MAX_MANIFEST_BYTES:
        raise _zip_bomb(name, f"{info.filename} ใหญ่ผิดปกติ", f"{info.filename} is too big")
    raw = _read_entry(archive, info, name, MAX_MANIFEST_BYTES + 1)
    try:
        return SafeET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise _xml_attack(name, info.filename) from None
    except SafeET.ParseError as exc:
        raise _damaged(name, f"{info.filename}: {exc}") from None


def _check_xml_prolog(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    """Refuse any zip part whose XML prolog declares a DTD or entities (billion laughs).

    Reads only the prolog (the XML declaration, comments and processing instructions
    before the root element): 1 KB first, doubling while undecided (so a long prolog costs
    linear time), at most MAX_XML_PROLOG_BYTES.
    """
    if info.is_dir() or info.file_size == 0:
        return
    try:
        with archive.open(info) as handle:
            raw = b""
            while True:
                chunk = handle.read(max(1024, len(raw)))
                raw += chunk
                verdict = prolog_verdict(raw, complete=not chunk or len(raw) >= info.file_size)
                if verdict == "unsafe":
                    raise _xml_attack(name, info.filename)
                if verdict == "safe":
                    return
                if len(raw) > MAX_XML_PROLOG_BYTES:
                    raise _xml_attack(name, info.filename)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as exc:
        raise _damaged(name, f"{info.filename}: {exc}") from None
    except RuntimeError:
        raise _encrypted(name) from None


_XML_ENCODINGS = (
    (b"\xef\xbb\xbf", "utf-8", 3),
    (b"\xff\xfe\x00\x00", "utf-32-le", 4),
    (b"\x00\x00\xfe\xff", "utf-32-be", 4),
    (b"\xff\xfe", "utf-16-le", 2),
    (b"\xfe\xff", "utf-16-be", 2),
    (b"<\x00\x00\x00", "utf-32-le", 0),
    (b"\x00\x00\x00<", "utf-32-be", 0),
    (b"<\x00", "utf-16-le", 0),
    (b"\x00<", "utf-16-be", 0),
)


def prolog_verdict(raw: bytes, complete: bool) -> str:
    """Return "unsafe" for a DTD/entity in the XML prolog, "safe", or "more" (read on)."""
    text = None
    for mark, encoding, skip in _XML_ENCODINGS:
        if raw.startswith(mark):
            unit = 4 if "32" in encoding else 2 if "16" in encoding else 1
            usable = len(raw) - skip - (len(raw) - skip) % unit
            text = raw[skip : skip + usable].decode(encoding, errors="replace")
            break
    if text is None:
        text = raw.decode("latin-1")  # markup is ASCII; other bytes only matter inside comments
    i, n = 0, len(text)
    undecided = "safe" if complete else "more"
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        head = text[i : i + 4]
        if not head:
            return undecided
        if head[0] != "<":
            return "safe"  # not XML (or text content): nothing for an XML parser to expand
        if len(head) < 2:
            return undecided
        if head[1] == "?":
            end = text.find("?>", i + 2)
            step = 2
        elif head[1] == "!":
            if head != "<!--":
                # <!DOCTYPE, <!ENTITY, or any other declaration (or "<!-" still arriving)
                return undecided if "<!--".startswith(head) else "unsafe"
            end = text.find("-->", i + 4)
            step = 3
        else:
            return "safe"  # the root element: the prolog is over
        if end < 0:
            return undecided
        i = end + step


# --------------------------------------------------------------------------------------
# OLE2 compound files: .xls, and encrypted OOXML
# --------------------------------------------------------------------------------------

_FREE_OR_END = 0xFFFFFFFA  # ids at or above this are special (free, end of chain, FAT, DIFAT)


def inspect_ole(data: bytes, name: str) -> str:
    """Classify an OLE2 file by its directory: encrypted OOXML, macro .xls, .xls, or other."""
    try:
        names = {entry.lower() for entry in ole_directory_names(data)}
    except (ValueError, struct.error) as exc:
        raise _damaged(name, f"OLE2: {exc}") from None
    if "encryptioninfo" in names or "encryptedpackage" in names:
        raise _encrypted(name)
    if "_vba_project_cur" in names or "vba" in names:
        raise _macro(name, "_VBA_PROJECT_CUR")
    if "objectpool" in names:  # embedded OLE objects (programs of their own), like ActiveX
        raise _macro(name, "ObjectPool")
    if "workbook" in names or "book" in names:
        try:
            ole = _Ole(data)
            stream = ole.stream("Workbook") or ole.stream("Book") or b""
        except (ValueError, struct.error) as exc:
            raise _damaged(name, f"OLE2: {exc}") from None
        code = biff_macro_sheets(stream)
        if code:
            raise _macro(name, code[0])
        return "xls"
    raise _not_workbook(name, "เอกสาร Office ที่ไม่ใช่ Excel", "an Office file other than Excel")


def ole_directory_names(data: bytes) -> list[str]:
    """Names of the storages and streams in an OLE2 compound file (MS-CFB), bounds-checked."""
    return [entry[0] for entry in _Ole(data).entries]


class _Ole:
    """A minimal, bounds-checked MS-CFB reader: the directory and the streams' bytes."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512 or not data.startswith(OLE_MAGIC):
            raise ValueError("truncated header")
        sector_shift = struct.unpack_from("<H", data, 0x1E)[0]
        if sector_shift not in (9, 12):
            raise ValueError(f"sector shift {sector_shift}")
        self.data = data
        self.size = size = 1 << sector_shift
        self.mini_size = 1 << struct.unpack_from("<H", data, 0x20)[0]
        self.cutoff = struct.unpack_from("<I", data, 0x38)[0]
        self.sector_count = (len(data) - size) // size + (1 if (len(data) - size) % size else 0)
        fat_count, first_dir = struct.unpack_from("<II", data, 0x2C)
        self.first_mini_fat, _mini_fat_count = struct.unpack_from("<II", data, 0x3C)
        first_difat, difat_count = struct.unpack_from("<II", data, 0x44)
        fat_sids = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < _FREE_OR_END]
        sid, seen = first_difat, set[int]()
        while sid < _FREE_OR_END and len(seen) < min(difat_count, self.sector_count):
            if sid in seen:
                raise ValueError("DIFAT loop")
            seen.add(sid)
            values = struct.unpack(f"<{size // 4}I", self.sector(sid))
            fat_sids += [s for s in values[:-1] if s < _FREE_OR_END]
            sid = values[-1]
        fat_sids = fat_sids[: max(fat_count, 1)]
        self.fat: list[int] = []
        for fat_sid in fat_sids:
            self.fat += struct.unpack(f"<{size // 4}I", self.sector(fat_sid))
        # (name, kind, start sector, size) per directory entry, in directory order
        self.entries: list[tuple[str, int, int, int]] = []
        directory = self._chain(first_dir)
        for offset in range(0, len(directory), 128):
            entry = directory[offset : offset + 128]
            length = struct.unpack_from("<H", entry, 0x40)[0]
            kind = entry[0x42]
            if kind in (1, 2, 5) and 2 <= length <= 64:
                start, stream_size = struct.unpack_from("<II", entry, 0x74)
                name = entry[: length - 2].decode("utf-16-le", errors="replace")
                self.entries.append((name, kind, start, stream_size))

    def sector(self, sid: int) -> bytes:
        if sid >= self.sector_count:
            raise ValueError(f"sector {sid} out of range")
        return self.data[(sid + 1) * self.size : (sid + 2) * self.size].ljust(self.size, b"\x00")

    def _chain(self, sid: int, limit: int | None = None) -> bytes:
        """The bytes of a FAT chain starting at ``sid`` (loops and overruns refused)."""
        parts, visited = [], set()
        cap = len(self.data) if limit is None else limit
        while sid < _FREE_OR_END:
            if sid in visited or sid >= len(self.fat):
                raise ValueError("bad sector chain")
            visited.add(sid)
            parts.append(self.sector(sid))
            if len(parts) * self.size >= cap:
                break
            sid = self.fat[sid]
        return b"".join(parts)

    def stream(self, wanted: str) -> bytes | None:
        """The bytes of the stream named ``wanted`` (case-insensitive), or None."""
        root = next((e for e in self.entries if e[1] == 5), None)
        for name, kind, start, size in self.entries:
            if kind != 2 or name.lower() != wanted.lower():
                continue
            size = min(size, len(self.data))
            if size >= self.cutoff or root is None:
                return self._chain(start, size)[:size]
            mini_fat_bytes = self._chain(self.first_mini_fat)
            mini_fat = struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes)
            container = self._chain(root[2], root[3])
            parts: list[bytes] = []
            sid, visited = start, set[int]()
            while sid < _FREE_OR_END and len(parts) * self.mini_size < size:
                if sid in visited or sid >= len(mini_fat):
                    raise ValueError("bad mini chain")
                visited.add(sid)
                parts.append(container[sid * self.mini_size : (sid + 1) * self.mini_size])
                sid = mini_fat[sid]
            return b"".join(parts)[:size]
        return None


def biff_macro_sheets(workbook_stream: bytes) -> list[str]:
    """Sheet kinds in a BIFF8 Workbook stream that hold code: Excel 4 macro sheets (XLM) and
    VBA module sheets (BoundSheet8 records, dt = 1 or 6)."""
    found, pos = [], 0
    while pos + 4 <= len(workbook_stream):
        rtype, length = struct.unpack_from("<HH", workbook_stream, pos)
        body = workbook_stream[pos + 4 : pos + 4 + length]
        if rtype == 0x0085 and len(body) >= 6 and body[5] in (0x01, 0x06):
            found.append("Excel 4 macro sheet" if body[5] == 0x01 else "VBA module sheet")
        if rtype == 0x000A and found:  # EOF of the globals substream: no more sheet records
            break
        pos += 4 + length
    return found


# --------------------------------------------------------------------------------------
# Sandboxed parsing
# --------------------------------------------------------------------------------------

_context_lock = threading.Lock()
_context: mp.context.BaseContext | None = None


def _sandbox_context() -> mp.context.BaseContext:
    """The forkserver context; its server preloads pandas/pyarrow/fastexcel once."""
    global _context
    with _context_lock:
        if _context is None:
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(["data_sources.guard", "data_sources.excel"])
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
STALE_HANDOFF_SECONDS = 10 * 60  # a parse is stopped after SANDBOX_TIMEOUT_SECONDS (60 s)


def sweep_stale_handoffs(now: float | None = None) -> int:
    """Delete handoff files older than a parse can last; how many were removed."""
    removed = 0
    now = time.time() if now is None else now
    with contextlib.suppress(OSError):
        for entry in os.scandir(HANDOFF_DIR):
            if not entry.name.startswith(HANDOFF_PREFIX):
                continue
            with contextlib.suppress(OSError):
                if now - entry.stat(follow_symlinks=False).st_mtime > STALE_HANDOFF_SECONDS:
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

            sheets = [csv_file.parse_csv(data, name)]
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
        header = {"status": "error", "code": exc.code, "th": exc.reason_th, "en": exc.reason_en}
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
    conn.send_bytes(json.dumps(header).encode("utf-8"))
    for blob in blobs:
        conn.send_bytes(blob)
    conn.close()


def out_of_memory(name: str) -> UnreadableFile:
    """The parser needed more memory than the sandbox allows (or was killed)."""
    limit = SANDBOX_MEMORY_BYTES // 1_048_576
    return refuse(
        name,
        "out_of_memory",
        f"การอ่านไฟล์นี้ต้องใช้หน่วยความจำเกินกำหนด ({limit:,} MB) อาจมีข้อมูลในเซลล์ที่ห่างไกลมาก "
        "(เช่น คอลัมน์ XFD หรือแถวที่ 1,048,576) ลองลบแถวและคอลัมน์ว่างท้ายตารางแล้วบันทึกใหม่",
        f"Reading this file needs more memory than allowed ({limit:,} MB); it may have cells "
        "very far away (e.g. column XFD or row 1,048,576). Delete the empty rows and columns "
        "after the table and save it again.",
    )


def timed_out(name: str, seconds: float) -> UnreadableFile:
    """The parser ran longer than the sandbox allows."""
    return refuse(
        name,
        "timeout",
        f"อ่านไฟล์นานเกิน {seconds:g} วินาที จึงหยุด ไฟล์อาจใหญ่หรือซับซ้อนเกินไป",
        f"Reading the file took longer than {seconds:g} seconds and was stopped; the file "
        "may be too large or complex.",
    )


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
    timeout: float = SANDBOX_TIMEOUT_SECONDS,
    memory_bytes: int = SANDBOX_MEMORY_BYTES,
    stats: dict | None = None,
    kind: str = "workbook",
) -> list:
    """Parse a workbook (or a CSV file: ``kind`` "csv") in a forkserver child with memory and
    time limits; list of SheetArrow.

    The child returns plain JSON plus Arrow IPC streams (never pickles), so even a child
    subverted by a hostile file cannot make the parent run code. A killed child becomes
    out_of_memory, an overrun becomes timeout. ``stats``, if given, receives the child's
    parse seconds and peak RSS (for benchmarks).
    """
    from data_sources.excel import SheetArrow

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
            raise _diagnosed(_child_error(header, name), data, name)
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
        raise _diagnosed(_died(name, process.exitcode), data, name) from None
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
    part = _part_beyond_declared_size(data)
    if part is None:
        return error
    return _zip_bomb(
        name,
        f"ส่วน “{part[:80]}” ขยายตัวเกินขนาดที่ไฟล์ประกาศไว้",
        f"the part “{part[:80]}” expands beyond the size the file declares: a zip bomb",
    )


def _part_beyond_declared_size(data: bytes) -> str | None:
    """The first zip part whose content does not match its declared size and CRC, or None."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        for info in archive.infolist():
            with archive.open(info) as handle:
                while handle.read(1 << 20):  # zipfile stops at the declared size and checks
                    pass  # the CRC: a part that lies about its size fails here
    except zipfile.BadZipFile as exc:
        if "crc" in str(exc).lower():
            return info.filename
        return None
    except (NotImplementedError, ValueError, OSError, EOFError, zlib.error):
        return None
    return None


def _child_error(header: dict, name: str) -> UnreadableFile:
    """Rebuild the child's error from its JSON header (the child is not trusted)."""
    code = header.get("code")
    if code == "out_of_memory":
        return out_of_memory(name)
    if (
        code in ERROR_CODES
        and isinstance(header.get("th"), str)
        and isinstance(header.get("en"), str)
    ):
        return refuse(name, code, header["th"], header["en"])
    detail = str(header.get("detail", ""))[:200]
    return _damaged(name, detail or "reader error")


def _died(name: str, exitcode: int | None) -> UnreadableFile:
    """Map how the child ended to an error: killed/aborted = memory, SIGXCPU = time."""
    if exitcode in (-signal.SIGKILL, -signal.SIGABRT, -signal.SIGBUS):
        return out_of_memory(name)
    if exitcode == -signal.SIGXCPU:
        return timed_out(name, SANDBOX_TIMEOUT_SECONDS)
    return _damaged(name, f"the reader stopped unexpectedly (exit code {exitcode})")
