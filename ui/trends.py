"""The Directives page's trend per round, fiscal quarter or published snapshot (the filtered
view).

Over snapshots, each snapshot's days to done are computed once from its own register and
responses (censored at its publish date) and kept per snapshot id; a filter change only
filters those frames again. The latest ``MAX_SNAPSHOTS`` snapshots are shown.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import streamlit as st

from tracker.dataset import Dataset
from tracker.metrics import periods as trends
from tracker.metrics.directives import Filters
from tracker.present.charts_trends import period_table, period_trend
from tracker.publish.trends import snapshot_label
from tracker.store import StoreError
from ui import data, memo
from ui.i18n import lang, tr
from ui.widgets import chart

BY = (*trends.PERIODS, "snapshot")
MAX_SNAPSHOTS = 24  # about 3.4 MB kept per snapshot of 100,000 directives (bench)


@st.cache_resource(show_spinner=False, max_entries=MAX_SNAPSHOTS + 4)
def _timed_snapshot(url: str, snapshot_id: int, as_of: date) -> pd.DataFrame:
    """One snapshot's register with its days to done as of its publish date (per snapshot id,
    shared by every session: a snapshot never changes)."""
    ds = Dataset(**data.store().load(snapshot_id))
    return trends.timed_snapshot(ds.directives, ds.responses, as_of)


def _as_of(created: object) -> date:
    """A snapshot's day (Bangkok), never after the pages' today (a demo's or a test's fixed
    day), so the current snapshot's figures are the ones the other trends show."""
    stamp = pd.Timestamp(created)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("Asia/Bangkok")
    return min(stamp.date(), data.today())


def url_filters() -> Filters:
    """The sidebar's filters as the URL holds them (the sidebar writes its choice there)."""
    q = st.query_params

    def ints(name: str) -> tuple[int, ...]:
        return tuple(int(v) for v in q.get_all(name) if v.strip().isdigit())

    def texts(name: str) -> tuple[str, ...]:
        return tuple(q.get_all(name))

    return Filters(
        fiscal_year=ints("fy"),
        round=ints("round"),
        zone=texts("zone"),
        district=texts("district"),
        agency=texts("agency"),
        group=texts("group"),
        factor=texts("factor"),
        status=texts("status"),
    )


def snapshot_trend(filters: Filters) -> pd.DataFrame | None:
    """``periods.over_snapshots`` of the latest snapshots with a "period" label column, or
    None when the database cannot be read."""
    try:
        snaps = data.store().snapshots()
    except StoreError as exc:
        st.error(data.store_message(exc))
        return None
    if snaps.empty:
        return pd.DataFrame(columns=["period", *trends.SNAPSHOT_COLUMNS])
    snaps = snaps.sort_values("id").tail(MAX_SNAPSHOTS)
    url = data.database_url()
    timed = {}
    try:
        with st.spinner(tr("trend.snapshot_loading")):
            for sid, created in zip(snaps["id"], snaps["created_at"], strict=True):
                as_of = _as_of(created)
                timed[int(sid)] = (created, _timed_snapshot(url, int(sid), as_of))
    except StoreError as exc:
        st.error(data.store_message(exc))
        return None
    table = trends.over_snapshots(timed, filters)
    lg = lang()
    labels = [
        snapshot_label(s, c, lg)
        for s, c in zip(table["snapshot_id"], table["created_at"], strict=True)
    ]
    return table.assign(period=labels)


def _codes(
    loaded: data.Loaded | None, timed: pd.DataFrame, by: str
) -> tuple[np.ndarray, np.ndarray] | None:
    """``timed``'s period codes (``trends.period_codes``) taken from the whole register's,
    made once per snapshot (``ui.memo``): a filter change only picks its rows (no label
    text sorted again); None when not known."""
    key = memo.snapshot_key(loaded) if loaded is not None else None
    if loaded is None or key is None:
        return None
    register = loaded.dataset.directives
    every, periods = memo.shared(
        (*key, "period_codes", by),
        lambda: trends.period_codes(trends.period_labels(register, by)),
    )
    if len(timed) == len(register) and timed.index.equals(register.index):
        return every, periods  # no filter: every row
    at = register.index.get_indexer(timed.index) if register.index.is_unique else None
    if at is None or (at < 0).any():
        return None
    return every[at], periods


def period_trends(timed: pd.DataFrame, loaded: data.Loaded | None = None) -> None:
    """% done and median days to done per round, quarter or snapshot, with a select and the
    table (``loaded``: the snapshot ``timed`` was filtered from, its labels kept)."""
    st.subheader(tr("trend.heading"))
    by = (
        st.segmented_control(
            tr("trend.by"),
            list(BY),
            default="round",
            format_func=lambda p: tr(f"trend.by.{p}"),
            key="trend_by",
        )
        or "round"
    )
    if by == "snapshot":
        table = snapshot_trend(url_filters())
        if table is None:
            return
        st.caption(tr("trend.snapshot_note", n=MAX_SNAPSHOTS))
        key = None
    else:
        rows = memo.rows_key(timed)
        key = rows and (*rows, "trend", by)
        table = memo.numbers(
            key, lambda: trends.by_period(timed, by, codes=_codes(loaded, timed, by))
        )
    if table.empty:
        st.caption(tr("trend.none"))
        return
    lg = lang()
    chart(
        memo.figure(key and (*key, lg), lambda: period_trend(table, by, lg)),
        period_table(table, lg),
        f"trend_{by}",
    )
