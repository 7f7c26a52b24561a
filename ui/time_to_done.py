"""Time to done on the pages: the days per directive computed once per snapshot (and today),
then the Overview's card and ranking and the Directives page's curves for the filtered view."""

from __future__ import annotations

import threading
from datetime import date

import pandas as pd
import streamlit as st

from tracker.metrics import time_to_done as ttd
from tracker.present import charts_time
from tracker.thai import format_date
from ui import data, memo
from ui.i18n import lang, tr
from ui.unit_links import unit_chart, unit_table
from ui.widgets import count, data_table

_KEEP = 4  # snapshots (× today) kept per process
_lock = threading.Lock()  # held while the days of a snapshot are computed


@st.cache_resource(show_spinner=False)
def _memo() -> dict[tuple, ttd.Durations]:
    """Days per directive by (database, snapshot, today), shared by every session."""
    return {}


def timed(loaded: data.Loaded, view: pd.DataFrame) -> ttd.Durations:
    """``view`` (the filtered register) with its days to done, and the warnings of its rows."""
    today = data.today()
    ds = loaded.dataset
    key = (data.database_url(), loaded.snapshot_id, today)
    if loaded.snapshot_id is None:
        found = ttd.durations(ds.directives, ds.responses, today)
    else:
        # one computation per snapshot and process: after a publish every open page redraws
        # at once, and fifty sessions each computing a million directives' days would queue
        # behind each other on the GIL (the first computes, the others wait and reuse)
        with _lock:
            memo = _memo()
            kept = memo.get(key)
            if kept is None:
                kept = ttd.durations(ds.directives, ds.responses, today)
                while len(memo) >= _KEEP:
                    memo.pop(next(iter(memo)))
                memo[key] = kept
            found = kept
    frame = found.frame
    if len(view) != len(frame) or not view.index.equals(frame.index):
        frame = frame.loc[view.index]
    ids = set(view["directive_id"].dropna()) if found.issues else set()
    issues = [i for i in found.issues if i.value in ids or i.code == "more_rows"]
    return ttd.Durations(
        view.assign(**{ttd.DAYS: frame[ttd.DAYS], ttd.DONE: frame[ttd.DONE]}), issues
    )


def keyed(table: pd.DataFrame, keys: pd.Series, by: str) -> pd.DataFrame:
    """A figures table whose unit column holds the units' Thai names (the links' keys; the
    links show the name in the page's language)."""
    if by != "agency":
        return table
    return table.assign(**{tr("ttd.by.agency"): keys.astype(str).to_numpy()})


def median_card(frame: pd.DataFrame) -> tuple[str, str, str]:
    """The Overview's "median days to done" card: (label, value, help)."""
    return median_card_of(ttd.overall(frame))


def median_card_of(figures: dict) -> tuple[str, str, str]:
    """The "median days to done" card of figures ``ttd.overall`` made."""
    return (
        tr("ttd.card.median"),
        charts_time.median_label(figures["median_days"], lang()),
        tr(
            "ttd.card.median_help",
            n=count(int(figures["n"] or 0)),
            done=count(int(figures["done"] or 0)),
            open=count(int(figures["censored"] or 0)),
        ),
    )


def ranking(frame: pd.DataFrame) -> None:
    """Units fastest to slowest by median days to done, with n and how many are open."""
    draw_ranking(ttd.ranking(frame, "agency"))


def draw_ranking(ranked: pd.DataFrame, key: tuple | None = None) -> None:
    """The ranking ``ttd.ranking`` made; its figure kept per ``key`` (``ui.memo``)."""
    lg = lang()
    if ranked.empty:
        return
    unit_chart(
        memo.figure(
            key and (*key, "ttd_ranking", lg), lambda: charts_time.ranking_chart(ranked, lg)
        ),
        keyed(charts_time.figures_table(ranked, "agency", lg), ranked["key"], "agency"),
        "ttd_ranking",
        unit_column=tr("ttd.by.agency"),
    )


def method_caption(today: date) -> None:
    st.caption(tr("ttd.method", today=format_date(today, lang())))


def curves(timed_view: ttd.Durations) -> None:
    """Kaplan–Meier curves per group or factor (a select), the figures and the curve table."""
    lg = lang()
    frame = timed_view.frame
    st.subheader(tr("ttd.section"))
    by = st.selectbox(
        tr("ttd.by"),
        ttd.GROUPINGS,
        format_func=lambda g: tr(f"ttd.by.{g}"),
        key="ttd_by",
    )
    rows = memo.rows_key(frame)
    key = rows and (*rows, "ttd_curves", by)
    figures = memo.numbers(key and (*key, "figures"), lambda: ttd.figures(frame, by))
    if figures.empty:
        st.info(tr("ttd.no_data"))
        return
    keys = charts_time.largest_groups(figures)
    table = memo.numbers(key and (*key, "curves"), lambda: ttd.curves(frame, by))
    unit_column = tr("ttd.by.agency") if by == "agency" else None
    unit_chart(
        memo.figure(key and (*key, lg), lambda: charts_time.curves_chart(table, keys, by, lg)),
        memo.numbers(
            key and (*key, lg, "table"),
            lambda: keyed(charts_time.curve_table(table, by, lg), table["key"], by),
        ),
        "ttd_curves",
        unit_column=unit_column,
    )
    unit_table(
        keyed(charts_time.figures_table(figures, by, lg), figures["key"], by),
        "ttd_figures",
        unit_column=unit_column or "",
        name="time_to_done",
    )
    method_caption(data.today())
    early = [i for i in timed_view.issues if i.code == "done_before_issue"]
    if early:
        with st.expander(tr("ttd.early", n=count(len(early)))):
            data_table(
                pd.DataFrame(
                    {
                        tr("col.directive_id"): [i.value for i in early],
                        tr("ttd.section"): [i.message(lg) for i in early],
                    }
                ),
                "ttd_early",
                name="done_before_issue",
            )
