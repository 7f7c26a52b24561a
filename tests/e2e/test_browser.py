"""End to end in Debian's chromium: Thai title, a chart, a filter that changes URL and numbers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from messages.i18n import t
from tests.e2e.conftest import running_app, shot

pytestmark = pytest.mark.e2e


def _total_value(page):
    card = page.locator('[data-testid="stMetric"]').filter(has_text=t("card.total", "th")).first
    return card.locator('[data-testid="stMetricValue"]')


def _total(page) -> int:
    return int(_total_value(page).inner_text().replace(",", ""))


def test_overview_in_chromium(app_url, page):
    page.goto(app_url, wait_until="networkidle")
    page.get_by_role("heading", name=t("overview.title", "th")).wait_for(timeout=60_000)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
    shown_before = _total_value(page).inner_text()
    before = _total(page)
    shot(page, "overview_th")

    box = (
        page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')
        .filter(has_text=t("filter.fiscal_year", "th"))
        .first
    )
    # the filters sit below the sidebar's notes: scroll to them first, as a person does
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option", name="2567").click()
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"fy=2567"), timeout=30_000)
    # the total card itself must change (other cards, e.g. "% done", never read "400")
    expect(_total_value(page)).not_to_have_text(shown_before, timeout=30_000)
    after = _total(page)
    assert 0 < after < before
    shot(page, "overview_filtered")


def test_phone_width(app_url, browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="th-TH")
    page = ctx.new_page()
    page.goto(app_url, wait_until="networkidle")
    page.get_by_role("heading", name=t("overview.title", "th")).wait_for(timeout=60_000)
    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"page scrolls sideways on a phone: {width}px"
    shot(page, "overview_phone")
    ctx.close()


def test_cold_deep_link_gets_the_whole_app(tmp_path, page):
    """The first request to a fresh server is a shared link: shell, sign-in mode and filters apply."""
    with running_app(tmp_path / "cold.sqlite") as url:
        page.goto(f"{url}/directives?fy=2567&lang=en", wait_until="networkidle")
        page.get_by_role("heading", name=t("directives.title", "en")).wait_for(timeout=60_000)
        nav = page.locator('[data-testid="stSidebarNav"]')
        nav.get_by_text(t("page.overview", "en")).wait_for(timeout=30_000)
        # the app's navigation (titles), not the raw file names of the page scripts
        assert nav.get_by_text("directives", exact=True).count() == 0
        assert page.get_by_text("English", exact=True).count() >= 1
        shot(page, "cold_deep_link")
        # every page answers its own path, with filters, in a new browser session too
        for path, key in (
            ("directives?zone=กรุงเทพใต้", "directives.title"),
            ("kpis", "kpis.title"),
            ("overview", "overview.title"),
            ("overview?zone=กรุงเทพใต้", "overview.title"),
        ):
            page.goto(f"{url}/{path}", wait_until="networkidle")
            page.get_by_role("heading", name=t(key, "th")).wait_for(timeout=60_000)
            assert page.get_by_text("Page not found").count() == 0
        # "/" opens the Overview at its own path and keeps the link's filters
        page.goto(f"{url}/?zone=กรุงเทพใต้", wait_until="networkidle")
        page.get_by_role("heading", name=t("overview.title", "th")).wait_for(timeout=60_000)
        page.wait_for_url(re.compile(r"/overview\?zone="), timeout=30_000)
        assert page.get_by_text("Page not found").count() == 0
