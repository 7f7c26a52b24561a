"""Sidebar filters bound to the URL (st.query_params): a filtered view is a link to send."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from tracker.charts import factor_label, status_label
from tracker.metrics import Filters, zone_codes
from tracker.places import district_name, zones
from tracker.schema import FACTORS, STATUSES
from ui.i18n import lang, tr

PARAMS = ("fy", "round", "zone", "district", "agency", "group", "factor", "status")


def _multi(name: str, label: str, options: list, fmt: Callable[[object], str] = str) -> list:
    """A multiselect whose initial value comes from the URL and whose changes go back to it."""
    as_text = {str(o): o for o in options}
    from_url = [as_text[v] for v in st.query_params.get_all(name) if v in as_text]
    chosen = st.sidebar.multiselect(label, options, default=from_url, format_func=fmt,
                                    key=f"filter_{name}", placeholder=tr("filter.all"))
    values = [str(v) for v in chosen]
    if values != st.query_params.get_all(name):
        if values:
            st.query_params[name] = values
        elif name in st.query_params:
            del st.query_params[name]
    return chosen


def sidebar_filters(df: pd.DataFrame) -> Filters:
    """Draw the filters for the directives in ``df`` and return what is selected."""
    lg = lang()
    st.sidebar.header(tr("filter.title"))
    years = sorted(int(y) for y in df["fiscal_year"].dropna().unique())
    fy = _multi("fy", tr("filter.fiscal_year"), years)
    rnd = _multi("round", tr("filter.round"), [1, 2], lambda r: tr("filter.round_n", n=r))
    zone_list = [z[0] for z in zones()]
    zone_en = dict(zones())
    zone = _multi("zone", tr("filter.zone"), zone_list, lambda z: z if lg == "th" else zone_en[z])
    codes = sorted(c for c in df["district_code"].dropna().unique())
    if zone:
        allowed = set(zone_codes(tuple(zone)))
        codes = [c for c in codes if c in allowed]
    district = _multi("district", tr("filter.district"), codes, lambda c: district_name(c, lg))
    agencies = sorted(a for a in df["agency"].dropna().unique())
    agency = _multi("agency", tr("filter.agency"), agencies)
    groups = sorted(g for g in df["group"].dropna().unique())
    group = _multi("group", tr("filter.group"), groups)
    factor = _multi("factor", tr("filter.factor"), list(FACTORS), lambda k: factor_label(k, lg))
    status = _multi("status", tr("filter.status"), list(STATUSES), lambda s: status_label(s, lg))
    return Filters(
        fiscal_year=tuple(fy), round=tuple(rnd), zone=tuple(zone), district=tuple(district),
        agency=tuple(agency), group=tuple(group), factor=tuple(factor), status=tuple(status),
    )
