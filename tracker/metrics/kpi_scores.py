"""KPI figures (docs/domain.md §2): the traffic light of a KPI against its target, the
scorecard, levels over the periods, the on / below target counts and the rows of
``summary --json``, from the ``kpis`` frame ``tracker.read.kpi_form`` reads.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from tracker import thai
from tracker.read.kpi_cells import parse_checklist
from tracker.schema import KPI_COLUMNS, PERIODS

# Traffic light of a KPI against its target: green when actual ≥ target, amber when
# actual ≥ 60% of target, red below that; None when target or actual is missing.
AMBER_FROM = Decimal("0.6")
LIGHTS: tuple[str, ...] = ("green", "amber", "red")


def light(actual: float | None, target: float | None) -> str | None:
    """ "green" (actual ≥ target), "amber" (≥ 60% of target), "red", or None if not scorable."""
    if actual is None or target is None or pd.isna(actual) or pd.isna(target):
        return None
    a, t = Decimal(repr(float(actual))), Decimal(repr(float(target)))
    if a >= t:
        return "green"
    if a >= t * AMBER_FROM:
        return "amber"
    return "red"


def _period_rank(period: pd.Series) -> pd.Series:
    return period.map({p: i for i, p in enumerate(PERIODS, start=1)}).fillna(0)


def latest_period(kpis: pd.DataFrame) -> pd.DataFrame:
    """Only each unit and fiscal year's latest reported period (Q4 beats Q2)."""
    if kpis.empty:
        return kpis
    rank = _period_rank(kpis["period"])
    keys = [kpis["unit"].fillna(""), kpis["fiscal_year"].fillna(-1)]
    best = rank.groupby(keys).transform("max")
    return kpis[rank == best]


def scorecard(
    kpis: pd.DataFrame,
    unit: str | None = None,
    fiscal_year: int | None = None,
    period: str | None = None,
) -> pd.DataFrame:
    """KPIs of a unit / fiscal year / period with a traffic light (``light``, see AMBER_FROM).

    Without ``period``, each unit and fiscal year's latest period is shown.
    """
    df = kpis
    if unit is not None:
        df = df[df["unit"] == unit]
    if fiscal_year is not None:
        df = df[df["fiscal_year"] == fiscal_year]
    df = df[df["period"] == period] if period is not None else latest_period(df)
    cols = [c for c in KPI_COLUMNS if c not in ("source", "sheet", "row")]
    out = df[cols].reset_index(drop=True).copy()
    lights = [light(a, t) for a, t in zip(out["actual"], out["target"], strict=True)]
    out["light"] = pd.Series(lights, index=out.index, dtype=object)
    return out


def levels_over_periods(kpis: pd.DataFrame, unit: str, fiscal_year: int) -> pd.DataFrame:
    """A unit's KPIs (rows) × Q1..Q4 (columns): the achieved value in each period, NaN if none."""
    df = kpis[(kpis["unit"] == unit) & (kpis["fiscal_year"] == fiscal_year)]
    index_cols = ["component", "kpi_code", "kpi", "measure", "target"]
    if df.empty:
        return pd.DataFrame(columns=[*index_cols, *PERIODS])
    order = df.drop_duplicates("kpi_code")[["kpi_code"]].reset_index(drop=True)
    first = df.sort_values("period", key=_period_rank).drop_duplicates("kpi_code", keep="last")
    wide = df.pivot_table(index="kpi_code", columns="period", values="actual", aggfunc="last")
    wide = wide.reindex(columns=list(PERIODS))
    out = order.merge(first[index_cols], on="kpi_code").merge(
        wide.reset_index(), on="kpi_code", how="left"
    )
    out.columns.name = None
    return out[[*index_cols, *PERIODS]]


def summary(kpis: pd.DataFrame) -> dict[str, int]:
    """Counts of KPIs on / below target (latest period of each unit and fiscal year)."""
    card = scorecard(kpis)
    lights = card["light"]
    scored = lights.notna()
    return {
        "total": len(card),
        "on_target": int((lights == "green").sum()),
        "below_target": int((scored & (lights != "green")).sum()),
        "no_result": int((~scored).sum()),
        "green": int((lights == "green").sum()),
        "amber": int((lights == "amber").sum()),
        "red": int((lights == "red").sum()),
    }


def _num(v: Any) -> float | None:
    if v is None or pd.isna(v):
        return None
    return float(thai.round_half_up(Decimal(repr(float(v))), 2))


def to_json_rows(kpis: pd.DataFrame) -> list[dict[str, object]]:
    """Rows for ``summary --json``: unit, fiscal_year, period, component, kpi, measure, target,
    actual, achievement_pct (numbers with 2 dp, null when missing).

    Only where the KPI has them: "stage" (the innovation stage, e.g. "developing") and
    "checklist" (the ticked / unticked items of its detail: [{"item", "ticked"}], e.g. 3.1's
    systems), so rows without them keep exactly the keys above.
    """
    out: list[dict[str, object]] = []
    for r in kpis.itertuples(index=False):
        row: dict[str, object] = {
            "unit": r.unit,
            "fiscal_year": None if pd.isna(r.fiscal_year) else int(r.fiscal_year),
            "period": r.period,
            "component": r.component,
            "kpi": r.kpi,
            "measure": r.measure,
            "target": _num(r.target),
            "actual": _num(r.actual),
            "achievement_pct": _num(r.achievement_pct),
        }
        stage = getattr(r, "stage", None)
        if isinstance(stage, str) and stage:
            row["stage"] = stage
        detail = getattr(r, "detail", None)
        items = parse_checklist(detail) if isinstance(detail, str) else []
        if items:
            row["checklist"] = [{"item": label, "ticked": ok} for label, ok in items]
        out.append(row)
    return out


__all__ = [
    "AMBER_FROM",
    "LIGHTS",
    "latest_period",
    "levels_over_periods",
    "light",
    "parse_checklist",  # the reader's, for what draws (which never imports tracker.read)
    "scorecard",
    "summary",
    "to_json_rows",
]
