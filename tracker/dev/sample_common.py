"""Shared pieces of the sample writer: reference dates, Thai typing helpers, fast draws, formats.

What the register, responses, KPI and budget parts type the same way: the sample's fixed
"today" and fiscal years, numbers and dates rendered with Thai digits and BE years (as the
office types them), cheap deterministic draws from ``random.Random`` and the cell formats
every sheet uses. Like all of ``tracker.dev`` it shares nothing with the readers (see
``tracker.dev.sample``).
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, datetime
from itertools import accumulate
from typing import TypeVar

import xlsxwriter

_T = TypeVar("_T")

# --- fixed reference points ------------------------------------------------------------------
AS_OF = date(2024, 9, 30)  # the sample's "today": end of FY 2567
FISCAL_YEARS: tuple[int, ...] = (2566, 2567)
ROUNDS: tuple[int, ...] = (1, 2)
SHAPES: tuple[str, ...] = ("both", "one_sheet", "forms")


# --- Thai text helpers -----------------------------------------------------------------------
_TH_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
MONTHS_FULL_TH: tuple[str, ...] = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
MONTHS_SHORT_TH: tuple[str, ...] = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip


def th_digits(value: object) -> str:
    """Render ``value`` with Thai digits (as the office often types numbers)."""
    return str(value).translate(_TH_DIGITS)


def _be(d: date) -> int:
    return d.year + 543


def _date_short_th(d: date) -> str:
    """'๒๓ พ.ย. ๖๖' (Thai digits, short month, two-digit BE year)."""
    return th_digits(f"{d.day} {MONTHS_SHORT_TH[d.month - 1]} {_be(d) % 100:02d}")


def _date_numeric_be(d: date) -> str:
    """'23/11/2566'."""
    return f"{d.day:02d}/{d.month:02d}/{_be(d)}"


def _date_full_th(d: date) -> str:
    """'15 มกราคม 2567'."""
    return f"{d.day} {MONTHS_FULL_TH[d.month - 1]} {_be(d)}"


def forms_timestamp(ts: datetime) -> str:
    """Google Sheets timestamp in the Thai locale: '23/11/2566, 14:05:22'."""
    return f"{ts.day}/{ts.month}/{ts.year + 543}, {ts.hour}:{ts.minute:02d}:{ts.second:02d}"


def fy_start(fy_be: int) -> date:
    """First day (1 October) of Buddhist-Era fiscal year ``fy_be``."""
    return date(fy_be - 543 - 1, 10, 1)


def canonical_agency(name: str) -> str:
    """Trim and collapse spaces, and join 'สำนักงานเขต  บางนา' into 'สำนักงานเขตบางนา'."""
    s = " ".join(name.split())
    if s.startswith("สำนักงานเขต "):
        s = "สำนักงานเขต" + s[len("สำนักงานเขต ") :]
    return s


# Obstacles as units report them (directive details and KPI reports).
_OBSTACLES: tuple[str, ...] = (
    "งบประมาณไม่เพียงพอ",
    "อัตรากำลังไม่เพียงพอต่อปริมาณงาน",
    "ขั้นตอนการจัดซื้อจัดจ้างใช้ระยะเวลานาน",
    "ระบบสารสนเทศไม่รองรับการทำงาน",
    "ต้องรอความเห็นจากสำนักกฎหมาย",
    "สภาพอากาศไม่เอื้ออำนวย (ฤดูฝน)",
)


# Fast draws (random.Random.choice/randint/choices cost ~1 µs each; 100,000 rows need millions).
def _pick(rng: random.Random, seq: Sequence[_T]) -> _T:
    return seq[int(rng.random() * len(seq))]


def _between(rng: random.Random, lo: int, hi: int) -> int:
    """Integer in [lo, hi]."""
    return lo + int(rng.random() * (hi - lo + 1))


def _weighted(rng: random.Random, items: Sequence[_T], cum: Sequence[float]) -> _T:
    """Draw from ``items`` with cumulative weights ``cum``."""
    return items[bisect_right(cum, rng.random() * cum[-1])]


def _cum(weights: Sequence[float]) -> tuple[float, ...]:
    return tuple(accumulate(weights))


def _subset(rng: random.Random, n: int, k: int) -> tuple[int, ...]:
    """k distinct integers of range(n), sorted."""
    pool = list(range(n))
    for i in range(k):
        j = i + int(rng.random() * (n - i))
        pool[i], pool[j] = pool[j], pool[i]
    return tuple(sorted(pool[:k]))


# --- cell formats ----------------------------------------------------------------------------------
class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        base = {"font_name": "TH Sarabun New", "font_size": 14}
        self.title = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
        self.left_title = wb.add_format({**base, "bold": True, "font_size": 16})
        self.section = wb.add_format({**base, "bold": True})
        self.header = wb.add_format(
            {
                **base,
                "bold": True,
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "bg_color": "#DDEBF7",
            }
        )
        self.date = wb.add_format({"num_format": "d/m/yyyy"})
        self.wrap = wb.add_format({**base, "text_wrap": True, "valign": "top", "border": 1})
        self.amount = wb.add_format({**base, "num_format": "#,##0.00", "border": 1})
        self.rate = wb.add_format({**base, "num_format": "0.00", "border": 1})
        self.cell = wb.add_format({**base, "border": 1})
