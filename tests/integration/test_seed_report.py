"""The office's real half-year report (the seed), pasted into ONE sheet, reads right end to end.

``tests/fixtures/seed_report_2567_h1.txt`` is the report as the office types it: one line per
spreadsheet row, cells separated by tabs. From it the tests build an .xlsx with one sheet, a
tab-separated CSV in UTF-8 with BOM and the same CSV in Windows-874 (only when the text encodes
in cp874; otherwise that variant is simply not generated), read each through
``tracker.read.loader.load_paths`` and check every figure: the KPI levels of 1.1–1.3, the innovation
stage of component 2, the 3.1 digital-systems checklist and the budget disbursement table.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from messages.i18n import t
from tracker.metrics import budget_sums
from tracker.read import form_text, kpi_cells
from tracker.read.loader import load_paths

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "fixtures" / "seed_report_2567_h1.txt"
UNIT = "กองงานผู้ตรวจราชการ"
TEXT_COLUMNS = ("unit", "kpi", "detail", "project", "evidence", "obstacle")
TAG_RE = re.compile(r"<\s*/?\s*[a-z]", re.I)  # "<p>", "</p>", "<input", "<script", "<ul"


def _lines() -> list[list[str]]:
    """The seed's rows, each a list of cells (tab-split), as typed."""
    text = SEED.read_text(encoding="utf-8")
    lines = [line.rstrip("\r") for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    return [line.split("\t") for line in lines]


def _csv_text() -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="\t", lineterminator="\r\n")
    for cells in _lines():
        writer.writerow(cells)
    return buf.getvalue()


def _cp874_encodes() -> bool:
    try:
        _csv_text().encode("cp874")
    except UnicodeEncodeError:
        return False
    return True


