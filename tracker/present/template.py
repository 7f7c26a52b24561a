"""The blank template workbook analysts fill in: canonical columns, dropdown lists, instructions.

Headers are the first Thai alias of each register / Forms-responses column (tracker/schema.py),
so a filled template is read by the same loader as any other file. Dropdowns (data validation)
offer the statuses, the directive groups, the impact factors and the inspected units; the
lists live on the instructions sheet under headers that are not column aliases, so that sheet
is never mistaken for a table.
"""

from __future__ import annotations

import io
from pathlib import Path

import xlsxwriter

from tracker import DATA_DIR
from tracker.places import OFFICE_PREFIX, districts
from tracker.schema import (
    DEFAULT_GROUPS_TH,
    DIRECTIVE_HEADERS,
    FACTOR_TH,
    FACTORS,
    RESPONSE_HEADERS,
    STATUS_TH,
    STATUSES,
    Column,
)

REGISTER_SHEET = "ข้อสั่งการ"
RESPONSES_SHEET = "รายงานผล"
INSTRUCTIONS_SHEET = "คำอธิบาย"
DATA_ROWS = 5000  # rows below the header that carry the dropdowns and text formats

# Columns typed as text so Excel keeps "0012", "23/11/2566" or "๒๓ พ.ย. ๖๖" exactly as typed.
TEXT_COLUMNS = frozenset(
    {"directive_id", "issued_date", "due_date", "reported_at", "submitted_at", "factors"}
)
WIDTHS = {"text": 60, "detail": 45, "obstacle": 35, "agency": 30, "group": 34, "factors": 40}

# (list key, header on the instructions sheet, values) — headers must not be column aliases.
LIST_HEADERS = {
    "status": "ค่าที่เลือกได้: สถานะ / Allowed: status",
    "group": "ค่าที่เลือกได้: ประเภท / Allowed: group",
    "factors": "ค่าที่เลือกได้: ปัจจัย / Allowed: factors",
    "agency": "ค่าที่เลือกได้: หน่วยรับตรวจ / Allowed: units",
}

DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "directive_id": ("รหัสข้อสั่งการ ไม่ซ้ำกัน เช่น 67-1-001", "Unique directive id, e.g. 67-1-001"),
    "fiscal_year": ("ปีงบประมาณ พ.ศ. เช่น 2567", "Fiscal year in Buddhist Era, e.g. 2567"),
    "round": ("รอบการตรวจ 1 หรือ 2", "Inspection round, 1 or 2"),
    "issued_by": (
        "ผู้สั่งการ เช่น ปลัดกรุงเทพมหานคร หรือ ผู้ตรวจราชการกรุงเทพมหานคร",
        "Who issued it, e.g. the Permanent Secretary or a BMA inspector",
    ),
    "issued_date": ("วันที่สั่งการ เช่น 23/11/2566 หรือ 23 พ.ย. 2566", "Date issued, e.g. 23/11/2566"),
    "due_date": ("กำหนดแล้วเสร็จ (ถ้ามี) รูปแบบเดียวกับวันที่สั่งการ", "Due date (optional), same format"),
    "agency": ("หน่วยรับตรวจ เลือกจากรายการ", "Inspected unit: pick from the list"),
    "district": (
        "เขต (เว้นว่างได้ ระบบหาจากชื่อสำนักงานเขต)",
        "District (may be blank: taken from the district office name)",
    ),
    "text": ("ข้อความข้อสั่งการหรือข้อเสนอแนะ", "The directive or recommendation itself"),
    "group": ("ประเภทข้อสั่งการ เลือกจากรายการ", "Directive group: pick from the list"),
    "factors": (
        'ปัจจัยผลกระทบ เลือกได้หลายข้อ คั่นด้วย ", " (จุลภาคและเว้นวรรค)',
        'Impact factors: several allowed, separated by ", "',
    ),
    "status": (
        "สถานะ เลือกจากรายการ เว้นว่าง = ยังไม่รายงานผล",
        "Status: pick from the list; blank means not reported",
    ),
    "detail": ("รายละเอียดผลการดำเนินการ", "What was done"),
    "obstacle": ("ปัญหา/อุปสรรค ใส่ - ถ้าไม่มี", 'Obstacles; "-" if none'),
    "reported_at": ("วันที่รายงานผล", "Date of the report"),
    "submitted_at": (
        "วันเวลาที่ส่งรายงาน เช่น 23/11/2566, 14:05:22",
        "When the report was sent, e.g. 23/11/2566, 14:05:22",
    ),
    "reporter": ("ผู้รายงานหรืออีเมล", "Reporter or e-mail"),
}

