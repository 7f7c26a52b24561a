"""Golden figures of the seed's KPI and budget tables, from a workbook printed the way the seed is.

The workbook is built here with openpyxl (title rows, merged two-row header with the as-of
label, section rows, repeated headers, Thai digits, ".-", "-", HTML cells with <script>),
read through ``data_sources.files.read_file`` and normalised by ``tracker.read.kpi_form`` /
``tracker.read.budget_form``, figured by ``tracker.metrics.kpi_scores`` /
``tracker.metrics.budget_sums``; the numbers must equal the seed's exactly.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from data_sources.files import read_file
from tracker.metrics import budget_sums, kpi_scores
from tracker.read import budget_form as budget
from tracker.read import kpi_cells
from tracker.read import kpi_form as kpi
from tracker.read.headers import detect

TITLE = (
    "แบบรายงานความก้าวหน้าผลการปฏิบัติราชการตามคำรับรองการปฏิบัติราชการ"
    "ประจำปีงบประมาณ พ.ศ. ๒๕๖๗ (ระยะครึ่งปีงบประมาณ)"
)
UNIT_ROW = "หน่วยงาน : กองงานผู้ตรวจราชการ สำนักปลัดกรุงเทพมหานคร"
KPI_HEADER = [
    "ตัวชี้วัด",
    "ค่าเป้าหมาย",
    "ระดับความสำเร็จตามตัวชี้วัด",
    "รายละเอียดผลการดำเนินงานตามตัวชี้วัด",
    "โครงการ/กิจกรรมสนับสนุน",
    "หลักฐานอ้างอิง",
    "ปัญหา/อุปสรรค",
]
S11 = "๑.๑ ประสิทธิภาพในการดำเนินงานภารกิจหลักตามยุทธศาสตร์กรุงเทพมหานคร (Function Base)"
S12 = "๑.๒ ประสิทธิภาพของการขับเคลื่อนการบูรณาการการดำเนินงานร่วมกันระหว่างหน่วยงาน (Joint KPIs)"
S13 = "๑.๓ ประสิทธิภาพของการดำเนินการกิจตามนโยบายผู้บริหารหรือภารกิจพิเศษ (Agenda Base)"
HTML_DETAIL = (
    '<p><u>ระดับ ๑</u></p> <ul style="list-style-type: none"> - ศึกษา รวบรวมข้อมูล'
    "<script>alert('x')</script></ul><p><u>ระดับ ๒</u></p> - จัดทำองค์ความรู้ จำนวน ๑๐ เรื่อง"
)
STAGE_CELL = (
    '<p><input checked="" type="checkbox"/> อยู่ระหว่างการพัฒนาวัตกรรม</p> '
    '<p><input type="checkbox"/> พัฒนานวัตกรรมเสร็จแล้ว อยู่ระหว่างการทดลองใช้ เพื่อปรับปรุงนวัตกรรม</p> '
    '<p><input type="checkbox"/> พัฒนานวัตกรรม และนำนวัตกรรมไปใช้ประโยชน์แล้ว</p>'
)
SYSTEMS = [
    "๑. ระบบสารสนเทศหลักของกรุงเทพมหานคร (MIS๒)",
    "๒. ระบบสารบรรณอิเล็กทรอนิกส์ของกรุงเทพมหานคร",
    "๓. ระบบรับเรื่องร้องทุกข์ของกรุงเทพมหานคร",
    "๔. ระบบบริการภาครัฐ",
    "๕. ระบบยืนยันตัวตนและตรวจสอบตัวบุคคลในระบบดิจิทัล (BMA Single Sign-On)",
    "๖. ระบบการลาอิเล็กทรอนิกส์ (E-Leave)",
    "๗. ไปรษณีย์อิเล็กทรอนิกส์ (อีเมล) saraban@bangkok.go.th",
    "๘. การประชุมผ่านสื่ออิเล็กทรอนิกส์ ประกอบด้วย",
]
APPS = [
    "๘.๑ แอปพลิเคชัน Microsoft Teams",
    "๘.๒ แอปพลิเคชัน Zoom Cloud Meetings",
    "๘.๓ แอปพลิเคชัน Webex Meetings",
]
CHECKLIST_CELL = (
    '<p><input checked="" type="checkbox"/> ดำเนินการเข้าใช้งานระบบ จำนวน ๘ ระบบ ดังนี้</p>'
    '<ul style="list-style-type: none"> '
    + " ".join(f'<input checked="" type="checkbox"/> {s}' for s in SYSTEMS)
    + ' <ul style="list-style-type: none"> '
    + " ".join(f'<input checked="" type="checkbox"/> {a}' for a in APPS)
    + ' <input type="checkbox"/> ๘.๔ แอปพลิเคชัน Google Meet </ul></ul>'
)


def _kpi(name: str, target: str, actual: str, detail: str = "รายละเอียด", obstacle: str = "-"):
    return [name, target, actual, detail, "กิจกรรม", "หลักฐาน", obstacle]


def _write_kpi_sheet(ws) -> None:
    rows: list[list[str] | str | None] = [
        TITLE,
        None,
        UNIT_ROW,
        "องค์ประกอบที่ ๑ การประเมินประสิทธิภาพผลการดำเนินงาน (Performance Base)",
        S11,
        KPI_HEADER,
        _kpi("๑. ระดับความสำเร็จในการวิเคราะห์ผลดำเนินการตามข้อเสนอแนะ", "ระดับ ๕", "ระดับ ๑"),
        _kpi("๒. ระดับความสำเร็จในการพัฒนาระบบฐานข้อมูลความรู้ออนไลน์", "ระดับ ๕", "ระดับ ๒"),
        S11,  # the next printed page repeats the section and the header
        KPI_HEADER,
        _kpi(
            "๓. ระดับความสำเร็จของการจัดทำคลังความรู้ ด้านการสืบสวนสอบสวน", "ระดับที่ ๕", "ระดับ ๒", HTML_DETAIL
        ),
        S12,
        KPI_HEADER,
        _kpi("ระดับความสำเร็จในการจัดทำข้อเสนอแนะในการแก้ไขปัญหาการปฏิบัติงาน", "ระดับ ๕", "ระดับ ๑"),
        S13,
        KPI_HEADER,
        _kpi("๑. ระดับความสำเร็จของการสนับสนุนการมีส่วนร่วมของประชาชน", "ระดับ ๕", "ระดับ ๓"),
        S13,
        KPI_HEADER,
        _kpi(
            "๒. ระดับความสำเร็จของการสนับสนุนการมีส่วนร่วมของประชาชนผู้ใช้ทางเท้า",
            "ระดับ ๕",
            "ระดับที่ ๒",
            obstacle="",
        ),
        ["", "", "", "<p>สรุปจุดลงพื้นที่สำรวจฯ (ต่อ)</p>", "", "", ""],  # continues over a page
        None,
        "องค์ประกอบที่ ๒ ประสิทธิภาพของการบริหารจัดการและพัฒนานวัตกรรม (Innovation Base)",
        [
            "ความสำเร็จในการพัฒนานวัตกรรมเพื่อเพิ่มประสิทธิภาพการปฏิบัติงานของหน่วยงาน",
            "",
            "",
            STAGE_CELL,
            "การสร้างระบบมาตรฐานการติดตามผลการดำเนินการตามคำสั่งการ",
            "",
            "-",
        ],
        "องค์ประกอบที่ ๓ ศักยภาพในการดำเนินการของหน่วยงาน (Potential Base)",
        "ตัวชี้วัดที่ ๓.๑ ร้อยละความสำเร็จในการยกระดับการเปลี่ยนผ่านดิจิทัลภาครัฐ",
        [
            "<p>ร้อยละความสำเร็จในการยกระดับการเปลี่ยนผ่านดิจิทัลภาครัฐ</p>",
            "ร้อยละ ๑๐๐",
            "",
            CHECKLIST_CELL,
            "",
            "",
            "<p>-</p>",
        ],
        None,
        "ลงชื่อผู้รายงาน",
        "(.....)",
    ]
    for r, row in enumerate(rows, start=1):
        if row is None:
            continue
        if isinstance(row, str):
            ws.cell(r, 1, row)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=7)
            continue
        for c, value in enumerate(row, start=1):
            if value:
                ws.cell(r, c, value)


def _write_budget_sheet(ws) -> None:
    ws["A1"] = TITLE
    ws["A2"] = UNIT_ROW
    ws["A3"] = "องค์ประกอบที่ ๓ ศักยภาพในการดำเนินการของหน่วยงาน (Potential Base)"
    ws["A4"] = "ตัวชี้วัดที่ ๓.๒ ความสำเร็จของการเบิกจ่ายงบประมาณในภาพรวม"
    ws["A5"] = "ประเภทงบรายจ่าย"
    ws["B5"] = "งบประมาณ หลังปรับโอน (จำนวนเงิน)"
    ws["C5"] = "ข้อมูล ณ วันที่ ๓๑ มีนาคม พ.ศ. ๒๕๖๗"
    ws["E5"] = "ปัญหา/อุปสรรค ในการดำเนินงาน"
    ws["C6"] = "ผลการเบิกจ่าย (จำนวนเงิน)"
    ws["D6"] = "ร้อยละ การเบิกจ่าย"
    for rng in ("A5:A6", "B5:B6", "C5:D5", "E5:E6", "A1:E1", "A2:E2", "A8:E8"):
        ws.merge_cells(rng)
    body = [
        ("งบประมาณกันเงินไว้เบิกเหลือมปี แบบไม่มีหนี้ผูกพัน (ไม่รวมงบบุคลากร)", "-", "-", "-"),
        ("งบประมาณประจำปี", None, None, None),
        ("- งบดำเนินงาน", "๑๒,๒๐๓,๕๐๐.-", "๔,๐๙๔,๗๖๙.๔๗", "๓๓.๕๕%"),
        ("- งบลงทุน", "-", "-", "-"),
        ("- งบเงินอุดหนุน", "-", "-", "-"),
        ("- งบรายจ่ายอื่น", "๑,๐๔๑,๒๐๐.-", "๒๖๖,๕๐๐.-", "๒๕.๖๐%"),
        ("งบกลาง (ไม่รวมงบบุคลากร)", "๒๕๘,๓๖๙.-", "๐", "๐"),
        ("รวมทั้งสิ้น", "๑๓,๕๐๓,๐๖๙.-", "๔,๓๖๑,๒๖๙.๔๗", "๓๒.๓๐"),
    ]
    for r, values in enumerate(body, start=7):
        for c, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(r, c, value)
    ws["A16"] = "หมายเหตุ"
    ws["A17"] = "๑. ผลการเบิกจ่ายงบประมาณกันเงินไว้เบิกเหลือในปี (แบบไม่มีหนี้ผูกพัน) ไม่รวมงบบุคลากร"
    ws["A18"] = "๒. รายงานความสำเร็จของการเบิกจ่ายงบประมาณ ณ ๓๑ มีนาคม ๒๕๖๗"


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ตัวชี้วัด"
    _write_kpi_sheet(ws)
    _write_budget_sheet(wb.create_sheet("งบประมาณ"))
    path = tmp_path_factory.mktemp("golden") / "kpi_budget.xlsx"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def tables(workbook: Path):
    return {t.sheet: t for t in read_file(workbook)}


@pytest.fixture(scope="module")
def kpis(tables):
    raw = tables["ตัวชี้วัด"]
    match = detect(raw)
    assert match is not None and match.kind == "kpis" and not match.missing
    return kpi.normalize(raw, match)


@pytest.fixture(scope="module")
def budget_rows(tables):
    raw = tables["งบประมาณ"]
    match = detect(raw)
    assert match is not None and match.kind == "budget" and not match.missing
    assert len(match.header_rows) == 2
    return budget.normalize(raw, match)


def test_budget_golden_figures(budget_rows):
    df, issues = budget_rows
    assert [i for i in issues if i.severity != "info"] == []
    got = {r.budget_type: (r.allocated, r.disbursed, r.rate_pct) for r in df.itertuples()}
    assert list(got) == ["carryover", "operating", "investment", "subsidy", "other", "central"]
    assert got["operating"] == (12203500.00, 4094769.47, 33.55)
    assert got["other"] == (1041200.00, 266500.00, 25.60)
    assert got["central"] == (258369.00, 0.00, 0.00)
    for na in ("carryover", "investment", "subsidy"):
        assert all(pd.isna(v) for v in got[na]), na
    assert set(df["as_of"]) == {pd.Timestamp(2024, 3, 31)}
    assert set(df["fiscal_year"]) == {2567}
    assert set(df["unit"]) == {"กองงานผู้ตรวจราชการ"}
    assert df["row"].tolist() == [7, 9, 10, 11, 12, 13]


def test_budget_golden_total_and_json(budget_rows):
    df, _ = budget_rows
    table = budget_sums.by_type(df).set_index("budget_type")
    assert table.loc["total"].tolist() == [13503069.00, 4361269.47, 32.30]
    assert budget_sums.overall_rate(df) == Decimal("32.30")
    assert budget_sums.overall_rate(df, date(2024, 3, 31)) == Decimal("32.30")
    rows = budget_sums.to_json_rows(df)
    json.dumps(rows)  # serialisable as is
    by_type = {r["budget_type"]: r for r in rows}
    assert list(by_type) == [*budget_sums.JSON_TYPES]
    assert by_type["total"] == {
        "unit": "กองงานผู้ตรวจราชการ",
        "fiscal_year": 2567,
        "as_of": "2024-03-31",
        "budget_type": "total",
        "allocated": 13503069.0,
        "disbursed": 4361269.47,
        "rate_pct": 32.3,
    }
    assert by_type["carryover"]["allocated"] is None
    assert by_type["carryover"]["rate_pct"] is None
    assert by_type["operating"]["rate_pct"] == 33.55


def test_budget_golden_skips_sections_headers_and_notes(budget_rows):
    _, issues = budget_rows
    info = {(i.code, i.row) for i in issues}
    assert ("section_row", 8) in info  # งบประมาณประจำปี
    assert ("section_row", 16) in info  # หมายเหตุ
    assert all(i.severity == "info" for i in issues)


def test_kpi_golden_levels(kpis):
    df, issues = kpis
    assert [i for i in issues if i.severity != "info"] == []
    levels = df[df["measure"] == "level"]
    assert levels["target"].tolist() == [5.0] * 6
    assert levels["actual"].tolist() == [1.0, 2.0, 2.0, 1.0, 3.0, 2.0]
    assert levels["component"].tolist() == ["1.1", "1.1", "1.1", "1.2", "1.3", "1.3"]
    assert levels["kpi_code"].tolist() == ["1.1-1", "1.1-2", "1.1-3", "1.2", "1.3-1", "1.3-2"]
    assert levels["achievement_pct"].tolist() == [20.0, 40.0, 40.0, 20.0, 60.0, 40.0]
    assert set(df["unit"]) == {"กองงานผู้ตรวจราชการ"}
    assert set(df["fiscal_year"]) == {2567}
    assert set(df["period"]) == {"Q2"}
    assert levels["row"].tolist() == [7, 8, 11, 14, 17, 20]


def test_kpi_golden_stage_checklist_and_text(kpis):
    df, issues = kpis
    innovation = df[df["component"] == "2"]
    assert innovation["stage"].tolist() == ["developing"]
    digital = df[df["component"] == "3.1"].iloc[0]
    assert digital["measure"] == "percent" and digital["target"] == 100.0
    assert pd.isna(digital["actual"]) and pd.isna(digital["achievement_pct"])
    assert digital["kpi"] == "ร้อยละความสำเร็จในการยกระดับการเปลี่ยนผ่านดิจิทัลภาครัฐ"
    items = kpi_cells.parse_checklist(digital["detail"])
    ticked = [label for label, ok in items if ok]
    assert [label for label, ok in items if not ok] == ["๘.๔ แอปพลิเคชัน Google Meet"]
    assert ticked[1:9] == SYSTEMS and ticked[9:] == APPS
    assert digital["obstacle"] is None
    for col in ("kpi", "detail", "project", "evidence", "obstacle"):
        for text in df[col].dropna():
            assert "<script" not in text.lower() and "<p>" not in text, (col, text)
    third = df[df["kpi_code"] == "1.1-3"].iloc[0]
    assert third["detail"].splitlines()[0] == "ระดับ ๑"  # HTML blocks become lines
    assert "alert" not in third["detail"]
    last = df[df["kpi_code"] == "1.3-2"].iloc[0]
    assert last["detail"].endswith("สรุปจุดลงพื้นที่สำรวจฯ (ต่อ)")  # continued over a page
    assert ("continuation_row", 21) in {(i.code, i.row) for i in issues}
    assert {i.row for i in issues if i.code == "repeated_header"} == {10, 13, 16, 19}


def test_kpi_golden_scorecard_and_json(kpis):
    df, _ = kpis
    card = kpi_scores.scorecard(df, unit="กองงานผู้ตรวจราชการ", fiscal_year=2567, period="Q2")
    assert card.loc[card["measure"] == "level", "light"].tolist() == ["red"] * 4 + ["amber", "red"]
    assert kpi_scores.summary(df)["below_target"] == 6
    rows = kpi_scores.to_json_rows(df)
    json.dumps(rows)
    assert rows[0] == {
        "unit": "กองงานผู้ตรวจราชการ",
        "fiscal_year": 2567,
        "period": "Q2",
        "component": "1.1",
        "kpi": "ระดับความสำเร็จในการวิเคราะห์ผลดำเนินการตามข้อเสนอแนะ",
        "measure": "level",
        "target": 5.0,
        "actual": 1.0,
        "achievement_pct": 20.0,
    }
