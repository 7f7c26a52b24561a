"""Registers typed the way people type them, written by hand as .xlsx (openpyxl) and .ods
(odfpy), never by the project's sample writer: title lines, merged headers of two and three
rows, section rows (round, district group, unit, quarter), a header typed again, subtotal,
blank and note rows.

A sheet is given as its rows (cells: str, int or None) and its merged ranges ("D3:E3").
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import openpyxl
from openpyxl.utils.cell import range_boundaries

Cell = str | int | None


@dataclass
class Sheet:
    title: str
    rows: list[list[Cell]]
    merges: list[str] = field(default_factory=list)


def xlsx_bytes(sheet: Sheet) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet.title
    for row in sheet.rows:
        ws.append(row)
    for cells in sheet.merges:
        ws.merge_cells(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ods_bytes(sheet: Sheet) -> bytes:
    """The same sheet as OpenDocument: merged cells span, the cells they cover are covered."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    spans: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for cells in sheet.merges:
        c1, r1, c2, r2 = range_boundaries(cells)
        spans[(r1 - 1, c1 - 1)] = (r2 - r1 + 1, c2 - c1 + 1)
        covered |= {
            (r, c)
            for r in range(r1 - 1, r2)
            for c in range(c1 - 1, c2)
            if (r, c) != (r1 - 1, c1 - 1)
        }
    doc = OpenDocumentSpreadsheet()
    table = Table(name=sheet.title)
    width = max(len(r) for r in sheet.rows)
    for i, row in enumerate(sheet.rows):
        tr = TableRow()
        for j in range(width):
            value = row[j] if j < len(row) else None
            if (i, j) in covered:
                tr.addElement(CoveredTableCell())
                continue
            attrs: dict[str, object] = {}
            if (i, j) in spans:
                rows, cols = spans[(i, j)]
                attrs = {"numberrowsspanned": rows, "numbercolumnsspanned": cols}
            if value is None:
                tr.addElement(TableCell(**attrs))
            elif isinstance(value, int):
                cell = TableCell(valuetype="float", value=value, **attrs)
                cell.addElement(P(text=str(value)))
                tr.addElement(cell)
            else:
                cell = TableCell(valuetype="string", **attrs)
                cell.addElement(P(text=value))
                tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue()


def write(sheet: Sheet, fmt: str) -> bytes:
    return xlsx_bytes(sheet) if fmt == "xlsx" else ods_bytes(sheet)


def two_row_header() -> Sheet:
    """The issue's register: two title lines, "ผลการดำเนินการ" merged over "สถานะ | รายละเอียด",
    ลำดับ instead of an id, no fiscal-year column, section rows "รอบที่ ๑/๒" and the header typed
    again below the second one."""
    rows: list[list[Cell]] = [
        ["สรุปผลการติดตามข้อสั่งการของปลัดกรุงเทพมหานคร"],
        ["ข้อมูล ณ วันที่ ๑๕ มีนาคม ๒๕๖๗"],
        ["ลำดับ", "หน่วยรับตรวจ", "ข้อสั่งการ/ข้อเสนอแนะ", "ผลการดำเนินการ", None],
        [None, None, None, "สถานะ", "รายละเอียด"],
        ["รอบที่ ๑"],
        [1, "สำนักงานเขตบางนา", "ให้เร่งรัดการซ่อมผิวจราจร", "ดำเนินการแล้ว", "ซ่อมแล้วเสร็จ"],
        [2, "สำนักการโยธา", "ให้ตรวจสอบทางเท้า", "อยู่ระหว่างดำเนินการ", "-"],
        ["รอบที่ ๒"],
        ["ลำดับ", "หน่วยรับตรวจ", "ข้อสั่งการ/ข้อเสนอแนะ", "ผลการดำเนินการ", None],
        [None, None, None, "สถานะ", "รายละเอียด"],
        [1, "สำนักงานเขตบางนา", "ให้กำชับเจ้าหน้าที่", None, None],
        [2, "สำนักงานเขตดินแดง", "ให้จัดทำแผน", "ไม่สามารถดำเนินการได้", "ติดระเบียบ"],
    ]
    merges = ["A3:A4", "B3:B4", "C3:C4", "D3:E3", "A9:A10", "B9:B10", "C9:C10", "D9:E9"]
    return Sheet("ติดตามข้อสั่งการ", rows, merges)


