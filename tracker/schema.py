"""Canonical tables, enums and header aliases (what is declared; validate.py checks it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- statuses -------------------------------------------------------------------------------
STATUSES: tuple[str, ...] = ("done", "in_progress", "cannot", "not_reported")
STATUS_TH = {
    "done": "ดำเนินการแล้ว",
    "in_progress": "อยู่ระหว่างการดำเนินการ",
    "cannot": "ไม่สามารถดำเนินการได้",
    "not_reported": "ยังไม่รายงานผล",
}
STATUS_EN = {
    "done": "Done",
    "in_progress": "In progress",
    "cannot": "Cannot be done",
    "not_reported": "Not reported",
}
# Fixed colours, same on every chart.
STATUS_COLORS = {
    "done": "#2e7d32",
    "in_progress": "#f9a825",
    "cannot": "#c62828",
    "not_reported": "#9e9e9e",
}
STATUS_ALIASES: dict[str, str] = {
    "ดำเนินการแล้ว": "done",
    "ดำเนินการแล้วเสร็จ": "done",
    "แล้วเสร็จ": "done",
    "เสร็จสิ้น": "done",
    "เสร็จแล้ว": "done",
    "ดำเนินการเสร็จแล้ว": "done",
    "ดำเนินการเสร็จสิ้น": "done",
    "ดำเนินการเรียบร้อยแล้ว": "done",
    "ดำเนินการเรียบร้อย": "done",
    "done": "done",
    "completed": "done",
    "อยู่ระหว่างการดำเนินการ": "in_progress",
    "อยู่ระหว่างดำเนินการ": "in_progress",
    "กำลังดำเนินการ": "in_progress",
    "in progress": "in_progress",
    "in_progress": "in_progress",
    "ongoing": "in_progress",
    "ไม่สามารถดำเนินการได้": "cannot",
    "ไม่สามารถดำเนินการ": "cannot",
    "cannot": "cannot",
    "cannot be done": "cannot",
    "cannot do": "cannot",
    "ยังไม่รายงานผล": "not_reported",
    "ยังไม่รายงาน": "not_reported",
    "ไม่รายงาน": "not_reported",
    "ยังไม่ได้รายงาน": "not_reported",
    "ยังไม่ได้รายงานผล": "not_reported",
    "not reported": "not_reported",
    "not_reported": "not_reported",
}

# --- impact factors -------------------------------------------------------------------------
FACTORS: tuple[str, ...] = ("personnel", "budget", "process", "technology", "law")
FACTOR_TH = {
    "personnel": "ด้านบุคลากร อัตรากำลัง และโครงสร้างของหน่วยงาน",
    "budget": "ด้านงบประมาณของหน่วยงาน",
    "process": "ด้านวิธีปฏิบัติงาน การบริหารจัดการภายในหน่วยงานให้เกิดประสิทธิภาพและประสิทธิผล",
    "technology": "ด้านเทคโนโลยี ทั้ง software และ hardware ของหน่วยงาน",
    "law": "ด้านกฎหมาย ระเบียบ คำสั่ง ข้อสั่งการต่างๆ ในการดำเนินงานของหน่วยงาน",
}
FACTOR_SHORT_TH = {
    "personnel": "บุคลากร",
    "budget": "งบประมาณ",
    "process": "วิธีปฏิบัติงาน",
    "technology": "เทคโนโลยี",
    "law": "กฎหมาย",
}
FACTOR_EN = {
    "personnel": "Personnel",
    "budget": "Budget",
    "process": "Work process",
    "technology": "Technology",
    "law": "Law and rules",
}
FACTOR_COLUMNS = tuple(f"f_{k}" for k in FACTORS)

# --- directive groups (editable taxonomy; default illustrative list: docs/domain.md §1) -----------
DEFAULT_GROUPS_TH: tuple[str, ...] = (
    "การบริหารจัดการและการวางแผน",
    "บุคลากรและอัตรากำลัง",
    "งบประมาณ การเงิน และรายได้",
    "การให้บริการประชาชนและเรื่องร้องเรียน",
    "ความสะอาดและสิ่งแวดล้อม",
    "โยธา ระบายน้ำ และโครงสร้างพื้นฐาน",
    "การจัดระเบียบทางเท้าและหาบเร่-แผงลอย",
    "ความปลอดภัยและสาธารณภัย",
    "เทคโนโลยีสารสนเทศและข้อมูล",
    "กฎหมาย ระเบียบ และการตรวจสอบ",
)
DEFAULT_GROUPS_EN: tuple[str, ...] = (
    "Management and planning",
    "Personnel and staffing",
    "Budget, finance and revenue",
    "Public service and complaints",
    "Cleanliness and environment",
    "Public works, drainage and infrastructure",
    "Footpaths and street vendors",
    "Safety and disasters",
    "IT and data",
    "Law, rules and audit",
)

# --- budget types -----------------------------------------------------------------------------
BUDGET_TYPES: tuple[str, ...] = (
    "carryover",
    "operating",
    "investment",
    "subsidy",
    "other",
    "central",
)
BUDGET_TYPE_TH = {
    "carryover": "งบประมาณกันเงินไว้เบิกเหลื่อมปี",
    "operating": "งบดำเนินงาน",
    "investment": "งบลงทุน",
    "subsidy": "งบเงินอุดหนุน",
    "other": "งบรายจ่ายอื่น",
    "central": "งบกลาง",
    "total": "รวมทั้งสิ้น",
}
BUDGET_TYPE_EN = {
    "carryover": "Carry-over",
    "operating": "Operating",
    "investment": "Investment",
    "subsidy": "Subsidy",
    "other": "Other expenditure",
    "central": "Central fund",
    "total": "Total",
}

# --- KPIs (docs/domain.md §2) ------------------------------------------------------------------
PERIODS: tuple[str, ...] = ("Q1", "Q2", "Q3", "Q4")
MEASURES: tuple[str, ...] = ("level", "percent")
STAGES: tuple[str, ...] = ("developing", "trialling", "in_use")  # of an innovation (component 2)
STAGE_TH = {
    "developing": "อยู่ระหว่างการพัฒนา",
    "trialling": "พัฒนาเสร็จแล้ว อยู่ระหว่างการทดลองใช้",
    "in_use": "นำไปใช้ประโยชน์แล้ว",
}
STAGE_EN = {"developing": "Under development", "trialling": "Trialling", "in_use": "In use"}
KPI_TEXT_COLUMNS: tuple[str, ...] = ("detail", "project", "evidence", "obstacle")

# --- table kinds and their columns -------------------------------------------------------------
TABLE_KINDS: tuple[str, ...] = ("directives", "responses", "kpis", "budget")

DIRECTIVE_COLUMNS: tuple[str, ...] = (
    "directive_id",
    "fiscal_year",
    "round",
    "issued_by",
    "issued_date",
    "due_date",
    "agency",
    "district_code",
    "text",
    "group",
    *FACTOR_COLUMNS,
    "status",
    "detail",
    "obstacle",
    "reported_at",
    "source",
    "sheet",
    "row",
)
RESPONSE_COLUMNS: tuple[str, ...] = (
    "submitted_at",
    "directive_id",
    "status",
    "detail",
    "obstacle",
    "reporter",
    "source",
    "sheet",
    "row",
)
KPI_COLUMNS: tuple[str, ...] = (
    "unit",
    "fiscal_year",
    "period",
    "component",
    "kpi_code",
    "kpi",
    "measure",
    "target",
    "actual",
    "achievement_pct",
    "detail",
    "project",
    "evidence",
    "obstacle",
    "stage",
    "source",
    "sheet",
    "row",
)
BUDGET_COLUMNS: tuple[str, ...] = (
    "unit",
    "fiscal_year",
    "as_of",
    "budget_type",
    "allocated",
    "disbursed",
    "rate_pct",
    "source",
    "sheet",
    "row",
)


@dataclass(frozen=True)
class Column:
    key: str
    aliases: tuple[str, ...]
    required: bool = False


def header_key(text: object) -> str:
    """Normalise a header for alias matching: trim, lower-case, drop all whitespace and '*'."""
    if text is None:
        return ""
    s = str(text)
    return re.sub(r"[\s\*:：]+", "", s).lower()


# The header over the impact factors: one column of factor names, or a group label merged
# over one ✓/x column per factor ("ปัจจัยผลกระทบ" › "บุคลากร | งบประมาณ | …").
FACTOR_GROUP_HEADERS: tuple[str, ...] = (
    "ปัจจัยผลกระทบ",
    "ปัจจัยที่ส่งผลกระทบ",
    "ปัจจัยที่มีผลกระทบ",
    "ปัจจัย",
    "impact factors",
    "impact factor",
    "factors",
    "factor",
)


def _factor_flag_aliases(key: str, number: int) -> tuple[str, ...]:
    """A factor's own column: its name joined to the group label above it (the header reader
    joins a column's labels top to bottom), never the bare name ("งบประมาณ" alone is no factor)."""
    names = (
        FACTOR_SHORT_TH[key],
        f"ด้าน{FACTOR_SHORT_TH[key]}",
        FACTOR_TH[key],
        FACTOR_EN[key],
        key,
        f"2.{number}",
    )
    joined = tuple(header_key(g + n) for g in FACTOR_GROUP_HEADERS for n in names)
    return (*joined, f"f_{key}")


