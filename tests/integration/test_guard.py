"""Hostile and broken files: each is refused with a stable code and Thai + English reasons."""

from __future__ import annotations

import errno
import io
import os
import re
import struct
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import msoffcrypto.format.ooxml
import olefile
import openpyxl
import pyarrow as pa
import pytest

from data_sources import guard, handoff
from data_sources.base import UnreadableFile
from data_sources.files import read_file
from data_sources.guard import detect_kind, ole_directory_names, parse_in_sandbox, prolog_verdict
from tests.conftest import memory_hungry_workbook

THAI = re.compile("[\u0e00-\u0e7f]")


def workbook_bytes(value: str = "ข้อมูล") -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = "ทะเบียน"
    workbook.active["B3"] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezip(
    data: bytes,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
) -> bytes:
    """Copy a zip, replacing or adding entries."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            payload = replace.get(info.filename, source.read(info.filename))
            target.writestr(info.filename, payload, compress_type=zipfile.ZIP_DEFLATED)
        for filename, payload in add.items():
            target.writestr(filename, payload, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def patch_central_directory(data: bytes, field_offset: int, fmt: str, value: int) -> bytes:
    """Overwrite one field of every central-directory record (what zip listings report)."""
    out = bytearray(data)
    for match in re.finditer(rb"PK\x01\x02", data):
        struct.pack_into(fmt, out, match.start() + field_offset, value)
    return bytes(out)


def content_types(extra_override: str = "", main: str | None = None) -> bytes:
    main = main or "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main}"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        f"{extra_override}</Types>"
    ).encode()


LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "]>\n"
)


def with_laughs(xml: bytes) -> bytes:
    """Put a billion-laughs DTD in front of an XML part (replacing its declaration)."""
    body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml)
    return LAUGHS.encode() + body.replace(b"<sheetData>", b"<sheetData><!-- &lol9; -->", 1)


def sheet_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def far_cell_workbook() -> bytes:
    """5 KB xlsx whose cells span A1:XFD1048576: dense readers try to allocate ~512 GB."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>รหัส</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    return rezip(workbook_bytes(), replace={"xl/worksheets/sheet1.xml": sheet})


def make_ole(streams: dict[str, bytes], storages: tuple[str, ...] = ()) -> bytes:
    """A minimal, valid OLE2 compound file (MS-CFB v3, 512-byte sectors).

    Streams are padded to 4096 bytes so they live in regular sectors (no mini stream).
    Entries hang off the root as a chain of right siblings in CFB name order.
    """
    end, free, fat_sector, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    names = sorted([*streams, *storages], key=lambda n: (len(n), n.upper()))
    payloads = {name: streams[name].ljust(4096, b"\x00") for name in streams}
    dir_sectors = (len(names) + 1 + 3) // 4
    fat = [fat_sector] + [i + 2 for i in range(dir_sectors - 1)] + [end]
    data_sectors, starts, next_sector = [], {}, 1 + dir_sectors
    for name in names:
        if name in payloads:
            count = len(payloads[name]) // 512
            starts[name] = next_sector
            fat += [next_sector + i + 1 for i in range(count - 1)] + [end]
            data_sectors.append(payloads[name])
            next_sector += count
    assert len(fat) <= 128
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBBIII", len(encoded), kind, 1, nostream, right, child)
            + b"\x00" * 36
            + struct.pack("<IQ", start, size)
        )

    entries = [entry("Root Entry", 5, 1 if names else nostream, nostream, end, 0)]
    for index, name in enumerate(names, start=1):
        right = index + 1 if index < len(names) else nostream
        if name in payloads:
            entries.append(entry(name, 2, nostream, right, starts[name], len(payloads[name])))
        else:
            entries.append(entry(name, 1, nostream, right, end, 0))
    directory = b"".join(entries).ljust(dir_sectors * 512, b"\x00")
    header = (
        guard.OLE_MAGIC
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *([free] * 108))
    )
    assert len(header) == 512
    return header + struct.pack("<128I", *fat) + directory + b"".join(data_sectors)


def encrypted_xlsx() -> bytes:
    """A real password-protected workbook, encrypted the way Excel does (Agile encryption)."""
    out = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(workbook_bytes())).encrypt("รหัสผ่าน", out)
    return out.getvalue()


def many_entries_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", content_types())
        for i in range(guard.MAX_ZIP_ENTRIES + 1):
            archive.writestr(f"xl/media/{i}.xml", b"")
    return out.getvalue()


