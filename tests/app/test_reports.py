"""AppTest: the Reports page (issue 17) builds a unit's report, previews page 1 and offers the
DOCX and the PDF for download; missing data is named, never a crash."""

from __future__ import annotations

from messages.i18n import t

OIG = "กองงานผู้ตรวจราชการ"


def _downloads(at) -> dict[str, object]:
    return {b.proto.label: b.proto for b in at.get("download_button")}


def test_report_page_offers_docx_and_pdf(app):
    at = app("app_pages/reports.py", unit=OIG, fy="2567", period="H1")
    assert [el.value for el in at.title] == [t("reports.title")]
    buttons = _downloads(at)
    assert set(buttons) == {
        t("reports.download_docx"),
        t("reports.download_pdf"),
        t("reports.download_zip"),
    }
    # the page-1 preview is drawn as an image
    images = at.get("image")
    assert len(images) == 1, "no preview image"
    assert [s.value for s in at.selectbox] == [OIG, 2567, "H1"]
    # the office has no directives addressed to itself: named, as plain text
    assert any(f"ข้อสั่งการของ {OIG}" in el.value for el in at.text)


def test_unit_without_kpis_is_named(app):
    at = app("app_pages/reports.py", unit="สำนักการโยธา", fy="2567", period="Q3")
    assert any(el.value == t("reports.no_kpis") for el in at.warning)
    assert any("ตัวชี้วัดองค์ประกอบที่ ๑ ของ สำนักการโยธา" in el.value for el in at.text)
    assert len(at.get("download_button")) == 3  # the budget part still downloads (+ the ZIP)
