"""KPI scorecard (docs/domain.md §2): read the report's KPI table as printed, check it, score it.

The table is read from the raw rows (not ``normalize.body_of``) because its section rows carry
meaning: "๑.๑ … (Function Base)" gives the following KPIs component "1.1", "องค์ประกอบที่ ๒"
component "2", and so on. Rows with a single filled cell are sections (a component), title
rows repeated on a new page (unit, fiscal year, period), notes and signatures (skipped), or the
continuation of the previous KPI's text across a page break (appended to it).

Unit, fiscal year and period come from explicit columns when present, else from the title
rows above the header ("หน่วยงาน : …", "ประจำปีงบประมาณ พ.ศ. ๒๕๖๗", "(ระยะครึ่งปีงบประมาณ)"),
else from the sheet name ("KPI Q2 2567"). The unit is the *first* unit name after
"หน่วยงาน :" (the first word of Thai text: "กองงานผู้ตรวจราชการ สำนักปลัดกรุงเทพมหานคร" →
"กองงานผู้ตรวจราชการ"; the parent organisation after the space is dropped).

Two more table kinds of the same report are read into the same ``kpis`` frame (see
``normalize``): the innovation table of component 2 (``kind == "innovation"``: one KPI whose
``stage`` is the ticked box of the steps column, the KPI and project names from the title rows
"ตัวชี้วัด …" / "ชื่อโครงการ …" above it) and a KPI reported as text only (``kind == "kpi_text"``,
e.g. 3.1 digital transformation: no target / achieved columns; a checklist in the detail gives
measure "percent", target 100 and actual = ``checklist_percent``). Signature and note rows
("ลงชื่อผู้รายงาน", "(.....)", "ตำแหน่ง", "*หมายเหตุ …") close a table: they and anything
after them up to the next header are info only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from data_sources.base import RawTable
from tracker import thai
from tracker.checks.validate import Issue, make_issue
from tracker.dataset import conform, empty_frame
from tracker.read.headers import ALIAS_INDEX, HeaderMatch
from tracker.schema import KPI_COLUMNS, header_key

PERIODS: tuple[str, ...] = ("Q1", "Q2", "Q3", "Q4")
MEASURES: tuple[str, ...] = ("level", "percent")
LEVEL_MAX = Decimal(5)
PERCENT_MAX = Decimal(100)
# Traffic light of a KPI against its target: green when actual ≥ target, amber when
# actual ≥ 60% of target, red below that; None when target or actual is missing.
AMBER_FROM = Decimal("0.6")
LIGHTS: tuple[str, ...] = ("green", "amber", "red")

STAGES: tuple[str, ...] = ("developing", "trialling", "in_use")
STAGE_TH = {
    "developing": "อยู่ระหว่างการพัฒนา",
    "trialling": "พัฒนาเสร็จแล้ว อยู่ระหว่างการทดลองใช้",
    "in_use": "นำไปใช้ประโยชน์แล้ว",
}
STAGE_EN = {"developing": "Under development", "trialling": "Trialling", "in_use": "In use"}
TEXT_COLUMNS: tuple[str, ...] = ("detail", "project", "evidence", "obstacle")
COMPONENT_TH = {
    "1": "องค์ประกอบที่ 1 Performance Base",
    "1.1": "1.1 Function Base",
    "1.2": "1.2 Joint KPIs",
    "1.3": "1.3 Agenda Base",
    "2": "องค์ประกอบที่ 2 Innovation Base",
    "3.1": "3.1 การเปลี่ยนผ่านดิจิทัล",
    "3.2": "3.2 การเบิกจ่ายงบประมาณ",
}

# --- text helpers shared with tracker.read.budget_form ---------------------------------------------------
_UNIT_RE = re.compile(r"^\s*(?:หน่วยงาน|หน่วยรับตรวจ|ส่วนราชการ|unit|agency)\s*[:：]\s*(.+)$", re.I)
_UNIT_PREFIXES = ("สำนักงานเขต", "สำนักงาน", "สำนัก", "กอง", "ฝ่าย")
_PERIOD_RULES: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (re.compile(r"ไตรมาส\s*(?:ที่)?\s*([1-4])(?![0-9])"), None),
    (re.compile(r"(?<![a-z0-9])q\s*([1-4])(?![0-9])"), None),
    (re.compile(r"quarter\s*([1-4])(?![0-9])"), None),
    (re.compile(r"(?:ระยะ|รอบ)\s*3\s*เดือน"), "Q1"),
    (re.compile(r"ครึ่งปี|(?:ระยะ|รอบ)\s*6\s*เดือน|half[\s-]*year"), "Q2"),
    (re.compile(r"(?:ระยะ|รอบ)\s*9\s*เดือน"), "Q3"),
    (re.compile(r"(?:ระยะ|รอบ)\s*12\s*เดือน|สิ้นปีงบประมาณ|ทั้งปี|full[\s-]*year|year[\s-]*end"), "Q4"),
)


def unit_from_text(text: str) -> str | None:
    """The unit named by a title row "หน่วยงาน : <unit> <parent>", else None.

    Thai text: the first word, joined with the next one when it is only a prefix such as
    "สำนักงานเขต บางนา". Latin text: the whole name.
    """
    m = _UNIT_RE.match(thai.collapse_spaces(text))
    if not m:
        return None
    rest = m.group(1).strip()
    if not rest or thai.is_missing(rest):
        return None
    if re.match(r"[A-Za-z]", rest):
        return rest
    words = rest.split()
    if len(words) > 1 and words[0] in _UNIT_PREFIXES:
        return words[0] + words[1]
    return words[0]


def period_from_text(text: str, bare: bool = False) -> str | None:
    """Q1..Q4 of "ไตรมาสที่ ๒", "(ระยะครึ่งปีงบประมาณ)", "ระยะ ๙ เดือน", "KPI Q2"; else None.

    With ``bare`` (a period column) a lone "2" also counts.
    """
    t = thai.to_arabic_digits(thai.collapse_spaces(text)).lower()
    if bare and t in {"1", "2", "3", "4"}:
        return f"Q{t}"
    for rx, period in _PERIOD_RULES:
        m = rx.search(t)
        if m:
            return period or f"Q{m.group(1)}"
    return None


_COMPONENT_RE = re.compile(r"^องค์ประกอบ\s*(?:ที่)?\s*([1-3])(?![0-9.])")
_SUBCOMPONENT_RE = re.compile(r"^(?:ตัวชี้วัด\s*(?:ที่)?\s*)?([1-3])\s*\.\s*([1-9])(?![0-9.\-])")
_COMPONENT_WORDS: tuple[tuple[str, str], ...] = (
    ("function base", "1.1"),
    ("joint kpi", "1.2"),
    ("agenda base", "1.3"),
    ("innovation base", "2"),
    ("potential base", "3.1"),
    ("performance base", "1"),
)
_TOP_COMPONENT = {"1": "1", "2": "2", "3": "3.1"}


def component_of(text: str) -> str | None:
    """The component a section row opens: "๑.๒ … (Joint KPIs)" → "1.2", "องค์ประกอบที่ ๓" → "3.1"."""
    t = thai.to_arabic_digits(thai.collapse_spaces(thai.html_to_text(text)))
    m = _SUBCOMPONENT_RE.match(t)
    if m:
        return f"{m.group(1)}.{m.group(2)}"
    m = _COMPONENT_RE.match(t)
    if m:
        return _TOP_COMPONENT[m.group(1)]
    low = t.lower()
    for words, component in _COMPONENT_WORDS:
        if f"({words}" in low or low.startswith(words):
            return component
    return None


# --- checklists and the innovation stage ------------------------------------------------------
_INPUT_RE = re.compile(r"<\s*input\b([^<>]*)>", re.I)
TICKED_MARKS = "☑☒✓✔✅"
UNTICKED_MARKS = "☐□"
_MARK_RE = re.compile(r"\[\s*[xX✓✔]\s*\]|\[\s*\]|[☑☒✓✔✅☐□]")


def _checkbox_marks(html: str) -> str:
    """Turn HTML checkboxes into ☑ / ☐ on their own line (html_to_text would drop them)."""

    def mark(m: re.Match[str]) -> str:
        attrs = m.group(1).lower()
        if "checkbox" not in attrs and "radio" not in attrs:
            return ""
        return "<br/>☑ " if re.search(r"\bchecked\b", attrs) else "<br/>☐ "

    return _INPUT_RE.sub(mark, html)


def plain_text(value: str | None) -> str | None:
    """Clean plain text of a cell that may hold HTML (checkboxes kept as ☑/☐); None if empty."""
    if value is None or thai.is_missing(value):
        return None
    text = thai.html_to_text(_checkbox_marks(value))
    return None if thai.is_missing(text) else text


def parse_checklist(text: str | None) -> list[tuple[str, bool]]:
    """Ticked / unticked items of a checklist: ☑ ☒ ✓ ✔ [x] are ticked, ☐ [ ] are not.

    An item runs from its mark to the next mark or the end of the line.
    """
    if not text:
        return []
    items: list[tuple[str, bool]] = []
    for line in str(text).split("\n"):
        marks = list(_MARK_RE.finditer(line))
        for k, m in enumerate(marks):
            end = marks[k + 1].start() if k + 1 < len(marks) else len(line)
            label = line[m.end() : end].strip(" \t•-")
            token = m.group(0)
            ticked = token in TICKED_MARKS or (token.startswith("[") and token.strip("[] ") != "")
            if label:
                items.append((label, ticked))
    return items


_STAGE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("in_use", ("ไปใช้ประโยชน์", "ใช้ประโยชน์แล้ว", "inuse")),
    ("trialling", ("ทดลองใช้", "เสร็จแล้ว", "trial", "pilot")),
    ("developing", ("ระหว่างการพัฒนา", "ระหว่างพัฒนา", "developing", "underdevelopment")),
)


def _stage_of_label(label: str) -> str | None:
    key = re.sub(r"\s+", "", label).lower()
    for stage, words in _STAGE_WORDS:
        if any(w in key for w in words):
            return stage
    return None


def stage_of(cells: list[str]) -> str | None:
    """The innovation stage ticked in a row's cells (the most advanced if several are ticked);
    else a cell whose whole text names a stage."""
    found: set[str] = set()
    for cell in cells:
        text = plain_text(cell)
        if not text:
            continue
        for label, ticked in parse_checklist(text):
            stage = _stage_of_label(label) if ticked else None
            if stage:
                found.add(stage)
    if not found:
        for cell in cells:
            text = thai.collapse_spaces(plain_text(cell) or "")
            if text and len(text) <= 80 and not _MARK_RE.search(text):
                stage = _stage_of_label(text)
                if stage:
                    found.add(stage)
    for stage in reversed(STAGES):
        if stage in found:
            return stage
    return None


# --- reading the raw table --------------------------------------------------------------------
def raw_cells(frame: pd.DataFrame) -> list[list[str]]:
    """Rows of stripped cell text ("" for empty cells; a typed "-" is kept)."""
    out: list[list[str]] = []
    for row in frame.itertuples(index=False, name=None):
        out.append(
            [
                "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v).strip()
                for v in row
            ]
        )
    return out


def title_text(raw: RawTable, match: HeaderMatch) -> list[str]:
    """Every filled cell of the rows above the header, top to bottom."""
    return [c for row in raw_cells(raw.frame.iloc[: match.header_rows[0]]) for c in row if c]


def is_repeated_header(cells: list[str], match: HeaderMatch) -> bool:
    """True when at least half (≥ 2) of the mapped cells repeat their header or an alias of it."""
    index = ALIAS_INDEX[match.kind]
    same = 0
    for key, j in match.colmap.items():
        if j >= len(cells) or not cells[j]:
            continue
        k = header_key(cells[j])
        shown = header_key(match.header_text.get(j, ""))
        stripped = re.sub(r"\(.*?\)$", "", k)
        if k == shown or index.get(k) == key or index.get(stripped) == key:
            same += 1
    # the upper row of a repeated two-row header holds only part of the labels
    need = 2 if len(match.header_rows) == 2 else max(2, len(match.colmap) // 2)
    return same >= need


class Sheet:
    """Issue factory for one sheet: Excel rows, and columns shown as "header (letter)"."""

    def __init__(self, raw: RawTable, match: HeaderMatch):
        self.raw = raw
        self.match = match

    def where(self, key: str) -> str:
        j = self.match.colmap.get(key)
        if j is None:
            return key
        return f"{self.match.header_text.get(j, key)} ({self.raw.column_letter(j)})"

    def issue(
        self,
        severity: str,
        code: str,
        row: int | None = None,
        key: str | None = None,
        value: object = "",
        **params: object,
    ) -> Issue:
        return make_issue(
            severity,
            code,
            file=self.raw.source,
            sheet=self.raw.sheet,
            row=row,
            column=self.where(key) if key else "",
            value=value,
            **params,
        )


@dataclass
class Context:
    """Unit, fiscal year and period in force for the rows that follow."""

    unit: str | None = None
    fiscal_year: int | None = None
    period: str | None = None
    component: str | None = None

    def update(self, text: str, title: bool) -> bool:
        """Take what a title row says; True if it said anything."""
        said = False
        unit = unit_from_text(text)
        if unit:
            self.unit, said = unit, True
        if title:
            fy = thai.fiscal_year_from_text(text)
            if fy:
                self.fiscal_year, said = fy, True
            period = period_from_text(text)
            if period and ("ปีงบประมาณ" in text or "รายงาน" in text or len(text) < 60):
                self.period, said = period, True
        return said


@dataclass
class _Kpi:
    row: int
    cells: list[str]
    component: str | None
    unit: str | None
    fiscal_year: int | None
    period: str | None
    texts: dict[str, list[str]] = field(default_factory=dict)


def _measure_word(text: str) -> str | None:
    t = thai.to_arabic_digits(text).lower()
    if "ระดับ" in t or "level" in t:
        return "level"
    if "%" in t or "ร้อยละ" in t or "percent" in t or "เปอร์เซ็นต์" in t:
        return "percent"
    return None


def _guess_measure(text: str, component: str | None) -> str:
    """Measure of a bare number: percent for component 3 or non-levels, else level."""
    word = _measure_word(text)
    if word:
        return word
    if component and component.startswith("3"):
        return "percent"
    try:
        d = thai.parse_decimal(text)
    except ValueError:
        return "level"
    if d is not None and d == d.to_integral_value() and 0 <= d <= LEVEL_MAX:
        return "level"
    return "percent"


def _value(text: str, measure: str) -> Decimal | None:
    if measure == "level":
        n = thai.parse_level(text)
        return None if n is None else Decimal(n)
    d = thai.parse_percent(text)
    if d is not None and d < 0:
        raise ValueError(text)
    return d


def _scale_max(measure: str) -> Decimal:
    return LEVEL_MAX if measure == "level" else PERCENT_MAX


def achievement(actual: Decimal | None, target: Decimal | None) -> Decimal | None:
    """actual / target × 100, half-up to 2 dp; None when either is missing or target is 0."""
    if actual is None or target is None or target == 0:
        return None
    return thai.round_half_up(actual * 100 / target, 2)


def _leading_number(text: str) -> tuple[int | None, str]:
    """("๑. ระดับความสำเร็จ…") → (1, "ระดับความสำเร็จ…")."""
    m = re.match(r"^\s*([0-9๐-๙]{1,2})\s*[.)]\s+", text)
    if not m:
        return None, text
    return int(thai.to_arabic_digits(m.group(1))), text[m.end() :]


def normalize(raw: RawTable, match: HeaderMatch) -> tuple[pd.DataFrame, list[Issue]]:
    """The KPI table of a sheet → canonical ``kpis`` frame (KPI_COLUMNS) and its Issues.

    Also reads the report's other KPI table kinds ("innovation", "kpi_text") into that frame.
    """
    if match.kind == "innovation":
        return _normalize_innovation(raw, match)
    if match.kind == "kpi_text":
        return _normalize_text(raw, match)
    sheet = Sheet(raw, match)
    issues: list[Issue] = []
    colmap = match.colmap
    ctx = Context()
    for text in title_text(raw, match):
        ctx.update(text, title=True)
        comp = component_of(text)
        if comp:
            ctx.component = comp
    if ctx.period is None:
        ctx.period = period_from_text(raw.sheet)
    if ctx.fiscal_year is None:
        ctx.fiscal_year = thai.fiscal_year_from_text(raw.sheet)

    def cell(cells: list[str], key: str) -> str:
        j = colmap.get(key)
        return cells[j] if j is not None and j < len(cells) else ""

    text_cols = {colmap[k]: k for k in TEXT_COLUMNS if k in colmap}
    kpis: list[_Kpi] = []
    data = raw_cells(raw.frame.iloc[match.data_start :])
    first = raw.first_row + match.data_start
    for i, cells in enumerate(data):
        row = first + i
        filled = [j for j, c in enumerate(cells) if c]
        if not filled:
            continue
        if is_repeated_header(cells, match):
            issues.append(sheet.issue("info", "repeated_header", row))
            continue
        name, target, actual = cell(cells, "kpi"), cell(cells, "target"), cell(cells, "actual")
        if len(filled) == 1 and not target and not actual:
            text = cells[filled[0]]
            comp = component_of(text)
            if comp:
                ctx.component = comp
                issues.append(sheet.issue("info", "section_row", row, value=text[:80]))
                continue
            title = "แบบรายงาน" in text or "รายงานผล" in text
            if ctx.update(text, title=title) or filled[0] not in text_cols or not kpis:
                issues.append(sheet.issue("info", "section_row", row, value=text[:80]))
                continue
        if not name and not target and not actual and kpis:
            # the previous KPI's text continues on a new page
            for j in filled:
                if j in text_cols:
                    kpis[-1].texts.setdefault(text_cols[j], []).append(cells[j])
            issues.append(sheet.issue("info", "continuation_row", row))
            continue
        if not name:
            issues.append(sheet.issue("error", "missing_value", row, "kpi"))
            continue
        k = _Kpi(row, cells, ctx.component, ctx.unit, ctx.fiscal_year, ctx.period)
        for j, key in text_cols.items():
            if j < len(cells) and cells[j]:
                k.texts[key] = [cells[j]]
        kpis.append(k)
    records = [_record(k, sheet, issues, cell) for k in kpis]
    _assign_codes(records)
    _context_issues(records, sheet, issues)
    df = pd.DataFrame.from_records(records, columns=[*_RECORD_KEYS])
    df = df.drop(columns=["_number"])
    df["source"], df["sheet"] = raw.source, raw.sheet
    return conform(df, "kpis"), issues


_RECORD_KEYS = (
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
    *TEXT_COLUMNS,
    "stage",
    "row",
    "_number",
)


def _record(k: _Kpi, sheet: Sheet, issues: list[Issue], cell) -> dict[str, object]:
    """One KPI row → canonical values, with its validation issues."""
    row = k.row
    unit, fy, period = _row_context(k, sheet, issues, cell)
    number, name = _leading_number(plain_text(cell(k.cells, "kpi")) or "")
    stage = stage_of(k.cells) if k.component == "2" else None
    t_raw, a_raw = cell(k.cells, "target"), cell(k.cells, "actual")
    measure: str | None = None
    target = actual = None
    if thai.is_missing(t_raw):
        if stage is None:
            issues.append(sheet.issue("error", "missing_value", row, "target"))
    else:
        measure = _guess_measure(t_raw, k.component)
        target = _checked_value(t_raw, measure, "target", row, sheet, issues)
    if not thai.is_missing(a_raw):
        a_measure = _measure_word(a_raw) or measure or _guess_measure(a_raw, k.component)
        if measure and a_measure != measure:
            issues.append(
                sheet.issue("warning", "kpi_measure_mismatch", row, "actual", a_raw, expected=t_raw)
            )
        else:
            measure = measure or a_measure
            actual = _checked_value(a_raw, a_measure, "actual", row, sheet, issues)
    texts = {key: plain_text("\n".join(k.texts.get(key, []))) for key in TEXT_COLUMNS}
    return {
        "unit": unit,
        "fiscal_year": fy,
        "period": period,
        "component": k.component,
        "kpi_code": None,
        "kpi": thai.collapse_spaces(name) or None,
        "measure": measure,
        "target": None if target is None else float(target),
        "actual": None if actual is None else float(actual),
        "achievement_pct": _float(achievement(actual, target)),
        **texts,
        "stage": stage,
        "row": row,
        "_number": number,
    }


def _row_context(
    k: _Kpi, sheet: Sheet, issues: list[Issue], cell
) -> tuple[str | None, int | None, str | None]:
    """Unit, fiscal year and period of a KPI row: its own columns when typed, else the titles."""
    row = k.row
    unit, fy, period = k.unit, k.fiscal_year, k.period
    if (u := cell(k.cells, "unit")) and not thai.is_missing(u):
        unit = thai.collapse_spaces(u)
    if (f := cell(k.cells, "fiscal_year")) and not thai.is_missing(f):
        try:
            fy = thai.normalize_fiscal_year(thai.parse_int(f))  # type: ignore[arg-type]  # None: TypeError, reported
        except (TypeError, ValueError):
            issues.append(sheet.issue("error", "invalid_fiscal_year", row, "fiscal_year", f))
            fy = None
    if (p := cell(k.cells, "period")) and not thai.is_missing(p):
        period = period_from_text(p, bare=True)
        if period is None:
            issues.append(sheet.issue("error", "invalid_period", row, "period", p))
    return unit, fy, period


def _checked_value(
    text: str, measure: str, key: str, row: int, sheet: Sheet, issues: list[Issue]
) -> Decimal | None:
    """The level / percent in ``text``; an error Issue if unreadable or above the scale."""
    try:
        value = _value(text, measure)
    except ValueError:
        code = "invalid_level" if measure == "level" else "invalid_percent"
        issues.append(sheet.issue("error", code, row, key, text))
        return None
    if value is not None and value > _scale_max(measure):
        issues.append(
            sheet.issue("error", "kpi_above_scale", row, key, text, max=str(_scale_max(measure)))
        )
        return None
    return value


def _float(d: Decimal | None) -> float | None:
    return None if d is None else float(d)


def _assign_codes(records: list[dict[str, object]]) -> None:
    """kpi_code "1.1-2": component and the KPI's own number (or its order in the component);
    just the component when it holds a single unnumbered KPI."""
    groups: dict[tuple, list[dict[str, object]]] = {}
    for r in records:
        groups.setdefault((r["unit"], r["fiscal_year"], r["period"], r["component"]), []).append(r)
    for (_, _, _, component), rows in groups.items():
        for n, r in enumerate(rows, start=1):
            number = r["_number"] or n
            if component is None:
                r["kpi_code"] = str(number)
            elif len(rows) == 1 and not r["_number"]:
                r["kpi_code"] = component
            else:
                r["kpi_code"] = f"{component}-{number}"


def _context_issues(records: list[dict[str, object]], sheet: Sheet, issues: list[Issue]) -> None:
    """One error per sheet for a unit, fiscal year or period found nowhere."""
    for key, code in (
        ("unit", "missing_unit"),
        ("fiscal_year", "missing_fiscal_year"),
        ("period", "missing_period"),
    ):
        rows: list[Any] = [r["row"] for r in records if r[key] is None]
        if rows:
            issues.append(sheet.issue("error", code, rows[0], value=sheet.raw.sheet))


# --- the report's text-only KPI tables: innovation (component 2) and checklist KPIs (3.1) -------
# A signature or note line below a table: "ลงชื่อผู้รายงาน", "(.....)", "ตำแหน่ง", "*หมายเหตุ :",
# "(หัวหน้าส่วนราชการ/หัวหน้าหน่วยงาน)".
_NOTE_RE = re.compile(
    r"^[\s*\-•]*(?:หมายเหตุ|ลงชื่อ|ลงนาม|ตำแหน่ง|notes?\b|remarks?\b|signed\b|signature|position\b)"
    r"|^[\s(]*[.…_]{2,}"
    r"|^\(\s*(?:หัวหน้า|ผู้อำนวยการ|ผู้รายงาน|ผู้รับรอง)",
    re.I,
)
# A line that opens something new rather than continuing a cell of the table.
_HEADING_RE = re.compile(
    r"^(?:แบบรายงาน|รายงานผล|(?:หน่วยงาน|หน่วยรับตรวจ|ส่วนราชการ)\s*[:：]|ประจำปีงบประมาณ|ตัวชี้วัด"
    r"|ชื่อโครงการ|องค์ประกอบ)"
)
_KPI_NAME_RE = re.compile(
    r"^ตัวชี้วัด\s*(?:ที่)?\s*(?:[0-9]{1,2}(?:\s*\.\s*[0-9]{1,2})*)?\s*[:：.]?\s*(\S.*)$"
)
_PROJECT_RE = re.compile(r"^(?:ชื่อโครงการ|project\s*name|project)\s*[:：]?\s*(\S.*)$", re.I)
_TOP_ITEM_RE = re.compile(r"^\(?\s*[0-9]{1,2}\s*[.)](?!\s*[0-9])")
CHECKLIST_TARGET = Decimal(100)


def is_note_line(text: str | None) -> bool:
    """True for a signature / note line of a report form ("ลงชื่อผู้รายงาน", "(.....)", "ตำแหน่ง",
    "*หมายเหตุ : …"): never data, reported as info."""
    return bool(text) and bool(_NOTE_RE.match(thai.collapse_spaces(plain_text(text) or "")))


def checklist_percent(items: list[tuple[str, bool]]) -> Decimal | None:
    """Percent of a checklist ticked (half-up, 2 dp): of its numbered items when it has any, else
    of all items; None for no items.

    This is how 3.1 is scored: the share of the numbered systems in use ("๑." … "๘."). A
    numbered item's sub-items ("๘.๑ Microsoft Teams" … "๘.๔ Google Meet") are the alternatives
    by which it is met, and unnumbered lines (the order issued, the copy sent) are steps, so
    neither counts on its own.
    """
    top = [ok for label, ok in items if _TOP_ITEM_RE.match(thai.to_arabic_digits(label).strip())]
    pool = top or [ok for _, ok in items]
    if not pool:
        return None
    return thai.round_half_up(Decimal(sum(pool)) * 100 / len(pool), 2)


@dataclass
class _Titles(Context):
    """Context plus the KPI and project names that title lines above a table give."""

    kpi_name: str | None = None
    project: str | None = None
    project_open: bool = False

    def read(self, text: str) -> bool:
        """Take one title / section line; True if it said anything."""
        plain = thai.collapse_spaces(plain_text(text) or "")
        if not plain:
            return False
        said = False
        comp = component_of(plain)
        if comp:
            if comp != self.component:
                self.kpi_name = self.project = None
            self.component, said = comp, True
        digits = thai.to_arabic_digits(plain)  # same length: Thai digits are one code point each
        if m := _KPI_NAME_RE.match(digits):
            self.kpi_name, said = plain[m.start(1) :], True
        elif m := _PROJECT_RE.match(digits):
            self.project, self.project_open = plain[m.start(1) :], True
            return True
        elif self.project_open and plain.startswith("(") and plain.endswith(")"):
            self.project = f"{self.project} {plain}"  # the English name below the Thai one
            return True
        self.project_open = False
        title = "รายงาน" in plain or plain.startswith(("ประจำปีงบประมาณ", "ปีงบประมาณ"))
        return self.update(plain, title=title or len(plain) < 60) or said


def _titles(raw: RawTable, match: HeaderMatch) -> _Titles:
    """What the one-cell lines above the header say (nearest last), then the sheet name."""
    state = _Titles()
    first_col = min(match.colmap.values(), default=0)
    for cells in raw_cells(raw.frame.iloc[: match.header_rows[0]]):
        filled = [j for j, c in enumerate(cells) if c]
        if len(filled) == 1 and filled[0] <= first_col and not is_note_line(cells[filled[0]]):
            state.read(cells[filled[0]])
    state.project_open = False
    if state.period is None:
        state.period = period_from_text(raw.sheet)
    if state.fiscal_year is None:
        state.fiscal_year = thai.fiscal_year_from_text(raw.sheet)
    return state


def _table_rows(
    raw: RawTable,
    match: HeaderMatch,
    sheet: Sheet,
    issues: list[Issue],
    state: _Titles,
    text_keys: tuple[str, ...],
):
    """The data rows of a text-only KPI table as (Excel row, cells); everything else is info.

    Repeated headers are skipped; a signature / note line closes the table, and one-cell lines
    after it (or headings, or text outside the text columns) are read as titles, never as data.
    """
    text_cols = {match.colmap[k] for k in text_keys if k in match.colmap}
    closed = False
    first = raw.first_row + match.data_start
    for i, cells in enumerate(raw_cells(raw.frame.iloc[match.data_start :])):
        row = first + i
        filled = [j for j, c in enumerate(cells) if c]
        if not filled:
            continue
        if is_repeated_header(cells, match):
            issues.append(sheet.issue("info", "repeated_header", row))
            closed = False
            continue
        if len(filled) == 1:
            text = cells[filled[0]]
            plain = thai.collapse_spaces(plain_text(text) or "")
            if is_note_line(text):
                issues.append(sheet.issue("info", "note_row", row, value=plain[:80]))
                closed = True
                continue
            heading = bool(component_of(plain) or _HEADING_RE.match(plain))
            if closed or heading or filled[0] not in text_cols:
                said = state.read(text)
                code = "section_row" if said or heading else "note_row"
                issues.append(sheet.issue("info", code, row, value=plain[:80]))
                closed = closed or heading
                continue
        closed = False
        yield row, cells


def _cell_of(match: HeaderMatch):
    def cell(cells: list[str], key: str) -> str:
        j = match.colmap.get(key)
        return cells[j] if j is not None and j < len(cells) else ""

    return cell


def _joined_text(parts: list[str]) -> str | None:
    """The plain text of a cell continued over several rows (each part cleaned on its own)."""
    texts = [t for t in (plain_text(p) for p in parts) if t]
    return "\n".join(texts) if texts else None


def _label(match: HeaderMatch, key: str) -> str:
    """A column's header as shown, without its "*" and trailing "(…)" remark."""
    shown = match.header_text.get(match.colmap.get(key, -1), "") or key
    text = thai.collapse_spaces(shown.replace("*", ""))
    return re.sub(r"\s*\(.*\)\s*$", "", text) or text


