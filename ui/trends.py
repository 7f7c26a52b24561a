"""The Directives page's trend per round or fiscal quarter (the filtered view)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tracker.metrics import periods as trends
from tracker.present.charts_trends import period_table, period_trend
from ui.i18n import lang, tr
from ui.widgets import chart


def period_trends(timed: pd.DataFrame) -> None:
    """% done and median days to done per round or quarter, with a select and the table."""
    st.subheader(tr("trend.heading"))
    by = (
        st.segmented_control(
            tr("trend.by"),
            list(trends.PERIODS),
            default="round",
            format_func=lambda p: tr(f"trend.axis.{p}"),
            key="trend_by",
        )
        or "round"
    )
    table = trends.by_period(timed, by)
    if table.empty:
        st.caption(tr("trend.none"))
        return
    chart(period_trend(table, by, lang()), period_table(table, lang()), f"trend_{by}")