INSTRUCTIONS_TH = (
    "วิธีใช้แบบฟอร์ม",
    f'1. กรอกข้อสั่งการในแผ่นงาน "{REGISTER_SHEET}" หนึ่งแถวต่อหนึ่งข้อสั่งการ ห้ามแก้ไขหรือย้ายแถวหัวตาราง',
    "2. สถานะ ประเภท ปัจจัยผลกระทบ และหน่วยรับตรวจ มีรายการให้เลือก (ลูกศรในช่อง)",
    '3. ปัจจัยผลกระทบเลือกได้หลายข้อ ให้พิมพ์คั่นด้วย ", " หรือใส่รหัส 2.1–2.5',
    "4. วันที่พิมพ์แบบ พ.ศ. ได้ เช่น 23/11/2566 หรือ 23 พ.ย. 2566 ตัวเลขไทยใช้ได้",
    f'5. ถ้ารับผลผ่าน Google Forms ให้วางคำตอบในแผ่นงาน "{RESPONSES_SHEET}" สถานะล่าสุดของแต่ละรหัสจะถูกใช้',
    '6. บันทึกเป็น .xlsx แล้วอัปโหลดที่หน้า "อัปโหลด" ระบบจะตรวจและแสดงรายการที่ต้องแก้ก่อนเผยแพร่',
)
INSTRUCTIONS_EN = (
    "How to use this template",
    f'1. Enter directives on the "{REGISTER_SHEET}" sheet, one row each; do not change or '
    "move the header row.",
    "2. Status, group, impact factors and unit have dropdown lists (the arrow in the cell).",
    '3. Several impact factors may be given, separated by ", " (or codes 2.1–2.5).',
    "4. Dates may be typed in Buddhist Era (23/11/2566 or 23 พ.ย. 2566); Thai digits are fine.",
    f'5. Google Forms answers go on the "{RESPONSES_SHEET}" sheet; each id\'s latest '
    "answer sets its status.",
    '6. Save as .xlsx and upload it on the "Upload" page: it is checked and every problem is '
    "listed before anything is published.",
)


# The template's register columns: the canonical ones (a running number is only an alternative
# to the id for registers kept by hand, so the template does not offer it).
REGISTER_COLUMNS: tuple[Column, ...] = tuple(c for c in DIRECTIVE_HEADERS if c.key != "seq_no")


def agency_choices() -> list[str]:
    """The 50 district offices ("สำนักงานเขต…") then the departments in data/departments.txt."""
    offices = [OFFICE_PREFIX + name for name in districts()["name_th"].tolist()]
    lines = (DATA_DIR / "departments.txt").read_text(encoding="utf-8").splitlines()
    departments = [x.strip() for x in lines if x.strip() and not x.lstrip().startswith("#")]
    return offices + [d for d in departments if d not in offices]


def choices() -> dict[str, list[str]]:
    """The dropdown values per list key (status, group, factors, agency)."""
    return {
        "status": [STATUS_TH[s] for s in STATUSES],
        "group": list(DEFAULT_GROUPS_TH),
        "factors": [FACTOR_TH[f] for f in FACTORS],
        "agency": agency_choices(),
    }


def headers(columns: tuple[Column, ...]) -> list[str]:
    """The template's header row: the first (Thai) alias of each column."""
    return [c.aliases[0] for c in columns]


def _col_letter(index0: int) -> str:
    return xlsxwriter.utility.xl_col_to_name(index0)