def three_row_header() -> Sheet:
    """A three-row header ("วันที่" over "สั่งการ | ครบกำหนด"; "ผลการดำเนินงาน" over "สถานะ" and
    "รายละเอียด", itself over "ผลการดำเนินการ | ปัญหา/อุปสรรค"), headers with spaces, dates in
    Thai (the fiscal year comes from them), a blank row, a subtotal row and notes below."""
    rows: list[list[Cell]] = [
        ["ทะเบียนติดตามข้อเสนอแนะของผู้ตรวจราชการ"],
        [
            "ที่",
            "หน่วยงาน ที่รับผิดชอบ",
            "ข้อเสนอแนะของ ผู้ตรวจราชการ",
            "วันที่",
            None,
            "ผลการดำเนินงาน",
            None,
            None,
        ],
        [None, None, None, "สั่งการ", "ครบกำหนด", "สถานะ", "รายละเอียด", None],
        [None, None, None, None, None, None, "ผลการดำเนินการ", "ปัญหา/อุปสรรค"],
        [1, "สำนักงานเขตบางนา", "ข้อ ๑", "๒๓ พ.ย. ๖๖", "๓๑ มี.ค. ๖๗", "ดำเนินการแล้ว", "เสร็จ", "-"],
        [2, "สำนักการโยธา", "ข้อ ๒", "5/10/2566", "30/9/2567", "", "", ""],
        [None, None, None, None, None, None, None, None],
        [3, "สำนักงานเขตคลองเตย", "ข้อ ๓", "1/12/2566", "", "อยู่ระหว่างดำเนินการ", "", "งบประมาณ"],
        ["รวม", None, "3 เรื่อง", None, None, None, None, None],
        ["หมายเหตุ : ข้อมูลจากหน่วยงาน"],
        ["ลงชื่อ ................ ผู้รายงาน"],
        ["(นางสาวตัวอย่าง ทดสอบ)"],
    ]
    merges = ["A2:A4", "B2:B4", "C2:C4", "D2:E2", "D3:D4", "E3:E4", "F2:H2", "F3:F4", "G3:H3"]
    return Sheet("ทะเบียน", rows, merges)


def zones_and_units() -> Sheet:
    """No unit column: the unit alone in its row heads its directives, under a round, a district
    group ("กลุ่มกรุงเทพใต้") and a quarter; one office sits under the wrong group."""
    rows: list[list[Cell]] = [
        ["ติดตามข้อสั่งการ ปีงบประมาณ พ.ศ. ๒๕๖๗"],
        ["ลำดับที่", "ข้อสั่งการ", "สถานะการดำเนินงาน", "ระยะเวลาแล้วเสร็จ"],
        ["ไตรมาสที่ ๒"],
        ["รอบที่ ๑"],
        ["กลุ่มกรุงเทพใต้"],
        ["สำนักงานเขตบางนา"],
        [1, "ให้ลอกท่อ", "ดำเนินการแล้ว", "31/3/2567"],
        [2, "ให้ซ่อมถนน", "", "31/3/2567"],
        ["สำนักงานเขตคลองเตย"],
        [3, "ให้ตัดต้นไม้", "อยู่ระหว่างการดำเนินการ", "30/4/2567"],
        ["กลุ่มกรุงธนใต้"],
        ["สำนักงานเขตจอมทอง"],
        [4, "ให้จัดระเบียบทางเท้า", "ดำเนินการแล้ว", "30/4/2567"],
        ["สำนักงานเขตดุสิต"],  # in กรุงเทพกลาง, typed under กรุงธนใต้
        [5, "ให้ปรับปรุงสวน", "ไม่สามารถดำเนินการได้", "30/4/2567"],
    ]
    return Sheet("ทะเบียน", rows)


def no_year() -> Sheet:
    """Nothing gives the fiscal year: no column, no dates, no year in the titles or names."""
    rows: list[list[Cell]] = [
        ["ติดตามข้อสั่งการ"],
        ["ลำดับ", "หน่วยงานผู้รับผิดชอบ", "ข้อสั่งการ", "ความคืบหน้า"],
        [1, "สำนักงานเขตบางนา", "ข้อ ๑", "ดำเนินการแล้ว"],
        [2, "สำนักการโยธา", "ข้อ ๒", ""],
    ]
    return Sheet("ทะเบียน", rows)


def missing_column_and_bad_statuses() -> Sheet:
    """No directive-text column and five statuses nobody can read (one readable)."""
    rows: list[list[Cell]] = [
        ["ทะเบียนข้อสั่งการ ปีงบประมาณ ๒๕๖๗"],
        ["ลำดับ", "หน่วยรับตรวจ", "สถานะ", "กำหนดแล้วเสร็จ"],
        *([i, "สำนักงานเขตบางนา", "เสร็จครึ่งหนึ่ง", "31/3/2567"] for i in range(1, 6)),
        [6, "สำนักการโยธา", "ดำเนินการแล้ว", "31/3/2567"],
    ]
    return Sheet("ทะเบียน", rows)


def kpis_by_unit() -> Sheet:
    """A KPI table with no unit or period column: the quarter and each unit head their rows."""
    rows: list[list[Cell]] = [
        ["รายงานผลการดำเนินงานตามตัวชี้วัด ประจำปีงบประมาณ พ.ศ. ๒๕๖๗"],
        ["ตัวชี้วัด", "ค่าเป้าหมาย", "ระดับความสำเร็จ", "รายละเอียดผลการดำเนินงาน"],
        ["ไตรมาสที่ ๒"],
        ["สำนักงานเขตบางนา"],
        ["ระดับความสำเร็จของการจัดเก็บขยะ", "ระดับ ๕", "ระดับ ๓", "ดำเนินการตามแผน"],
        ["สำนักการโยธา"],
        ["ระดับความสำเร็จของการซ่อมถนน", "ระดับ ๕", "ระดับ ๔", "ซ่อมแล้ว ๘๐ จุด"],
    ]
    return Sheet("ตัวชี้วัด", rows)
