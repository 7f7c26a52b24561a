"""tracker.read.kpi_form (with form_text, kpi_cells): title/section rules, levels and percents,
validation, stage, checklist; tracker.metrics.kpi_scores: lights, scorecard, summary, JSON rows."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from data_sources.base import RawTable
from tracker import thai
from tracker.metrics import kpi_scores
from tracker.read import form_text, kpi_cells
from tracker.read import kpi_form as kpi
from tracker.read.headers import detect

HEADER = ["ตัวชี้วัด", "ค่าเป้าหมาย", "ระดับความสำเร็จตามตัวชี้วัด", "รายละเอียดผลการดำเนินงาน", "ปัญหา/อุปสรรค"]
TITLE = [
    ["แบบรายงานผลการปฏิบัติราชการ ประจำปีงบประมาณ พ.ศ. ๒๕๖๗ (ระยะครึ่งปีงบประมาณ)"],
    ["หน่วยงาน : กองงานผู้ตรวจราชการ สำนักปลัดกรุงเทพมหานคร"],
    ["๑.๑ ประสิทธิภาพในการดำเนินงานภารกิจหลัก (Function Base)"],
]
FIRST = 5  # Excel row of the first data row below TITLE + HEADER


def raw_table(rows: list[list[str | None]], sheet: str = "KPI") -> RawTable:
    width = max(len(r) for r in rows)
    frame = pd.DataFrame([[*r, *([None] * (width - len(r)))] for r in rows], dtype=object)
    return RawTable(source="k.xlsx", sheet=sheet, frame=frame)


def read(body, title=TITLE, header=HEADER, sheet="KPI"):
    raw = raw_table([*title, header, *body], sheet=sheet)
    match = detect(raw)
    assert match is not None and match.kind == "kpis" and not match.missing
    return kpi.normalize(raw, match)


def codes(issues, severity=None):
    return {(i.severity, i.code, i.row) for i in issues if severity in (None, i.severity)}


# --- text rules ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("หน่วยงาน : กองงานผู้ตรวจราชการ สำนักปลัดกรุงเทพมหานคร", "กองงานผู้ตรวจราชการ"),
        ("หน่วยงาน: สำนักการโยธา", "สำนักการโยธา"),
        ("หน่วยงาน : สำนักงานเขต บางนา", "สำนักงานเขตบางนา"),
        ("หน่วยรับตรวจ : สำนักงานเขตบางนา", "สำนักงานเขตบางนา"),
        ("Unit: Office of the Inspector General", "Office of the Inspector General"),
        ("หน่วยงาน : -", None),
        ("หน่วยงาน", None),
        ("แบบรายงาน", None),
    ],
)
def test_unit_from_text(text, unit):
    assert form_text.unit_from_text(text) == unit


@pytest.mark.parametrize(
    ("text", "fy"),
    [
        ("ประจำปีงบประมาณ พ.ศ. ๒๕๖๗ (ระยะครึ่งปีงบประมาณ)", 2567),
        ("ปีงบประมาณ 2568", 2568),
        ("ปีงบประมาณ พ.ศ.2566", 2566),
        ("FY 2024", 2567),
        ("Fiscal year 2567", 2567),
        ("ไม่มีปี", None),
    ],
)
def test_fiscal_year_from_text(text, fy):
    assert thai.fiscal_year_from_text(text) == fy


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("(ระยะครึ่งปีงบประมาณ)", "Q2"),
        ("ระยะ ๖ เดือน", "Q2"),
        ("ไตรมาสที่ ๑", "Q1"),
        ("ระยะ ๓ เดือน", "Q1"),
        ("ระยะ ๙ เดือน", "Q3"),
        ("ไตรมาสที่ ๓", "Q3"),
        ("ระยะ ๑๒ เดือน", "Q4"),
        ("รอบสิ้นปีงบประมาณ", "Q4"),
        ("ไตรมาสที่ ๔", "Q4"),
        ("KPI Q2 2567", "Q2"),
        ("quarter 3", "Q3"),
        ("half-year", "Q2"),
        ("ประจำปีงบประมาณ พ.ศ. ๒๕๖๗", None),
    ],
)
def test_period_from_text(text, period):
    assert form_text.period_from_text(text) == period


@pytest.mark.parametrize(("text", "period"), [("2", "Q2"), ("Q4", "Q4"), ("๓", "Q3"), ("5", None)])
def test_period_column_values(text, period):
    assert form_text.period_from_text(text, bare=True) == period


@pytest.mark.parametrize(
    ("text", "component"),
    [
        ("๑.๑ ประสิทธิภาพในการดำเนินงานภารกิจหลัก (Function Base)", "1.1"),
        ("๑.๒ ประสิทธิภาพของการขับเคลื่อน (Joint KPIs)", "1.2"),
        ("๑.๓ ประสิทธิภาพของการดำเนินการ (Agenda Base)", "1.3"),
        ("องค์ประกอบที่ ๑ การประเมินประสิทธิภาพ (Performance Base)", "1"),
        ("องค์ประกอบที่ ๒ ประสิทธิภาพของการบริหารจัดการ (Innovation Base)", "2"),
        ("องค์ประกอบที่ ๓ ศักยภาพในการดำเนินการของหน่วยงาน (Potential Base)", "3.1"),
        ("ตัวชี้วัดที่ ๓.๑ ร้อยละความสำเร็จ", "3.1"),
        ("ตัวชี้วัดที่ ๓.๒ ความสำเร็จของการเบิกจ่ายงบประมาณ", "3.2"),
        ("3.2 Budget disbursement", "3.2"),
        ("Agenda Base", "1.3"),
        ("๑. ระดับความสำเร็จ", None),
        ("ลงชื่อผู้รายงาน", None),
    ],
)
def test_component_of(text, component):
    assert form_text.component_of(text) == component


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("☑ ระบบ ก\n☐ ระบบ ข", [("ระบบ ก", True), ("ระบบ ข", False)]),
        ("☒ ก ✓ ข ✔ ค", [("ก", True), ("ข", True), ("ค", True)]),
        ("[x] ก\n[ ] ข\n[X] ค", [("ก", True), ("ข", False), ("ค", True)]),
        ("ไม่มีรายการ", []),
        ("", []),
        (None, []),
    ],
)
def test_parse_checklist(text, items):
    assert kpi_cells.parse_checklist(text) == items


def test_checkboxes_in_html_survive_as_marks():
    html = (
        '<p><input checked="" type="checkbox"/> ระบบ ก</p>'
        '<input type="checkbox"> ระบบ ข <input type="text" value="x">'
    )
    text = form_text.plain_text(html)
    assert text == "☑ ระบบ ก\n☐ ระบบ ข"
    assert kpi_cells.parse_checklist(text) == [("ระบบ ก", True), ("ระบบ ข", False)]


@pytest.mark.parametrize(
    ("cells", "stage"),
    [
        (
            [
                '<input checked type="checkbox"/> อยู่ระหว่างการพัฒนานวัตกรรม '
                '<input type="checkbox"/> พัฒนาเสร็จแล้ว อยู่ระหว่างการทดลองใช้'
            ],
            "developing",
        ),
        (["☐ อยู่ระหว่างการพัฒนา\n☑ พัฒนาเสร็จแล้ว อยู่ระหว่างการทดลองใช้\n☐ นำไปใช้ประโยชน์แล้ว"], "trialling"),
        (["☐ อยู่ระหว่างการพัฒนา", "☑ นำนวัตกรรมไปใช้ประโยชน์แล้ว"], "in_use"),
        (["☑ อยู่ระหว่างการพัฒนา ☑ นำไปใช้ประโยชน์แล้ว"], "in_use"),  # most advanced
        (["นวัตกรรม", "อยู่ระหว่างการพัฒนา"], "developing"),  # a cell naming the stage
        (["☐ อยู่ระหว่างการพัฒนา ☐ นำไปใช้ประโยชน์แล้ว"], None),
        (["รายละเอียด"], None),
    ],
)
def test_stage_of(cells, stage):
    assert kpi_cells.stage_of(cells) == stage


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("<p><u>ระดับ ๑</u></p><ul><li>ก</li></ul>", "ระดับ ๑\n• ก"),
        ("ก<script>alert(1)</script>ข", "กข"),
        ("-", None),
        ("<p>-</p>", None),
        ("", None),
        (None, None),
        ("บรรทัด ๑\nบรรทัด ๒", "บรรทัด ๑\nบรรทัด ๒"),
    ],
)
def test_plain_text(value, text):
    assert form_text.plain_text(value) == text


@pytest.mark.parametrize(
    ("actual", "target", "pct"),
    [
        (Decimal(1), Decimal(5), Decimal("20.00")),
        (Decimal(1), Decimal(3), Decimal("33.33")),
        (Decimal(2), Decimal(3), Decimal("66.67")),
        (Decimal("33.345"), Decimal(100), Decimal("33.35")),
        (None, Decimal(5), None),
        (Decimal(1), None, None),
        (Decimal(1), Decimal(0), None),
    ],
)
def test_achievement_half_up(actual, target, pct):
    assert kpi_cells.achievement(actual, target) == pct


@pytest.mark.parametrize(
    ("actual", "target", "light"),
    [
        (5, 5, "green"),
        (6, 5, "green"),
        (100, 93, "green"),
        (3, 5, "amber"),
        (60, 100, "amber"),
        (2.99, 5, "red"),
        (0, 5, "red"),
        (None, 5, None),
        (3, None, None),
        (float("nan"), 5, None),
    ],
)
def test_light_thresholds(actual, target, light):
    assert kpi_scores.light(actual, target) == light


# --- normalize -------------------------------------------------------------------------------
def test_reads_levels_titles_and_sections():
    body = [
        ["๑. KPI ก", "ระดับ ๕", "ระดับ ๑", "รายละเอียด", "-"],
        ["๒. KPI ข", "ระดับที่ ๕", "ระดับที่ ๓", "", "ปัญหา"],
        ["๑.๒ ประสิทธิภาพของการขับเคลื่อน (Joint KPIs)"],
        HEADER,
        ["KPI ค", "5", "๔", "", ""],
    ]
    df, issues = read(body)
    assert df[
        [
            "unit",
            "fiscal_year",
            "period",
            "component",
            "kpi_code",
            "kpi",
            "measure",
            "target",
            "actual",
            "achievement_pct",
            "obstacle",
            "row",
        ]
    ].values.tolist() == [
        [
            "กองงานผู้ตรวจราชการ",
            2567,
            "Q2",
            "1.1",
            "1.1-1",
            "KPI ก",
            "level",
            5.0,
            1.0,
            20.0,
            None,
            FIRST,
        ],
        [
            "กองงานผู้ตรวจราชการ",
            2567,
            "Q2",
            "1.1",
            "1.1-2",
            "KPI ข",
            "level",
            5.0,
            3.0,
            60.0,
            "ปัญหา",
            FIRST + 1,
        ],
        [
            "กองงานผู้ตรวจราชการ",
            2567,
            "Q2",
            "1.2",
            "1.2",
            "KPI ค",
            "level",
            5.0,
            4.0,
            80.0,
            None,
            FIRST + 4,
        ],
    ]
    assert codes(issues) == {
        ("info", "section_row", FIRST + 2),
        ("info", "repeated_header", FIRST + 3),
    }


def test_percent_kpis_and_unnumbered_codes():
    title = [*TITLE[:2], ["องค์ประกอบที่ ๓ ศักยภาพ (Potential Base)"]]
    body = [
        ["ร้อยละความสำเร็จในการยกระดับการเปลี่ยนผ่านดิจิทัล", "ร้อยละ ๑๐๐", "๘๐", "", ""],
        ["ตัวชี้วัดที่ ๓.๒ ความสำเร็จของการเบิกจ่ายงบประมาณในภาพรวม"],
        ["การเบิกจ่ายงบประมาณ", "93%", "32.30%", "", ""],
        ["การเบิกจ่ายงบประมาณ (ไตรมาส)", "90", "45", "", ""],
    ]
    df, issues = read(body, title=title)
    assert df[
        ["component", "kpi_code", "measure", "target", "actual", "achievement_pct"]
    ].values.tolist() == [
        ["3.1", "3.1", "percent", 100.0, 80.0, 80.0],
        ["3.2", "3.2-1", "percent", 93.0, 32.3, 34.73],
        ["3.2", "3.2-2", "percent", 90.0, 45.0, 50.0],
    ]
    assert not codes(issues, "error")


def test_explicit_columns_win_over_titles_and_sheet_name_gives_period():
    header = [*HEADER, "หน่วยงาน", "ปีงบประมาณ", "ไตรมาส"]
    body = [
        ["KPI ก", "ระดับ ๕", "ระดับ ๕", "", "", "สำนักการโยธา", "2568", "ไตรมาสที่ ๓"],
        ["KPI ข", "ระดับ ๕", "ระดับ ๔", "", "", "", "", ""],
    ]
    title = [["หน่วยงาน : กองคลัง"], ["ประจำปีงบประมาณ พ.ศ. 2567"], ["ตาราง"]]
    df, issues = read(body, title=title, header=header, sheet="KPI Q2 2567")
    assert df[["unit", "fiscal_year", "period"]].values.tolist() == [
        ["สำนักการโยธา", 2568, "Q3"],
        ["กองคลัง", 2567, "Q2"],
    ]
    assert not codes(issues, "error")


def test_title_repeated_on_a_new_page_switches_unit():
    body = [
        ["KPI ก", "ระดับ ๕", "ระดับ ๑", "", ""],
        ["หน่วยงาน : สำนักงานเขตบางนา"],
        ["KPI ข", "ระดับ ๕", "ระดับ ๒", "", ""],
    ]
    df, _ = read(body)
    assert df["unit"].tolist() == ["กองงานผู้ตรวจราชการ", "สำนักงานเขตบางนา"]


def test_notes_are_skipped_and_text_continues_across_pages():
    body = [
        ["KPI ก", "ระดับ ๕", "ระดับ ๑", "<p>ส่วนแรก</p>", ""],
        [None, None, None, "<p>ส่วนต่อ</p>", None],
        ["*หมายเหตุ : สามารถใช้ลายเซ็นอิเล็กทรอนิกส์ได้"],
        ["ลงชื่อผู้รายงาน"],
    ]
    df, issues = read(body)
    assert len(df) == 1 and df["detail"].iloc[0] == "ส่วนแรก\nส่วนต่อ"
    assert codes(issues) == {
        ("info", "continuation_row", FIRST + 1),
        ("info", "section_row", FIRST + 2),
        ("info", "section_row", FIRST + 3),
    }


def test_innovation_row_has_a_stage_and_needs_no_target():
    body = [
        ["องค์ประกอบที่ ๒ (Innovation Base)"],
        [
            "ความสำเร็จในการพัฒนานวัตกรรม",
            "",
            "",
            '<input checked="" type="checkbox"/> พัฒนานวัตกรรมเสร็จแล้ว อยู่ระหว่างการทดลองใช้',
            "",
        ],
    ]
    df, issues = read(body)
    row = df.iloc[0]
    assert (row["component"], row["stage"], row["measure"]) == ("2", "trialling", None)
    assert not codes(issues, "error")
    assert row["detail"] == "☑ พัฒนานวัตกรรมเสร็จแล้ว อยู่ระหว่างการทดลองใช้"


ISSUE_CASES = [
    # (body row, expected (severity, code), column letter)
    (["KPI", "ระดับ ๕", "ระดับ ๖", "", ""], ("error", "kpi_above_scale"), "C"),
    (["KPI", "ระดับ ๗", "", "", ""], ("error", "kpi_above_scale"), "B"),
    (["KPI", "ร้อยละ 100", "120%", "", ""], ("error", "kpi_above_scale"), "C"),
    (["KPI", "", "ระดับ ๑", "", ""], ("error", "missing_value"), "B"),
    (["KPI", "-", "ระดับ ๑", "", ""], ("error", "missing_value"), "B"),
    (["KPI", "ระดับ ๕", "ระดับ ก", "", ""], ("error", "invalid_level"), "C"),
    (["KPI", "ระดับ ๕", "ดีมาก", "", ""], ("error", "invalid_level"), "C"),
    (["KPI", "ระดับ ๕", "ระดับ 2.5", "", ""], ("error", "invalid_level"), "C"),
    (["KPI", "ร้อยละ 100", "ร้อยละ ห้าสิบ", "", ""], ("error", "invalid_percent"), "C"),
    (["KPI", "ร้อยละ 100", "-5%", "", ""], ("error", "invalid_percent"), "C"),
    (["KPI", "ระดับ ๕", "80%", "", ""], ("warning", "kpi_measure_mismatch"), "C"),
    ([None, "ระดับ ๕", "ระดับ ๑", "", ""], ("error", "missing_value"), "A"),
]


@pytest.mark.parametrize(("row", "expected", "letter"), ISSUE_CASES)
def test_validation_issue_with_its_row_and_column(row, expected, letter):
    _, issues = read([row])
    found = [i for i in issues if (i.severity, i.code) == expected]
    assert [i.row for i in found] == [FIRST], [(i.severity, i.code, i.row) for i in issues]
    assert found[0].column.endswith(f"({letter})") and found[0].sheet == "KPI"
    assert found[0].file == "k.xlsx"


def test_unparseable_level_is_quoted():
    _, issues = read([["KPI", "ระดับ ๕", "ระดับ ก", "", ""]])
    assert next(i for i in issues if i.code == "invalid_level").value == "ระดับ ก"


def test_invalid_period_and_fiscal_year_columns():
    header = [*HEADER, "ปีงบประมาณ", "ไตรมาส"]
    _, issues = read([["KPI", "ระดับ ๕", "ระดับ ๑", "", "", "ปีหน้า", "ไตรมาสที่ ๙"]], header=header)
    assert {("error", "invalid_fiscal_year", FIRST), ("error", "invalid_period", FIRST)} <= codes(
        issues
    )


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ([["ประจำปีงบประมาณ พ.ศ. 2567 (ระยะครึ่งปีงบประมาณ)"]], "missing_unit"),
        ([["หน่วยงาน : กองคลัง"], ["ประจำปีงบประมาณ พ.ศ. 2567"]], "missing_period"),
        ([["หน่วยงาน : กองคลัง"], ["ระยะ ๖ เดือน"]], "missing_fiscal_year"),
    ],
)
def test_missing_context_is_one_error_naming_the_sheet(title, code):
    _, issues = read(
        [["KPI ก", "ระดับ ๕", "ระดับ ๑"], ["KPI ข", "ระดับ ๕", "ระดับ ๒"]], title=title, sheet="ผลงาน"
    )
    found = [i for i in issues if i.code == code]
    assert len(found) == 1 and found[0].severity == "error" and found[0].value == "ผลงาน"


# --- metrics ---------------------------------------------------------------------------------
def frame(rows: list[tuple]) -> pd.DataFrame:
    """Canonical kpis from (unit, period, kpi_code, target, actual)."""
    from tracker.dataset import conform

    df = pd.DataFrame(rows, columns=["unit", "period", "kpi_code", "target", "actual"])
    df["fiscal_year"] = 2567
    df["component"] = df["kpi_code"].str.split("-").str[0]
    df["kpi"] = "KPI " + df["kpi_code"]
    df["measure"] = "level"
    df["achievement_pct"] = float("nan")
    return conform(df, "kpis")


DATA = frame(
    [
        ("ก", "Q2", "1.1-1", 5, 1),
        ("ก", "Q2", "1.1-2", 5, 5),
        ("ก", "Q1", "1.1-1", 5, 1),
        ("ก", "Q4", "1.1-1", 5, 4),
        ("ข", "Q2", "1.1-1", 5, 3),
        ("ข", "Q2", "1.2", 5, None),
    ]
)


def test_scorecard_filters_and_lights():
    card = kpi_scores.scorecard(DATA, unit="ก", fiscal_year=2567, period="Q2")
    assert card[["kpi_code", "light"]].values.tolist() == [["1.1-1", "red"], ["1.1-2", "green"]]


def test_scorecard_defaults_to_latest_period_per_unit():
    card = kpi_scores.scorecard(DATA)
    assert card[["unit", "period", "kpi_code", "light"]].values.tolist() == [
        ["ก", "Q4", "1.1-1", "amber"],
        ["ข", "Q2", "1.1-1", "amber"],
        ["ข", "Q2", "1.2", None],
    ]


def test_levels_over_periods():
    table = kpi_scores.levels_over_periods(DATA, "ก", 2567)
    assert table["kpi_code"].tolist() == ["1.1-1", "1.1-2"]
    assert table[["Q1", "Q2", "Q3", "Q4"]].iloc[0].tolist()[:2] == [1.0, 1.0]
    assert pd.isna(table["Q3"].iloc[0]) and table["Q4"].iloc[0] == 4.0
    assert table[["Q2"]].iloc[1].tolist() == [5.0] and pd.isna(table["Q1"].iloc[1])
    assert kpi_scores.levels_over_periods(DATA, "ค", 2567).empty


def test_summary_counts_latest_period():
    assert kpi_scores.summary(DATA) == {
        "total": 3,
        "on_target": 0,
        "below_target": 2,
        "no_result": 1,
        "green": 0,
        "amber": 2,
        "red": 0,
    }


def test_json_rows():
    rows = kpi_scores.to_json_rows(DATA.iloc[:1])
    assert rows == [
        {
            "unit": "ก",
            "fiscal_year": 2567,
            "period": "Q2",
            "component": "1.1",
            "kpi": "KPI 1.1-1",
            "measure": "level",
            "target": 5.0,
            "actual": 1.0,
            "achievement_pct": None,
        }
    ]
