"""Header detection: title rows, two-row merged headers, aliases, table kinds."""

import pandas as pd
import pytest

from data_sources.base import RawTable
from tracker.read.headers import detect


def raw(rows: list[list[str | None]], first_row: int = 1) -> RawTable:
    width = max(len(r) for r in rows)
    return RawTable(
        "f.xlsx",
        "s",
        pd.DataFrame([r + [None] * (width - len(r)) for r in rows]),
        first_row=first_row,
    )


REGISTER = ["รหัสข้อสั่งการ", "ปีงบประมาณ", "หน่วยรับตรวจ", "ข้อสั่งการ/ข้อเสนอแนะ", "สถานะ"]


@pytest.mark.parametrize(
    ("rows", "kind", "header_rows", "colmap_subset"),
    [
        (
            [REGISTER, ["1", "2567", "สำนักงานเขตบางนา", "x", ""]],
            "directives",
            [0],
            {"directive_id": 0, "status": 4},
        ),
        ([["ทะเบียนข้อสั่งการ"], [None], REGISTER], "directives", [2], {"agency": 2}),
        (
            [[" Directive ID ", "Fiscal Year", "AGENCY", "Directive", "Status"]],
            "directives",
            [0],
            {"directive_id": 0, "fiscal_year": 1, "agency": 2, "text": 3},
        ),
        (
            [["ประทับเวลา", "รหัสข้อสั่งการ", "สถานะ", "รายละเอียด"]],
            "responses",
            [0],
            {"submitted_at": 0, "directive_id": 1, "status": 2},
        ),
        ([["Timestamp", "Directive ID", "Status"]], "responses", [0], {"submitted_at": 0}),
        (
            [["ตัวชี้วัด", "ค่าเป้าหมาย", "ระดับความสำเร็จตามตัวชี้วัด", "หลักฐานอ้างอิง"]],
            "kpis",
            [0],
            {"kpi": 0, "target": 1, "actual": 2, "evidence": 3},
        ),
        # two merged header rows: group label above the sub-labels
        (
            [
                ["ประเภทงบประมาณ", "งบประมาณหลังปรับโอน", "ข้อมูล ณ วันที่ ๓๑ มีนาคม พ.ศ. ๒๕๖๗", None],
                [None, None, "ผลการเบิกจ่าย", "ร้อยละการเบิกจ่าย"],
            ],
            "budget",
            [0, 1],
            {"budget_type": 0, "allocated": 1, "disbursed": 2, "rate_pct": 3},
        ),
        (
            [["ปีงบประมาณ (พ.ศ.)", "รหัส", "หน่วยงาน", "ข้อสั่งการ"]],
            "directives",
            [0],
            {"fiscal_year": 0},
        ),
    ],
)
def test_detect(rows, kind, header_rows, colmap_subset):
    m = detect(raw(rows))
    assert m is not None and m.kind == kind
    assert m.header_rows == header_rows
    assert m.data_start == header_rows[-1] + 1
    assert colmap_subset.items() <= m.colmap.items()
    assert not m.missing


def test_budget_group_label_kept():
    m = detect(
        raw(
            [
                ["ประเภทงบประมาณ", "งบประมาณหลังปรับโอน", "ข้อมูล ณ วันที่ ๓๑ มีนาคม พ.ศ. ๒๕๖๗", None],
                [None, None, "ผลการเบิกจ่าย", "ร้อยละการเบิกจ่าย"],
            ]
        )
    )
    assert m.group_text[2] == "ข้อมูล ณ วันที่ ๓๑ มีนาคม พ.ศ. ๒๕๖๗"


def test_partial_register_reports_missing_required():
    m = detect(raw([["รหัสข้อสั่งการ", "ปีงบประมาณ", "หน่วยรับตรวจ", "สถานะ"]]))
    assert m is not None and m.kind == "directives"
    assert m.missing == ["text"]


def test_a_register_without_id_and_fiscal_year_is_complete():
    """Both are inferred when absent (registers kept by hand), so only unit and text are required."""
    m = detect(raw([["ลำดับ", "หน่วยรับตรวจ", "ข้อสั่งการ", "สถานะ"]]))
    assert m is not None and m.kind == "directives" and not m.missing
    assert m.colmap["seq_no"] == 0


def test_the_first_header_wins_over_one_typed_again_below():
    m = detect(
        raw(
            [
                ["สรุปผล"],
                ["ลำดับ", "หน่วยรับตรวจ", "ข้อสั่งการ", "ผลการดำเนินการ", None],
                [None, None, None, "สถานะ", "รายละเอียด"],
                ["1", "สำนักการโยธา", "ข้อ", "ดำเนินการแล้ว", "-"],
                ["ลำดับ", "หน่วยรับตรวจ", "ข้อสั่งการ", "สถานะ", "รายละเอียด"],
            ]
        )
    )
    assert m is not None and m.header_rows == [1, 2] and m.data_start == 3


@pytest.mark.parametrize("rows", [[["a", "b", "c"]], [["สวัสดี"], ["1", "2"]], [[None, None]]])
def test_no_table(rows):
    assert detect(raw(rows)) is None


def test_header_cells_padded_past_the_length_limit_still_match():
    """Long cells are skipped as directive text, but padding does not make a header long."""
    pad = " " * 120
    m = detect(raw([["รหัสข้อสั่งการ" + pad, pad + "ปีงบประมาณ", "หน่วยรับตรวจ", "ข้อสั่งการ", "สถานะ"]]))
    assert m is not None and not m.missing
    assert m.colmap["directive_id"] == 0 and m.colmap["fiscal_year"] == 1


def test_a_long_text_row_is_not_taken_for_a_header():
    text = "ให้ตรวจสอบ รหัสข้อสั่งการ ปีงบประมาณ หน่วยรับตรวจ ข้อสั่งการ สถานะ " * 3
    assert detect(raw([[text, text, text]])) is None
