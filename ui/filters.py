"""Sidebar filters bound to the URL (st.query_params): a filtered view is a link to send.

The place filters cascade: zone (กลุ่มเขต) → district (เขต, all 50, narrowed to the chosen
zones) → agency (the chosen districts' offices, then the agencies that are not district
offices, such as สำนักการโยธา, under a "city-level agency" label; those can be chosen too).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from tracker.metrics.directives import Filters, zone_codes
from tracker.places import district_codes, district_name, districts, zones
from tracker.present.charts import factor_label, status_label
from tracker.schema import FACTORS, STATUSES
from tracker.unit_names import unit_name
from ui.auth import default_zone
from ui.i18n import lang, tr
from ui.widgets import export_filters

PARAMS = ("fy", "round", "zone", "district", "agency", "group", "factor", "status")
_LEADING_VOWELS = "เแโใไ"
_SLOT = "_filters_slot"


def reserve_sidebar_place() -> None:
    """For the app shell, before it draws anything else in the sidebar: the page's filters go
    here, right under the navigation (on a phone they came after the language switch and the
    banners, a screen or two down)."""
    st.session_state[_SLOT] = st.sidebar.container()


def _sidebar():
    """Where the filters are drawn: the place the shell kept, else the sidebar's end."""
    place = st.session_state.get(_SLOT)
    return st.sidebar if place is None else place


def widget_key(name: str) -> str:
    """Session-state key of the filter widget for URL parameter ``name`` (e.g. "district")."""
    return f"filter_{name}"


def _pending_key(name: str) -> str:
    return f"_filter_set_{name}"


def set_filter(name: str, values: list) -> None:
    """Ask the filter ``name`` (a URL parameter name) to take ``values`` on the next run.

    For callbacks, e.g. a click on the map choosing a district: the sidebar widget and the
    URL follow on the rerun.
    """
    st.session_state[_pending_key(name)] = list(values)


def _multi(
    name: str,
    label: str,
    options: list,
    fmt: Callable[[object], str] = str,
    help_text: str | None = None,
) -> list:
    """A multiselect whose initial value comes from the URL and whose changes go back to it.

    A value asked for with ``set_filter`` replaces the widget's value once. Values that are
    not options (a narrower cascade, a wrong link) are dropped.
    """
    key = widget_key(name)
    as_text = {str(o): o for o in options}
    pending = st.session_state.pop(_pending_key(name), None)
    default: list | None
    if pending is not None:
        st.session_state[key] = [as_text[str(v)] for v in pending if str(v) in as_text]
        default = None  # the value comes from session state this run
    else:
        default = [as_text[v] for v in st.query_params.get_all(name) if v in as_text]
    chosen = _sidebar().multiselect(
        label,
        options,
        default=default,
        format_func=fmt,
        key=key,
        placeholder=tr("filter.all"),
        help=help_text,
    )
    values = [str(v) for v in chosen]
    if values != st.query_params.get_all(name):
        if values:
            st.query_params[name] = values
        elif name in st.query_params:
            del st.query_params[name]
    return chosen


def _thai_sort_key(text: str) -> str:
    """Dictionary order for Thai: a leading vowel (เ แ โ ใ ไ) sorts after its consonant."""
    if len(text) > 1 and text[0] in _LEADING_VOWELS:
        return text[1] + text[0] + text[2:]
    return text


def district_options(chosen_zones: list[str], lg: str) -> list[str]:
    """All district codes (of the chosen zones, if any), ordered by name in the language."""
    codes = districts()["code"].tolist()
    if chosen_zones:
        allowed = set(zone_codes(tuple(chosen_zones)))
        codes = [c for c in codes if c in allowed]
    return sorted(codes, key=lambda c: _thai_sort_key(district_name(c, lg) or c))


