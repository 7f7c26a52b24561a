"""The half-year (or quarterly) progress report of one unit, as the office's form prints it
(docs/domain.md §2-3; the seed report is the form): a plain model built from the loaded frames,
which ``report_docx`` and ``report_pdf`` write.

Every text in the model is plain text (HTML pasted from web forms already turned into lines by
``thai.html_to_text``); the writers escape it for their format. The form's own wording is Thai
(it is the official form); numbers are written with Thai digits, as the form writes them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from tracker import thai
from tracker.dataset import empty_frame
from tracker.metrics import budget_sums, kpi_scores, time_to_done
from tracker.metrics import directives as directive_metrics
from tracker.schema import BUDGET_TYPE_TH, FACTOR_TH, STAGE_TH, STAGES, STATUS_TH, STATUSES
from tracker.thai.text import THAI_DIGITS

REPORT_PERIODS: tuple[str, ...] = ("H1", "Q1", "Q2", "Q3", "Q4")
# The KPI period a report period reads: the half year is the Q2 form (as of 31 March).
KPI_PERIOD = {"H1": "Q2", "Q1": "Q1", "Q2": "Q2", "Q3": "Q3", "Q4": "Q4"}
PERIOD_TH = {
    "H1": "ระยะครึ่งปีงบประมาณ",
    "Q1": "ไตรมาสที่ ๑",
    "Q2": "ไตรมาสที่ ๒",
    "Q3": "ไตรมาสที่ ๓",
    "Q4": "ไตรมาสที่ ๔",
}
TITLE = "แบบรายงานความก้าวหน้าผลการปฏิบัติราชการตามคำรับรองการปฏิบัติราชการประจำปีงบประมาณ"
KPI_HEADERS: tuple[str, ...] = (
    "ตัวชี้วัด",
    "ค่าเป้าหมาย",
    "ระดับความสำเร็จตามตัวชี้วัด",
    "รายละเอียดผลการดำเนินงานตามตัวชี้วัด",
    "โครงการ/กิจกรรมสนับสนุน",
    "หลักฐานอ้างอิง",
    "ปัญหา/อุปสรรค",
)
COMPONENT_1 = "องค์ประกอบที่ ๑ การประเมินประสิทธิภาพผลการดำเนินงาน (Performance Base)"
SECTION_TITLES = {
    "1.1": "๑.๑ ประสิทธิภาพในการดำเนินงานภารกิจหลักตามยุทธศาสตร์กรุงเทพมหานคร (Function Base)",
    "1.2": "๑.๒ ประสิทธิภาพของการขับเคลื่อนการบูรณาการการดำเนินงานร่วมกันระหว่างหน่วยงาน (Joint KPIs)",
    "1.3": "๑.๓ ประสิทธิภาพของการดำเนินภารกิจตามนโยบายผู้บริหารหรือภารกิจพิเศษ (Agenda Base)",
}
COMPONENT_2 = (
    "องค์ประกอบที่ ๒ ประสิทธิภาพของการบริหารจัดการและพัฒนานวัตกรรมเพื่อเพิ่มประสิทธิภาพ"
    "การปฏิบัติงานของหน่วยงาน (Innovation Base)"
)
INNOVATION_HEADERS: tuple[str, ...] = (
    "ตัวชี้วัด / นวัตกรรมที่พัฒนา",
    "ขั้นตอนการดำเนินการ",
    "รายละเอียดผลการดำเนินการ",
    "ปัญหา/อุปสรรค",
)
COMPONENT_3 = "องค์ประกอบที่ ๓ ศักยภาพในการดำเนินการของหน่วยงาน (Potential Base)"
CHECKLIST_TITLE = "ตัวชี้วัดที่ ๓.๑"
CHECKLIST_HEADERS: tuple[str, ...] = ("ตัวชี้วัด", "รายละเอียดผลการดำเนินงาน", "ปัญหา/อุปสรรค")
BUDGET_TITLE = "ตัวชี้วัดที่ ๓.๒ ความสำเร็จของการเบิกจ่ายงบประมาณในภาพรวม"
BUDGET_HEADERS: tuple[str, ...] = (
    "ประเภทงบรายจ่าย",
    "งบประมาณหลังปรับโอน (จำนวนเงิน)",
    "ผลการเบิกจ่าย (จำนวนเงิน)",
    "ร้อยละการเบิกจ่าย",
    "ปัญหา/อุปสรรคในการดำเนินงาน",
)
BUDGET_LABELS = {
    "carryover": "งบประมาณกันเงินไว้เบิกเหลื่อมปี แบบไม่มีหนี้ผูกพัน (ไม่รวมงบบุคลากร)",
    "annual": "งบประมาณประจำปี",
    "central": "งบกลาง (ไม่รวมงบบุคลากร)",
    "total": "รวมทั้งสิ้น",
}
ANNUAL_TYPES: tuple[str, ...] = ("operating", "investment", "subsidy", "other")
BUDGET_NOTE = (
    "ผลการเบิกจ่ายงบประมาณกันเงินไว้เบิกเหลื่อมปี (แบบไม่มีหนี้ผูกพัน) ไม่รวมงบบุคลากร "
    "และงบประมาณรายจ่ายประจำปี ได้แก่ งบดำเนินงาน งบลงทุน งบเงินอุดหนุน งบรายจ่ายอื่น "
    "และงบกลาง (ไม่รวมงบบุคลากร) อัตราร้อยละคำนวณจากจำนวนเงินทั้งสองช่อง"
)
DIRECTIVES_TITLE = "การติดตามผลการดำเนินการตามข้อสั่งการและข้อเสนอแนะของผู้ตรวจราชการ"
OVERDUE_HEADERS: tuple[str, ...] = (
    "รหัส",
    "ข้อสั่งการ/ข้อเสนอแนะ",
    "กำหนดแล้วเสร็จ",
    "เกินกำหนด (วัน)",
    "สถานะ",
)
OVERDUE_SHOWN = 30
NO_DATA = "ไม่มีข้อมูล"
SIGNATURE_NOTE = "*หมายเหตุ : สามารถใช้ลายเซ็นอิเล็กทรอนิกส์ในการรับรองแบบรายงานความก้าวหน้าได้"
DASH = "-"


def thai_digits(text: object) -> str:
    """Arabic digits written as Thai digits ("2567" → "๒๕๖๗"), as the form writes numbers."""
    return str(text).translate(str.maketrans("0123456789", THAI_DIGITS))


def period_end(fiscal_year: int, period: str) -> date:
    """The last day of a report period: H1 and Q2 end on 31 March of the fiscal year."""
    quarter = int(KPI_PERIOD[period][1])
    start, _ = thai.fiscal_year_bounds(fiscal_year)
    month = start.month + 3 * quarter - 1  # Oct + 2 = Dec for Q1
    year = start.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return (pd.Timestamp(year=year, month=month, day=1) + pd.offsets.MonthEnd(0)).date()


def date_th_full(d: date) -> str:
    """ "31 มีนาคม พ.ศ. 2567" in Thai digits."""
    return thai_digits(f"{d.day} {thai.TH_MONTHS_FULL[d.month - 1]} พ.ศ. {d.year + 543}")


def _text(value: object) -> str:
    """A cell as clean plain text (HTML pasted from web forms → lines); "-" when empty."""
    out = thai.html_to_text(value)
    return out if out.strip() else DASH


def _measure(value: object, measure: object) -> str:
    if value is None or pd.isna(value):
        return DASH
    number = float(value)  # type: ignore[arg-type]
    if measure == "level":
        return thai_digits(f"ระดับ {thai.format_int(number)}")
    return thai_digits(thai.format_pct(number))


def _amount(value: object) -> str:
    if value is None or pd.isna(value):
        return DASH
    return thai_digits(thai.format_amount(float(value)))  # type: ignore[arg-type]


# --- the model --------------------------------------------------------------------------------
@dataclass(frozen=True)
class KpiRow:
    cells: tuple[str, ...]  # the seven columns of KPI_HEADERS, plain text


@dataclass(frozen=True)
class KpiSection:
    code: str  # "1.1", "1.2", "1.3"
    title: str
    rows: tuple[KpiRow, ...]


@dataclass(frozen=True)
class Innovation:
    kpi: str
    project: str
    stages: tuple[tuple[str, bool], ...]  # every stage of the form, ticked where it stands
    detail: str
    evidence: str
    obstacle: str


@dataclass(frozen=True)
class Checklist:
    kpi: str
    items: tuple[tuple[str, bool], ...]
    detail: str  # the detail when it holds no checklist
    obstacle: str


@dataclass(frozen=True)
class BudgetRow:
    label: str
    allocated: str
    disbursed: str
    rate: str
    heading: bool = False  # "งบประมาณประจำปี": a label row without figures
    total: bool = False


@dataclass(frozen=True)
class Budget:
    as_of: str  # "ข้อมูล ณ วันที่ ๓๑ มีนาคม พ.ศ. ๒๕๖๗"
    rows: tuple[BudgetRow, ...]
    obstacle: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Directives:
    total: int
    counts: tuple[tuple[str, int], ...]  # (Thai status, count) in the form's order
    done_pct: str
    as_of: str
    overdue_count: int
    overdue: tuple[tuple[str, ...], ...]  # rows of OVERDUE_HEADERS, the most overdue first
    # rows of GROUP_HEADERS: the unit's directives per directive group and status
    by_group: tuple[tuple[str, ...], ...] = ()
    # rows of FACTOR_HEADERS: per impact factor (a directive with several counts in each)
    by_factor: tuple[tuple[str, ...], ...] = ()
    # the time-to-done line ("median days to done … · done within 90 days …")
    speed: str = ""


@dataclass(frozen=True)
class Missing:
    """A part of the report the data does not hold (``what`` names it, Thai and English)."""

    part: str  # "kpis", "budget", "directives", "innovation", "checklist"
    what_th: str
    what_en: str


@dataclass(frozen=True)
class Report:
    unit: str
    fiscal_year: int
    period: str
    title: str
    unit_line: str
    sections: tuple[KpiSection, ...]
    innovation: Innovation | None
    checklist: Checklist | None
    budget: Budget | None
    directives: Directives | None
    missing: tuple[Missing, ...] = field(default=())

    def lacks(self, part: str) -> bool:
        return any(m.part == part for m in self.missing)


def title_of(fiscal_year: int, period: str) -> str:
    return f"{TITLE} พ.ศ. {thai_digits(fiscal_year)} ({PERIOD_TH[period]})"


# --- building it ------------------------------------------------------------------------------
def build_report(
    kpis: pd.DataFrame,
    budget: pd.DataFrame,
    directives: pd.DataFrame,
    unit: str,
    fiscal_year: int,
    period: str,
    today: date,
    responses: pd.DataFrame | None = None,
) -> Report:
    """The report of ``unit`` for ``fiscal_year`` (BE) and ``period`` (H1 or Q1-Q4) from the
    canonical frames; ``today`` dates the overdue count and the time to done (``responses``,
    the Forms responses, date when a directive was done). Parts the data lacks are listed in
    ``missing`` and left None (or empty), never invented."""
    if period not in REPORT_PERIODS:
        raise ValueError(f"period must be one of {', '.join(REPORT_PERIODS)}: {period!r}")
    kpi_period = KPI_PERIOD[period]
    card = kpi_scores.scorecard(kpis, unit=unit, fiscal_year=fiscal_year, period=kpi_period)
    where_th = f"{unit} ปีงบประมาณ {fiscal_year} {PERIOD_TH[period]}"
    where_en = f"{unit}, fiscal year {fiscal_year}, {period}"
    missing: list[Missing] = []
    sections = _kpi_sections(card)
    if not sections:
        missing.append(
            Missing(
                "kpis",
                f"ตัวชี้วัดองค์ประกอบที่ ๑ ของ {where_th} (แบบรายงานตัวชี้วัด {kpi_period})",
                f"component-1 KPIs of {where_en} (the {kpi_period} KPI form)",
            )
        )
    innovation = _innovation(card)
    if innovation is None:
        missing.append(
            Missing(
                "innovation", f"นวัตกรรม (องค์ประกอบที่ ๒) ของ {where_th}", f"innovation of {where_en}"
            )
        )
    checklist = _checklist(card)
    if checklist is None:
        missing.append(Missing("checklist", f"ตัวชี้วัดที่ ๓.๑ ของ {where_th}", f"KPI 3.1 of {where_en}"))
    end = period_end(fiscal_year, period)
    money = _budget(budget, unit, fiscal_year, end)
    if money is None:
        missing.append(
            Missing(
                "budget",
                f"รายงานการเบิกจ่ายงบประมาณของ {unit} ปีงบประมาณ {fiscal_year} "
                f"ณ วันที่ไม่เกิน {thai.format_date_th(end)}",
                f"budget report of {unit}, fiscal year {fiscal_year}, as of {end.isoformat()} "
                "or earlier",
            )
        )
    follow = _directives(directives, unit, today, responses)
    if follow is None:
        missing.append(
            Missing("directives", f"ข้อสั่งการของ {unit}", f"directives addressed to {unit}")
        )
    return Report(
        unit=unit,
        fiscal_year=fiscal_year,
        period=period,
        title=title_of(fiscal_year, period),
        unit_line=f"หน่วยงาน : {unit}",
        sections=sections,
        innovation=innovation,
        checklist=checklist,
        budget=money,
        directives=follow,
        missing=tuple(missing),
    )


def _kpi_sections(card: pd.DataFrame) -> tuple[KpiSection, ...]:
    out = []
    for code, title in SECTION_TITLES.items():
        rows = card[card["component"] == code]
        if rows.empty:
            continue
        numbered = len(rows) > 1
        kpi_rows = []
        for n, r in enumerate(rows.itertuples(index=False), start=1):
            name = _text(r.kpi)
            if numbered:
                name = f"{thai_digits(n)}. {name}"
            cells = (
                name,
                _measure(r.target, r.measure),
                _measure(r.actual, r.measure),
                _text(r.detail),
                _text(r.project),
                _text(r.evidence),
                _text(r.obstacle),
            )
            kpi_rows.append(KpiRow(cells))
        out.append(KpiSection(code, title, tuple(kpi_rows)))
    return tuple(out)


def _first(card: pd.DataFrame, component: str):
    rows = card[card["component"] == component]
    return None if rows.empty else next(rows.itertuples(index=False))


def _without_marks(text: str) -> str:
    """Text with its checklist lines (☑ / ☐) left out: they are drawn as ticks instead."""
    lines = [ln for ln in text.split("\n") if not kpi_scores.parse_checklist(ln)]
    out = "\n".join(lines).strip()
    return out or DASH


def _innovation(card: pd.DataFrame) -> Innovation | None:
    r = _first(card, "2")
    if r is None:
        return None
    stage = r.stage if isinstance(r.stage, str) else None
    stages = tuple((STAGE_TH[s], s == stage) for s in STAGES)
    return Innovation(
        kpi=_text(r.kpi),
        project=_text(r.project),
        stages=stages,
        detail=_without_marks(_text(r.detail)),
        evidence=_text(r.evidence),
        obstacle=_text(r.obstacle),
    )


def _checklist(card: pd.DataFrame) -> Checklist | None:
    r = _first(card, "3.1")
    if r is None:
        return None
    detail = _text(r.detail)
    items = tuple(kpi_scores.parse_checklist(detail))
    return Checklist(
        kpi=_text(r.kpi),
        items=items,
        detail=_without_marks(detail) if items else detail,
        obstacle=_text(r.obstacle),
    )


def _budget(budget: pd.DataFrame, unit: str, fiscal_year: int, end: date) -> Budget | None:
    """The unit's latest budget report of the fiscal year dated on or before ``end``."""
    start, _ = thai.fiscal_year_bounds(fiscal_year)
    df = budget[
        (budget["unit"] == unit)
        & (budget["as_of"] >= pd.Timestamp(start))
        & (budget["as_of"] <= pd.Timestamp(end))
    ]
    if df.empty:
        return None
    as_of = df["as_of"].max()
    types = budget_sums.by_type(df, as_of=as_of).set_index("budget_type")

    def row(key: str, label: str, total: bool = False) -> BudgetRow:
        if key not in types.index:
            return BudgetRow(label, DASH, DASH, DASH, total=total)
        t = types.loc[key]
        rate = DASH if pd.isna(t["rate_pct"]) else thai_digits(thai.format_amount(t["rate_pct"]))
        return BudgetRow(label, _amount(t["allocated"]), _amount(t["disbursed"]), rate, total=total)

    rows = [
        row("carryover", BUDGET_LABELS["carryover"]),
        BudgetRow(BUDGET_LABELS["annual"], "", "", "", heading=True),
        *(row(k, f"- {BUDGET_TYPE_TH[k]}") for k in ANNUAL_TYPES),
        row("central", BUDGET_LABELS["central"]),
        row("total", BUDGET_LABELS["total"], total=True),
    ]
    day = date_th_full(pd.Timestamp(as_of).date())
    return Budget(
        as_of=f"ข้อมูล ณ วันที่ {day}",
        rows=tuple(rows),
        obstacle=DASH,
        notes=(
            f"๑. {BUDGET_NOTE}",
            f"๒. รายงานความสำเร็จของการเบิกจ่ายงบประมาณ ณ {day}",
        ),
    )


