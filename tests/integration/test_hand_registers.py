"""Registers as the office keeps them by hand, written here with openpyxl and as plain CSV
text (never by the project's sample writer): title lines, merged two-row headers, a running
number instead of an id, no fiscal-year column, section rows, a header typed again below.
"""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from tracker import cli
from tracker.publish import flow as pub
from tracker.read.loader import build_dataset, read_paths


def _xlsx(build) -> bytes:
    wb = openpyxl.Workbook()
    build(wb.active)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _hand_kept(ws) -> None:
    ws.title = "ติดตามข้อสั่งการ"
    ws.append(["สรุปผลการติดตามข้อสั่งการของปลัดกรุงเทพมหานคร"])
    ws.append(["ข้อมูล ณ วันที่ ๑๕ มีนาคม ๒๕๖๗"])
    ws.append(["ลำดับ", "หน่วยรับตรวจ", "ข้อสั่งการ/ข้อเสนอแนะ", "ผลการดำเนินการ", None])
    ws.append([None, None, None, "สถานะ", "รายละเอียด"])
    for cells in ("A3:A4", "B3:B4", "C3:C4", "D3:E3"):
        ws.merge_cells(cells)
    ws.append(["รอบที่ ๑"])
    ws.append([1, "สำนักงานเขตบางนา", "ให้เร่งรัดการซ่อมผิวจราจร", "ดำเนินการแล้ว", "ซ่อมแล้วเสร็จ"])
    ws.append([2, "สำนักการโยธา", "ให้ตรวจสอบทางเท้า", "อยู่ระหว่างดำเนินการ", "-"])
    ws.append(["รอบที่ ๒"])
    ws.append(["ลำดับ", "หน่วยรับตรวจ", "ข้อสั่งการ/ข้อเสนอแนะ", "สถานะ", "รายละเอียด"])  # again
    ws.append([1, "สำนักงานเขตบางนา", "ให้กำชับเจ้าหน้าที่", "", ""])
    ws.append([2, "สำนักงานเขตดินแดง", "ให้จัดทำแผน", "ไม่สามารถดำเนินการได้", "ติดระเบียบ"])
    ws.append([3, "สำนักงานเขตดินแดง", "ให้รายงานผล", "ดำเนินการแล้ว", "รายงานแล้ว"])


def _codes(issues, severity=None) -> list[str]:
    return [i.code for i in issues if severity is None or i.severity == severity]


def test_a_hand_kept_register_is_read_whole():
    p = pub.prepare([("ทะเบียนมือ.xlsx", _xlsx(_hand_kept))], sandbox=False)
    d = p.dataset.directives
    assert d["directive_id"].tolist() == [
        "2567-1-1",
        "2567-1-2",
        "2567-2-1",
        "2567-2-2",
        "2567-2-3",
    ]
    assert d["round"].tolist() == [1, 1, 2, 2, 2]
    assert d["fiscal_year"].tolist() == [2567] * 5
    assert d["status"].astype(str).tolist() == [
        "done",
        "in_progress",
        "not_reported",
        "cannot",
        "done",
    ]
    assert d["row"].tolist() == [6, 7, 10, 11, 12]  # Excel rows, below the first header
    assert _codes(p.issues, "error") == []
    warnings = _codes(p.issues, "warning")
    assert warnings == ["fiscal_year_from_title", "id_from_running_number"]
    title = next(i for i in p.issues if i.code == "fiscal_year_from_title")
    assert "๑๕ มีนาคม ๒๕๖๗" in title.message_th and "title" in title.message_en
    assert "repeated_header" in _codes(p.issues, "info")


def test_the_command_line_reads_it_the_same(tmp_path, capsys):
    path = tmp_path / "ทะเบียนมือ.xlsx"
    path.write_bytes(_xlsx(_hand_kept))
    assert cli.main(["validate", str(path), "--json"]) == cli.EXIT_OK
    report = json.loads(capsys.readouterr().out)
    page = pub.prepare([(path.name, path.read_bytes())], sandbox=False)
    assert [i["code"] for i in report["issues"]] == [i.code for i in page.issues]


def _register_with_dates(ws) -> None:
    ws.title = "ทะเบียน"
    ws.append(["ที่", "หน่วยงานที่รับผิดชอบ", "ข้อเสนอแนะของผู้ตรวจราชการ", "วันที่สั่งการ", "ความคืบหน้า"])
    ws.append([1, "สำนักงานเขตบางนา", "ข้อ ๑", "๒๓ พ.ย. ๖๖", "ดำเนินการแล้ว"])
    ws.append([2, "สำนักงานเขตบางนา", "ข้อ ๒", "5/10/2566", ""])


