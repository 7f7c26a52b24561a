"""Chart titles sit below Plotly's toolbar strip, a title of several lines too (issue 16)."""

from __future__ import annotations

import plotly.graph_objects as go

from ui.widgets import TITLE_LINE_PX, TOOLBAR_PX, clear_of_toolbar


def test_one_line_title_is_padded_below_the_toolbar():
    fig = clear_of_toolbar(go.Figure(layout={"title": {"text": "ร้อยละดำเนินการแล้ว รายเขต"}}))
    assert fig.layout.title.pad.t == TOOLBAR_PX
    assert fig.layout.title.yanchor == "top"
    assert fig.layout.margin.t >= 50 + TOOLBAR_PX


def test_each_more_line_of_a_title_moves_it_down_one_line():
    # Plotly anchors a title by its first line: the second would rise into the toolbar
    fig = clear_of_toolbar(go.Figure(layout={"title": {"text": "Units by median<br>(fastest)"}}))
    assert fig.layout.title.pad.t == TOOLBAR_PX + TITLE_LINE_PX
    assert fig.layout.margin.t >= 50 + TOOLBAR_PX + TITLE_LINE_PX


def test_a_chart_without_a_title_keeps_its_margin():
    fig = clear_of_toolbar(go.Figure(layout={"margin": {"t": 20}}))
    assert fig.layout.margin.t == 20
