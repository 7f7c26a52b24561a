"""`summary --json` carries time to done: a register and its Forms responses typed by hand with
openpyxl, the figures worked out by hand (TRACKER_TODAY fixes "today")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[2]
BANGRAK, YOTHA, KLONGTOEI = "สำนักงานเขตบางรัก", "สำนักการโยธา", "สำนักงานเขตคลองเตย"


def _workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ทะเบียนข้อสั่งการ"
    ws.append(["รหัสข้อสั่งการ", "ปีงบประมาณ", "รอบที่", "วันที่สั่งการ", "หน่วยรับตรวจ"])
    ws["F1"], ws["G1"] = "ข้อสั่งการ/ข้อเสนอแนะ", "สถานะ"
    rows = [
        # Bang Rak: done in 10 and 40 days, one still open → S 2/3, 1/3 → median 40
        ("A-1", 2567, 1, "1/11/2566", BANGRAK, "ลอกท่อ", ""),
        ("A-2", 2567, 1, "1/11/2566", BANGRAK, "ซ่อมถนน", ""),
        ("A-3", 2567, 1, "1/11/2566", BANGRAK, "ตัดต้นไม้", ""),
        # Public Works: nothing done → median null ("not reached"), 0 % within 30/90/180
        ("A-4", 2567, 1, "1/11/2566", YOTHA, "สะพาน", ""),
        # Khlong Toei: done (register status) with no response and no date → not timed
        ("A-5", 2567, 1, "1/11/2566", KLONGTOEI, "ทางเท้า", "ดำเนินการแล้ว"),
    ]
    for r in rows:
        ws.append(list(r))
    forms = wb.create_sheet("การตอบแบบฟอร์ม")
    forms.append(["ประทับเวลา", "รหัสข้อสั่งการ", "สถานะ"])
    forms.append(["11/11/2566, 09:00:00", "A-1", "ดำเนินการแล้ว"])
    forms.append(["05/11/2566, 09:00:00", "A-2", "อยู่ระหว่างดำเนินการ"])
    forms.append(["11/12/2566, 16:00:00", "A-2", "ดำเนินการแล้ว"])
    forms.append(["20/11/2566, 10:00:00", "A-3", "อยู่ระหว่างดำเนินการ"])
    forms.append(["20/11/2566, 10:00:00", "A-4", "อยู่ระหว่างดำเนินการ"])
    wb.save(path)


def _summary(path: Path, *extra: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "tracker", "summary", str(path), "--json", *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TRACKER_TODAY": "2024-10-15"},
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_summary_json_has_time_to_done_per_unit(tmp_path):
    path = tmp_path / "register.xlsx"
    _workbook(path)
    data = _summary(path)
    ttd = data["time_to_done"]
    assert ttd["censored_at"] == "2024-10-15"
    assert ttd["not_timed"] == 1
    assert ttd["by_agency"] == [
        {
            "agency": BANGRAK,
            "n": 3,
            "done": 2,
            "censored": 1,
            "median_days": 40,
            "done_within_30": 33.33,
            "done_within_90": 66.67,
            "done_within_180": 66.67,
        },
        {
            "agency": YOTHA,
            "n": 1,
            "done": 0,
            "censored": 1,
            "median_days": None,
            "done_within_30": 0.0,
            "done_within_90": 0.0,
            "done_within_180": 0.0,
        },
    ]
    # four timed directives: 10 ✓, 40 ✓ and two open (349 days) → S 3/4, 2/4 → median 40
    assert ttd["overall"] == {
        "n": 4,
        "done": 2,
        "censored": 2,
        "median_days": 40,
        "done_within_30": 25.0,
        "done_within_90": 50.0,
        "done_within_180": 50.0,
    }
    # the other keys keep their contract
    assert list(data) == ["directives", "kpis", "budget", "issues", "time_to_done", "units"]
    assert data["directives"]["total"] == 5
