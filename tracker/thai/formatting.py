"""Display formatting (docs/domain.md §4): dates with BE years, amounts, percents, counts.

Every formatter shows "-" for a missing value. Thai dates carry the BE year ("23 พ.ย. 2566"),
English ones the CE year; stored timestamps are shown in Bangkok time.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd

from tracker.thai.dates import EN_MONTHS_SHORT, TH_MONTHS_SHORT, parse_datetime
from tracker.thai.numeric import _to_decimal, round_half_up
from tracker.thai.text import is_missing


def _as_date(d: object) -> date | None:
    if is_missing(d):
        return None
    if isinstance(d, pd.Timestamp):
        return d.to_pydatetime()
    if isinstance(d, date):
        return d
    if isinstance(d, np.datetime64):
        return pd.Timestamp(d).to_pydatetime()
    return parse_datetime(d)


def format_date_th(d: date | None) -> str:
    """Thai display date with BE year: 2023-11-23 → "23 พ.ย. 2566"; "-" when missing."""
    x = _as_date(d)
    return "-" if x is None else f"{x.day} {TH_MONTHS_SHORT[x.month - 1]} {x.year + 543}"


def format_date_en(d: date | None) -> str:
    """English display date: 2023-11-23 → "23 Nov 2023"; "-" when missing."""
    x = _as_date(d)
    return "-" if x is None else f"{x.day} {EN_MONTHS_SHORT[x.month - 1]} {x.year}"


def format_date(d: date | None, lang: str = "th") -> str:
    """Display date in the active language ("th" → BE year, "en" → CE year)."""
    return format_date_en(d) if str(lang).lower().startswith("en") else format_date_th(d)


def format_datetime(d: datetime | None, lang: str = "th") -> str:
    """Display date and time: "23 พ.ย. 2566 14:05" / "23 Nov 2023 14:05"."""
    x = _as_date(d)
    if x is None:
        return "-"
    hhmm = f" {x.hour:02d}:{x.minute:02d}" if isinstance(x, datetime) else ""
    return format_date(x, lang) + hhmm


def format_bangkok(ts: object, lang: str = "th") -> str:
    """A stored timestamp (UTC if time-zone aware) shown as Bangkok time; "-" when missing."""
    if ts is None or pd.isna(ts):
        return "-"
    stamp = pd.Timestamp(ts)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("Asia/Bangkok").tz_localize(None)
    return format_datetime(stamp.to_pydatetime(), lang)


def _format_fixed(x: object, places: int) -> str | None:
    if is_missing(x):
        return None
    d = round_half_up(_to_decimal(x), places)  # type: ignore[arg-type]
    if d == 0:
        d = abs(d)
    return f"{d:,.{places}f}"


def format_amount(x: Decimal | float | None, places: int = 2) -> str:
    """Amount with thousands separators: 12203500 → "12,203,500.00"; "-" when missing."""
    out = _format_fixed(x, places)
    return "-" if out is None else out


def format_pct(x: Decimal | float | None, places: int = 2) -> str:
    """Percent for display: 33.55 → "33.55%"; "-" when missing."""
    out = _format_fixed(x, places)
    return "-" if out is None else f"{out}%"


def format_int(n: int | float | None) -> str:
    """Whole number with thousands separators: 1234 → "1,234"; "-" when missing."""
    out = _format_fixed(n, 0)
    return "-" if out is None else out


def format_flag(value: object, yes: str = "✓") -> str:
    """A yes/no cell: ``yes`` (a tick, or a word such as "เปลี่ยน") or "-". A column of words
    reads at a glance on any screen; a column of bare checkboxes does not."""
    try:
        return yes if not is_missing(value) and bool(value) else "-"
    except (TypeError, ValueError):  # pd.NA and other values with no truth
        return "-"
