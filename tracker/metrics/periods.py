"""% done and median days to done per round and per fiscal quarter of issue, and per published
snapshot, for the filtered register (pure pandas; the Directives page's trend and its table).

A period's % done counts its directives done now; its median days to done is the
Kaplan–Meier median of its directives (None while half are not done: "not reached"). Over
snapshots, each snapshot's figures are what it knew when published: its own register and
responses, open directives censored at its publish date, the same filters applied to each.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from tracker.metrics import time_to_done as ttd
from tracker.metrics.directives import Filters, apply_filters
from tracker.schema import FACTOR_COLUMNS

PERIODS = ("round", "quarter")
COLUMNS = ["period", "n", "done", "done_pct", "median_days"]


def _labels(frame: pd.DataFrame, by: str) -> pd.Series:
    """Each directive's period as a sortable label: "2567/2" (round) or "2567 Q2" (quarter)."""
    fy = frame["fiscal_year"].astype("Float64")
    if by == "round":
        rnd = frame["round"].astype("Float64")
        ok = (fy.notna() & rnd.notna()).to_numpy(dtype=bool)
        return _joined(fy, rnd, ok, "/", frame.index)
    issued = pd.to_datetime(frame["issued_date"])
    month = issued.dt.month
    quarter = ((month - 10) % 12) // 3 + 1  # Oct–Dec is Q1 of the next fiscal year
    year_be = issued.dt.year + 543 + (month >= 10).astype("Int64")
    ok = issued.notna().to_numpy()
    return _joined(year_be, quarter, ok, " Q", frame.index)


def _joined(
    left: pd.Series, right: pd.Series, ok: np.ndarray, sep: str, index: pd.Index
) -> pd.Series:
    """``f"{int(left)}{sep}{int(right)}"`` where ``ok``, else None: each distinct pair
    formatted once (a few dozen periods, not one string per directive)."""
    out = np.full(len(index), None, dtype=object)
    if ok.any():
        lcodes, lvals = pd.factorize(np.trunc(left[ok].to_numpy(dtype="float64")))
        rcodes, rvals = pd.factorize(np.trunc(right[ok].to_numpy(dtype="float64")))
        codes, pairs = pd.factorize(lcodes * len(rvals) + rcodes)
        names = np.array(
            [f"{int(lvals[p // len(rvals)])}{sep}{int(rvals[p % len(rvals)])}" for p in pairs],
            dtype=object,
        )
        out[ok] = names[codes]
    return pd.Series(out, index=index)


def by_period(timed: pd.DataFrame, by: str) -> pd.DataFrame:
    """``COLUMNS`` per round or fiscal quarter of ``timed`` (a register with DAYS and DONE),
    oldest first; directives without the period are left out."""
    if by not in PERIODS:
        raise ValueError(f"unknown period {by!r}")
    if timed.empty:
        return pd.DataFrame(columns=COLUMNS)
    labels = _labels(timed, by)
    keep = labels.notna().to_numpy()
    if not keep.any():
        return pd.DataFrame(columns=COLUMNS)
    sub = timed[keep].assign(_period=labels[keep].to_numpy())
    counts = sub.groupby("_period", sort=True).agg(
        n=("status", "size"), done=("status", lambda s: int((s == "done").sum()))
    )
    medians = {}
    for period, part in sub.groupby("_period", sort=True):
        medians[period] = ttd.overall(part)["median_days"]
    out = counts.reset_index().rename(columns={"_period": "period"})
    out["done_pct"] = (100 * out["done"] / out["n"]).round(2)
    out["median_days"] = [medians.get(p) for p in out["period"]]
    return out[COLUMNS]


# --- over published snapshots --------------------------------------------------------------

SNAPSHOT_COLUMNS = ["snapshot_id", "created_at", "n", "done", "done_pct", "median_days"]
_FILTER_COLUMNS = ("fiscal_year", "round", "district_code", "agency", "group", "status")


def timed_snapshot(directives: pd.DataFrame, responses: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """One snapshot's register cut to what the filters and the trend read, with its days to
    done as that snapshot knew them: open directives censored at ``as_of`` (its publish date)."""
    found = ttd.durations(directives, responses, as_of)
    keep = [c for c in (*_FILTER_COLUMNS, *FACTOR_COLUMNS) if c in directives.columns]
    return directives[keep].assign(**{c: found.frame[c] for c in (ttd.DAYS, ttd.DONE)})


def over_snapshots(
    timed: Mapping[int, tuple[object, pd.DataFrame]], filters: Filters
) -> pd.DataFrame:
    """``SNAPSHOT_COLUMNS`` per snapshot (``{id: (created_at, timed_snapshot(...))}``), oldest
    first, for the directives of each snapshot that pass ``filters``; a snapshot with none of
    them is left out."""
    rows = []
    for sid in sorted(timed):
        created, frame = timed[sid]
        view = apply_filters(frame, filters)
        if view.empty:
            continue
        n = len(view)
        done = int((view["status"] == "done").to_numpy(dtype=bool, na_value=False).sum())
        rows.append(
            {
                "snapshot_id": int(sid),
                "created_at": created,
                "n": n,
                "done": done,
                "done_pct": round(100 * done / n, 2),
                "median_days": ttd.overall(view)["median_days"],
            }
        )
    return pd.DataFrame(rows, columns=SNAPSHOT_COLUMNS)
