"""The "total" row of `summary --json`'s budget (computed per unit and as-of date without
building frames) is the exact-sum total of ``_totals``: amounts in satang, rows lacking an
amount left out, null when no row has both."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tracker.metrics.budget_sums import _group_total, _totals


@pytest.mark.parametrize(
    ("allocated", "disbursed"),
    [
        ([1000.10, 2000.205, 0.015], [500.05, 1999.995, 0.005]),  # half-satang rounding
        ([1000.0, None, 300.0], [200.0, 50.0, None]),  # rows lacking one amount left out
        ([None, None], [10.0, None]),  # nothing applicable: nulls
        ([0.0], [0.0]),  # zero allocated: no rate
        ([12203500.0, 9.99e15], [12203499.99, 1.0]),
    ],
)
def test_group_total_is_the_exact_total(allocated: list, disbursed: list) -> None:
    group = pd.DataFrame(
        {"allocated": pd.array(allocated, "Float64"), "disbursed": pd.array(disbursed, "Float64")}
    ).astype("float64")
    expected = _totals(group, None).iloc[0]
    got = _group_total(group)
    for key, value in got.items():
        old = expected[key]
        if value is None:
            assert old is None or (isinstance(old, float) and math.isnan(old)), key
        else:
            assert value == old, key
