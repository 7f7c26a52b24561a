"""One inspected unit across directives, KPIs and budget, and its reporting-discipline score.

The score (0–100, higher is better) is the mean of the parts that have data:

- A, reported: % of the unit's directives of the current round (the latest fiscal year and
  round of the register) whose status is no longer "not reported";
- B, on time: 100 − the median days its Forms responses came after the directive's due date
  (0 when on time; one point per day late; never below 0);
- C, forms received: % of the KPI periods and budget as-of dates that any unit reported for
  which this unit's form is there.

Every input is given with the score, so the card can show how it was made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from tracker.metrics import directives as metrics
from tracker.metrics import time_to_done as ttd


@dataclass(frozen=True)
class Discipline:
    reported_pct: float | None  # A
    reported: int
    current_round: int  # directives of the unit in the current round
    round_key: str | None  # "2567/2"
    late_days: float | None  # the median days late behind B
    on_time: float | None  # B
    forms_pct: float | None  # C
    forms_received: int
    forms_expected: int
    score: float | None


def _current_round(directives: pd.DataFrame) -> tuple[int, int] | None:
    both = directives[["fiscal_year", "round"]].dropna()
    if both.empty:
        return None
    fy = int(both["fiscal_year"].max())
    return fy, int(both.loc[both["fiscal_year"] == fy, "round"].max())


def reported_share(
    directives: pd.DataFrame, unit: str
) -> tuple[float | None, int, int, str | None]:
    """A: % of the unit's current-round directives that have reported; counts and the round."""
    current = _current_round(directives)
    if current is None:
        return None, 0, 0, None
    fy, rnd = current
    mine = directives[
        (directives["agency"] == unit).to_numpy()
        & (directives["fiscal_year"] == fy).to_numpy(dtype=bool, na_value=False)
        & (directives["round"] == rnd).to_numpy(dtype=bool, na_value=False)
    ]
    n = len(mine)
    done = int((mine["status"] != "not_reported").sum())
    return (round(100 * done / n, 2) if n else None), done, n, f"{fy}/{rnd}"


def late_days(directives: pd.DataFrame, responses: pd.DataFrame, unit: str) -> float | None:
    """The median days the unit's responses came after their directive's due date (0 when on
    time); None when none of its responses has a due date to compare with."""
    mine = directives.loc[(directives["agency"] == unit).to_numpy(), ["directive_id", "due_date"]]
    mine = mine[mine["due_date"].notna()]
    if mine.empty or responses.empty:
        return None
    due = mine.drop_duplicates("directive_id").set_index("directive_id")["due_date"]
    rows = responses[responses["directive_id"].isin(due.index) & responses["submitted_at"].notna()]
    if rows.empty:
        return None
    late = (
        rows["submitted_at"].dt.normalize().to_numpy() - due.loc[rows["directive_id"]].to_numpy()
    ) / np.timedelta64(1, "D")
    return float(np.median(np.maximum(late, 0)))


def forms_received(kpis: pd.DataFrame, budget: pd.DataFrame, unit: str) -> tuple[int, int]:
    """C's counts: the (fiscal year, period) KPI forms and (fiscal year, as-of) budget reports
    this unit sent, out of those any unit sent."""
    received = expected = 0
    for frame, when in ((kpis, "period"), (budget, "as_of")):
        if frame.empty:
            continue
        keys = frame[["fiscal_year", when]].dropna().drop_duplicates()
        expected += len(keys)
        received += len(
            frame.loc[frame["unit"] == unit, ["fiscal_year", when]].dropna().drop_duplicates()
        )
    return received, expected


def discipline(
    directives: pd.DataFrame,
    responses: pd.DataFrame,
    kpis: pd.DataFrame,
    budget: pd.DataFrame,
    unit: str,
) -> Discipline:
    a, reported, n, round_key = reported_share(directives, unit)
    late = late_days(directives, responses, unit)
    b = None if late is None else round(max(0.0, 100.0 - late), 2)
    got, expected = forms_received(kpis, budget, unit)
    c = round(100 * got / expected, 2) if expected else None
    parts = [p for p in (a, b, c) if p is not None]
    return Discipline(
        reported_pct=a,
        reported=reported,
        current_round=n,
        round_key=round_key,
        late_days=late,
        on_time=b,
        forms_pct=c,
        forms_received=got,
        forms_expected=expected,
        score=round(sum(parts) / len(parts), 2) if parts else None,
    )


def units(directives: pd.DataFrame) -> list[str]:
    return sorted(str(u) for u in directives["agency"].dropna().unique())


def directive_figures(timed: pd.DataFrame, unit: str, today: date) -> dict:
    """The unit's directive cards: counts, % done, overdue and its time to done (``timed`` is
    the register with the days to done, as ``time_to_done.with_durations`` makes it)."""
    mine = timed[(timed["agency"] == unit).to_numpy()]
    return {**metrics.overview_cards(mine, today), "time_to_done": ttd.overall(mine)}


