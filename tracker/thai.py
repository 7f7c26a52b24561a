"""Thai data conventions (docs/domain.md §4): digits, amounts, Buddhist-Era dates, fiscal years, text.

Pure functions, no Streamlit. Scalar parsers raise ``ValueError`` for text that is present but
cannot be read and return ``None`` for missing cells (blank or a dash); the ``*_series``
versions never raise: they return the parsed column plus a boolean mask of invalid cells, so
``validate`` can turn each one into an Issue with its row and column.
"""

from __future__ import annotations

import html
import math
import numbers
import re
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "EN_MONTHS_FULL",
    "EN_MONTHS_SHORT",
    "TH_MONTHS_FULL",
    "TH_MONTHS_SHORT",
    "clean_text",
    "collapse_spaces",
    "find_date_in_text",
    "fiscal_quarter",
    "fiscal_year",
    "fiscal_year_bounds",
    "fiscal_year_from_text",
    "fiscal_year_series",
    "format_amount",
    "format_date",
    "format_date_en",
    "format_date_th",
    "format_datetime",
    "format_int",
    "format_pct",
    "html_to_text",
    "is_missing",
    "normalize_fiscal_year",
    "normalize_thai",
    "parse_date",
    "parse_date_series",
    "parse_datetime",
    "parse_datetime_series",
    "parse_decimal",
    "parse_decimal_series",
    "parse_int",
    "parse_int_series",
    "parse_level",
    "parse_percent",
    "rate_pct",
    "round_half_up",
    "to_arabic_digits",
]

