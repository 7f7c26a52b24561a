"""Every unit's report for a period as one ZIP (issue 17), from the command line."""

from __future__ import annotations

import zipfile
from pathlib import Path

from docx import Document

from tracker.cli import main
from tracker.present import report as rp

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = str(ROOT / "sample_data" / "bma_followup_sample.xlsx")


def test_all_units_zip_holds_one_report_per_unit_with_kpis(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TRACKER_TODAY", "2024-09-30")
    out = tmp_path / "all.zip"
    code = main(
        ["report", "--all-units", "--fiscal-year", "2567", "--period", "H1", SAMPLE, str(out)]
    )
    assert code == 0
    names = zipfile.ZipFile(out).namelist()
    pdfs = sorted(n for n in names if n.endswith(".pdf"))
    docxs = sorted(n for n in names if n.endswith(".docx"))
    assert len(pdfs) == len(docxs) >= 2  # both formats by default
    assert "report_สำนักงานเขตพระนคร_2567_H1.pdf" in pdfs  # Thai vowels kept in the name
    with zipfile.ZipFile(out) as z, z.open(docxs[0]) as fh:
        text = "\n".join(p.text for p in Document(fh).paragraphs)
    assert rp.title_of(2567, "H1") in text
    assert "units" in capsys.readouterr().out


def test_all_units_without_any_kpis_for_the_period_is_exit_1(tmp_path, capsys):
    out = tmp_path / "none.zip"
    code = main(
        ["report", "--all-units", "--fiscal-year", "2560", "--period", "H1", SAMPLE, str(out)]
    )
    assert code == 1 and not out.exists()
    assert "No unit has KPIs" in capsys.readouterr().err
