"""% done and median days to done per round and fiscal quarter (issue 18: trends)."""

from __future__ import annotations

import pandas as pd

from messages.i18n import t
from tracker.dataset import conform
from tracker.metrics import periods as trends
from tracker.metrics import time_to_done as ttd
from tracker.present.charts_trends import period_table, period_trend


def _register() -> pd.DataFrame:
    rows = [
        # round 2567/1: two done after 10 and 20 days, one open → median 20
        ("D1", 2567, 1, "2023-10-05", "done", "2023-10-15"),
        ("D2", 2567, 1, "2023-11-01", "done", "2023-11-21"),
        ("D3", 2567, 1, "2023-12-01", "in_progress", None),
        # round 2567/2: nothing done → not reached
        ("D4", 2567, 2, "2024-01-10", "not_reported", None),
        ("D5", 2567, 2, "2024-07-01", "in_progress", None),
    ]
    df = pd.DataFrame(
        rows,
        columns=["directive_id", "fiscal_year", "round", "issued_date", "status", "reported_at"],
    )
    df["issued_date"] = pd.to_datetime(df["issued_date"])
    df["reported_at"] = pd.to_datetime(df["reported_at"])
    df["agency"] = "สำนักการโยธา"
    return conform(df, "directives")


def _timed() -> pd.DataFrame:
    empty = conform(pd.DataFrame(), "responses")
    return ttd.with_durations(_register(), empty, pd.Timestamp("2024-09-30").date()).frame


def test_by_round():
    table = trends.by_period(_timed(), "round")
    assert table["period"].tolist() == ["2567/1", "2567/2"]
    assert table["n"].tolist() == [3, 2] and table["done"].tolist() == [2, 0]
    assert table["done_pct"].tolist() == [66.67, 0.0]
    assert table["median_days"].iloc[0] == 20
    assert pd.isna(table["median_days"].iloc[1])  # not reached, never 0


def test_by_fiscal_quarter_of_issue():
    table = trends.by_period(_timed(), "quarter")
    # October–December 2023 is Q1 of FY 2567; January Q2; July Q4
    assert table["period"].tolist() == ["2567 Q1", "2567 Q2", "2567 Q4"]
    assert table["n"].tolist() == [3, 1, 1]


def test_chart_and_table_in_each_language():
    table = trends.by_period(_timed(), "round")
    fig = period_trend(table, "round", "en")
    assert fig.layout.title.text == t("trend.title.round", "en")
    assert list(fig.data[0].x) == ["2567/1", "2567/2"]
    assert fig.data[1].y[1] is None  # a gap, not 0
    shown = period_table(table, "th")
    assert shown[t("trend.median_days", "th")].tolist() == ["20", "—"]
