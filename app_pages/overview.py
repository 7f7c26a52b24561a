"""Overview (executives): cards, status per agency, ranking, units not reported."""

import streamlit as st

from tracker import thai
from tracker.metrics import directives as metrics
from tracker.metrics import targets
from tracker.metrics import time_to_done as ttd
from tracker.present import charts, finance_views
from tracker.present.charts import status_label
from ui import brief, data, memo, time_to_done
from ui.auth import require_page
from ui.filters import sidebar_filters
from ui.i18n import lang, tr
from ui.unit_links import unit_chart, unit_table
from ui.widgets import cards, count

require_page("overview")


def finance_cards(ds, chosen: metrics.Filters, key: tuple | None) -> None:
    """Disbursement rate against its target and KPIs on / below target (latest figures), for
    the units the place filters choose; the heading says whose figures they are."""
    lg = lang()
    narrowed = any(getattr(chosen, k) for k in metrics.UNIT_FILTERS)
    goals = targets.load_targets()  # read each run (an admin may change them): in the key
    finance = memo.numbers(
        key and (*key, "finance", repr(goals)),
        lambda: finance_views.finance_summary(
            metrics.filter_units(ds.kpis, chosen), metrics.filter_units(ds.budget, chosen), goals
        ),
    )
    scope = tr("fin.overview.scope_filtered" if narrowed else "fin.overview.scope_all")
    if narrowed and finance.as_of is None and not finance.kpis["total"]:
        st.subheader(f"{tr('fin.overview.title')} · {scope}")
        st.caption(tr("fin.overview.none_for_filter"))
    if finance.as_of is not None or finance.kpis["total"]:
        st.subheader(f"{tr('fin.overview.title')} · {scope}")
        as_of_text = finance_views.date_label(finance.as_of, lg)
        kpi_help = tr("fin.card.kpi_help", total=count(finance.kpis["total"]))
        cards(
            [
                (
                    tr("fin.card.rate"),
                    thai.format_pct(finance.rate_pct),
                    tr("fin.card.rate_help", date=as_of_text),
                ),
                (
                    tr("fin.card.target"),
                    thai.format_pct(finance.target_pct),
                    tr("fin.card.target_help", date=as_of_text)
                    if finance.target_pct is not None or finance.as_of is None
                    # targets hold for their own fiscal year only (issue 16)
                    else tr("glance.no_targets_year", fy=thai.fiscal_year(finance.as_of)),
                ),
                (tr("fin.card.kpi_on"), count(finance.kpis["on_target"]), kpi_help),
                (tr("fin.card.kpi_below"), count(finance.kpis["below_target"]), kpi_help),
            ]
        )


def numbers(view_of, loaded: data.Loaded, today) -> dict:
    """Every figure of the page for the filtered view (kept per snapshot and filters)."""
    view = view_of()
    timed = time_to_done.timed(loaded, view).frame
    by_agency = metrics.by_agency(view)
    return {
        "cards": metrics.overview_cards(view, today),
        "ttd": ttd.overall(timed),
        "ranked": ttd.ranking(timed, "agency"),
        "by_agency": by_agency,
        "missing": metrics.not_reported_of(by_agency),
        "empty": view.empty,
    }


loaded = data.current()
directives = loaded.dataset.directives
st.title(tr("overview.title"))
st.caption(tr("common.data_from", source=data.source_label(), at=""))

chosen = sidebar_filters(directives)
key = memo.view_key(loaded, chosen)
filtered: list = []


def view_of():
    """The filtered register, made once a run and only when a figure is not kept already."""
    if not filtered:
        filtered.append(metrics.apply_filters(directives, chosen))
    return filtered[0]


brief.download(loaded, chosen, view_of)
nums = memo.numbers(key and (*key, "overview"), lambda: numbers(view_of, loaded, data.today()))
c = nums["cards"]
if nums["empty"]:
    st.info(tr("common.no_data"))
    finance_cards(loaded.dataset, chosen, key)
    st.stop()

cards(
    [
        (tr("card.total"), count(c["total"]), None),
        (tr("card.done_pct"), f"{c['done_pct']:.1f}%", tr("card.done_help", n=count(c["done"]))),
        (tr("card.cannot"), count(c["cannot"]), tr("card.cannot_help")),
        (tr("card.not_reported"), count(c["not_reported"]), None),
        (tr("card.overdue"), count(c["overdue"]), tr("card.overdue_help")),
        time_to_done.median_card_of(nums["ttd"]),
    ]
)
by_agency = nums["by_agency"]
lg = lang()
table = by_agency.rename(
    columns={"agency": tr("col.agency"), "total": tr("col.total"), "done_pct": tr("axis.done_pct")}
    | {s: status_label(s, lg) for s in metrics.STATUSES}
)
# The first chart beside the KPI and budget cards: side by side on a laptop; on a phone the
# columns stack, so the chart comes right after the directive cards and the finance cards
# follow it (ten cards came before the first chart).
left, right = st.columns([3, 2], gap="medium")
with left:
    unit_chart(
        memo.figure(
            key and (*key, "status_agency", lg),
            lambda: charts.status_stack(by_agency, "agency", lg, "chart.status_by_agency"),
        ),
        table,
        "status_agency",
        unit_column=tr("col.agency"),
    )
with right:
    finance_cards(loaded.dataset, chosen, key)
unit_chart(
    memo.figure(key and (*key, "done_ranking", lg), lambda: charts.done_ranking(by_agency, lg)),
    table,
    "done_ranking",
    unit_column=tr("col.agency"),
)
time_to_done.draw_ranking(nums["ranked"], key)

st.subheader(tr("overview.not_reported"))
missing = nums["missing"]
if missing.empty:
    st.success(tr("overview.all_reported"))
else:
    # a mark where a unit has not reported at all (not a column of bare checkboxes)
    missing = missing.assign(none_reported=["✓" if v else "" for v in missing["none_reported"]])
    unit_table(
        missing.rename(
            columns={
                "agency": tr("col.agency"),
                "not_reported": tr("col.not_reported"),
                "total": tr("col.total"),
                "none_reported": tr("col.none_reported"),
            }
        ),
        "not_reported_table",
        unit_column=tr("col.agency"),
        name="not_reported",
    )
