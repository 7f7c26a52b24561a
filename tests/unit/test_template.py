"""The blank template: headers, dropdown lists, instructions, and a filled copy loads clean."""

from __future__ import annotations

import io

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string, get_column_letter

from data_sources.files import read_file
from tracker.checks.validate import has_errors
from tracker.places import districts
from tracker.present.template import (
    INSTRUCTIONS_EN,
    INSTRUCTIONS_SHEET,
    INSTRUCTIONS_TH,
    REGISTER_COLUMNS,
    REGISTER_SHEET,
    RESPONSES_SHEET,
    agency_choices,
    write_template,
)
from tracker.read.loader import build_dataset
from tracker.schema import (
    DEFAULT_GROUPS_TH,
    FACTOR_TH,
    RESPONSE_HEADERS,
    STATUS_TH,
)


@pytest.fixture(scope="module")
def blank() -> bytes:
    return write_template()


def _wb(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _named_values(wb: openpyxl.Workbook, name: str) -> list[str]:
    """The cell values a defined name (the source of a dropdown) points at."""
    values: list[str] = []
    for sheet, ref in wb.defined_names[name].destinations:
        for row in wb[sheet][ref.replace("$", "")]:
            values += [c.value for c in row]
    return values


def _validation_for(ws, header: str):
    """The data validation covering the column whose header is ``header`` (rows 2…)."""
    letter = next(c.column_letter for c in ws[1] if c.value == header)
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            if rng.min_col == column_index_from_string(letter) == rng.max_col and rng.min_row == 2:
                return dv
    return None


@pytest.mark.parametrize(
    ("sheet", "columns"),
    [(REGISTER_SHEET, REGISTER_COLUMNS), (RESPONSES_SHEET, RESPONSE_HEADERS)],
)
def test_headers_are_first_thai_aliases(blank, sheet, columns):
    ws = _wb(blank)[sheet]
    assert [c.value for c in ws[1]] == [c.aliases[0] for c in columns]
    assert ws.max_row == 1  # blank: no example rows that could be published by mistake
    assert ws.freeze_panes == "A2"


@pytest.mark.parametrize(
    ("sheet", "header", "expected", "strict"),
    [
        (REGISTER_SHEET, "สถานะ", list(STATUS_TH.values()), True),
        (REGISTER_SHEET, "ประเภทข้อสั่งการ", list(DEFAULT_GROUPS_TH), True),
        (REGISTER_SHEET, "ปัจจัยผลกระทบ", list(FACTOR_TH.values()), False),
        (REGISTER_SHEET, "หน่วยรับตรวจ", agency_choices(), True),
        (RESPONSES_SHEET, "สถานะ", list(STATUS_TH.values()), True),
    ],
)
def test_dropdown_lists(blank, sheet, header, expected, strict):
    wb = _wb(blank)
    dv = _validation_for(wb[sheet], header)
    assert dv is not None, header
    assert dv.type == "list"
    assert _named_values(wb, dv.formula1) == expected
    assert max(r.max_row for r in dv.sqref.ranges) >= 1000
    # Factors: several may be joined by ", ", so a value outside the list is not refused.
    assert bool(dv.showErrorMessage) is strict


def test_agency_list_has_every_district_office_and_the_departments():
    agencies = agency_choices()
    offices = [a for a in agencies if a.startswith("สำนักงานเขต")]
    assert len(offices) == 50
    assert {"สำนักงานเขต" + n for n in districts()["name_th"]} == set(offices)
    assert {"กองงานผู้ตรวจราชการ", "สำนักการโยธา"} <= set(agencies)
    assert len(agencies) == len(set(agencies))


def test_instructions_sheet_in_thai_and_english(blank):
    ws = _wb(blank)[INSTRUCTIONS_SHEET]
    text = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    for line in (*INSTRUCTIONS_TH, *INSTRUCTIONS_EN):
        assert line in text
    # every header of both sheets is explained (required ones marked with *)
    for col in (*REGISTER_COLUMNS, *RESPONSE_HEADERS):
        assert col.aliases[0] + (" *" if col.required else "") in text


def _filled() -> bytes:
    wb = _wb(write_template())
    reg, resp = wb[REGISTER_SHEET], wb[RESPONSES_SHEET]
    head = [c.value for c in reg[1]]
    rows = [
        {
            "รหัส": "67-1-001",
            "ปีงบประมาณ": "๒๕๖๗",
            "รอบที่": "1",
            "ผู้สั่งการ": "ปลัดกรุงเทพมหานคร",
            "วันที่สั่งการ": "23/11/2566",
            "กำหนดแล้วเสร็จ": "31 มี.ค. 2567",
            "หน่วยรับตรวจ": "สำนักงานเขตบางนา",
            "ข้อสั่งการ/ข้อเสนอแนะ": "ให้จัดระเบียบทางเท้า",
            "ประเภทข้อสั่งการ": DEFAULT_GROUPS_TH[6],
            "ปัจจัยผลกระทบ": f"{FACTOR_TH['budget']}, {FACTOR_TH['law']}",
            "สถานะ": STATUS_TH["in_progress"],
        },
        {
            "รหัส": "67-1-002",
            "ปีงบประมาณ": "2567",
            "วันที่สั่งการ": "๑ ธ.ค. ๒๕๖๖",
            "หน่วยรับตรวจ": "สำนักการโยธา",
            "ข้อสั่งการ/ข้อเสนอแนะ": "ให้ลอกท่อระบายน้ำ",
            "ประเภทข้อสั่งการ": DEFAULT_GROUPS_TH[5],
        },
        {
            "รหัส": "67-2-003",
            "ปีงบประมาณ": "2567",
            "รอบที่": "2",
            "วันที่สั่งการ": "2024-02-01",
            "หน่วยรับตรวจ": "สำนักงานเขตจตุจักร",
            "ข้อสั่งการ/ข้อเสนอแนะ": "ให้ปรับปรุงระบบรับเรื่องร้องเรียน",
            "ปัจจัยผลกระทบ": FACTOR_TH["technology"],
            "สถานะ": STATUS_TH["done"],
            "ปัญหา/อุปสรรค": "-",
        },
    ]
    for r, values in enumerate(rows, start=2):
        for key, value in values.items():
            reg[f"{get_column_letter(head.index(key) + 1)}{r}"] = value
    resp.append(["1/4/2567, 10:00:00", "67-1-001", STATUS_TH["done"], "เสร็จแล้ว", "-", "a@b.th"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_filled_template_loads_clean():
    ds = build_dataset(read_file(_filled(), name="แบบฟอร์ม.xlsx", sandbox=False))
    assert not has_errors(ds.issues), [(i.code, i.sheet, i.row, i.column) for i in ds.issues]
    warnings = {(i.code, i.sheet) for i in ds.issues if i.severity == "warning"}
    assert warnings <= {("no_table", INSTRUCTIONS_SHEET)}  # the instructions are not a table
    d = ds.directives.set_index("directive_id")
    assert list(d.index) == ["67-1-001", "67-1-002", "67-2-003"]
    assert d["status"].astype(str).to_dict() == {
        "67-1-001": "done",  # its latest Forms response wins over the register's status
        "67-1-002": "not_reported",
        "67-2-003": "done",
    }
    assert d.loc["67-1-001", ["f_budget", "f_law", "f_personnel"]].tolist() == [True, True, False]
    assert d.loc["67-1-001", "district_code"] == "1047"
    assert str(d.loc["67-1-001", "due_date"].date()) == "2024-03-31"
    assert d["fiscal_year"].tolist() == [2567, 2567, 2567]
    assert len(ds.responses) == 1


def test_blank_template_has_no_rows():
    ds = build_dataset(read_file(write_template(), name="blank.xlsx", sandbox=False))
    assert not has_errors(ds.issues)
    assert sum(len(f) for f in ds.frames().values()) == 0
