"""KPI progress report sheets: one per unit and period, laid out like the seed's printed form.

Title and unit rows, component and section rows, the header repeated on every printed page,
levels typed "ระดับ ๒" / "ระดับที่ ๒", HTML detail cells with ticked checkboxes, signature
rows. ``_write_kpi_sheets`` returns the KPI records it wrote, for the summary.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import xlsxwriter

from tracker.dev.sample_common import _OBSTACLES, _Formats, th_digits
from tracker.dev.sample_kpi_units import (
    _OIG_ACTUAL_TYPED_Q2,
    _OIG_DIGITAL,
    _OIG_LEVELS,
    _OIG_Q2_CONTINUATION,
    _OIG_Q2_DETAIL,
    _OIG_STAGES,
    KPI_UNITS,
    _KpiUnit,
)

KPI_HEADERS_TH: tuple[str, ...] = (
    "ตัวชี้วัด",
    "ค่าเป้าหมาย",
    "ระดับความสำเร็จตามตัวชี้วัด",
    "รายละเอียดผลการดำเนินงานตามตัวชี้วัด",
    "โครงการ/กิจกรรมสนับสนุน",
    "หลักฐานอ้างอิง",
    "ปัญหา/อุปสรรค",
)


# --- KPI reports ---------------------------------------------------------------------------------
KPI_FISCAL_YEAR = 2567
PERIODS: tuple[str, ...] = ("Q1", "Q2", "Q3", "Q4")
KPI_PERIOD_PHRASE = {
    "Q1": "(ไตรมาสที่ ๑)",
    "Q2": "(ระยะครึ่งปีงบประมาณ)",
    "Q3": "(ระยะ ๙ เดือน)",
    "Q4": "(ระยะ ๑๒ เดือน)",
}
KPI_TITLE = (
    "แบบรายงานความก้าวหน้าผลการปฏิบัติราชการตามคำรับรองการปฏิบัติราชการประจำปีงบประมาณ พ.ศ. {fy} {period}"
)
INNOVATION_STAGES_TH = {
    "developing": "อยู่ระหว่างการพัฒนา",
    "trialling": "พัฒนาเสร็จแล้ว อยู่ระหว่างการทดลองใช้",
    "in_use": "นำไปใช้ประโยชน์แล้ว",
}
_STAGE_ORDER = ("developing", "trialling", "in_use")
SEC_C1 = "องค์ประกอบที่ ๑ การประเมินประสิทธิภาพผลการดำเนินงาน (Performance Base)"
SEC_11 = "๑.๑ ประสิทธิภาพในการดำเนินงานภารกิจหลักตามยุทธศาสตร์กรุงเทพมหานคร (Function Base)"
SEC_12 = "๑.๒ ประสิทธิภาพของการขับเคลื่อนการบูรณาการการดำเนินงานร่วมกันระหว่างหน่วยงาน (Joint KPIs)"
SEC_13 = "๑.๓ ประสิทธิภาพของการดำเนินการกิจตามนโยบายผู้บริหารหรือภารกิจพิเศษ (Agenda Base)"
SEC_C2 = (
    "องค์ประกอบที่ ๒ ประสิทธิภาพของการบริหารจัดการและพัฒนานวัตกรรม"
    "เพื่อเพิ่มประสิทธิภาพการปฏิบัติงานของหน่วยงาน (Innovation Base)"
)
SEC_C3 = "องค์ประกอบที่ ๓ ศักยภาพในการดำเนินการของหน่วยงาน (Potential Base)"
KPI_31_NAME = "ร้อยละความสำเร็จในการยกระดับการเปลี่ยนผ่านดิจิทัลภาครัฐ เพื่อบริหารราชการที่ยืดหยุ่น โปร่งใส และคล่องตัว"
SEC_31 = "ตัวชี้วัดที่ ๓.๑ " + KPI_31_NAME
KPI_INNOVATION_NAME = "ความสำเร็จในการพัฒนานวัตกรรมเพื่อเพิ่มประสิทธิภาพการปฏิบัติงานของหน่วยงาน"
DIGITAL_SYSTEMS: tuple[str, ...] = (
    "ระบบสารสนเทศหลักของกรุงเทพมหานคร (MIS๒)",
    "ระบบสารบรรณอิเล็กทรอนิกส์ของกรุงเทพมหานคร",
    "ระบบรับเรื่องร้องทุกข์ของกรุงเทพมหานคร",
    "ระบบบริการภาครัฐ",
    "ระบบยืนยันตัวตนและตรวจสอบตัวบุคคลในระบบดิจิทัล Certificate Authority (CA) "
    "หรือระบบบริหารจัดการการใช้งานระบบสารสนเทศสนับสนุนการเชื่อมโยง (BMA Single Sign-On)",
    "ระบบการลาอิเล็กทรอนิกส์ (E-Leave)",
    "ไปรษณีย์อิเล็กทรอนิกส์ (อีเมล) saraban@bangkok.go.th และไปรษณีย์อิเล็กทรอนิกส์ของหน่วยงาน"
    "และหรือส่วนราชการ ชื่อโดเมน @bangkok.go.th ที่กรุงเทพมหานคร จัดสรรให้",
    "การประชุมผ่านสื่ออิเล็กทรอนิกส์",
)
MEETING_APPS: tuple[str, ...] = (
    "แอปพลิเคชัน Microsoft Teams",
    "แอปพลิเคชัน Zoom Cloud Meetings",
    "แอปพลิเคชัน Webex Meetings",
    "แอปพลิเคชัน Google Meet",
)


_LEVEL_STEPS = (
    "กำหนดแนวทาง/วิธีการ/รูปแบบการดำเนินงาน และแต่งตั้งคณะทำงาน",
    "จัดทำแผนการดำเนินงานและดำเนินการตามแผนฯ ร้อยละ ๔๐",
    "ดำเนินการตามแผนฯ ร้อยละ ๖๐ และรายงานผู้บริหารทราบ",
    "ดำเนินการตามแผนฯ ร้อยละ ๘๐ และติดตามประเมินผล",
    "ดำเนินการครบถ้วนตามแผนฯ และสรุปผลเสนอผู้บริหาร",
)


def _level_typed(rng: random.Random, level: int) -> str:
    r = rng.random()
    if r < 0.55:
        return f"ระดับ {th_digits(level)}"
    if r < 0.85:
        return f"ระดับที่ {th_digits(level)}"
    return f"ระดับ {level}"


def _level_detail(level: int) -> str:
    parts = [
        f"<p><u>ระดับ {th_digits(k)}</u></p><ul><li>{_LEVEL_STEPS[k - 1]}</li></ul>"
        for k in range(1, level + 1)
    ]
    if level < 5:
        parts.append(f"<p><u>อยู่ระหว่างดำเนินการ ระดับ {th_digits(level + 1)}</u></p>")
    return " ".join(parts)


def _checkbox(checked: bool) -> str:
    return '<input checked="checked" type="checkbox" />' if checked else '<input type="checkbox" />'


def _stage_detail(stage: int) -> str:
    return " ".join(
        f"<p>{_checkbox(i == stage)} {INNOVATION_STAGES_TH[key]}</p>"
        for i, key in enumerate(_STAGE_ORDER)
    )


def _digital_detail(n_systems: int) -> str:
    items = []
    for i, name in enumerate(DIGITAL_SYSTEMS, start=1):
        items.append(f"<li>{_checkbox(i <= n_systems)} {th_digits(i)}. {name}</li>")
    apps = "".join(
        f"<li>{_checkbox(j < 3 and n_systems >= 8)} {th_digits(f'8.{j + 1}')} {a}</li>"
        for j, a in enumerate(MEETING_APPS)
    )
    return (
        f"<p>{_checkbox(True)} มีการจัดทำคำสั่งการใช้งานระบบสำหรับการปฏิบัติหน้าที่"
        "โดยวิธีการทางอิเล็กทรอนิกส์ของหน่วยงาน</p>"
        f"<p>{_checkbox(True)} ดำเนินการเข้าใช้งานระบบ จำนวน {th_digits(n_systems)} ระบบ ดังนี้</p>"
        f'<ul style="list-style-type: none">{"".join(items)}<ul>{apps}</ul></ul>'
    )


def _percent_typed(pct: Decimal) -> str:
    s = f"{pct.normalize():f}"
    return f"ร้อยละ {th_digits(s)}"


def _kpi_plan(rng: random.Random) -> list[dict[str, Any]]:
    """Per unit: levels per KPI per period (non-decreasing), stage and digital systems count."""
    plans = []
    for ku in KPI_UNITS:
        if ku.unit == "กองงานผู้ตรวจราชการ":
            plans.append({"levels": _OIG_LEVELS, "stage": _OIG_STAGES, "digital": _OIG_DIGITAL})
            continue
        per_kpi = []
        for _ in ku.kpis:
            lv = [rng.randint(1, 2)]
            for _q in PERIODS[1:]:
                lv.append(min(5, lv[-1] + rng.randint(0, 2)))
            per_kpi.append(lv)
        levels = {p: tuple(lv[i] for lv in per_kpi) for i, p in enumerate(PERIODS)}
        stage0 = rng.randint(0, 1)
        stages = [stage0]
        for _q in PERIODS[1:]:
            stages.append(min(2, stages[-1] + (1 if rng.random() < 0.4 else 0)))
        dig = [rng.randint(4, 7)]
        for _q in PERIODS[1:]:
            dig.append(min(8, dig[-1] + rng.randint(0, 2)))
        plans.append(
            {
                "levels": levels,
                "stage": dict(zip(PERIODS, stages, strict=True)),
                "digital": dict(zip(PERIODS, dig, strict=True)),
            }
        )
    return plans


def kpi_sheet_name(unit_short: str, period: str) -> str:
    """Sheet name of one unit's KPI report for one period, e.g. 'ตัวชี้วัด Q2 กองงานผู้ตรวจฯ'."""
    return f"ตัวชี้วัด {period} {unit_short}"


