"""The progress report (issue 17) on the bundled sample: the DOCX read back with python-docx,
the PDF's text read back with poppler's pdftotext, user text never markup, missing data named."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from tests.helpers.pdf import fold, pdf_text
from tracker import thai
from tracker.cli import main
from tracker.dataset import conform
from tracker.present import report as rp
from tracker.present.report_docx import write_docx
from tracker.present.report_pdf import report_html, write_pdf
from tracker.read.loader import load_paths

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "bma_followup_sample.xlsx"
OIG = "กองงานผู้ตรวจราชการ"
BANGNA = "สำนักงานเขตบางนา"
TODAY = date(2024, 10, 15)
TITLE = (
    "แบบรายงานความก้าวหน้าผลการปฏิบัติราชการตามคำรับรองการปฏิบัติราชการประจำปีงบประมาณ "
    "พ.ศ. ๒๕๖๗ (ระยะครึ่งปีงบประมาณ)"
)
HOSTILE = "<script>alert('x')</script> ให้ตรวจสอบ <b>ทันที</b> =HYPERLINK(\"http://x\")"


@pytest.fixture(scope="module")
def dataset():
    ds = load_paths([SAMPLE], sandbox=False).dataset
    # one directive addressed to the office itself, its text holding markup
    extra = pd.DataFrame(
        [
            {
                "directive_id": "2566-9-001",
                "fiscal_year": 2566,
                "round": 1,
                "agency": OIG,
                "text": HOSTILE,
                "status": "in_progress",
                "issued_date": pd.Timestamp("2023-01-10"),
                "due_date": pd.Timestamp("2023-06-30"),
            }
        ]
    )
    ds.directives = conform(pd.concat([ds.directives, extra], ignore_index=True), "directives")
    return ds


def _report(ds, unit=OIG, period="H1", budget=None):
    frame = ds.budget if budget is None else budget
    return rp.build_report(ds.kpis, frame, ds.directives, unit, 2567, period, TODAY)


def _expected_kpis(ds, unit, period="Q2"):
    k = ds.kpis
    rows = k[
        (k["unit"] == unit) & (k["period"] == period) & k["component"].isin(["1.1", "1.2", "1.3"])
    ]
    return [thai.html_to_text(name) for name in rows["kpi"]]


def _subsequence(needle: str, hay: str) -> bool:
    """Every character of ``needle`` in ``hay`` in order (a lost or wrong mark fails it)."""
    it = iter(hay)
    return all(ch in it for ch in needle)


# --- the model -------------------------------------------------------------------------------
def test_model_follows_the_form(dataset):
    r = _report(dataset)
    assert r.title == TITLE
    assert r.unit_line == f"หน่วยงาน : {OIG}"
    assert [s.code for s in r.sections] == ["1.1", "1.2", "1.3"]
    names = [row.cells[0] for s in r.sections for row in s.rows]
    assert len(names) == len(_expected_kpis(dataset, OIG)) == 6
    # seed levels (docs/domain.md §2): 1.1-1 5/1 · 1.1-2 5/2 · 1.1-3 5/2 · 1.2 5/1 · 1.3-1 5/3 · 1.3-2 5/2
    levels = [(row.cells[1], row.cells[2]) for s in r.sections for row in s.rows]
    assert levels == [("ระดับ ๕", f"ระดับ {rp.thai_digits(n)}") for n in (1, 2, 2, 1, 3, 2)]
    for s in r.sections:
        for row in s.rows:
            assert len(row.cells) == len(rp.KPI_HEADERS) == 7
            assert not any("<" in c for c in row.cells)
    assert r.innovation is not None and dict(r.innovation.stages)["อยู่ระหว่างการพัฒนา"] is True
    assert r.checklist is not None and r.checklist.items
    assert ("๘.๔ แอปพลิเคชัน Google Meet", False) in r.checklist.items
    assert r.budget is not None and r.budget.as_of == "ข้อมูล ณ วันที่ ๓๑ มีนาคม พ.ศ. ๒๕๖๗"
    rows = {b.label: b for b in r.budget.rows}
    assert rows["- งบดำเนินงาน"].rate == "๓๓.๕๕"
    assert rows["- งบรายจ่ายอื่น"].rate == "๒๕.๖๐"
    assert rows["งบกลาง (ไม่รวมงบบุคลากร)"].rate == "๐.๐๐"
    total = rows["รวมทั้งสิ้น"]
    assert (total.allocated, total.disbursed, total.rate) == (
        "๑๓,๕๐๓,๐๖๙.๐๐",
        "๔,๓๖๑,๒๖๙.๔๗",
        "๓๒.๓๐",
    )
    assert r.directives is not None and r.directives.total == 1 and r.directives.overdue_count == 1
    assert r.missing == ()


def test_quarter_reads_its_own_period(dataset):
    r = _report(dataset, period="Q1")
    assert r.title.endswith("(ไตรมาสที่ ๑)")
    assert r.budget is not None and "๓๑ ธันวาคม พ.ศ. ๒๕๖๖" in r.budget.as_of
    assert [row.cells[2] for s in r.sections for row in s.rows] == ["ระดับ ๑"] * 6


def test_unit_without_budget_rows_says_no_data(dataset):
    r = _report(dataset, budget=dataset.budget[dataset.budget["unit"] != OIG])
    assert r.budget is None and r.lacks("budget")
    doc = Document(__import__("io").BytesIO(write_docx(r)))
    texts = [p.text for p in doc.paragraphs]
    assert rp.BUDGET_TITLE in texts
    assert texts[texts.index(rp.BUDGET_TITLE) + 1] == rp.NO_DATA


# --- DOCX ----------------------------------------------------------------------------------------
def test_docx_holds_title_unit_kpis_and_budget(dataset, tmp_path):
    path = tmp_path / "r.docx"
    path.write_bytes(write_docx(_report(dataset, unit=BANGNA)))
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert TITLE in texts and f"หน่วยงาน : {BANGNA}" in texts
    kpi_tables = [
        t for t in doc.tables if [c.text for c in t.rows[0].cells] == list(rp.KPI_HEADERS)
    ]
    assert kpi_tables, "no KPI table with the seven headers"
    names = [re.sub(r"^[๐-๙]+\. ", "", row.cells[0].text) for t in kpi_tables for row in t.rows[1:]]
    assert names == _expected_kpis(dataset, BANGNA)
    budget = next(t for t in doc.tables if t.rows[0].cells[0].text == rp.BUDGET_HEADERS[0])
    cells = {row.cells[0].text: [c.text for c in row.cells[1:4]] for row in budget.rows[1:]}
    assert set(cells) >= {"- งบดำเนินงาน", "รวมทั้งสิ้น"}
    expected = rp.budget_sums.by_type(
        dataset.budget[dataset.budget["unit"] == BANGNA], as_of=pd.Timestamp("2024-03-31")
    ).set_index("budget_type")
    got_rate = thai.to_arabic_digits(cells["รวมทั้งสิ้น"][2])
    assert got_rate == thai.format_amount(expected.loc["total", "rate_pct"])
    footer = doc.sections[0].footer._element.xml
    assert "PAGE" in footer  # page numbers


def test_docx_keeps_markup_as_text(dataset):
    doc = Document(__import__("io").BytesIO(write_docx(_report(dataset))))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert HOSTILE in cells


# --- PDF -----------------------------------------------------------------------------------------
def test_pdf_text_is_the_data_text(dataset, tmp_path):
    report = _report(dataset, unit=BANGNA)
    path = tmp_path / "r.pdf"
    path.write_bytes(write_pdf(report))
    text = pdf_text(path)
    assert "\ufffd" not in text
    flat = fold(text)
    assert fold(TITLE) in flat
    assert fold(f"หน่วยงาน : {BANGNA}") in flat
    names = _expected_kpis(dataset, BANGNA)
    assert fold(names[0]) in flat  # the first row's cell is drawn whole, on page 1
    for name in names:  # a row split by a page break interleaves its cells' lines
        assert _subsequence(fold(name), flat), name
    for header in rp.KPI_HEADERS:
        assert fold(header) in flat
    assert fold("ลงชื่อผู้รายงาน") in flat and fold("ลงชื่อผู้รับรอง") in flat
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows and any("Laksaman" in r for r in rows)
    assert all(r.split()[-5] == "yes" for r in rows), fonts.stdout  # every font embedded


def test_pdf_keeps_markup_as_text(dataset, tmp_path):
    report = _report(dataset)
    html = report_html(report)
    assert "<script>" not in html and "&lt;script&gt;" in html
    path = tmp_path / "r.pdf"
    path.write_bytes(write_pdf(report))
    assert fold(HOSTILE) in fold(pdf_text(path))


def test_seed_budget_figures_in_pdf(dataset, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(write_pdf(_report(dataset)))
    flat = thai.to_arabic_digits(fold(pdf_text(path)))
    for figure in ("12,203,500.00", "4,094,769.47", "33.55", "25.60", "13,503,069.00", "32.30"):
        assert figure in flat, figure


# --- the command line ----------------------------------------------------------------------------
def test_cli_writes_docx_and_pdf(tmp_path, capsys):
    for fmt in ("docx", "pdf"):
        out = tmp_path / f"r.{fmt}"
        args = ["report", "--unit", OIG, "--fiscal-year", "2567", "--period", "H1"]
        code = main([*args, "--format", fmt, str(SAMPLE), str(out)])
        assert code == 0, capsys.readouterr().err
        assert out.stat().st_size > 10_000
    doc = Document(str(tmp_path / "r.docx"))
    assert TITLE in [p.text for p in doc.paragraphs]


def test_cli_names_what_is_missing(tmp_path, capsys):
    out = tmp_path / "r.pdf"
    args = ["report", "--unit", "สำนักการโยธา", "--fiscal-year", "2567", "--period", "H1"]
    code = main([*args, str(SAMPLE), str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert "ตัวชี้วัดองค์ประกอบที่ ๑ ของ สำนักการโยธา" in err
    assert "component-1 KPIs of สำนักการโยธา" in err
    assert not out.exists()