def _kpis_frame(
    records: list[dict[str, object]], raw: RawTable, sheet: Sheet, issues: list[Issue]
) -> pd.DataFrame:
    _assign_codes(records)
    _context_issues(records, sheet, issues)
    df = pd.DataFrame.from_records(records, columns=[*_RECORD_KEYS])
    df = df.drop(columns=["_number"])
    df["source"], df["sheet"] = raw.source, raw.sheet
    return conform(df, "kpis")


def _normalize_innovation(raw: RawTable, match: HeaderMatch) -> tuple[pd.DataFrame, list[Issue]]:
    """The innovation table (component 2) → one KPI per unit and period, with its ``stage``.

    The printed form continues the same innovation over several pages (the header repeats and
    each column goes on in the next row), so the rows of one unit and period make one KPI; a
    typed unit column starts a new one per row. Detail: the innovation, the steps (the stage
    boxes as ☑ / ☐) and the detail, each under its header; obstacle and project as typed, the
    project also from the "ชื่อโครงการ …" title line.
    """
    sheet = Sheet(raw, match)
    issues: list[Issue] = []
    state = _titles(raw, match)
    cell = _cell_of(match)
    keys = ("innovation", "steps", "detail", "obstacle", "project")
    kpis: list[_Kpi] = []
    for row, cells in _table_rows(raw, match, sheet, issues, state, keys):
        here = (state.unit, state.fiscal_year, state.period)
        typed_unit = not thai.is_missing(cell(cells, "unit"))
        if (
            kpis
            and not typed_unit
            and (kpis[-1].unit, kpis[-1].fiscal_year, kpis[-1].period) == here
        ):
            issues.append(sheet.issue("info", "continuation_row", row))
            k = kpis[-1]
        else:
            k = _Kpi(row, cells, "2", *here)
            k.texts["kpi_name"] = [state.kpi_name or _label(match, "innovation")]
            k.texts["project_title"] = [state.project] if state.project else []
            kpis.append(k)
        for key in keys:
            if text := cell(cells, key):
                k.texts.setdefault(key, []).append(text)
    records = []
    for k in kpis:
        unit, fy, period = _row_context(k, sheet, issues, cell)
        steps = k.texts.get("steps", [])
        stage = stage_of(steps) or stage_of([c for key in keys for c in k.texts.get(key, [])])
        if stage is None:
            issues.append(sheet.issue("warning", "innovation_stage_missing", k.row, "steps"))
        sections = [
            f"{_label(match, key)}\n{text}"
            for key in ("innovation", "steps", "detail")
            if (text := _joined_text(k.texts.get(key, [])))
        ]
        project = [*k.texts["project_title"], *k.texts.get("project", [])]
        number, name = _leading_number(k.texts["kpi_name"][0])
        records.append(
            _text_record(k, unit, fy, period, thai.collapse_spaces(name), number)
            | {
                "detail": "\n\n".join(sections) or None,
                "project": _joined_text(project),
                "obstacle": _joined_text(k.texts.get("obstacle", [])),
                "stage": stage,
            }
        )
    return _kpis_frame(records, raw, sheet, issues), issues


