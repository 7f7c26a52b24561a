"""Big sheets are read in row blocks (data_sources.xlsx_split): same cells, same positions.

The thresholds are lowered here so that hand-written workbooks of a few hundred rows are cut
into many blocks; each case compares the cut read with the whole read of the same file, cell
by cell with its Excel row and column.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from openpyxl.styles import Font

from data_sources import excel, xlsx_split


@pytest.fixture
def small_blocks(monkeypatch):
    """Cut every sheet over 1 KB into blocks of ~2 KB, read in 1 KB runs."""
    monkeypatch.setattr(xlsx_split, "SPLIT_BYTES", 1024)
    monkeypatch.setattr(xlsx_split, "CHUNK_BYTES", 2048)
    monkeypatch.setattr(xlsx_split, "_READ_BYTES", 1024)
    monkeypatch.setattr(excel, "PARALLEL_MAX_BYTES", 0)


def _cells(sheets: list[excel.SheetArrow]) -> dict[str, dict[tuple[int, int], str]]:
    """{sheet: {(Excel row, Excel column index): text}} for every non-empty cell."""
    out: dict[str, dict[tuple[int, int], str]] = {}
    for sheet in sheets:
        cells = out.setdefault(sheet.sheet, {})
        for j, column in enumerate(sheet.table.columns):
            for i, value in enumerate(column.to_pylist()):
                if value is not None:
                    cells[(sheet.first_row + i, sheet.first_col + j)] = value
    return out


def _blocks(source: bytes, sheet: int = 0, folder: str | None = None) -> list[int]:
    """The marker rows of ``sheet``'s blocks (each block closed once seen)."""
    writer = xlsx_split.BlockWriter(source, [sheet], folder=folder)
    try:
        markers = []
        for block in writer.blocks(sheet):
            markers.append(block.marker)
            block.close()
        return markers
    finally:
        writer.close()


def _read(source: bytes, monkeypatch, cut: bool) -> list[excel.SheetArrow]:
    if not cut:
        monkeypatch.setattr(xlsx_split, "SPLIT_BYTES", 10**12)
    return list(excel.iter_workbook(source, "ทะเบียน.xlsx"))


