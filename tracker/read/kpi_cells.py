"""What a cell of the KPI forms says (docs/domain.md §2): a checklist (☑ / ☐ items) and the share
of it ticked, the innovation stage ticked, a level or a percent on its scale, the achievement
of a target, the KPI's own number.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from tracker import thai
from tracker.read import form_text
from tracker.schema import STAGES

# A report repeats its cell texts (each quarter's sheet the same KPI names and details, a "-"
# in most empty cells) and reading a cell of HTML costs ~0.1-0.3 ms: each distinct text is
# read once (issue 20). Bounded: only cells up to this long, this many of them.
_CACHED_CHARS = 4096


@lru_cache(maxsize=1024)
def _plain_text_cached(value: str) -> str | None:
    return form_text.plain_text(value)


def plain_text(value: str | None) -> str | None:
    """``form_text.plain_text`` (clean text of a cell that may hold HTML; None if empty),
    remembered for short cells (the result is a str or None: immutable, safe to share)."""
    if value is None or len(value) > _CACHED_CHARS:
        return form_text.plain_text(value)
    return _plain_text_cached(value)


LEVEL_MAX = Decimal(5)
PERCENT_MAX = Decimal(100)
CHECKLIST_TARGET = Decimal(100)

# --- checklists and the innovation stage ------------------------------------------------------
TICKED_MARKS = "☑☒✓✔✅"
UNTICKED_MARKS = "☐□"
_MARK_RE = re.compile(r"\[\s*[xX✓✔]\s*\]|\[\s*\]|[☑☒✓✔✅☐□]")


def parse_checklist(text: str | None) -> list[tuple[str, bool]]:
    """Ticked / unticked items of a checklist: ☑ ☒ ✓ ✔ [x] are ticked, ☐ [ ] are not.

    An item runs from its mark to the next mark or the end of the line.
    """
    if not text:
        return []
    items: list[tuple[str, bool]] = []
    for line in str(text).split("\n"):
        marks = list(_MARK_RE.finditer(line))
        for k, m in enumerate(marks):
            end = marks[k + 1].start() if k + 1 < len(marks) else len(line)
            label = line[m.end() : end].strip(" \t•-")
            token = m.group(0)
            ticked = token in TICKED_MARKS or (token.startswith("[") and token.strip("[] ") != "")
            if label:
                items.append((label, ticked))
    return items


_TOP_ITEM_RE = re.compile(r"^\(?\s*[0-9]{1,2}\s*[.)](?!\s*[0-9])")


def checklist_percent(items: list[tuple[str, bool]]) -> Decimal | None:
    """Percent of a checklist ticked (half-up, 2 dp): of its numbered items when it has any, else
    of all items; None for no items.

    This is how 3.1 is scored: the share of the numbered systems in use ("๑." … "๘."). A
    numbered item's sub-items ("๘.๑ Microsoft Teams" … "๘.๔ Google Meet") are the alternatives
    by which it is met, and unnumbered lines (the order issued, the copy sent) are steps, so
    neither counts on its own.
    """
    top = [ok for label, ok in items if _TOP_ITEM_RE.match(thai.to_arabic_digits(label).strip())]
    pool = top or [ok for _, ok in items]
    if not pool:
        return None
    return thai.round_half_up(Decimal(sum(pool)) * 100 / len(pool), 2)


_STAGE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("in_use", ("ไปใช้ประโยชน์", "ใช้ประโยชน์แล้ว", "inuse")),
    ("trialling", ("ทดลองใช้", "เสร็จแล้ว", "trial", "pilot")),
    ("developing", ("ระหว่างการพัฒนา", "ระหว่างพัฒนา", "developing", "underdevelopment")),
)


def _stage_of_label(label: str) -> str | None:
    key = re.sub(r"\s+", "", label).lower()
    for stage, words in _STAGE_WORDS:
        if any(w in key for w in words):
            return stage
    return None


def stage_of(cells: list[str]) -> str | None:
    """The innovation stage ticked in a row's cells (the most advanced if several are ticked);
    else a cell whose whole text names a stage."""
    found: set[str] = set()
    for cell in cells:
        text = plain_text(cell)
        if not text:
            continue
        for label, ticked in parse_checklist(text):
            stage = _stage_of_label(label) if ticked else None
            if stage:
                found.add(stage)
    if not found:
        for cell in cells:
            text = thai.collapse_spaces(plain_text(cell) or "")
            if text and len(text) <= 80 and not _MARK_RE.search(text):
                stage = _stage_of_label(text)
                if stage:
                    found.add(stage)
    for stage in reversed(STAGES):
        if stage in found:
            return stage
    return None


# --- levels and percents ----------------------------------------------------------------------
def measure_word(text: str) -> str | None:
    t = thai.to_arabic_digits(text).lower()
    if "ระดับ" in t or "level" in t:
        return "level"
    if "%" in t or "ร้อยละ" in t or "percent" in t or "เปอร์เซ็นต์" in t:
        return "percent"
    return None


def guess_measure(text: str, component: str | None) -> str:
    """Measure of a bare number: percent for component 3 or non-levels, else level."""
    word = measure_word(text)
    if word:
        return word
    if component and component.startswith("3"):
        return "percent"
    try:
        d = thai.parse_decimal(text)
    except ValueError:
        return "level"
    if d is not None and d == d.to_integral_value() and 0 <= d <= LEVEL_MAX:
        return "level"
    return "percent"


def value_of(text: str, measure: str) -> Decimal | None:
    if measure == "level":
        n = thai.parse_level(text)
        return None if n is None else Decimal(n)
    d = thai.parse_percent(text)
    if d is not None and d < 0:
        raise ValueError(text)
    return d


def scale_max(measure: str) -> Decimal:
    return LEVEL_MAX if measure == "level" else PERCENT_MAX


def achievement(actual: Decimal | None, target: Decimal | None) -> Decimal | None:
    """actual / target × 100, half-up to 2 dp; None when either is missing or target is 0."""
    if actual is None or target is None or target == 0:
        return None
    return thai.round_half_up(actual * 100 / target, 2)


def leading_number(text: str) -> tuple[int | None, str]:
    """("๑. ระดับความสำเร็จ…") → (1, "ระดับความสำเร็จ…")."""
    m = re.match(r"^\s*([0-9๐-๙]{1,2})\s*[.)]\s+", text)
    if not m:
        return None, text
    return int(thai.to_arabic_digits(m.group(1))), text[m.end() :]
