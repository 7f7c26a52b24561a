"""The trend per round and quarter from a register's period codes made once (issue 20: a
filter change picks its rows' codes instead of sorting their labels again) is the same table
as from the labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import synthetic_frames
from tracker.metrics import periods as trends
from tracker.metrics import time_to_done as ttd


def _timed(n: int) -> pd.DataFrame:
    frames = synthetic_frames(n, seed=5)
    directives = frames["directives"]
    rng = np.random.default_rng(3)
    directives["round"] = pd.array(rng.integers(1, 4, n), dtype=directives["round"].dtype)
    directives.loc[directives.index[::7], "round"] = pd.NA  # some without a round
    timed = ttd.with_durations(directives, frames["responses"], pd.Timestamp("2024-10-15").date())
    return timed.frame


@pytest.mark.parametrize("by", sorted(trends.PERIODS))
def test_codes_give_the_labels_table_for_any_subset(by):
    timed = _timed(600)
    labels = trends.period_labels(timed, by)
    every, periods = trends.period_codes(labels)
    assert list(periods) == sorted(periods)
    rng = np.random.default_rng(1)
    subsets = [np.arange(len(timed))] + [
        np.sort(rng.choice(len(timed), size, replace=False)) for size in (1, 5, 50, 300)
    ]
    subsets.append(np.flatnonzero(labels.isna().to_numpy()))  # no period at all
    for rows in subsets:
        view = timed.iloc[rows]
        want = trends.by_period(view, by, labels.iloc[rows])
        got = trends.by_period(view, by, codes=(every[rows], periods))
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        pd.testing.assert_frame_equal(got, trends.by_period(view, by), check_exact=True)
    assert len(trends.by_period(timed, by, codes=(every, periods))) >= 2