GROUP_HEADERS = ("กลุ่มเรื่อง", *(STATUS_TH[s] for s in STATUSES), "รวม")


def _by_group(df: pd.DataFrame) -> tuple[tuple[str, ...], ...]:
    """The unit's directives per directive group and status (Thai digits), largest first."""
    table = directive_metrics.by_group(df)
    if table.empty:
        return ()
    table = table.sort_values(["total", "group"], ascending=[False, True], kind="stable")
    return tuple(
        (
            thai.clean_text(r["group"]) or DASH,
            *(thai_digits(thai.format_int(int(r[s]))) for s in STATUSES),
            thai_digits(thai.format_int(int(r["total"]))),
        )
        for r in table.to_dict("records")
    )


FACTOR_HEADERS = ("ปัจจัยผลกระทบ", *(STATUS_TH[s] for s in STATUSES), "รวม")


def _by_factor(df: pd.DataFrame) -> tuple[tuple[str, ...], ...]:
    """The unit's directives per impact factor and status (Thai digits), factors it has only."""
    table = directive_metrics.by_factor(df)
    return tuple(
        (
            FACTOR_TH[r["factor"]],
            *(thai_digits(thai.format_int(int(r[s]))) for s in STATUSES),
            thai_digits(thai.format_int(int(r["total"]))),
        )
        for r in table.to_dict("records")
        if r["total"]
    )


