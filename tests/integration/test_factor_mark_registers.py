"""A register that ticks the five impact factors in one column each, under a merged two-row
header ("ปัจจัยผลกระทบ" over "บุคลากร | งบประมาณ | …", "ผลการดำเนินการ" over "สถานะ |
รายละเอียด"), typed here with openpyxl as the office keeps it and read by the real readers.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from tracker import cli
from tracker.publish import flow as pub
from tracker.schema import FACTOR_EN, FACTOR_SHORT_TH, FACTORS

NAMES = [FACTOR_SHORT_TH[k] for k in FACTORS]  # บุคลากร งบประมาณ วิธีปฏิบัติงาน เทคโนโลยี กฎหมาย


def _register(
    group: str = "ปัจจัยผลกระทบ", marks: list[list[object]] | None = None, names=NAMES
) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ทะเบียนข้อสั่งการ ๖๗"
    ws.append(["ทะเบียนติดตามข้อสั่งการ ปลัดกรุงเทพมหานคร ปีงบประมาณ พ.ศ. ๒๕๖๗"])
    ws.merge_cells("A1:N1")
    ws.append(["สำนักงานเขตบางนา / สำนักงานเขตดินแดง  (พิมพ์โดย นางสาวสมศรี)"])
    own = ["ลำดับ\nที่", " รหัส ข้อสั่งการ", "รอบ\nการตรวจ", "วันที่\nสั่งการ", "กำหนด\nแล้วเสร็จ"]
    ws.append([*own, "หน่วย รับตรวจ", "ข้อสั่งการ / ข้อเสนอแนะ", group, *[None] * 4])
    ws.cell(3, 13, "ผลการดำเนินการ")
    ws.append([*[None] * 7, *names, "สถานะ", "รายละเอียด"])
    for cells in ("A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "F3:F4", "G3:G4", "H3:L3", "M3:N3"):
        ws.merge_cells(cells)
    marks = marks or [
        ["✓", "", "✓", "", ""],
        ["x", "✓", "", "", "✓"],
        ["✓", "", "", "", ""],
        ["", "✓", "", "✓", ""],
        ["", "", "", "", "✓"],
        ["", "", "✓", "", ""],
        ["", "✓", "", "", ""],
        ["✓", "", "", "", ""],
    ]
    bn, dd = "สำนักงานเขตบางนา", "สำนักงานเขตดินแดง"
    rows = [
        ["๑", "บน-๖๗-๐๐๑", "๑", "15 ม.ค. 2567", "31 มี.ค. 2567", bn, "ให้เร่งรัดการลอกท่อ"],
        ["๒", "บน-๖๗-๐๐๒", "๑", dt.datetime(2024, 1, 15), None, bn, "ให้ตรวจสอบหาบเร่แผงลอย"],
        ["๓", "บน-๖๗-๐๐๓", "๑", "๒๐ ม.ค. ๒๕๖๗", "", bn, "ให้จัดทำแผนอัตรากำลัง"],
        ["๔", "ดง-๖๗-๐๐๑", "๒", "1/3/2567", "", dd, "ให้ติดตั้งกล้อง CCTV"],
        ["๕", "ดง-๖๗-๐๐๒", "๒", "5 มีนาคม 2567", "", dd, "ให้ปรับปรุงระเบียบการจัดเก็บรายได้"],
        ["๖", "ดง-๖๗-๐๐๓", "๒", dt.date(2024, 3, 5), "", dd, "ให้รายงานผลการจัดเก็บขยะ"],
        ["๗", "ดง-๖๗-๐๐๔", "๒", "๕/๓/๖๗", "", dd, "ให้ซ่อมแซมทางเท้า"],
        ["๘", "ดง-๖๗-๐๐๕", "๒", "6 มี.ค. 67", "", dd, "ให้อบรมเจ้าหน้าที่"],
    ]
    results = [
        ["ดำเนินการแล้ว", "ลอกท่อแล้ว ๓ สาย"],
        ["อยู่ระหว่างดำเนินการ", "-"],
        ["อยู่ระหว่างการดำเนินการ ", "เสนอ สนป. แล้ว"],
        ["ดำเนินการแล้ว.", ""],
        ["ไม่สามารถดำเนินการได้", "ติดข้อกฎหมาย"],
        ["", ""],
        ["ยังไม่รายงานผล", ""],
        ["อยู่ระหว่างดำเนินการ", ""],
    ]
    for i, (row, mark, result) in enumerate(zip(rows, marks, results, strict=True)):
        ws.append([*row, *mark, *result])
        if i == 1:
            ws.append([None] * 14)  # a blank line between the rows, as typed
    ws.append([None] * 14)
    ws.append(["รวม", None, None, None, None, None, "๘ เรื่อง", *[None] * 7])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _codes(issues, severity=None) -> list[str]:
    return [i.code for i in issues if severity is None or i.severity == severity]


def _counts(d) -> tuple[dict[str, int], dict[str, int]]:
    by_status = d["status"].astype(str).value_counts().to_dict()
    by_factor = {k: int(d[f"f_{k}"].sum()) for k in FACTORS}
    return by_status, by_factor


@pytest.mark.parametrize(
    ("group", "names"),
    [
        ("ปัจจัยผลกระทบ", NAMES),
        ("ปัจจัยที่ส่งผลกระทบ", NAMES),
        ("ปัจจัย ผลกระทบ", [f"ด้าน{n}" for n in NAMES]),
        ("Impact factors", [FACTOR_EN[k] for k in FACTORS]),
    ],
)
def test_one_tick_column_per_factor_under_a_merged_header_is_read(group, names):
    p = pub.prepare([("ทะเบียน.xlsx", _register(group, names=names))], sandbox=False)
    d = p.dataset.directives
    assert _codes(p.issues, "error") == []
    # eight directives: the sub-label row ("บุคลากร | … | สถานะ | รายละเอียด") is header, not data
    assert len(d) == 8
    assert d["directive_id"].tolist()[0] == "บน-67-001"
    assert "สถานะ" not in d["text"].tolist() and d["text"].notna().all()
    assert d["row"].tolist() == [5, 6, 8, 9, 10, 11, 12, 13]  # Excel rows, below both header rows
    by_status, by_factor = _counts(d)
    assert by_status == {"in_progress": 3, "done": 2, "not_reported": 2, "cannot": 1}
    assert by_factor == {"personnel": 3, "budget": 3, "process": 2, "technology": 1, "law": 2}
    # the row marked "x" under บุคลากร is not ticked there
    second = d.iloc[1]
    assert not second["f_personnel"] and second["f_budget"] and second["f_law"]
    # "รายละเอียด" under "ผลการดำเนินการ" is the detail, not lost
    assert d["detail"].tolist()[0] == "ลอกท่อแล้ว ๓ สาย"
    assert d["detail"].tolist()[4] == "ติดข้อกฎหมาย"


def test_other_marks_are_read_as_ticks_and_blanks():
    marks = [
        ["/", "0", "1", "", "ไม่มี"],
        ["มี", "✗", "", "", "/"],
        ["✔", "", "", "", ""],
        ["", "1", "", "☑", ""],
        ["-", "", "", "", "✓"],
        ["", "", "yes", "", ""],
        ["", "มี", "no", "", ""],
        ["/", "", "", "", ""],
    ]
    p = pub.prepare([("ทะเบียน.xlsx", _register(marks=marks))], sandbox=False)
    assert _codes(p.issues, "error") == []
    _, by_factor = _counts(p.dataset.directives)
    assert by_factor == {"personnel": 4, "budget": 2, "process": 2, "technology": 1, "law": 2}


def test_a_mark_nobody_can_read_is_reported_where_it_is():
    marks = [["✓", "", "", "", ""]] * 8
    marks = [*marks[:2], ["?", "", "", "", ""], *marks[3:]]
    p = pub.prepare([("ทะเบียน.xlsx", _register(marks=marks))], sandbox=False)
    bad = [i for i in p.issues if i.severity == "error"]
    assert [i.code for i in bad] == ["unknown_factor_mark"]
    assert (bad[0].row, bad[0].letter, bad[0].header, bad[0].value) == (8, "H", "บุคลากร", "?")
    assert "บุคลากร (H)" in bad[0].message_th and "บุคลากร (H)" in bad[0].message_en
    assert not p.can_publish


def test_the_command_line_validates_it(tmp_path, capsys):
    path = tmp_path / "ทะเบียน.xlsx"
    path.write_bytes(_register())
    assert cli.main(["validate", str(path)]) == cli.EXIT_OK
    assert "8 directive(s)" in capsys.readouterr().out
