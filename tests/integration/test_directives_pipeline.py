"""Files generated here, read through the real readers, normalised and checked: exact figures."""

from __future__ import annotations

import datetime as dt
import unicodedata

import openpyxl
import pytest

from tracker.read.loader import load_paths

HEADER = [
    "รหัสข้อสั่งการ",
    "ปีงบประมาณ",
    "รอบที่",
    "ผู้สั่งการ",
    "วันที่สั่งการ",
    "กำหนดแล้วเสร็จ",
    "หน่วยรับตรวจ",
    "ข้อสั่งการ/ข้อเสนอแนะ",
    "ประเภทข้อสั่งการ",
    "ปัจจัยผลกระทบ",
    "สถานะ",
    "รายละเอียดผลการดำเนินการ",
    "ปัญหา/อุปสรรค",
]


def row(
    i,
    status="",
    fy="๒๕๖๗",
    agency="สำนักงานเขตบางนา",
    issued="๒๓ พ.ย. ๖๖",
    due="31/03/2567",
    factors="ด้านงบประมาณของหน่วยงาน, ด้านเทคโนโลยี ทั้ง software และ hardware ของหน่วยงาน",
    group="ความสะอาดและสิ่งแวดล้อม",
):
    return [
        f"2567-1-{i:03d}",
        fy,
        "๑",
        "ปลัดกรุงเทพมหานคร",
        issued,
        due,
        agency,
        f"ให้เร่งรัดการดำเนินงาน ข้อ {i}",
        group,
        factors,
        status,
        "-",
        "-",
    ]


