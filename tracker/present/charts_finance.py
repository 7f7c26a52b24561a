"""Plotly figures of the KPI and budget pages (DataFrame in, Figure out; no Streamlit).

Same conventions as ``tracker.present.charts``: a title and axis labels in the active language, the
Thai-capable font, fixed colours (traffic lights green / amber / red), plain lists in the spec
so the numbers can be read back from its JSON.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from messages.i18n import t
from tracker.metrics import kpi_scores as kpi_mod
from tracker.metrics.targets import KINDS, Targets
from tracker.present import finance_views as fv
from tracker.present.charts import _layout
from tracker.schema import PERIODS
from tracker.unit_names import unit_name

RATE_COLOR = "#1565c0"
TOTAL_COLOR = "#0d3c78"
TARGET_COLOR = "#6d4c41"
KIND_DASH = {"overall": "dash", "current": "dot", "capital": "dashdot"}
_PALETTE = (
    "#1565c0",
    "#2e7d32",
    "#6a1b9a",
    "#ef6c00",
    "#00838f",
    "#ad1457",
    "#5d4037",
    "#455a64",
    "#9e9d24",
    "#283593",
)


def _rows_height(n: int) -> int:
    """Height of a horizontal bar chart with ``n`` bars thick enough for their text."""
    return max(360, 170 + 40 * n)


def _finish(fig: go.Figure, title: str, x: str, y: str, height: int) -> go.Figure:
    """``charts._layout`` with the legend moved below the x-axis title (it overlaps it at the
    default offset once the axis has a title)."""
    fig = _layout(fig, title, x, y, height)
    plot_height = max(height - 120, 120)
    fig.update_layout(legend={"y": -min(0.6, 85 / plot_height), "yanchor": "top"})
    return fig


def _target_trace(
    fig: go.Figure, cats: list[str], value: float, name: str, dash: str, meta: str, across: str
) -> None:
    """A constant target as a legend-labelled line through the categories ``cats``: a
    horizontal line when ``across`` is "x" (categories on x), vertical when it is "y"."""
    values = [value] * len(cats)
    xy = {"x": cats, "y": values} if across == "x" else {"x": values, "y": cats}
    fig.add_scatter(
        name=name,
        **xy,
        mode="lines" if len(cats) > 1 else "lines+markers",
        line={"color": TARGET_COLOR, "width": 2, "dash": dash},
        marker={"symbol": "line-ew-open" if across == "x" else "line-ns-open", "size": 30},
        meta=meta,
        hoverinfo="name",
    )


def _two_lines(label: str) -> str:
    """ "31 มี.ค. 2567" → "31 มี.ค.<br>2567": narrower ticks on a phone."""
    head, _, tail = label.rpartition(" ")
    return f"{head}<br>{tail}" if head else label


def _num(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def kpi_achievement(card: pd.DataFrame, lang: str) -> go.Figure:
    """Achievement % of each scored KPI, one bar per KPI coloured by its traffic light."""
    scored = card[card["achievement_pct"].notna()]
    codes = [str(c) for c in scored["kpi_code"]]
    fig = go.Figure()
    for light in kpi_mod.LIGHTS:
        part = scored[scored["light"] == light]
        if part.empty:
            continue
        label = fv.light_label(light, lang)
        fig.add_bar(
            name=label,
            y=[str(c) for c in part["kpi_code"]],
            x=[float(v) for v in part["achievement_pct"]],
            orientation="h",
            marker_color=fv.LIGHT_COLORS[light],
            meta=light,
            text=[f"{fv.rate(v)}% · {label}" for v in part["achievement_pct"]],
            textposition="auto",
            customdata=[str(k) for k in part["kpi"]],
            hovertemplate="%{y} %{customdata}<br>%{x:.2f}%<extra>" + label + "</extra>",
        )
    top = max([100.0, *(float(v) for v in scored["achievement_pct"])]) * 1.05
    fig.update_xaxes(range=[0, top])
    fig.update_yaxes(
        categoryorder="array", categoryarray=codes, autorange="reversed", type="category"
    )
    fig.add_vline(x=100, line_dash="dash", line_color=TARGET_COLOR)
    return _finish(
        fig,
        t("fin.chart.achievement", lang),
        t("fin.axis.achievement", lang),
        t("fin.axis.kpi_code", lang),
        _rows_height(len(codes)),
    )


def kpi_levels(wide: pd.DataFrame, measure: str, lang: str) -> go.Figure:
    """Each KPI's achieved value (level or percent) over the quarters, one line per KPI."""
    rows = wide[wide["measure"] == measure]
    x = [t(f"fin.period_short.{p}", lang) for p in PERIODS]
    fig = go.Figure()
    for i, r in enumerate(rows.itertuples(index=False)):
        fig.add_scatter(
            name=str(r.kpi_code),
            x=x,
            y=[_num(getattr(r, p)) for p in PERIODS],
            mode="lines+markers",
            line={"color": _PALETTE[i % len(_PALETTE)], "width": 2},
            marker={"size": 9},
            meta=str(r.kpi_code),
            customdata=[str(r.kpi)] * len(x),
            hovertemplate="%{meta} %{customdata}<br>%{x}: %{y}<extra></extra>",
            connectgaps=False,
        )
    targets = {float(v) for v in rows["target"].dropna()}
    if len(targets) == 1:
        fig.add_hline(
            y=targets.pop(),
            line_dash="dash",
            line_color=TARGET_COLOR,
            annotation_text=t("fin.legend.target", lang),
            annotation_position="top left",
        )
    if measure == "level":
        fig.update_yaxes(range=[0, 5.4], dtick=1)
        y_title = t("fin.axis.level", lang)
    else:
        fig.update_yaxes(range=[0, 105])
        y_title = t("fin.axis.percent", lang)
    title_key = "fin.chart.levels" if measure == "level" else "fin.chart.percents"
    fig.update_xaxes(tickangle=0)
    fig.update_layout(showlegend=True)
    return _finish(fig, t(title_key, lang), t("fin.axis.period", lang), y_title, 420)