def _register_workbook() -> bytes:
    """A register as the office keeps it: title rows, a header in row 3, Thai text, dates,
    numbers, a run of blank rows, rows that start in column B, a note far to the right in one
    late row, formatted empty cells at the end, and a second (small) sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "ทะเบียนข้อสั่งการ"
    sheet["A1"] = "ทะเบียนข้อสั่งการปลัดกรุงเทพมหานคร ปีงบประมาณ 2567"
    sheet.merge_cells("A1:F1")
    sheet["A2"] = "ข้อมูล ณ วันที่ ๓๐ กันยายน ๒๕๖๗"
    sheet.append([])
    sheet["A3"], sheet["B3"], sheet["C3"], sheet["D3"], sheet["E3"] = (
        "เลขที่",
        "วันที่สั่งการ",
        "ข้อสั่งการ",
        "หน่วยงาน",
        "สถานะ",
    )
    row = 4
    for n in range(1, 301):
        if 120 <= n < 135:  # a run of blank rows in the middle
            row += 1
            continue
        start = 2 if n % 37 == 0 else 1  # some rows typed from column B
        values = [
            f"2567-{n:03d}",
            dt.datetime(2024, 1 + n % 12, 1 + n % 28),
            f"ให้สำนักงานเขตตรวจสอบความพร้อมของอุปกรณ์ดับเพลิงในชุมชน ครั้งที่ {n}",
            "สำนักงานเขตพระนคร" if n % 2 else "สำนักการระบายน้ำ",
            "ดำเนินการแล้ว" if n % 3 else "อยู่ระหว่างดำเนินการ",
        ]
        for k, value in enumerate(values[start - 1 :], start=start):
            sheet.cell(row=row, column=k, value=value)
        if n == 250:
            sheet.cell(row=row, column=16, value="หมายเหตุ: ขอขยายเวลา")
        row += 1
    for k in range(1, 6):  # formatted but empty cells under the table
        sheet.cell(row=row + 3, column=k).font = Font(bold=True)
    sheet.cell(row=row + 1, column=3, value=1234.5)
    other = book.create_sheet("สรุป")
    other.append(["หน่วยงาน", "จำนวน"])
    other.append(["สำนักงานเขตพระนคร", 150])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_register_cut_in_blocks_reads_the_same_cells(small_blocks, monkeypatch):
    source = _register_workbook()
    assert xlsx_split.sheets_to_cut(source) == [0]  # the small sheet is left whole
    markers = _blocks(source)
    assert len(markers) >= 5, markers  # really cut, in many blocks
    assert markers[0] == 0 and markers[1:] == sorted(set(markers[1:])) and markers[1] > 3
    cut = _read(source, monkeypatch, cut=True)
    whole = _read(source, monkeypatch, cut=False)
    assert [s.sheet for s in cut] == ["ทะเบียนข้อสั่งการ", "สรุป"]  # no block sheets leak out
    assert _cells(cut) == _cells(whole)
    cells = _cells(cut)["ทะเบียนข้อสั่งการ"]
    assert cells[(3, 0)] == "เลขที่"
    assert cells[(4, 0)] == "2567-001"
    assert cells[(4, 1)] == "2024-02-02 00:00:00"  # a date stays a date
    assert (40, 0) not in cells and cells[(40, 1)].startswith("2024-")  # n=37 starts in B
    assert cells[(253, 15)] == "หมายเหตุ: ขอขยายเวลา"  # n=250: row 4 + 249, column P
    assert not any(123 <= r <= 137 for r, _ in cells)  # the blank run stays blank
    assert cells[(138, 0)] == "2567-135"
    assert xlsx_split.MARKER_TEXT not in cells.values()
    assert cut[0].first_row == whole[0].first_row and cut[0].first_col == whole[0].first_col


def test_every_cell_has_a_position_across_blocks(small_blocks, monkeypatch):
    """Row i holds i in column A: any row shifted at a block join would show."""
    book = openpyxl.Workbook()
    for i in range(1, 801):
        book.active.cell(row=i, column=1, value=i)
        book.active.cell(row=i, column=2, value=f"แถว {i}")
    buffer = io.BytesIO()
    book.save(buffer)
    sheets = _read(buffer.getvalue(), monkeypatch, cut=True)
    cells = _cells(sheets)[book.active.title]
    assert len(cells) == 1600
    assert all(cells[(i, 0)] == str(i) and cells[(i, 1)] == f"แถว {i}" for i in range(1, 801))


def _handmade_xlsx(sheet_xml: str, shared: list[str] | None = None, prefix: str = "") -> bytes:
    """A workbook written by hand, part by part (no spreadsheet library)."""
    p = f"{prefix}:" if prefix else ""
    ns = f"xmlns{':' + prefix if prefix else ''}"
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><{p}workbook {ns}="{main}" '
            f'xmlns:r="{rel}"><{p}sheets><{p}sheet name="ข้อสั่งการ" sheetId="1" r:id="rId1"/>'
            f"</{p}sheets></{p}workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            + (f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>')
            + "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {ns}="{main}">'
            f'<{p}dimension ref="A1:D999"/><{p}sheetData>{sheet_xml}</{p}sheetData>'
            f"</{p}worksheet>"
        ),
    }
    strings = "".join(f"<{p}si><{p}t>{s}</{p}t></{p}si>" for s in shared or [])
    parts["xl/sharedStrings.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><{p}sst {ns}="{main}">{strings}</{p}sst>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8"))
    return out.getvalue()


def _rows(numbers, prefix: str = "", spans_first: bool = False) -> str:
    p = f"{prefix}:" if prefix else ""
    out = []
    for i in numbers:
        attrs = f'spans="1:4" r="{i}"' if spans_first else f'r="{i}" spans="1:4"'
        out.append(
            f'<{p}row {attrs}><{p}c r="A{i}" t="s"><{p}v>{i % 3}</{p}v></{p}c>'
            f'<{p}c r="B{i}"><{p}v>{i}</{p}v></{p}c>'
            f'<{p}c r="C{i}" t="inlineStr"><{p}is><{p}t>ข้อ {i} &amp; &lt;ทดสอบ&gt;</{p}t>'
            f"</{p}is></{p}c>"
            + (f'<{p}c r="D{i}" t="e"><{p}v>#DIV/0!</{p}v></{p}c>' if i % 50 == 0 else "")
            + f"</{p}row>"
        )
    return "".join(out)


@pytest.mark.parametrize(
    ("prefix", "spans_first"), [("", False), ("x", False), ("", True), ("x", True)]
)
def test_handmade_sheets_prefixes_and_attribute_order(
    small_blocks, monkeypatch, prefix, spans_first
):
    """Plain and ``x:``-prefixed parts (as .NET's Open XML SDK writes them), rows whose ``r``
    is not the first attribute, shared strings, escaped text and error cells."""
    source = _handmade_xlsx(
        _rows(range(1, 401), prefix, spans_first),
        ["ดำเนินการแล้ว", "ยังไม่รายงาน", "ไม่สามารถดำเนินการได้"],
        prefix,
    )
    assert len(_blocks(source)) > 3
    cut, whole = _read(source, monkeypatch, cut=True), _read(source, monkeypatch, cut=False)
    assert _cells(cut) == _cells(whole)
    cells = _cells(cut)["ข้อสั่งการ"]
    assert cells[(7, 0)] == "ยังไม่รายงาน" and cells[(7, 2)] == "ข้อ 7 & <ทดสอบ>"
    assert cells[(350, 3)] == "#DIV/0!"
    assert len(cells) == 400 * 3 + 8


@pytest.mark.parametrize(
    "case",
    ["rows without numbers", "rows out of order", "row above a block", "cdata", "comment"],
)
def test_what_cannot_be_cut_is_read_whole(small_blocks, monkeypatch, case):
    numbers = list(range(1, 401))
    xml = _rows(numbers)
    if case == "rows without numbers":
        xml = xml.replace('<row r="200" spans="1:4">', "<row>").replace('r="A200"', "")
    elif case == "rows out of order":  # whole runs of rows swapped: caught while cutting
        xml = _rows(range(201, 401)) + _rows(range(1, 201))
    elif case == "row above a block":  # one row far from its place: caught when joined
        xml = _rows([n for n in numbers if n != 5][:300]) + _rows([5]) + _rows(range(302, 401))
    elif case == "cdata":
        xml = xml.replace("ข้อ 250 ", "<![CDATA[ข้อ 250 ]]>", 1)
    else:
        xml = xml.replace('<row r="300"', '<!-- </row> --><row r="300"', 1)
    source = _handmade_xlsx(xml, ["ก", "ข", "ค"])
    cut, whole = _read(source, monkeypatch, cut=True), _read(source, monkeypatch, cut=False)
    assert _cells(cut) == _cells(whole)
    assert xlsx_split.MARKER_TEXT not in _cells(cut)["ข้อสั่งการ"].values()
    if case in ("rows without numbers", "rows out of order", "cdata", "comment"):
        with pytest.raises(xlsx_split.NotSplittable):
            _blocks(source)


def test_no_block_is_left_behind(small_blocks, tmp_path):
    """Blocks live in unlinked files: nothing stays on disk, cut, refused or abandoned."""
    source = _register_workbook()
    assert len(_blocks(source, folder=str(tmp_path))) >= 5
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(xlsx_split.NotSplittable):
        _blocks(
            _handmade_xlsx(_rows(range(1, 301)).replace('<row r="250"', "<row")), 0, str(tmp_path)
        )
    writer = xlsx_split.BlockWriter(source, [0], folder=str(tmp_path))
    first = next(writer.blocks(0))  # the reader stops after one block
    first.close()
    writer.close()
    assert not writer.thread.is_alive()
    assert list(tmp_path.iterdir()) == []


def test_small_or_other_workbooks_are_not_cut(monkeypatch):
    source = _register_workbook()
    assert xlsx_split.sheets_to_cut(source) == []  # under 192 MB of sheet XML
    monkeypatch.setattr(xlsx_split, "SPLIT_BYTES", 1024)
    assert xlsx_split.sheets_to_cut(source) == [0]
    handmade = _handmade_xlsx(_rows(range(1, 401)), ["ดำเนินการแล้ว"] * 20)
    assert xlsx_split.sheets_to_cut(handmade) == [0]
    monkeypatch.setattr(xlsx_split, "SHARED_MAX_BYTES", 100)  # shared strings too big to copy
    assert xlsx_split.sheets_to_cut(handmade) == []
    assert xlsx_split.sheets_to_cut(b"not a zip at all") == []


def test_at_most_two_block_files_at_once(small_blocks, monkeypatch):
    """The block being read and the one being written: the cutting waits for the reader."""
    import tempfile
    import time

    made: list = []
    real = tempfile.TemporaryFile

    def temporary_file(*args, **kwargs):
        handle = real(*args, **kwargs)
        made.append(handle)
        return handle

    monkeypatch.setattr(xlsx_split.tempfile, "TemporaryFile", temporary_file)
    writer = xlsx_split.BlockWriter(_register_workbook(), [0])
    most = 0
    try:
        for block in writer.blocks(0):
            time.sleep(0.05)  # a slow reader: the cutting would run ahead
            most = max(most, sum(not h.closed for h in made))
            block.close()
    finally:
        writer.close()
    assert len(made) >= 5
    assert most == 2