def _write_xlsx(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "รายงานครึ่งปี"
    for cells in _lines():
        ws.append([c if c != "" else None for c in cells])
    wb.save(path)


def _write_csv(path: Path, encoding: str) -> None:
    path.write_bytes(_csv_text().encode(encoding))


BUILDERS = {
    "seed.xlsx": _write_xlsx,
    "seed_utf8_bom.csv": lambda p: _write_csv(p, "utf-8-sig"),
}
if _cp874_encodes():  # the seed encodes in Windows-874 today; if it ever does not, no variant
    BUILDERS["seed_cp874.csv"] = lambda p: _write_csv(p, "cp874")


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("seed")
    out = {}
    for name, build in BUILDERS.items():
        build(folder / name)
        out[name] = folder / name
    return out


@pytest.fixture(scope="module", params=list(BUILDERS))
def loaded(request, files):
    return load_paths([files[request.param]]).dataset


def test_variants_are_generated_as_designed(files):
    assert "seed.xlsx" in files and "seed_utf8_bom.csv" in files
    assert ("seed_cp874.csv" in files) == _cp874_encodes()
    assert files["seed_utf8_bom.csv"].read_bytes().startswith(b"\xef\xbb\xbf")


def test_no_errors_or_warnings_and_notes_are_info(loaded):
    bad = [(i.severity, i.code, i.row, i.value[:40]) for i in loaded.issues if i.severity != "info"]
    assert bad == []
    info = {(i.code, i.row) for i in loaded.issues}
    for row in (70, 71, 72, 90, 91, 93, 101):  # ลงชื่อ ผู้รายงาน, (.....), ตำแหน่ง, *หมายเหตุ
        assert ("note_row", row) in info, row
    assert {("repeated_header", r) for r in (61, 64, 67, 87)} <= info


def test_budget_golden_figures(loaded):
    df = loaded.budget
    got = {r.budget_type: (r.allocated, r.disbursed, r.rate_pct) for r in df.itertuples()}
    assert list(got) == ["carryover", "operating", "investment", "subsidy", "other", "central"]
    assert got["operating"] == (12203500.00, 4094769.47, 33.55)
    assert got["other"] == (1041200.00, 266500.00, 25.60)
    assert got["central"] == (258369.00, 0.00, 0.00)
    for na in ("carryover", "investment", "subsidy"):
        assert all(pd.isna(v) for v in got[na]), na
    assert set(df["as_of"]) == {pd.Timestamp(2024, 3, 31)}
    assert set(df["unit"]) == {UNIT}
    assert set(df["fiscal_year"]) == {2567}
    rows = {r["budget_type"]: r for r in budget_sums.to_json_rows(df)}
    assert rows["total"] == {
        "unit": UNIT,
        "fiscal_year": 2567,
        "as_of": "2024-03-31",
        "budget_type": "total",
        "allocated": 13503069.00,
        "disbursed": 4361269.47,
        "rate_pct": 32.30,
    }
    for na in ("carryover", "investment", "subsidy"):
        assert rows[na]["allocated"] is None and rows[na]["disbursed"] is None, na
        assert rows[na]["rate_pct"] is None, na


def test_kpi_levels_of_components_1(loaded):
    df = loaded.kpis
    assert set(df["unit"]) == {UNIT}
    assert set(df["fiscal_year"]) == {2567}
    assert set(df["period"]) == {"Q2"}
    levels = df[df["measure"] == "level"]
    assert levels["target"].tolist() == [5.0] * 6
    assert levels["actual"].tolist() == [1.0, 2.0, 2.0, 1.0, 3.0, 2.0]
    assert levels["component"].tolist() == ["1.1", "1.1", "1.1", "1.2", "1.3", "1.3"]
    assert levels["row"].tolist() == [11, 12, 16, 20, 24, 28]
    assert df["component"].tolist() == ["1.1", "1.1", "1.1", "1.2", "1.3", "1.3", "2", "3.1"]


def test_innovation_stage_is_developing(loaded):
    df = loaded.kpis
    inno = df[df["component"] == "2"]
    assert len(inno) == 1
    r = inno.iloc[0]
    assert r["stage"] == "developing"
    assert r["row"] == 59 and r["kpi_code"] == "2"
    assert r["kpi"] == "ความสำเร็จในการพัฒนานวัตกรรมเพื่อเพิ่มประสิทธิภาพการปฏิบัติงานของหน่วยงาน"
    assert r["project"].startswith("การสร้างระบบมาตรฐานการติดตามผลการดำเนินการ")
    assert r["project"].endswith(
        "(Establishing an IT system to monitor the execution performance according to orders)"
    )
    assert pd.isna(r["target"]) and pd.isna(r["actual"]) and r["measure"] is None
    # the stage boxes stay readable in the detail; the text of all four pages is joined
    items = kpi_cells.parse_checklist(r["detail"])
    assert items == [
        ("อยู่ระหว่างการพัฒนาวัตกรรม", True),  # sic: the form's own typo
        ("พัฒนานวัตกรรมเสร็จแล้ว อยู่ระหว่างการทดลองใช้ เพื่อปรับปรุงนวัตกรรม", False),
        ("พัฒนานวัตกรรม และนำนวัตกรรมไปใช้ประโยชน์แล้ว", False),
    ]
    assert "๒.๕ ด้านกฎหมาย" in r["detail"]  # row 62
    assert "๘. อยู่ระหว่างดำเนินการผู้ใช้งานในระบบฯ" in r["detail"]  # row 65
    assert "วิธีการคำนวณ" in r["detail"]  # row 68
    assert r["obstacle"] is None


def _top_items(items: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    return [(label, ok) for label, ok in items if re.match(r"^[๐-๙]\.\s", label)]


def test_digital_checklist_3_1(loaded):
    df = loaded.kpis
    digital = df[df["component"] == "3.1"]
    assert len(digital) == 1
    r = digital.iloc[0]
    assert r["row"] == 85 and r["kpi_code"] == "3.1"
    assert r["kpi"].startswith("ร้อยละความสำเร็จในการยกระดับการเปลี่ยนผ่านดิจิทัลภาครัฐ")
    assert (r["measure"], r["target"], r["actual"], r["achievement_pct"]) == (
        "percent",
        100.0,
        100.0,
        100.0,
    )
    items = kpi_cells.parse_checklist(r["detail"])
    systems = _top_items(items)
    assert len(systems) == 8 and all(ok for _, ok in systems)
    assert systems[-1][0].startswith("๘. การประชุมผ่านสื่ออิเล็กทรอนิกส์")
    assert [label for label, ok in items if not ok] == ["๘.๔ แอปพลิเคชัน Google Meet"]
    apps = [label for label, ok in items if ok and re.match(r"^๘\.[๐-๙]", label)]
    assert apps == [
        "๘.๑ แอปพลิเคชัน Microsoft Teams",
        "๘.๒ แอปพลิเคชัน Zoom Cloud Meetings",
        "๘.๓ แอปพลิเคชัน Webex Meetings",
    ]
    assert len(items) == 15 and r["detail"].count("☑") == 14 and r["detail"].count("☐") == 1
    assert r["obstacle"] is None  # "<p>-</p>" means none


def test_no_markup_in_any_text_column(loaded):
    df = loaded.kpis
    for col in TEXT_COLUMNS:
        for text in df[col].dropna():
            assert not TAG_RE.search(text), (col, text[:120])
            assert "<script" not in text.lower() and "<input" not in text.lower()


def test_summary_json_via_cli(files):
    proc = subprocess.run(
        [sys.executable, "-m", "tracker", "summary", str(files["seed.xlsx"]), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    budget_rows = {r["budget_type"]: r for r in data["budget"]}
    assert [
        (k, budget_rows[k]["allocated"], budget_rows[k]["disbursed"], budget_rows[k]["rate_pct"])
        for k in ("operating", "other", "central", "total")
    ] == [
        ("operating", 12203500.0, 4094769.47, 33.55),
        ("other", 1041200.0, 266500.0, 25.6),
        ("central", 258369.0, 0.0, 0.0),
        ("total", 13503069.0, 4361269.47, 32.3),
    ]
    for na in ("carryover", "investment", "subsidy"):
        assert budget_rows[na]["rate_pct"] is None and budget_rows[na]["allocated"] is None
    assert {r["as_of"] for r in data["budget"]} == {"2024-03-31"}
    kpis = data["kpis"]
    assert {(r["unit"], r["fiscal_year"], r["period"]) for r in kpis} == {(UNIT, 2567, "Q2")}
    levels = [r for r in kpis if r["measure"] == "level"]
    assert [(r["component"], r["target"], r["actual"]) for r in levels] == [
        ("1.1", 5.0, 1.0),
        ("1.1", 5.0, 2.0),
        ("1.1", 5.0, 2.0),
        ("1.2", 5.0, 1.0),
        ("1.3", 5.0, 3.0),
        ("1.3", 5.0, 2.0),
    ]
    assert "stage" not in levels[0] and "checklist" not in levels[0]
    (inno,) = [r for r in kpis if r["component"] == "2"]
    assert inno["stage"] == "developing"
    (digital,) = [r for r in kpis if r["component"] == "3.1"]
    assert (digital["measure"], digital["target"], digital["actual"]) == ("percent", 100.0, 100.0)
    unticked = [c["item"] for c in digital["checklist"] if not c["ticked"]]
    assert unticked == ["๘.๔ แอปพลิเคชัน Google Meet"]
    assert not TAG_RE.search(proc.stdout)


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([("๑. ก", True), ("๒. ข", True), ("๒.๑ ค", False)], "100.00"),  # sub-items: alternatives
        ([("1. a", True), ("2. b", False), ("3) c", True)], "66.67"),
        ([("ทำคำสั่ง", True), ("ส่งสำเนา", False)], "50.00"),  # nothing numbered: every item
        ([("ทำคำสั่ง", True), ("๑. ก", False), ("๒. ข", True)], "50.00"),
        ([], None),
    ],
)
def test_checklist_percent(items, expected):
    got = kpi_cells.checklist_percent(items)
    assert (None if got is None else str(got)) == expected


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("ลงชื่อผู้รายงาน", True),
        ("ลงชื่อ ผู้รายงาน", True),
        (" (.....)", True),
        ("ตำแหน่ง.....", True),
        ("*หมายเหตุ : สามารถใช้ลายเซ็นอิเล็กทรอนิกส์", True),
        ("(หัวหน้าส่วนราชการ/หัวหน้าหน่วยงาน)", True),
        ("<p>ลงชื่อผู้รับรอง</p>", True),
        ("(Establishing an IT system)", False),
        ("๑. ระดับความสำเร็จในการวิเคราะห์", False),
        ("", False),
    ],
)
def test_is_note_line(text, note):
    assert form_text.is_note_line(text) is note