class _Page:
    """Row cursor over one worksheet for the printed-form layouts (title, sections, headers)."""

    def __init__(self, ws: Any, fm: _Formats, width: int) -> None:
        self.ws, self.fm, self.last, self.row = ws, fm, width - 1, 0

    def line(self, text: str, f: Any = None, *, merge: bool = True) -> None:
        """A text row: a title or section row merged across the table, or a note in column A."""
        f = f or self.fm.section
        if merge:
            self.ws.merge_range(self.row, 0, self.row, self.last, text, f)
        else:
            self.ws.write_string(self.row, 0, text, f)
        self.row += 1

    def header(self) -> None:
        """The KPI header row (repeated on every printed page)."""
        for c, h in enumerate(KPI_HEADERS_TH):
            self.ws.write_string(self.row, c, h, self.fm.header)
        self.row += 1

    def values(self, values: list[str]) -> None:
        """A data row of text cells (blank cells skipped)."""
        for c, v in enumerate(values):
            if v:
                self.ws.write_string(self.row, c, v, self.fm.wrap)
        self.row += 1

    def skip(self) -> None:
        """A blank row (a page break in the printed form)."""
        self.row += 1


def _kpi_record(
    ku: _KpiUnit,
    period: str,
    component: str,
    code: str,
    measure: str,
    target: Any,
    actual: Any,
    *,
    stage: str | None = None,
) -> dict[str, Any]:
    return {
        "unit": ku.unit,
        "fiscal_year": KPI_FISCAL_YEAR,
        "period": period,
        "component": component,
        "kpi_code": code,
        "measure": measure,
        "target": target,
        "actual": actual,
        "stage": stage,
    }


