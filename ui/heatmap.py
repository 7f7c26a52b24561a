"""The unit × group heat map with the same counts as a list: a matrix of thirty units by eight
groups cannot be read on a phone, a list sorted by count can."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tracker.metrics import directives as metrics
from tracker.present import charts
from tracker.present.views import heatmap_list
from ui import memo
from ui.i18n import lang, tr
from ui.widgets import chart, data_table


def group_heatmap(view: pd.DataFrame) -> None:
    """Tabs แผนภาพ / รายการ (Chart / List) over the directives in ``view``."""
    lg = lang()
    key = memo.rows_key(view)  # kept per snapshot and rows: a rerun recomputes nothing
    pivot = memo.numbers(key and (*key, "heatmap"), lambda: metrics.heatmap(view))
    fig = memo.figure(key and (*key, "heatmap", lg), lambda: charts.group_heatmap(pivot, lg))
    as_chart, as_list = st.tabs([tr("glance.heatmap.chart"), tr("glance.heatmap.list")])
    with as_chart:  # its numbers are the list beside it (a matrix's headers are data)
        chart(fig, None, "heatmap")
    with as_list:
        st.caption(tr("glance.heatmap.list_help"))
        data_table(heatmap_list(pivot, lg), "heatmap_list", name="directives_by_unit_group")
