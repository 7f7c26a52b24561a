"""Sheets parsed in two threads (issue 20) come out as the one-thread parse does: same
sheets in the same order, same cells, positions, notes; an unreadable workbook fails alike."""

from __future__ import annotations

from io import BytesIO
from unittest import mock

import openpyxl
import pytest

from data_sources import excel
from data_sources.base import UnreadableFile


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    first = book.active
    first.title = "ทะเบียน"
    first.append(["รหัส", "ข้อสั่งการ", "สถานะ"])
    for i in range(300):
        first.append([f"67-{i:04d}", f"ข้อสั่งการ {i}", "ดำเนินการแล้ว" if i % 2 else None])
    book.create_sheet("ว่าง")
    late = book.create_sheet("เริ่มแถวห้า")
    late["C5"], late["D6"], late["C7"] = "หัว", 12.5, "=1/0"
    hidden = book.create_sheet("ซ่อน")
    hidden.append(["ลับ"])
    hidden.sheet_state = "hidden"
    for k in range(6):
        book.create_sheet(f"ตัวชี้วัด {k}").append([k, f"KPI {k}", None, "ผล"])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _shape(sheets: list[excel.SheetArrow]) -> list[tuple]:
    return [(s.sheet, s.first_row, s.first_col, s.notes, s.table.to_pydict()) for s in sheets]


def test_two_threads_parse_what_one_thread_parses() -> None:
    data = _workbook()
    with mock.patch.object(excel, "_cpus", return_value=2):  # the two-thread path
        parallel = excel.parse_workbook(data, "book.xlsx")
    with mock.patch.object(excel, "_cpus", return_value=1):
        single = excel.parse_workbook(data, "book.xlsx")
    assert _shape(parallel) == _shape(single)
    names = [s.sheet for s in parallel]
    assert names[:4] == ["ทะเบียน", "ว่าง", "เริ่มแถวห้า", "ซ่อน"]
    assert parallel[2].first_row == 5 and parallel[2].first_col == 2
    assert parallel[3].notes == [excel.HIDDEN_SHEET_NOTE]
    assert parallel[0].table.num_rows == 301


def test_a_broken_workbook_is_refused_alike() -> None:
    data = _workbook()[:5000]  # cut short: not a readable zip
    with pytest.raises(UnreadableFile) as parallel:
        excel.parse_workbook(data, "cut.xlsx")
    with mock.patch.object(excel, "_cpus", return_value=1), pytest.raises(UnreadableFile) as one:
        excel.parse_workbook(data, "cut.xlsx")
    assert (parallel.value.code, parallel.value.params) == (one.value.code, one.value.params)


def test_parsing_a_workbook_imports_no_pandas() -> None:
    """The sandbox child parses without pandas (it would cost ~0.3 s per upload)."""
    import subprocess
    import sys

    script = (
        "import io, sys, openpyxl\n"
        "from data_sources import excel\n"
        "book = openpyxl.Workbook(); book.active.append([None]); book.active.append(['รหัส', 1])\n"
        "buffer = io.BytesIO(); book.save(buffer)\n"
        "(sheet,) = excel.parse_workbook(buffer.getvalue(), 'x.xlsx')\n"
        "assert sheet.first_row == 2, sheet.first_row\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"