def _write_kpi_sheet(
    wb: xlsxwriter.Workbook,
    fm: _Formats,
    rng: random.Random,
    ku: _KpiUnit,
    plan: dict[str, Any],
    period: str,
) -> list[dict[str, Any]]:
    """One unit's progress report for one period, laid out like the seed's printed form."""
    ws = wb.add_worksheet(kpi_sheet_name(ku.short, period))
    for c, w in enumerate((50, 12, 16, 70, 40, 40, 20)):
        ws.set_column(c, c, w)
    pg = _Page(ws, fm, len(KPI_HEADERS_TH))
    written: list[dict[str, Any]] = []
    fy_th = th_digits(KPI_FISCAL_YEAR)
    pg.line(KPI_TITLE.format(fy=fy_th, period=KPI_PERIOD_PHRASE[period]), fm.left_title)
    pg.line(f"หน่วยงาน : {ku.typed}", fm.left_title)
    pg.skip()
    pg.line(SEC_C1)
    levels = plan["levels"][period]
    golden = ku.unit == "กองงานผู้ตรวจราชการ" and period == "Q2"
    for i, (code, name, project) in enumerate(ku.kpis):
        section = code.split("-")[0]
        if i:
            pg.skip()  # next printed page: section row and header again
        pg.line({"1.1": SEC_11, "1.2": SEC_12, "1.3": SEC_13}[section])
        pg.header()
        lv = levels[i]
        if golden:
            actual, detail = _OIG_ACTUAL_TYPED_Q2[i], _OIG_Q2_DETAIL[i]
        else:
            actual, detail = _level_typed(rng, lv), _level_detail(lv)
        evidence = f"- เอกสารประกอบการดำเนินงาน{project}"
        obstacle = "-" if rng.random() < 0.8 else rng.choice(_OBSTACLES)
        pg.values([name, "ระดับ ๕", actual, detail, project, evidence, obstacle])
        if golden and code == "1.3-2":
            pg.values(["", "", "", _OIG_Q2_CONTINUATION, "", "", ""])
        written.append(_kpi_record(ku, period, section, code, "level", 5.0, float(lv)))
    pg.skip()
    pg.line(
        "*หมายเหตุ : สามารถใช้ลายเซ็นอิเล็กทรอนิกส์ในการรับรองแบบรายงานความก้าวหน้าได้",
        fm.cell,
        merge=False,
    )
    for text in ("ลงชื่อผู้รายงาน", "(.....)", "ตำแหน่ง"):
        pg.line(text, fm.cell, merge=False)
    pg.skip()
    # Component 2: innovation has no level; its stage is the ticked box of the three (as in the
    # seed's ขั้นตอนการดำเนินการ column), target and achieved are typed "-".
    pg.line(SEC_C2)
    pg.header()
    stage = plan["stage"][period]
    pg.values(
        [
            KPI_INNOVATION_NAME,
            "-",
            "-",
            _stage_detail(stage),
            ku.innovation,
            "- รายงานความก้าวหน้าโครงการพัฒนานวัตกรรม",
            "-",
        ]
    )
    written.append(
        _kpi_record(ku, period, "2", "2", "stage", None, None, stage=_STAGE_ORDER[stage])
    )
    pg.skip()
    # Component 3.1: percent of the 8 digital systems in use.
    pg.line(SEC_C3)
    pg.line(SEC_31)
    pg.header()
    n_sys = plan["digital"][period]
    pct = (Decimal(n_sys) * 100 / 8).quantize(Decimal("0.1"))
    pg.values(
        [
            KPI_31_NAME,
            "ร้อยละ ๑๐๐",
            _percent_typed(pct),
            _digital_detail(n_sys),
            "กิจกรรมยกระดับการเปลี่ยนผ่านดิจิทัลของหน่วยงาน",
            "- สำเนาคำสั่งการใช้งานระบบสำหรับการปฏิบัติหน้าที่โดยวิธีการทางอิเล็กทรอนิกส์",
            "-",
        ]
    )
    written.append(_kpi_record(ku, period, "3.1", "3.1", "percent", 100.0, float(pct)))
    pg.skip()
    for text in ("ลงชื่อผู้รายงาน", "(.....)", "ตำแหน่ง"):
        pg.line(text, fm.cell, merge=False)
    return written


def _write_kpi_sheets(
    wb: xlsxwriter.Workbook, fm: _Formats, rng: random.Random
) -> list[dict[str, Any]]:
    """One sheet per unit and period; returns the KPI rows written (for the summary)."""
    written: list[dict[str, Any]] = []
    plans = _kpi_plan(rng)
    for ku, plan in zip(KPI_UNITS, plans, strict=True):
        for period in PERIODS:
            written += _write_kpi_sheet(wb, fm, rng, ku, plan, period)
    return written
