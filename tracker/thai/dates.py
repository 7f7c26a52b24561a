"""Scalar date parsing (docs/domain.md §4): Buddhist-Era and CE dates as the office types them.

Thai and English month names (full, abbreviated, clipped, common misspellings), BE years
(two digits are BE 25xx), an optional time of day or UTC offset, and Excel date serials.
``parse_datetime`` / ``parse_date`` read one cell, ``find_date_in_text`` finds the first date
inside longer text. The numeric patterns defined here are shared with the vectorised parsers
in ``tracker.thai.vector`` so both read a value identically.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

import numpy as np
import pandas as pd

from tracker.thai.numeric import _decimal_from_number
from tracker.thai.text import _norm, is_missing

# --- months ----------------------------------------------------------------------------------
TH_MONTHS_FULL = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
TH_MONTHS_SHORT = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
# Colloquial clipped forms ("มีนา 67") and frequent misspellings.
_TH_MONTHS_CLIPPED = (
    "มกรา",
    "กุมภา",
    "มีนา",
    "เมษา",
    "พฤษภา",
    "มิถุนา",
    "กรกฎา",
    "สิงหา",
    "กันยา",
    "ตุลา",
    "พฤศจิกา",
    "ธันวา",
)
_TH_MONTH_MISSPELT = {"กุมภาพันธ": 2, "กรกฏาคม": 7, "กรกฏา": 7, "พฤศจิกาย": 11}
EN_MONTHS_FULL = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
EN_MONTHS_SHORT = tuple(m[:3] for m in EN_MONTHS_FULL)


def _month_key(token: str) -> str:
    """Lookup key of a month token: dots and spaces removed, lower case."""
    return re.sub(r"[.\s]", "", token).lower()


_MONTHS: dict[str, int] = {}
for _i, _names in enumerate(
    zip(TH_MONTHS_FULL, TH_MONTHS_SHORT, _TH_MONTHS_CLIPPED, EN_MONTHS_FULL, strict=True), 1
):
    for _name in _names:
        _MONTHS[_month_key(_name)] = _i
    _MONTHS[_names[3][:3].lower()] = _i
_MONTHS["sept"] = 9
_MONTHS.update(_TH_MONTH_MISSPELT)


def _month_regex() -> str:
    """One alternation matching every month spelling (longest first, dots/spaces optional)."""
    pats: list[tuple[int, str]] = []
    for name in (*TH_MONTHS_FULL, *_TH_MONTHS_CLIPPED, *_TH_MONTH_MISSPELT):
        pats.append((len(name), re.escape(name)))
    for name in TH_MONTHS_SHORT:
        parts = [p for p in name.split(".") if p]
        pats.append((len(name), r"\.?\s*".join(re.escape(p) for p in parts) + r"\.?"))
    for name in (*EN_MONTHS_FULL, "Sept"):
        pats.append((len(name), re.escape(name)))
    for name in EN_MONTHS_SHORT:
        pats.append((len(name), re.escape(name) + r"\.?"))
    pats.sort(key=lambda p: -p[0])
    return "(?:" + "|".join(p for _, p in pats) + ")"


_MONTH = _month_regex()
_ERA = r"(?:พ\.?\s*ศ\.?|ค\.?\s*ศ\.?|B\.?\s?E\.?|A\.?\s?D\.?|C\.?\s?E\.?)"
_EN_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\.?,?\s+"
_TH_PREFIX = r"(?:ณ\s*)?(?:วัน\S*?ที่\s*|วัน\S+\s+)?"
_DAY_SUFFIX = r"(?:st|nd|rd|th)?"

# day month year, e.g. "23 พ.ย. 66", "วันที่ ๓๑ มีนาคม พ.ศ. ๒๕๖๗", "23-Nov-2023"
_DMY_TEXT = (
    rf"(?P<d>[0-9]{{1,2}}){_DAY_SUFFIX}\s*[-/,.]?\s*(?P<m>{_MONTH})\s*[-/,.]?\s*"
    rf"(?:(?P<era>{_ERA})\s*)?(?P<y>[0-9]{{4}}|[0-9]{{2}})"
)
# month day year, e.g. "November 23, 2023"
_MDY_TEXT = (
    rf"(?P<m>{_MONTH})\s*(?P<d>[0-9]{{1,2}}){_DAY_SUFFIX}\s*,?\s*"
    rf"(?:(?P<era>{_ERA})\s*)?(?P<y>[0-9]{{4}})"
)
_DMY_TEXT_RE = re.compile(rf"(?:{_EN_WEEKDAY})?{_TH_PREFIX}{_DMY_TEXT}", re.IGNORECASE)
_MDY_TEXT_RE = re.compile(rf"(?:{_EN_WEEKDAY})?{_MDY_TEXT}", re.IGNORECASE)
_DMY_TEXT_SEARCH = re.compile(rf"(?<![0-9]){_DMY_TEXT}(?![0-9])", re.IGNORECASE)
_MDY_TEXT_SEARCH = re.compile(rf"(?<![0-9A-Za-z]){_MDY_TEXT}(?![0-9])", re.IGNORECASE)

# Numeric dates. The same patterns serve the scalar parser and the vectorised fast path, so
# both read a value identically.
_SEP = r"\s*[/.\-]\s*"
_DMY_NUM = rf"(?P<a>[0-9]{{1,2}}){_SEP}(?P<b>[0-9]{{1,2}}){_SEP}(?P<y>[0-9]{{4}}|[0-9]{{2}})"
_YMD_NUM = rf"(?P<y>[0-9]{{4}}){_SEP}(?P<b>[0-9]{{1,2}}){_SEP}(?P<c>[0-9]{{1,2}})"
_HMS_FAST = r"(?:(?:\s*,\s*|\s+|T)(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2}))?)?"
_DMY_NUM_RE = re.compile(_DMY_NUM)
_YMD_NUM_RE = re.compile(_YMD_NUM)
_DMY_NUM_SEARCH = re.compile(rf"(?<![0-9]){_DMY_NUM}(?![0-9])")
_YMD_NUM_SEARCH = re.compile(rf"(?<![0-9]){_YMD_NUM}(?![0-9])")
_DMY_FAST = rf"^{_DMY_NUM}{_HMS_FAST}$"
_YMD_FAST = rf"^{_YMD_NUM}{_HMS_FAST}$"
_NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_YYYYMMDD_RE = re.compile(r"[0-9]{8}")

# A time at the end of a value: "14:05:22", ", 14:05", "T14:05:22.5+07:00", "14.05 น.", "2:05 PM",
# "10:15:00 AM GMT+7" (a Google Forms CSV export's Timestamp).
_TIME_RE = re.compile(
    r"(?:^|[\sT,])\s*(?:เวลา\s*)?(?P<H>[0-9]{1,2})[:.](?P<M>[0-9]{2})"
    r"(?:[:.](?P<S>[0-9]{2})(?:[.,](?P<f>[0-9]{1,9}))?)?\s*"
    r"(?P<ampm>[AaPp]\.?\s?[Mm]\.?|น\.?|นาฬิกา)?\s*"
    r"(?P<tz>Z|(?:GMT|UTC)\s*(?:[+-][0-9]{1,2}(?::?[0-9]{2})?)?|[+-][0-9]{2}:?[0-9]{2})?$",
    re.IGNORECASE,
)

EXCEL_EPOCH = datetime(1899, 12, 30)
SERIAL_MIN, SERIAL_MAX = 20000, 80000  # 1954-10-04 .. 2119-01-10: plausible Excel date serials
YEAR_MIN, YEAR_MAX = 1900, 2200  # plausible CE years after conversion
MAX_DATE_TEXT = 120  # longer cells are prose, not dates (and are not fed to the regexes)
_BKK = timezone(timedelta(hours=7))


# --- parsing ---------------------------------------------------------------------------------
def _resolve_year(ytxt: str, era: str | None = None) -> int:
    """CE year from the year text: 2 digits are BE 25xx, ≥ 2400 BE, 1900–2399 CE."""
    y = int(ytxt)
    era_key = _month_key(era or "")
    if era_key in ("คศ", "ad", "ce"):
        ce = 2000 + y if len(ytxt) == 2 else y
    elif len(ytxt) == 2:
        ce = 2500 + y - 543
    elif y >= 2400:
        ce = y - 543
    elif era_key in ("พศ", "be"):
        raise ValueError(f"not a Buddhist-Era year: {ytxt}")
    elif y >= 1900:
        ce = y
    else:
        raise ValueError(f"implausible year: {ytxt}")
    if not YEAR_MIN <= ce <= YEAR_MAX:
        raise ValueError(f"implausible year: {ytxt}")
    return ce


def _make_date(y: int, m: int, d: int, original: object) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise ValueError(f"no such date: {original!r}") from None


def _day_month(a: int, b: int, year_is_ce: bool, dayfirst: bool) -> tuple[int, int]:
    """(day, month) of a numeric a/b/y date: BE years are always day first (Thai locale)."""
    if not year_is_ce or dayfirst:
        d, m = a, b
        if year_is_ce and m > 12 >= d:
            d, m = m, d
    else:
        m, d = a, b
        if m > 12 >= d:
            d, m = m, d
    return d, m


def _serial_to_datetime(v: float) -> datetime:
    if not SERIAL_MIN <= v <= SERIAL_MAX:
        raise ValueError(f"not a plausible Excel date serial: {v!r}")
    return EXCEL_EPOCH + timedelta(seconds=round(v * 86400))


def _split_time(t: str) -> tuple[str, time | None, timedelta | None]:
    """Split a trailing time of day off a date text: (date text, time, UTC offset)."""
    m = _TIME_RE.search(t)
    if not m:
        return t, None, None
    hour, minute = int(m["H"]), int(m["M"])
    second = int(m["S"] or 0)
    micro = int((m["f"] or "0")[:6].ljust(6, "0"))
    ampm = (m["ampm"] or "").lower()
    if ampm.startswith(("a", "p")):
        if not 1 <= hour <= 12:
            raise ValueError(f"no such time: {t!r}")
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"no such time: {t!r}")
    offset = None
    if m["tz"]:
        tz = re.sub(r"(?i)^(?:GMT|UTC)\s*", "", m["tz"])
        if tz.upper() in ("Z", ""):
            offset = timedelta(0)
        else:
            hours, _, minutes = tz[1:].partition(":")
            if not minutes and len(hours) == 4:  # "+0700"
                hours, minutes = hours[:2], hours[2:]
            offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
            if tz[0] == "-":
                offset = -offset
    return t[: m.start()].strip(" ,T"), time(hour, minute, second, micro), offset


def _parse_date_part(t: str, dayfirst: bool) -> date:
    """A date without time of day, from normalised text."""
    if _YYYYMMDD_RE.fullmatch(t):
        return _make_date(_resolve_year(t[:4]), int(t[4:6]), int(t[6:]), t)
    m = _YMD_NUM_RE.fullmatch(t)
    if m:
        return _make_date(_resolve_year(m["y"]), int(m["b"]), int(m["c"]), t)
    m = _DMY_NUM_RE.fullmatch(t)
    if m:
        ytxt = m["y"]
        year = _resolve_year(ytxt)
        year_is_ce = len(ytxt) == 4 and int(ytxt) < 2400
        d, mo = _day_month(int(m["a"]), int(m["b"]), year_is_ce, dayfirst)
        return _make_date(year, mo, d, t)
    m = _DMY_TEXT_RE.fullmatch(t) or _MDY_TEXT_RE.fullmatch(t)
    if m:
        month = _MONTHS.get(_month_key(m["m"]))
        if month is None:  # pragma: no cover - the regex only matches known months
            raise ValueError(f"unknown month: {t!r}")
        return _make_date(_resolve_year(m["y"], m["era"]), month, int(m["d"]), t)
    raise ValueError(f"not a date: {t!r}")


def _parse_datetime_text(t: str, dayfirst: bool) -> datetime:
    """Datetime from normalised, non-missing text."""
    if len(t) > MAX_DATE_TEXT:
        raise ValueError(f"not a date: {t[:40]!r}…")
    if _NUMBER_RE.fullmatch(t) and not _YYYYMMDD_RE.fullmatch(t):
        return _serial_to_datetime(float(t))
    date_text, tod, offset = _split_time(t)
    if not date_text:
        raise ValueError(f"not a date: {t!r}")
    dt = datetime.combine(_parse_date_part(date_text, dayfirst), tod or time())
    if offset is not None:
        dt = (dt - offset + timedelta(hours=7)).replace(tzinfo=None)
    return dt


def parse_datetime(s: object, dayfirst: bool = True) -> datetime | None:
    """Datetime from a cell: Thai/English dates, BE or CE years, a time, Excel serials.

    "23/11/2566, 14:05:22" (Google Sheets, Thai locale), "11/23/2023 14:05:22" (English locale,
    with ``dayfirst=False``), "2023-11-23 14:05:22", "45253.5868". Aware values are converted
    to Bangkok time and returned naive.
    """
    if is_missing(s):
        return None
    if isinstance(s, pd.Timestamp | datetime):
        ts = pd.Timestamp(s)
        if ts.tzinfo is not None:
            ts = ts.tz_convert(_BKK).tz_localize(None)
        return ts.to_pydatetime()
    if isinstance(s, date):
        return datetime(s.year, s.month, s.day)
    if isinstance(s, np.datetime64):
        return pd.Timestamp(s).to_pydatetime()
    if not isinstance(s, str):
        d = _decimal_from_number(s)
        if d is None:
            return None
        return _serial_to_datetime(float(d))
    return _parse_datetime_text(_norm(s), dayfirst)


def parse_date(s: object, dayfirst: bool = True) -> date | None:
    """Date from a cell (see ``parse_datetime``); a time of day, if any, is dropped."""
    dt = parse_datetime(s, dayfirst=dayfirst)
    return None if dt is None else dt.date()


def find_date_in_text(s: object) -> date | None:
    """The first valid date inside longer text, e.g. "ข้อมูล ณ วันที่ ๓๑ มีนาคม พ.ศ. ๒๕๖๗"."""
    if is_missing(s):
        return None
    t = _norm(str(s))
    candidates: list[tuple[int, re.Match[str], str]] = []
    for kind, rx in (
        ("text", _DMY_TEXT_SEARCH),
        ("text", _MDY_TEXT_SEARCH),
        ("ymd", _YMD_NUM_SEARCH),
        ("dmy", _DMY_NUM_SEARCH),
    ):
        candidates.extend((m.start(), m, kind) for m in rx.finditer(t))
    candidates.sort(key=lambda c: c[0])
    for _, m, kind in candidates:
        try:
            if kind == "text":
                month = _MONTHS[_month_key(m["m"])]
                return _make_date(_resolve_year(m["y"], m["era"]), month, int(m["d"]), t)
            return _parse_date_part(m.group(0), dayfirst=True)
        except (ValueError, KeyError):
            continue
    return None
