"""The report's directive follow-up section (issue 17): per directive group and status, and the
unit's time to done, in both the DOCX and the PDF."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from docx import Document

from tests.helpers.pdf import fold, pdf_text
from tracker.metrics import directives as metrics
from tracker.present import report as rp
from tracker.present.report_docx import write_docx
from tracker.present.report_pdf import write_pdf
from tracker.read.loader import load_paths

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2024, 9, 30)


def _report() -> tuple[rp.Report, str]:
    ds = load_paths([ROOT / "sample_data" / "bma_followup_sample.xlsx"], sandbox=False).dataset
    both = set(ds.kpis["unit"].dropna().astype(str)) & set(ds.directives["agency"].astype(str))
    unit = sorted(both)[0]
    report = rp.build_report(
        ds.kpis, ds.budget, ds.directives, unit, 2567, "H1", TODAY, responses=ds.responses
    )
    mine = ds.directives[ds.directives["agency"] == unit]
    return report, metrics.by_group(mine)


def _mine():
    ds = load_paths([ROOT / "sample_data" / "bma_followup_sample.xlsx"], sandbox=False).dataset
    both = set(ds.kpis["unit"].dropna().astype(str)) & set(ds.directives["agency"].astype(str))
    return ds.directives[ds.directives["agency"] == sorted(both)[0]]


def test_groups_and_time_to_done_in_the_model():
    report, groups = _report()
    follow = report.directives
    assert follow is not None
    assert len(follow.by_group) == len(groups)
    totals = sorted(rp.thai_digits(str(int(n))) for n in groups["total"])
    assert sorted(row[-1] for row in follow.by_group) == totals
    assert follow.speed.startswith("ระยะเวลาจนแล้วเสร็จ (มัธยฐาน): ")
    factors = metrics.by_factor(_mine())
    assert len(follow.by_factor) == int((factors["total"] > 0).sum()) >= 1


def test_groups_and_time_to_done_in_docx_and_pdf(tmp_path):
    report, _ = _report()
    doc = Document(io.BytesIO(write_docx(report)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "ข้อสั่งการจำแนกตามกลุ่มเรื่อง" in text
    assert report.directives.speed in text
    headers = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    assert list(rp.GROUP_HEADERS) in headers
    assert list(rp.FACTOR_HEADERS) in headers
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(write_pdf(report))
    plain = fold(pdf_text(pdf))
    assert fold("ข้อสั่งการจำแนกตามกลุ่มเรื่อง") in plain
    assert fold("ระยะเวลาจนแล้วเสร็จ (มัธยฐาน)") in plain
    assert fold("ข้อสั่งการจำแนกตามปัจจัยผลกระทบ") in plain
