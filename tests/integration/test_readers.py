"""Workbook and CSV readers: exact cell text, true Excel positions, encodings, dispatch."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import math
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt
from openpyxl.utils import column_index_from_string, coordinate_to_tuple

from data_sources.base import RawTable, UnreadableFile
from data_sources.csv_file import read_csv_bytes, sniff_delimiter
from data_sources.excel import HIDDEN_SHEET_NOTE, read_xlsx
from data_sources.files import SUPPORTED_EXTENSIONS, read_file, sha256_of

AGENCY = "สำนักงานเขตบางนา"
FACTORS = "ด้านงบประมาณของหน่วยงาน, ด้านเทคโนโลยี ทั้ง software และ hardware ของหน่วยงาน"


def cell_text(table: RawTable, ref: str) -> str | None:
    """The text RawTable holds for an Excel reference such as "C4" (None when missing)."""
    row, col = coordinate_to_tuple(ref)
    i, j = row - table.first_row, col - 1 - table.first_col
    if not (0 <= i < table.frame.shape[0] and 0 <= j < table.frame.shape[1]):
        return None
    value = table.frame.iloc[i, j]
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def rows_of(table: RawTable) -> list[list[str | None]]:
    return [
        [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in row]
        for row in table.frame.itertuples(index=False)
    ]


def xlsx_bytes(
    cells: dict[str, object], merges: tuple[str, ...] = (), title: str = "ข้อมูล"
) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for ref, value in cells.items():
        sheet[ref] = value
    for merge in merges:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture(params=[True, False], ids=["sandbox", "in_process"])
def sandbox(request: pytest.FixtureRequest) -> bool:
    return request.param


# --- positions: RawTable.first_row/first_col are the true Excel row and column -----------

POSITION_CASES = [
    pytest.param(
        {"B3": "รหัสข้อสั่งการ", "C3": "หน่วยรับตรวจ", "B4": "ขส-001", "C4": AGENCY},
        3,
        "B",
        id="data-starts-at-B3",
    ),
    pytest.param(
        {"D7": "ปีงบประมาณ", "D8": 2567, "F9": "สถานะ"},
        7,
        "D",
        id="data-starts-at-D7",
    ),
    pytest.param(
        {"C1": "รายงานผลการติดตามข้อสั่งการ", "B3": "รหัส", "C3": "สถานะ", "B4": "1"},
        1,
        "B",
        id="title-row-above-header",
    ),
    pytest.param({"A1": "เขต", "A2": "บางนา"}, 1, "A", id="starts-at-A1"),
]


@pytest.mark.parametrize(("cells", "first_row", "first_letter"), POSITION_CASES)
def test_first_row_and_column_are_the_true_excel_position(
    cells: dict[str, object], first_row: int, first_letter: str, sandbox: bool
) -> None:
    [table] = read_file(xlsx_bytes(cells), "ตำแหน่ง.xlsx", sandbox=sandbox)
    assert (table.first_row, table.column_letter(0)) == (first_row, first_letter)
    assert table.first_col == column_index_from_string(first_letter) - 1
    for ref, value in cells.items():
        assert cell_text(table, ref) == str(value), ref
    assert table.sheet == "ข้อมูล"
    assert table.source == "ตำแหน่ง.xlsx"


def test_cells_come_out_as_text(sandbox: bool) -> None:
    cells = {
        "A1": 12203500.0,
        "B1": 1.5,
        "C1": dt.datetime(2023, 11, 23),
        "D1": 2567,
        "E1": 4094769.47,
        "F1": "๑๒,๒๐๓,๕๐๐.-",
        "G1": FACTORS,
        "A2": "ดำเนินการแล้ว",
        "C2": -3,
        "E2": "#DIV/0!",  # openpyxl stores these as error cells (t="e")
        "F2": "#N/A",
    }
    [table] = read_file(xlsx_bytes(cells), "ค่า.xlsx", sandbox=sandbox)
    assert rows_of(table) == [
        ["12203500", "1.5", "2023-11-23 00:00:00", "2567", "4094769.47", "๑๒,๒๐๓,๕๐๐.-", FACTORS],
        ["ดำเนินการแล้ว", None, "-3", None, "#DIV/0!", "#N/A", None],
    ]
    assert all(str(dtype) == "str" for dtype in table.frame.dtypes)
    assert list(table.frame.columns) == list(range(7))


def test_merged_cells_keep_the_value_at_the_top_left_only(sandbox: bool) -> None:
    cells = {
        "B2": "ข้อมูล ณ วันที่ ๓๑ มีนาคม ๒๕๖๗",
        "B3": "ผลการเบิกจ่าย",
        "C3": "ร้อยละการเบิกจ่าย",
        "A3": "ประเภทงบ",
        "A5": "งบดำเนินงาน",
    }
    data = xlsx_bytes(cells, merges=("B2:C2", "A3:A4"))
    [table] = read_file(data, "merged.xlsx", sandbox=sandbox)
    assert (table.first_row, table.first_col) == (2, 0)
    expected = {
        "B2": "ข้อมูล ณ วันที่ ๓๑ มีนาคม ๒๕๖๗",
        "C2": None,
        "A3": "ประเภทงบ",
        "A4": None,
        "B3": "ผลการเบิกจ่าย",
        "A5": "งบดำเนินงาน",
    }
    assert {ref: cell_text(table, ref) for ref in expected} == expected


def test_one_table_per_sheet_empty_ones_empty_hidden_ones_noted(sandbox: bool) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "ทะเบียน"
    workbook.active["A1"] = "รหัส"
    workbook.create_sheet("ว่าง")
    hidden = workbook.create_sheet("รายการเขต")
    hidden["C2"] = "บางนา"
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    tables = read_file(buffer.getvalue(), "หลายชีต.xlsx", sandbox=sandbox)
    assert [(t.sheet, t.first_row, t.column_letter(0), t.notes) for t in tables] == [
        ("ทะเบียน", 1, "A", []),
        ("ว่าง", 1, "A", []),
        ("รายการเขต", 2, "C", [HIDDEN_SHEET_NOTE]),
    ]
    assert [t.frame.shape for t in tables] == [(1, 1), (0, 0), (1, 1)]


# --- other workbook formats ------------------------------------------------------------


def ods_bytes() -> bytes:
    """A hand-made .ods: two empty rows, then data from column B (as LibreOffice writes)."""

    def cell(value: str, number: str | None = None) -> str:
        kind = (
            f'office:value-type="float" office:value="{number}"'
            if number
            else ('office:value-type="string"')
        )
        return f"<table:table-cell {kind}><text:p>{value}</text:p></table:table-cell>"

    def row(*cells: str) -> str:
        return "<table:table-row><table:table-cell/>" + "".join(cells) + "</table:table-row>"

    # calamine, like LibreOffice's own output, wants no whitespace between elements
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="งบประมาณ">'
        '<table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>'
        + row(cell("ประเภทงบ"), cell("งบประมาณหลังปรับโอน"))
        + row(cell("งบดำเนินงาน"), cell("12,203,500.00", "12203500"))
        + row(cell("งบรายจ่ายอื่น"), cell("1.50", "1.5"))
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def xls_bytes() -> bytes:
    """A real BIFF8 .xls written by xlwt: data from B3."""
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("งบประมาณ")
    sheet.write(2, 1, "ประเภทงบ")
    sheet.write(2, 2, "งบประมาณหลังปรับโอน")
    sheet.write(3, 1, "งบดำเนินงาน")
    sheet.write(3, 2, 12203500.0)
    sheet.write(4, 1, "งบรายจ่ายอื่น")
    sheet.write(4, 2, 1.5)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "name"),
    [(ods_bytes, "งบ.ods"), (xls_bytes, "งบ.xls")],
    ids=["ods", "xls"],
)
def test_ods_and_xls_read_with_true_positions(make, name: str, sandbox: bool) -> None:
    [table] = read_file(make(), name, sandbox=sandbox)
    assert (table.sheet, table.first_row, table.column_letter(0)) == ("งบประมาณ", 3, "B")
    assert rows_of(table) == [
        ["ประเภทงบ", "งบประมาณหลังปรับโอน"],
        ["งบดำเนินงาน", "12203500"],
        ["งบรายจ่ายอื่น", "1.5"],
    ]


def test_content_decides_the_kind_not_the_extension() -> None:
    workbook = xlsx_bytes({"A1": "รหัส", "A2": "1"})
    [as_csv_name] = read_file(workbook, "export.csv", sandbox=False)
    assert (as_csv_name.sheet, rows_of(as_csv_name)) == ("ข้อมูล", [["รหัส"], ["1"]])
    [text_as_txt] = read_file("รหัส\tเขต\n1\tบางนา\n".encode(), "export.txt")
    assert (text_as_txt.sheet, rows_of(text_as_txt)) == ("", [["รหัส", "เขต"], ["1", "บางนา"]])


def test_read_xlsx_directly_from_path_and_bytes(tmp_path: Path) -> None:
    data = xlsx_bytes({"C5": AGENCY})
    path = tmp_path / "ข้อมูล เขต.xlsx"
    path.write_bytes(data)
    for tables in (read_xlsx(path), read_xlsx(data, "ข้อมูล เขต.xlsx")):
        assert [(t.source, t.first_row, t.column_letter(0), rows_of(t)) for t in tables] == [
            ("ข้อมูล เขต.xlsx", 5, "C", [[AGENCY]])
        ]


def test_read_file_from_a_path_uses_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "ทะเบียน ข้อสั่งการ.xlsx"
    path.write_bytes(xlsx_bytes({"B2": "ขส-001"}))
    for source in (path, str(path)):
        [table] = read_file(source)
        assert (table.source, cell_text(table, "B2")) == ("ทะเบียน ข้อสั่งการ.xlsx", "ขส-001")
    [named] = read_file(path, "อัปโหลด.xlsx")
    assert named.source == "อัปโหลด.xlsx"


# --- names are labels, never paths ---------------------------------------------------

_opened: list[str] | None = None


def _audit(event: str, args: tuple) -> None:
    if _opened is not None and event in {"open", "os.listdir", "os.scandir", "os.remove"}:
        _opened.append(str(args[0]) if args else "")


sys.addaudithook(_audit)


@pytest.mark.parametrize("name", ["../../etc/passwd.xlsx", "ข้อมูล เขต.xlsx", "/tmp/x/../ข.csv"])
def test_display_name_is_never_used_as_a_path(name: str, tmp_path: Path, monkeypatch) -> None:
    global _opened
    monkeypatch.chdir(tmp_path)
    probe = tmp_path / "probe.csv"
    probe.write_bytes(b"a,b\n")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    data = xlsx_bytes({"B3": "ปลอดภัย"})
    _opened = []
    try:
        [table] = read_file(data, name, sandbox=False)
        [csv_table] = read_file(
            "รหัส,เขต\n1,บางนา\n".encode(), name.replace(".xlsx", ".csv"), sandbox=False
        )
        read_file(probe, sandbox=False)  # proves the audit hook sees the files read_file opens
    finally:
        opened, _opened = _opened, None
    # (Python may load a codec module lazily the first time: its own files are not ours)
    ours = [o for o in opened if not o.startswith((sys.base_prefix, sys.prefix))]
    assert ours == [str(probe)]
    assert (table.source, cell_text(table, "B3")) == (name, "ปลอดภัย")
    assert csv_table.source == name.replace(".xlsx", ".csv")
    [sandboxed] = read_file(data, name, sandbox=True)
    assert (sandboxed.source, cell_text(sandboxed, "B3")) == (name, "ปลอดภัย")
    [sandboxed_csv] = read_file("รหัส,เขต\n1,บางนา\n".encode(), name.replace(".xlsx", ".csv"))
    assert sandboxed_csv.source == name.replace(".xlsx", ".csv")
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_bytes_need_a_name() -> None:
    with pytest.raises(ValueError, match="name"):
        read_file(b"a,b\n")


# --- CSV ----------------------------------------------------------------------------

THAI_ROWS = [["หน่วยรับตรวจ", "สถานะ"], [AGENCY, "อยู่ระหว่างการดำเนินการ"]]

CSV_CASES = [
    pytest.param(
        "หน่วยรับตรวจ,สถานะ\r\nสำนักงานเขตบางนา,อยู่ระหว่างการดำเนินการ\r\n".encode("cp874"),
        THAI_ROWS,
        ["encoding: cp874"],
        id="cp874-thai",
    ),
    pytest.param(
        codecs.BOM_UTF8 + "หน่วยรับตรวจ,สถานะ\nสำนักงานเขตบางนา,อยู่ระหว่างการดำเนินการ\n".encode(),
        THAI_ROWS,
        [],
        id="utf8-bom",
    ),
    pytest.param(
        "หน่วยรับตรวจ,สถานะ\nสำนักงานเขตบางนา,อยู่ระหว่างการดำเนินการ".encode(),
        THAI_ROWS,
        [],
        id="utf8-no-bom-no-final-newline",
    ),
    pytest.param(
        "หน่วยรับตรวจ;สถานะ\nสำนักงานเขตบางนา;อยู่ระหว่างการดำเนินการ\n".encode(),
        THAI_ROWS,
        [],
        id="semicolon",
    ),
    pytest.param(
        "หน่วยรับตรวจ\tสถานะ\nสำนักงานเขตบางนา\tอยู่ระหว่างการดำเนินการ\n".encode("utf-16"),
        THAI_ROWS,
        ["encoding: utf-16"],
        id="utf16-tab-unicode-text",
    ),
    pytest.param(
        f'ปัจจัย;สถานะ\n"{FACTORS}";ดำเนินการแล้ว\n{FACTORS};\n'.encode(),
        [["ปัจจัย", "สถานะ"], [FACTORS, "ดำเนินการแล้ว"], [FACTORS, None]],
        [],
        id="semicolon-with-commas-in-cells",
    ),
    pytest.param(
        'รหัส,รายละเอียด\n1,"บรรทัดแรก\nบรรทัดที่สอง"\n2,"มี ""อัญประกาศ"""\n'.encode(),
        [["รหัส", "รายละเอียด"], ["1", "บรรทัดแรก\nบรรทัดที่สอง"], ["2", 'มี "อัญประกาศ"']],
        [],
        id="quoted-newline-and-quotes",
    ),
    pytest.param(
        "รายงานผลการติดตาม\n\nรหัส,เขต,สถานะ\n1,บางนา\n".encode(),
        [
            ["รายงานผลการติดตาม", None, None],
            [None, None, None],
            ["รหัส", "เขต", "สถานะ"],
            ["1", "บางนา", None],
        ],
        [],
        id="ragged-title-and-blank-line",
    ),
]