def _target_lines(fig: go.Figure, cats: list[str], targets: Targets, lang: str) -> None:
    for kind in KINDS:
        value = targets.full_year(kind)
        if value is not None:
            name = t(f"fin.target.{kind}", lang, pct=fv.rate(float(value)))
            _target_trace(fig, cats, float(value), name, KIND_DASH[kind], f"target_{kind}", "y")


def budget_rate_by_type(types: pd.DataFrame, targets: Targets, lang: str) -> go.Figure:
    """Disbursement rate of each applicable budget type and the total (horizontal bars, long
    Thai labels read on a phone), against the full-year targets (overall, current and capital
    expenditure) drawn as lines."""
    shown = types[types["rate_pct"].notna()]
    labels = [fv.budget_type_label(b, lang) for b in shown["budget_type"]]
    rates = [float(v) for v in shown["rate_pct"]]
    colors = [TOTAL_COLOR if b == "total" else RATE_COLOR for b in shown["budget_type"]]
    top = max([100.0, *rates])
    fig = go.Figure(
        go.Bar(
            name=t("fin.legend.rate", lang),
            y=labels,
            x=rates,
            orientation="h",
            marker_color=colors,
            meta=[str(b) for b in shown["budget_type"]],
            text=[f"{fv.rate(v)}%" for v in rates],
            # a short bar (a 0.00% central fund) cannot hold its figure: it is written beside it,
            # else the bar would read as "no data" like a type that does not apply
            textposition=["inside" if v >= 0.15 * top else "outside" for v in rates],
            insidetextanchor="start",
            hovertemplate="%{y}: %{x:.2f}%<extra></extra>",
        )
    )
    _target_lines(fig, labels, targets, lang)
    fig.update_xaxes(range=[0, top * 1.05])
    fig.update_yaxes(type="category", autorange="reversed")
    return _finish(
        fig,
        t("fin.chart.rate_by_type", lang),
        t("fin.axis.rate", lang),
        t("fin.axis.budget_type", lang),
        _rows_height(len(labels)),
    )