def _xlsx(path: Path, rows: list[list[str | None]]) -> Path:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        # a KPI table lacking its achieved column is still reported as such
        (["ตัวชี้วัด", "ค่าเป้าหมาย", "รายละเอียดผลการดำเนินงาน", "ปัญหา/อุปสรรค"], "actual"),
        (["ตัวชี้วัด", "ระดับความสำเร็จ", "รายละเอียดผลการดำเนินงาน"], "target"),
    ],
)
def test_kpi_table_lacking_a_column_is_not_read_as_text(tmp_path, header, missing):
    rows = [["หน่วยงาน : กองคลัง"], header, ["KPI ก", "ระดับ ๕", "รายละเอียด", "-"]]
    ds = load_paths([_xlsx(tmp_path / "k.xlsx", rows)], sandbox=False).dataset
    errors = [(i.code, i.row) for i in ds.issues if i.severity == "error"]
    assert errors == [("missing_column", 2)]
    assert ds.kpis.empty


def test_text_kpi_without_checklist_has_no_score_and_no_error(tmp_path):
    rows = [
        ["แบบรายงานผลการปฏิบัติราชการ ประจำปีงบประมาณ พ.ศ. ๒๕๖๘ (ระยะ ๙ เดือน)"],
        ["หน่วยงาน : สำนักงานเขตบางนา"],
        ["ตัวชี้วัดที่ ๓.๑ ร้อยละความสำเร็จ"],
        ["ตัวชี้วัด", "รายละเอียดผลการดำเนินงาน", "ปัญหา /อุปสรรค"],
        ["", "ดำเนินการแล้ว", "-"],
        ["ลงชื่อผู้รายงาน"],
    ]
    ds = load_paths([_xlsx(tmp_path / "t.xlsx", rows)], sandbox=False).dataset
    assert [i.code for i in ds.issues if i.severity != "info"] == []
    r = ds.kpis.iloc[0]
    assert (r["unit"], r["fiscal_year"], r["period"], r["component"]) == (
        "สำนักงานเขตบางนา",
        2568,
        "Q3",
        "3.1",
    )
    assert r["kpi"] == "ร้อยละความสำเร็จ" and r["detail"] == "ดำเนินการแล้ว"
    assert r["measure"] is None and pd.isna(r["actual"])


