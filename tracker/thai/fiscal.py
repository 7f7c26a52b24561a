"""Fiscal years and periods (docs/domain.md §4): the Thai government's BE fiscal year.

FY 2567 runs from 1 October 2023 to 30 September 2024; Q1 is October-December. Years typed
as two digits are BE 25xx and CE years are converted, so 67, 2024 and 2567 all mean FY 2567.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from tracker.thai.text import collapse_spaces, to_arabic_digits


def fiscal_year(d: date) -> int:
    """BE fiscal year of a date: FY 2567 = 1 Oct 2023 … 30 Sep 2024."""
    return d.year + 543 + (1 if d.month >= 10 else 0)


def fiscal_quarter(d: date) -> int:
    """Fiscal quarter 1–4: Q1 Oct–Dec, Q2 Jan–Mar, Q3 Apr–Jun, Q4 Jul–Sep."""
    return (d.month - 10) % 12 // 3 + 1


def fiscal_year_bounds(fy_be: int) -> tuple[date, date]:
    """First and last day of BE fiscal year ``fy_be`` (two-digit and CE years are normalised)."""
    fy = normalize_fiscal_year(fy_be)
    return date(fy - 544, 10, 1), date(fy - 543, 9, 30)


_FY_RE = re.compile(r"ปีงบประมาณ\s*(?:พ\s*\.?\s*ศ\s*\.?)?\s*([0-9]{4}|[0-9]{2})(?![0-9])")
_FY_EN_RE = re.compile(r"(?:fiscal\s*year|\bfy)\s*([0-9]{4}|[0-9]{2})(?![0-9])", re.I)


def fiscal_year_from_text(text: str) -> int | None:
    """The BE fiscal year of "ประจำปีงบประมาณ พ.ศ. ๒๕๖๗" / "FY 2024", else None."""
    t = to_arabic_digits(collapse_spaces(text))
    m = _FY_RE.search(t) or _FY_EN_RE.search(t)
    if not m:
        return None
    try:
        return normalize_fiscal_year(int(m.group(1)))
    except ValueError:
        return None


def fiscal_year_series(dt_series: pd.Series) -> pd.Series:
    """Vectorised ``fiscal_year`` of a datetime column → Int64 (NA for NaT)."""
    dt = pd.to_datetime(dt_series)
    year = dt.dt.year.astype("Int64")
    return (year + 543 + (dt.dt.month >= 10).astype("Int64")).astype("Int64")


def normalize_fiscal_year(n: int) -> int:
    """Fiscal year in BE: 67 → 2567 (two digits are BE 25xx), CE 2024 → 2567, 2567 → 2567."""
    n = int(n)
    if 0 <= n < 100:
        return 2500 + n
    if 1900 < n < 2400:
        return n + 543
    if 2400 <= n <= 2800:
        return n
    raise ValueError(f"not a fiscal year: {n!r}")
