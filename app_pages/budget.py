"""Budget (executives, analysts): disbursement by type and by unit against the targets."""

import streamlit as st

from tracker import thai
from tracker.metrics import budget_sums as budget
from tracker.metrics import targets
from tracker.present import charts_finance
from tracker.present import finance_views as fv
from tracker.unit_names import unit_name
from ui import data, memo
from ui.auth import require_page
from ui.filters import url_select
from ui.i18n import lang, tr
from ui.unit_links import card_link, unit_chart, unit_table
from ui.widgets import cards, chart, count, data_table

require_page("budget")


lg = lang()
frame = data.current().dataset.budget
goals = targets.load_targets()
st.title(tr("budget.title"))
if frame.empty:
    st.info(tr("budget.no_budget"))
    st.stop()

col_unit, col_date = st.columns([2, 1])
with col_unit:
    choice = url_select(
        "unit",
        tr("budget.pick_unit"),
        ["", *fv.budget_units(frame)],
        lambda u: unit_name(u, lg) or tr("budget.all_units"),
        default="",
    )
unit = choice or None
with col_date:
    as_of = url_select(
        "as_of",
        tr("budget.pick_date"),
        fv.budget_dates(frame, unit),
        lambda d: fv.date_label(d, lg),
    )

if unit:
    card_link(unit)

snapshot = memo.snapshot_key(data.current())
# the targets are read each run (an admin may change them): they are part of the key
key = snapshot and (*snapshot, "budget", unit, as_of, lg, repr(goals))
types = memo.numbers(key and (*key, "types"), lambda: budget.by_type(frame, unit, as_of))
units = memo.numbers(key and (*key, "units"), lambda: budget.by_unit(frame, as_of, goals))
total = fv.total_of(types)
goal = goals.for_date(as_of)
# targets hold for their own fiscal year only: no other year's lines on this year's figures
fiscal_year = thai.fiscal_year(as_of)
year_goals = goals.for_year(fiscal_year)


def full(value: float | None) -> str | None:
    return fv.full_amount(value, lg)


cards(
    [
        (tr("glance.card.allocated"), fv.millions(total["allocated"]), full(total["allocated"])),
        (tr("glance.card.disbursed"), fv.millions(total["disbursed"]), full(total["disbursed"])),
    ]
)
cards(
    [
        (tr("budget.card.rate"), thai.format_pct(total["rate_pct"]), None),
        (tr("budget.card.target"), thai.format_pct(goal), tr("budget.card.target_help")),
        (
            tr("budget.card.below"),
            count(fv.below_target_count(units)) if goal is not None else fv.DASH,
            None,
        ),
    ]
)
if not year_goals.years():
    st.info(tr("glance.no_targets_year", fy=fiscal_year), icon=":material/flag:")
elif goal is None:
    st.info(tr("budget.no_target"))

st.subheader(tr("budget.by_type"))
data_table(
    fv.styled_budget_types(types, year_goals, lg),
    "budget_types",
    name="budget_by_type",
    column_config={tr("fin.col.budget_type"): st.column_config.TextColumn(width="medium")},
)
st.caption(tr("budget.by_type_note"))
chart(
    memo.figure(
        key and (*key, "rate_by_type"),
        lambda: charts_finance.budget_rate_by_type(types, year_goals, lg),
    ),
    fv.budget_type_table(types, year_goals, lg),
    "rate_by_type",
)

st.subheader(tr("budget.cumulative"))
cum = memo.numbers(key and (*key, "cum"), lambda: fv.cumulative_for(frame, unit, as_of, year_goals))
chart(
    memo.figure(
        key and (*key, "cumulative"), lambda: charts_finance.budget_cumulative(cum, year_goals, lg)
    ),
    fv.cumulative_table(cum, lg),
    "cumulative",
)
if year_goals.full_year_pct:  # where the full-year targets drawn above come from
    # the built-in source names the FY 2569 measures: it is not the source of another year's
    if goals.source != targets.SOURCE or fiscal_year == targets.DEFAULT_FULL_YEAR_FY:
        source = fv.plain_label(fv.source_in(goals.source, lg), None)
        st.caption(tr("glance.targets_source", fy=fiscal_year, source=source))
    st.caption(tr("budget.settings" if goals.path else "budget.settings_default"))

st.subheader(tr("budget.by_unit", date=fv.date_label(as_of, lg)))
unit_table(
    fv.styled_budget_units(units, lg),
    "budget_units",
    unit_column=tr("fin.col.unit"),
    name="budget_by_unit",
    pinned=True,
)
unit_chart(
    memo.figure(
        key and (*key, "rate_by_unit"), lambda: charts_finance.budget_rate_by_unit(units, lg)
    ),
    fv.budget_unit_table(units, lg),
    "rate_by_unit",
    unit_column=tr("fin.col.unit"),
)
