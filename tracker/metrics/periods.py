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
    return pd.Series(out, index=index, dtype=object)  # no text dtype inferred per row


def period_codes(labels: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``labels`` (``period_labels``) as integer codes (−1: no period) into their sorted
    distinct labels: made once for a whole register, a filtered view's codes are picked from
    them (``by_period``'s ``codes``) instead of sorting its label texts again."""
    codes, periods = pd.factorize(labels.to_numpy(dtype=object), sort=True)
    return codes.astype(np.int64), np.asarray(periods, dtype=object)


def by_period(
    timed: pd.DataFrame,
    by: str,
    labels: pd.Series | None = None,
    codes: tuple[np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """``COLUMNS`` per round or fiscal quarter of ``timed`` (a register with DAYS and DONE),
    oldest first; directives without the period are left out. ``labels``: ``period_labels``
    of ``timed``'s rows when already known (e.g. kept for the whole register); ``codes``:
    ``period_codes`` of them, the same table with no text sorted."""
    if by not in PERIODS:
        raise ValueError(f"unknown period {by!r}")
    if timed.empty:
        return pd.DataFrame(columns=COLUMNS)
    if codes is not None:
        row_codes, every = codes
        keep = row_codes >= 0
        if not keep.any():
            return pd.DataFrame(columns=COLUMNS)
        # the periods present, in the sorted order of all: what factorize(sort=True) of
        # these rows' labels gives
        present = np.bincount(row_codes[keep], minlength=len(every)) > 0
        codes_kept = (np.cumsum(present) - 1)[row_codes[keep]]
        return _table(timed, keep, codes_kept, every[present])
    names = (_labels(timed, by) if labels is None else labels).to_numpy(dtype=object)
    keep = pd.notna(names)
    if not keep.any():
        return pd.DataFrame(columns=COLUMNS)
    found, periods = pd.factorize(names[keep], sort=True)
    return _table(timed, keep, found, periods)


def _table(timed: pd.DataFrame, keep: np.ndarray, codes: np.ndarray, periods) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """``by_period``'s table from the kept rows' period codes (0..len(periods)−1)."""
    size = len(periods)
    n = np.bincount(codes, minlength=size)
    is_done = timed["status"].isin(["done"]).to_numpy(dtype=bool)[keep]
    done = np.bincount(codes[is_done], minlength=size)
    # each period's Kaplan–Meier median: its rows together (one sort, no copy of the view)
    days = timed[ttd.DAYS].to_numpy(dtype=float)[keep]
    events = timed[ttd.DONE].to_numpy(dtype=bool)[keep]
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(size + 1))
    medians = []
    for i in range(size):
        part = order[bounds[i] : bounds[i + 1]]
        one = pd.DataFrame({ttd.DAYS: days[part], ttd.DONE: events[part]})
        medians.append(ttd.overall(one)["median_days"])
    out = pd.DataFrame({"period": np.asarray(periods, dtype=object), "n": n, "done": done})
    out["done_pct"] = (100 * out["done"] / out["n"]).round(2)
    out["median_days"] = medians
    return out[COLUMNS]


def period_labels(frame: pd.DataFrame, by: str) -> pd.Series:
    """Each row's period label (``by_period``'s ``labels``; None without the period)."""
    if by not in PERIODS:
        raise ValueError(f"unknown period {by!r}")
    return _labels(frame, by)


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