def _text_record(
    k: _Kpi, unit: str | None, fy: int | None, period: str | None, name: str, number: int | None
) -> dict[str, object]:
    """A KPI record with no target / achieved yet (the caller fills what it knows)."""
    return {
        "unit": unit,
        "fiscal_year": fy,
        "period": period,
        "component": k.component,
        "kpi_code": None,
        "kpi": name or None,
        "measure": None,
        "target": None,
        "actual": None,
        "achievement_pct": None,
        **dict.fromkeys(TEXT_COLUMNS),
        "stage": None,
        "row": k.row,
        "_number": number,
    }


def _kpis_header_lacking(raw: RawTable, match: HeaderMatch) -> list[Issue] | None:
    """Missing-column errors when the header is a KPI table's (it has a target or an achieved
    column) that lacks a required one, rather than a text-only KPI table; else None."""
    from tracker.read.headers import detect
    from tracker.read.normalize import missing_column_issues

    full = detect(raw, kinds=("kpis",), start=match.header_rows[0], scan=1)
    if full is None or not full.missing or not {"target", "actual"} & set(full.colmap):
        return None
    return missing_column_issues(raw, full)


def _normalize_text(raw: RawTable, match: HeaderMatch) -> tuple[pd.DataFrame, list[Issue]]:
    """A KPI reported as text only ("ตัวชี้วัด | รายละเอียดผลการดำเนินงาน | ปัญหา/อุปสรรค").

    A row with a KPI name starts a KPI, a row without one continues the previous KPI's text
    (a page break). A checklist in the detail (HTML boxes become ☑ / ☐ lines) scores it:
    measure "percent", target 100 (the whole checklist) and actual ``checklist_percent``.
    """
    lacking = _kpis_header_lacking(raw, match)
    if lacking is not None:
        return empty_frame("kpis"), lacking
    sheet = Sheet(raw, match)
    issues: list[Issue] = []
    state = _titles(raw, match)
    cell = _cell_of(match)
    keys = TEXT_COLUMNS
    kpis: list[_Kpi] = []
    for row, cells in _table_rows(raw, match, sheet, issues, state, keys):
        name = thai.collapse_spaces(plain_text(cell(cells, "kpi")) or "")
        if not name and kpis:
            issues.append(sheet.issue("info", "continuation_row", row))
            k = kpis[-1]
        else:
            k = _Kpi(row, cells, state.component, state.unit, state.fiscal_year, state.period)
            k.texts["kpi_name"] = [name or state.kpi_name or _label(match, "kpi")]
            kpis.append(k)
        for key in keys:
            if text := cell(cells, key):
                k.texts.setdefault(key, []).append(text)
    records = []
    for k in kpis:
        unit, fy, period = _row_context(k, sheet, issues, cell)
        number, name = _leading_number(k.texts["kpi_name"][0])
        texts = {key: _joined_text(k.texts.get(key, [])) for key in TEXT_COLUMNS}
        record = _text_record(k, unit, fy, period, thai.collapse_spaces(name), number) | texts
        actual = checklist_percent(parse_checklist(texts["detail"]))
        if actual is not None:
            record |= {
                "measure": "percent",
                "target": float(CHECKLIST_TARGET),
                "actual": float(actual),
                "achievement_pct": _float(achievement(actual, CHECKLIST_TARGET)),
            }
        records.append(record)
    return _kpis_frame(records, raw, sheet, issues), issues