FACTOR_FLAG_ALIASES: dict[str, tuple[str, ...]] = {
    k: _factor_flag_aliases(k, i) for i, k in enumerate(FACTORS, start=1)
}

# Register (one sheet with status, or the register of the Forms shape).
DIRECTIVE_HEADERS: tuple[Column, ...] = (
    Column(
        "directive_id",
        (
            "รหัส",
            "รหัสข้อสั่งการ",
            "ลำดับข้อสั่งการ",
            "เลขที่ข้อสั่งการ",
            "รหัสข้อเสนอแนะ",
            "directive id",
            "directive_id",
            "id",
        ),
    ),
    # optional: inferred from dates, title lines or names when absent (normalize.directives)
    Column("fiscal_year", ("ปีงบประมาณ", "ปีงบ", "ปีงบประมาณพ.ศ.", "fiscal year", "fy")),
    # a running number typed instead of an id: made unique by fiscal year and round
    Column(
        "seq_no",
        ("ลำดับ", "ลำดับที่", "ที่", "เลขที่", "no.", "no", "#", "item", "item no.", "seq", "seq."),
    ),
    Column("round", ("รอบที่", "รอบการตรวจ", "รอบ", "round")),
    Column("issued_by", ("ผู้สั่งการ", "ผู้ให้ข้อสั่งการ", "issued by", "issuer")),
    Column(
        "issued_date", ("วันที่สั่งการ", "วันที่ออกข้อสั่งการ", "issued date", "issue date", "date issued")
    ),
    Column(
        "due_date",
        (
            "กำหนดแล้วเสร็จ",
            "วันที่กำหนดแล้วเสร็จ",
            "กำหนดเสร็จ",
            "วันครบกำหนด",
            "วันที่ครบกำหนด",
            "ครบกำหนด",
            "ระยะเวลาแล้วเสร็จ",
            "due date",
            "due",
            "deadline",
            "completion date",
            "target date",
            "time frame",
        ),
    ),
    Column(
        "agency",
        (
            "หน่วยรับตรวจ",
            "หน่วยงาน",
            "หน่วยงานรับตรวจ",
            "หน่วยงานที่รับผิดชอบ",
            "หน่วยงานผู้รับผิดชอบ",
            "agency",
            "unit",
            "inspected unit",
            "responsible unit",
            "responsible agency",
            "responsible department",
        ),
        True,
    ),
    Column("district", ("เขต", "district")),
    Column(
        "text",
        (
            "ข้อสั่งการ/ข้อเสนอแนะ",
            "ข้อสั่งการ",
            "ข้อเสนอแนะ",
            "ข้อเสนอแนะของผู้ตรวจราชการ",
            "directive",
            "recommendation",
            "recommendations",
            "inspector's recommendation",
            "inspector recommendation",
            "inspector's recommendations",
            "directive text",
            "text",
        ),
        True,
    ),
    Column("group", ("ประเภทข้อสั่งการ", "กลุ่มข้อสั่งการ", "ประเภท", "group", "category")),
    Column("factors", FACTOR_GROUP_HEADERS),
    # one ✓/x column per factor under a merged "ปัจจัยผลกระทบ" (see FACTOR_FLAG_ALIASES)
    *(Column(f"f_{k}", FACTOR_FLAG_ALIASES[k]) for k in FACTORS),
    Column(
        "status",
        (
            "สถานะ",
            "สถานะการดำเนินการ",
            "สถานะการดำเนินงาน",
            "ผลการดำเนินการ",
            "ผลการดำเนินงาน",
            "ความคืบหน้า",
            "status",
            "progress",
            "implementation status",
            "progress status",
            "status of implementation",
        ),
    ),
    Column("detail", ("รายละเอียดผลการดำเนินการ", "รายละเอียด", "detail", "details")),
    Column("obstacle", ("ปัญหา/อุปสรรค", "ปัญหาอุปสรรค", "ปัญหา", "อุปสรรค", "obstacle", "obstacles")),
    Column("reported_at", ("วันที่รายงาน", "วันที่รายงานผล", "reported at", "report date")),
)

