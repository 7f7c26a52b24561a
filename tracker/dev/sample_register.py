"""The directive register sheet: title rows, headers and every directive typed as people type it.

Dates are typed four ways (date cells, "๒๓ พ.ย. ๖๖", "23/11/2566", "15 มกราคม 2567"), fiscal
years now and then in Thai digits, unit names with stray spaces, impact factors as labels,
keywords or codes. ``_register_rows`` gives the cell values; ``_write_register`` writes the
sheet's frame, and ``tracker.dev.sample`` splices the rows in.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import xlsxwriter

from tracker.dev.sample_common import (
    AS_OF,
    _between,
    _cum,
    _date_full_th,
    _date_numeric_be,
    _date_short_th,
    _Formats,
    _weighted,
    th_digits,
)
from tracker.dev.sample_directives import DISTRICT_NAMES, UNITS, _detail, _Directive
from tracker.schema import DEFAULT_GROUPS_TH, FACTOR_SHORT_TH, FACTOR_TH, FACTORS, STATUS_TH

REGISTER_SHEET = "ทะเบียนข้อสั่งการ"
REGISTER_TITLE = "ทะเบียนข้อสั่งการและข้อเสนอแนะของผู้ตรวจราชการกรุงเทพมหานคร"
REGISTER_SUBTITLE = "ปีงบประมาณ พ.ศ. ๒๕๖๖ - ๒๕๖๗"
REGISTER_HEADERS: tuple[str, ...] = (
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
)
REGISTER_HEADER_ROW = 2  # 0-based: two title rows above


_CUM_DATE_STYLE = _cum((0.5, 0.2, 0.15, 0.15))


# --- cell typing ---------------------------------------------------------------------------------
def _agency_as_typed(rng: random.Random, unit: int) -> str:
    """The unit's name, now and then with the stray spaces people type."""
    name = UNITS[unit]
    if rng.random() < 0.04:
        if unit < len(DISTRICT_NAMES):
            return f"สำนักงานเขต  {DISTRICT_NAMES[unit]} "
        return f" {name}  "
    return name


def _factors_cell(rng: random.Random, factors: tuple[int, ...]) -> str:
    """A Google-Forms style checkbox cell: full labels, short keywords or codes joined by ', '."""
    if not factors:
        return ""
    style = rng.random()
    keys = [FACTORS[f] for f in factors]
    if style < 0.5:
        return ", ".join(FACTOR_TH[k] for k in keys)
    if style < 0.8:
        return ", ".join(FACTOR_SHORT_TH[k] for k in keys)
    return ", ".join(f"2.{f + 1}" for f in factors)


def _status_cell(rng: random.Random, status: str) -> str:
    if status == "in_progress" and rng.random() < 0.3:
        return "อยู่ระหว่างดำเนินการ"
    if status == "not_reported":
        return "ยังไม่รายงานผล" if rng.random() < 0.1 else ""
    return STATUS_TH[status]


def _date_as_typed(style: int, d: date) -> date | str:
    if style == 0:
        return d
    if style == 1:
        return _date_short_th(d)
    if style == 2:
        return _date_numeric_be(d)
    return _date_full_th(d)


def _register_rows(
    rng: random.Random, items: list[_Directive], *, text_dates: bool = False
) -> list[list[Any]]:
    """Register rows as typed cell values (date objects become Excel date cells)."""
    rows: list[list[Any]] = []
    for d in items:
        style = _weighted(rng, (0, 1, 2, 3), _CUM_DATE_STYLE)
        if text_dates and style == 0:
            style = 2
        fy: int | str = d.fiscal_year if rng.random() >= 0.1 else th_digits(d.fiscal_year)
        if d.via_forms:
            status_cell, detail, obstacle = "", "", ""
        else:
            status_cell = _status_cell(rng, d.status)
            if d.status == "not_reported":
                detail, obstacle = "", ""
            else:
                when = min(d.issued + timedelta(days=_between(rng, 10, 120)), AS_OF)
                detail, obstacle = _detail(rng, d.status, when)
        rows.append(
            [
                d.directive_id,
                fy,
                d.round,
                d.issued_by,
                _date_as_typed(style, d.issued),
                _date_as_typed(style, d.due),
                _agency_as_typed(rng, d.unit),
                d.text,
                DEFAULT_GROUPS_TH[d.group],
                _factors_cell(rng, d.factors),
                status_cell,
                detail,
                obstacle,
            ]
        )
    return rows


def _write_register(wb: xlsxwriter.Workbook, fm: _Formats, n_rows: int) -> None:
    """Title rows, header, widths, panes and filter; data rows are spliced in later (fast)."""
    ws = wb.add_worksheet(REGISTER_SHEET)
    last_col = len(REGISTER_HEADERS) - 1
    widths = (12, 10, 7, 24, 14, 14, 26, 60, 30, 40, 22, 50, 30)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w, fm.date if c in (4, 5) else None)
    ws.merge_range(0, 0, 0, last_col, REGISTER_TITLE, fm.title)
    ws.merge_range(1, 0, 1, last_col, REGISTER_SUBTITLE, fm.title)
    for c, h in enumerate(REGISTER_HEADERS):
        ws.write_string(REGISTER_HEADER_ROW, c, h, fm.header)
    ws.freeze_panes(REGISTER_HEADER_ROW + 1, 1)
    ws.autofilter(REGISTER_HEADER_ROW, 0, REGISTER_HEADER_ROW + max(n_rows, 1), last_col)
