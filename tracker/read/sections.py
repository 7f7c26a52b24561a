"""What a row that is not data says, in a register typed by hand (no Streamlit).

A section row (one filled cell in a wide table) may set a value for the rows below it:
"รอบที่ ๒" the round, "ไตรมาสที่ ๒" the period, "กลุ่มกรุงเทพใต้" the district group (zone),
a known unit name alone ("สำนักงานเขตบางนา", "สำนักการโยธา") the agency. Subtotal rows ("รวม",
"รวมทั้งสิ้น ๑๒ เรื่อง") and note rows ("หมายเหตุ", "ลงชื่อ") are never data.
"""

from __future__ import annotations

import re
from functools import cache

from tracker import thai
from tracker.places import zones
from tracker.read.form_text import NOTE_PATTERN, period_heading, unit_alone

# The keys a section row can set (body.Body.context), in the order they are tried.
SECTION_KEYS = ("round", "period", "zone", "agency")

_ROUND_RE = re.compile(r"^(?:รอบ(?:ที่|การตรวจ(?:ที่)?)?|round)\s*([0-9]+)\b", re.I)
_ZONE_PREFIX_RE = re.compile(r"^(?:กลุ่มเขต|กลุ่ม)\s*")

# Subtotal rows of a register: "รวม", "รวมทั้งสิ้น", "รวม ๑๒ เรื่อง", "Total", "Grand total".
SUBTOTAL_PATTERN = (
    r"(?i)^(?:รวม(?:ทั้งสิ้น|ทั้งหมด)?|ยอดรวม|total|grand\s*total|sub\s*-?\s*total)"
    r"\s*[:：]?\s*(?:[0-9๐-๙,]+\s*(?:ข้อ|เรื่อง|รายการ|items?)?)?$"
)
# Note and signature lines under a table (form_text's, case-insensitive, for Arrow's RE2).
NOTE_PATTERN_ARROW = "(?i)" + NOTE_PATTERN


def round_of(text: str) -> int | None:
    """1 or 2 for a section row such as "รอบที่ ๒" / "รอบ 2" / "Round 1", else None."""
    m = _ROUND_RE.match(_plain(text))
    return int(m.group(1)) if m and m.group(1) in ("1", "2") else None


def period_of(text: str) -> str | None:
    """ "Q2" for a section row such as "ไตรมาสที่ ๒" / "ไตรมาส 2" / "Q2", else None."""
    return period_heading(text)


@cache
def _zone_names() -> dict[str, str]:
    out: dict[str, str] = {}
    for th, en in zones():
        out[th] = th
        for name in (en, f"{en} group", f"{en} zone"):
            out[re.sub(r"[^a-z]", "", name.lower())] = th
    return out


def zone_of(text: str) -> str | None:
    """The district group named by "กลุ่มกรุงเทพใต้" / "กลุ่มเขตกรุงเทพใต้" / "South Bangkok"."""
    t = _ZONE_PREFIX_RE.sub("", _plain(text))
    names = _zone_names()
    thai_key = re.sub(r"\s+", "", t)
    return names.get(thai_key) or names.get(re.sub(r"[^a-z]", "", t.lower()) or "-")


def agency_of(text: str) -> str | None:
    """A known unit named alone ("สำนักงานเขตบางนา", "สำนักการโยธา"), normalised; else None."""
    return unit_alone(_plain(text))


def section_value(text: str) -> tuple[str, object] | None:
    """(key, value) a section row sets for the rows below it, or None."""
    for key, read in (
        ("round", round_of),
        ("period", period_of),
        ("zone", zone_of),
        ("agency", agency_of),
    ):
        value = read(text)
        if value is not None:
            return key, value
    return None


def _plain(text: str) -> str:
    return thai.collapse_spaces(thai.to_arabic_digits(str(text))).strip()
