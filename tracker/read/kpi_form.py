"""KPI scorecard (docs/domain.md §2): read the report's KPI table as printed and check it (the
figures: ``tracker.metrics.kpi_scores``).

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
from tracker.dataset import conform_columns, empty_frame
from tracker.read.form_text import (
    Context,
    Titles,
    component_of,
    is_note_line,
    is_repeated_header,
    period_from_text,
    raw_cells,
    title_text,
)
from tracker.read.headers import HeaderMatch
from tracker.read.kpi_cells import (
    CHECKLIST_TARGET,
    achievement,
    checklist_percent,
    guess_measure,
    leading_number,
    measure_word,
    parse_checklist,
    plain_text,
    scale_max,
    stage_of,
    value_of,
)
from tracker.schema import KPI_TEXT_COLUMNS

COMPONENT_TH = {
    "1": "องค์ประกอบที่ 1 Performance Base",
    "1.1": "1.1 Function Base",
    "1.2": "1.2 Joint KPIs",
    "1.3": "1.3 Agenda Base",
    "2": "องค์ประกอบที่ 2 Innovation Base",
    "3.1": "3.1 การเปลี่ยนผ่านดิจิทัล",
    "3.2": "3.2 การเบิกจ่ายงบประมาณ",
}


class Sheet:
    """Issue factory for one sheet: Excel rows, and columns shown as "header (letter)"."""

    def __init__(self, raw: RawTable, match: HeaderMatch):
        self.raw = raw
        self.match = match

    def issue(
        self,
        severity: str,
        code: str,
        row: int | None = None,
        key: str | None = None,
        value: object = "",
        **params: object,
    ) -> Issue:
        where: dict[str, str] = self.match.column_of(key, self.raw) if key else {}
        return make_issue(
            severity,
            code,
            file=self.raw.source,
            sheet=self.raw.sheet,
            row=row,
            column_key=where.get("column_key", ""),
            header=where.get("header", ""),
            letter=where.get("letter", ""),
            value=value,
            **params,
        )


@dataclass
class _Kpi:
    row: int
    cells: list[str]
    component: str | None
    unit: str | None
    fiscal_year: int | None
    period: str | None
    texts: dict[str, list[str]] = field(default_factory=dict)


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

    text_cols = {colmap[k]: k for k in KPI_TEXT_COLUMNS if k in colmap}
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
                issues.append(sheet.issue("info", "section_row", row, value=thai.shorten(text)))
                continue
            title = "แบบรายงาน" in text or "รายงานผล" in text
            if ctx.update(text, title=title) or filled[0] not in text_cols or not kpis:
                issues.append(sheet.issue("info", "section_row", row, value=thai.shorten(text)))
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
    return _kpis_frame(records, raw, sheet, issues), issues


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
    *KPI_TEXT_COLUMNS,
    "stage",
    "row",
    "_number",
)
_FRAME_KEYS = [k for k in _RECORD_KEYS if k != "_number"]


def _record(k: _Kpi, sheet: Sheet, issues: list[Issue], cell) -> dict[str, object]:
    """One KPI row → canonical values, with its validation issues."""
    row = k.row
    unit, fy, period = _row_context(k, sheet, issues, cell)
    number, name = leading_number(plain_text(cell(k.cells, "kpi")) or "")
    stage = stage_of(k.cells) if k.component == "2" else None
    t_raw, a_raw = cell(k.cells, "target"), cell(k.cells, "actual")
    measure: str | None = None
    target = actual = None
    if thai.is_missing(t_raw):
        if stage is None:
            issues.append(sheet.issue("error", "missing_value", row, "target"))
    else:
        measure = guess_measure(t_raw, k.component)
        target = _checked_value(t_raw, measure, "target", row, sheet, issues)
    if not thai.is_missing(a_raw):
        a_measure = measure_word(a_raw) or measure or guess_measure(a_raw, k.component)
        if measure and a_measure != measure:
            issues.append(
                sheet.issue("warning", "kpi_measure_mismatch", row, "actual", a_raw, expected=t_raw)
            )
        else:
            measure = measure or a_measure
            actual = _checked_value(a_raw, a_measure, "actual", row, sheet, issues)
    texts = {key: plain_text("\n".join(k.texts.get(key, []))) for key in KPI_TEXT_COLUMNS}
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
        value = value_of(text, measure)
    except ValueError:
        code = "invalid_level" if measure == "level" else "invalid_percent"
        issues.append(sheet.issue("error", code, row, key, text))
        return None
    if value is not None and value > scale_max(measure):
        issues.append(
            sheet.issue("error", "kpi_above_scale", row, key, text, max=str(scale_max(measure)))
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
# A line that opens something new rather than continuing a cell of the table.
_HEADING_RE = re.compile(
    r"^(?:แบบรายงาน|รายงานผล|(?:หน่วยงาน|หน่วยรับตรวจ|ส่วนราชการ)\s*[:：]|ประจำปีงบประมาณ|ตัวชี้วัด"
    r"|ชื่อโครงการ|องค์ประกอบ)"
)


def _titles(raw: RawTable, match: HeaderMatch) -> Titles:
    """What the one-cell lines above the header say (nearest last), then the sheet name."""
    state = Titles()
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
    state: Titles,
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
                issues.append(sheet.issue("info", "note_row", row, value=thai.shorten(plain)))
                closed = True
                continue
            heading = bool(component_of(plain) or _HEADING_RE.match(plain))
            if closed or heading or filled[0] not in text_cols:
                said = state.read(text)
                code = "section_row" if said or heading else "note_row"
                issues.append(sheet.issue("info", code, row, value=thai.shorten(plain)))
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
    """The canonical ``kpis`` frame of a sheet's records (codes assigned, context checked)."""
    _assign_codes(records)
    _context_issues(records, sheet, issues)
    # the records' columns but ``_number``, typed as pandas reads records, then conformed
    # with the sheet's source and name (no frame edited in between: issue 20)
    df = pd.DataFrame.from_records(records, columns=_FRAME_KEYS)
    columns: dict[str, object] = {c: df[c] for c in _FRAME_KEYS}
    columns |= {"source": raw.source, "sheet": raw.sheet}
    return conform_columns(columns, "kpis", len(df))


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
        number, name = leading_number(k.texts["kpi_name"][0])
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
        **dict.fromkeys(KPI_TEXT_COLUMNS),
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
    keys = KPI_TEXT_COLUMNS
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
        number, name = leading_number(k.texts["kpi_name"][0])
        texts = {key: _joined_text(k.texts.get(key, [])) for key in KPI_TEXT_COLUMNS}
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


__all__ = ["COMPONENT_TH", "Sheet", "normalize"]