def test_the_fiscal_year_comes_from_the_dates_and_office_headers_are_recognised():
    p = pub.prepare([("r.xlsx", _xlsx(_register_with_dates))], sandbox=False)
    d = p.dataset.directives
    assert d["fiscal_year"].tolist() == [2567, 2567]  # 23 Nov 2023 and 5 Oct 2023: FY 2567
    assert d["directive_id"].tolist() == ["2567-1", "2567-2"]
    assert d["status"].astype(str).tolist() == ["done", "not_reported"]
    assert _codes(p.issues, "warning") == ["fiscal_year_from_dates", "id_from_running_number"]


def _no_year_anywhere(ws) -> None:
    ws.title = "ทะเบียน"
    ws.append(["หน่วยรับตรวจ", "ข้อสั่งการ", "สถานะ"])
    ws.append(["สำนักงานเขตบางนา", "ข้อ ๑", "ดำเนินการแล้ว"])


def test_the_fiscal_year_from_the_sheet_name_else_asked_for(tmp_path, capsys):
    def named(ws) -> None:
        _no_year_anywhere(ws)
        ws.title = "ทะเบียน ปีงบประมาณ ๒๕๖๘"

    p = pub.prepare([("r.xlsx", _xlsx(named))], sandbox=False)
    assert p.dataset.directives["fiscal_year"].tolist() == [2568]
    assert "fiscal_year_from_name" in _codes(p.issues, "warning")
    assert "id_from_row" in _codes(p.issues, "warning")

    path = tmp_path / "ไม่มีปี.xlsx"
    path.write_bytes(_xlsx(_no_year_anywhere))
    refused = pub.prepare([(path.name, path.read_bytes())], sandbox=False)
    assert _codes(refused.issues, "error") == ["register_without_fiscal_year"]
    assert "--fiscal-year" in refused.issues[0].message_en
    assert cli.main(["validate", str(path)]) == cli.EXIT_INVALID
    capsys.readouterr()
    assert cli.main(["validate", str(path), "--fiscal-year", "2567"]) == cli.EXIT_OK
    ds = build_dataset(read_paths([path], sandbox=False)[0], fiscal_year=2567)
    assert ds.directives["fiscal_year"].tolist() == [2567]
    assert "fiscal_year_from_given" in _codes(ds.issues, "warning")


def test_a_missing_column_and_bad_values_are_reported_in_one_pass():
    text = "\n".join(
        [
            "รหัส,ปีงบประมาณ,หน่วยรับตรวจ,สถานะ",  # no directive text column
            *(f"A{i},2567,สำนักงานเขตบางนา,เสร็จครึ่งหนึ่ง" for i in range(5)),
            "A9,2567,สำนักงานเขตบางนา,ดำเนินการแล้ว",
        ]
    )
    p = pub.prepare([("ขาดคอลัมน์.csv", text.encode("utf-8"))], sandbox=False)
    errors = _codes(p.issues, "error")
    assert sorted(errors) == ["missing_column"] + ["unknown_status"] * 5
    assert p.counts["directives"] == 0 and not p.can_publish


@pytest.mark.parametrize("header", ["ลำดับที่", "No.", "เลขที่"])
def test_running_number_headers(header):
    text = f"{header},ปีงบประมาณ,รอบที่,หน่วยรับตรวจ,ข้อสั่งการ\n14,2567,2,สำนักการโยธา,ข้อ\n"
    p = pub.prepare([("r.csv", text.encode("utf-8"))], sandbox=False)
    assert p.dataset.directives["directive_id"].tolist() == ["2567-2-14"]


def _own_headers(ws) -> None:
    """Headers nobody foresaw: "เรื่อง" for the directive text, "ผู้รับผิดชอบ" for the unit."""
    ws.title = "ทะเบียน 2567"
    ws.append(["รหัส", "ผู้รับผิดชอบ", "เรื่อง", "สถานะ"])
    ws.append(["A-1", "สำนักการโยธา", "ให้ซ่อมทางเท้า", "ดำเนินการแล้ว"])
    ws.append(["A-2", "สำนักงานเขตบางนา", "ให้ลอกท่อ", ""])


