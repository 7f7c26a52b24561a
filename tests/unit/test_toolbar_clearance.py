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


def test_a_legend_under_the_plot_goes_to_the_figure_bottom():
    from ui.widgets import legend_at_bottom

    fig = go.Figure(layout={"legend": {"orientation": "h", "y": -0.12, "yanchor": "top"}})
    legend = legend_at_bottom(fig).layout.legend
    assert (legend.yref, legend.y, legend.yanchor) == ("container", 0, "bottom")
    # a legend at the side stays where the chart put it
    side = legend_at_bottom(go.Figure(layout={"legend": {"y": 1}})).layout.legend
    assert side.yref is None and side.y == 1


def test_the_heat_map_names_district_offices_short_with_the_full_name_on_hover():
    import pandas as pd

    from tracker.present.charts import group_heatmap

    pivot = pd.DataFrame({"g": [1, 2]}, index=["สำนักงานเขตบางนา", "สำนักการโยธา"])
    trace = group_heatmap(pivot, "th").data[0]
    assert list(trace.y) == ["เขตบางนา", "สำนักการโยธา"]
    assert [row[0] for row in trace.customdata] == ["สำนักงานเขตบางนา", "สำนักการโยธา"]
