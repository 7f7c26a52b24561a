"""Time to done: how many days a directive takes from its issue to the response that shows it
done, and the Kaplan–Meier estimate per group (unit, district, zone, group, factor, round).

Per directive (``durations``):

- it starts on its issued date or, when the register has none, on its first response;
- it is *done* when its current status is done (the status every page counts); it ended on the
  first response that shows it done, or, when no response does (a one-sheet register), on the
  register's report date;
- every other directive (in progress, not reported, cannot be done, or reopened after a done
  response) is *censored* at today: still open, not dropped;
- a directive done before it was issued gets a warning (``done_before_issue``) and counts as
  done on day 0, never negative days; one whose days cannot be known (no start date, or done
  with no date at all) is left out of the figures.

Per group (``figures``): n, done, censored, the median days to done (the first day the
Kaplan–Meier survival S(t) = Π (1 − dᵢ / nᵢ) falls to 0.5 or below; None when it never does,
shown as "not reached", never 0) and the % done within 30 / 90 / 180 days, 100 × (1 − S(t))
(None when no directive of the group was followed that long while some are still open).

Pure pandas / numpy, vectorised over all groups at once: the figures of 100,000 directives are
computed in milliseconds after a filter change (bench/bench_time_to_done.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from messages.problems import Bilingual, Issue
from tracker.checks.validate import listed, make_issue, more_rows
from tracker.places import districts
from tracker.schema import FACTOR_COLUMNS, FACTORS
from tracker.thai import format_date

WITHIN_DAYS: tuple[int, ...] = (30, 90, 180)
GROUPINGS: tuple[str, ...] = ("agency", "district", "zone", "group", "factor", "round")
DAYS, DONE = "ttd_days", "ttd_done"  # the columns ``with_durations`` adds
FIGURE_COLUMNS: tuple[str, ...] = (
    "n",
    "done",
    "censored",
    "median_days",
    *(f"done_within_{d}" for d in WITHIN_DAYS),
)
CURVE_COLUMNS: tuple[str, ...] = ("key", "days", "at_risk", "done", "censored", "survival")
_DAY_NS = 86_400 * 10**9
_NAT = np.iinfo(np.int64).min


def _day_numbers(values: pd.Series | np.ndarray) -> np.ndarray:
    """Whole days since 1970 (int64); missing dates are ``_NAT``."""
    ns = np.asarray(values, dtype="datetime64[ns]").view(np.int64)
    return np.where(ns == _NAT, _NAT, ns // _DAY_NS)


def _first_per_directive(codes: np.ndarray, days: np.ndarray, size: int) -> np.ndarray:
    """The smallest day per directive code (``_NAT`` when it has none)."""
    keep = (codes >= 0) & (days != _NAT)
    first = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, codes[keep], days[keep])
    return np.where(first == np.iinfo(np.int64).max, _NAT, first)


@dataclass(frozen=True)
class Durations:
    """Per directive (aligned with the register's index): days and whether it is done."""

    frame: pd.DataFrame  # columns DAYS (float, NaN when unknown) and DONE (bool)
    issues: list[Issue]


def durations(directives: pd.DataFrame, responses: pd.DataFrame, today: date) -> Durations:
    """Days to done (done directives) or days open until ``today`` (the others)."""
    n = len(directives)
    # one hashing pass over the ids of both tables (a response of an unknown id gets a code no
    # directive has); −1 is a missing id
    ids = np.concatenate(
        [
            directives["directive_id"].to_numpy(dtype=object),
            responses["directive_id"].to_numpy(dtype=object),
        ]
    )
    all_codes, uniques = pd.factorize(ids, use_na_sentinel=True)
    codes, rcodes = all_codes[:n], all_codes[n:]
    first_any = np.full(len(uniques), _NAT, dtype=np.int64)
    first_done = np.full(len(uniques), _NAT, dtype=np.int64)
    if len(responses) and len(uniques):
        rdays = _day_numbers(responses["submitted_at"])
        first_any = _first_per_directive(rcodes, rdays, len(uniques))
        rdone = (responses["status"] == "done").to_numpy(dtype=bool, na_value=False)
        first_done = _first_per_directive(np.where(rdone, rcodes, -1), rdays, len(uniques))
    known = codes >= 0
    safe = np.where(known, codes, 0)

    def per_row(values: np.ndarray) -> np.ndarray:
        return np.where(known, values[safe], _NAT) if len(values) else np.full(n, _NAT)

    start = _day_numbers(directives["issued_date"])
    start = np.where(start == _NAT, per_row(first_any), start)
    done = (directives["status"] == "done").to_numpy(dtype=bool, na_value=False)
    end = per_row(first_done)
    end = np.where(end == _NAT, _day_numbers(directives["reported_at"]), end)
    today_day = pd.Timestamp(today).value // _DAY_NS
    end = np.where(done, end, today_day)
    measurable = (start != _NAT) & (end != _NAT)
    raw = np.where(measurable, end - start, 0)
    early = measurable & done & (raw < 0)
    days = np.where(measurable, np.maximum(raw, 0), np.nan).astype(float)
    frame = pd.DataFrame({DAYS: days, DONE: done & measurable}, index=directives.index)
    return Durations(frame, _early_issues(directives, early, start, end))


def _early_issues(
    directives: pd.DataFrame, early: np.ndarray, start: np.ndarray, end: np.ndarray
) -> list[Issue]:
    """One warning per directive done before it was issued (the first 1,000, then a count)."""
    rows, left = listed(np.flatnonzero(early))
    issues = []
    for i in rows.tolist():
        rec = directives.iloc[i]
        done_on = pd.Timestamp(int(end[i]) * _DAY_NS).date()
        issued_on = pd.Timestamp(int(start[i]) * _DAY_NS).date()
        issues.append(
            make_issue(
                "warning",
                "done_before_issue",
                file=_text(rec.get("source")),
                sheet=_text(rec.get("sheet")),
                row=None if pd.isna(rec.get("row")) else int(rec["row"]),
                column_key="issued_date",
                value=_text(rec.get("directive_id")),
                done=Bilingual(format_date(done_on, "th"), format_date(done_on, "en")),
                issued=Bilingual(format_date(issued_on, "th"), format_date(issued_on, "en")),
            )
        )
    return issues + more_rows("warning", "done_before_issue", left)


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def with_durations(directives: pd.DataFrame, responses: pd.DataFrame, today: date) -> Durations:
    """The register with the DAYS and DONE columns added (so the usual filters apply to it)."""
    found = durations(directives, responses, today)
    return Durations(directives.assign(**{c: found.frame[c] for c in (DAYS, DONE)}), found.issues)


# --- Kaplan–Meier, all groups at once ----------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    """The product-limit table: one row per (group code, distinct day), sorted."""

    code: np.ndarray
    days: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    removed: np.ndarray  # events + censored on that day
    survival: np.ndarray
    first: np.ndarray  # per group code present: its first row
    groups: np.ndarray  # the group codes present, ascending


_MAX_BINS = 8_000_000  # (group, day) cells counted directly; beyond, the rows are sorted


def _cells(codes: np.ndarray, days: np.ndarray, events: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per (group code, day) present, in that order: code, day, directives, done."""
    span = int(days.max()) + 1
    groups = int(codes.max()) + 1
    if groups * span <= _MAX_BINS:  # counting, no sort: O(rows + cells)
        cell = codes * span + days
        removed = np.bincount(cell, minlength=groups * span)
        present = np.flatnonzero(removed)
        done = np.bincount(cell, weights=events, minlength=groups * span)[present]
        return present // span, present % span, removed[present], done.astype(np.int64)
    order = np.lexsort((days, codes))
    c, t, e = codes[order], days[order], events[order]
    new = np.ones(len(c), dtype=bool)
    new[1:] = (c[1:] != c[:-1]) | (t[1:] != t[:-1])
    starts = np.flatnonzero(new)
    removed = np.diff(np.append(starts, len(c)))
    return c[starts], t[starts], removed, np.add.reduceat(e.astype(np.int64), starts)


def _km(codes: np.ndarray, days: np.ndarray, events: np.ndarray) -> _Table:
    """S(t) = Π_{tᵢ ≤ t} (1 − dᵢ / nᵢ) per group code, with ties (dᵢ done on the same day)."""
    if len(codes) == 0:
        empty = np.array([], dtype=np.int64)
        return _Table(empty, empty, empty, empty, empty, np.array([], dtype=float), empty, empty)
    gc, gt, removed, done = _cells(codes, days, events)
    group_new = np.ones(len(gc), dtype=bool)
    group_new[1:] = gc[1:] != gc[:-1]
    first = np.flatnonzero(group_new)
    group_of = np.cumsum(group_new) - 1
    before_all = np.cumsum(removed) - removed
    size = np.add.reduceat(removed, first)
    at_risk = size[group_of] - (before_all - before_all[first][group_of])
    factor = 1.0 - done / at_risk
    survival = np.empty(len(factor))
    for a, b in zip(first, [*first[1:], len(factor)], strict=True):  # one product per group
        np.cumprod(factor[a:b], out=survival[a:b])
    return _Table(gc, gt, at_risk, done, removed, survival, first, gc[first])


def _survival_at(table: _Table, t: int) -> tuple[np.ndarray, np.ndarray]:
    """S(t) per group present, and whether the group was followed up to ``t``."""
    if len(table.code) == 0:
        return np.array([], dtype=float), np.array([], dtype=bool)
    ends = np.append(table.first[1:], len(table.code))
    # the last row of each group whose day is ≤ t: one sorted key (group, day) searched once
    span = max(int(table.days.max()), t) + 1
    keys = table.code.astype(np.int64) * span + table.days
    pos = np.searchsorted(keys, table.groups.astype(np.int64) * span + t, side="right") - 1
    inside = pos >= table.first
    s = np.where(inside, table.survival[np.maximum(pos, 0)], 1.0)
    last = ends - 1
    followed = (table.days[last] >= t) | (table.survival[last] == 0.0)
    return s, followed


def _median(table: _Table) -> np.ndarray:
    """Per group present: the first day S ≤ 0.5, NaN when S never falls that far."""
    out = np.full(len(table.groups), np.nan)
    hit = np.flatnonzero(table.survival <= 0.5)
    if len(hit):
        codes, idx = np.unique(table.code[hit], return_index=True)
        out[np.searchsorted(table.groups, codes)] = table.days[hit[idx]]
    return out


def _figures(codes: np.ndarray, days: np.ndarray, events: np.ndarray) -> pd.DataFrame:
    """FIGURE_COLUMNS per group code present (index = code)."""
    keep = (codes >= 0) & ~np.isnan(days)
    codes, d, e = codes[keep], days[keep].astype(np.int64), events[keep]
    table = _km(codes, d, e)
    n = np.bincount(codes, minlength=1)[table.groups] if len(codes) else np.array([], dtype=int)
    done = (
        np.bincount(codes, weights=e, minlength=1)[table.groups].astype(int)
        if len(codes)
        else np.array([], dtype=int)
    )
    out = pd.DataFrame(
        {"n": n, "done": done, "censored": n - done, "median_days": _median(table)},
        index=table.groups,
    )
    for t in WITHIN_DAYS:
        s, followed = _survival_at(table, t)
        out[f"done_within_{t}"] = np.where(followed, np.round(100 * (1 - s), 2), np.nan)
    return out


def _category_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (−1: missing) and the keys they stand for; categories used as they are."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype(np.int64), pd.Index(values.cat.categories)
    codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
    return codes.astype(np.int64), pd.Index(uniques)


def _zone_codes(frame: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    """District group per row, from the district codes' categories (50 at most)."""
    codes, districts_seen = _category_codes(frame["district_code"])
    zone_of = districts().set_index("code")["zone_th"]
    zone_names = pd.Series(districts_seen, dtype=object).map(zone_of)
    zcodes, zones_seen = pd.factorize(zone_names, sort=True, use_na_sentinel=True)
    lookup = np.append(zcodes.astype(np.int64), -1)  # code −1 (no district) → −1
    return lookup[codes], pd.Index(zones_seen)


def _round_codes(frame: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    """Fiscal year and round per row as one key, "2567/1"."""
    fy = frame["fiscal_year"].to_numpy(dtype="float64", na_value=np.nan)
    rnd = frame["round"].to_numpy(dtype="float64", na_value=np.nan)
    both = np.where(np.isnan(fy) | np.isnan(rnd), np.nan, fy * 1000 + rnd)
    codes, uniques = pd.factorize(both, sort=True, use_na_sentinel=True)
    labels = [f"{int(k) // 1000}/{int(k) % 1000}" for k in uniques]
    return codes.astype(np.int64), pd.Index(labels, dtype=object)


def _keys(frame: pd.DataFrame, by: str) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Group codes per row (−1: no group), the rows they index, and the group keys."""
    if by == "factor":
        members = [np.flatnonzero(frame[c].to_numpy(dtype=bool)) for c in FACTOR_COLUMNS]
        rows = np.concatenate(members) if members else np.array([], dtype=np.int64)
        codes = np.concatenate([np.full(len(m), k) for k, m in enumerate(members)])
        return codes.astype(np.int64), rows, pd.Index(FACTORS)
    if by == "round":
        codes, keys = _round_codes(frame)
    elif by == "zone":
        codes, keys = _zone_codes(frame)
    else:
        codes, keys = _category_codes(frame[{"district": "district_code"}.get(by, by)])
    return codes, np.arange(len(frame)), keys


def figures(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """``key`` + FIGURE_COLUMNS per group of ``by`` (one of GROUPINGS) over the directives of
    ``frame`` (a register with DAYS and DONE, filtered as the page is)."""
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    codes, rows, keys = _keys(frame, by)
    days = frame[DAYS].to_numpy(dtype=float)[rows]
    events = frame[DONE].to_numpy(dtype=bool)[rows]
    out = _figures(codes, days, events)
    out.insert(0, "key", keys[out.index.to_numpy()] if len(out) else [])
    return out.reset_index(drop=True)


def overall(frame: pd.DataFrame) -> dict[str, float | int | None]:
    """FIGURE_COLUMNS of every directive of ``frame`` together (median None when not reached)."""
    days = frame[DAYS].to_numpy(dtype=float)
    table = _figures(np.zeros(len(days), dtype=np.int64), days, frame[DONE].to_numpy(dtype=bool))
    if table.empty:
        nothing: dict[str, float | int | None] = {"n": 0, "done": 0, "censored": 0}
        return nothing | {c: None for c in FIGURE_COLUMNS[3:]}
    return _json_row(table.iloc[0].to_dict())


def not_timed(frame: pd.DataFrame) -> int:
    """Directives of ``frame`` left out of the figures: no start date, or done with no date."""
    return int(frame[DAYS].isna().sum())


def ranking(frame: pd.DataFrame, by: str = "agency") -> pd.DataFrame:
    """Groups fastest to slowest: median days ascending, "not reached" last (then by the share
    done within 180 days, more first), ties by name."""
    out = figures(frame, by)
    return out.sort_values(
        ["median_days", "done_within_180", "key"],
        ascending=[True, False, True],
        na_position="last",
        ignore_index=True,
    )


def curves(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """The Kaplan–Meier table per group (CURVE_COLUMNS), each group starting at day 0, S = 1."""
    codes, rows, keys = _keys(frame, by)
    days = frame[DAYS].to_numpy(dtype=float)[rows]
    events = frame[DONE].to_numpy(dtype=bool)[rows]
    keep = (codes >= 0) & ~np.isnan(days)
    table = _km(codes[keep], days[keep].astype(np.int64), events[keep])
    body = pd.DataFrame(
        {
            "code": table.code,
            "days": table.days,
            "at_risk": table.at_risk,
            "done": table.events,
            "censored": table.removed - table.events,
            "survival": table.survival,
        }
    )
    size = np.add.reduceat(table.removed, table.first) if len(table.first) else np.array([])
    origin = pd.DataFrame(
        {
            "code": table.groups,
            "days": -1,  # sorts before a day-0 row; shown as day 0
            "at_risk": size,
            "done": 0,
            "censored": 0,
            "survival": 1.0,
        }
    )
    out = pd.concat([origin, body], ignore_index=True).sort_values(
        ["code", "days"], kind="stable", ignore_index=True
    )
    out["days"] = out["days"].clip(lower=0)
    out.insert(0, "key", keys[out.pop("code").to_numpy()] if len(out) else [])
    return out[list(CURVE_COLUMNS)]


# --- the CLI's JSON --------------------------------------------------------------------------


def _json_row(rec: dict) -> dict[str, float | int | None]:
    def num(v: object) -> float | None:
        return None if v is None or pd.isna(v) else float(v)  # type: ignore[arg-type]

    median = num(rec["median_days"])
    return {
        "n": int(rec["n"]),
        "done": int(rec["done"]),
        "censored": int(rec["censored"]),
        "median_days": None if median is None else int(median),
        **{f"done_within_{t}": num(rec[f"done_within_{t}"]) for t in WITHIN_DAYS},
    }


def summary_json(directives: pd.DataFrame, responses: pd.DataFrame, today: date) -> dict:
    """The ``time_to_done`` part of `summary --json` (README: its contract)."""
    frame = with_durations(directives, responses, today).frame
    return {
        "censored_at": today.isoformat(),
        "not_timed": not_timed(frame),
        "overall": overall(frame),
        "by_agency": [
            {"agency": str(rec["key"]), **_json_row(rec)}
            for rec in ranking(frame, "agency").to_dict("records")
        ],
    }
