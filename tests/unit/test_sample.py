"""The sample workbook: deterministic, typed like the office's files, and true to its summary."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest

from tracker import DATA_DIR
from tracker.dev.sample import (
    BUDGET_AS_OF,
    BUDGET_UNITS,
    KPI_HEADERS_TH,
    KPI_UNITS,
    PERIODS,
    REGISTER_HEADERS,
    REGISTER_SHEET,
    REGISTER_SUBTITLE,
    REGISTER_TITLE,
    RESPONSE_HEADERS_TH,
    RESPONSES_SHEET,
    budget_as_of_label,
    budget_sheet_name,
    canonical_agency,
    kpi_sheet_name,
    write_directives_csv,
    write_sample,
)
from tracker.schema import (
    DEFAULT_GROUPS_TH,
    FACTOR_SHORT_TH,
    FACTOR_TH,
    FACTORS,
    STATUS_ALIASES,
    STATUSES,
)

N = 500
SEED = 11
REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "sample_data" / "bma_followup_sample.xlsx"

# --- tiny independent parsers (the real ones live in the readers; these check the sample) ------
_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SHORT = (
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
_FULL = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
_FACTOR_TOKENS = {
    **{v: k for k, v in FACTOR_TH.items()},
    **{v: k for k, v in FACTOR_SHORT_TH.items()},
    **{f"2.{i + 1}": k for i, k in enumerate(FACTORS)},
}


def parse_date(value: object) -> date:
    """Excel date cell, '๒๓ พ.ย. ๖๖', '23/11/2566' or '15 มกราคม 2567' -> date (CE)."""
    if isinstance(value, datetime):
        return value.date()
    s = str(value).translate(_DIGITS).strip()
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", s):
        return date(int(m[3]) - 543, int(m[2]), int(m[1]))
    day, month, year = s.split(" ")
    months = _SHORT if month in _SHORT else _FULL
    be = int(year) + (2500 if len(year) == 2 else 0)
    return date(be - 543, months.index(month) + 1, int(day))


def parse_timestamp(value: str) -> datetime:
    """Google Sheets Thai-locale timestamp '23/11/2566, 14:05:22'."""
    d, t = value.split(", ")
    day, month, year = (int(x) for x in d.split("/"))
    h, mi, se = (int(x) for x in t.split(":"))
    return datetime(year - 543, month, day, h, mi, se)


def status_of(cell: object) -> str:
    text = "" if cell is None else str(cell).strip()
    return STATUS_ALIASES[text] if text else "not_reported"


def fy_bounds(fy: int) -> tuple[date, date]:
    return date(fy - 544, 10, 1), date(fy - 543, 9, 30)


def half_up(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("sample") / "sample.xlsx"
    summary = write_sample(path, directives=N, seed=SEED)
    return path, summary


@pytest.fixture(scope="module")
def book(written: tuple[Path, dict]) -> openpyxl.Workbook:
    return openpyxl.load_workbook(written[0])


@pytest.fixture(scope="module")
def register(book: openpyxl.Workbook) -> list[dict]:
    ws = book[REGISTER_SHEET]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    return [dict(zip(REGISTER_HEADERS, r, strict=True)) for r in rows]


@pytest.fixture(scope="module")
def responses(book: openpyxl.Workbook) -> list[dict]:
    ws = book[RESPONSES_SHEET]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    return [dict(zip(RESPONSE_HEADERS_TH, r, strict=True)) for r in rows]


# --- determinism -----------------------------------------------------------------------------------
def test_same_seed_same_summary_and_bytes(tmp_path: Path, written: tuple[Path, dict]) -> None:
    again = write_sample(tmp_path / "again.xlsx", directives=N, seed=SEED)
    assert json.dumps(again, sort_keys=True) == json.dumps(written[1], sort_keys=True)
    assert (tmp_path / "again.xlsx").read_bytes() == written[0].read_bytes()
    other = write_sample(tmp_path / "other.xlsx", directives=N, seed=SEED + 1)
    assert other["directives"] != written[1]["directives"]


def test_summary_is_json(written: tuple[Path, dict]) -> None:
    assert json.loads(json.dumps(written[1]))["directives"]["total"] == N


# --- sheets and headers -------------------------------------------------------------------------------
def test_sheet_list(book: openpyxl.Workbook, written: tuple[Path, dict]) -> None:
    kpi = [kpi_sheet_name(k.short, p) for k in KPI_UNITS for p in PERIODS]
    budget = [budget_sheet_name(d) for d in BUDGET_AS_OF]
    assert book.sheetnames == [REGISTER_SHEET, RESPONSES_SHEET, *kpi, *budget]
    assert written[1]["sheets"] == book.sheetnames
    assert len(kpi) <= 16
    assert "ตัวชี้วัด Q2 กองงานผู้ตรวจฯ" in kpi
    assert "เบิกจ่ายงบประมาณ ณ 31 มี.ค. 67" in budget


@pytest.mark.parametrize(
    ("sheet", "row", "expected"),
    [
        (REGISTER_SHEET, 1, (REGISTER_TITLE,)),
        (REGISTER_SHEET, 2, (REGISTER_SUBTITLE,)),
        (REGISTER_SHEET, 3, REGISTER_HEADERS),
        (RESPONSES_SHEET, 1, RESPONSE_HEADERS_TH),
        ("ตัวชี้วัด Q2 กองงานผู้ตรวจฯ", 2, ("หน่วยงาน : กองงานผู้ตรวจราชการ สำนักปลัดกรุงเทพมหานคร",)),
        ("ตัวชี้วัด Q2 กองงานผู้ตรวจฯ", 6, KPI_HEADERS_TH),
        (
            "เบิกจ่ายงบประมาณ ณ 31 มี.ค. 67",
            4,
            (
                "หน่วยงาน",
                "ประเภทงบประมาณ",
                "งบประมาณหลังปรับโอน",
                budget_as_of_label(date(2024, 3, 31)),
            ),
        ),
        (
            "เบิกจ่ายงบประมาณ ณ 31 มี.ค. 67",
            5,
            (None, None, None, "ผลการเบิกจ่าย", "ร้อยละการเบิกจ่าย"),
        ),
    ],
)
def test_header_rows(book: openpyxl.Workbook, sheet: str, row: int, expected: tuple) -> None:
    values = next(book[sheet].iter_rows(min_row=row, max_row=row, values_only=True))
    assert values[: len(expected)] == tuple(expected)


def test_budget_as_of_label_is_thai() -> None:
    assert budget_as_of_label(date(2024, 3, 31)) == "ข้อมูล ณ วันที่ ๓๑ มีนาคม พ.ศ. ๒๕๖๗"


@pytest.mark.parametrize(
    ("sheet", "ranges"),
    [
        (REGISTER_SHEET, {"A1:M1", "A2:M2"}),
        ("เบิกจ่ายงบประมาณ ณ 31 มี.ค. 67", {"A4:A5", "B4:B5", "C4:C5", "D4:E4", "F4:F5"}),
        ("ตัวชี้วัด Q1 เขตบางนา", {"A1:G1", "A2:G2", "A4:G4", "A5:G5"}),
    ],
)
def test_merged_cells(book: openpyxl.Workbook, sheet: str, ranges: set[str]) -> None:
    assert ranges <= {str(r) for r in book[sheet].merged_cells.ranges}


# --- register content ------------------------------------------------------------------------------
def test_register_rows_and_ids(register: list[dict]) -> None:
    assert len(register) == N
    ids = [r["รหัสข้อสั่งการ"] for r in register]
    assert len(set(ids)) == N
    assert all(re.fullmatch(r"256[67]-[12]-\d{3,}", i) for i in ids)
    fys = {int(str(r["ปีงบประมาณ"]).translate(_DIGITS)) for r in register}
    assert fys == {2566, 2567}
    assert any(isinstance(r["ปีงบประมาณ"], str) for r in register)  # "๒๕๖๗" typed as text
    assert {r["รอบที่"] for r in register} == {1, 2}
    assert {r["ผู้สั่งการ"] for r in register} == {"ปลัดกรุงเทพมหานคร", "ผู้ตรวจราชการกรุงเทพมหานคร"}
    assert {r["ประเภทข้อสั่งการ"] for r in register} == set(DEFAULT_GROUPS_TH)


@pytest.mark.parametrize(
    ("kind", "matches"),
    [
        ("excel", lambda v: isinstance(v, datetime)),
        (
            "short thai",
            lambda v: isinstance(v, str) and bool(re.fullmatch(r"[๐-๙]+ \S+\. [๐-๙]{2}", v)),
        ),
        ("numeric BE", lambda v: isinstance(v, str) and bool(re.fullmatch(r"\d\d/\d\d/25\d\d", v))),
        (
            "full month",
            lambda v: isinstance(v, str) and v.split(" ")[1:2] != [] and v.split(" ")[1] in _FULL,
        ),
    ],
)
def test_date_forms_present(register: list[dict], kind: str, matches) -> None:
    assert any(matches(r["วันที่สั่งการ"]) for r in register), kind


def test_dates_inside_fiscal_year_and_due_after(register: list[dict]) -> None:
    for r in register:
        fy = int(str(r["ปีงบประมาณ"]).translate(_DIGITS))
        issued, due = parse_date(r["วันที่สั่งการ"]), parse_date(r["กำหนดแล้วเสร็จ"])
        lo, hi = fy_bounds(fy)
        assert lo <= issued <= hi, r["รหัสข้อสั่งการ"]
        assert timedelta(days=30) <= due - issued <= timedelta(days=180)


def test_units_districts_and_zones(register: list[dict], written: tuple[Path, dict]) -> None:
    with (DATA_DIR / "bangkok_districts.csv").open(encoding="utf-8-sig") as fh:
        zones = {r["name_th"]: r["zone_th"] for r in csv.DictReader(fh)}
    typed = [r["หน่วยรับตรวจ"] for r in register]
    units = {canonical_agency(a) for a in typed}
    assert len(units) == 31
    districts = {u.removeprefix("สำนักงานเขต") for u in units if u.startswith("สำนักงานเขต")}
    assert len(districts) == 24
    assert districts <= set(zones)
    assert {zones[d] for d in districts} == set(zones.values())  # all six zones
    assert any(a != a.strip() or "  " in a for a in typed)  # stray spaces as people type
    summary = written[1]["directives"]
    assert (summary["units"], summary["districts"], summary["zones"]) == (31, 24, 6)


def test_factors_all_five_in_all_styles(register: list[dict], written: tuple[Path, dict]) -> None:
    counts: Counter[str] = Counter()
    styles: set[str] = set()
    for r in register:
        cell = r["ปัจจัยผลกระทบ"]
        if not cell:
            continue
        tokens = cell.split(", ")
        assert 1 <= len(tokens) <= 3
        for t in tokens:
            counts[_FACTOR_TOKENS[t]] += 1
            styles.add(
                "code" if t[0].isdigit() else "short" if t in FACTOR_SHORT_TH.values() else "full"
            )
    assert set(counts) == set(FACTORS)
    assert styles == {"code", "short", "full"}
    assert dict(counts) == {k: v for k, v in written[1]["directives"]["by_factor"].items() if v}


def test_fy2566_status_column_and_fy2567_blank(register: list[dict]) -> None:
    fy66 = [r for r in register if str(r["ปีงบประมาณ"]).translate(_DIGITS) == "2566"]
    fy67 = [r for r in register if str(r["ปีงบประมาณ"]).translate(_DIGITS) == "2567"]
    assert {status_of(r["สถานะ"]) for r in fy66} == set(STATUSES)
    assert "อยู่ระหว่างดำเนินการ" in {r["สถานะ"] for r in fy66}
    assert all(r["สถานะ"] is None for r in fy67)
    reported = [r for r in fy66 if status_of(r["สถานะ"]) != "not_reported"]
    assert all(r["รายละเอียดผลการดำเนินการ"] and r["ปัญหา/อุปสรรค"] for r in reported)
    assert any(r["ปัญหา/อุปสรรค"] == "-" for r in reported)


def _effective_status(register: list[dict], responses: list[dict]) -> dict[str, str]:
    latest: dict[str, tuple[datetime, str]] = {}
    for r in responses:
        ts = parse_timestamp(r["ประทับเวลา"])
        key = r["รหัสข้อสั่งการ"]
        if key not in latest or ts > latest[key][0]:
            latest[key] = (ts, status_of(r["สถานะ"]))
    out = {}
    for r in register:
        did = r["รหัสข้อสั่งการ"]
        if str(r["ปีงบประมาณ"]).translate(_DIGITS) == "2567":
            out[did] = latest[did][1] if did in latest else "not_reported"
        else:
            out[did] = status_of(r["สถานะ"])
    return out


def test_sheet_statuses_equal_summary(
    register: list[dict], responses: list[dict], written: tuple[Path, dict]
) -> None:
    status = _effective_status(register, responses)
    summary = written[1]["directives"]
    by_fy: dict[str, Counter[str]] = {"2566": Counter(), "2567": Counter()}
    by_agency: dict[str, Counter[str]] = {}
    for r in register:
        s = status[r["รหัสข้อสั่งการ"]]
        by_fy[str(r["ปีงบประมาณ"]).translate(_DIGITS)][s] += 1
        by_agency.setdefault(canonical_agency(r["หน่วยรับตรวจ"]), Counter())[s] += 1
    for fy, c in by_fy.items():
        assert {s: c[s] for s in STATUSES} == summary["by_fiscal_year"][fy]
        assert all(c[s] for s in STATUSES), fy  # all four statuses in both fiscal years
    for agency, c in by_agency.items():
        assert {s: c[s] for s in STATUSES} == {s: summary["by_agency"][agency][s] for s in STATUSES}
    assert summary["by_status"] == {s: sum(c[s] for c in by_fy.values()) for s in STATUSES}


def test_overdue_against_as_of(register: list[dict], responses: list[dict], written) -> None:
    status = _effective_status(register, responses)
    overdue = sum(
        1
        for r in register
        if parse_date(r["กำหนดแล้วเสร็จ"]) < date(2024, 9, 30)
        and status[r["รหัสข้อสั่งการ"]] in ("in_progress", "not_reported")
    )
    assert overdue == written[1]["directives"]["overdue_as_of"] > 0


def test_responses_history_out_of_order(responses: list[dict], written) -> None:
    assert len(responses) == written[1]["responses"]["rows"]
    assert all(r["รหัสข้อสั่งการ"].startswith("2567-") for r in responses)
    seen: dict[str, datetime] = {}
    backwards = 0
    for r in responses:
        ts, did = parse_timestamp(r["ประทับเวลา"]), r["รหัสข้อสั่งการ"]
        if did in seen and ts < seen[did]:
            backwards += 1
        seen[did] = max(ts, seen.get(did, ts))
    assert backwards >= 1
    per = Counter(r["รหัสข้อสั่งการ"] for r in responses)
    assert max(per.values()) >= 2
    assert all(
        ts <= datetime(2024, 9, 30, 23, 59)
        for ts in map(parse_timestamp, (r["ประทับเวลา"] for r in responses))
    )


def test_units_that_never_reported(register: list[dict], responses: list[dict], written) -> None:
    silent = written[1]["directives"]["not_reported_units"]
    assert silent
    status = _effective_status(register, responses)
    for entry in silent:
        rows = [
            r
            for r in register
            if canonical_agency(r["หน่วยรับตรวจ"]) == entry["agency"]
            and int(str(r["ปีงบประมาณ"]).translate(_DIGITS)) == entry["fiscal_year"]
            and r["รอบที่"] == entry["round"]
        ]
        assert rows
        assert {status[r["รหัสข้อสั่งการ"]] for r in rows} == {"not_reported"}


# --- KPI sheets ---------------------------------------------------------------------------------------
def _kpi_rows(book: openpyxl.Workbook, sheet: str) -> list[tuple]:
    """Rows under any KPI header row that carry a target (continuation rows have none)."""
    rows = list(book[sheet].iter_rows(values_only=True))
    return [r for r in rows if r[1] and r[0] != KPI_HEADERS_TH[0]]


def test_golden_kpi_half_year(book: openpyxl.Workbook) -> None:
    rows = _kpi_rows(book, "ตัวชี้วัด Q2 กองงานผู้ตรวจฯ")
    levels = [r for r in rows if str(r[1]).startswith("ระดับ")]
    assert [r[1] for r in levels] == ["ระดับ ๕"] * 6
    assert [int(re.sub(r"\D", "", r[2].translate(_DIGITS))) for r in levels] == [1, 2, 2, 1, 3, 2]
    assert {r[2].split(" ")[0] for r in levels} == {"ระดับ", "ระดับที่"}
    stage = next(r for r in rows if r[0].startswith("ความสำเร็จในการพัฒนานวัตกรรม"))
    assert (stage[1], stage[2]) == ("-", "-")  # no level: the stage is the ticked box
    assert _ticked_stage(stage[3]) == "อยู่ระหว่างการพัฒนา"
    digital = next(r for r in rows if r[0].startswith("ร้อยละความสำเร็จในการยกระดับ"))
    assert digital[1] == "ร้อยละ ๑๐๐"
    assert digital[3].count('<input checked="checked" type="checkbox" />') == 2 + 8 + 3
    assert "Google Meet" in digital[3]
    all_cells = [
        c for r in book["ตัวชี้วัด Q2 กองงานผู้ตรวจฯ"].iter_rows(values_only=True) for c in r if c
    ]
    assert any("<script>alert(1)</script>" in c for c in all_cells)
    assert any(c.startswith("<p><u>ระดับ ๑</u></p>") for c in all_cells)
    sections = [c for c in all_cells if "(Function Base)" in c]
    assert len(sections) == 3  # the 1.1 section repeats as the printed pages do


@pytest.mark.parametrize(
    ("period", "phrase"),
    [
        ("Q1", "(ไตรมาสที่ ๑)"),
        ("Q2", "(ระยะครึ่งปีงบประมาณ)"),
        ("Q3", "(ระยะ ๙ เดือน)"),
        ("Q4", "(ระยะ ๑๒ เดือน)"),
    ],
)
def test_kpi_title_names_period(book: openpyxl.Workbook, period: str, phrase: str) -> None:
    for ku in KPI_UNITS:
        title = book[kpi_sheet_name(ku.short, period)]["A1"].value
        assert "ประจำปีงบประมาณ พ.ศ. ๒๕๖๗" in title
        assert title.endswith(phrase)
        assert book[kpi_sheet_name(ku.short, period)]["A2"].value == f"หน่วยงาน : {ku.typed}"


def test_kpi_levels_never_decrease(written: tuple[Path, dict]) -> None:
    kpis = written[1]["kpis"]
    assert {k["unit"] for k in kpis} == {k.unit for k in KPI_UNITS}
    series: dict[tuple[str, str], list] = {}
    for k in sorted(kpis, key=lambda k: PERIODS.index(k["period"])):
        value = k["stage"] if k["measure"] == "stage" else k["actual"]
        series.setdefault((k["unit"], k["kpi_code"]), []).append(value)
    stages = ("developing", "trialling", "in_use")
    for key, values in series.items():
        assert len(values) == 4, key
        ranks = [stages.index(v) if isinstance(v, str) else v for v in values]
        assert ranks == sorted(ranks), key
    golden = [k["actual"] for k in kpis if k["unit"] == "กองงานผู้ตรวจราชการ" and k["period"] == "Q2"]
    assert golden[:6] == [1, 2, 2, 1, 3, 2]


# --- budget sheets ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "cells"),
    [
        ("งบประมาณกันเงินไว้เบิกเหลื่อมปี แบบไม่มีหนี้ผูกพัน (ไม่รวมงบบุคลากร)", ("-", "-", "-")),
        ("- งบดำเนินงาน", ("๑๒,๒๐๓,๕๐๐.-", "๔,๐๙๔,๗๖๙.๔๗", "๓๓.๕๕%")),
        ("- งบลงทุน", ("-", "-", "-")),
        ("- งบเงินอุดหนุน", ("-", "-", "-")),
        ("- งบรายจ่ายอื่น", ("๑,๐๔๑,๒๐๐.-", "๒๖๖,๕๐๐.-", "๒๕.๖๐%")),
        ("งบกลาง (ไม่รวมงบบุคลากร)", ("๒๕๘,๓๖๙.-", "๐", "๐")),
        ("รวมทั้งสิ้น", ("๑๓,๕๐๓,๐๖๙.-", "๔,๓๖๑,๒๖๙.๔๗", "๓๒.๓๐")),
    ],
)
def test_golden_budget_cells(book: openpyxl.Workbook, label: str, cells: tuple) -> None:
    rows = list(book["เบิกจ่ายงบประมาณ ณ 31 มี.ค. 67"].iter_rows(values_only=True))
    match = [r for r in rows if r[0] == "กองงานผู้ตรวจราชการ" and r[1] == label]
    assert len(match) == 1
    assert match[0][2:5] == cells


def test_golden_budget_summary(written: tuple[Path, dict]) -> None:
    got = {
        b["budget_type"]: (b["allocated"], b["disbursed"], b["rate_pct"])
        for b in written[1]["budget"]
        if b["unit"] == "กองงานผู้ตรวจราชการ" and b["as_of"] == "2024-03-31"
    }
    assert got == {
        "carryover": (None, None, None),
        "operating": (12203500.0, 4094769.47, 33.55),
        "investment": (None, None, None),
        "subsidy": (None, None, None),
        "other": (1041200.0, 266500.0, 25.6),
        "central": (258369.0, 0.0, 0.0),
        "total": (13503069.0, 4361269.47, 32.3),
    }


def test_budget_cumulative_rates_and_totals(written: tuple[Path, dict]) -> None:
    budget = written[1]["budget"]
    assert {b["unit"] for b in budget} == set(BUDGET_UNITS)
    assert sorted({b["as_of"] for b in budget}) == [d.isoformat() for d in BUDGET_AS_OF]
    series: dict[tuple[str, str], list] = {}
    for b in sorted(budget, key=lambda b: b["as_of"]):
        series.setdefault((b["unit"], b["budget_type"]), []).append(b)
        if b["allocated"] is None:
            assert b["disbursed"] is None and b["rate_pct"] is None
            continue
        a, d = Decimal(str(b["allocated"])), Decimal(str(b["disbursed"]))
        assert Decimal(0) <= d <= a
        assert float(half_up(d * 100 / a)) == b["rate_pct"]
    for key, rows in series.items():
        disbursed = [r["disbursed"] for r in rows if r["disbursed"] is not None]
        assert disbursed == sorted(disbursed), key
        assert len(rows) == 4
    for unit in BUDGET_UNITS:
        for as_of in BUDGET_AS_OF:
            rows = [b for b in budget if b["unit"] == unit and b["as_of"] == as_of.isoformat()]
            parts = [b for b in rows if b["budget_type"] != "total" and b["allocated"] is not None]
            total = next(b for b in rows if b["budget_type"] == "total")
            assert round(sum(b["allocated"] for b in parts), 2) == total["allocated"]
            assert round(sum(b["disbursed"] for b in parts), 2) == total["disbursed"]


def test_budget_typing_styles(book: openpyxl.Workbook) -> None:
    cells = [
        c
        for r in book["เบิกจ่ายงบประมาณ ณ 30 มิ.ย. 67"].iter_rows(min_row=6, values_only=True)
        for c in r[2:5]
    ]
    assert any(isinstance(c, float) for c in cells)  # numeric cells
    assert any(isinstance(c, str) and re.fullmatch(r"[\d,]+\.\d\d", c) for c in cells)  # 1,234.00
    assert any(isinstance(c, str) and c.endswith(".-") for c in cells)
    assert any(isinstance(c, str) and re.fullmatch(r"[๐-๙.]+%", c) for c in cells)
    assert any(isinstance(c, str) and re.fullmatch(r"\d+\.\d\d", c) for c in cells)  # rate, no %


# --- shapes, CSV, arguments ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("shape", "has_responses", "register_statuses"),
    [("one_sheet", False, "all"), ("forms", True, "none"), ("both", True, "fy2566")],
)
def test_shapes(tmp_path: Path, shape: str, has_responses: bool, register_statuses: str) -> None:
    path = tmp_path / f"{shape}.xlsx"
    summary = write_sample(
        path, directives=120, seed=5, shape=shape, include_kpis=False, include_budget=False
    )
    wb = openpyxl.load_workbook(path, read_only=True)
    assert (RESPONSES_SHEET in wb.sheetnames) is has_responses
    assert len(wb.sheetnames) == (2 if has_responses else 1)
    rows = list(wb[REGISTER_SHEET].iter_rows(min_row=4, values_only=True))
    filled = {str(r[1]).translate(_DIGITS) for r in rows if r[10]}
    expected = {"all": {"2566", "2567"}, "none": set(), "fy2566": {"2566"}}[register_statuses]
    assert filled == expected
    assert summary["directives"]["total"] == 120 and summary["shape"] == shape
    assert summary["kpis"] == [] and summary["budget"] == []


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp874"])
def test_directives_csv(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / f"d-{encoding}.csv"
    summary = write_directives_csv(path, directives=300, seed=4, encoding=encoding)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") is (encoding == "utf-8-sig")
    with path.open(encoding=encoding, errors="strict", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == REGISTER_HEADERS
    assert len(rows) == 301
    counts = Counter(status_of(r[10]) for r in rows[1:])
    assert {s: counts[s] for s in STATUSES} == summary["directives"]["by_status"]
    assert all(counts[s] for s in STATUSES)
    assert all(parse_date(r[4]) < parse_date(r[5]) for r in rows[1:])


@pytest.mark.parametrize("kwargs", [{"directives": 0}, {"directives": -5}, {"shape": "two_sheets"}])
def test_bad_arguments(tmp_path: Path, kwargs: dict) -> None:
    with pytest.raises(ValueError):
        write_sample(tmp_path / "x.xlsx", **kwargs)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("สำนักงานเขต  บางนา ", "สำนักงานเขตบางนา"),
        (" สำนักการคลัง  ", "สำนักการคลัง"),
        ("สำนักงานเขตพระนคร", "สำนักงานเขตพระนคร"),
    ],
)
def test_canonical_agency(typed: str, canonical: str) -> None:
    assert canonical_agency(typed) == canonical


def test_bundled_sample_is_current(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.xlsx"
    write_sample(fresh)
    digest = hashlib.sha256(fresh.read_bytes()).hexdigest()
    assert BUNDLED.exists(), (
        "run: python -c 'from tracker.dev.sample import write_sample; write_sample(\"sample_data/bma_followup_sample.xlsx\")'"
    )
    assert hashlib.sha256(BUNDLED.read_bytes()).hexdigest() == digest, (
        "sample_data/bma_followup_sample.xlsx is stale: regenerate it with write_sample defaults"
    )


def _number(cell: object) -> float | None:
    """'๑๒,๒๐๓,๕๐๐.-' / '33.55%' / 4094769.47 / '-' -> float or None (not applicable)."""
    if isinstance(cell, (int, float)):
        return float(cell)
    s = str(cell).translate(_DIGITS).strip()
    if s == "-":
        return None
    return float(s.replace(",", "").removesuffix(".-").removesuffix("%"))


@pytest.mark.parametrize("as_of", BUDGET_AS_OF)
def test_budget_sheet_cells_equal_summary(
    book: openpyxl.Workbook, written: tuple[Path, dict], as_of: date
) -> None:
    kinds = {
        "งบประมาณกันเงินไว้เบิกเหลื่อมปี แบบไม่มีหนี้ผูกพัน (ไม่รวมงบบุคลากร)": "carryover",
        "- งบดำเนินงาน": "operating",
        "- งบลงทุน": "investment",
        "- งบเงินอุดหนุน": "subsidy",
        "- งบรายจ่ายอื่น": "other",
        "งบกลาง (ไม่รวมงบบุคลากร)": "central",
        "รวมทั้งสิ้น": "total",
    }
    rows = book[budget_sheet_name(as_of)].iter_rows(min_row=6, values_only=True)
    got = [
        (r[0], kinds[r[1]], _number(r[2]), _number(r[3]), _number(r[4]))
        for r in rows
        if r[0] in BUDGET_UNITS and r[1] in kinds
    ]
    expected = [
        (b["unit"], b["budget_type"], b["allocated"], b["disbursed"], b["rate_pct"])
        for b in written[1]["budget"]
        if b["as_of"] == as_of.isoformat()
    ]
    assert got == expected
    assert len(got) == len(BUDGET_UNITS) * 7


def _ticked_stage(html: str) -> str:
    """The one stage label after a checked box in the innovation row's detail."""
    ticked = re.findall(r'<input checked="checked" type="checkbox" />\s*([^<]+)<', html)
    assert len(ticked) == 1, html
    return ticked[0].strip()