def compressed_entry_zip() -> bytes:
    """One 64 MB entry of zeros that deflates to ~64 KB (ratio ~1000:1)."""
    return rezip(workbook_bytes(), add={"xl/media/blank.bin": bytes(64 * 1024 * 1024)})


def oversized_listing_zip() -> bytes:
    """A 4 MB random entry whose listing claims 600 MB unpacked (ratio 150: under the cap)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", content_types())
        archive.writestr("xl/big.bin", os.urandom(4 * 1024 * 1024))
    data = out.getvalue()
    big = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02") + 4)  # second record
    patched = bytearray(data)
    struct.pack_into("<I", patched, big + 24, 600 * 1024 * 1024)
    return bytes(patched)


def docx_like_zip() -> bytes:
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", content_types(main=main))
        archive.writestr("word/document.xml", b"<document/>")
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("ข้อมูล.txt", "สวัสดี".encode())
    return out.getvalue()


def utf16_doctype_sheet() -> bytes:
    data = workbook_bytes()
    text = with_laughs(sheet_xml(data)).decode("utf-8")
    return rezip(data, replace={"xl/worksheets/sheet1.xml": text.encode("utf-16")})


def doctype_after_comment() -> bytes:
    data = workbook_bytes()
    body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", sheet_xml(data))
    hidden = (
        b'<?xml version="1.0"?><!-- ' + b"x" * 5000 + b' --><?pi a?><!DOCTYPE x [<!ENTITY a "b">]>'
    )
    return rezip(data, replace={"xl/worksheets/sheet1.xml": hidden + body})


def ods_with_entities() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", LAUGHS + "<office:document-content/>")
    return out.getvalue()


def zip_password_flag() -> bytes:
    """A workbook whose zip entries are flagged as password-encrypted (general flag bit 0)."""
    return patch_central_directory(workbook_bytes(), 8, "<H", 0x1)


def truncated_workbook() -> bytes:
    data = workbook_bytes()
    return data[: len(data) // 2]


def broken_sheet_xml() -> bytes:
    broken = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>999</v></c></row></sheetData></worksheet>'
    return rezip(workbook_bytes(), replace={"xl/worksheets/sheet1.xml": broken})


def empty_workbook() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


FailureCase = tuple[str, Callable[[], bytes], str, str]
FAILURES: list[FailureCase] = [
    # (file name, bytes builder, expected code, substring of the English reason)
    ("ว่าง.csv", lambda: b"", "empty_file", "empty"),
    ("ช่องว่าง.csv", lambda: b"  \r\n\t\n", "empty_file", "empty"),
    ("bom-only.csv", lambda: b"\xef\xbb\xbf\r\n", "empty_file", "empty"),
    ("ไม่มีข้อมูล.xlsx", empty_workbook, "empty_file", "empty"),
    ("renamed.xlsx", lambda: "รหัส,เขต\n1,บางนา\n".encode(), "not_a_spreadsheet", "renamed"),
    ("scan.xlsx", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "not_a_spreadsheet", "PDF"),
    (
        "web.xls",
        lambda: b"<html><body><table><tr><td>1</td></tr></table>",
        "not_a_spreadsheet",
        "web page",
    ),
    ("picture.csv", lambda: b"\x89PNG\r\n\x1a\n\x00\x00", "not_a_spreadsheet", "PNG"),
    ("binary.csv", lambda: b"abc\x00\x01\x02def", "not_a_spreadsheet", "binary"),
    ("report.xlsx", docx_like_zip, "not_a_spreadsheet", "Office file other than Excel"),
    ("archive.xlsx", plain_zip, "not_a_spreadsheet", "zip archive"),
    (
        "binary.xlsb",
        lambda: rezip(
            workbook_bytes(),
            replace={
                "[Content_Types].xml": content_types(
                    main="application/vnd.ms-excel.sheet.binary.macroEnabled.main"
                )
            },
        ),
        "not_a_spreadsheet",
        ".xlsb",
    ),
    (
        "memo.xls",
        lambda: make_ole({"WordDocument": b"\xec\xa5"}),
        "not_a_spreadsheet",
        "other than Excel",
    ),
    ("wide.csv", lambda: ("x," * 20_000 + "\n").encode(), "too_large", "20,001 columns"),
    (
        "wide-later.csv",
        lambda: ("a,b\n" + "y," * 20_000).encode(),
        "too_large",
        "columns",
    ),
    ("entries.xlsx", many_entries_zip, "zip_bomb", "entries"),
    ("ratio.xlsx", compressed_entry_zip, "zip_bomb", "compression ratio"),
    ("unpacked.xlsx", oversized_listing_zip, "zip_bomb", "unpacked"),
    (
        "vba.xlsx",
        lambda: rezip(workbook_bytes(), add={"xl/vbaProject.bin": b"\xcc" * 64}),
        "macro_enabled",
        "vbaproject.bin",
    ),
    (
        "macro-type.xlsx",
        lambda: rezip(
            workbook_bytes(),
            replace={
                "[Content_Types].xml": content_types(
                    main="application/vnd.ms-excel.sheet.macroEnabled.main+xml"
                )
            },
        ),
        "macro_enabled",
        "macroEnabled",
    ),
    ("ข้อมูล.xlsm", workbook_bytes, "macro_enabled", ".xlsm"),
    (
        "xlm.xlsx",
        lambda: rezip(workbook_bytes(), add={"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}),
        "macro_enabled",
        "macrosheets",
    ),
    (
        "vba.xls",
        lambda: make_ole({"Workbook": b"\x09\x08"}, storages=("_VBA_PROJECT_CUR",)),
        "macro_enabled",
        "_VBA_PROJECT_CUR",
    ),
    ("ลับ.xlsx", encrypted_xlsx, "encrypted", "password"),
    (
        "crafted.xlsx",
        lambda: make_ole({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x00"}),
        "encrypted",
        "encrypted",
    ),
    ("zip-password.xlsx", zip_password_flag, "encrypted", "password"),
    (
        "laughs-sheet.xlsx",
        lambda: rezip(
            workbook_bytes(),
            replace={"xl/worksheets/sheet1.xml": with_laughs(sheet_xml(workbook_bytes()))},
        ),
        "xml_attack",
        "xl/worksheets/sheet1.xml",
    ),
    (
        "laughs-types.xlsx",
        lambda: rezip(
            workbook_bytes(), replace={"[Content_Types].xml": with_laughs(content_types())}
        ),
        "xml_attack",
        "[Content_Types].xml",
    ),
    ("laughs-utf16.xlsx", utf16_doctype_sheet, "xml_attack", "sheet1.xml"),
    ("doctype-after-comment.xlsx", doctype_after_comment, "xml_attack", "sheet1.xml"),
    ("laughs.ods", ods_with_entities, "xml_attack", "content.xml"),
    ("truncated.xlsx", truncated_workbook, "parse_failed", "damaged"),
    ("broken.xlsx", broken_sheet_xml, "parse_failed", "damaged"),
]


def assert_refused(error: UnreadableFile, name: str, code: str, reason_part: str) -> None:
    assert (error.code, error.source) == (code, name)
    assert THAI.search(error.reason_th), error.reason_th
    assert error.reason_en.strip()
    assert reason_part.lower() in error.reason_en.lower(), error.reason_en


@pytest.mark.parametrize(
    ("name", "build", "code", "reason_part"), FAILURES, ids=[case[0] for case in FAILURES]
)
def test_refused_with_code_and_both_languages(
    name: str, build: Callable[[], bytes], code: str, reason_part: str
) -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_file(build(), name)
    assert_refused(caught.value, name, code, reason_part)


def test_crafted_ole_files_are_real_compound_files() -> None:
    """Our hand-made OLE2 files open in olefile, so detection reads a real directory."""
    crafted = make_ole({"EncryptionInfo": b"\x04\x00", "EncryptedPackage": b"\x00"})
    assert sorted(olefile.OleFileIO(crafted).listdir()) == [
        ["EncryptedPackage"],
        ["EncryptionInfo"],
    ]
    assert ole_directory_names(crafted) == ["Root Entry", "EncryptionInfo", "EncryptedPackage"]
    real = encrypted_xlsx()
    assert {"EncryptionInfo", "EncryptedPackage"} <= set(ole_directory_names(real))


@pytest.mark.parametrize(
    "data",
    [guard.OLE_MAGIC + b"\x00" * 100, guard.OLE_MAGIC + b"\xff" * 600],
    ids=["truncated-header", "garbage-header"],
)
def test_damaged_ole_is_parse_failed(data: bytes) -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_file(data, "เสีย.xls")
    assert_refused(caught.value, "เสีย.xls", "parse_failed", "damaged")


def test_zip_limits_are_checked_before_anything_is_decompressed(monkeypatch) -> None:
    bombs = {"entries.xlsx": many_entries_zip(), "ratio.xlsx": compressed_entry_zip()}

    def no_decompression(*args, **kwargs):
        raise AssertionError("an entry was decompressed before the listing was checked")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_decompression)
    for name, data in bombs.items():
        with pytest.raises(UnreadableFile) as caught:
            detect_kind(data, name)
        assert caught.value.code == "zip_bomb"


@pytest.mark.parametrize("limit", [1000, 4000])
def test_too_large_for_bytes_and_paths(limit: int, tmp_path: Path) -> None:
    data = workbook_bytes()
    assert len(data) > limit
    with pytest.raises(UnreadableFile) as from_bytes:
        read_file(data, "ใหญ่.xlsx", max_bytes=limit)
    path = tmp_path / "ใหญ่.xlsx"
    path.write_bytes(data)
    with pytest.raises(UnreadableFile) as from_path:
        read_file(path, max_bytes=limit)
    for error in (from_bytes.value, from_path.value):
        assert_refused(error, "ใหญ่.xlsx", "too_large", "too large")
    assert read_file(data, "ใหญ่.xlsx", max_bytes=len(data))[0].source == "ใหญ่.xlsx"


def test_missing_path_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_file(tmp_path / "ไม่มี.xlsx")
    assert_refused(caught.value, "ไม่มี.xlsx", "not_found", "does not exist")


def test_far_cell_workbook_kills_only_the_sandbox() -> None:
    """A 5 KB A1:XFD1048576 workbook: the child dies, the caller gets an UnreadableFile."""
    data = far_cell_workbook()
    assert len(data) < 8 * 1024
    started = time.monotonic()
    with pytest.raises(UnreadableFile) as caught:
        read_file(data, "ไกลมาก.xlsx")
    assert time.monotonic() - started < 60
    assert_refused(caught.value, "ไกลมาก.xlsx", "out_of_memory", "memory")
    # the parent is fine and the sandbox keeps working
    [table] = read_file(workbook_bytes("ยังอ่านได้"), "ปกติ.xlsx")
    assert (table.first_row, table.column_letter(0), table.frame.iloc[0, 0]) == (3, "B", "ยังอ่านได้")


def test_small_memory_limit_is_out_of_memory() -> None:
    data = memory_hungry_workbook()
    with pytest.raises(UnreadableFile) as caught:
        parse_in_sandbox(data, "หน่วยความจำ.xlsx", memory_bytes=64 * 1024 * 1024)
    assert_refused(caught.value, "หน่วยความจำ.xlsx", "out_of_memory", "memory")


def test_overrun_is_timeout() -> None:
    started = time.monotonic()
    with pytest.raises(UnreadableFile) as caught:
        parse_in_sandbox(workbook_bytes(), "ช้า.xlsx", timeout=0.0)
    assert time.monotonic() - started < 10
    assert_refused(caught.value, "ช้า.xlsx", "timeout", "longer than")


@pytest.mark.parametrize(
    ("raw", "complete", "verdict"),
    [
        (b'<?xml version="1.0"?><worksheet>', False, "safe"),
        (b'<?xml version="1.0"?>\n<!DOCTYPE x>', False, "unsafe"),
        (b"<!ENTITY a 'b'>", False, "unsafe"),
        (b"\xef\xbb\xbf<?xml version='1.0'?><!-- c --><root/>", False, "safe"),
        (b"<!-- never closed", False, "more"),
        (b"<!-- never closed", True, "safe"),
        ('<?xml version="1.0"?><!DOCTYPE x>'.encode("utf-16"), False, "unsafe"),
        ('<?xml version="1.0"?><!DOCTYPE x>'.encode("utf-16-be"), False, "unsafe"),
        (b"\x89PNG\r\n\x1a\n", False, "safe"),
        (b"   ", False, "more"),
        (b"<!-", False, "more"),
        (b"<?xml?><!-- a --><!DOCTYPE x>", False, "unsafe"),
        (b"<?xml?><!-- a --> <?pi x?>\n<a>", False, "safe"),
        (b"id,name\n", False, "safe"),
    ],
)
def test_prolog_verdict(raw: bytes, complete: bool, verdict: str) -> None:
    assert prolog_verdict(raw, complete) == verdict


@pytest.mark.parametrize(
    ("build", "name", "kind"),
    [
        (workbook_bytes, "a.xlsx", "xlsx"),
        (workbook_bytes, "a.csv", "xlsx"),
        (lambda: make_ole({"Workbook": b"\x09\x08"}), "a.xlsx", "xls"),
        (lambda: "รหัส,เขต\n".encode(), "a.csv", "csv"),
        (lambda: "รหัส\tเขต\n".encode(), "a", "csv"),
    ],
    ids=["xlsx", "xlsx-named-csv", "ole-workbook", "csv", "no-extension"],
)
def test_detect_kind_from_content(build: Callable[[], bytes], name: str, kind: str) -> None:
    assert detect_kind(build(), name) == kind


def _shm_leftovers() -> set[str]:
    folder = Path("/dev/shm")
    return {p.name for p in folder.glob("tracker-sandbox-*")} if folder.is_dir() else set()


def _left_behind(before: set[str]) -> set[str]:
    """Handoff files made since ``before`` that stay: tests in other workers parse at the
    same time, and their files go within moments; a file left behind stays."""
    deadline = time.monotonic() + 5
    while (new := _shm_leftovers() - before) and time.monotonic() < deadline:
        time.sleep(0.1)
    return new


def two_sheet_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = "ทะเบียน"
    workbook.active.append(["รหัส", "ข้อสั่งการ"])
    for i in range(1, 301):
        workbook.active.append([f"D-{i:03}", f"ข้อสั่งการที่ {i} " + "ก" * (i % 40)])
    second = workbook.create_sheet("ผลการดำเนินการ")
    second["C2"] = "ดำเนินการแล้วเสร็จ"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _as_rows(sheets: list) -> list[tuple]:
    return [(s.sheet, s.first_row, s.first_col, s.table.to_pylist()) for s in sheets]


def test_sandbox_hands_sheets_over_in_shared_memory_and_cleans_up() -> None:
    before = _shm_leftovers()
    stats: dict = {}
    sheets = parse_in_sandbox(two_sheet_workbook(), "สองชีต.xlsx", stats=stats)
    assert stats["handoff"] == "shared memory"
    assert [s.sheet for s in sheets] == ["ทะเบียน", "ผลการดำเนินการ"]
    first = sheets[0].table
    assert first.num_rows == 301
    assert first.column(1)[300].as_py() == "ข้อสั่งการที่ 300 " + "ก" * 20
    assert (sheets[1].first_row, sheets[1].first_col) == (2, 2)
    assert sheets[1].table.to_pylist() == [{"0": "ดำเนินการแล้วเสร็จ"}]
    assert _left_behind(before) == set()  # the file is unlinked; the mapping lives on in the tables


def test_sandbox_falls_back_to_the_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    data = two_sheet_workbook()
    expected = _as_rows(parse_in_sandbox(data, "ท่อ.xlsx"))
    monkeypatch.setattr(handoff, "_handoff_possible", lambda: False)
    stats: dict = {}
    assert _as_rows(parse_in_sandbox(data, "ท่อ.xlsx", stats=stats)) == expected
    assert stats["handoff"] == "pipe"


def test_a_local_file_is_read_by_the_child_from_its_descriptor(tmp_path: Path) -> None:
    """A local file goes to the child as an open descriptor: the parent need not hold its
    bytes while it is parsed, and the child reads the file that was checked."""
    data = two_sheet_workbook()
    path = tmp_path / "ทะเบียน.xlsx"
    path.write_bytes(data)
    before = _shm_leftovers()
    with path.open("rb") as handle:
        sheets = parse_in_sandbox(None, path.name, fd=handle.fileno())
        path.unlink()  # the name may go; the open file is what is read
    assert _as_rows(sheets) == _as_rows(parse_in_sandbox(data, "x.xlsx"))
    assert _left_behind(before) == set()
    text = tmp_path / "ตอบ.csv"
    text.write_text("รหัส,สถานะ\nA-1,ดำเนินการแล้ว\n", encoding="utf-8")
    with text.open("rb") as handle:
        (sheet,) = parse_in_sandbox(None, text.name, fd=handle.fileno(), kind="csv")
    assert list(sheet.table.to_pylist()[1].values()) == ["A-1", "ดำเนินการแล้ว"]


def test_child_side_sheet_write_gives_way_to_the_pipe(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A sheet that cannot be written to its shared-memory file (no folder, a file already
    there, /dev/shm full) goes over the pipe instead: no half-written file is left."""
    table = pa.table({"0": ["ข้อมูล", None]})
    monkeypatch.setattr(handoff, "HANDOFF_DIR", str(tmp_path / "missing"))
    assert handoff._sheet_write("t0", 0, table) is None
    monkeypatch.setattr(handoff, "HANDOFF_DIR", str(tmp_path))
    Path(handoff.sheet_file("t1", 0)).write_bytes(b"not ours")
    assert handoff._sheet_write("t1", 0, table) is None  # never an existing file
    assert Path(handoff.sheet_file("t1", 0)).read_bytes() == b"not ours"

    def full(table: pa.Table, sink: pa.NativeFile) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(handoff, "_write_stream", full)
        assert handoff._sheet_write("t2", 0, table) is None
    assert not Path(handoff.sheet_file("t2", 0)).exists()
    sizes = [handoff._sheet_write("t3", i, table) for i in range(2)]
    assert all(isinstance(n, int) and n > 0 for n in sizes)
    tables = [handoff._sheet_read("t3", i, n) for i, n in enumerate(sizes)]
    assert [t.to_pylist() for t in tables] == [table.to_pylist()] * 2
    assert not list(tmp_path.glob("tracker-sandbox-t3-*"))  # unlinked once mapped


