"""Budget figures (docs/domain.md §3): allocated, disbursed and rate per budget type and per
unit, the overall rate over the as-of dates against the targets, and the rows of
``summary --json``, from the ``budget`` frame ``tracker.read.budget_form`` reads.

Figures use the latest as-of date of each unit unless one is given, and sum amounts exactly (in
satang); rates are recomputed from the sums, half-up to 2 dp (``thai.rate_pct``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from tracker import thai
from tracker.metrics.targets import DEFAULT, Targets
from tracker.schema import BUDGET_TYPES

JSON_TYPES: tuple[str, ...] = (*BUDGET_TYPES, "total")


def _float(d: Decimal | None) -> float | None:
    return None if d is None else float(d)


def _cents(s: pd.Series) -> pd.Series:
    return (s * 100).round().astype("Int64")


def _dec(cents: Any) -> Decimal | None:
    if cents is None or pd.isna(cents):
        return None
    return Decimal(int(cents)) / 100


def latest_as_of(budget: pd.DataFrame, as_of: date | pd.Timestamp | None = None) -> pd.DataFrame:
    """Rows of ``as_of`` exactly, or (None) each unit's latest as-of date."""
    if budget.empty:
        return budget
    if as_of is not None:
        return budget[budget["as_of"] == pd.Timestamp(as_of)]
    latest = budget.groupby(budget["unit"].fillna(""))["as_of"].transform("max")
    return budget[budget["as_of"] == latest]


def _totals(df: pd.DataFrame, by: list[str] | None) -> pd.DataFrame:
    """Exact sums of applicable amounts (and their rate) per group, or overall when ``by`` is
    None. Groups with nothing applicable get null amounts and rate."""
    ok = df["allocated"].notna() & df["disbursed"].notna()
    work = pd.DataFrame(
        {
            "a": _cents(df["allocated"].where(ok)),
            "d": _cents(df["disbursed"].where(ok)),
            "n": ok.astype(int),
        }
    )
    if by:
        for c in by:
            work[c] = df[c].to_numpy()
        agg = (
            work.groupby(by, sort=False, dropna=False)
            .agg(a=("a", "sum"), d=("d", "sum"), n=("n", "sum"))
            .reset_index()
        )
    else:
        agg = pd.DataFrame({"a": [work["a"].sum()], "d": [work["d"].sum()], "n": [work["n"].sum()]})
    rows = []
    for r in agg.itertuples(index=False):
        has = r.n > 0
        a, d = (_dec(r.a), _dec(r.d)) if has else (None, None)
        rows.append(
            {
                **({c: getattr(r, c) for c in by} if by else {}),
                "allocated": _float(a),
                "disbursed": _float(d),
                "rate_pct": _float(thai.rate_pct(d, a)),
            }
        )
    return pd.DataFrame(rows, columns=[*(by or []), "allocated", "disbursed", "rate_pct"])


