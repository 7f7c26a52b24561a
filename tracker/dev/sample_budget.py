"""Budget disbursement sheets: one per as-of date, every unit typing its amounts its own way.

A two-row header carrying the as-of date ("ข้อมูล ณ วันที่ ๓๑ มีนาคม พ.ศ. ๒๕๖๗"), a section
row, amounts in Thai digits with ".-", as numeric cells or as Arabic text, rates with or
without "%". กองงานผู้ตรวจราชการ's figures are the seed's (golden); the other units' are drawn
from the seed. ``_write_budget_sheets`` returns the budget records it wrote, for the summary.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import xlsxwriter

from tracker.dev.sample_common import (
    MONTHS_FULL_TH,
    MONTHS_SHORT_TH,
    _be,
    _date_full_th,
    _Formats,
    th_digits,
)

BUDGET_UNIT_HEADER = "หน่วยงาน"
BUDGET_TYPE_HEADER = "ประเภทงบประมาณ"
BUDGET_ALLOCATED_HEADER = "งบประมาณหลังปรับโอน"
BUDGET_DISBURSED_HEADER = "ผลการเบิกจ่าย"
BUDGET_RATE_HEADER = "ร้อยละการเบิกจ่าย"
BUDGET_OBSTACLE_HEADER = "ปัญหา/อุปสรรคในการดำเนินงาน"


# --- budget ----------------------------------------------------------------------------------------
BUDGET_FISCAL_YEAR = 2567
BUDGET_AS_OF: tuple[date, ...] = (
    date(2023, 12, 31),
    date(2024, 3, 31),
    date(2024, 6, 30),
    date(2024, 9, 30),
)
BUDGET_UNITS: tuple[str, ...] = (
    "กองงานผู้ตรวจราชการ",
    "สำนักการระบายน้ำ",
    "สำนักงานเขตบางนา",
    "สำนักงานเขตพระนคร",
    "สำนักการโยธา",
    "สำนักงานเขตดอนเมือง",
)
_BUDGET_ROWS: tuple[tuple[str | None, str], ...] = (
    ("carryover", "งบประมาณกันเงินไว้เบิกเหลื่อมปี แบบไม่มีหนี้ผูกพัน (ไม่รวมงบบุคลากร)"),
    (None, "งบประมาณประจำปี"),
    ("operating", "- งบดำเนินงาน"),
    ("investment", "- งบลงทุน"),
    ("subsidy", "- งบเงินอุดหนุน"),
    ("other", "- งบรายจ่ายอื่น"),
    ("central", "งบกลาง (ไม่รวมงบบุคลากร)"),
    ("total", "รวมทั้งสิ้น"),
)
_D = Decimal
# Golden figures of the seed (กองงานผู้ตรวจราชการ, as of 31 March 2567) and the other dates.
_OIG_ALLOCATED = {
    "operating": _D("12203500.00"),
    "other": _D("1041200.00"),
    "central": _D("258369.00"),
}
_OIG_DISBURSED = {
    date(2023, 12, 31): {"operating": _D("1826450.00"), "other": _D("98400.00"), "central": _D("0.00")},
    date(2024, 3, 31): {"operating": _D("4094769.47"), "other": _D("266500.00"), "central": _D("0.00")},
    date(2024, 6, 30): {"operating": _D("7615220.35"), "other": _D("612300.00"), "central": _D("86500.00")},
    date(2024, 9, 30): {"operating": _D("11742318.90"), "other": _D("1003950.00"), "central": _D("241870.00")},
}  # fmt: skip
# How each unit types its amounts: thai ("๑๒,๒๐๓,๕๐๐.-"), number (numeric cells),
# arabic ("1,234,567.00" and "45.12%"), arabic_dash ("1,234,567.-" and "45.12").
_BUDGET_STYLE = {
    "กองงานผู้ตรวจราชการ": "thai",
    "สำนักการระบายน้ำ": "number",
    "สำนักงานเขตบางนา": "arabic",
    "สำนักงานเขตพระนคร": "thai",
    "สำนักการโยธา": "number",
    "สำนักงานเขตดอนเมือง": "arabic_dash",
}
_BUDGET_FRACTION = {  # cumulative disbursed share by as-of date: (low, high)
    "carryover": ((0.25, 0.45), (0.50, 0.70), (0.70, 0.85), (0.88, 0.99)),
    "operating": ((0.12, 0.25), (0.30, 0.48), (0.52, 0.72), (0.85, 0.98)),
    "investment": ((0.00, 0.08), (0.05, 0.25), (0.25, 0.55), (0.60, 0.90)),
    "subsidy": ((0.20, 0.30), (0.45, 0.55), (0.70, 0.80), (0.95, 1.00)),
    "other": ((0.05, 0.20), (0.20, 0.40), (0.45, 0.65), (0.80, 0.97)),
    "central": ((0.00, 0.10), (0.05, 0.30), (0.30, 0.60), (0.70, 0.95)),
}


def budget_as_of_label(d: date) -> str:
    """'ข้อมูล ณ วันที่ ๓๑ มีนาคม พ.ศ. ๒๕๖๗' (the as-of header of the two-row budget header)."""
    return th_digits(f"ข้อมูล ณ วันที่ {d.day} {MONTHS_FULL_TH[d.month - 1]} พ.ศ. {_be(d)}")


def budget_sheet_name(d: date) -> str:
    """'เบิกจ่ายงบประมาณ ณ 31 มี.ค. 67'."""
    return f"เบิกจ่ายงบประมาณ ณ {d.day} {MONTHS_SHORT_TH[d.month - 1]} {_be(d) % 100:02d}"


def _budget_plan(rng: random.Random) -> dict[str, dict[str, Any]]:
    """Allocated per type and cumulative disbursed per as-of date, per unit (None = '-')."""
    plan: dict[str, dict[str, Any]] = {}
    for unit in BUDGET_UNITS:
        if unit == "กองงานผู้ตรวจราชการ":
            alloc: dict[str, Decimal | None] = {
                "carryover": None,
                "operating": _OIG_ALLOCATED["operating"],
                "investment": None,
                "subsidy": None,
                "other": _OIG_ALLOCATED["other"],
                "central": _OIG_ALLOCATED["central"],
            }
            disb = {d: {**_OIG_DISBURSED[d]} for d in BUDGET_AS_OF}
        else:
            big = unit.startswith("สำนักการ")

            def amount(lo: int, hi: int) -> Decimal:
                return _D(rng.randint(lo, hi) * 100)

            alloc = {
                "carryover": amount(10_000, 200_000) if rng.random() < 0.6 else None,
                "operating": amount(300_000, 6_000_000 if big else 900_000),
                "investment": amount(500_000, 20_000_000 if big else 3_000_000)
                if rng.random() < 0.75
                else None,
                "subsidy": amount(5_000, 80_000) if rng.random() < 0.3 else None,
                "other": amount(2_000, 30_000),
                "central": amount(1_000, 10_000) if rng.random() < 0.7 else None,
            }
            disb = {d: {} for d in BUDGET_AS_OF}
            for t, a in alloc.items():
                if a is None:
                    continue
                prev = _D("0.00")
                for i, d in enumerate(BUDGET_AS_OF):
                    lo, hi = _BUDGET_FRACTION[t][i]
                    share = _D(str(round(rng.uniform(lo, hi), 4)))
                    value = (a * share).quantize(_D("0.01"))
                    value = min(max(value, prev), a)
                    disb[d][t] = value
                    prev = value
        plan[unit] = {"allocated": alloc, "disbursed": disb}
    return plan


def _fmt_amount(style: str, value: Decimal) -> str | float:
    if style == "number":
        return float(value)
    whole = value == value.to_integral_value()
    dash = style in ("thai", "arabic_dash") and whole
    s = f"{int(value):,}.-" if dash else f"{value:,.2f}"
    return th_digits(s) if style == "thai" else s


def _fmt_rate(style: str, rate: Decimal, *, total: bool) -> str | float:
    if style == "number":
        return float(rate)
    s = f"{rate:.2f}"
    if style == "thai":
        return th_digits(s if total else s + "%")
    if style == "arabic":
        return s + "%"
    return s


def _rate(disbursed: Decimal, allocated: Decimal) -> Decimal:
    """Disbursement rate in percent, half-up to 2 decimals."""
    if allocated == 0:
        return Decimal("0.00")
    return (disbursed * 100 / allocated).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _write_budget_sheets(
    wb: xlsxwriter.Workbook, fm: _Formats, rng: random.Random
) -> list[dict[str, Any]]:
    """One sheet per as-of date with a หน่วยงาน column; returns the rows (for the summary)."""
    written: list[dict[str, Any]] = []
    plan = _budget_plan(rng)
    for as_of in BUDGET_AS_OF:
        ws = wb.add_worksheet(budget_sheet_name(as_of))
        for c, w in enumerate((28, 48, 20, 20, 14, 30)):
            ws.set_column(c, c, w)
        ws.merge_range(
            0, 0, 0, 5, "ตัวชี้วัดที่ ๓.๒ ความสำเร็จของการเบิกจ่ายงบประมาณในภาพรวม", fm.left_title
        )
        ws.merge_range(
            1, 0, 1, 5, f"ประจำปีงบประมาณ พ.ศ. {th_digits(BUDGET_FISCAL_YEAR)}", fm.left_title
        )
        r = 3
        # Row r: vertical merges (constant_memory: write row r's cells before touching row r+1).
        vertical = {
            0: BUDGET_UNIT_HEADER,
            1: BUDGET_TYPE_HEADER,
            2: BUDGET_ALLOCATED_HEADER,
            5: BUDGET_OBSTACLE_HEADER,
        }
        for c, text in vertical.items():
            ws.merge_range(r, c, r + 1, c, text)  # no format: pads no blank cell in row r+1
            ws.write_string(r, c, text, fm.header)
        ws.merge_range(r, 3, r, 4, budget_as_of_label(as_of), fm.header)
        ws.write_string(r + 1, 3, BUDGET_DISBURSED_HEADER, fm.header)
        ws.write_string(r + 1, 4, BUDGET_RATE_HEADER, fm.header)
        for c in vertical:
            ws.write_blank(r + 1, c, None, fm.header)
        r += 2
        for unit in BUDGET_UNITS:
            style = _BUDGET_STYLE[unit]
            alloc = plan[unit]["allocated"]
            disb = plan[unit]["disbursed"][as_of]
            applicable = [t for t, a in alloc.items() if a is not None]
            tot_a = sum((alloc[t] for t in applicable), _D("0.00"))
            tot_d = sum((disb[t] for t in applicable), _D("0.00"))
            for key, label in _BUDGET_ROWS:
                if key is None:
                    ws.write_string(r, 1, label, fm.section)
                    r += 1
                    continue
                if key == "total":
                    a, d = tot_a, tot_d
                else:
                    a = alloc[key]
                    d = disb.get(key) if a is not None else None
                ws.write_string(r, 0, unit, fm.cell)
                ws.write_string(r, 1, label, fm.cell)
                if a is None or d is None:
                    for c in (2, 3, 4):
                        ws.write_string(r, c, "-", fm.cell)
                    rate = None
                else:
                    rate = _rate(d, a)
                    is_total = key == "total"
                    cells = (
                        _fmt_amount(style, a),
                        _fmt_amount(style, d),
                        _fmt_rate(style, rate, total=is_total),
                    )
                    if unit == "กองงานผู้ตรวจราชการ" and key == "central" and d == 0:
                        cells = (cells[0], "๐", "๐")  # as the seed types it
                    for c, v in zip((2, 3, 4), cells, strict=True):
                        if isinstance(v, float):
                            ws.write_number(r, c, v, fm.amount if c < 4 else fm.rate)
                        else:
                            ws.write_string(r, c, v, fm.cell)
                if key == "investment" and a is not None and rng.random() < 0.5:
                    ws.write_string(r, 5, "อยู่ระหว่างดำเนินการจัดซื้อจัดจ้าง", fm.cell)
                r += 1
                written.append(
                    {
                        "unit": unit,
                        "fiscal_year": BUDGET_FISCAL_YEAR,
                        "as_of": as_of.isoformat(),
                        "budget_type": key,
                        "allocated": None if a is None else float(a),
                        "disbursed": None if d is None or a is None else float(d),
                        "rate_pct": None if rate is None else float(rate),
                    }
                )
        r += 1
        ws.write_string(r, 0, "หมายเหตุ")
        ws.write_string(
            r + 1,
            0,
            "๑. ไม่รวมงบประมาณรายจ่ายประจำปี ประเภทงบบุคลากร "
            f"๒. รายงานความสำเร็จของการเบิกจ่ายงบประมาณ ณ {th_digits(_date_full_th(as_of))}",
        )
    return written