def write_template(target: str | Path | io.BytesIO | None = None) -> bytes:
    """Write the blank template (to ``target`` if given) and return its bytes."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"title": "แบบฟอร์มติดตามข้อสั่งการ / Directive follow-up template"})
    head = wb.add_format(
        {"bold": True, "bg_color": "#dbe7f6", "border": 1, "text_wrap": True, "valign": "top"}
    )
    text = wb.add_format({"num_format": "@"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    title = wb.add_format({"bold": True, "font_size": 14})
    bold = wb.add_format({"bold": True})

    lists = choices()
    register = wb.add_worksheet(REGISTER_SHEET)
    responses = wb.add_worksheet(RESPONSES_SHEET)
    info = wb.add_worksheet(INSTRUCTIONS_SHEET)

    # Lists on the instructions sheet (columns G…J), named so validations can refer to them.
    list_col0 = 6
    for j, (key, header) in enumerate(LIST_HEADERS.items()):
        at = list_col0 + j
        info.write(0, at, header, head)
        for i, value in enumerate(lists[key], start=1):
            info.write_string(i, at, value)
        info.set_column(at, at, 46 if key == "factors" else 34)
        letter = _col_letter(at)
        wb.define_name(
            f"list_{key}", f"='{INSTRUCTIONS_SHEET}'!${letter}$2:${letter}${len(lists[key]) + 1}"
        )

    def sheet(ws, columns: tuple[Column, ...]) -> None:
        for j, col in enumerate(columns):
            ws.write_string(0, j, col.aliases[0], head)
            width = WIDTHS.get(col.key, 18)
            ws.set_column(j, j, width, text if col.key in TEXT_COLUMNS else None)
            if col.key in lists and ws.data_validation(1, j, DATA_ROWS, j, _validation(col.key)):
                raise ValueError(f"invalid data validation for {col.key}")  # a template bug
        ws.freeze_panes(1, 0)
        ws.set_row(0, 36)

    sheet(register, REGISTER_COLUMNS)
    sheet(responses, RESPONSE_HEADERS)
    register.activate()

    row = 0
    info.write(row, 0, "แบบฟอร์มติดตามข้อสั่งการ / Directive follow-up template", title)
    row += 2
    for line in INSTRUCTIONS_TH:
        info.write_string(row, 0, line, bold if line == INSTRUCTIONS_TH[0] else None)
        row += 1
    row += 1
    for line in INSTRUCTIONS_EN:
        info.write_string(row, 0, line, bold if line == INSTRUCTIONS_EN[0] else None)
        row += 1
    row += 1
    info.write_row(
        row,
        0,
        ["ชื่อหัวคอลัมน์ / Header", "แผ่นงาน / Sheet", "คำอธิบาย (ไทย)", "Explanation (English)"],
        head,
    )
    row += 1
    for sheet_name, columns in (
        (REGISTER_SHEET, REGISTER_COLUMNS),
        (RESPONSES_SHEET, RESPONSE_HEADERS),
    ):
        for col in columns:
            th, en = DESCRIPTIONS.get(col.key, ("", ""))
            must = " *" if col.required else ""
            info.write_string(row, 0, f"{col.aliases[0]}{must}")
            info.write_string(row, 1, sheet_name)
            info.write_string(row, 2, th, wrap)
            info.write_string(row, 3, en, wrap)
            row += 1
    info.write_string(row + 1, 0, "* = ต้องกรอก / required")
    info.set_column(0, 0, 34)
    info.set_column(1, 1, 14)
    info.set_column(2, 3, 48)
    wb.close()
    data = buf.getvalue()
    if isinstance(target, io.BytesIO):
        target.write(data)
    elif target is not None:
        Path(target).write_bytes(data)
    return data


def _validation(key: str) -> dict:
    """Data-validation options of one dropdown (factors accept several values joined by ", ")."""
    prompts = {
        "status": (
            "สถานะ / Status",
            "เลือกจากรายการ เว้นว่าง = ยังไม่รายงานผล\nPick one; blank = not reported",
        ),
        "group": ("ประเภท / Group", "เลือกจากรายการ\nPick from the list"),
        "factors": (
            "ปัจจัยผลกระทบ / Factors",
            'เลือกหนึ่งข้อ หรือพิมพ์หลายข้อคั่นด้วย ", "\nPick one, or type several joined by ", "',
        ),
        "agency": ("หน่วยรับตรวจ / Unit", "เลือกจากรายการ\nPick from the list"),
    }
    input_title, message = prompts[key]
    opts: dict = {
        "validate": "list",
        "source": f"=list_{key}",
        "input_title": input_title,
        "input_message": message,
        "ignore_blank": True,
    }
    if key == "factors":
        opts["show_error"] = False  # a cell may hold several factors joined by ", "
    else:
        opts.update(
            error_type="warning",
            error_title="ไม่อยู่ในรายการ / Not listed",
            error_message="ค่านี้ไม่อยู่ในรายการ ระบบจะตรวจเมื่ออัปโหลด\n"
            "This value is not in the list; it will be checked on upload.",
        )
    return opts
