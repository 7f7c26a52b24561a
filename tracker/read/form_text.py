"""What the printed report forms say around their data (docs/domain.md §2–3), read by
``tracker.read.kpi_form`` and ``tracker.read.budget_form``: the unit ("หน่วยงาน : …"), fiscal
year and period of title rows, the component a section row opens ("๑.๑ … (Function Base)" →
"1.1"), signature and note lines (never data), the plain text of a cell that may hold HTML
(checkboxes become ☑ / ☐ lines), the raw rows of a table and its repeated header rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from data_sources.base import RawTable
from tracker import thai
from tracker.agencies import is_known_agency
from tracker.places import normalize_agency
from tracker.read.headers import ALIAS_INDEX, HeaderMatch
from tracker.schema import header_key

# --- unit, period and component of title and section rows -------------------------------------
_UNIT_RE = re.compile(r"^\s*(?:หน่วยงาน|หน่วยรับตรวจ|ส่วนราชการ|unit|agency)\s*[:：]\s*(.+)$", re.I)
_UNIT_PREFIXES = ("สำนักงานเขต", "สำนักงาน", "สำนัก", "กอง", "ฝ่าย")
_PERIOD_RULES: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (re.compile(r"ไตรมาส\s*(?:ที่)?\s*([1-4])(?![0-9])"), None),
    (re.compile(r"(?<![a-z0-9])q\s*([1-4])(?![0-9])"), None),
    (re.compile(r"quarter\s*([1-4])(?![0-9])"), None),
    (re.compile(r"(?:ระยะ|รอบ)\s*3\s*เดือน"), "Q1"),
    (re.compile(r"ครึ่งปี|(?:ระยะ|รอบ)\s*6\s*เดือน|half[\s-]*year"), "Q2"),
    (re.compile(r"(?:ระยะ|รอบ)\s*9\s*เดือน"), "Q3"),
    (re.compile(r"(?:ระยะ|รอบ)\s*12\s*เดือน|สิ้นปีงบประมาณ|ทั้งปี|full[\s-]*year|year[\s-]*end"), "Q4"),
)


def unit_from_text(text: str) -> str | None:
    """The unit named by a title row "หน่วยงาน : <unit> <parent>", else None.

    Thai text: the first word, joined with the next one when it is only a prefix such as
    "สำนักงานเขต บางนา". Latin text: the whole name.
    """
    m = _UNIT_RE.match(thai.collapse_spaces(text))
    if not m:
        return None
    rest = m.group(1).strip()
    if not rest or thai.is_missing(rest):
        return None
    if re.match(r"[A-Za-z]", rest):
        return rest
    words = rest.split()
    if len(words) > 1 and words[0] in _UNIT_PREFIXES:
        return words[0] + words[1]
    return words[0]


_PERIOD_HEADING_RE = re.compile(r"^(?:ไตรมาส\s*(?:ที่)?|quarter|q)\s*([1-4])(?![0-9])", re.I)


def period_heading(text: str) -> str | None:
    """ "Q2" for a row that starts with its quarter ("ไตรมาสที่ ๒ (ม.ค. – มี.ค.)", "Q2"), else None."""
    m = _PERIOD_HEADING_RE.match(thai.to_arabic_digits(thai.collapse_spaces(text)).strip())
    return f"Q{m.group(1)}" if m else None


def unit_alone(text: str) -> str | None:
    """A known unit named alone in a row ("สำนักงานเขตบางนา", "สำนักการโยธา"), else None."""
    plain = thai.collapse_spaces(text)
    if not plain or len(plain) > 80 or not is_known_agency(plain):
        return None
    return normalize_agency(plain)


def period_from_text(text: str, bare: bool = False) -> str | None:
    """Q1..Q4 of "ไตรมาสที่ ๒", "(ระยะครึ่งปีงบประมาณ)", "ระยะ ๙ เดือน", "KPI Q2"; else None.

    With ``bare`` (a period column) a lone "2" also counts.
    """
    t = thai.to_arabic_digits(thai.collapse_spaces(text)).lower()
    if bare and t in {"1", "2", "3", "4"}:
        return f"Q{t}"
    for rx, period in _PERIOD_RULES:
        m = rx.search(t)
        if m:
            return period or f"Q{m.group(1)}"
    return None


_COMPONENT_RE = re.compile(r"^องค์ประกอบ\s*(?:ที่)?\s*([1-3])(?![0-9.])")
_SUBCOMPONENT_RE = re.compile(r"^(?:ตัวชี้วัด\s*(?:ที่)?\s*)?([1-3])\s*\.\s*([1-9])(?![0-9.\-])")
_COMPONENT_WORDS: tuple[tuple[str, str], ...] = (
    ("function base", "1.1"),
    ("joint kpi", "1.2"),
    ("agenda base", "1.3"),
    ("innovation base", "2"),
    ("potential base", "3.1"),
    ("performance base", "1"),
)
_TOP_COMPONENT = {"1": "1", "2": "2", "3": "3.1"}


def component_of(text: str) -> str | None:
    """The component a section row opens: "๑.๒ … (Joint KPIs)" → "1.2", "องค์ประกอบที่ ๓" → "3.1"."""
    t = thai.to_arabic_digits(thai.collapse_spaces(thai.html_to_text(text)))
    m = _SUBCOMPONENT_RE.match(t)
    if m:
        return f"{m.group(1)}.{m.group(2)}"
    m = _COMPONENT_RE.match(t)
    if m:
        return _TOP_COMPONENT[m.group(1)]
    low = t.lower()
    for words, component in _COMPONENT_WORDS:
        if f"({words}" in low or low.startswith(words):
            return component
    return None


# --- cell text --------------------------------------------------------------------------------
_INPUT_RE = re.compile(r"<\s*input\b([^<>]*)>", re.I)


def _checkbox_marks(html: str) -> str:
    """Turn HTML checkboxes into ☑ / ☐ on their own line (html_to_text would drop them)."""

    def mark(m: re.Match[str]) -> str:
        attrs = m.group(1).lower()
        if "checkbox" not in attrs and "radio" not in attrs:
            return ""
        return "<br/>☑ " if re.search(r"\bchecked\b", attrs) else "<br/>☐ "

    return _INPUT_RE.sub(mark, html)


def plain_text(value: str | None) -> str | None:
    """Clean plain text of a cell that may hold HTML (checkboxes kept as ☑/☐); None if empty."""
    if value is None or thai.is_missing(value):
        return None
    text = thai.html_to_text(_checkbox_marks(value))
    return None if thai.is_missing(text) else text


# --- the raw table ----------------------------------------------------------------------------
def raw_cells(frame: pd.DataFrame) -> list[list[str]]:
    """Rows of stripped cell text ("" for empty cells; a typed "-" is kept)."""
    out: list[list[str]] = []
    for row in frame.itertuples(index=False, name=None):
        out.append(
            [
                "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v).strip()
                for v in row
            ]
        )
    return out


def title_text(raw: RawTable, match: HeaderMatch) -> list[str]:
    """Every filled cell of the rows above the header, top to bottom."""
    return [c for row in raw_cells(raw.frame.iloc[: match.header_rows[0]]) for c in row if c]


def is_repeated_header(cells: list[str], match: HeaderMatch) -> bool:
    """True when at least half (≥ 2) of the mapped cells repeat their header or an alias of it."""
    index = ALIAS_INDEX[match.kind]
    same = 0
    for key, j in match.colmap.items():
        if j >= len(cells) or not cells[j]:
            continue
        k = header_key(cells[j])
        shown = header_key(match.header_text.get(j, ""))
        stripped = re.sub(r"\(.*?\)$", "", k)
        if k == shown or index.get(k) == key or index.get(stripped) == key:
            same += 1
    # the upper row of a repeated two-row header holds only part of the labels
    need = 2 if len(match.header_rows) >= 2 else max(2, len(match.colmap) // 2)
    return same >= need


# --- title lines and note lines ---------------------------------------------------------------
# A signature or note line below a table: "ลงชื่อผู้รายงาน", "(.....)", "ตำแหน่ง", "*หมายเหตุ :",
# "(หัวหน้าส่วนราชการ/หัวหน้าหน่วยงาน)".
NOTE_PATTERN = (
    r"^[\s*\-•]*(?:หมายเหตุ|ลงชื่อ|ลงนาม|ตำแหน่ง|notes?\b|remarks?\b|signed\b|signature|position\b)"
    r"|^[\s(]*[.…_]{2,}"
    r"|^\(\s*(?:หัวหน้า|ผู้อำนวยการ|ผู้รายงาน|ผู้รับรอง)"
)
_NOTE_RE = re.compile(NOTE_PATTERN, re.I)


def is_note_line(text: str | None) -> bool:
    """True for a signature / note line of a report form ("ลงชื่อผู้รายงาน", "(.....)", "ตำแหน่ง",
    "*หมายเหตุ : …"): never data, reported as info."""
    return bool(text) and bool(_NOTE_RE.match(thai.collapse_spaces(plain_text(text) or "")))


@dataclass
class Context:
    """Unit, fiscal year and period in force for the rows that follow."""

    unit: str | None = None
    fiscal_year: int | None = None
    period: str | None = None
    component: str | None = None

    def update(self, text: str, title: bool) -> bool:
        """Take what a title row says; True if it said anything."""
        said = False
        unit = unit_from_text(text) or unit_alone(text)
        if unit:
            self.unit, said = unit, True
        if title:
            fy = thai.fiscal_year_from_text(text)
            if fy:
                self.fiscal_year, said = fy, True
            period = period_from_text(text)
            if period and ("ปีงบประมาณ" in text or "รายงาน" in text or len(text) < 60):
                self.period, said = period, True
        elif period := period_heading(text):  # a section row "ไตรมาสที่ ๒" among the rows
            self.period, said = period, True
        return said


_KPI_NAME_RE = re.compile(
    r"^ตัวชี้วัด\s*(?:ที่)?\s*(?:[0-9]{1,2}(?:\s*\.\s*[0-9]{1,2})*)?\s*[:：.]?\s*(\S.*)$"
)
_PROJECT_RE = re.compile(r"^(?:ชื่อโครงการ|project\s*name|project)\s*[:：]?\s*(\S.*)$", re.I)


@dataclass
class Titles(Context):
    """Context plus the KPI and project names that title lines above a table give."""

    kpi_name: str | None = None
    project: str | None = None
    project_open: bool = False

    def read(self, text: str) -> bool:
        """Take one title / section line; True if it said anything."""
        plain = thai.collapse_spaces(plain_text(text) or "")
        if not plain:
            return False
        said = False
        comp = component_of(plain)
        if comp:
            if comp != self.component:
                self.kpi_name = self.project = None
            self.component, said = comp, True
        digits = thai.to_arabic_digits(plain)  # same length: Thai digits are one code point each
        if m := _KPI_NAME_RE.match(digits):
            self.kpi_name, said = plain[m.start(1) :], True
        elif m := _PROJECT_RE.match(digits):
            self.project, self.project_open = plain[m.start(1) :], True
            return True
        elif self.project_open and plain.startswith("(") and plain.endswith(")"):
            self.project = f"{self.project} {plain}"  # the English name below the Thai one
            return True
        self.project_open = False
        title = "รายงาน" in plain or plain.startswith(("ประจำปีงบประมาณ", "ปีงบประมาณ"))
        return self.update(plain, title=title or len(plain) < 60) or said
