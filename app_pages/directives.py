"""Directives (inspectors, analysts): filtered table, heat map, factors, aging, history."""

import streamlit as st

from tracker.metrics import directives as metrics
from tracker.present import charts
from tracker.present.binning import aging_bins
from tracker.present.views import aging_table, status_counts_table
from ui import data, directive_browser, time_to_done
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

ages = metrics.aging(view, data.today())
cards(
    [
        (tr("card.total"), count(len(view)), None),
        (tr("card.overdue"), count(int(ages["overdue"].sum())), tr("card.overdue_help")),
        (tr("card.median_days_open"), count(int(ages["days_open"].median() or 0)), None),
    ]
)

st.subheader(tr("directives.table"))
directive_browser.directives(loaded, filters, lg)

group_heatmap(view)  # tabs: chart / list (a list a phone can read)
factors = metrics.by_factor(view)
chart(charts.factor_stack(factors, lg), status_counts_table(factors, "factor", lg), "factors")
chart(
    charts.aging_histogram(ages["days_open"], ages["overdue"], lg, ages["no_due_date"]),
    aging_table(aging_bins(ages["days_open"], ages["overdue"], ages["no_due_date"]), lg),
    "aging",
)

timed_view = time_to_done.timed(loaded, view)
time_to_done.curves(timed_view)
period_trends(timed_view.frame)

st.subheader(tr("directives.history"))
directive_browser.history_section(loaded, filters, lg)
