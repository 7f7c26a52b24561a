"""Pure figures for the pages and the command line: DataFrame in, DataFrame (or dict) out."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

import numpy as np
import pandas as pd

from tracker.places import district_codes, districts
from tracker.schema import FACTOR_COLUMNS, FACTORS, STATUSES

COUNT_COLUMNS = [*STATUSES, "total", "done_pct"]


@dataclass(frozen=True)
class Filters:
    """What an inspector narrowed the directives to; an empty tuple means "all"."""

    fiscal_year: tuple[int, ...] = ()
    round: tuple[int, ...] = ()
    zone: tuple[str, ...] = ()  # zone_th
    district: tuple[str, ...] = ()  # district code
    agency: tuple[str, ...] = ()
    group: tuple[str, ...] = ()
    factor: tuple[str, ...] = ()  # factor keys; a directive matches if it has any of them
    status: tuple[str, ...] = ()

    def active(self) -> dict[str, tuple]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


def zone_codes(zones: tuple[str, ...]) -> list[str]:
    d = districts()
    return d.loc[d["zone_th"].isin(zones) | d["zone_en"].isin(zones), "code"].tolist()


def apply_filters(df: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """The directives that pass every active filter (a boolean mask; no copies until the end)."""
    mask = np.ones(len(df), dtype=bool)
    if f.fiscal_year:
        mask &= df["fiscal_year"].isin(f.fiscal_year).to_numpy(dtype=bool, na_value=False)
    if f.round:
        mask &= df["round"].isin(f.round).to_numpy(dtype=bool, na_value=False)
    # Places: zone and district narrow the district offices; a city-level agency (no district)
    # chosen by name stays in even when a zone or district is chosen too.
    place = np.ones(len(df), dtype=bool)
    if f.zone:
        place &= df["district_code"].isin(zone_codes(f.zone)).to_numpy()
    if f.district:
        place &= df["district_code"].isin(f.district).to_numpy()
    if f.agency:
        chosen = df["agency"].isin(f.agency).to_numpy()
        city_level = df["district_code"].isna().to_numpy()
        place = chosen & (place | city_level)
    mask &= place
    if f.group:
        mask &= df["group"].isin(f.group).to_numpy()
    if f.factor:
        cols = [f"f_{k}" for k in f.factor if k in FACTORS]
        if cols:
            mask &= df[cols].to_numpy().any(axis=1)
    if f.status:
        mask &= df["status"].isin(f.status).to_numpy()
    return df[mask] if not mask.all() else df


UNIT_FILTERS = ("fiscal_year", "zone", "district", "agency")


def filter_units(df: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """KPI or budget rows (a ``unit`` column) of the units the place filters choose, in the
    chosen fiscal years: a district office by its district and zone, any unit by name. The
    directive-only filters (round, group, factor, status) do not apply to them."""
    if df.empty or not any(getattr(f, k) for k in UNIT_FILTERS):
        return df
    mask = np.ones(len(df), dtype=bool)
    if f.fiscal_year and "fiscal_year" in df:
        mask &= df["fiscal_year"].isin(f.fiscal_year).to_numpy(dtype=bool, na_value=False)
    if f.zone or f.district or f.agency:
        code = district_codes(df["unit"].astype(object))
        place = np.ones(len(df), dtype=bool)
        if f.zone:
            place &= code.isin(zone_codes(f.zone)).to_numpy()
        if f.district:
            place &= code.isin(f.district).to_numpy()
        if f.agency:
            named = df["unit"].isin(f.agency).to_numpy()
            chosen_codes = district_codes(pd.Series(list(f.agency), dtype=object)).dropna()
            same_office = code.isin(set(chosen_codes)).to_numpy()
            place = (named | same_office) & (place | code.isna().to_numpy())
        mask &= place
    return df[mask]


def _counts(df: pd.DataFrame, by: str) -> pd.DataFrame:
    """Status counts per value of ``by`` with total and % done (2 dp)."""
    if df.empty:
        return pd.DataFrame(columns=[by, *COUNT_COLUMNS])
    key = df[by] if isinstance(df[by].dtype, pd.CategoricalDtype) else df[by].astype("category")
    table = (
        df.groupby([key, df["status"]], observed=True, sort=False)
        .size()
        .unstack("status")
        .reindex(columns=list(STATUSES), fill_value=0)
        .fillna(0)
        .astype(int)
    )
    table["total"] = table.sum(axis=1)
    table = table[table["total"] > 0]
    table["done_pct"] = (100 * table["done"] / table["total"]).round(2)
    table.index.name = by
    return table.reset_index()


def by_agency(df: pd.DataFrame) -> pd.DataFrame:
    """Agencies ranked by % done (then by total), with status counts."""
    out = _counts(df, "agency")
    return out.sort_values(
        ["done_pct", "total", "agency"], ascending=[False, False, True], ignore_index=True
    )


def by_group(df: pd.DataFrame) -> pd.DataFrame:
    return _counts(df, "group").sort_values("total", ascending=False, ignore_index=True)


def by_district(df: pd.DataFrame) -> pd.DataFrame:
    d = districts()[["code", "name_th", "name_en", "zone_th", "zone_en"]]
    out = _counts(df[df["district_code"].notna()], "district_code")
    out = out.merge(d, left_on="district_code", right_on="code", how="left").drop(columns="code")
    return out.sort_values("district_code", ignore_index=True)


def by_factor(df: pd.DataFrame) -> pd.DataFrame:
    """Status counts per impact factor (a directive with several factors counts in each)."""
    rows = []
    for key, col in zip(FACTORS, FACTOR_COLUMNS, strict=True):
        sub = df.loc[df[col].to_numpy(), "status"]
        counts = sub.value_counts().reindex(list(STATUSES), fill_value=0)
        total = int(counts.sum())
        rows.append(
            {
                "factor": key,
                **{s: int(counts[s]) for s in STATUSES},
                "total": total,
                "done_pct": round(100 * counts["done"] / total, 2) if total else 0.0,
            }
        )
    return pd.DataFrame(rows, columns=["factor", *COUNT_COLUMNS])


def status_totals(df: pd.DataFrame) -> dict[str, int]:
    counts = df["status"].value_counts().reindex(list(STATUSES), fill_value=0)
    return {s: int(counts[s]) for s in STATUSES}


def aging(df: pd.DataFrame, today: date) -> pd.DataFrame:
    """Days open (issue date to report date, or to today while not done), the overdue flag,
    and whether the directive has no due date (then it is never "not overdue")."""
    today_ts = pd.Timestamp(today)
    closed = df["status"].isin(["done", "cannot"]).to_numpy()
    end = df["reported_at"].where(closed, today_ts).fillna(today_ts)
    days = (end.dt.normalize() - df["issued_date"]).dt.days
    overdue = (~closed) & (df["due_date"] < today_ts).fillna(False).to_numpy()
    late_days = (today_ts - df["due_date"]).dt.days.where(overdue)
    return pd.DataFrame(
        {
            "days_open": days.astype("Int64"),
            "overdue": overdue,
            "days_overdue": late_days.astype("Int64"),
            "no_due_date": df["due_date"].isna().to_numpy(),
        },
        index=df.index,
    )


def overview_cards(df: pd.DataFrame, today: date) -> dict[str, float | int]:
    totals = status_totals(df)
    n = int(sum(totals.values()))
    overdue = int(aging(df, today)["overdue"].sum()) if n else 0
    return {
        "total": n,
        **totals,
        "done_pct": round(100 * totals["done"] / n, 2) if n else 0.0,
        "overdue": overdue,
    }


def not_reported_units(df: pd.DataFrame) -> pd.DataFrame:
    """Units with directives still not reported, most first; ``none_reported`` if all are."""
    return not_reported_of(_counts(df, "agency"))


def not_reported_of(counts: pd.DataFrame) -> pd.DataFrame:
    """``not_reported_units`` from the status counts per agency (``by_agency``'s rows, in any
    order), so a page that has them does not count again."""
    t = counts[counts["not_reported"] > 0].copy()
    t["none_reported"] = t["not_reported"] == t["total"]
    return t[["agency", "not_reported", "total", "none_reported"]].sort_values(
        ["not_reported", "agency"], ascending=[False, True], ignore_index=True
    )


def heatmap(df: pd.DataFrame) -> pd.DataFrame:
    """Directive counts, agency (rows) × group (columns)."""
    if df.empty:
        return pd.DataFrame()
    return df.groupby(["agency", "group"], observed=True).size().unstack(fill_value=0)


def response_history(responses: pd.DataFrame, directive_id: str) -> pd.DataFrame:
    """All responses for one directive, oldest first (the timeline)."""
    sub = responses[responses["directive_id"] == directive_id]
    return sub.sort_values("submitted_at", kind="stable", ignore_index=True)


def summary_json(df: pd.DataFrame) -> dict:
    """The directives part of the CLI's stable JSON contract (see README)."""

    def rows(frame: pd.DataFrame, key: str) -> list[dict]:
        out = []
        for rec in frame.to_dict("records"):
            item = {key: rec[key]}
            item.update({s: int(rec[s]) for s in STATUSES})
            item["total"] = int(rec["total"])
            item["done_pct"] = float(rec["done_pct"])
            out.append(item)
        return out

    district = by_district(df)
    return {
        "total": len(df),
        "by_status": status_totals(df),
        "by_agency": rows(by_agency(df), "agency"),
        "by_factor": rows(by_factor(df), "factor"),
        "by_group": rows(by_group(df), "group"),
        "by_district": [
            {"district": code, "district_code": code, **names, **counts}
            for code, names, counts in zip(
                district["district_code"],
                _district_names(district),
                rows(district, "district_code"),
                strict=True,
            )
        ],
    }


_DISTRICT_NAMES = ("name_th", "name_en", "zone_th", "zone_en")


def _district_names(district: pd.DataFrame) -> list[dict[str, str | None]]:
    """Each row's names and zone (None for a code the district list does not know)."""
    names = district[list(_DISTRICT_NAMES)].astype(object)
    return names.where(names.notna(), None).to_dict("records")