def test_workbook_reaches_the_child_through_the_handoff_file() -> None:
    """The workbook goes to the child in the shared-memory file, not pickled in its arguments."""
    data = two_sheet_workbook()
    path = handoff._handoff_file(data)
    assert path is not None
    try:
        assert Path(path).read_bytes() == data
        assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    finally:
        os.unlink(path)


@pytest.mark.parametrize("size", [10**9, 8, -8, "64", None, 0])
def test_handoff_files_from_the_child_are_checked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, size: object
) -> None:
    """The child is not trusted: a sheet's file must be of the size it said, else refused."""
    monkeypatch.setattr(handoff, "HANDOFF_DIR", str(tmp_path))
    Path(handoff.sheet_file("t", 0)).write_bytes(b"\0" * 64)
    with pytest.raises(ValueError):
        handoff._sheet_read("t", 0, size)


def test_a_handoff_file_that_is_a_link_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(handoff, "HANDOFF_DIR", str(tmp_path))
    target = tmp_path / "elsewhere.arrow"
    target.write_bytes(b"\0" * 64)
    os.symlink(target, handoff.sheet_file("t", 0))
    with pytest.raises(ValueError):
        handoff._sheet_read("t", 0, 64)
    assert target.exists()


def test_stale_handoff_files_are_swept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A server killed mid-parse leaves its handoff file: the next start removes it."""
    monkeypatch.setattr(handoff, "HANDOFF_DIR", str(tmp_path))
    now = time.time()
    old = tmp_path / "tracker-sandbox-old.arrow"
    fresh = tmp_path / "tracker-sandbox-fresh.arrow"
    other = tmp_path / "someone-else.arrow"
    for path in (old, fresh, other):
        path.write_bytes(b"x")
    os.utime(old, (now - 3600, now - 3600))
    os.utime(other, (now - 3600, now - 3600))
    assert handoff.sweep_stale_handoffs(now) == 1
    assert not old.exists() and fresh.exists() and other.exists()
    monkeypatch.setattr(handoff, "HANDOFF_DIR", str(tmp_path / "missing"))
    assert handoff.sweep_stale_handoffs(now) == 0  # no /dev/shm: nothing to do, no error


def test_warm_up_never_runs_the_apps_script_in_the_sandbox_server(tmp_path: Path) -> None:
    """Under `streamlit run app.py`, __main__ is the app's script: neither the sandbox server
    started at the first page view nor its children may import (run) it."""
    import subprocess
    import sys

    marker = tmp_path / "imported.txt"
    fake_app = tmp_path / "fake_app.py"
    fake_app.write_text(f"open({str(marker)!r}, 'a').write('imported\\n')\n", encoding="utf-8")
    code = f"""
