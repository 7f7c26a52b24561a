"""Small drawing helpers: metric cards, a chart with its table view, the data caption."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from tracker.thai import format_int
from ui.i18n import tr


def chart(fig: go.Figure, table: pd.DataFrame, key: str) -> None:
    """A Plotly chart and, folded below it, the same numbers as a table."""
    st.plotly_chart(fig, width="stretch", key=key, config={"displaylogo": False})
    with st.expander(tr("common.table_view")):
        st.dataframe(table, hide_index=True, width="stretch")


def cards(items: list[tuple[str, str, str | None]]) -> None:
    """Metric cards in a row (they wrap on a phone): (label, value, help)."""
    cols = st.columns(len(items))
    for col, (label, value, help_text) in zip(cols, items, strict=True):
        col.metric(label, value, help=help_text, border=True)


def count(n: int) -> str:
    return format_int(n)


def data_caption(source: str, loaded_at: str) -> None:
    st.caption(tr("common.data_from", source=source, at=loaded_at))