def test_columns_mapped_by_the_user_are_read(tmp_path, capsys):
    path = tmp_path / "หัวคอลัมน์ของเราเอง.xlsx"
    path.write_bytes(_xlsx(_own_headers))
    assert cli.main(["validate", str(path)]) != cli.EXIT_OK  # not recognised as a register
    capsys.readouterr()
    args = ["validate", str(path), "--map", "ผู้รับผิดชอบ=agency", "--map", "เรื่อง = text"]
    assert cli.main([*args, "--json"]) == cli.EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert not [i for i in report["issues"] if i["severity"] == "error"]
    mappings = tmp_path / "mappings.toml"
    mappings.write_text('[columns]\n"ผู้รับผิดชอบ" = "agency"\n"เรื่อง" = "text"\n', "utf-8")
    assert cli.main(["validate", str(path), "--mappings", str(mappings)]) == cli.EXIT_OK
    p = pub.prepare(
        [(path.name, path.read_bytes())],
        sandbox=False,
        mapping={"ผู้รับผิดชอบ": "agency", "เรื่อง": "text"},
    )
    assert p.dataset.directives["text"].tolist() == ["ให้ซ่อมทางเท้า", "ให้ลอกท่อ"]
    assert p.dataset.directives["agency"].astype(str).tolist() == ["สำนักการโยธา", "สำนักงานเขตบางนา"]


def test_a_mapping_that_is_not_one_is_refused_clearly(tmp_path, capsys):
    path = tmp_path / "r.xlsx"
    path.write_bytes(_xlsx(_own_headers))
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["validate", str(path), "--map", "เรื่อง=ข้อความ"])
    assert exit_info.value.code == cli.EXIT_UNREADABLE
    err = capsys.readouterr().err
    assert "เรื่อง=ข้อความ" in err and "header=field" in err


def _typed_csv(rows: list[str]):
    """A register typed as CSV (no fiscal-year column): the prepared upload and its errors."""
    header = "เลขที่ข้อสั่งการ,วันที่สั่งการ,หน่วยงาน,ข้อสั่งการ,ผลการดำเนินการ"
    data = "\n".join([header, *rows]).encode("utf-8")
    p = pub.prepare([("ทะเบียน.csv", data)], sandbox=False)
    return p, [i for i in p.issues if i.severity == "error"]


def test_one_unreadable_date_in_a_one_year_register_is_only_that_dates_error():
    """A typed 30 Feb among dates all in FY 2567: its own error names the cell; the register
    is not also said to have no fiscal year (the warning says the dates give 2567)."""
    p, errors = _typed_csv(
        [
            "2567-๐๐๑,๑๕ ต.ค. ๒๕๖๖,สำนักงานเขตพระนคร,ตรวจอุปกรณ์ดับเพลิง,ดำเนินการแล้ว",
            "2567-๐๐๒,๓๐ ก.พ. ๒๕๖๗,สำนักงานเขตบางรัก,จัดระเบียบหาบเร่,ไม่สามารถดำเนินการได้",
            "2567-๐๐๓,๕/๑/๒๕๖๗,สำนักการโยธา,ซ่อมแซมทางเท้า,",
        ]
    )
    assert [(i.code, i.row) for i in errors] == [("invalid_date", 3)]
    assert "fiscal_year_from_dates" in _codes(p.issues, "warning")
    assert p.dataset.directives["fiscal_year"].tolist() == [2567, 2567, 2567]
    assert not p.can_publish  # the date is still to be fixed


def test_a_row_without_a_year_in_a_register_spanning_years_is_named():
    p, errors = _typed_csv(
        [
            "2566-๐๐๑,๑๕ ส.ค. ๒๕๖๖,สำนักงานเขตพระนคร,ตรวจอุปกรณ์ดับเพลิง,ดำเนินการแล้ว",
            "2567-๐๐๒,๑ พ.ย. ๒๕๖๖,สำนักการระบายน้ำ,ขุดลอกคูคลอง,อยู่ระหว่างดำเนินการ",
            "2567-๐๐๓,,สำนักงานเขตบางรัก,จัดระเบียบหาบเร่,ไม่สามารถดำเนินการได้",
        ]
    )
    assert [(i.code, i.row) for i in errors] == [("fiscal_year_unknown_row", 4)]
    assert "2566, 2567" in errors[0].message_en and "2566, 2567" in errors[0].message_th
    assert "register_without_fiscal_year" not in _codes(p.issues, "error")
