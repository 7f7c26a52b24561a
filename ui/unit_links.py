"""Every unit name in a table or chart leads to its card on the Units page (issue 18).

A table's unit column becomes a link column: the cell holds the card's URL,
``units?unit=<Thai name>&lang=en&label=<name shown>``, and shows the name in the page's
language (the ``label`` parameter, read back by the column's display pattern): English mode
shows "Bang Na District Office" while the link carries "สำนักงานเขตบางนา", the data's key.
Downloads keep the plain names. A chart of units answers a click on a unit's bar (or a point
of its line) by opening the card, in the same language.

Use: ``unit_table(frame, key, unit_column=…)`` instead of ``widgets.data_table`` and
``unit_chart(fig, table, key, unit_column=…)`` instead of ``widgets.chart``; ``with_links`` for
a table drawn with its own ``st.dataframe``; ``card_link(unit)`` for a single unit (a page
about one unit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pandas.io.formats.style import Styler

from tracker.present.charts import short_units
from tracker.present.charts_safe import escape_text
from tracker.unit_names import unit_name
from ui.i18n import lang, tr
from ui.widgets import chart, data_table, prepare

UNITS_PATH = "units"  # the Units page's url_path (ui/shell.py)
UNITS_PAGE = "app_pages/units.py"
LABEL = "label"  # the URL parameter the link column shows; the Units page drops it
DISPLAY = r"[?&]label=([^&#]*)"  # the link column's display_text pattern
_LAST = "_unit_link_last"  # session state: the chart selection already followed, per chart


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value)) or str(value) == ""


def card_params(unit: str, lg: str) -> dict[str, str]:
    """The Units page's query parameters for ``unit`` (the language kept)."""
    params = {"unit": str(unit)}
    if lg != "th":
        params["lang"] = lg
    return params


def unit_href(unit: object, lg: str) -> str | None:
    """The card's relative URL, its shown name last (None for a missing unit)."""
    if _missing(unit):
        return None
    return _href(str(unit), lg)


@lru_cache(maxsize=8192)
def _href(unit: str, lg: str) -> str:  # the same few hundred units on every page run
    params = card_params(str(unit), lg) | {LABEL: unit_name(unit, lg)}
    return f"{UNITS_PATH}?{urlencode(params, quote_via=quote)}"


def unit_of(href: object) -> str | None:
    """The unit a card's URL names (``unit_href``'s inverse; tests and selections)."""
    if _missing(href):
        return None
    values = parse_qs(urlsplit(str(href)).query).get("unit")
    return values[0] if values else None


def each_unit(units: Iterable[object], fn: Callable[[object], object]) -> list:
    """``[fn(u) for u in units]``, ``fn`` called once per distinct unit (a curve table has a
    row per unit and day: thousands of rows, a few hundred units)."""
    series = units if isinstance(units, pd.Series) else pd.Series(list(units), dtype=object)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    out = np.empty(len(uniques), dtype=object)
    out[:] = [fn(u) for u in uniques]
    mapped = out[codes] if len(codes) else np.empty(0, dtype=object)
    gaps = np.flatnonzero(codes < 0)
    if len(gaps):  # missing values: each as it is (None, NaN, NA)
        raw = series.to_numpy(dtype=object)
        for i in gaps:
            mapped[i] = fn(raw[i])
    return mapped.tolist()


def hrefs(units: Iterable[object], lg: str) -> list:
    """The cards' URLs of ``units`` (Thai names), row for row, made once per distinct unit."""
    return each_unit(units, lambda u: unit_href(u, lg))


def linked(frame: pd.DataFrame, unit_column: str, lg: str) -> pd.DataFrame:
    """``frame`` with ``unit_column``'s Thai names replaced by their cards' URLs."""
    return frame.assign(**{unit_column: hrefs(frame[unit_column], lg)})


def link_config(unit_column: str, *, pinned: bool = False) -> dict[str, object]:
    """The column configuration that shows a URL column as unit names linking to the card."""
    return {
        unit_column: st.column_config.LinkColumn(
            unit_column, display_text=DISPLAY, help=tr("links.column_help"), pinned=pinned
        )
    }


def with_links(
    frame: pd.DataFrame, unit_column: str, units: Iterable[object], lg: str | None = None
) -> tuple[pd.DataFrame, dict[str, object]]:
    """For a table drawn with its own ``st.dataframe`` (e.g. a paged one): ``frame`` with
    ``unit_column`` (whatever it showed) replaced by the cards' links of ``units`` (the stored
    Thai names, row for row), and the ``column_config`` to draw it with."""
    lg = lang() if lg is None else lg
    return frame.assign(**{unit_column: hrefs(units, lg)}), link_config(unit_column)


