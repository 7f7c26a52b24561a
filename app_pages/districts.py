"""Districts (inspectors): map of the 50 districts by a chosen measure, click → district card."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from tracker.metrics import directives as metrics
from tracker.places import district_name, zone_of_code, zones
from tracker.present import charts, charts_map
from tracker.present.charts import status_label
from tracker.present.charts_safe import escape_figure
from tracker.present.district_views import (
    MEASURES,
    attach_codes,
    district_card,
    district_frame,
    district_from_selection,
    district_table,
    history_table,
    overdue_table,
    unmatched_agencies,
    zone_ranking,
)
from ui import data, memo
from ui.auth import require_page
from ui.directive_browser import response_history, search_pick
from ui.filters import set_filter, sidebar_filters, widget_key
from ui.i18n import lang, tr
from ui.unit_links import card_link, unit_table
from ui.widgets import cards, chart, clear_of_toolbar, count, data_table

require_page("districts")

MAP_KEY = "district_map"
MEASURE_KEY = "districts_measure"


def _on_map_select() -> None:
    """A click on a district: make it the district filter (and its zone, if a zone is set)."""
    code = district_from_selection(st.session_state.get(MAP_KEY))
    if code is None:  # a cleared selection keeps the current filter
        return
    set_filter("district", [code])
    chosen_zones = st.session_state.get(widget_key("zone")) or []
    zone = zone_of_code(code)
    if chosen_zones and zone and zone[0] not in chosen_zones:
        set_filter("zone", [zone[0]])


def _measure_selector(lg: str) -> str:
    """The map's measure, kept in the URL (``measure=``) so the view is a link."""
    from_url = st.query_params.get("measure")
    choice = (
        st.segmented_control(
            tr("districts.measure"),
            list(MEASURES),
            key=MEASURE_KEY,
            default=from_url if from_url in MEASURES else MEASURES[0],
            format_func=lambda m: charts_map.measure_label(m, lg),
        )
        or MEASURES[0]
    )
    if st.query_params.get("measure") != choice:
        st.query_params["measure"] = choice
    return choice


def _pct(v: float) -> str:
    return "—" if v is None or pd.isna(v) else f"{v:.1f}%"


def _card(base: pd.DataFrame, frame: pd.DataFrame, code: str, measure: str, lg: str) -> None:
    """The district card: figures, status, rank in the zone, groups, factors, overdue, history."""
    loaded = data.current()
    ds = loaded.dataset
    c = district_card(base, ds.responses, frame, code, data.today(), measure, lg)
    row = frame[frame["code"] == code].iloc[0]
    zone = row["zone_en" if lg == "en" else "zone_th"]
    label = charts_map.measure_label(measure, lg)
    st.subheader(tr("districts.card_title", name=district_name(code, lg)))
    st.caption(tr("districts.card_zone", zone=zone, code=code))
    offices = base.loc[(base["district_code"] == code).to_numpy(dtype=bool), "agency"].dropna()
    if len(offices):
        card_link(str(offices.iloc[0]))
    rank = f"{c.rank} / {c.ranked}" if c.rank is not None else "—"
    items = [
        (tr("districts.card.total"), count(c.totals["total"]), None),
        (tr("districts.card.done_pct"), _pct(c.done_pct), None),
        (tr("districts.card.open"), count(c.totals["open"]), tr("districts.card.open_help")),
        (tr("districts.card.not_reported"), count(c.totals["not_reported"]), None),
        (tr("districts.card.overdue"), count(c.totals["overdue"]), None),
        (
            tr("districts.card.rank"),
            rank,
            tr("districts.card.rank_help", measure=label, zone=zone, n=c.ranked),
        ),
    ]
    extra = [
        (tr(f"districts.card.{m}"), _pct(row[m]), None)
        for m in ("kpi_pct", "disbursement_pct")
        if pd.notna(row[m])
    ]
    cards(items[:3])
    cards(items[3:] + extra)
    if c.totals["total"] == 0:
        st.info(tr("districts.no_directives"))

    ranking = zone_ranking(frame, row["zone_th"], measure)
    left, right = st.columns(2)
    with left:
        table = c.by_status.rename(columns={s: status_label(s, lg) for s in metrics.STATUSES})
        chart(charts_map.status_bars(c.totals, lg), table, "district_status")
    with right:
        chart(
            charts_map.rank_bar(ranking, measure, code, lg, zone),
            district_table(ranking, measure, lg),
            "district_rank",
        )
    if c.totals["total"]:
        by_group = charts.status_stack(c.by_group, "group", lg, "districts.chart.by_group")
        chart(charts_map.legend_below(by_group), c.by_group, "district_groups")
        by_factor = charts.factor_stack(c.by_factor, lg)
        chart(charts_map.legend_below(by_factor), c.by_factor, "district_factors")

    st.subheader(tr("districts.overdue"))
    if c.overdue.empty:
        st.caption(tr("districts.no_overdue"))
    else:
        unit_table(
            overdue_table(data.texts_of(loaded, c.overdue), lg),
            "district_overdue",
            unit_column=tr("col.agency"),
            name="overdue",
        )

    st.subheader(tr("districts.history"))
    if c.responses.empty:
        st.caption(tr("districts.no_history"))
        return
    chart(charts_map.response_timeline(c.months, lg), c.months, "district_responses")
    # the latest reported first; a search and a short list, never every id of the district
    chosen = search_pick(
        c.responses["directive_id"],
        f"district_history_{code}",
        tr("browse.history_search"),
        sort=False,
    )
    if chosen is None:
        return
    history = response_history(loaded, chosen)
    data_table(history_table(history, lg), "district_history", name="responses")


