"""Registers typed the way people type them (tests/helpers/typed.py: written by hand as .xlsx
with openpyxl and as .ods with odfpy): merged headers of two and three rows, a header typed
again after a section row, section rows setting the round, the unit and the district group,
no fiscal-year column, a running number as id, subtotal, blank and note rows, a missing
column reported together with every bad value, and a KPI table whose quarter and units are
section rows. The command line gives the same report as
the Upload page (tracker.publish.flow.prepare) for every one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import typed
from tracker.publish import flow as pub

ROOT = Path(__file__).resolve().parents[2]
FORMATS = ("xlsx", "ods")
FIXTURES = (
    "two_row_header",
    "three_row_header",
    "zones_and_units",
    "no_year",
    "missing_column_and_bad_statuses",
    "kpis_by_unit",
)


def _page(name: str, fmt: str, **kw) -> pub.Prepared:
    data = typed.write(getattr(typed, name)(), fmt)
    return pub.prepare([(f"{name}.{fmt}", data)], sandbox=False, **kw)


def _codes(issues, severity: str | None = None) -> list[str]:
    return [i.code for i in issues if severity is None or i.severity == severity]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_two_row_merged_header_with_the_header_typed_again_after_a_section_row(fmt):
    p = _page("two_row_header", fmt)
    d = p.dataset.directives
    assert d["directive_id"].tolist() == ["2567-1-1", "2567-1-2", "2567-2-1", "2567-2-2"]
    assert d["round"].tolist() == [1, 1, 2, 2]
    # "ผลการดำเนินการ" merged over "สถานะ | รายละเอียด": status and detail, not one status
    assert d["status"].astype(str).tolist() == ["done", "in_progress", "not_reported", "cannot"]
    assert d["detail"].tolist() == ["ซ่อมแล้วเสร็จ", None, None, "ติดระเบียบ"]
    assert d["row"].tolist() == [6, 7, 11, 12]
    assert _codes(p.issues, "error") == []
    assert _codes(p.issues, "warning") == ["fiscal_year_from_title", "id_from_running_number"]
    info = [(i.code, i.row) for i in p.issues if i.severity == "info"]
    assert ("repeated_header", 9) in info and ("repeated_header", 10) in info
    assert ("section_row", 5) in info and ("section_row", 8) in info


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_three_row_merged_header_with_subtotal_blank_and_note_rows(fmt):
    p = _page("three_row_header", fmt)
    d = p.dataset.directives
    assert d["row"].tolist() == [5, 6, 8]  # header rows 2–4; blank, subtotal, notes skipped
    assert d["agency"].astype(str).tolist() == [
        "สำนักงานเขตบางนา",
        "สำนักการโยธา",
        "สำนักงานเขตคลองเตย",
    ]
    assert d["status"].astype(str).tolist() == ["done", "not_reported", "in_progress"]
    # "รายละเอียด" › "ผลการดำเนินการ" is the detail (not a second status)
    assert d["detail"].tolist() == ["เสร็จ", None, None]
    assert d["obstacle"].tolist() == [None, None, "งบประมาณ"]
    # "วันที่" › "สั่งการ" / "ครบกำหนด"
    assert [str(x.date()) for x in d["issued_date"]] == ["2023-11-23", "2023-10-05", "2023-12-01"]
    assert str(d["due_date"].iloc[1].date()) == "2024-09-30"
    assert d["fiscal_year"].tolist() == [2567] * 3  # from the dates, with a warning
    assert d["directive_id"].tolist() == ["2567-1", "2567-2", "2567-3"]
    assert _codes(p.issues, "error") == []
    assert _codes(p.issues, "warning") == ["fiscal_year_from_dates", "id_from_running_number"]
    info = [(i.code, i.row, i.value) for i in p.issues if i.severity == "info"]
    assert ("subtotal_row", 9, "รวม") in info
    assert [r for c, r, _ in info if c == "note_row"] == [10, 11, 12]
    assert ("blank_rows", 7, "1") in info


@pytest.mark.parametrize("fmt", FORMATS)
def test_section_rows_give_the_round_the_unit_and_check_the_district_group(fmt):
    p = _page("zones_and_units", fmt)
    d = p.dataset.directives
    assert d["agency"].astype(str).tolist() == [
        "สำนักงานเขตบางนา",
        "สำนักงานเขตบางนา",
        "สำนักงานเขตคลองเตย",
        "สำนักงานเขตจอมทอง",
        "สำนักงานเขตดุสิต",
    ]
    assert d["district_code"].tolist() == ["1047", "1047", "1033", "1035", "1002"]
    assert d["round"].tolist() == [1] * 5
    assert d["directive_id"].tolist() == [f"2567-1-{n}" for n in range(1, 6)]
    assert _codes(p.issues, "error") == []
    outside = [i for i in p.issues if i.code == "agency_outside_zone"]
    assert [(i.row, i.value) for i in outside] == [(15, "สำนักงานเขตดุสิต")]
    assert "กรุงธนใต้" in outside[0].message_th and "district group" in outside[0].message_en
    sections = [i.value for i in p.issues if i.code == "section_row"]
    assert sections[:3] == ["ไตรมาสที่ ๒", "รอบที่ ๑", "กลุ่มกรุงเทพใต้"]
    assert p.can_publish


@pytest.mark.parametrize("fmt", FORMATS)
def test_section_rows_give_a_kpi_table_its_quarter_and_units(fmt):
    p = _page("kpis_by_unit", fmt)
    k = p.dataset.kpis
    assert k["unit"].astype(str).tolist() == ["สำนักงานเขตบางนา", "สำนักการโยธา"]
    assert k["period"].astype(str).tolist() == ["Q2", "Q2"]
    assert k["fiscal_year"].tolist() == [2567, 2567]
    assert k["actual"].tolist() == [3.0, 4.0]
    assert _codes(p.issues, "error") == []
    assert [i.row for i in p.issues if i.code == "section_row"] == [3, 4, 6]


@pytest.mark.parametrize("fmt", FORMATS)
def test_without_any_year_the_fiscal_year_is_asked_for(fmt):
    refused = _page("no_year", fmt)
    assert _codes(refused.issues, "error") == ["register_without_fiscal_year"]
    assert not refused.can_publish
    given = _page("no_year", fmt, fiscal_year=2567)
    assert _codes(given.issues, "error") == []
    assert given.dataset.directives["directive_id"].tolist() == ["2567-1", "2567-2"]
    assert "fiscal_year_from_given" in _codes(given.issues, "warning")


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_missing_column_and_five_bad_statuses_are_six_errors_in_one_report(fmt):
    p = _page("missing_column_and_bad_statuses", fmt)
    errors = [(i.code, i.row) for i in p.issues if i.severity == "error"]
    assert errors == [("missing_column", 2)] + [("unknown_status", r) for r in range(3, 8)]
    assert p.counts["directives"] == 0 and not p.can_publish


def _cli_report(path: Path, *extra: str) -> tuple[int, list[dict]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "validate", str(path), "--json", *extra],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)["issues"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", FIXTURES)
def test_the_command_line_gives_the_same_report_as_the_page(tmp_path, name, fmt):
    path = tmp_path / f"{name}.{fmt}"
    path.write_bytes(typed.write(getattr(typed, name)(), fmt))
    status, cli_issues = _cli_report(path)
    page = pub.prepare([(path.name, path.read_bytes())], sandbox=False)
    assert cli_issues == [json.loads(json.dumps(i.to_dict(), default=str)) for i in page.issues]
    assert (status == 0) == (not [i for i in page.issues if i.severity == "error"])
    if name == "no_year":  # and the same when the year is given
        status, cli_issues = _cli_report(path, "--fiscal-year", "2567")
        page = pub.prepare([(path.name, path.read_bytes())], sandbox=False, fiscal_year=2567)
        assert status == 0
        assert cli_issues == [json.loads(json.dumps(i.to_dict(), default=str)) for i in page.issues]