def unit_table(
    df: pd.DataFrame | Styler,
    key: str,
    *,
    unit_column: str,
    name: str = "",
    column_config: dict | None = None,
    pinned: bool = False,
    **kwargs: object,
) -> None:
    """``widgets.data_table`` with ``unit_column`` (Thai unit names) shown as links to the
    units' cards; the downloads keep the names."""
    lg = lang()
    frame = df.data if isinstance(df, Styler) else df
    if unit_column not in frame.columns:
        data_table(df, key, name=name, column_config=column_config, **kwargs)
        return
    export = frame.assign(
        **{unit_column: each_unit(frame[unit_column], lambda u: unit_name(u, lg))}
    )
    if isinstance(df, Styler):  # the styles are computed when drawn: swap the values in place
        frame[unit_column] = hrefs(frame[unit_column], lg)
        shown: pd.DataFrame | Styler = df
    else:
        shown = linked(frame, unit_column, lg)
    config = dict(column_config or {}) | link_config(unit_column, pinned=pinned)
    data_table(shown, key, name=name, column_config=config, export=export, **kwargs)


def label_map(units: Iterable[str], lg: str) -> dict[str, str]:
    """Every label a chart may give a unit (as stored, full or short name in ``lg``, escaped
    or not) → the unit's Thai name."""
    out: dict[str, str] = {}
    distinct = pd.unique(
        pd.Series(units if isinstance(units, pd.Series) else list(units), dtype=object)
    )
    for unit in dict.fromkeys(str(u) for u in distinct if not _missing(u)):
        for label in (unit, unit_name(unit, lg), short_units([unit], lg)[0]):
            out.setdefault(label, unit)
            out.setdefault(escape_text(label), unit)
    return out


def picked_unit(fig: go.Figure, points: list[dict], labels: dict[str, str]) -> str | None:
    """The unit of the first selected point: its trace's ``meta`` or name (a line per unit)
    or its category (the bar's label on the unit axis)."""
    for point in points:
        curve = point.get("curve_number")
        trace = fig.data[curve] if isinstance(curve, int) and curve < len(fig.data) else None
        for own in (trace.meta, trace.name) if trace is not None else ():
            if isinstance(own, str) and own in labels:
                return labels[own]
        horizontal = trace is not None and getattr(trace, "orientation", None) == "h"
        for axis in ("y", "x") if horizontal else ("x", "y"):
            value = point.get(axis)
            if isinstance(value, str) and value in labels:
                return labels[value]
    return None


def open_card(unit: str) -> None:
    """Go to the unit's card (same tab, same language)."""
    st.switch_page(UNITS_PAGE, query_params=card_params(unit, lang()))


def unit_chart(
    fig: go.Figure,
    table_df: pd.DataFrame,
    key: str,
    *,
    unit_column: str | None,
    units: Iterable[str] | None = None,
    lead: pd.DataFrame | None = None,
) -> None:
    """``widgets.chart`` whose units open their cards when clicked; the table view's
    ``unit_column`` links to them. ``units`` (Thai names) defaults to that column's values;
    ``lead`` is a table drawn above it in the table view (rows that are not one unit)."""
    if units is None:
        units = table_df[unit_column] if unit_column in table_df.columns else []
    labels = label_map(units, lang())
    if not labels:  # no unit on this chart (e.g. curves per group): the plain chart
        chart(fig, table_df, key)
        return
    event = st.plotly_chart(
        prepare(fig),
        width="stretch",
        key=key,
        on_select="rerun",
        selection_mode="points",
        config={"displaylogo": False},
    )
    points = list(getattr(getattr(event, "selection", None), "points", None) or [])
    unit = picked_unit(fig, points, labels) if points else None
    followed = st.session_state.setdefault(_LAST, {})
    if unit is None:
        followed.pop(key, None)
    elif followed.get(key) != unit:  # a selection kept in the chart's state opens it once
        followed[key] = unit
        open_card(unit)
    st.caption(tr("links.chart_help"))
    with st.expander(tr("common.table_view")):
        if lead is not None and not lead.empty:
            data_table(lead, f"{key}__lead", name=f"{key}_all")
        if unit_column:
            unit_table(table_df, f"{key}__table", unit_column=unit_column, name=key)
        else:
            data_table(table_df, f"{key}__table", name=key)


def card_link(unit: str) -> None:
    """A link to one unit's card (a page about that unit: KPIs, budget, a district)."""
    st.page_link(
        UNITS_PAGE,
        label=tr("links.open_card", unit=unit_name(unit, lang())),
        icon=":material/apartment:",
        query_params=card_params(unit, lang()),
    )