loaded = data.current()
ds = loaded.dataset
lg = lang()
snapshot = memo.snapshot_key(loaded)
directives = memo.shared(
    snapshot and (*snapshot, "district_codes"), lambda: attach_codes(ds.directives)
)
st.title(tr("districts.title"))

filters = sidebar_filters(directives)
measure = _measure_selector(lg)
# The map compares all 50 districts: only the non-place filters narrow its figures; the zone
# zooms the map and the district opens the card.
unplaced = replace(filters, zone=(), district=(), agency=())
key = memo.view_key(loaded, unplaced)
based: list = []


def base_of() -> pd.DataFrame:
    """The register under the non-place filters (made once a run, when needed)."""
    if not based:
        based.append(metrics.apply_filters(directives, unplaced))
    return based[0]


frame = memo.numbers(
    key and (*key, "district_frame"),
    lambda: district_frame(
        base_of(), data.today(), ds.kpis, ds.budget, filters.fiscal_year, responses=ds.responses
    ),
)

selected = None
if len(filters.district) == 1:
    selected = filters.district[0]
elif filters.district:
    selected = st.selectbox(
        tr("districts.card_pick"),
        list(filters.district),
        key="district_card_pick",
        format_func=lambda c: district_name(c, lg) or c,
    )
focus = metrics.zone_codes(filters.zone) if filters.zone else []
label = charts_map.measure_label(measure, lg)
zone_en = dict(zones())
zone_names = [z if lg == "th" else zone_en.get(z, z) for z in filters.zone]
title = (
    tr("districts.map_title_zone", measure=label, zone=", ".join(zone_names))
    if zone_names
    else tr("districts.map_title", measure=label)
)
fig = memo.figure(
    key and (*key, "map", measure, lg, selected, tuple(focus), title),
    lambda: charts_map.district_map(
        frame, measure, lg, selected=selected, focus=focus, title=title
    ),
    lambda f: clear_of_toolbar(escape_figure(f)),
    big=True,
)
st.plotly_chart(
    fig,
    key=MAP_KEY,
    on_select=_on_map_select,
    selection_mode="points",
    width="stretch",
    config=charts_map.PLOTLY_CONFIG,
)
st.caption(tr("districts.map_help"))
st.caption(tr("districts.credit"))

outside = memo.numbers(key and (*key, "unmatched"), lambda: unmatched_agencies(base_of()))
if not outside.empty:
    st.caption(tr("districts.city_level", n=count(int(outside["directives"].sum()))))
    with st.expander(tr("districts.city_level_list")):
        unit_table(
            outside.rename(
                columns={"agency": tr("col.agency"), "directives": tr("districts.col.directives")}
            ),
            "city_level_table",
            unit_column=tr("col.agency"),
            name="city_level",
        )

if selected:
    _card(base_of(), frame, selected, measure, lg)
else:
    st.info(tr("districts.pick_hint"))
    shown = frame[frame["code"].isin(focus)] if focus else frame
    heading = (
        tr("districts.zone_table", zone=", ".join(zone_names))
        if zone_names
        else tr("districts.all_table")
    )
    st.subheader(heading)
    data_table(district_table(shown, measure, lg), "district_table", name="districts")
