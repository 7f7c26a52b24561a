"""Links from unit names to the unit card (issue 18): the URL carries the Thai name, the link
shows the name in the page's language, a chart's selected point names its unit."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pandas as pd
import plotly.graph_objects as go
import pytest

from ui.unit_links import DISPLAY, label_map, picked_unit, unit_href, unit_of, with_links

BANGNA, YOTHA = "สำนักงานเขตบางนา", "สำนักการโยธา"


def _shown(href: str) -> str:
    # the link column's display pattern, decoded as the browser does (decodeURIComponent)
    return unquote(re.search(DISPLAY, href).group(1).replace("+", "%20"))


@pytest.mark.parametrize(
    ("unit", "lang", "shown"),
    [
        (BANGNA, "th", BANGNA),
        (BANGNA, "en", "Bang Na District Office"),
        (YOTHA, "en", "Public Works Department"),
        ("หน่วย & ทดลอง #1 (ก/ข)", "th", "หน่วย & ทดลอง #1 (ก/ข)"),  # not in any list
    ],
)
def test_the_link_carries_the_thai_name_and_shows_the_language(unit, lang, shown):
    href = unit_href(unit, lang)
    assert href.startswith("units?")
    assert unit_of(href) == unit
    assert _shown(href) == shown
    assert ("lang=en" in href) == (lang == "en")


def test_a_missing_unit_has_no_link():
    assert unit_href(None, "th") is None and unit_href(float("nan"), "en") is None
    assert unit_of(None) is None and unit_of("units?lang=en") is None


def test_every_label_a_chart_gives_a_unit_maps_back_to_it():
    th, en = label_map([BANGNA, YOTHA], "th"), label_map([BANGNA, YOTHA], "en")
    assert th[BANGNA] == th["เขตบางนา"] == BANGNA  # as stored and short
    assert en["Bang Na District Office"] == en["Bang Na District"] == BANGNA
    assert en["Public Works Department"] == en[YOTHA] == YOTHA


def test_the_selected_point_names_its_unit():
    labels = label_map([BANGNA, YOTHA], "en")
    bars = go.Figure(go.Bar(y=["Bang Na District", "Public Works Department"], x=[3, 4]))
    bars.data[0].orientation = "h"
    point = {"curve_number": 0, "point_index": 1, "x": 4, "y": "Public Works Department"}
    assert picked_unit(bars, [point], labels) == YOTHA
    lines = go.Figure([go.Scatter(x=["#1"], y=[50], meta="__all__"), go.Scatter(meta=BANGNA)])
    assert picked_unit(lines, [{"curve_number": 1, "x": "#1", "y": 50}], labels) == BANGNA
    assert picked_unit(lines, [{"curve_number": 0, "x": "#1", "y": 50}], labels) is None
    assert picked_unit(lines, [], labels) is None


def test_a_table_of_shown_names_gets_the_links_of_the_stored_names():
    shown = pd.DataFrame({"Unit": ["Bang Na District Office", "Public Works Department"]})
    linked, config = with_links(shown, "Unit", [BANGNA, YOTHA], "en")
    assert [unit_of(h) for h in linked["Unit"]] == [BANGNA, YOTHA]
    assert [_shown(h) for h in linked["Unit"]] == shown["Unit"].tolist()
    assert list(config) == ["Unit"]
    assert shown["Unit"].iloc[0] == "Bang Na District Office"  # the frame given is kept