def _speed(df: pd.DataFrame, responses: pd.DataFrame | None, today: date) -> str:
    """Median days to done (Kaplan–Meier; open directives counted to today) and % done
    within 90 days, as the report's line."""
    resp = responses if responses is not None else empty_frame("responses")
    figures = time_to_done.overall(time_to_done.with_durations(df, resp, today).frame)
    if not figures["n"]:
        return ""
    median = figures["median_days"]
    within = figures.get("done_within_90")
    median_text = "ยังไม่ถึงครึ่ง" if median is None else f"{thai.format_int(median)} วัน"
    within_text = DASH if within is None else thai.format_pct(within)
    return thai_digits(
        f"ระยะเวลาจนแล้วเสร็จ (มัธยฐาน): {median_text} · ดำเนินการแล้วเสร็จภายใน ๙๐ วัน: "
        f"{within_text} (จากข้อสั่งการ {thai.format_int(figures['n'])} เรื่องที่ระบุวันที่ได้)"
    )


def _directives(
    directives: pd.DataFrame, unit: str, today: date, responses: pd.DataFrame | None = None
) -> Directives | None:
    df = directives[directives["agency"] == unit]
    if df.empty:
        return None
    totals = directive_metrics.status_totals(df)
    n = int(sum(totals.values()))
    ages = directive_metrics.aging(df, today)
    late = df[ages["overdue"].to_numpy()].assign(days_late=ages["days_overdue"])
    late = late.sort_values(["days_late", "directive_id"], ascending=[False, True], kind="stable")
    rows = tuple(
        (
            thai.clean_text(r.directive_id) or DASH,
            thai.clean_text(r.text) or DASH,  # typed text, not pasted HTML: kept as written
            thai_digits(thai.format_date_th(r.due_date)),
            thai_digits(thai.format_int(r.days_late)),
            STATUS_TH.get(str(r.status), DASH),
        )
        for r in late.head(OVERDUE_SHOWN).itertuples(index=False)
    )
    return Directives(
        total=n,
        counts=tuple((STATUS_TH[s], totals[s]) for s in STATUSES),
        done_pct=thai_digits(thai.format_pct(100 * totals["done"] / n if n else 0)),
        as_of=f"ข้อมูล ณ วันที่ {date_th_full(today)}",
        overdue_count=len(late),
        overdue=rows,
        by_group=_by_group(df),
        by_factor=_by_factor(df),
        speed=_speed(df, responses, today),
    )


