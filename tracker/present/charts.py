"""Plotly figure builders (DataFrame in, Figure out): titles, axis labels, fixed status colours."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from messages.i18n import t
from tracker.present.binning import aging_bins
from tracker.schema import FACTOR_EN, FACTOR_SHORT_TH, STATUS_COLORS, STATUS_EN, STATUS_TH, STATUSES
from tracker.unit_names import unit_names

FONT = "Sarabun, Loma, Garuda, 'Noto Sans Thai', 'Tlwg Typo', sans-serif"


def status_label(key: str, lang: str) -> str:
    return (STATUS_TH if lang == "th" else STATUS_EN)[key]


def factor_label(key: str, lang: str) -> str:
    return (FACTOR_SHORT_TH if lang == "th" else FACTOR_EN)[key]


def _layout(fig: go.Figure, title: str, x: str, y: str, height: int | None = None) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 14},
        xaxis_title=x,
        yaxis_title=y,
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=height,
    )
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(automargin=True)
    return fig


DISTRICT_OFFICE = "สำนักงานเขต"


def short_units(names: list[str], lang: str = "th") -> list[str]:
    """Axis labels: "สำนักงานเขตบางนา" as "เขตบางนา" ("Bang Na District" in English; the bars
    keep the width on a phone; the full name is in the hover), unless two labels would then
    read the same. English labels are the units' English names (tracker/unit_names)."""
    if lang == "en":
        full = unit_names(names, lang)
        short = [n.removesuffix(" Office") if n.endswith(" District Office") else n for n in full]
        return short if len(set(short)) == len(set(names)) else full
    short = [
        "เขต" + n[len(DISTRICT_OFFICE) :] if n.startswith(DISTRICT_OFFICE) else n for n in names
    ]
    return short if len(set(short)) == len(set(names)) else list(names)


def _count_axis(fig: go.Figure, axis: str, top: int) -> None:
    """A count axis ticks whole numbers only (never 0.5 directives)."""
    ticks: dict = {"tickformat": ",d", "rangemode": "nonnegative"}
    if top <= 8:
        ticks |= {"tick0": 0, "dtick": 1}
    (fig.update_xaxes if axis == "x" else fig.update_yaxes)(**ticks)


def _bar_height(n: int) -> int:
    return max(320, 120 + 26 * n)


def status_stack(counts: pd.DataFrame, key: str, lang: str, title_key: str) -> go.Figure:
    """Stacked horizontal bar of status counts per ``key`` (agency, group, …)."""
    names = counts[key].astype(str).tolist()
    labels = short_units(names, lang)
    names = unit_names(names, lang)  # the hover's full name
    fig = go.Figure()
    for s in STATUSES:
        fig.add_bar(
            name=status_label(s, lang),
            y=labels,
            x=counts[s].tolist(),
            customdata=names,
            orientation="h",
            marker_color=STATUS_COLORS[s],
            meta=s,
            hovertemplate="%{customdata}<br>" + status_label(s, lang) + ": %{x}<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed")
    _count_axis(fig, "x", int(counts[list(STATUSES)].sum(axis=1).max()) if len(counts) else 0)
    return _layout(
        fig, t(title_key, lang), t("axis.directives", lang), "", _bar_height(len(labels))
    )


def done_ranking(counts: pd.DataFrame, lang: str) -> go.Figure:
    """Agencies ranked by % done."""
    names = counts["agency"].astype(str).tolist()
    fig = go.Figure(
        go.Bar(
            y=short_units(names, lang),
            x=counts["done_pct"].tolist(),
            customdata=unit_names(names, lang),
            orientation="h",
            marker_color=STATUS_COLORS["done"],
            text=[f"{v:.1f}%" for v in counts["done_pct"]],
            textposition="auto",
            hovertemplate="%{customdata}: %{x:.2f}%<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[0, 100])
    return _layout(
        fig, t("chart.done_ranking", lang), t("axis.done_pct", lang), "", _bar_height(len(counts))
    )


def factor_stack(counts: pd.DataFrame, lang: str) -> go.Figure:
    c = counts.assign(factor=[factor_label(k, lang) for k in counts["factor"]])
    return status_stack(c, "factor", lang, "chart.by_factor")


def group_heatmap(pivot: pd.DataFrame, lang: str) -> go.Figure:
    """Agency × group counts."""
    fig = go.Figure(
        go.Heatmap(
            z=pivot.to_numpy().tolist(),
            x=[str(c) for c in pivot.columns],
            y=short_units([str(i) for i in pivot.index], lang),
            customdata=[
                [n] * len(pivot.columns) for n in unit_names(list(map(str, pivot.index)), lang)
            ],
            colorscale="Blues",
            # the title along the bar: over it, it ran out of the chart on a phone
            colorbar={"title": {"text": t("axis.directives", lang), "side": "right"}},
            hovertemplate="%{customdata}<br>%{x}: %{z}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickangle=-35)
    return _layout(
        fig,
        t("chart.heatmap", lang),
        t("axis.group", lang),
        t("axis.agency", lang),
        max(420, 160 + 22 * len(pivot)),
    )


def aging_histogram(
    days: pd.Series,
    overdue: pd.Series,
    lang: str,
    no_due: pd.Series | None = None,
    bins: pd.DataFrame | None = None,
) -> go.Figure:
    """How long directives stay open: overdue, not overdue, and without a due date apart
    (binned here: one bar per bin reaches the browser, never one value per directive;
    ``bins``: ``aging_bins`` of the same values when already made)."""
    if bins is None:
        bins = aging_bins(days, overdue, no_due)
    width = (bins["end"] - bins["start"]).to_numpy()
    centre = (bins["start"] + width / 2).tolist()
    span = [
        f"{a:,}–{b - 1:,}" if b - a > 1 else f"{a:,}"
        for a, b in zip(bins["start"], bins["end"], strict=True)
    ]
    fig = go.Figure()
    for key, colour in (
        ("on_time", "#1565c0"),
        ("overdue", STATUS_COLORS["cannot"]),
        ("no_due_date", "#9e9e9e"),
    ):
        if key != "no_due_date" or bins[key].sum():
            fig.add_bar(
                x=centre,
                y=bins[key].tolist(),
                width=width.tolist(),
                name=t(f"legend.{key}", lang),
                marker_color=colour,
                customdata=span,
                hovertemplate="%{customdata}: %{y:,}<extra>%{fullData.name}</extra>",
            )
    fig.update_layout(barmode="stack", bargap=0)
    fig.update_yaxes(tickformat=",d", rangemode="nonnegative")
    return _layout(
        fig, t("chart.aging", lang), t("axis.days_open", lang), t("axis.directives", lang)
    )