def agency_options(df: pd.DataFrame, place_codes: set[str] | None) -> tuple[list[str], set[str]]:
    """(options, city-level agencies): the district offices in ``df`` within ``place_codes``
    (all when None), then every agency that is not a district office."""
    names = pd.Series(sorted(str(a) for a in df["agency"].dropna().unique()), dtype=object)
    if names.empty:
        return [], set()
    codes = district_codes(names)
    offices, city = [], []
    for name, code in zip(names, codes, strict=True):
        if pd.isna(code):
            city.append(name)
        elif place_codes is None or code in place_codes:
            offices.append(name)
    offices.sort(key=_thai_sort_key)
    city.sort(key=_thai_sort_key)
    return offices + city, set(city)


def sidebar_filters(df: pd.DataFrame) -> Filters:
    """Draw the filters for the directives in ``df`` and return what is selected."""
    lg = lang()
    _sidebar().header(tr("filter.title"))
    years = sorted(int(y) for y in df["fiscal_year"].dropna().unique())
    for name, values in default_zone().items():  # an inspector's own zone
        set_filter(name, values)
    fy = _multi("fy", tr("filter.fiscal_year"), years)
    rnd = _multi("round", tr("filter.round"), [1, 2], lambda r: tr("filter.round_n", n=r))
    zone_list = [z[0] for z in zones()]
    zone_en = dict(zones())
    zone = _multi("zone", tr("filter.zone"), zone_list, lambda z: z if lg == "th" else zone_en[z])
    district = _multi(
        "district",
        tr("filter.district"),
        district_options(zone, lg),
        lambda c: district_name(c, lg) or str(c),
    )
    if district:
        place_codes: set[str] | None = set(district)
    elif zone:
        place_codes = set(zone_codes(tuple(zone)))
    else:
        place_codes = None
    agencies, city = agency_options(df, place_codes)
    prefix = tr("filter.city_level")
    agency = _multi(
        "agency",
        tr("filter.agency"),
        agencies,
        lambda a: f"{prefix} · {unit_name(a, lg)}" if a in city else unit_name(a, lg),
        help_text=tr("filter.agency_help"),
    )
    groups = sorted(g for g in df["group"].dropna().unique())
    group = _multi("group", tr("filter.group"), groups)
    factor = _multi("factor", tr("filter.factor"), list(FACTORS), lambda k: factor_label(k, lg))
    status = _multi("status", tr("filter.status"), list(STATUSES), lambda s: status_label(s, lg))
    shown = [
        ("filter.fiscal_year", [str(y) for y in fy]),
        ("filter.round", [tr("filter.round_n", n=r) for r in rnd]),
        ("filter.zone", [z if lg == "th" else zone_en[z] for z in zone]),
        ("filter.district", [district_name(c, lg) or str(c) for c in district]),
        ("filter.agency", [unit_name(a, lg) for a in agency]),
        ("filter.group", [str(g) for g in group]),
        ("filter.factor", [factor_label(k, lg) for k in factor]),
        ("filter.status", [status_label(k, lg) for k in status]),
    ]
    parts = [f"{tr(key)} = {', '.join(values)}" for key, values in shown if values]
    export_filters([tr("common.filters_used", filters="; ".join(parts) or tr("common.all"))])
    return Filters(
        fiscal_year=tuple(fy),
        round=tuple(rnd),
        zone=tuple(zone),
        district=tuple(district),
        agency=tuple(agency),
        group=tuple(group),
        factor=tuple(factor),
        status=tuple(status),
    )


def url_select(
    name: str, label: str, options: list, fmt: Callable[[object], str] = str, default: object = None
):
    """A selectbox whose value comes from the URL and goes back to it; ``default`` (else the
    last, i.e. latest, option) when the URL says nothing, and then the URL stays clean."""
    as_text = {str(o): o for o in options}
    fallback = default if default in options else options[-1]
    url = st.query_params.get(name)
    chosen = st.selectbox(
        label,
        options,
        index=options.index(as_text.get(url, fallback)),
        format_func=fmt,
        key=f"pick_{name}",
    )
    if chosen == fallback:
        if url is not None:
            del st.query_params[name]
    elif str(chosen) != url:
        st.query_params[name] = str(chosen)
    return chosen
