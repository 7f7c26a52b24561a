"""Units: one inspected unit across directives, KPIs and budget, and its reporting discipline.

Linkable: ``/units?unit=สำนักงานเขตบางนา``. The figures are the Overview's for the same unit
(the same functions over the same data), without the sidebar filters.
"""

import pandas as pd
import streamlit as st

from tracker import thai
from tracker.metrics import budget_sums, kpi_scores, unit_card
from tracker.present import charts_time
from tracker.present.finance_views import amount, date_label, measure_value, period_label, rate
from tracker.unit_names import unit_name
from ui import data, time_to_done
from ui.auth import require_page
from ui.i18n import lang, tr
from ui.unit_links import LABEL, unit_table
from ui.widgets import cards, count, data_table

require_page("units")

loaded = data.current()
ds = loaded.dataset
lg = lang()
today = data.today()
st.title(tr("units.title"))
names = unit_card.units(ds.directives)
if not names:
    st.info(tr("units.none"))
    st.stop()
asked = st.query_params.get("unit")
if LABEL in st.query_params:  # the name a unit link showed: not part of the card's address
    del st.query_params[LABEL]
unit = st.selectbox(
    tr("units.pick"),
    names,
    index=names.index(asked) if asked in names else 0,
    format_func=lambda u: unit_name(u, lg),
    key="unit_pick",
)
if unit != asked:
    st.query_params["unit"] = unit

timed = time_to_done.timed(loaded, ds.directives).frame
figures = unit_card.directive_figures(timed, unit, today)
ttd = figures["time_to_done"]
st.subheader(tr("units.directives"))
cards(
    [
        (tr("card.total"), count(figures["total"]), None),
        (
            tr("card.done_pct"),
            f"{figures['done_pct']:.1f}%",
            tr("card.done_help", n=count(figures["done"])),
        ),
        (tr("card.not_reported"), count(figures["not_reported"]), None),
        (tr("card.overdue"), count(figures["overdue"]), tr("card.overdue_help")),
    ]
)
st.subheader(tr("units.time_to_done"))
cards(
    [
        time_to_done.median_card(timed[(timed["agency"] == unit).to_numpy()]),
        *[
            (
                tr("ttd.col.done_within", days=d),
                "—" if ttd[f"done_within_{d}"] is None else f"{ttd[f'done_within_{d}']:.1f}%",
                None,
            )
            for d in (30, 90, 180)
        ],
    ]
)

st.subheader(tr("units.kpis"))
kpis = kpi_scores.scorecard(ds.kpis, unit=unit) if not ds.kpis.empty else pd.DataFrame()
if kpis.empty:
    st.caption(tr("units.no_kpis"))
else:
    data_table(
        pd.DataFrame(
            {
                tr("col.fiscal_year"): kpis["fiscal_year"],
                tr("units.col.period"): [period_label(p, lg) for p in kpis["period"]],
                tr("units.col.kpi"): kpis["kpi"],
                tr("units.col.target"): [
                    measure_value(v, m, lg)
                    for v, m in zip(kpis["target"], kpis["measure"], strict=True)
                ],
                tr("units.col.actual"): [
                    measure_value(v, m, lg)
                    for v, m in zip(kpis["actual"], kpis["measure"], strict=True)
                ],
            }
        ),
        "unit_kpis",
        name="unit_kpis",
    )

st.subheader(tr("units.budget"))
budget = budget_sums.by_unit(ds.budget) if not ds.budget.empty else pd.DataFrame()
budget = budget[budget["unit"] == unit] if not budget.empty else budget
if budget.empty:
    st.caption(tr("units.no_budget"))
else:
    data_table(
        pd.DataFrame(
            {
                tr("units.col.as_of"): [date_label(d, lg) for d in budget["as_of"]],
                # as the Budget page shows them: thousands separators, 2 decimals
                tr("units.col.allocated"): [amount(v) for v in budget["allocated"]],
                tr("units.col.disbursed"): [amount(v) for v in budget["disbursed"]],
                tr("units.col.rate"): [rate(v) for v in budget["rate_pct"]],
            }
        ),
        "unit_budget",
        name="unit_budget",
    )

st.subheader(tr("units.discipline"))
score = unit_card.discipline(ds.directives, ds.responses, ds.kpis, ds.budget, unit)


def _pct(value: float | None) -> str:
    return tr("units.no_part") if value is None else thai.format_pct(value)


cards(
    [
        (tr("units.score"), "—" if score.score is None else f"{score.score:.1f}", None),
        (
            tr("units.part.reported"),
            _pct(score.reported_pct),
            tr(
                "units.part.reported_help",
                done=count(score.reported),
                n=count(score.current_round),
                round=charts_time.key_label(score.round_key or "-", "round", lg),
            ),
        ),
        (
            tr("units.part.on_time"),
            tr("units.no_part") if score.on_time is None else f"{score.on_time:.1f}",
            tr(
                "units.part.on_time_help",
                days="-" if score.late_days is None else f"{score.late_days:g}",
            ),
        ),
        (
            tr("units.part.forms"),
            _pct(score.forms_pct),
            tr(
                "units.part.forms_help",
                got=count(score.forms_received),
                expected=count(score.forms_expected),
            ),
        ),
    ]
)
st.caption(tr("units.formula"))
ranked = unit_card.ranking(ds.directives, ds.responses, ds.kpis, ds.budget)
with st.expander(tr("units.ranking")):
    unit_table(
        ranked.rename(
            columns={
                "unit": tr("units.col.unit"),
                "score": tr("units.col.score"),
                "reported_pct": tr("units.col.reported"),
                "on_time": tr("units.col.on_time"),
                "forms_pct": tr("units.col.forms"),
            }
        ),
        "unit_ranking",
        unit_column=tr("units.col.unit"),
        name="discipline",
    )
