"""Per-district figures for the Districts page and its map: DataFrame in, DataFrame out.

Every function returns all 50 districts (from ``tracker.places.districts``), so a district
without directives has 0 directives, 0 open, 0 % done (a value, not a gap on the map). KPI
achievement and disbursement exist only for district offices that report them (NaN otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from messages.i18n import t
from tracker.dataset import empty_frame
from tracker.metrics import budget_sums as budget_mod
from tracker.metrics import directives as metrics
from tracker.metrics import kpi_scores as kpi_mod
from tracker.metrics import time_to_done as ttd
from tracker.places import ZONE_ORDER, district_codes, district_of, districts, zones
from tracker.present.charts import status_label
from tracker.schema import STATUSES
from tracker.thai import format_date, format_datetime

__all__ = [
    "DIRECTIVE_MEASURES",
    "HIGHER_IS_BETTER",
    "MEASURES",
    "DistrictCard",
    "attach_codes",
    "disbursement_by_district",
    "district_card",
    "district_frame",
    "district_from_selection",
    "district_table",
    "history_table",
    "kpi_by_district",
    "overdue_table",
    "response_months",
    "unmatched_agencies",
    "zone_rank",
    "zone_ranking",
]

# Map measures, in the order the selector shows them.
DIRECTIVE_MEASURES = ("done_pct", "open", "not_reported", "overdue")
MEASURES = (*DIRECTIVE_MEASURES, "median_days", "kpi_pct", "disbursement_pct")
HIGHER_IS_BETTER = {
    "done_pct": True,
    "open": False,
    "not_reported": False,
    "overdue": False,
    "median_days": False,  # median days to done (Kaplan–Meier): fewer is faster
    "kpi_pct": True,
    "disbursement_pct": True,
}
PCT_MEASURES = frozenset({"done_pct", "kpi_pct", "disbursement_pct"})
DAY_MEASURES = frozenset({"median_days"})
COUNT_COLUMNS = [*STATUSES, "total", "open", "overdue"]
PLACE_COLUMNS = ["code", "name_th", "name_en", "zone_th", "zone_en"]
FRAME_COLUMNS = [
    *PLACE_COLUMNS,
    *COUNT_COLUMNS,
    "done_pct",
    "median_days",
    "kpi_pct",
    "disbursement_pct",
]


def attach_codes(directives: pd.DataFrame) -> pd.DataFrame:
    """``directives`` with ``district_code`` filled from any name form in it or in ``agency``.

    The normaliser already derives the code; this makes the join robust to a frame where the
    district column holds a name ("บางนา", "Bang Na") or is blank while the agency names a
    district office ("สำนักงานเขตบางนา", "เขตบางนา", "1047").
    """
    if directives.empty:
        return directives
    from_district = district_codes(directives["district_code"])
    from_agency = district_codes(directives["agency"])
    codes = from_district.where(from_district.notna(), from_agency)
    values = codes.astype(object).where(codes.notna(), None)
    if values.equals(directives["district_code"].astype(object)):
        return directives
    return directives.assign(district_code=values.to_numpy())


def _latest_fy(df: pd.DataFrame) -> pd.DataFrame:
    """Only each unit's latest fiscal year (rows without a fiscal year kept)."""
    if df.empty:
        return df
    fy = df["fiscal_year"].astype("Float64")
    latest = fy.groupby(df["unit"].fillna("")).transform("max")
    return df[(fy == latest).fillna(True).to_numpy(dtype=bool)]


def median_days_by_district(
    directives: pd.DataFrame, responses: pd.DataFrame | None, today: date
) -> pd.Series:
    """Kaplan–Meier median days to done of each district office's directives, by code (NaN
    where half are not done yet: "not reached")."""
    if directives.empty or "district_code" not in directives:
        return pd.Series(dtype="float64", name="median_days")
    resp = responses if responses is not None else empty_frame("responses")
    timed = ttd.with_durations(directives, resp, today).frame
    table = ttd.figures(timed, "district")
    if table.empty:
        return pd.Series(dtype="float64", name="median_days")
    return table.set_index("key")["median_days"].astype("float64").rename("median_days")


def kpi_by_district(kpis: pd.DataFrame | None, fiscal_years: tuple[int, ...] = ()) -> pd.Series:
    """Mean KPI achievement (%) of each district office's latest period, indexed by code."""
    if kpis is None or kpis.empty:
        return pd.Series(dtype="float64", name="kpi_pct")
    df = kpis[kpis["fiscal_year"].isin(fiscal_years)] if fiscal_years else kpis
    card = kpi_mod.scorecard(_latest_fy(df))
    card = card.assign(code=district_codes(card["unit"]).to_numpy())
    card = card[card["code"].notna() & card["achievement_pct"].notna()]
    if card.empty:
        return pd.Series(dtype="float64", name="kpi_pct")
    out = card.groupby("code")["achievement_pct"].mean().round(2)
    return out.rename("kpi_pct")


