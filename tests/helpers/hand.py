"""A register typed by hand with openpyxl (a title line, then a header whose agency column is
headed "ผู้ปฏิบัติ", a header no alias knows): the column-mapping tests' fixture."""

from __future__ import annotations

import io

import openpyxl

HEADER = ["ลำดับ", "ข้อสั่งการ", "ผู้ปฏิบัติ", "วันที่สั่งการ", "สถานะ", "หมายเหตุ"]
UNITS = ["สำนักงานเขตบางรัก", "สำนักการโยธา", "สำนักงานเขตคลองเตย"]


def hand_register_bytes(rows: int = 3) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ทะเบียน"
    ws.append(["สรุปผลการติดตามข้อสั่งการ ปลัดกรุงเทพมหานคร"])
    ws.append(HEADER)
    for i in range(rows):
        ws.append([i + 1, f"เรื่องที่ {i + 1}", UNITS[i % 3], "1/3/2567", "ดำเนินการแล้ว", ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def register_with_bad_statuses() -> bytes:
    """A register typed by hand with two statuses nobody can read (rows 3 and 5, column E)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ทะเบียน"
    ws.append(["ทะเบียนข้อสั่งการ ปีงบประมาณ พ.ศ. ๒๕๖๗"])
    ws.append(["เลขที่", "ข้อสั่งการ", "หน่วยงาน", "วันที่สั่งการ", "สถานะ"])
    ws.append(["A-1", "ลอกท่อ", UNITS[0], "1/3/2567", "เสร็จครึ่งๆ"])
    ws.append(["A-2", "ซ่อมถนน", UNITS[1], "2/3/2567", "ดำเนินการแล้ว"])
    ws.append(["A-3", "ตัดต้นไม้", UNITS[2], "3/3/2567", "??"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
