"""Checks every untrusted file before it is parsed: what it is, from its content alone.

What a file is comes from its content, never its name: a zip is .xlsx or .ods only if its
``[Content_Types].xml`` / ``mimetype`` says so, an OLE2 file is .xls only if its directory
has a Workbook stream (an ``EncryptionInfo`` stream means an encrypted OOXML), anything else
must be text (CSV). Zip listings are checked (entries, unpacked size, ratio) before anything
is decompressed; macros, encryption and XML with a DTD/entities are refused. What passes is
then parsed in the sandbox (``data_sources.sandbox``).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import PurePath

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

import settings
from data_sources.base import UnreadableFile, empty_file, refuse

# --- limits ---
# The file size and the unpacked size follow settings (settings.reader_caps: TRACKER_MAX_FILE_MB,
# TRACKER_MAX_UNPACKED_MB, which by default scales with the file cap: Excel's shared strings
# keep sheets ~8x their zipped size, writers with inline strings reach ~21x on tiny files and
# ~6.5x on a 253 MB one). The structural limits below do not depend on the file's size.
MAX_ZIP_ENTRIES = 10_000
MAX_COMPRESSION_RATIO = 200
# The ratio is only judged on entries big enough to matter: a 100 KB run of blanks
# compresses 500:1 harmlessly.
RATIO_MIN_ENTRY_BYTES = 4 * 1024 * 1024
MAX_MANIFEST_BYTES = 8 * 1024 * 1024
MAX_XML_PROLOG_BYTES = 1024 * 1024

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
    """The file is bigger than the upload cap (TRACKER_MAX_FILE_MB moves it)."""
    return refuse(
        name,
        "too_large",
        size_mb=size / 1_048_576,
        limit_mb=limit / 1_048_576,
        setting="TRACKER_MAX_FILE_MB",
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
            raise refuse(name, "not_a_spreadsheet", variant="binary", label=label)
    head = data[:65536]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse(name, "not_a_spreadsheet")  # an unknown binary file
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta")):
        raise refuse(name, "not_a_spreadsheet", variant="markup")
    if extension in WORKBOOK_EXTENSIONS:
        raise refuse(name, "not_a_spreadsheet", variant="renamed", extension=extension)


def _macro(name: str, why: str) -> UnreadableFile:
    return refuse(name, "macro_enabled", variant="found", why=why)


def _encrypted(name: str) -> UnreadableFile:
    return refuse(name, "encrypted")


def _xml_attack(name: str, part: str) -> UnreadableFile:
    return refuse(name, "xml_attack", part=part)


def damaged(name: str, detail: str) -> UnreadableFile:
    """A damaged or incomplete file; ``detail`` is the reader's own (technical) words."""
    return refuse(name, "parse_failed", detail=detail)


# --------------------------------------------------------------------------------------
# Zip containers: .xlsx and .ods
# --------------------------------------------------------------------------------------


def inspect_zip(data: bytes, name: str) -> str:
    """Check a zip container from its listing first, then its manifests; "xlsx" or "ods"."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise damaged(name, f"zip: {exc}") from None
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
        raise refuse(name, "not_a_spreadsheet", variant="other_opendocument")
    raise refuse(name, "not_a_spreadsheet", variant="zip")


def _check_zip_listing(infos: list[zipfile.ZipInfo], name: str) -> None:
    """Refuse a zip bomb from the central directory alone (nothing decompressed yet)."""
    if len(infos) > MAX_ZIP_ENTRIES:
        raise refuse(name, "zip_bomb", entries=len(infos), limit=MAX_ZIP_ENTRIES)
    total = sum(info.file_size for info in infos)
    limit = settings.reader_caps().unpacked_bytes
    if total > limit:
        raise refuse(
            name,
            "zip_bomb",
            variant="unpacked",
            size_mb=total // 1_048_576,
            limit_mb=limit // 1_048_576,
            setting="TRACKER_MAX_UNPACKED_MB",
        )
    for info in infos:
        if info.flag_bits & 0x1:
            raise _encrypted(name)
        if info.file_size >= RATIO_MIN_ENTRY_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise refuse(
                    name,
                    "zip_bomb",
                    variant="ratio",
                    ratio=ratio,
                    limit=MAX_COMPRESSION_RATIO,
                    part=info.filename,
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
        raise refuse(name, "not_a_spreadsheet", variant="xlsb")
    if main_part is None:
        raise refuse(name, "not_a_spreadsheet", variant="other_office")
    if main_part not in entries:
        raise damaged(name, f"missing {main_part}")
    _parse_xml(archive, entries[main_part], name)
    return "xlsx"


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limit: int) -> bytes:
    """Read at most limit bytes of one entry (decompression stops there)."""
    try:
        with archive.open(info) as handle:
            return handle.read(limit)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as exc:
        raise damaged(name, f"{info.filename}: {exc}") from None
    except RuntimeError:  # an entry encrypted with a zip password
        raise _encrypted(name) from None


def _parse_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str):
    """Parse one small XML part with defusedxml (no DTD, no entities, no external refs)."""
    if info.file_size > MAX_MANIFEST_BYTES:
        raise refuse(name, "zip_bomb", variant="big_part", part=info.filename)
    raw = _read_entry(archive, info, name, MAX_MANIFEST_BYTES + 1)
    try:
        return SafeET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise _xml_attack(name, info.filename) from None
    except SafeET.ParseError as exc:
        raise damaged(name, f"{info.filename}: {exc}") from None


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
        raise damaged(name, f"{info.filename}: {exc}") from None
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
        raise damaged(name, f"OLE2: {exc}") from None
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
            raise damaged(name, f"OLE2: {exc}") from None
        code = biff_macro_sheets(stream)
        if code:
            raise _macro(name, code[0])
        return "xls"
    raise refuse(name, "not_a_spreadsheet", variant="other_office")


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


def part_beyond_declared_size(data: bytes) -> str | None:
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
