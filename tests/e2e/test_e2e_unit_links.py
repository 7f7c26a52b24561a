"""A unit's name in a table opens its card (issue 18): chromium clicks the first unit of the
Overview's "units that have not reported" table and lands on the Units page for that unit,
in the page's language, with the Thai name in the address."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from messages.i18n import t
from tests.e2e.conftest import shot
from tracker.unit_names import unit_name

ROW_PX = 35  # Streamlit's data grid: header and row height


def test_clicking_a_unit_in_a_table_opens_its_card(app_url, browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="th-TH")
    page = ctx.new_page()
    page.goto(f"{app_url}/overview?lang=en", wait_until="domcontentloaded")
    heading = page.get_by_role("heading", name=t("overview.not_reported", "en"))
    heading.wait_for(timeout=90_000)
    heading.scroll_into_view_if_needed()
    grid = page.locator('[data-testid="stDataFrame"]').filter(visible=True).last
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = grid.bounding_box()
    assert box is not None
    first_row = (box["x"] + 30, box["y"] + ROW_PX + ROW_PX / 2)
    page.mouse.move(*first_row)  # the grid finds the link under the pointer on hover
    page.wait_for_timeout(500)
    # the link opens the card in a new tab (the Overview stays where it was)
    with ctx.expect_page(timeout=30_000) as opened:
        page.mouse.click(*first_row)
    card = opened.value
    card.get_by_role("heading", name=t("units.title", "en")).wait_for(timeout=90_000)
    query = parse_qs(urlsplit(card.url).query)
    unit = query["unit"][0]
    assert re.search(r"[\u0e00-\u0e7f]", unit), card.url  # the data's Thai name
    assert query.get("lang") == ["en"]
    picked = card.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first
    shown = picked.get_by_role("combobox").input_value(timeout=30_000)
    assert shown == unit_name(unit, "en")  # the English name on the card
    card.wait_for_url(lambda u: "label=" not in u, timeout=30_000)  # the shown name dropped
    shot(card, "unit_link_card_en")
    ctx.close()


def test_clicking_a_units_bar_opens_its_card(app_url, browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="th-TH")
    page = ctx.new_page()
    page.goto(f"{app_url}/overview", wait_until="domcontentloaded")
    page.get_by_role("heading", name=t("overview.not_reported", "th")).wait_for(timeout=90_000)
    chart = page.locator('[data-testid="stPlotlyChart"]').first  # status by unit
    chart.scroll_into_view_if_needed()
    bar = chart.locator("g.trace.bars path").first
    bar.wait_for(timeout=30_000)
    bar.click(force=True)
    page.wait_for_url(re.compile(r"/units\?unit="), timeout=60_000)
    page.get_by_role("heading", name=t("units.title", "th")).wait_for(timeout=90_000)
    unit = parse_qs(urlsplit(page.url).query)["unit"][0]
    shown = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first
    assert shown.get_by_role("combobox").input_value(timeout=30_000) == unit  # Thai page
    ctx.close()