def budget_cumulative(cum: pd.DataFrame, targets: Targets, lang: str) -> go.Figure:
    """The cumulative disbursement rate at each as-of date against the cumulative target then
    and the full-year overall target."""
    x = [_two_lines(fv.date_label(d, lang)) for d in cum["as_of"]]
    rates = [_num(v) for v in cum["rate_pct"]]
    fig = go.Figure()
    fig.add_scatter(
        name=t("fin.legend.cumulative_rate", lang),
        x=x,
        y=rates,
        mode="lines+markers+text",
        line={"color": RATE_COLOR, "width": 3},
        marker={"size": 10},
        text=[fv.rate(v) for v in rates],
        textposition="top center",
        meta="rate",
        hovertemplate="%{x}: %{y:.2f}%<extra></extra>",
    )
    goal = [_num(v) for v in cum["target"]]
    if any(v is not None for v in goal):
        fig.add_scatter(
            name=t("fin.legend.cumulative_target", lang),
            x=x,
            y=goal,
            mode="lines+markers",
            line={"color": TARGET_COLOR, "width": 2, "dash": "dash"},
            marker={"size": 9, "symbol": "diamond"},
            meta="target",
            connectgaps=True,
            hovertemplate="%{x}: %{y:.2f}%<extra></extra>",
        )
    overall = targets.full_year("overall")
    if overall is not None and x:
        name = t("fin.target.overall", lang, pct=fv.rate(float(overall)))
        _target_trace(fig, x, float(overall), name, KIND_DASH["overall"], "target_overall", "x")
    fig.update_yaxes(range=[0, 105])
    fig.update_xaxes(type="category")
    return _finish(
        fig,
        t("fin.chart.cumulative", lang),
        t("fin.axis.as_of", lang),
        t("fin.axis.rate", lang),
        420,
    )


def budget_rate_by_unit(units: pd.DataFrame, lang: str) -> go.Figure:
    """Each unit's disbursement rate, units below their target in red, target as a marker
    (units named in ``lang``: "Bang Na District Office" in English)."""
    fig = go.Figure()

    def shown(frame: pd.DataFrame) -> list[str]:
        return [unit_name(u, lang) for u in frame["unit"]]

    names = shown(units)
    groups = (
        ("below", units["below_target"].astype(bool), fv.LIGHT_COLORS["red"]),
        ("ok", ~units["below_target"].astype(bool), RATE_COLOR),
    )
    for key, mask, color in groups:
        part = units[mask & units["rate_pct"].notna()]
        if part.empty:
            continue
        fig.add_bar(
            name=t(f"fin.legend.unit_{key}", lang),
            y=shown(part),
            x=[float(v) for v in part["rate_pct"]],
            orientation="h",
            marker_color=color,
            meta=key,
            text=[f"{fv.rate(v)}%" for v in part["rate_pct"]],
            textposition="inside",
            insidetextanchor="start",
            hovertemplate="%{y}: %{x:.2f}%<extra></extra>",
        )
    with_target = units[units["target"].notna()]
    if not with_target.empty:
        fig.add_scatter(
            name=t("fin.legend.target", lang),
            y=shown(with_target),
            x=[float(v) for v in with_target["target"]],
            mode="markers",
            marker={
                "symbol": "line-ns-open",
                "size": 26,
                "color": TARGET_COLOR,
                "line": {"width": 3, "color": TARGET_COLOR},
            },
            meta="target",
            hovertemplate="%{y}: %{x:.2f}%<extra></extra>",
        )
    fig.update_yaxes(
        categoryorder="array", categoryarray=names, autorange="reversed", type="category"
    )
    fig.update_xaxes(range=[0, 105])
    return _finish(
        fig,
        t("fin.chart.rate_by_unit", lang),
        t("fin.axis.rate", lang),
        "",
        _rows_height(len(names)),
    )


__all__ = [
    "budget_cumulative",
    "budget_rate_by_type",
    "budget_rate_by_unit",
    "kpi_achievement",
    "kpi_levels",
]