def ranking(
    directives: pd.DataFrame, responses: pd.DataFrame, kpis: pd.DataFrame, budget: pd.DataFrame
) -> pd.DataFrame:
    """Every unit with its score and the three parts, best first (no score last)."""
    rows = []
    for unit in units(directives):
        d = discipline(directives, responses, kpis, budget, unit)
        rows.append(
            {
                "unit": unit,
                "score": d.score,
                "reported_pct": d.reported_pct,
                "on_time": d.on_time,
                "forms_pct": d.forms_pct,
            }
        )
    out = pd.DataFrame(rows, columns=["unit", "score", "reported_pct", "on_time", "forms_pct"])
    return out.sort_values(
        ["score", "unit"], ascending=[False, True], na_position="last", ignore_index=True
    )


def units_json(
    directives: pd.DataFrame,
    responses: pd.DataFrame,
    kpis: pd.DataFrame,
    budget: pd.DataFrame,
    today: date,
) -> list[dict]:
    """The ``units`` part of `summary --json` (README: its contract): each unit's card figures
    — directive counts, % done, overdue, median days to done — and its discipline score with
    the three parts, units in name order. The same figures as ``directive_figures`` and
    ``discipline`` per unit, computed for all units at once (one pass per part)."""
    names = units(directives)
    if not names:
        return []
    agency = directives["agency"].astype(object)
    counts = pd.crosstab(agency, directives["status"].astype(object)).reindex(
        index=names, columns=list(metrics.STATUSES), fill_value=0
    )
    overdue = (
        pd.Series(metrics.aging(directives, today)["overdue"].to_numpy(), index=directives.index)
        .groupby(agency)
        .sum()
        .reindex(names, fill_value=0)
    )
    timed = ttd.with_durations(directives, responses, today).frame
    speed = ttd.figures(timed, "agency").set_index("key")["median_days"]
    reported = _reported_by_unit(directives)
    late = _late_by_unit(directives, responses)
    forms = _forms_by_unit(kpis, budget)
    out = []
    for unit in names:
        row = counts.loc[unit]
        n = int(row.sum())
        a = reported.get(unit)
        b = None if late.get(unit) is None else round(max(0.0, 100.0 - late[unit]), 2)
        got, expected = forms.get(unit, (0, forms.get("", (0, 0))[1]))
        c = round(100 * got / expected, 2) if expected else None
        parts = [x for x in (a, b, c) if x is not None]
        median = speed.get(unit)
        out.append(
            {
                "unit": unit,
                "total": n,
                **{s: int(row[s]) for s in metrics.STATUSES},
                "done_pct": round(100 * int(row["done"]) / n, 2) if n else 0.0,
                "overdue": int(overdue.loc[unit]),
                "median_days_to_done": None if median is None or pd.isna(median) else median,
                "discipline": {
                    "score": round(sum(parts) / len(parts), 2) if parts else None,
                    "reported_pct": a,
                    "on_time": b,
                    "forms_pct": c,
                },
            }
        )
    return out


def _reported_by_unit(directives: pd.DataFrame) -> dict[str, float]:
    """A per unit (``reported_share`` for every unit at once)."""
    current = _current_round(directives)
    if current is None:
        return {}
    fy, rnd = current
    now = directives[
        (directives["fiscal_year"] == fy).to_numpy(dtype=bool, na_value=False)
        & (directives["round"] == rnd).to_numpy(dtype=bool, na_value=False)
    ]
    share = (now["status"] != "not_reported").groupby(now["agency"].astype(object)).mean()
    return {str(k): round(100 * float(v), 2) for k, v in share.items()}


def _late_by_unit(directives: pd.DataFrame, responses: pd.DataFrame) -> dict[str, float]:
    """The median days late per unit (``late_days`` for every unit at once)."""
    if responses.empty:
        return {}
    due = directives.loc[directives["due_date"].notna(), ["directive_id", "agency", "due_date"]]
    due = due.drop_duplicates("directive_id")
    rows = responses.loc[responses["submitted_at"].notna(), ["directive_id", "submitted_at"]]
    both = rows.merge(due.astype({"agency": object}), on="directive_id", how="inner")
    if both.empty:
        return {}
    days = (both["submitted_at"].dt.normalize() - both["due_date"]) / np.timedelta64(1, "D")
    late = days.clip(lower=0).groupby(both["agency"]).median()
    return {str(k): float(v) for k, v in late.items()}


def _forms_by_unit(kpis: pd.DataFrame, budget: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """C's counts per unit; "" holds (0, expected) for a unit that sent nothing."""
    received: dict[str, int] = {}
    expected = 0
    for frame, when in ((kpis, "period"), (budget, "as_of")):
        if frame.empty:
            continue
        keys = frame[["unit", "fiscal_year", when]].dropna().drop_duplicates()
        expected += len(keys[["fiscal_year", when]].drop_duplicates())
        for unit, n in keys.groupby(keys["unit"].astype(object)).size().items():
            received[str(unit)] = received.get(str(unit), 0) + int(n)
    out = {unit: (n, expected) for unit, n in received.items()}
    out[""] = (0, expected)
    return out