def test_innovation_without_a_ticked_stage_is_a_warning(tmp_path):
    rows = [
        ["แบบรายงาน ประจำปีงบประมาณ พ.ศ. ๒๕๖๗ (ระยะครึ่งปีงบประมาณ)"],
        ["หน่วยงาน : กองคลัง"],
        [
            "นวัตกรรมที่พัฒนา* (ระบุผลผลิต (Output) ให้ชัดเจน)",
            "ขั้นตอนการดำเนินการ",
            "รายละเอียดผลการดำเนินการ",
            "ปัญหา/อุปสรรค",
        ],
        ["ระบบ ก", '<input type="checkbox"/> อยู่ระหว่างการพัฒนา', "รายละเอียด", "-"],
    ]
    ds = load_paths([_xlsx(tmp_path / "i.xlsx", rows)], sandbox=False).dataset
    assert [(i.severity, i.code, i.row) for i in ds.issues if i.severity != "info"] == [
        ("warning", "innovation_stage_missing", 4)
    ]
    assert ds.kpis["component"].tolist() == ["2"] and ds.kpis["stage"].isna().all()


@pytest.mark.parametrize("kind", ["innovation", "kpi_text"])
@pytest.mark.parametrize("lang", ["th", "en"])
def test_table_labels_and_messages_exist(kind, lang):
    for key in (f"table.{kind}", "issue.note_row", "issue.innovation_stage_missing"):
        assert t(key, lang) != key
