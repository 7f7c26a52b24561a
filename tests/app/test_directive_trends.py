"""AppTest: the Directives page's trend per round and quarter: its table is ``by_period`` of
the filtered view (the period labels are kept for the whole register once per snapshot and
picked per filter; issue 20), unfiltered and after a filter change."""

from __future__ import annotations

import os
from datetime import date

import pytest

from messages.i18n import t
from tracker.dataset import Dataset
from tracker.metrics import periods as trends
from tracker.metrics import time_to_done as ttd
from tracker.metrics.directives import Filters, apply_filters
from tracker.present.charts_trends import period_table
from tracker.store import Store


def _trend_table(at, lang: str = "th"):
    period = t("trend.col.period", lang)
    return next(df.value for df in at.dataframe if period in df.value.columns)


def _expected(by: str, **filters):
    store = Store(os.environ["TRACKER_DATABASE_URL"])
    ds = Dataset(**store.load(int(store.snapshots()["id"].max())))
    view = apply_filters(ds.directives, Filters(**filters))
    found = ttd.durations(ds.directives, ds.responses, date(2024, 10, 15)).frame.loc[view.index]
    timed = view.assign(**{ttd.DAYS: found[ttd.DAYS], ttd.DONE: found[ttd.DONE]})
    return period_table(trends.by_period(timed, by), "th")


@pytest.mark.parametrize("by", ["round", "quarter"])
def test_trend_table_is_by_period_of_the_filtered_view(app, by):
    at = app("app_pages/directives.py")
    if by != "round":
        at.segmented_control(key="trend_by").set_value(by).run()
    assert not at.exception
    shown = _trend_table(at).reset_index(drop=True)
    assert len(shown) > 1
    assert shown.equals(_expected(by).reset_index(drop=True))
    fy = next(m for m in at.multiselect if m.key == "filter_fy")
    fy.set_value([fy.options[0]]).run()
    assert not at.exception
    narrowed = _trend_table(at).reset_index(drop=True)
    year = int(fy.value[0])
    assert narrowed.equals(_expected(by, fiscal_year=(year,)).reset_index(drop=True))
    assert int(narrowed[t("trend.col.n", "th")].sum()) < int(shown[t("trend.col.n", "th")].sum())