# --- metrics ----------------------------------------------------------------------------------
def light(actual: float | None, target: float | None) -> str | None:
    """ "green" (actual ≥ target), "amber" (≥ 60% of target), "red", or None if not scorable."""
    if actual is None or target is None or pd.isna(actual) or pd.isna(target):
        return None
    a, t = Decimal(repr(float(actual))), Decimal(repr(float(target)))
    if a >= t:
        return "green"
    if a >= t * AMBER_FROM:
        return "amber"
    return "red"


def _period_rank(period: pd.Series) -> pd.Series:
    return period.map({p: i for i, p in enumerate(PERIODS, start=1)}).fillna(0)


def latest_period(kpis: pd.DataFrame) -> pd.DataFrame:
    """Only each unit and fiscal year's latest reported period (Q4 beats Q2)."""
    if kpis.empty:
        return kpis
    rank = _period_rank(kpis["period"])
    keys = [kpis["unit"].fillna(""), kpis["fiscal_year"].fillna(-1)]
    best = rank.groupby(keys).transform("max")
    return kpis[rank == best]


def scorecard(
    kpis: pd.DataFrame,
    unit: str | None = None,
    fiscal_year: int | None = None,
    period: str | None = None,
) -> pd.DataFrame:
    """KPIs of a unit / fiscal year / period with a traffic light (``light``, see AMBER_FROM).

    Without ``period``, each unit and fiscal year's latest period is shown.
    """
    df = kpis
    if unit is not None:
        df = df[df["unit"] == unit]
    if fiscal_year is not None:
        df = df[df["fiscal_year"] == fiscal_year]
    df = df[df["period"] == period] if period is not None else latest_period(df)
    cols = [c for c in KPI_COLUMNS if c not in ("source", "sheet", "row")]
    out = df[cols].reset_index(drop=True).copy()
    lights = [light(a, t) for a, t in zip(out["actual"], out["target"], strict=True)]
    out["light"] = pd.Series(lights, index=out.index, dtype=object)
    return out


