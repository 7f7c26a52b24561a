"""Budget disbursement (docs/domain.md §3): read the report's table as printed and check it (the
sums: ``tracker.metrics.budget_sums``).

Read from the raw rows below the header, top to bottom:

- a row labelled with a budget type ("- งบดำเนินงาน", "งบกลาง (ไม่รวมงบบุคลากร)", "Operating")
  is one row of the canonical frame; "-" in both amount cells means *not applicable*: the row is
  kept with null amounts and a null rate (shown as "-", left out of sums and rates);
- "งบประมาณประจำปี" is a section row, or a subtotal when it has amounts (checked against the
  "- …" rows under it, not kept); "งบประมาณกันเงินไว้เบิกเหลื่อมปี" is the carry-over row when it
  has amounts, else a section whose "- …" rows add up to one carry-over row;
- the total row (รวม / รวมทั้งสิ้น) is checked against the sum of the types and not kept;
- personnel budget (งบบุคลากร) is excluded (info); an unknown label with amounts is a warning.

Rates are always recomputed from the two amounts, half-up to 2 dp (``thai.rate_pct``); a typed
rate is only compared. The as-of date comes from the group label of a two-row header
("ข้อมูล ณ วันที่ ๓๑ มีนาคม พ.ศ. ๒๕๖๗"), an as-of column, or a title row; the fiscal year from a
column or title, else from the as-of date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pandas as pd

from data_sources.base import RawTable
from tracker import thai
from tracker.checks.validate import Issue
from tracker.dataset import conform_columns
from tracker.read.form_text import is_repeated_header, raw_cells, title_text, unit_from_text
from tracker.read.headers import HeaderMatch
from tracker.read.kpi_form import Sheet
from tracker.schema import BUDGET_TYPE_EN, BUDGET_TYPE_TH, BUDGET_TYPES, header_key

TOLERANCE = Decimal("0.01")  # baht for totals, percentage points for rates
CENT = Decimal("0.01")

# --- labels -----------------------------------------------------------------------------------
_TOTAL_EXACT = {"รวม", "รวมทั้งสิ้น", "รวมทั้งหมด", "ยอดรวม", "total", "grandtotal", "รวมเงิน", "sum"}
_CONTAINS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("carryover", ("กันเงิน", "เหลื่อมปี", "เหลือมปี", "carryover", "carry-over", "carriedover")),
)
_PREFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("annual", ("งบประมาณประจำปี", "งบประมาณรายจ่ายประจำปี", "annualbudget")),
    ("personnel", ("งบบุคลากร", "บุคลากร", "personnel")),
    ("operating", ("งบดำเนินงาน", "ดำเนินงาน", "operating", "operation")),
    ("investment", ("งบลงทุน", "ลงทุน", "investment", "capital")),
    ("subsidy", ("งบเงินอุดหนุน", "เงินอุดหนุน", "อุดหนุน", "subsid", "grant")),
    ("other", ("งบรายจ่ายอื่น", "รายจ่ายอื่น", "otherexpenditure", "other")),
    ("central", ("งบกลาง", "central")),
)
_BULLET_RE = re.compile(r"^\s*(?:[-–—•·*]+|\(?[0-9๐-๙]{1,2}[.)])\s*")


def classify_label(label: str) -> tuple[str | None, bool]:
    """(kind, dashed) of a row label: a budget type, "total", "annual", "personnel" or None.

    ``dashed`` is True for a "- งบดำเนินงาน" style sub-row. Parenthesised remarks such as
    "(ไม่รวมงบบุคลากร)" are ignored.
    """
    text = thai.collapse_spaces(label)
    dashed = bool(re.match(r"^[-–—•·*]", text))
    text = _BULLET_RE.sub("", text)
    key = header_key(re.sub(r"\(.*?\)|\(.*$", "", text))
    if not key:
        return None, dashed
    if key in _TOTAL_EXACT or key.startswith("รวมทั้ง"):
        return "total", dashed
    for kind in BUDGET_TYPES:
        if key in (header_key(BUDGET_TYPE_TH[kind]), header_key(BUDGET_TYPE_EN[kind]), kind):
            return kind, dashed
    for kind, words in _CONTAINS:
        if any(w in key for w in words):
            return kind, dashed
    for kind, words in _PREFIXES:
        if key.startswith(words):
            return kind, dashed
    return None, dashed


# --- reading ----------------------------------------------------------------------------------
def _as_of_in(text: str) -> date | None:
    """The date of an "as of" label ("ข้อมูล ณ วันที่ …", "ณ วันที่ …", "as of …")."""
    t = thai.collapse_spaces(text)
    if "ณ" not in t and "as of" not in t.lower() and "วันที่" not in t:
        return None
    return thai.find_date_in_text(t)


def _amount(text: str) -> Decimal | None:
    """An amount cell: None for blank or "-" (not applicable); ValueError if unreadable."""
    d = thai.parse_decimal(text)
    return None if d is None else d.quantize(CENT)


@dataclass
class _Row:
    """One kept row, before it becomes a record."""

    row: int
    budget_type: str
    unit: str | None
    fiscal_year: int | None
    as_of: date | None
    allocated: Decimal | None = None
    disbursed: Decimal | None = None
    parts: int = 0  # rows added together (carry-over section)


@dataclass
class _Block:
    """Rows since the previous total row (one unit and as-of date in a printed table)."""

    rows: list[_Row] = field(default_factory=list)
    personnel: list[tuple[Decimal | None, Decimal | None]] = field(default_factory=list)


def normalize(
    raw: RawTable, match: HeaderMatch, default_unit: str | None = None
) -> tuple[pd.DataFrame, list[Issue]]:
    """The budget table of a sheet → canonical ``budget`` frame (BUDGET_COLUMNS) and Issues."""
    sheet = Sheet(raw, match)
    issues: list[Issue] = []
    colmap = match.colmap
    unit = fy = as_of = None
    for text in title_text(raw, match):
        unit = unit_from_text(text) or unit
        fy = thai.fiscal_year_from_text(text) or fy
        as_of = _as_of_in(text) or as_of
    for text in (*match.group_text.values(), *match.header_text.values()):
        found = thai.find_date_in_text(text)
        if found:
            as_of = found
            break
    fy = fy or thai.fiscal_year_from_text(raw.sheet)
    unit = unit or default_unit

    def cell(cells: list[str], key: str) -> str:
        j = colmap.get(key)
        return cells[j] if j is not None and j < len(cells) else ""

    kept: list[_Row] = []
    block = _Block()
    section: str | None = None
    subtotal: tuple[int, str, Decimal | None, Decimal | None, list[_Row]] | None = None
    outside: set[tuple[int, date]] = set()

    def close_subtotal() -> None:
        nonlocal subtotal
        if subtotal is not None:
            row, label, alloc, disb, children = subtotal
            if children:
                _check_sum(sheet, issues, "subtotal_mismatch", row, alloc, disb, children, [])
            else:  # amounts of no single type: not counted
                issues.append(
                    sheet.issue("warning", "unknown_budget_type", row, "budget_type", label)
                )
            subtotal = None

    data = raw_cells(raw.frame.iloc[match.data_start :])
    first = raw.first_row + match.data_start
    for i, cells in enumerate(data):
        row = first + i
        filled = [j for j, c in enumerate(cells) if c]
        if not filled:
            continue
        if is_repeated_header(cells, match):
            issues.append(sheet.issue("info", "repeated_header", row))
            for c in cells:
                as_of = _as_of_in(c) or as_of
            continue
        label = cell(cells, "budget_type")
        a_raw, d_raw, r_raw = (cell(cells, k) for k in ("allocated", "disbursed", "rate_pct"))
        has_amounts = bool(a_raw or d_raw or r_raw)
        if not label and not has_amounts:
            label = cells[filled[0]]
        kind, dashed = classify_label(label)
        if not dashed:
            close_subtotal()
            if kind not in ("carryover", None) or has_amounts:
                section = None
        if not has_amounts:
            if kind in ("annual", "carryover") or kind is None:
                if kind in ("annual", "carryover"):
                    section = kind
                else:
                    unit = unit_from_text(label) or unit
                    if label.startswith(("ข้อมูล", "ณ", "as of", "As of")):
                        as_of = _as_of_in(label) or as_of
                issues.append(sheet.issue("info", "section_row", row, value=thai.shorten(label)))
                continue
            if kind == "total":
                block, section = _Block(), None
                continue
        if not label:
            issues.append(sheet.issue("error", "missing_value", row, "budget_type"))
            continue
        if kind is None:
            issues.append(sheet.issue("warning", "unknown_budget_type", row, "budget_type", label))
            continue
        # amounts
        amounts: dict[str, Decimal | None] = {}
        bad = False
        for key, text in (("allocated", a_raw), ("disbursed", d_raw)):
            try:
                amounts[key] = _amount(text)
            except ValueError:
                issues.append(sheet.issue("error", "invalid_amount", row, key, text))
                amounts[key], bad = None, True
        alloc, disb = amounts["allocated"], amounts["disbursed"]
        if kind == "total":
            _check_sum(
                sheet, issues, "total_mismatch", row, alloc, disb, block.rows, block.personnel
            )
            _check_rate(sheet, issues, row, r_raw, *_sums(block.rows))
            block = _Block()
            section = None
            continue
        if kind == "annual":  # a subtotal of the "- …" rows under it
            subtotal = (row, label, alloc, disb, [])
            section = "annual"
            continue
        _check_amounts(sheet, issues, row, alloc, disb, bad, a_raw, d_raw)
        _check_rate(sheet, issues, row, r_raw, alloc, disb)
        if kind == "personnel":
            issues.append(sheet.issue("info", "personnel_excluded", row, "budget_type", label))
            block.personnel.append((alloc, disb))
            continue
        # the row's unit, fiscal year and as-of date
        r_unit = unit
        if (t := cell(cells, "unit")) and not thai.is_missing(t):
            r_unit = thai.collapse_spaces(t)
        r_as_of = as_of
        if (t := cell(cells, "as_of")) and not thai.is_missing(t):
            try:
                r_as_of = thai.parse_date(t)
            except ValueError:
                issues.append(sheet.issue("error", "invalid_date", row, "as_of", t))
        r_fy = fy
        if (t := cell(cells, "fiscal_year")) and not thai.is_missing(t):
            try:
                r_fy = thai.normalize_fiscal_year(thai.parse_int(t))  # type: ignore[arg-type]  # None: TypeError, reported
            except (TypeError, ValueError):
                issues.append(sheet.issue("error", "invalid_fiscal_year", row, "fiscal_year", t))
        if (
            r_fy is not None
            and r_as_of is not None
            and thai.fiscal_year(r_as_of) != r_fy
            and (r_fy, r_as_of) not in outside
        ):
            outside.add((r_fy, r_as_of))
            issues.append(
                sheet.issue(
                    "error", "as_of_outside_fy", row, "as_of", r_as_of.isoformat(), fiscal_year=r_fy
                )
            )
        if r_fy is None and r_as_of is not None:
            r_fy = thai.fiscal_year(r_as_of)
        btype = "carryover" if section == "carryover" and dashed else kind
        rec = _Row(row, btype, r_unit, r_fy, r_as_of, alloc, disb, 1)
        same = [
            r
            for r in block.rows
            if r.budget_type == btype and r.unit == r_unit and r.as_of == r_as_of
        ]
        if same and btype == "carryover" and section == "carryover":
            _add(same[0], rec)
        else:
            if same:
                issues.append(
                    sheet.issue("warning", "duplicate_budget_type", row, "budget_type", label)
                )
            kept.append(rec)
            block.rows.append(rec)
        if subtotal is not None and dashed:
            subtotal[4].append(rec)
    close_subtotal()
    for key, code in (("unit", "missing_unit"), ("as_of", "missing_as_of")):
        rows = [r.row for r in kept if getattr(r, key) is None]
        if rows:
            issues.append(sheet.issue("error", code, rows[0], value=raw.sheet))
    df = pd.DataFrame.from_records(
        [
            {
                "unit": r.unit,
                "fiscal_year": r.fiscal_year,
                "as_of": pd.Timestamp(r.as_of) if r.as_of else pd.NaT,
                "budget_type": r.budget_type,
                "allocated": _float(r.allocated),
                "disbursed": _float(r.disbursed),
                "rate_pct": _float(thai.rate_pct(r.disbursed, r.allocated)),
                "row": r.row,
            }
            for r in kept
        ],
        columns=[
            "unit",
            "fiscal_year",
            "as_of",
            "budget_type",
            "allocated",
            "disbursed",
            "rate_pct",
            "row",
        ],
    )
    columns: dict[str, object] = {c: df[c] for c in df.columns}
    columns |= {"source": raw.source, "sheet": raw.sheet}  # no frame edited first: issue 20
    return conform_columns(columns, "budget", len(df)), issues


def _add(into: _Row, part: _Row) -> None:
    """Add a carry-over sub-row to the section's one carry-over row (applicable parts only)."""
    if part.allocated is not None and part.disbursed is not None:
        if into.allocated is None or into.disbursed is None:
            into.allocated, into.disbursed = part.allocated, part.disbursed
        else:
            into.allocated += part.allocated
            into.disbursed += part.disbursed
    into.parts += 1


