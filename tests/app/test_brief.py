"""AppTest: the Overview offers the executive brief (issue 17) as a PDF download."""

from __future__ import annotations

from messages.i18n import t


def test_overview_offers_the_brief(app):
    at = app(zone="กรุงเทพกลาง")
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    assert t("brief.download") in buttons
    # one language at a time (issue 16): the button in the page's language
    assert t("brief.download") == "สรุปผู้บริหาร (PDF)"
    assert t("brief.download", "en") == "Executive brief (PDF)"
