"""Trends over published snapshots: % done per unit, a directive's status over time, due
dates moved, and the trend figure (no Streamlit). Reads the store's history; draws nothing
itself except the Plotly figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from messages.i18n import t
from tracker.present.charts import FONT
from tracker.store import Store
from tracker.thai import format_bangkok
from tracker.unit_names import unit_name

HISTORY_COLUMNS = ["directive_id", "agency", "status", "due_date"]


def directive_history(store: Store) -> pd.DataFrame:
    """Every snapshot's directives (id, agency, status, due date) with snapshot_id, created_at."""
    return store.history("directives", columns=list(HISTORY_COLUMNS))


def agency_trends(history: pd.DataFrame) -> pd.DataFrame:
    """Per snapshot and agency: total, done and % done (2 dp), oldest snapshot first."""
    cols = ["snapshot_id", "created_at", "agency", "total", "done", "done_pct"]
    h = history.dropna(subset=["agency"])
    if h.empty:
        return pd.DataFrame(columns=cols)
    g = (
        h.assign(done=h["status"].astype(object).eq("done"))
        .groupby(["snapshot_id", "created_at", "agency"], observed=True, sort=True)
        .agg(total=("done", "size"), done=("done", "sum"))
        .reset_index()
    )
    g["agency"] = g["agency"].astype(object)
    g["total"] = g["total"].astype(int)
    g["done"] = g["done"].astype(int)
    g["done_pct"] = (100 * g["done"] / g["total"]).round(2)
    return g[cols].reset_index(drop=True)


def overall_trend(trends: pd.DataFrame) -> pd.DataFrame:
    """All agencies together per snapshot: total, done, % done."""
    cols = ["snapshot_id", "created_at", "total", "done", "done_pct"]
    if trends.empty:
        return pd.DataFrame(columns=cols)
    g = trends.groupby(["snapshot_id", "created_at"], sort=True)[["total", "done"]].sum()
    g = g.reset_index()
    g["done_pct"] = (100 * g["done"] / g["total"]).round(2)
    return g[cols]


def default_trend_agencies(trends_df: pd.DataFrame, n: int = 5) -> list[str]:
    """The ``n`` agencies with the most directives in the latest snapshot (the chart default)."""
    if trends_df.empty:
        return []
    last = trends_df[trends_df["snapshot_id"] == trends_df["snapshot_id"].max()]
    ranked = last.sort_values(["total", "agency"], ascending=[False, True], kind="stable")
    return ranked["agency"].head(n).tolist()


def status_history(history: pd.DataFrame, directive_id: str) -> pd.DataFrame:
    """One directive in each snapshot that holds it: status, due date, and whether it changed."""
    h = history[history["directive_id"] == directive_id]
    h = h.drop_duplicates("snapshot_id", keep="last").sort_values("snapshot_id", kind="stable")
    out = h[["snapshot_id", "created_at", "agency", "status", "due_date"]].reset_index(drop=True)
    prev = out["status"].astype(object).shift(1)
    cur = out["status"].astype(object)
    out["status_changed"] = (prev.notna() & (prev != cur)).astype(bool)
    return out


def due_revisions(history: pd.DataFrame) -> pd.DataFrame:
    """Due dates that moved between consecutive snapshots holding a directive, as revisions."""
    cols = [
        "directive_id",
        "agency",
        "snapshot_id",
        "created_at",
        "due_date_old",
        "due_date_new",
        "days_moved",
        "revision",
    ]
    h = history.dropna(subset=["directive_id"])
    if h.empty:
        return pd.DataFrame(columns=cols)
    h = h.drop_duplicates(["directive_id", "snapshot_id"], keep="last").sort_values(
        ["directive_id", "snapshot_id"], kind="stable"
    )
    prev = h.groupby("directive_id", sort=False)["due_date"].shift(1)
    first = h["directive_id"].ne(h["directive_id"].shift(1))
    cur = h["due_date"]
    moved = ~first & ~(prev.isna() & cur.isna()) & ~(prev == cur).fillna(False)
    out = h.loc[moved, ["directive_id", "agency", "snapshot_id", "created_at"]].copy()
    out["due_date_old"] = prev[moved]
    out["due_date_new"] = cur[moved]
    out["days_moved"] = (out["due_date_new"] - out["due_date_old"]).dt.days.astype("Int64")
    out["revision"] = out.groupby("directive_id").cumcount() + 1
    out["agency"] = out["agency"].astype(object)
    return out[cols].reset_index(drop=True)


def snapshot_label(snapshot_id: int, created_at: object, lang: str) -> str:
    """ "#3 · 23 พ.ย. 2566 14:05" — a snapshot on an axis or in a picker (Bangkok time)."""
    return f"#{int(snapshot_id)} · {format_bangkok(created_at, lang)}"


def trend_figure(
    trends_df: pd.DataFrame, overall: pd.DataFrame, lang: str, agencies: Sequence[str] = ()
) -> go.Figure:
    """% done over snapshots: one line for all units and one per chosen agency (named in
    ``lang``; its ``meta`` is the agency as stored)."""
    fig = go.Figure()

    def labels(df: pd.DataFrame) -> list[str]:
        return [
            snapshot_label(s, c, lang)
            for s, c in zip(df["snapshot_id"], df["created_at"], strict=True)
        ]

    if not overall.empty:
        fig.add_scatter(
            x=labels(overall),
            y=overall["done_pct"].tolist(),
            name=t("history.all_units", lang),
            mode="lines+markers",
            line={"width": 4, "color": "#1a5fb4"},
            meta="__all__",
            hovertemplate="%{x}<br>%{y:.2f}%<extra></extra>",
        )
    for agency in agencies:
        part = trends_df[trends_df["agency"] == agency]
        if part.empty:
            continue
        fig.add_scatter(
            x=labels(part),
            y=part["done_pct"].tolist(),
            name=unit_name(agency, lang),
            mode="lines+markers",
            meta=agency,
            hovertemplate="%{fullData.name}<br>%{x}: %{y:.2f}%<extra></extra>",
        )
    fig.update_yaxes(range=[0, 100], automargin=True)
    fig.update_xaxes(type="category", automargin=True)
    fig.update_layout(
        title={"text": t("history.trend_title", lang), "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 14},
        xaxis_title=t("history.axis_snapshot", lang),
        yaxis_title=t("axis.done_pct", lang),
        legend={"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=460,
    )
    return fig
