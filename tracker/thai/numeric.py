"""Numbers and amounts (docs/domain.md §4): decimals, percents, KPI levels, whole numbers, money.

Scalar parsers for cells typed in Thai documents: Thai digits, thousands commas, "บาท", the
".-" of whole amounts, "(1,000)" for negatives, "ร้อยละ 33.55", "ระดับที่ ๕". They raise
``ValueError`` for text that is present but cannot be read and return ``None`` for missing
cells. Money is rounded half up (as people and the seed report do), never banker's rounding.
The module is not called ``numbers`` so that it does not shadow the standard library module
it uses.
"""

from __future__ import annotations

import math
import numbers
import re
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from tracker.thai.text import _norm, is_missing

# --- numbers ---------------------------------------------------------------------------------
_PLAIN_DECIMAL_RE = re.compile(
    r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|[+-]?\.[0-9]+"
)
_SCI_DECIMAL_RE = re.compile(r"[+-]?[0-9]+(?:\.[0-9]*)?[eE][+-]?[0-9]+")
_CURRENCY_RE = re.compile(r"บาท|฿|\bTHB\b|\bbaht\b", re.IGNORECASE)


def _decimal_from_number(x: object) -> Decimal | None:
    """Decimal of a non-text cell value (int, float, Decimal, numpy number); None for NaN."""
    if isinstance(x, bool | np.bool_):
        raise ValueError(f"not a number: {x!r}")
    if isinstance(x, Decimal):
        if x.is_nan():
            return None
        if not x.is_finite():
            raise ValueError(f"not a finite number: {x!r}")
        return x
    if isinstance(x, numbers.Integral):
        return Decimal(int(x))
    if isinstance(x, numbers.Real):
        f = float(x)
        if math.isnan(f):
            return None
        if math.isinf(f):
            raise ValueError(f"not a finite number: {x!r}")
        return Decimal(repr(f))
    raise ValueError(f"not a number: {x!r}")


def parse_decimal(s: object) -> Decimal | None:
    """Exact number from a cell: Thai digits, thousands commas, ".-", "บาท", "(1,000)" = −1000."""
    if is_missing(s):
        return None
    if not isinstance(s, str):
        return _decimal_from_number(s)
    t = _norm(s)
    negative = False
    if t.startswith("(") and t.endswith(")"):
        negative, t = True, t[1:-1].strip()
    t = _CURRENCY_RE.sub("", t).strip()
    if t.endswith(".-"):
        t = t[:-1]
    t = t.replace("−", "-")
    t = re.sub(r"^([+-])\s+", r"\1", t)
    if _PLAIN_DECIMAL_RE.fullmatch(t):
        value = Decimal(t.replace(",", ""))
    elif _SCI_DECIMAL_RE.fullmatch(t):
        value = Decimal(t)
    else:
        raise ValueError(f"not a number: {s!r}")
    if negative:
        if t.startswith(("-", "+")):
            raise ValueError(f"not a number: {s!r}")
        value = -value
    return value


_PERCENT_WORDS_RE = re.compile(r"ร้อยละ|เปอร์เซ็นต์|เปอร์เซนต์|percent|%", re.IGNORECASE)


def parse_percent(s: object) -> Decimal | None:
    """Percent as its number: "๓๓.๕๕%", "33.55 %", "ร้อยละ 33.55", "33.55" → Decimal("33.55")."""
    if is_missing(s):
        return None
    if not isinstance(s, str):
        return _decimal_from_number(s)
    t = _PERCENT_WORDS_RE.sub("", _norm(s)).strip()
    if is_missing(t):
        raise ValueError(f"not a percent: {s!r}")
    try:
        return parse_decimal(t)
    except ValueError:
        raise ValueError(f"not a percent: {s!r}") from None


def _as_int(d: Decimal, original: object) -> int:
    """The integer value of an integral Decimal, else ValueError."""
    if d != d.to_integral_value():
        raise ValueError(f"not a whole number: {original!r}")
    return int(d)


_LEVEL_RE = re.compile(
    r"(?:ระดับ\s*(?:ความสำเร็จ)?\s*(?:ที่)?|level)\s*(?P<n>[0-9]+(?:\.[0-9]+)?)", re.IGNORECASE
)


def parse_level(s: object) -> int | None:
    """KPI level: "ระดับ ๕", "ระดับที่ ๕", "5", "5.0" → 5; the first "ระดับ N" of longer text."""
    if is_missing(s):
        return None
    if not isinstance(s, str):
        d = _decimal_from_number(s)
        return None if d is None else _check_level(_as_int(d, s), s)
    t = _norm(s)
    m = _LEVEL_RE.search(t)
    if m:
        return _check_level(_as_int(Decimal(m["n"]), s), s)
    try:
        d = parse_decimal(t)
    except ValueError:
        raise ValueError(f"not a level: {s!r}") from None
    return None if d is None else _check_level(_as_int(d, s), s)


def _check_level(n: int, original: object) -> int:
    if n < 0:
        raise ValueError(f"not a level: {original!r}")
    return n


_INT_TOKEN_RE = re.compile(r"(?<![0-9])[0-9]+(?:[.,][0-9]+)*")


def parse_int(s: object) -> int | None:
    """Whole number: "๒๕๖๗", "2567.0", "1,234"; the one number of "รอบที่ ๒" / "พ.ศ. ๒๕๖๗"."""
    if is_missing(s):
        return None
    if not isinstance(s, str):
        d = _decimal_from_number(s)
        return None if d is None else _as_int(d, s)
    t = _norm(s)
    try:
        d = parse_decimal(t)
    except ValueError:
        tokens = _INT_TOKEN_RE.findall(t)
        if len(tokens) != 1:
            raise ValueError(f"not a whole number: {s!r}") from None
        d = parse_decimal(tokens[0].rstrip(".,"))
    if d is None:  # pragma: no cover - non-missing text never parses to None
        raise ValueError(f"not a whole number: {s!r}")
    return _as_int(d, s)


# --- money -----------------------------------------------------------------------------------
def _to_decimal(x: object) -> Decimal | None:
    return x if isinstance(x, Decimal) and x.is_finite() else parse_decimal(x)


def round_half_up(x: Decimal, places: int = 2) -> Decimal:
    """Round half up (as people and the seed report do: 33.555 → 33.56), not banker's rounding."""
    d = _to_decimal(x)
    if d is None:
        raise ValueError(f"not a number: {x!r}")
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def rate_pct(disbursed: Decimal | None, allocated: Decimal | None) -> Decimal | None:
    """Disbursement rate disbursed / allocated × 100, half-up to 2 dp; None if nothing allocated."""
    a = _to_decimal(allocated)
    d = _to_decimal(disbursed)
    if a is None or d is None or a == 0:
        return None
    return round_half_up(d * 100 / a, 2)