# --- characters ------------------------------------------------------------------------------
THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_DIGIT_TABLE = str.maketrans(THAI_DIGITS, "0123456789")
# Invisible characters pasted from web pages and PDFs: removed.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Space-like characters: turned into a plain space.
_SPACE_LIKE = (
    "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)
_CLEAN_TABLE = str.maketrans(
    {
        **{ord(th): ar for th, ar in zip(THAI_DIGITS, "0123456789", strict=True)},
        **{ord(c): None for c in _INVISIBLE},
        **{ord(c): " " for c in _SPACE_LIKE},
    }
)
_TEXT_TABLE = str.maketrans(
    {
        **{ord(c): None for c in _INVISIBLE},
        **{ord(c): " " for c in _SPACE_LIKE},
        0x2028: "\n",
        0x2029: "\n",
    }
)
_SPECIAL_CHARS = f"[{THAI_DIGITS}{_INVISIBLE}{_SPACE_LIKE}]"
_DASHES_RE = re.compile(r"[-‐‑‒–—―−]*")
_BKK = timezone(timedelta(hours=7))

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

# A time at the end of a value: "14:05:22", ", 14:05", "T14:05:22.5+07:00", "14.05 น.", "2:05 PM".
_TIME_RE = re.compile(
    r"(?:^|[\sT,])\s*(?:เวลา\s*)?(?P<H>[0-9]{1,2})[:.](?P<M>[0-9]{2})"
    r"(?:[:.](?P<S>[0-9]{2})(?:[.,](?P<f>[0-9]{1,9}))?)?\s*"
    r"(?P<ampm>[AaPp]\.?\s?[Mm]\.?|น\.?|นาฬิกา)?\s*(?P<tz>Z|[+-][0-9]{2}:?[0-9]{2})?$"
)

EXCEL_EPOCH = datetime(1899, 12, 30)
SERIAL_MIN, SERIAL_MAX = 20000, 80000  # 1954-10-04 .. 2119-01-10: plausible Excel date serials
YEAR_MIN, YEAR_MAX = 1900, 2200  # plausible CE years after conversion
MAX_DATE_TEXT = 120  # longer cells are prose, not dates (and are not fed to the regexes)


# --- basic text ------------------------------------------------------------------------------
def to_arabic_digits(s: str) -> str:
    """Replace Thai digits ๐-๙ by 0-9 (numbers typed in Thai documents)."""
    return s.translate(_DIGIT_TABLE)


def normalize_thai(s: str) -> str:
    """Fix look-alike Thai spellings from PDFs and typing: นิคหิต+สระอา → สระอำ, เเ → แ."""
    return s.replace("\u0e4d\u0e32", "\u0e33").replace("เเ", "แ")


def _norm(s: str) -> str:
    """Arabic digits, invisible characters dropped, whitespace collapsed and trimmed."""
    return " ".join(s.translate(_CLEAN_TABLE).split())


def is_missing(s: object) -> bool:
    """True for None, NaN/NaT/NA, blank text and dash-only text ("-", "–", "—"): no value."""
    if s is None:
        return True
    if isinstance(s, str):
        return _DASHES_RE.fullmatch(s.translate(_CLEAN_TABLE).strip()) is not None
    try:
        return bool(pd.isna(s))
    except (TypeError, ValueError):
        return False


def collapse_spaces(s: object) -> str:
    """Every run of whitespace (also NBSP and line breaks) → one space; trimmed; "" for None."""
    if s is None or (not isinstance(s, str) and is_missing(s)):
        return ""
    return " ".join(normalize_thai(str(s).translate(_TEXT_TABLE)).split())


def clean_text(s: object) -> str:
    """Trim, collapse runs of spaces/tabs, keep line breaks (at most one blank line in a row)."""
    if s is None or (not isinstance(s, str) and is_missing(s)):
        return ""
    text = str(s).replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n")
    text = normalize_thai(text.translate(_TEXT_TABLE))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    text = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


# --- HTML pasted from web forms --------------------------------------------------------------
_HTML_TAGS = (
    "a|abbr|article|aside|b|big|blockquote|body|br|button|caption|center|code|col|colgroup|dd|"
    "del|details|div|dl|dt|em|embed|figcaption|figure|font|footer|form|h[1-6]|head|header|hr|"
    "html|i|iframe|img|input|ins|kbd|label|li|link|main|mark|math|meta|nav|noscript|object|ol|"
    "option|p|pre|q|s|section|select|small|span|strike|strong|style|sub|summary|sup|svg|table|"
    "tbody|td|template|textarea|tfoot|th|thead|title|tr|tt|u|ul|wbr|script"
)
_LOOKS_HTML_RE = re.compile(
    rf"<\s*/?\s*(?:{_HTML_TAGS})\b[^<>]*>|<!--|<\s*/?\s*(?:script|style)\b"
    r"|&(?:#[0-9]+|#x[0-9a-f]+|[a-z][a-z0-9]*);",
    re.IGNORECASE,
)
_SCRIPT_OPEN_RE = re.compile(r"<(?=\s*/?\s*script)", re.IGNORECASE)


class _TextExtractor(HTMLParser):
    """Collects the readable text of an HTML fragment, with line breaks for block elements."""

    BLOCK = frozenset(
        [
            "address",
            "article",
            "aside",
            "blockquote",
            "body",
            "caption",
            "center",
            "dd",
            "details",
            "div",
            "dl",
            "dt",
            "figcaption",
            "figure",
            "footer",
            "form",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "header",
            "hr",
            "html",
            "li",
            "main",
            "nav",
            "ol",
            "p",
            "pre",
            "section",
            "summary",
            "table",
            "tbody",
            "tfoot",
            "thead",
            "tr",
            "ul",
        ]
    )
    DROP = frozenset(
        ["script", "style", "noscript", "template", "iframe", "object", "svg", "math", "title"]
    )
    CELL = frozenset(("td", "th"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.drop_depth = 0
        self.pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.DROP:
            self.drop_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n• ")
        elif tag in self.BLOCK:
            self.parts.append("\n")
            if tag == "pre":
                self.pre_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.DROP:
            self.drop_depth = max(0, self.drop_depth - 1)
        elif tag in self.CELL:
            self.parts.append(" ")
        elif tag in self.BLOCK:
            self.parts.append("\n")
            if tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)

    def handle_data(self, data: str) -> None:
        if self.drop_depth:
            return
        self.parts.append(data if self.pre_depth else _edge(data))


def _edge(data: str) -> str:
    """Whitespace-collapsed text keeping one leading/trailing space where there was some."""
    core = " ".join(data.split())
    lead = " " if data[:1].isspace() else ""
    trail = " " if data[-1:].isspace() else ""
    return f"{lead}{core}{trail}"


def html_to_text(s: object) -> str:
    """Readable plain text of a cell holding HTML (p/br/div/li → lines, li as "• ").

    Entities are unescaped, script/style contents dropped; text that merely contains "<"
    (e.g. "a < b") and no markup is left as it is. The result never contains "<script".
    """
    if s is None or (not isinstance(s, str) and is_missing(s)):
        return ""
    text = str(s)
    if _LOOKS_HTML_RE.search(text):
        parser = _TextExtractor()
        try:
            parser.feed(text)
            parser.close()
            text = "".join(parser.parts)
        except Exception:  # the stdlib parser is lenient; never let odd markup escape as a crash
            text = html.unescape(text)
        text = clean_text(text)
        lines = [ln for ln in text.split("\n") if ln.strip() and ln.strip() != "•"]
        text = "\n".join(lines)
    else:
        text = clean_text(text)
    return _SCRIPT_OPEN_RE.sub("‹", text)


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


# --- dates -----------------------------------------------------------------------------------
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
        tz = m["tz"]
        if tz == "Z":
            offset = timedelta(0)
        else:
            digits = tz[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
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


# --- vectorised parsing ----------------------------------------------------------------------
def _pa_norm(values: np.ndarray | list[str]) -> pa.Array:
    """Arrow array of the values with Thai digits, invisible characters and edges cleaned."""
    arr = pa.array(values, type=pa.string())
    if pc.any(pc.match_substring_regex(arr, _SPECIAL_CHARS)).as_py():
        for th, ar in zip(THAI_DIGITS, "0123456789", strict=True):
            arr = pc.replace_substring(arr, th, ar)
        for ch in _INVISIBLE:
            arr = pc.replace_substring(arr, ch, "")
        for ch in _SPACE_LIKE:
            arr = pc.replace_substring(arr, ch, " ")
    return pc.utf8_trim_whitespace(arr)


def _pa_missing(arr: pa.Array) -> np.ndarray:
    return pc.match_substring_regex(arr, r"^[-‐‑‒–—―−]*$").to_numpy(zero_copy_only=False)


def _field(struct: pa.Array, name: str, fill: int = -1) -> np.ndarray:
    """Integer numpy array of one extracted group ("" or null → fill)."""
    col = pc.struct_field(struct, name)
    col = pc.if_else(pc.equal(col, ""), None, col)
    return pc.fill_null(pc.cast(col, pa.int64()), fill).to_numpy(zero_copy_only=False)


def _uniques(series: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(codes, unique values as objects, positions of the text uniques) of a column."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    uvals = np.asarray(uniques, dtype=object)
    if isinstance(series.dtype, pd.StringDtype):
        return codes, uvals, np.ones(len(uvals), dtype=bool)
    is_str = np.fromiter((isinstance(v, str) for v in uvals), dtype=bool, count=len(uvals))
    return codes, uvals, is_str


def _spread(
    codes: np.ndarray, values: np.ndarray, bad: np.ndarray, missing_value: object, index: pd.Index
) -> tuple[np.ndarray, pd.Series]:
    """Map per-unique results back to the rows."""
    out = values[np.maximum(codes, 0)] if len(values) else np.full(len(codes), missing_value)
    out = out.copy()
    out[codes < 0] = missing_value
    invalid = bad[np.maximum(codes, 0)] if len(bad) else np.zeros(len(codes), dtype=bool)
    invalid = invalid & (codes >= 0)
    return out, pd.Series(invalid, index=index, dtype=bool)


def _infer_dayfirst(st: pa.StructArray) -> bool:
    """Column-wide day/month order from numeric a/b/y dates with CE years (BE → day first)."""
    ytxt = pc.struct_field(st, "y")
    y = pc.cast(ytxt, pa.int64()).to_numpy(zero_copy_only=False)
    ce = (pc.utf8_length(ytxt).to_numpy(zero_copy_only=False) == 4) & (y < 2400)
    if (_field(st, "a")[ce] > 12).any():
        return True
    return not (_field(st, "b")[ce] > 12).any()


def _fast_datetimes(
    norm: pa.Array, dayfirst: bool | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Vectorised numeric forms: (datetime64[ns] values, invalid, resolved, dayfirst used).

    ``dayfirst=None`` is inferred from the numeric day/month/year values of the column.
    """
    n = len(norm)
    values = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    bad = np.zeros(n, dtype=bool)
    resolved = _pa_missing(norm).copy()

    # Excel serials (8 digits are YYYYMMDD: left to the scalar parser).
    is_num = pc.match_substring_regex(norm, r"^[0-9]+(\.[0-9]+)?$").to_numpy(zero_copy_only=False)
    is_num &= ~pc.match_substring_regex(norm, r"^[0-9]{8}$").to_numpy(zero_copy_only=False)
    if is_num.any():
        idx = np.flatnonzero(is_num)
        v = pc.cast(norm.take(pa.array(idx)), pa.float64()).to_numpy(zero_copy_only=False)
        in_range = (v >= SERIAL_MIN) & (v <= SERIAL_MAX)
        secs = np.round(np.where(in_range, v, 0) * 86400).astype("int64")
        dts = np.datetime64(EXCEL_EPOCH, "ns") + secs.astype("timedelta64[s]")
        values[idx[in_range]] = dts[in_range]
        bad[idx[~in_range]] = True
        resolved[idx] = True

    for pattern, kind in ((_DMY_FAST, "dmy"), (_YMD_FAST, "ymd")):
        todo = ~resolved
        if not todo.any():
            break
        idx = np.flatnonzero(todo)
        st = pc.extract_regex(norm.take(pa.array(idx)), pattern)
        ok = pc.is_valid(st).to_numpy(zero_copy_only=False)
        if not ok.any():
            continue
        idx = idx[ok]
        st = st.filter(pa.array(ok))
        if kind == "dmy" and dayfirst is None:
            dayfirst = _infer_dayfirst(st)
        ytxt = pc.struct_field(st, "y")
        y = pc.cast(ytxt, pa.int64()).to_numpy(zero_copy_only=False)
        two = pc.utf8_length(ytxt).to_numpy(zero_copy_only=False) == 2
        year = np.where(two, 2500 + y - 543, np.where(y >= 2400, y - 543, y))
        year_ok = (two | (y >= 1900)) & (year >= YEAR_MIN) & (year <= YEAR_MAX)
        if kind == "dmy":
            a, b = _field(st, "a"), _field(st, "b")
            ce = ~two & (y < 2400)
            if dayfirst:
                day, month = a.copy(), b.copy()
                swap = ce & (month > 12) & (day <= 12)
            else:
                day, month = np.where(ce, b, a), np.where(ce, a, b)
                swap = ce & (month > 12) & (day <= 12)
            day, month = np.where(swap, month, day), np.where(swap, day, month)
        else:
            month, day = _field(st, "b"), _field(st, "c")
        hh, mm, ss = _field(st, "H", 0), _field(st, "M", 0), _field(st, "S", 0)
        time_ok = (hh <= 23) & (mm <= 59) & (ss <= 59)
        ok_parts = year_ok & time_ok & (month >= 1) & (month <= 12) & (day >= 1)
        frame = pd.DataFrame(
            {
                "year": np.where(ok_parts, year, 2000),
                "month": np.where(ok_parts, month, 1),
                "day": np.where(ok_parts, day, 1),
            }
        )
        dates = pd.to_datetime(frame, errors="coerce").to_numpy(dtype="datetime64[ns]")
        good = ok_parts & ~np.isnat(dates)
        stamp = (
            dates
            + hh.astype("timedelta64[h]")
            + mm.astype("timedelta64[m]")
            + ss.astype("timedelta64[s]")
        )
        values[idx[good]] = stamp[good]
        bad[idx[~good]] = True
        resolved[idx] = True
    return values, bad, resolved, True if dayfirst is None else dayfirst


def _datetime_column(series: pd.Series, dayfirst: bool | None) -> tuple[np.ndarray, pd.Series]:
    """Shared body of parse_datetime_series: datetime64[ns] values and the invalid mask."""
    n = len(series)
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        local = series.dt.tz_convert(_BKK).dt.tz_localize(None)
        return local.to_numpy(dtype="datetime64[ns]"), pd.Series(False, index=series.index)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series.to_numpy(dtype="datetime64[ns]"), pd.Series(False, index=series.index)
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        v = series.to_numpy(dtype="float64", na_value=np.nan)
        missing = np.isnan(v)
        in_range = (v >= SERIAL_MIN) & (v <= SERIAL_MAX)
        secs = np.round(np.where(in_range, v, 0) * 86400).astype("int64")
        values = np.datetime64(EXCEL_EPOCH, "ns") + secs.astype("timedelta64[s]")
        values[~in_range] = np.datetime64("NaT")
        return values, pd.Series(~missing & ~in_range, index=series.index, dtype=bool)

    codes, uvals, is_str = _uniques(series)
    values = np.full(len(uvals), np.datetime64("NaT"), dtype="datetime64[ns]")
    bad = np.zeros(len(uvals), dtype=bool)
    for i in np.flatnonzero(~is_str):
        try:
            dt = parse_datetime(uvals[i], dayfirst=True if dayfirst is None else dayfirst)
        except (ValueError, OverflowError):
            bad[i] = True
            continue
        if dt is not None:
            values[i] = np.datetime64(dt, "ns")
    sidx = np.flatnonzero(is_str)
    if len(sidx):
        norm = _pa_norm(uvals[sidx])
        v, b, resolved, first = _fast_datetimes(norm, dayfirst)
        values[sidx] = v
        bad[sidx] = b
        rest = np.flatnonzero(~resolved)
        if len(rest):
            texts = norm.take(pa.array(rest)).to_pylist()
            for j, t in zip(rest, texts, strict=True):
                try:
                    values[sidx[j]] = np.datetime64(
                        _parse_datetime_text(" ".join(t.split()), first), "ns"
                    )
                except ValueError:
                    bad[sidx[j]] = True
    out, invalid = _spread(codes, values, bad, np.datetime64("NaT"), series.index)
    assert len(out) == n
    return out.astype("datetime64[ns]"), invalid


def parse_datetime_series(
    series: pd.Series, dayfirst: bool | None = None
) -> tuple[pd.Series, pd.Series]:
    """Vectorised ``parse_datetime``: (datetime64[ns] with NaT, mask of invalid non-missing cells).

    With ``dayfirst=None`` the day/month order is inferred for the whole column: a CE-year
    value whose first part is > 12 → day first; else one whose second part is > 12 → month
    first; otherwise (and for BE years) day first.
    """
    values, invalid = _datetime_column(series, dayfirst)
    return pd.Series(values, index=series.index, name=series.name), invalid


def parse_date_series(
    series: pd.Series, dayfirst: bool | None = None
) -> tuple[pd.Series, pd.Series]:
    """Vectorised ``parse_date``: midnight datetime64[ns] values and the invalid mask."""
    values, invalid = _datetime_column(series, dayfirst)
    days = values.astype("datetime64[D]").astype("datetime64[ns]")
    return pd.Series(days, index=series.index, name=series.name), invalid


_FAST_DECIMAL = r"^[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?$"


def parse_decimal_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised ``parse_decimal`` → (float64 with NaN, mask of invalid non-missing cells)."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        v = series.to_numpy(dtype="float64", na_value=np.nan)
        bad = np.isinf(v)
        v = np.where(bad, np.nan, v)
        return (
            pd.Series(v, index=series.index, name=series.name, dtype="float64"),
            pd.Series(bad, index=series.index, dtype=bool),
        )
    codes, uvals, is_str = _uniques(series)
    values = np.full(len(uvals), np.nan, dtype="float64")
    bad = np.zeros(len(uvals), dtype=bool)
    todo: list[tuple[int, object]] = [(int(i), uvals[i]) for i in np.flatnonzero(~is_str)]
    sidx = np.flatnonzero(is_str)
    if len(sidx):
        norm = _pa_norm(uvals[sidx])
        fast = pc.match_substring_regex(norm, _FAST_DECIMAL).to_numpy(zero_copy_only=False)
        if fast.any():
            fi = np.flatnonzero(fast)
            nums = pc.replace_substring(norm.take(pa.array(fi)), ",", "")
            values[sidx[fi]] = pc.cast(nums, pa.float64()).to_numpy(zero_copy_only=False)
        missing = _pa_missing(norm)
        rest = np.flatnonzero(~fast & ~missing)
        texts = norm.take(pa.array(rest)).to_pylist() if len(rest) else []
        todo.extend((int(sidx[j]), t) for j, t in zip(rest, texts, strict=True))
    for i, v in todo:
        try:
            d = parse_decimal(v)
        except ValueError:
            bad[i] = True
            continue
        if d is not None:
            values[i] = float(d)
    out, invalid = _spread(codes, values, bad, np.nan, series.index)
    return pd.Series(out, index=series.index, name=series.name, dtype="float64"), invalid


def parse_int_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised ``parse_int`` → (Int64 with <NA>, mask of invalid non-missing cells)."""
    codes, uvals, is_str = _uniques(series)
    values = np.zeros(len(uvals), dtype="int64")
    has = np.zeros(len(uvals), dtype=bool)
    bad = np.zeros(len(uvals), dtype=bool)
    todo: list[tuple[int, object]] = [(int(i), uvals[i]) for i in np.flatnonzero(~is_str)]
    sidx = np.flatnonzero(is_str)
    if len(sidx):
        norm = _pa_norm(uvals[sidx])
        fast = pc.match_substring_regex(norm, r"^[+-]?[0-9]{1,18}(?:\.0+)?$").to_numpy(
            zero_copy_only=False
        )
        if fast.any():
            fi = np.flatnonzero(fast)
            nums = pc.replace_substring_regex(norm.take(pa.array(fi)), r"\.0+$", "")
            values[sidx[fi]] = pc.cast(nums, pa.int64()).to_numpy(zero_copy_only=False)
            has[sidx[fi]] = True
        missing = _pa_missing(norm)
        rest = np.flatnonzero(~fast & ~missing)
        texts = norm.take(pa.array(rest)).to_pylist() if len(rest) else []
        todo.extend((int(sidx[j]), t) for j, t in zip(rest, texts, strict=True))
    for i, v in todo:
        try:
            n = parse_int(v)
        except ValueError:
            bad[i] = True
            continue
        if n is not None:
            if not -(2**63) <= n < 2**63:
                bad[i] = True
                continue
            values[i] = n
            has[i] = True
    pos = np.maximum(codes, 0)
    present = has[pos] & (codes >= 0) if len(has) else np.zeros(len(codes), dtype=bool)
    ints = values[pos] if len(values) else np.zeros(len(codes), dtype="int64")
    result = pd.Series(pd.arrays.IntegerArray(ints, ~present), index=series.index, name=series.name)
    invalid = (bad[pos] & (codes >= 0)) if len(bad) else np.zeros(len(codes), dtype=bool)
    return result, pd.Series(invalid, index=series.index, dtype=bool)


# --- fiscal year -----------------------------------------------------------------------------
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


# --- formatting ------------------------------------------------------------------------------
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
