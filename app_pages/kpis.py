"""KPIs (executives, analysts): scorecard of a unit, fiscal year and period; details as text."""

import streamlit as st

from tracker.metrics import kpi_scores as kpi
from tracker.present import charts_finance
from tracker.present import finance_views as fv
from tracker.unit_names import unit_name
from ui import data, memo
from ui.auth import require_page
from ui.filters import url_select
from ui.i18n import lang, tr
from ui.unit_links import card_link
from ui.widgets import cards, chart, count, data_table

require_page("kpis")


lg = lang()
kpis = data.current().dataset.kpis
st.title(tr("kpis.title"))
if kpis.empty:
    st.info(tr("kpis.no_kpis"))
    st.stop()

col_unit, col_year, col_period = st.columns([2, 1, 1])
with col_unit:
    units = fv.kpi_units(kpis)
    unit = url_select(
        "unit", tr("kpis.pick_unit"), units, lambda u: unit_name(u, lg), default=units[0]
    )
with col_year:
    fiscal_year = url_select("fy", tr("kpis.pick_year"), fv.kpi_years(kpis, unit))
with col_period:
    period = url_select(
        "period",
        tr("kpis.pick_period"),
        fv.kpi_periods(kpis, unit, fiscal_year),
        lambda p: fv.period_label(p, lg),
    )

card_link(unit)

snapshot = memo.snapshot_key(data.current())
key = snapshot and (*snapshot, "kpis", unit, fiscal_year, period, lg)
card = memo.numbers(key and (*key, "card"), lambda: kpi.scorecard(kpis, unit, fiscal_year, period))
n = fv.kpi_counts(card)
cards(
    [
        (tr("kpis.card.total"), count(n["total"]), None),
        (tr("kpis.card.green"), count(n["green"]), None),
        (tr("kpis.card.amber"), count(n["amber"]), None),
        (tr("kpis.card.red"), count(n["red"]), None),
        (tr("kpis.card.none"), count(n["none"]), None),
    ]
)
st.caption(tr("kpis.light_help", amber=fv.rate(float(kpi.AMBER_FROM * 100))))

st.subheader(tr("kpis.scorecard"))
data_table(
    fv.styled_scorecard(card, lg),
    "scorecard",
    name="kpi_scorecard",
    column_config={
        tr("fin.col.code"): st.column_config.TextColumn(pinned=True),
        tr("fin.col.kpi"): st.column_config.TextColumn(width="large"),
    },
)
chart(
    memo.figure(key and (*key, "achievement"), lambda: charts_finance.kpi_achievement(card, lg)),
    fv.scorecard_table(card, lg),
    "kpi_achievement",
)

ticked = {tr("fin.col.ticked"): st.column_config.TextColumn(width="small")}  # ✓ or -
digital = fv.digital_checklist(card)
if digital:
    code, items = digital
    st.subheader(tr("kpis.digital", code=code))
    st.caption(
        tr("kpis.digital_count", done=count(sum(d for _, d in items)), total=count(len(items)))
    )
    st.dataframe(
        fv.checklist_table(items, lg),
        hide_index=True,
        width="stretch",
        height="content",
        column_config=ticked,
    )

st.subheader(tr("kpis.details"))
for item in fv.kpi_texts(card, lg):
    with st.expander(f"{item.code} · {fv.plain_label(item.title)}"):
        st.text(item.title)
        st.caption(tr("kpis.light", light=item.light))
        if item.stage != fv.DASH:
            st.caption(tr("kpis.stage", stage=item.stage))
        for label, text in item.fields:
            st.caption(label)
            st.text(text)
        if item.checklist:
            st.caption(tr("kpis.checklist"))
            st.dataframe(
                fv.checklist_table(item.checklist, lg),
                hide_index=True,
                width="stretch",
                height="content",
                column_config=ticked,
                key=f"checklist_{item.code}",
            )

st.subheader(tr("kpis.trend"))
wide = memo.numbers(
    key and (*key, "levels"), lambda: kpi.levels_over_periods(kpis, unit, fiscal_year)
)
if not fv.has_trend(wide):
    st.caption(tr("kpis.no_trend"))
else:
    for measure, part in fv.by_measure(wide):
        chart(
            memo.figure(
                key and (*key, "levels", measure),
                lambda: charts_finance.kpi_levels(part, measure, lg),  # noqa: B023 (used now)
            ),
            fv.levels_table(part, lg),
            f"kpi_levels_{measure}",
        )