def _float(d: Decimal | None) -> float | None:
    return None if d is None else float(d)


def _sums(rows: list[_Row]) -> tuple[Decimal | None, Decimal | None]:
    """Sums of the applicable rows' amounts; (None, None) when none is applicable."""
    both = [
        (r.allocated, r.disbursed)
        for r in rows
        if r.allocated is not None and r.disbursed is not None
    ]
    if not both:
        return None, None
    return sum((a for a, _ in both), Decimal(0)), sum((d for _, d in both), Decimal(0))


def _check_amounts(
    sheet: Sheet,
    issues: list[Issue],
    row: int,
    alloc: Decimal | None,
    disb: Decimal | None,
    bad: bool,
    a_raw: str,
    d_raw: str,
) -> None:
    """Errors for negative amounts and disbursement above the allocation; a warning when only
    one of the two amounts is given."""
    for key, value, text in (("allocated", alloc, a_raw), ("disbursed", disb, d_raw)):
        if value is not None and value < 0:
            issues.append(sheet.issue("error", "negative_amount", row, key, text))
    if alloc is None or disb is None:
        if not bad and (alloc is None) != (disb is None):
            key = "allocated" if alloc is None else "disbursed"
            issues.append(
                sheet.issue(
                    "warning", "partial_amounts", row, key, a_raw if alloc is None else d_raw
                )
            )
        return
    if alloc == 0 and disb > 0:
        issues.append(sheet.issue("error", "disbursed_without_allocation", row, "disbursed", d_raw))
    elif disb > alloc >= 0:
        issues.append(
            sheet.issue(
                "error", "disbursed_over_allocated", row, "disbursed", d_raw, allocated=a_raw
            )
        )