# Google Forms responses.
RESPONSE_HEADERS: tuple[Column, ...] = (
    Column("submitted_at", ("ประทับเวลา", "timestamp", "วันที่ส่ง", "submitted at"), True),
    Column("directive_id", DIRECTIVE_HEADERS[0].aliases, True),
    Column("status", ("สถานะ", "สถานะการดำเนินการ", "ผลการดำเนินการ", "status"), True),
    Column("detail", ("รายละเอียดผลการดำเนินการ", "รายละเอียด", "detail", "details")),
    Column("obstacle", ("ปัญหา/อุปสรรค", "ปัญหาอุปสรรค", "ปัญหา", "อุปสรรค", "obstacle", "obstacles")),
    Column(
        "reporter",
        ("ผู้รายงาน", "ชื่อผู้รายงาน", "อีเมล", "ที่อยู่อีเมล", "email address", "reporter", "reported by"),
    ),
)

KPI_HEADERS: tuple[Column, ...] = (
    Column("kpi", ("ตัวชี้วัด", "kpi", "indicator"), True),
    Column("target", ("ค่าเป้าหมาย", "เป้าหมาย", "target"), True),
    Column(
        "actual",
        ("ระดับความสำเร็จตามตัวชี้วัด", "ระดับความสำเร็จ", "ผลการดำเนินงาน", "achieved", "actual", "result"),
        True,
    ),
    Column(
        "detail", ("รายละเอียดผลการดำเนินงานตามตัวชี้วัด", "รายละเอียดผลการดำเนินงาน", "detail", "details")
    ),
    Column("project", ("โครงการ/กิจกรรมสนับสนุน", "โครงการ", "project")),
    Column("evidence", ("หลักฐานอ้างอิง", "หลักฐาน", "evidence")),
    Column("obstacle", ("ปัญหา/อุปสรรค", "ปัญหาอุปสรรค", "obstacle", "obstacles")),
    Column("unit", ("หน่วยงาน", "หน่วยรับตรวจ", "unit", "agency")),
    Column("fiscal_year", ("ปีงบประมาณ", "fiscal year", "fy")),
    Column("period", ("ไตรมาส", "รอบรายงาน", "period", "quarter")),
)

