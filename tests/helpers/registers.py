"""A one-sheet register typed as CSV, the way the publish, CLI and page tests share it."""

from __future__ import annotations

import csv
import io

HEADER = ["รหัส", "ปีงบประมาณ", "วันที่สั่งการ", "กำหนดแล้วเสร็จ", "หน่วยรับตรวจ", "ข้อสั่งการ", "สถานะ"]
X, Y = "สำนักงานเขตบางนา", "สำนักการโยธา"


def csv_bytes(rows: list[tuple]) -> bytes:
    """A one-sheet register: (id, agency, status, due date as typed) per row."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADER)
    for did, agency, status, due in rows:
        w.writerow([did, "2567", "23/11/2566", due, agency, f"ข้อสั่งการ {did}", status])
    return buf.getvalue().encode("utf-8")


V1 = [
    ("A1", X, "ดำเนินการแล้ว", "31/3/2567"),
    ("A2", X, "อยู่ระหว่างการดำเนินการ", "31/3/2567"),
    ("B1", Y, "", ""),
]
V2 = [
    ("A1", X, "ดำเนินการแล้ว", "30/4/2567"),  # due moved +30 days
    ("A2", X, "ดำเนินการแล้ว", "31/3/2567"),  # status changed
    ("B1", Y, "อยู่ระหว่างการดำเนินการ", ""),  # status changed
]
V3 = [
    ("A1", X, "ดำเนินการแล้ว", "30/4/2567"),
    ("A2", X, "ดำเนินการแล้ว", "31/3/2567"),
    ("B1", Y, "ดำเนินการแล้ว", "30/6/2567"),  # status changed, due date set
]