def write_xlsx(path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path


def flat(issues, severity=None):
    return sorted((i.row, i.code) for i in issues if severity in (None, i.severity))


def test_one_sheet_shape_with_title_rows_repeated_header_and_sections(tmp_path):
    rows = [
        ["ทะเบียนข้อสั่งการ ปีงบประมาณ พ.ศ. ๒๕๖๗"],
        [],
        HEADER,
        ["รอบที่ ๑"],
        row(1, "ดำเนินการแล้ว"),
        row(2, "อยู่ระหว่างดำเนินการ"),
        row(3, "ไม่สามารถดำเนินการได้"),
        HEADER,
        row(4, ""),
        row(5, " ดำเนินการแล้ว ", agency="สำนักงานเขต  ห้วยขวาง "),
    ]
    path = write_xlsx(tmp_path / "register.xlsx", {"ทะเบียน": rows}, {"ทะเบียน": ["A1:M1"]})
    res = load_paths([path])
    ds = res.dataset
    assert res.unreadable == []
    assert flat(ds.issues) == [(4, "section_row"), (8, "repeated_header")]
    d = ds.directives
    assert d["directive_id"].tolist() == [f"2567-1-{i:03d}" for i in range(1, 6)]
    assert d["row"].tolist() == [5, 6, 7, 9, 10]
    assert d["status"].tolist() == ["done", "in_progress", "cannot", "not_reported", "done"]
    assert d["fiscal_year"].tolist() == [2567] * 5
    assert d["round"].tolist() == [1] * 5
    assert d["issued_date"].iloc[0] == dt.datetime(2023, 11, 23)
    assert d["due_date"].iloc[0] == dt.datetime(2024, 3, 31)
    assert d["agency"].iloc[4] == "สำนักงานเขตห้วยขวาง"
    assert d["district_code"].tolist()[0] is not None
    assert d["f_budget"].all() and d["f_technology"].all() and not d["f_law"].any()
    assert d["obstacle"].isna().all()


def test_register_plus_forms_responses_out_of_order(tmp_path):
    reg = [HEADER[:10]] + [row(i)[:10] for i in range(1, 5)]
    responses = [
        ["ประทับเวลา", "รหัสข้อสั่งการ", "สถานะ", "รายละเอียดผลการดำเนินการ", "ปัญหา/อุปสรรค"],
        ["15/01/2567, 09:00:00", "2567-1-001", "ดำเนินการแล้ว", "เสร็จ", "-"],
        ["23/11/2566, 14:05:22", "2567-1-001", "อยู่ระหว่างการดำเนินการ", "เริ่ม", "-"],
        ["01/12/2566, 10:00:00", "2567-1-002", "ไม่สามารถดำเนินการได้", "ติดระเบียบ", "กฎหมาย"],
        ["๐๒/๑๒/๒๕๖๖, ๑๐:๐๐:๐๐", "2567-1-002", "อยู่ระหว่างการดำเนินการ", "ทบทวน", "-"],
        ["03/12/2566, 10:00:00", "2567-9-999", "ดำเนินการแล้ว", "?", "-"],
    ]
    reg_path = write_xlsx(tmp_path / "reg.xlsx", {"ทะเบียน": reg})
    resp_path = write_xlsx(tmp_path / "resp.xlsx", {"Form Responses 1": responses})
    ds = load_paths([reg_path, resp_path]).dataset
    st = dict(zip(ds.directives["directive_id"], ds.directives["status"], strict=True))
    assert st == {
        "2567-1-001": "done",
        "2567-1-002": "in_progress",
        "2567-1-003": "not_reported",
        "2567-1-004": "not_reported",
    }
    assert ds.directives.set_index("directive_id").loc["2567-1-001", "detail"] == "เสร็จ"
    assert flat(ds.issues, "warning") == [(6, "unknown_directive")]
    (unknown,) = [i for i in ds.issues if i.code == "unknown_directive"]
    # named by the form's own header and letter, as every other message names its column
    assert (unknown.sheet, unknown.header, unknown.letter) == (
        "Form Responses 1",
        "รหัสข้อสั่งการ",
        "B",
    )
    assert len(ds.responses) == 5


def test_errors_are_positioned_and_collected_in_one_pass(tmp_path):
    rows = [
        HEADER,
        row(1, "เสร็จแล้วมั้ง"),
        row(2, factors="ด้านอวกาศ"),
        row(3, issued="31/02/2567"),
        row(4, issued="01/03/2567", due="01/01/2567"),
        row(5, fy="2566"),
        row(1),
        row(7, agency="สำนักงานลึกลับ"),
    ]
    ds = load_paths([write_xlsx(tmp_path / "bad.xlsx", {"S": rows})]).dataset
    assert flat(ds.issues) == [
        (2, "duplicate_id"),
        (2, "unknown_status"),
        (3, "unknown_factor"),
        (4, "invalid_date"),
        (5, "due_before_issue"),
        (6, "fiscal_year_mismatch"),
        (7, "duplicate_id"),
        (8, "unknown_agency"),
    ]
    by_code = {i.code: i for i in ds.issues}
    assert by_code["unknown_status"].value == "เสร็จแล้วมั้ง"
    assert by_code["unknown_status"].column == "สถานะ (K)"
    assert "เสร็จแล้วมั้ง" in by_code["unknown_status"].message_th
    assert "เสร็จแล้วมั้ง" in by_code["unknown_status"].message_en
    assert by_code["unknown_agency"].severity == "warning"


def test_missing_required_column_names_aliases(tmp_path):
    gone = HEADER.index("หน่วยรับตรวจ")
    rows = [[h for h in HEADER if h != "หน่วยรับตรวจ"], row(1)[:gone] + row(1)[gone + 1 :]]
    ds = load_paths([write_xlsx(tmp_path / "m.xlsx", {"S": rows})]).dataset
    issue = next(i for i in ds.issues if i.code == "missing_column")
    assert issue.severity == "error" and issue.row == 1
    assert "หน่วยรับตรวจ" in issue.message_th and "agency" in issue.message_en


def test_sheet_without_table_and_empty_sheet(tmp_path):
    path = write_xlsx(
        tmp_path / "x.xlsx",
        {"notes": [["บันทึก"], ["อะไรก็ได้"]], "empty": [], "data": [HEADER, row(1)]},
    )
    ds = load_paths([path]).dataset
    codes = {(i.sheet, i.code) for i in ds.issues}
    assert ("notes", "no_table") in codes
    assert ("empty", "empty_sheet") in codes
    assert len(ds.directives) == 1


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp874"])
def test_csv_encodings(tmp_path, encoding):
    lines = [",".join(HEADER)] + [",".join(f'"{c}"' for c in row(i, "ดำเนินการแล้ว")) for i in (1, 2)]
    path = tmp_path / "d.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    ds = load_paths([path]).dataset
    assert ds.directives["status"].tolist() == ["done", "done"]
    assert ds.directives["agency"].tolist() == ["สำนักงานเขตบางนา"] * 2
    assert [i for i in ds.issues if i.severity == "error"] == []


def test_a_long_section_title_is_shortened_whole_syllables_and_marked(tmp_path):
    title = "รอบที่ ๑ ข้อสั่งการจากการประชุมผู้บริหารกรุงเทพมหานคร " * 3
    rows = [HEADER, [title], row(1, "ดำเนินการแล้ว")]
    ds = load_paths([write_xlsx(tmp_path / "register.xlsx", {"ทะเบียน": rows})]).dataset
    (section,) = [i for i in ds.issues if i.code == "section_row"]
    assert section.value.endswith("…") and len(section.value) <= 80
    kept = section.value[:-1]
    assert title.startswith(kept)
    assert unicodedata.category(title[len(kept)]) != "Mn"  # no vowel or tone mark left behind
