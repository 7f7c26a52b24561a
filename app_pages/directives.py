"""Directives (inspectors, analysts): filtered table, heat map, factors, aging, history."""

import streamlit as st

from tracker.metrics import directives as metrics
from tracker.present import charts
from tracker.present.binning import aging_bins
from tracker.present.views import aging_table, status_counts_table
from ui import data, directive_browser, memo, time_to_done
from ui.auth import require_page
from ui.filters import sidebar_filters
from ui.heatmap import group_heatmap
from ui.i18n import lang, tr
from ui.trends import period_trends
from ui.widgets import cards, chart, count

require_page("directives")

loaded = data.current()
ds = loaded.dataset
lg = lang()
st.title(tr("directives.title"))
filters = sidebar_filters(ds.directives)
view = metrics.apply_filters(ds.directives, filters)
if view.empty:
    st.info(tr("common.no_data"))
    st.stop()

# aggregates and figures kept per snapshot and filters (ui/memo): a rerun or a second session
# on the same filters recomputes nothing; the days open per row are shared with the table
key = memo.view_key(loaded, filters)


def kept(*parts: object) -> tuple | None:
    return key and (*key, *parts)


ages = directive_browser.view_ages(loaded, filters, view)
total, overdue, median_open = memo.numbers(
    kept("cards"),
    lambda: (len(view), int(ages["overdue"].sum()), int(ages["days_open"].median() or 0)),
)
cards(
    [
        (tr("card.total"), count(total), None),
        (tr("card.overdue"), count(overdue), tr("card.overdue_help")),
        (tr("card.median_days_open"), count(median_open), None),
    ]
)

st.subheader(tr("directives.table"))
directive_browser.directives(loaded, filters, lg)

group_heatmap(view)  # tabs: chart / list (a list a phone can read)
factors = memo.numbers(kept("factors"), lambda: metrics.by_factor(view))
chart(
    memo.figure(kept("factors", lg), lambda: charts.factor_stack(factors, lg)),
    status_counts_table(factors, "factor", lg),
    "factors",
)
bins = memo.numbers(
    kept("aging_bins"),
    lambda: aging_bins(ages["days_open"], ages["overdue"], ages["no_due_date"]),
)
chart(
    memo.figure(
        kept("aging", lg),
        lambda: charts.aging_histogram(
            ages["days_open"], ages["overdue"], lg, ages["no_due_date"], bins
        ),
    ),
    aging_table(bins, lg),
    "aging",
)

timed_view = time_to_done.timed(loaded, view)
time_to_done.curves(timed_view)
period_trends(timed_view.frame, loaded)

st.subheader(tr("directives.history"))
directive_browser.history_section(loaded, filters, lg)