def levels_over_periods(kpis: pd.DataFrame, unit: str, fiscal_year: int) -> pd.DataFrame:
    """A unit's KPIs (rows) × Q1..Q4 (columns): the achieved value in each period, NaN if none."""
    df = kpis[(kpis["unit"] == unit) & (kpis["fiscal_year"] == fiscal_year)]
    index_cols = ["component", "kpi_code", "kpi", "measure", "target"]
    if df.empty:
        return pd.DataFrame(columns=[*index_cols, *PERIODS])
    order = df.drop_duplicates("kpi_code")[["kpi_code"]].reset_index(drop=True)
    first = df.sort_values("period", key=_period_rank).drop_duplicates("kpi_code", keep="last")
    wide = df.pivot_table(index="kpi_code", columns="period", values="actual", aggfunc="last")
    wide = wide.reindex(columns=list(PERIODS))
    out = order.merge(first[index_cols], on="kpi_code").merge(
        wide.reset_index(), on="kpi_code", how="left"
    )
    out.columns.name = None
    return out[[*index_cols, *PERIODS]]


def summary(kpis: pd.DataFrame) -> dict[str, int]:
    """Counts of KPIs on / below target (latest period of each unit and fiscal year)."""
    card = scorecard(kpis)
    lights = card["light"]
    scored = lights.notna()
    return {
        "total": len(card),
        "on_target": int((lights == "green").sum()),
        "below_target": int((scored & (lights != "green")).sum()),
        "no_result": int((~scored).sum()),
        "green": int((lights == "green").sum()),
        "amber": int((lights == "amber").sum()),
        "red": int((lights == "red").sum()),
    }


