"""The progress reports of every unit that has KPIs for a period, as one ZIP (PDF and/or DOCX
per unit) — the office's half-year round of reports in one download (no Streamlit)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import date

from tracker.dataset import Dataset
from tracker.present import report as rp

FORMATS = ("pdf", "docx")


def reports_zip(
    ds: Dataset,
    fiscal_year: int,
    period: str,
    today: date,
    formats: Sequence[str] = ("pdf",),
    units: Sequence[str] | None = None,
) -> tuple[bytes, list[str], list[str]]:
    """(the ZIP, the units written, the units left out because they have no KPIs for that
    period). ``units`` narrows the round (default: every unit with KPI or budget data that
    year)."""
    from tracker.present.report_docx import write_docx
    from tracker.present.report_pdf import write_pdf

    writers = {"pdf": write_pdf, "docx": write_docx}
    chosen = [
        u
        for u, years in rp.available(ds.kpis, ds.budget).items()
        if fiscal_year in years and (units is None or u in units)
    ]
    written: list[str] = []
    skipped: list[str] = []
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for unit in chosen:
            report = rp.build_report(
                ds.kpis,
                ds.budget,
                ds.directives,
                unit,
                fiscal_year,
                period,
                today,
                responses=ds.responses,
            )
            if report.lacks("kpis"):
                skipped.append(unit)
                continue
            for fmt in formats:
                archive.writestr(rp.file_name(report, fmt), writers[fmt](report))
            written.append(unit)
    return buf.getvalue(), written, skipped
