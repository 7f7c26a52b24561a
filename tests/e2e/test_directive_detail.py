"""End to end in chromium: the Directives table shows one page of rows, and a directive chosen
from it is shown in full in the detail panel (issue 16 item 8: no text cut with "…")."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from messages.i18n import t
from tests.e2e.conftest import running_app, shot
from tracker.store import Store

pytestmark = pytest.mark.e2e


def test_detail_panel_shows_the_whole_directive_text(browser, tmp_path):
    database = tmp_path / "tracker.sqlite"
    with running_app(database) as url:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="th-TH")
        page = ctx.new_page()
        page.goto(f"{url}/directives", wait_until="domcontentloaded")
        page.get_by_role("heading", name=t("directives.title", "th")).wait_for(timeout=90_000)
        picker = (
            page.locator('[data-testid="stSelectbox"]')
            .filter(has_text=t("browse.detail_pick", "th"))
            .first
        )
        picker.wait_for(timeout=60_000)
        picker.scroll_into_view_if_needed()
        picker.click()
        option = page.get_by_role("option").first
        chosen = option.inner_text().strip()
        option.click()

        directives = Store(f"sqlite:///{database}").load()["directives"]
        row = directives[directives["directive_id"].astype(str) == chosen].iloc[0]
        text = " ".join(str(row["text"]).split())
        # the detail panel: one markdown block per field, its label then the text, wrapped
        field = page.locator('[data-testid="stMarkdownContainer"]').filter(has_text=text[:20])
        expect(field.first).to_be_visible(timeout=30_000)
        shown = " ".join(field.first.inner_text().split())
        assert shown.startswith(t("col.text", "th"))
        assert shown.endswith(text) and text in shown
        shot(page, "directive_detail")
        ctx.close()