BUDGET_HEADERS: tuple[Column, ...] = (
    Column(
        "budget_type",
        (
            "ประเภทงบประมาณ",
            "งบรายจ่าย",
            "รายการ",
            "ประเภทงบ",
            "budget type",
            "type",
            "ประเภทงบรายจ่าย",
            "ประเภทรายจ่าย",
        ),
        True,
    ),
    Column(
        "allocated",
        (
            "งบประมาณหลังปรับโอน",
            "งบประมาณหลังโอนเปลี่ยนแปลง",
            "งบประมาณที่ได้รับ",
            "allocated",
            "allocated after transfers",
        ),
        True,
    ),
    Column("disbursed", ("ผลการเบิกจ่าย", "เบิกจ่าย", "disbursed"), True),
    Column("rate_pct", ("ร้อยละการเบิกจ่าย", "ร้อยละ", "rate", "rate %", "disbursement rate")),
    Column("unit", ("หน่วยงาน", "หน่วยรับตรวจ", "unit", "agency")),
    Column("fiscal_year", ("ปีงบประมาณ", "fiscal year", "fy")),
    Column("as_of", ("ข้อมูลณวันที่", "ณวันที่", "as of", "as_of", "วันที่ข้อมูล", "as of date")),
)

# The innovation table of component 2 as the report form prints it: "นวัตกรรมที่พัฒนา* (ระบุ
# ผลผลิต (Output) ให้ชัดเจน) | ขั้นตอนการดำเนินการ | รายละเอียดผลการดำเนินการ | ปัญหา/อุปสรรค";
# the stage is the ticked box of the steps column. Read into the ``kpis`` frame (component "2").
INNOVATION_HEADERS: tuple[Column, ...] = (
    Column(
        "innovation",
        (
            "นวัตกรรมที่พัฒนา",
            "นวัตกรรมที่พัฒนาขึ้น",
            "ชื่อนวัตกรรม",
            "นวัตกรรม",
            "innovation",
            "innovation developed",
        ),
        True,
    ),
    Column(
        "steps",
        ("ขั้นตอนการดำเนินการ", "ขั้นตอนการดำเนินงาน", "ขั้นตอนการพัฒนา", "สถานะนวัตกรรม", "steps", "stage"),
    ),
    Column("detail", ("รายละเอียดผลการดำเนินการ", "รายละเอียดผลการดำเนินงาน", "detail", "details")),
    Column("obstacle", ("ปัญหา/อุปสรรค", "ปัญหาอุปสรรค", "obstacle", "obstacles")),
    Column("project", ("ชื่อโครงการ", "project")),
    *(c for c in KPI_HEADERS if c.key in ("unit", "fiscal_year", "period")),
)

# A KPI reported as text only (no target / achieved columns), e.g. 3.1 digital transformation:
# "ตัวชี้วัด | รายละเอียดผลการดำเนินงาน | ปัญหา /อุปสรรค" with a checklist in the detail.
# Read into the ``kpis`` frame; the achieved percent is the share of checklist items ticked.
KPI_TEXT_HEADERS: tuple[Column, ...] = tuple(
    Column(c.key, c.aliases, True) if c.key == "detail" else c
    for c in KPI_HEADERS
    if c.key not in ("target", "actual")
)

TABLE_HEADERS: dict[str, tuple[Column, ...]] = {
    "directives": DIRECTIVE_HEADERS,
    "responses": RESPONSE_HEADERS,
    "kpis": KPI_HEADERS,
    "budget": BUDGET_HEADERS,
    "innovation": INNOVATION_HEADERS,
    "kpi_text": KPI_TEXT_HEADERS,
}

# The canonical frame (TABLE_KINDS) each table kind fills, when it is not its own.
TABLE_FRAME: dict[str, str] = {"innovation": "kpis", "kpi_text": "kpis"}
