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