def _check_rate(
    sheet: Sheet,
    issues: list[Issue],
    row: int,
    r_raw: str,
    alloc: Decimal | None,
    disb: Decimal | None,
) -> None:
    """A typed rate is only compared with the recomputed one (> 0.01 apart → warning)."""
    if not r_raw or thai.is_missing(r_raw):
        return
    try:
        typed = thai.parse_percent(r_raw)
    except ValueError:
        issues.append(sheet.issue("warning", "invalid_rate", row, "rate_pct", r_raw))
        return
    expected = thai.rate_pct(disb, alloc)
    if typed is None or expected is None:
        return
    # a cell formatted as % in Excel holds the fraction (0.3355 shown as 33.55%)
    fraction = "%" not in r_raw and abs(typed) <= 1 and abs(typed * 100 - expected) <= TOLERANCE
    if abs(typed - expected) > TOLERANCE and not fraction:
        issues.append(
            sheet.issue(
                "warning", "rate_mismatch", row, "rate_pct", r_raw, expected=f"{expected:.2f}"
            )
        )


def _check_sum(
    sheet: Sheet,
    issues: list[Issue],
    code: str,
    row: int,
    alloc: Decimal | None,
    disb: Decimal | None,
    rows: list[_Row],
    personnel: list[tuple[Decimal | None, Decimal | None]],
) -> None:
    """A typed total / subtotal against the sum of its rows (also accepted: with personnel)."""
    sums = _sums(rows)
    with_personnel = _sums(
        rows + [_Row(0, "personnel", None, None, None, a, d) for a, d in personnel]
    )
    for k, (key, typed) in enumerate((("allocated", alloc), ("disbursed", disb))):
        if typed is None:
            continue
        candidates = [s[k] if s[k] is not None else Decimal(0) for s in (sums, with_personnel)]
        if all(abs(typed - (c or Decimal(0))) > TOLERANCE for c in candidates):
            issues.append(
                sheet.issue(
                    "warning",
                    code,
                    row,
                    key,
                    thai.format_amount(typed),
                    expected=thai.format_amount(candidates[0]),
                )
            )


__all__ = ["CENT", "TOLERANCE", "classify_label", "normalize"]