def by_type(
    budget: pd.DataFrame, unit: str | None = None, as_of: date | pd.Timestamp | None = None
) -> pd.DataFrame:
    """Allocated, disbursed and rate per budget type plus a computed "total" row.

    Without ``as_of``, each unit's latest as-of date. Not-applicable types have null amounts.
    """
    df = budget if unit is None else budget[budget["unit"] == unit]
    df = latest_as_of(df, as_of)
    cols = ["budget_type", "allocated", "disbursed", "rate_pct"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    per = _totals(df, ["budget_type"])
    per["_order"] = per["budget_type"].map({t: i for i, t in enumerate(BUDGET_TYPES)})
    per = per.sort_values("_order").drop(columns="_order")
    total = _totals(df, None)
    total.insert(0, "budget_type", "total")
    return pd.concat([per, total], ignore_index=True)[cols]


def by_unit(
    budget: pd.DataFrame, as_of: date | pd.Timestamp | None = None, targets: Targets | None = None
) -> pd.DataFrame:
    """Per unit: allocated, disbursed, rate, the target for its as-of date, below_target flag.

    Without ``as_of``, each unit's latest as-of date. ``targets`` defaults to the built-in
    defaults (pass ``load_targets()`` for the office's settings).
    """
    targets = targets or DEFAULT
    cols = [
        "unit",
        "fiscal_year",
        "as_of",
        "allocated",
        "disbursed",
        "rate_pct",
        "target",
        "below_target",
    ]
    df = latest_as_of(budget, as_of)
    if df.empty:
        return pd.DataFrame(columns=cols)
    out = _totals(df, ["unit", "fiscal_year", "as_of"])
    out["target"] = [_target(targets, d) for d in out["as_of"]]
    out["below_target"] = [
        bool(r is not None and t is not None and not pd.isna(r) and not pd.isna(t) and r < t)
        for r, t in zip(out["rate_pct"], out["target"], strict=True)
    ]
    return out[cols].sort_values("unit", kind="stable").reset_index(drop=True)


def _target(targets: Targets, as_of: object) -> float | None:
    if as_of is None or pd.isna(as_of):
        return None
    return _float(targets.for_date(pd.Timestamp(as_of).date()))


def cumulative(
    budget: pd.DataFrame, unit: str | None = None, targets: Targets | None = None
) -> pd.DataFrame:
    """The overall rate at every as-of date (all units, or one), with the target then."""
    targets = targets or DEFAULT
    cols = ["as_of", "fiscal_year", "allocated", "disbursed", "rate_pct", "target"]
    df = budget if unit is None else budget[budget["unit"] == unit]
    df = df[df["as_of"].notna()]
    if df.empty:
        return pd.DataFrame(columns=cols)
    out = _totals(df, ["as_of"]).sort_values("as_of").reset_index(drop=True)
    out["fiscal_year"] = [thai.fiscal_year(pd.Timestamp(d).date()) for d in out["as_of"]]
    out["target"] = [_target(targets, d) for d in out["as_of"]]
    return out[cols]


def overall_rate(budget: pd.DataFrame, as_of: date | pd.Timestamp | None = None) -> Decimal | None:
    """The overall disbursement rate (all units and types) as of ``as_of`` or each unit's latest."""
    df = latest_as_of(budget, as_of)
    if df.empty:
        return None
    r = _totals(df, None)["rate_pct"].iloc[0]
    return None if r is None or pd.isna(r) else thai.round_half_up(Decimal(repr(float(r))), 2)


def _num(v: Any) -> float | None:
    if v is None or pd.isna(v):
        return None
    return float(thai.round_half_up(Decimal(repr(float(v))), 2))


def to_json_rows(budget: pd.DataFrame) -> list[dict[str, object]]:
    """Rows for ``summary --json``: every type row plus a computed "total" per unit and as-of
    date; amounts and rates as numbers with 2 dp, null when not applicable."""
    out: list[dict[str, object]] = []
    if budget.empty:
        return out
    order = {t: i for i, t in enumerate(BUDGET_TYPES)}
    df = budget.assign(_o=budget["budget_type"].map(order))
    keys = ["unit", "fiscal_year", "as_of"]
    for _, g in df.groupby(keys, sort=True, dropna=False):
        g = g.sort_values(["_o", "row"], kind="stable")
        total = _group_total(g)
        rows = [*g.itertuples(index=False)]
        for r in rows:
            out.append(
                _json_row(
                    r.unit,
                    r.fiscal_year,
                    r.as_of,
                    r.budget_type,
                    r.allocated,
                    r.disbursed,
                    r.rate_pct,
                )
            )
        r0 = rows[0]
        out.append(
            _json_row(
                r0.unit,
                r0.fiscal_year,
                r0.as_of,
                "total",
                total["allocated"],
                total["disbursed"],
                total["rate_pct"],
            )
        )
    return out


def _group_total(g: pd.DataFrame) -> dict[str, float | None]:
    """``_totals(g, None)``'s one row, without building frames (a few rows per group): exact
    sums in cents of the rows with both amounts, null when there is none."""
    alloc = g["allocated"].to_numpy(dtype="float64", na_value=np.nan)
    disb = g["disbursed"].to_numpy(dtype="float64", na_value=np.nan)
    ok = ~np.isnan(alloc) & ~np.isnan(disb)
    if not ok.any():
        return {"allocated": None, "disbursed": None, "rate_pct": None}
    a = _dec(int(np.round(alloc[ok] * 100).astype(np.int64).sum()))
    d = _dec(int(np.round(disb[ok] * 100).astype(np.int64).sum()))
    return {"allocated": _float(a), "disbursed": _float(d), "rate_pct": _float(thai.rate_pct(d, a))}


def _json_row(unit, fy, as_of, btype, alloc, disb, rate) -> dict[str, object]:
    return {
        "unit": unit,
        "fiscal_year": None if fy is None or pd.isna(fy) else int(fy),
        "as_of": None
        if as_of is None or pd.isna(as_of)
        else pd.Timestamp(as_of).date().isoformat(),
        "budget_type": btype,
        "allocated": _num(alloc),
        "disbursed": _num(disb),
        "rate_pct": _num(rate),
    }


__all__ = [
    "JSON_TYPES",
    "by_type",
    "by_unit",
    "cumulative",
    "latest_as_of",
    "overall_rate",
    "to_json_rows",
]