import sys, types
sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
main = types.ModuleType("__main__")
main.__file__ = {str(fake_app)!r}
sys.modules["__main__"] = main
from data_sources import guard
guard.warm_up_sandbox()
sheets = guard.parse_in_sandbox({workbook_bytes()!r}, "x.xlsx")
print(len(sheets))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
    assert not marker.exists(), marker.read_text()


# --- code that is not VBA: Excel 4 macro sheets, ActiveX, embedded OLE objects ---------------


def _xlsx_with_part(part: str, content_type: str | None, body: bytes = b"<x/>") -> bytes:
    """An ordinary openpyxl workbook with one more part (and its content type) zipped in."""
    src = zipfile.ZipFile(io.BytesIO(workbook_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml" and content_type:
                override = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
                data = data.replace(b"</Types>", override.encode() + b"</Types>")
            dst.writestr(info.filename, data)
        dst.writestr(part, b'<?xml version="1.0" encoding="UTF-8"?>' + body)
    return out.getvalue()


@pytest.mark.parametrize(
    ("part", "content_type"),
    [
        ("xl/worksheets/sheet9.xml", "application/vnd.ms-excel.macrosheet+xml"),  # XLM, renamed
        ("xl/macrosheets/sheet1.xml", None),
        ("xl/activeX/activeX1.xml", "application/vnd.ms-office.activeX+xml"),
        ("xl/embeddings/oleObject1.bin", None),
    ],
)
def test_xlm_macro_sheets_activex_and_ole_objects_are_refused_like_vba(part, content_type):
    data = _xlsx_with_part(part, content_type)
    with pytest.raises(UnreadableFile) as caught:
        detect_kind(data, "มาโคร.xlsx")
    assert caught.value.code == "macro_enabled"
    assert "macro" in caught.value.reason_en.lower() and "มาโคร" in caught.value.reason_th


def _xls_bytes() -> bytes:
    import xlwt

    wb = xlwt.Workbook()
    wb.add_sheet("ข้อมูล").write(0, 0, "ค่า")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_an_xls_with_an_excel4_macro_sheet_is_refused():
    plain = _xls_bytes()
    assert detect_kind(plain, "ปกติ.xls") == "xls"
    # flip the sheet's BoundSheet8 type byte to 1 (macro sheet), as Excel writes an XLM sheet
    data = bytearray(plain)
    pos = 512  # xlwt writes the Workbook stream from the first sector
    while True:
        rtype, length = struct.unpack_from("<HH", data, pos)
        if rtype == 0x0085:
            data[pos + 4 + 5] = 0x01
            break
        pos += 4 + length
    with pytest.raises(UnreadableFile) as caught:
        detect_kind(bytes(data), "มาโคร4.xls")
    assert caught.value.code == "macro_enabled"
    assert "Excel 4 macro sheet" in caught.value.reason_en


def _lying_size_zip(data: bytes, part: str, declared: int) -> bytes:
    """``data`` (a zip) with ``part``'s uncompressed size rewritten to ``declared`` in both
    its local header and the central directory: the listing then looks harmless."""
    out = bytearray(data)
    target = part.encode()
    pos = 0
    while (pos := out.find(b"PK\x03\x04", pos)) != -1:  # local file headers
        n = struct.unpack_from("<H", out, pos + 26)[0]
        if out[pos + 30 : pos + 30 + n] == target:
            struct.pack_into("<I", out, pos + 22, declared)
        pos += 4
    pos = 0
    while (pos := out.find(b"PK\x01\x02", pos)) != -1:  # central directory entries
        n = struct.unpack_from("<H", out, pos + 28)[0]
        if out[pos + 46 : pos + 46 + n] == target:
            struct.pack_into("<I", out, pos + 24, declared)
        pos += 4
    return bytes(out)


def test_a_zip_that_lies_about_its_sizes_is_named_a_zip_bomb_when_it_exhausts_the_reader():
    big = memory_hungry_workbook()
    lying = _lying_size_zip(big, "xl/worksheets/sheet1.xml", 20_000)
    assert detect_kind(lying, "โกหก.xlsx") == "xlsx"  # the listing alone looks harmless
    with pytest.raises(UnreadableFile) as caught:
        parse_in_sandbox(lying, "โกหก.xlsx", memory_bytes=64 * 1024 * 1024)
    assert caught.value.code == "zip_bomb"
    assert "xl/worksheets/sheet1.xml" in caught.value.reason_en
    assert "zip bomb" in caught.value.reason_en and "ขยายตัวเกินขนาด" in caught.value.reason_th
    with pytest.raises(UnreadableFile) as honest:  # an honest file short of memory says so
        parse_in_sandbox(big, "จริง.xlsx", memory_bytes=64 * 1024 * 1024)
    assert honest.value.code == "out_of_memory"
