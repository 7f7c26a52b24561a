"""End to end in chromium: the Districts map draws offline; a click on a district opens its card."""

from __future__ import annotations

import re

import pytest

from messages.i18n import t
from tests.e2e.conftest import shot
from tracker.places import district_name, districts

pytestmark = pytest.mark.e2e

CODE = "1033"  # คลองเตย: has directives in the bundled sample

# Page coordinates of a lon/lat point on the first Plotly geo map (plotly's own projection).
_PROJECT = """([lon, lat]) => {
  const gd = document.querySelector('.js-plotly-plot');
  const [x, y] = gd._fullLayout.geo._subplot.projection([lon, lat]);
  const box = gd.querySelector('.main-svg').getBoundingClientRect();
  return [box.left + x, box.top + y];
}"""


def test_click_district_on_map(app_url, page):
    # The entry script runs first: a deep link opened before app.py has ever run in the server
    # process is served by Streamlit's legacy pages/ mode (see the report for issue 8).
    page.goto(app_url, wait_until="networkidle")
    page.get_by_role("heading", name=t("overview.title", "th")).wait_for(timeout=60_000)

    page.goto(f"{app_url}/districts", wait_until="networkidle")
    page.get_by_role("heading", name=t("districts.title", "th")).wait_for(timeout=60_000)
    traces = page.locator(".js-plotly-plot .choroplethlayer .trace")
    traces.first.locator("path").first.wait_for(timeout=60_000)
    # every district drawn (no web tiles needed): with a value, or grey for no directives
    assert page.locator(".js-plotly-plot .choroplethlayer .trace path").count() == 50
    geo = page.locator(".js-plotly-plot .geolayer .scatterlayer")
    assert geo.locator("path.js-line").count() == 1  # the zone borders
    labels = geo.locator("text").all_text_contents()
    assert {"กรุงเทพกลาง", "กรุงธนใต้"} <= set(labels), labels  # Thai zone names on the map

    row = districts().set_index("code").loc[CODE]
    x, y = page.evaluate(_PROJECT, [float(row["centroid_lon"]), float(row["centroid_lat"])])
    page.mouse.move(x, y)
    page.locator(".hoverlayer .hovertext").filter(has_text=row["name_th"]).wait_for(timeout=10_000)
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(rf"district={CODE}"), timeout=30_000)

    card = page.get_by_role(
        "heading", name=t("districts.card_title", "th", name=district_name(CODE, "th"))
    )
    card.wait_for(timeout=30_000)
    metric = (
        page.locator('[data-testid="stMetric"]')
        .filter(has_text=t("districts.card.total", "th"))
        .first
    )
    assert int(metric.locator('[data-testid="stMetricValue"]').inner_text()) > 0
    label = page.locator('[data-testid="stWidgetLabel"]').get_by_text(
        t("filter.district", "th"), exact=True
    )
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has=label)
    assert district_name(CODE, "th") in box.inner_text()  # the sidebar filter follows the click
    page.wait_for_timeout(500)  # the selected outline is drawn on the rerun
    shot(page, "districts_map")
    card.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    shot(page, "districts_card")
