"""Values binned in pandas before they reach a chart: a histogram gets one bar per bin, never
one value per directive (a million raw values would be sent to every viewer's browser)."""

from __future__ import annotations

import numpy as np
import pandas as pd

AGING_BINS = 30
AGING_SERIES: tuple[str, ...] = ("on_time", "overdue", "no_due_date")


def edges(values: pd.Series, bins: int = AGING_BINS) -> np.ndarray:
    """``bins`` equal-width integer-aligned edges covering the values (one bin when they are
    all the same; an empty array when there are none)."""
    data = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    if not len(data):
        return np.empty(0)
    low, high = float(np.floor(data.min())), float(np.floor(data.max()))
    width = max(1.0, float(np.ceil((high - low + 1) / bins)))
    count = max(1, int(np.ceil((high - low + 1) / width)))
    return low + width * np.arange(count + 1)


def aging_bins(
    days: pd.Series,
    overdue: pd.Series,
    no_due: pd.Series | None = None,
    bins: int = AGING_BINS,
) -> pd.DataFrame:
    """Directives per bin of days open, split on time / overdue / without a due date.

    Columns: start (first day of the bin), end (first day after it), and one count column per
    ``AGING_SERIES``; one row per bin, in order. Rows with no days open are not counted.
    """
    days = pd.to_numeric(pd.Series(days).reset_index(drop=True), errors="coerce")
    late = pd.Series(overdue).reset_index(drop=True).fillna(False).astype(bool).to_numpy()
    blank = (
        np.zeros(len(days), dtype=bool)
        if no_due is None
        else pd.Series(no_due).reset_index(drop=True).fillna(False).astype(bool).to_numpy()
    )
    cut = edges(days, bins)
    columns = ["start", "end", *AGING_SERIES]
    if not len(cut):
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in columns})
    values = days.to_numpy(dtype=float, na_value=np.nan)
    known = ~np.isnan(values)
    where = np.clip(np.searchsorted(cut, values[known], side="right") - 1, 0, len(cut) - 2)
    masks = {
        "on_time": ~late & ~blank,
        "overdue": late & ~blank,
        "no_due_date": blank,
    }
    out = {"start": cut[:-1].astype(np.int64), "end": cut[1:].astype(np.int64)}
    for key in AGING_SERIES:
        out[key] = np.bincount(where[masks[key][known]], minlength=len(cut) - 1).astype(np.int64)
    return pd.DataFrame(out, columns=columns)
