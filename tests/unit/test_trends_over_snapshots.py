"""% done and median days to done per published snapshot, for the filtered view (issue 18):
each snapshot's own register and responses, open directives censored at its date."""

from __future__ import annotations

from datetime import date

import pandas as pd

from tracker.dataset import conform
from tracker.metrics import periods as trends
from tracker.metrics.directives import Filters

YOTHA, BANGNA = "สำนักการโยธา", "สำนักงานเขตบางนา"


def _register(statuses: dict[str, str]) -> pd.DataFrame:
    rows = [
        ("D1", 2567, 1, YOTHA, "2024-01-01"),
        ("D2", 2567, 1, YOTHA, "2024-01-01"),
        ("D3", 2567, 1, YOTHA, "2024-01-01"),
        ("D4", 2567, 2, BANGNA, "2024-01-01"),
    ]
    df = pd.DataFrame(
        rows, columns=["directive_id", "fiscal_year", "round", "agency", "issued_date"]
    )
    df["issued_date"] = pd.to_datetime(df["issued_date"])
    df["status"] = [statuses.get(i, "in_progress") for i in df["directive_id"]]
    return conform(df, "directives")


def _responses(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["directive_id", "submitted_at", "status"])
    df["submitted_at"] = pd.to_datetime(df["submitted_at"])
    return conform(df, "responses")


def _history() -> dict[int, tuple[object, pd.DataFrame]]:
    # snapshot 1 (1 Mar): D1 done on day 10, the others open 60 days → median not reached
    first = trends.timed_snapshot(
        _register({"D1": "done"}),
        _responses([("D1", "2024-01-11", "done")]),
        date(2024, 3, 1),
    )
    # snapshot 2 (1 Jun): D2 done on day 40 too → 2 of 3 of สำนักการโยธา, median 40
    second = trends.timed_snapshot(
        _register({"D1": "done", "D2": "done"}),
        _responses([("D1", "2024-01-11", "done"), ("D2", "2024-02-10", "done")]),
        date(2024, 6, 1),
    )
    return {2: ("2024-06-01", second), 1: ("2024-03-01", first)}


def test_each_snapshot_is_its_own_data_with_the_same_filter():
    table = trends.over_snapshots(_history(), Filters(agency=(YOTHA,)))
    assert table.columns.tolist() == trends.SNAPSHOT_COLUMNS
    assert table["snapshot_id"].tolist() == [1, 2]  # oldest first
    assert table["n"].tolist() == [3, 3]
    assert table["done"].tolist() == [1, 2]
    assert table["done_pct"].tolist() == [33.33, 66.67]
    assert pd.isna(table["median_days"].iloc[0])  # "not reached", never 0
    assert table["median_days"].iloc[1] == 40


def test_open_directives_are_censored_at_the_snapshots_date():
    first = _history()[1][1]
    assert "directive_id" not in first.columns  # what the filters read, and the days
    days = dict(zip(_register({})["directive_id"], first["ttd_days"], strict=True))
    assert days == {"D1": 10.0, "D2": 60.0, "D3": 60.0, "D4": 60.0}


def test_a_filter_that_matches_nothing_in_a_snapshot_leaves_it_out():
    table = trends.over_snapshots(_history(), Filters(round=(2,)))
    assert table["n"].tolist() == [1, 1] and table["done"].tolist() == [0, 0]
    assert trends.over_snapshots(_history(), Filters(status=("cannot",))).empty
    assert trends.over_snapshots({}, Filters()).empty
