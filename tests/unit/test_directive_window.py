"""The Directives table's window (search, sort, pages) and the aging bins, on small frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tracker.present.binning import aging_bins
from tracker.present.directive_window import (
    MAX_PAGE_SIZE,
    pick_list,
    search_mask,
    sort_labels,
    window,
)


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "directive_id": ["A-1", "A-2", "B-10", "B-2"],
            "agency": pd.Categorical(["สำนักงานเขตบางนา", "สำนักการคลัง", "สำนักงานเขตบางนา", None]),
            "text": ["ให้ปรับปรุงทางเท้า", None, "เร่งรัด Budget", "ทางเท้าชำรุด"],
            "issued_date": pd.to_datetime(["2024-01-03", "2024-01-01", None, "2024-01-02"]),
        },
        index=[10, 11, 12, 13],
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ทางเท้า", [10, 13]),
        ("บางนา", [10, 12]),
        ("budget", [12]),  # case-insensitive
        ("b-1", [12]),
        ("(", []),  # literal, not a pattern
        ("  ", [10, 11, 12, 13]),
    ],
)
def test_search(query, expected):
    df = _frame()
    assert list(df.index[search_mask(df, query)]) == expected


def test_sort_blanks_last_and_stable():
    df = _frame()
    ages = pd.DataFrame({"days_open": pd.array([5, None, 5, 1], dtype="Int64")}, index=df.index)
    assert list(sort_labels(df, ages, "days_open", False)) == [13, 10, 12, 11]
    assert list(sort_labels(df, ages, "days_open", True)) == [10, 12, 13, 11]
    assert list(sort_labels(df, ages, "issued_date", False)) == [11, 13, 10, 12]
    assert list(sort_labels(df, ages, "order", True)) == [13, 12, 11, 10]


def test_window_is_bounded_and_clamped():
    labels = pd.Index(np.arange(1000))
    w = window(labels, 99, 10_000)
    assert len(w.labels) <= MAX_PAGE_SIZE
    assert w.pages == 5 and w.page == 5 and w.total == 1000
    assert list(window(labels, 0, 100).labels[:2]) == [0, 1]


def test_pick_list_is_short_and_sorted():
    ids = pd.Series([f"D-{i}" for i in range(500)])
    assert pick_list(ids, "", 20) == sorted(ids)[:20]
    assert pick_list(ids, "-49", 5) == ["D-49", "D-490", "D-491", "D-492", "D-493"]
    latest_first = pd.Series(["D-9", "D-1", "D-9", "D-5"])
    assert pick_list(latest_first, "", 2, sort=False) == ["D-9", "D-1"]


def test_aging_bins_count_every_value_once():
    rng = np.random.default_rng(1)
    days = pd.Series(rng.integers(0, 1500, 10_000)).astype("Int64")
    days.iloc[:5] = pd.NA
    overdue = pd.Series(rng.random(10_000) < 0.3)
    no_due = pd.Series(rng.random(10_000) < 0.1)
    bins = aging_bins(days, overdue, no_due)
    assert len(bins) <= 30
    assert int(bins[["on_time", "overdue", "no_due_date"]].to_numpy().sum()) == 10_000 - 5
    assert int(bins["no_due_date"].sum()) == int(no_due[5:].sum())
    assert int(bins["overdue"].sum()) == int((overdue & ~no_due)[5:].sum())
    assert bins["start"].iloc[0] <= days.min() and bins["end"].iloc[-1] > days.max()
    assert aging_bins(pd.Series([7, 7]), pd.Series([False, True]))["on_time"].tolist() == [1]
    assert aging_bins(pd.Series([], dtype="Int64"), pd.Series([], dtype=bool)).empty
