"""The trend of the filtered register per round or fiscal quarter: % done (bars) and median
days to done (line, right axis), with its table (DataFrame in, Figure out; no Streamlit)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from messages.i18n import t
from tracker.present.charts import _layout
from tracker.schema import STATUS_COLORS


def period_trend(table: pd.DataFrame, by: str, lang: str) -> go.Figure:
    """% done per period as bars and the median days to done as a line ("not reached" gaps)."""
    periods = table["period"].astype(str).tolist()
    fig = go.Figure()
    fig.add_bar(
        x=periods,
        y=table["done_pct"].tolist(),
        name=t("trend.done_pct", lang),
        marker_color=STATUS_COLORS["done"],
        customdata=table[["done", "n"]].to_numpy().tolist(),
        hovertemplate="%{x}: %{y:.1f}% (%{customdata[0]:,} / %{customdata[1]:,})<extra></extra>",
    )
    medians = [None if pd.isna(v) else float(v) for v in table["median_days"]]
    fig.add_scatter(
        x=periods,
        y=medians,
        name=t("trend.median_days", lang),
        mode="lines+markers",
        yaxis="y2",
        line={"color": "#6a1b9a", "width": 3},
        connectgaps=False,
        hovertemplate="%{x}: %{y:,.0f} " + t("trend.days", lang) + "<extra></extra>",
    )
    fig.update_layout(
        yaxis={"range": [0, 100], "title": t("trend.done_pct", lang), "ticksuffix": "%"},
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "title": t("trend.median_days", lang),
            "tickformat": ",d",
        },
    )
    fig.update_xaxes(type="category")
    return _layout(fig, t(f"trend.title.{by}", lang), t(f"trend.axis.{by}", lang), "", 380)


def period_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The trend's numbers with labels in the language ("—" where half are not done yet)."""
    return pd.DataFrame(
        {
            t("trend.col.period", lang): table["period"].astype(str),
            t("trend.col.n", lang): table["n"].astype(int),
            t("trend.col.done", lang): table["done"].astype(int),
            t("trend.done_pct", lang): [f"{v:.1f}%" for v in table["done_pct"]],
            t("trend.median_days", lang): [
                "—" if pd.isna(v) else f"{float(v):,.0f}" for v in table["median_days"]
            ],
        }
    )
