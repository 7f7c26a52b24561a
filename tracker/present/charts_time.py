"""Time to done on screen: the ranking of units by median days, the Kaplan–Meier curves per
group, and their tables (labels in the active language; "not reached", never 0)."""

from __future__ import annotations

import math
import numbers

import pandas as pd
import plotly.graph_objects as go

from messages.i18n import t
from tracker.metrics.time_to_done import WITHIN_DAYS
from tracker.places import district_name, zones
from tracker.present.charts import _layout, factor_label
from tracker.schema import STATUS_COLORS
from tracker.unit_names import unit_name

CURVE_GROUPS = 8  # curves drawn at most (the largest groups); the table lists every group
_PALETTE = (
    "#1a5fb4",
    "#2e7d32",
    "#c62828",
    "#f9a825",
    "#6a1b9a",
    "#00838f",
    "#ef6c00",
    "#5d4037",
)


def median_label(value: object, lang: str) -> str:
    """ "34 วัน" / "34 days", or "ยังไม่ถึงครึ่ง" / "not reached" when there is no median."""
    if not isinstance(value, numbers.Real) or math.isnan(float(value)):
        return t("ttd.not_reached", lang)
    return t("ttd.days", lang, n=f"{int(float(value)):,}")


def key_label(key: object, by: str, lang: str) -> str:
    """A group's name as shown: factor and district names, zone and round in the language."""
    text = str(key)
    if by == "factor":
        return factor_label(text, lang)
    if by == "district":
        return district_name(text, lang) or text
    if by == "agency":
        return unit_name(text, lang)
    if by == "zone" and lang == "en":
        return dict(zones()).get(text, text)
    if by == "round" and "/" in text:
        fy, rnd = text.split("/", 1)
        return t("ttd.round_label", lang, fy=fy, round=rnd)
    return text


def _phone(fig: go.Figure) -> go.Figure:
    """Room for a two-line title, and the legend below the x-axis title (a 390 px screen)."""
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
        legend={"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0},
    )
    return fig


def ranking_chart(ranked: pd.DataFrame, lang: str, by: str = "agency") -> go.Figure:
    """Median days to done per group, fastest first, each labelled with its n and how many are
    open; groups not reached at the bottom with the words "not reached" where a bar would be."""
    labels = [key_label(k, by, lang) for k in ranked["key"]]
    medians = ranked["median_days"].tolist()
    reached = [not (isinstance(m, float) and math.isnan(m)) for m in medians]
    counts = [
        t("ttd.tick", lang, n=f"{n:,}", open=f"{c:,}")
        for n, c in zip(ranked["n"], ranked["censored"], strict=True)
    ]
    words = [median_label(m, lang) for m in medians]
    fig = go.Figure()
    fig.add_bar(
        y=labels,
        x=[m if ok else None for m, ok in zip(medians, reached, strict=True)],
        orientation="h",
        marker_color=STATUS_COLORS["done"],
        text=[w if ok else "" for w, ok in zip(words, reached, strict=True)],
        textposition="auto",
        hovertext=[f"{w} · {c}" for w, c in zip(words, counts, strict=True)],
        hovertemplate="%{y}<br>%{hovertext}<extra></extra>",
        name=t("ttd.axis.median_days", lang),
        showlegend=False,
    )
    if not all(reached):
        fig.add_scatter(
            y=[lab for lab, ok in zip(labels, reached, strict=True) if not ok],
            x=[0] * (len(labels) - sum(reached)),
            mode="text",
            text=[w for w, ok in zip(words, reached, strict=True) if not ok],
            textposition="middle right",
            hoverinfo="skip",
            showlegend=False,
        )
    fig.update_yaxes(
        autorange="reversed",
        categoryorder="array",
        categoryarray=labels,
        tickmode="array",
        tickvals=labels,
        ticktext=[f"{lab}<br>{c}" for lab, c in zip(labels, counts, strict=True)],
    )
    longest = max([m for m, ok in zip(medians, reached, strict=True) if ok], default=0)
    fig.update_xaxes(range=[0, max(30.0, 1.3 * float(longest))])
    return _phone(
        _layout(
            fig,
            t("ttd.chart.ranking", lang),
            t("ttd.axis.median_days", lang),
            "",
            max(320, 130 + 40 * len(labels)),
        )
    )


def largest_groups(figures: pd.DataFrame, limit: int = CURVE_GROUPS) -> list:
    """The keys of the ``limit`` groups with the most directives (ties by key)."""
    order = figures.sort_values(["n", "key"], ascending=[False, True])
    return order["key"].head(limit).tolist()


def curves_chart(curves: pd.DataFrame, keys: list, by: str, lang: str) -> go.Figure:
    """% done (1 − S) against days since issue, one step line per group of ``keys``."""
    by_label = t(f"ttd.by.{by}", lang)
    fig = go.Figure()
    for i, key in enumerate(keys):
        one = curves[curves["key"] == key]
        name = key_label(key, by, lang)
        fig.add_scatter(
            x=one["days"].tolist(),
            y=(100 * (1 - one["survival"])).round(2).tolist(),
            mode="lines",
            line={"shape": "hv", "color": _PALETTE[i % len(_PALETTE)], "width": 2},
            name=name,
            customdata=one["at_risk"].tolist(),
            # the name through Plotly (escaped with the trace), never pasted into the template
            hovertemplate="%{fullData.name}<br>"
            + t("ttd.days", lang, n="%{x}")
            + ": %{y:.1f}% (n=%{customdata})<extra></extra>",
        )
    for days in WITHIN_DAYS:
        fig.add_vline(x=days, line_dash="dot", line_color="#9e9e9e", line_width=1)
    fig.update_yaxes(range=[0, 100])
    fig.update_xaxes(rangemode="tozero")
    return _phone(
        _layout(
            fig,
            t("ttd.chart.curves", lang, by=by_label),
            t("ttd.axis.days", lang),
            t("ttd.axis.pct_done", lang),
            520,
        )
    )


def figures_table(figures: pd.DataFrame, by: str, lang: str) -> pd.DataFrame:
    """The figures per group as the tables show them (median as days or "not reached")."""
    out = pd.DataFrame(
        {
            t(f"ttd.by.{by}", lang): [key_label(k, by, lang) for k in figures["key"]],
            t("ttd.col.n", lang): figures["n"].to_numpy(),
            t("ttd.col.done", lang): figures["done"].to_numpy(),
            t("ttd.col.censored", lang): figures["censored"].to_numpy(),
            t("ttd.col.median_days", lang): [median_label(m, lang) for m in figures["median_days"]],
        }
    )
    for days in WITHIN_DAYS:
        out[t("ttd.col.done_within", lang, days=days)] = figures[f"done_within_{days}"].to_numpy()
    return out


def curve_table(curves: pd.DataFrame, by: str, lang: str) -> pd.DataFrame:
    """The Kaplan–Meier table behind the curves (one row per group and day)."""
    return pd.DataFrame(
        {
            t(f"ttd.by.{by}", lang): [key_label(k, by, lang) for k in curves["key"]],
            t("ttd.col.days", lang): curves["days"].to_numpy(),
            t("ttd.col.at_risk", lang): curves["at_risk"].to_numpy(),
            t("ttd.col.done_that_day", lang): curves["done"].to_numpy(),
            t("ttd.col.censored_that_day", lang): curves["censored"].to_numpy(),
            t("ttd.col.pct_done", lang): (100 * (1 - curves["survival"])).round(2).to_numpy(),
        }
    )