def _num(v: Any) -> float | None:
    if v is None or pd.isna(v):
        return None
    return float(thai.round_half_up(Decimal(repr(float(v))), 2))


def to_json_rows(kpis: pd.DataFrame) -> list[dict[str, object]]:
    """Rows for ``summary --json``: unit, fiscal_year, period, component, kpi, measure, target,
    actual, achievement_pct (numbers with 2 dp, null when missing).

    Only where the KPI has them: "stage" (the innovation stage, e.g. "developing") and
    "checklist" (the ticked / unticked items of its detail: [{"item", "ticked"}], e.g. 3.1's
    systems), so rows without them keep exactly the keys above.
    """
    out: list[dict[str, object]] = []
    for r in kpis.itertuples(index=False):
        row: dict[str, object] = {
            "unit": r.unit,
            "fiscal_year": None if pd.isna(r.fiscal_year) else int(r.fiscal_year),
            "period": r.period,
            "component": r.component,
            "kpi": r.kpi,
            "measure": r.measure,
            "target": _num(r.target),
            "actual": _num(r.actual),
            "achievement_pct": _num(r.achievement_pct),
        }
        stage = getattr(r, "stage", None)
        if isinstance(stage, str) and stage:
            row["stage"] = stage
        detail = getattr(r, "detail", None)
        items = parse_checklist(detail) if isinstance(detail, str) else []
        if items:
            row["checklist"] = [{"item": label, "ticked": ok} for label, ok in items]
        out.append(row)
    return out


__all__ = [
    "AMBER_FROM",
    "CHECKLIST_TARGET",
    "MEASURES",
    "PERIODS",
    "STAGES",
    "STAGE_EN",
    "STAGE_TH",
    "achievement",
    "checklist_percent",
    "component_of",
    "is_note_line",
    "latest_period",
    "levels_over_periods",
    "light",
    "normalize",
    "parse_checklist",
    "period_from_text",
    "plain_text",
    "scorecard",
    "stage_of",
    "summary",
    "to_json_rows",
    "unit_from_text",
]
