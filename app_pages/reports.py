"""Reports (executives, analysts, admins): the progress report of a unit, fiscal year and period
as the office's form — a preview of page 1, then DOCX (to edit and sign) and PDF downloads."""

from dataclasses import replace
from datetime import date

import streamlit as st

from tracker.dataset import Dataset
from tracker.present import report as rp
from tracker.present.report_docx import write_docx
from tracker.present.report_pdf import first_page_png, write_pdf
from tracker.present.report_zip import reports_zip
from tracker.unit_names import unit_name
from ui import data
from ui.auth import require_page
from ui.filters import url_select
from ui.i18n import lang, tr

require_page("reports")


@st.cache_data(max_entries=16, show_spinner=False)
def _files(
    snapshot_id: int | None, unit: str, fiscal_year: int, period: str, today: date, _ds: Dataset
) -> tuple[rp.Report, bytes, bytes, bytes]:
    """The report, its DOCX, PDF and page-1 preview (cached per snapshot and choice)."""
    # the overdue directives' texts fetched (the shared copy leaves texts in the database)
    _ds = data.with_overdue_texts(replace(loaded, dataset=_ds), today)
    report = rp.build_report(
        _ds.kpis,
        _ds.budget,
        _ds.directives,
        unit,
        fiscal_year,
        period,
        today,
        responses=_ds.responses,
    )
    pdf = write_pdf(report)
    return report, write_docx(report), pdf, first_page_png(pdf)


loaded = data.current()
ds = loaded.dataset
st.title(tr("reports.title"))
st.caption(tr("reports.intro"))
units = rp.available(ds.kpis, ds.budget)
if not units:
    st.info(tr("reports.no_data"))
    st.stop()

with_kpis = sorted(str(u) for u in ds.kpis["unit"].dropna().unique())
col_unit, col_year, col_period = st.columns([2, 1, 1])
with col_unit:
    names = list(units)
    unit = url_select(
        "unit",
        tr("reports.pick_unit"),
        names,
        lambda u: unit_name(u, lang()),
        default=with_kpis[0] if with_kpis else names[0],
    )
with col_year:
    fiscal_year = url_select("fy", tr("reports.pick_year"), units[unit])
with col_period:
    period = url_select(
        "period",
        tr("reports.pick_period"),
        list(rp.REPORT_PERIODS),
        lambda p: tr(f"reports.period.{p}"),
        default="H1",
    )

with st.spinner():
    report, docx_bytes, pdf_bytes, preview = _files(
        loaded.snapshot_id, unit, int(fiscal_year), period, data.today(), ds
    )

if report.lacks("kpis"):
    st.warning(tr("reports.no_kpis"))
if report.missing:
    st.caption(tr("reports.missing"))
    st.text("\n".join(f"- {m.what_th}" for m in report.missing))  # data as plain text

col_docx, col_pdf = st.columns(2)
with col_docx:
    st.download_button(
        tr("reports.download_docx"),
        docx_bytes,
        file_name=rp.file_name(report, "docx"),
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="download_docx",
        on_click="ignore",
        width="stretch",
    )
with col_pdf:
    st.download_button(
        tr("reports.download_pdf"),
        pdf_bytes,
        file_name=rp.file_name(report, "pdf"),
        mime="application/pdf",
        key="download_pdf",
        on_click="ignore",
        width="stretch",
    )
# every unit's report of this year and period in one ZIP: written only when asked for
st.download_button(
    tr("reports.download_zip"),
    data=lambda: reports_zip(
        data.with_overdue_texts(loaded, data.today()), int(fiscal_year), period, data.today()
    )[0],
    file_name=f"reports_{int(fiscal_year)}_{period}.zip",
    mime="application/zip",
    key="download_zip",
    on_click="ignore",
    icon=":material/folder_zip:",
    help=tr("reports.download_zip_help"),
)
st.subheader(tr("reports.preview"))
st.image(preview, width="stretch")