def disbursement_by_district(
    budget: pd.DataFrame | None, fiscal_years: tuple[int, ...] = ()
) -> pd.Series:
    """Disbursement rate (%) at each district office's latest as-of date, indexed by code."""
    if budget is None or budget.empty:
        return pd.Series(dtype="float64", name="disbursement_pct")
    df = budget[budget["fiscal_year"].isin(fiscal_years)] if fiscal_years else budget
    units = budget_mod.by_unit(df)
    units = units.assign(code=district_codes(units["unit"]).to_numpy())
    units = units[units["code"].notna() & units["rate_pct"].notna()]
    if units.empty:
        return pd.Series(dtype="float64", name="disbursement_pct")
    # A district office reported under two spellings is already one unit after normalising;
    # if two rows remain (two fiscal years), the latest as-of wins.
    units = units.sort_values("as_of").drop_duplicates("code", keep="last")
    return units.set_index("code")["rate_pct"].astype("float64").rename("disbursement_pct")


def district_frame(
    directives: pd.DataFrame,
    today: date,
    kpis: pd.DataFrame | None = None,
    budget: pd.DataFrame | None = None,
    fiscal_years: tuple[int, ...] = (),
    responses: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per district (all 50, by code): status counts, total, open, overdue, % done,
    median days to done, KPI achievement and disbursement rate. ``open`` = in progress + not
    reported."""
    places = districts()[PLACE_COLUMNS]
    df = attach_codes(directives)
    df = df[df["district_code"].notna()] if not df.empty else df
    if df.empty:
        counts = pd.DataFrame(0, index=places["code"], columns=COUNT_COLUMNS)
    else:
        code = pd.Categorical(df["district_code"], categories=places["code"])
        status = pd.Categorical(df["status"].astype(object), categories=list(STATUSES))
        counts = pd.crosstab(code, status, dropna=False).reindex(
            index=places["code"], columns=list(STATUSES), fill_value=0
        )
        counts["total"] = counts.sum(axis=1)
        counts["open"] = counts["in_progress"] + counts["not_reported"]
        overdue = metrics.aging(df, today)["overdue"].to_numpy(dtype=bool)
        late = pd.Series(df["district_code"].to_numpy()[overdue]).value_counts()
        counts["overdue"] = late.reindex(places["code"], fill_value=0).to_numpy()
    counts = counts.astype("int64")
    counts.index = places.index
    out = pd.concat([places, counts], axis=1)
    total = out["total"].to_numpy()
    # no directives: no % done (NaN, drawn as "no data"), never 0 %
    pct = np.divide(
        100 * out["done"].to_numpy(), total, out=np.full(len(out), np.nan), where=total > 0
    )
    out["done_pct"] = np.round(pct, 2)
    out["median_days"] = out["code"].map(median_days_by_district(df, responses, today))
    out["median_days"] = out["median_days"].astype("float64")
    out["kpi_pct"] = out["code"].map(kpi_by_district(kpis, fiscal_years)).astype("float64")
    out["disbursement_pct"] = (
        out["code"].map(disbursement_by_district(budget, fiscal_years)).astype("float64")
    )
    return out[FRAME_COLUMNS]


def unmatched_agencies(directives: pd.DataFrame) -> pd.DataFrame:
    """Agencies whose directives have no district (city-level agencies or unknown names)."""
    df = attach_codes(directives)
    if df.empty:
        return pd.DataFrame(
            {"agency": pd.Series(dtype="str"), "directives": pd.Series(dtype="int64")}
        )
    rest = df.loc[df["district_code"].isna(), "agency"].astype(object).fillna("")
    counts = rest.value_counts()
    counts = counts[counts > 0]
    out = pd.DataFrame({"agency": counts.index.astype(str), "directives": counts.to_numpy()})
    return out.sort_values(["directives", "agency"], ascending=[False, True], ignore_index=True)


def zone_ranking(frame: pd.DataFrame, zone_th: str, measure: str) -> pd.DataFrame:
    """The districts of one zone ordered best first by ``measure``, with ``rank`` (ties share
    the better rank). Districts without a value (no directives for directive measures, no
    report for KPI/disbursement) get no rank and come last."""
    sub = frame[frame["zone_th"] == zone_th].copy()
    has = sub["total"] > 0 if measure in DIRECTIVE_MEASURES else sub[measure].notna()
    values = sub[measure].where(has)
    rank = values.rank(method="min", ascending=not HIGHER_IS_BETTER[measure])
    sub["rank"] = rank.astype("Int64")
    sub["ranked"] = has.to_numpy()
    return sub.sort_values(
        ["ranked", "rank", "code"],
        ascending=[False, True, True],
        ignore_index=True,
        na_position="last",
    )


def zone_rank(frame: pd.DataFrame, code: str, measure: str) -> tuple[int | None, int]:
    """(rank of district ``code`` in its zone by ``measure`` or None, number ranked)."""
    row = frame[frame["code"] == code]
    if row.empty:
        return None, 0
    ranking = zone_ranking(frame, row["zone_th"].iloc[0], measure)
    n = int(ranking["ranked"].sum())
    mine = ranking.loc[ranking["code"] == code, "rank"].iloc[0]
    return (None if pd.isna(mine) else int(mine)), n


def response_months(responses: pd.DataFrame, directive_ids: pd.Series) -> pd.DataFrame:
    """Form responses of these directives per month (first day) and status, oldest first."""
    cols = ["month", *STATUSES, "total"]
    if responses.empty or directive_ids.empty:
        return pd.DataFrame(columns=cols)
    sub = responses[responses["directive_id"].isin(set(directive_ids.dropna()))]
    sub = sub[sub["submitted_at"].notna()]
    if sub.empty:
        return pd.DataFrame(columns=cols)
    month = sub["submitted_at"].dt.to_period("M").dt.to_timestamp()
    status = pd.Categorical(sub["status"].astype(object), categories=list(STATUSES))
    table = pd.crosstab(month.to_numpy(), status, dropna=False).reindex(
        columns=list(STATUSES), fill_value=0
    )
    table["total"] = table.sum(axis=1)
    table.index.name = "month"
    table.columns.name = None
    return table.reset_index().sort_values("month", ignore_index=True)[cols]


@dataclass(frozen=True)
class DistrictCard:
    """What the district card shows for one district (all frames already filtered to it)."""

    code: str
    totals: dict[str, int]  # status counts, total, open, overdue
    done_pct: float | None
    rank: int | None
    ranked: int
    directives: pd.DataFrame
    by_status: pd.DataFrame  # one row: district name + status counts (for a stacked bar)
    by_group: pd.DataFrame
    by_factor: pd.DataFrame
    overdue: pd.DataFrame  # overdue directives with days_overdue, most overdue first
    responses: pd.DataFrame  # the district's form responses, newest first
    months: pd.DataFrame  # responses per month and status


def district_card(
    directives: pd.DataFrame,
    responses: pd.DataFrame,
    frame: pd.DataFrame,
    code: str,
    today: date,
    measure: str = "done_pct",
    lang: str = "th",
) -> DistrictCard:
    """Figures of one district's card: ``directives`` are the page's filtered directives,
    ``frame`` the per-district frame the map shows (for the rank within the zone)."""
    df = attach_codes(directives)
    mine = df[(df["district_code"] == code).to_numpy(dtype=bool)] if not df.empty else df
    row = frame[frame["code"] == code]
    name = row["name_en" if lang == "en" else "name_th"].iloc[0] if not row.empty else code
    totals_status = metrics.status_totals(mine) if not mine.empty else dict.fromkeys(STATUSES, 0)
    total = int(sum(totals_status.values()))
    ages = (
        metrics.aging(mine, today)
        if not mine.empty
        else pd.DataFrame({"days_open": [], "overdue": [], "days_overdue": []})
    )
    n_overdue = int(ages["overdue"].sum()) if not mine.empty else 0
    totals = {
        **totals_status,
        "total": total,
        "open": totals_status["in_progress"] + totals_status["not_reported"],
        "overdue": n_overdue,
    }
    by_status = pd.DataFrame([{"district": name, **totals_status, "total": total}])
    late = mine[ages["overdue"].to_numpy(dtype=bool)] if not mine.empty else mine
    overdue = pd.DataFrame(
        {
            "directive_id": late["directive_id"].to_numpy() if not late.empty else [],
            "agency": late["agency"].to_numpy() if not late.empty else [],
            # the text when the frame carries it (the app's shared copy does not: it fetches
            # the text of these rows by ``label``, their index in the directives)
            "text": late["text"].to_numpy() if "text" in late.columns else [None] * len(late),
            "label": late.index.to_numpy() if not late.empty else [],
            "status": late["status"].astype(object).to_numpy() if not late.empty else [],
            "due_date": late["due_date"].to_numpy() if not late.empty else [],
            "days_overdue": (
                ages.loc[late.index, "days_overdue"].to_numpy() if not late.empty else []
            ),
        }
    )
    overdue = overdue.sort_values("days_overdue", ascending=False, ignore_index=True)
    ids = mine["directive_id"] if not mine.empty else pd.Series(dtype=object)
    resp = (
        responses[responses["directive_id"].isin(set(ids.dropna()))]
        if not responses.empty
        else responses
    )
    resp = resp.sort_values("submitted_at", ascending=False, kind="stable", ignore_index=True)
    rank, ranked = zone_rank(frame, code, measure)
    return DistrictCard(
        code=code,
        totals=totals,
        done_pct=round(100 * totals_status["done"] / total, 2) if total else None,
        rank=rank,
        ranked=ranked,
        directives=mine,
        by_status=by_status,
        by_group=metrics.by_group(mine) if not mine.empty else pd.DataFrame(),
        by_factor=metrics.by_factor(mine) if not mine.empty else pd.DataFrame(),
        overdue=overdue,
        responses=resp,
        months=response_months(responses, ids),
    )


def district_from_selection(state: object) -> str | None:
    """The district code a click on the map chose, from Streamlit's plotly selection state.

    Accepts the event object (``{"selection": {"points": [...]}}``) or the selection itself;
    a point's ``location`` (choropleth) or ``customdata[0]`` names the district. None when
    nothing (or nothing recognisable) is selected.
    """
    if not isinstance(state, Mapping):
        return None
    selection = state.get("selection", state)
    points = selection.get("points") if isinstance(selection, Mapping) else None
    for point in points or []:
        if not isinstance(point, Mapping):
            continue
        custom = point.get("customdata")
        candidates = [point.get("location")]
        if isinstance(custom, list | tuple) and custom:
            candidates.append(custom[0])
        for value in candidates:
            code = district_of(value) if value is not None else None
            if code is not None:
                return code
    return None


# --- display tables (labels in the language, dates in BE for Thai; plain text only) ---------


def district_table(frame: pd.DataFrame, measure: str, lang: str) -> pd.DataFrame:
    """Per-district figures as a table, zone by zone, each zone best first by ``measure``."""
    if frame.empty:
        return pd.DataFrame()
    present = list(frame["zone_th"].unique())
    order = [z for z, _ in zones() if z in present] + [z for z in present if z not in ZONE_ORDER]
    parts = [zone_ranking(frame, z, measure) for z in order]
    ranked = pd.concat(parts, ignore_index=True)
    name, zone = ("name_en", "zone_en") if lang == "en" else ("name_th", "zone_th")
    return pd.DataFrame(
        {
            t("districts.col.district", lang): ranked[name],
            t("districts.col.zone", lang): ranked[zone],
            t("districts.col.rank", lang): ranked["rank"],
            t("districts.col.directives", lang): ranked["total"],
            **{t(f"districts.measure.{m}", lang): _shown(ranked[m], m) for m in MEASURES},
        }
    )


def _shown(values: pd.Series, measure: str) -> pd.Series:
    """Percentages as "73.9%", days as whole days, "—" where there is no value (no
    directives, no report, half not done yet)."""
    if measure in DAY_MEASURES:
        return pd.Series(
            ["—" if pd.isna(v) else f"{float(v):,.0f}" for v in values], index=values.index
        )
    if measure not in PCT_MEASURES:
        return values
    return pd.Series(
        ["—" if pd.isna(v) else f"{float(v):.1f}%" for v in values], index=values.index
    )


def overdue_table(overdue: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A card's overdue directives (``DistrictCard.overdue``) for display."""
    due = pd.to_datetime(overdue["due_date"])
    return pd.DataFrame(
        {
            t("col.directive_id", lang): overdue["directive_id"],
            t("col.agency", lang): overdue["agency"],
            t("col.status", lang): [status_label(s, lang) for s in overdue["status"]],
            t("col.due_date", lang): [
                format_date(d.date(), lang) if pd.notna(d) else "" for d in due
            ],
            t("districts.col.days_overdue", lang): overdue["days_overdue"],
            t("col.text", lang): overdue["text"],
        }
    )


def history_table(history: pd.DataFrame, lang: str) -> pd.DataFrame:
    """One directive's responses (``metrics.response_history``) for display, oldest first."""
    return pd.DataFrame(
        {
            t("districts.col.submitted_at", lang): [
                format_datetime(v.to_pydatetime(), lang) if pd.notna(v) else ""
                for v in history["submitted_at"]
            ],
            t("col.status", lang): [status_label(s, lang) for s in history["status"]],
            t("col.detail", lang): history["detail"].astype(object).fillna(""),
            t("col.obstacle", lang): history["obstacle"].astype(object).fillna(""),
            t("districts.col.reporter", lang): history["reporter"].astype(object).fillna(""),
        }
    )