def _percent(cell: str) -> float:
    """'ร้อยละ ๘๗.๕' -> 87.5."""
    return float(cell.translate(_DIGITS).removeprefix("ร้อยละ "))


@pytest.mark.parametrize("ku", KPI_UNITS, ids=lambda k: k.short)
@pytest.mark.parametrize("period", PERIODS)
def test_kpi_sheet_cells_equal_summary(
    book: openpyxl.Workbook, written: tuple[Path, dict], ku, period: str
) -> None:
    stages = {
        "อยู่ระหว่างการพัฒนา": "developing",
        "พัฒนาเสร็จแล้ว อยู่ระหว่างการทดลองใช้": "trialling",
        "นำไปใช้ประโยชน์แล้ว": "in_use",
    }
    got = []
    for r in _kpi_rows(book, kpi_sheet_name(ku.short, period)):
        if r[1] == "ระดับ ๕":
            got.append(("level", 5, int(re.sub(r"\D", "", r[2].translate(_DIGITS))), None))
        elif r[1] == "-":
            got.append(("stage", None, None, stages[_ticked_stage(r[3])]))
        else:
            got.append(("percent", _percent(r[1]), _percent(r[2]), None))
    expected = [
        (k["measure"], k["target"], k["actual"], k["stage"])
        for k in written[1]["kpis"]
        if k["unit"] == ku.unit and k["period"] == period
    ]
    assert got == expected