def available(kpis: pd.DataFrame, budget: pd.DataFrame) -> dict[str, list[int]]:
    """Units with KPI or budget data → the fiscal years they hold, for the page's choices."""
    out: dict[str, set[int]] = {}
    for frame in (kpis, budget):
        for u, fy in (
            frame[["unit", "fiscal_year"]].dropna().drop_duplicates().itertuples(index=False)
        ):
            out.setdefault(str(u), set()).add(int(fy))
    return {u: sorted(ys) for u, ys in sorted(out.items())}


def file_name(report: Report, ext: str) -> str:
    """A download name without characters a file system refuses: report_<unit>_2567_H1.pdf."""
    # letters, digits and combining marks (Thai vowels and tones) stay: "สำนักงานเขตพระนคร"
    keep = [ch.isalnum() or unicodedata.category(ch).startswith("M") for ch in report.unit]
    safe = "".join(ch if ok else "_" for ch, ok in zip(report.unit, keep, strict=True))
    safe = safe.strip("_") or "unit"
    return f"report_{safe}_{report.fiscal_year}_{report.period}.{ext}"


__all__ = [
    "KPI_HEADERS",
    "REPORT_PERIODS",
    "Budget",
    "BudgetRow",
    "Checklist",
    "Directives",
    "Innovation",
    "KpiSection",
    "Missing",
    "Report",
    "available",
    "build_report",
    "file_name",
    "period_end",
    "thai_digits",
    "title_of",
]