@pytest.mark.parametrize(("data", "rows", "notes"), CSV_CASES)
def test_csv_cells_exact(data: bytes, rows: list, notes: list[str]) -> None:
    table = read_csv_bytes(data, "ข้อมูล.csv")
    assert (table.source, table.sheet, table.first_row, table.first_col) == ("ข้อมูล.csv", "", 1, 0)
    assert rows_of(table) == rows
    assert table.notes == notes
    assert all(str(dtype) == "str" for dtype in table.frame.dtypes)


def test_csv_leading_blank_lines_shift_first_row() -> None:
    table = read_csv_bytes(b"\n,,\nid,x\n1,2\n", "blank-top.csv")
    assert (table.first_row, rows_of(table)) == (3, [["id", "x", None], ["1", "2", None]])
    assert table.excel_row(1) == 4


@pytest.mark.parametrize(
    "data",
    [
        "สถานะ,".encode("cp874") + b"\xdb\xdc\xdd\xde\n",
        b"id,name\n1,\xfc\xfd\xfe\xff\n",
        "เขต\n".encode("cp874") + b"\x81\x82\n",
    ],
    ids=["0xDB-0xDE", "0xFC-0xFF", "0x81-0x82"],
)
def test_csv_neither_utf8_nor_cp874_is_bad_encoding(data: bytes) -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_file(data, "เขตบางนา.csv")
    error = caught.value
    assert (error.code, error.source) == ("bad_encoding", "เขตบางนา.csv")
    assert "เขตบางนา.csv" in error.reason_th and "เขตบางนา.csv" in error.reason_en
    assert "\ufffd" not in error.reason_th


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;2,5;3\n", ";"),
        ("a\tb\n1\t2\n", "\t"),
        ("เดียว\nคอลัมน์\n", ","),
        ('"x;y",z\n"1;2",3\n', ","),
    ],
    ids=["comma", "semicolon-decimal-comma", "tab", "single-column", "quoted-semicolons"],
)
def test_sniff_delimiter(text: str, delimiter: str) -> None:
    assert sniff_delimiter(text) == delimiter


# --- misc public API -----------------------------------------------------------------


def test_sha256_and_supported_extensions() -> None:
    assert sha256_of(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert {".xlsx", ".xls", ".ods", ".csv"} <= set(SUPPORTED_EXTENSIONS)
    assert all(ext.startswith(".") and ext == ext.lower() for ext in SUPPORTED_EXTENSIONS)
