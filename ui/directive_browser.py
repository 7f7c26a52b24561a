"""The Directives page's table: one page of rows at a time with search, sort and page controls,
a download of every filtered directive, and a detail panel with a row's full text.

The browser gets one page (at most 200 rows): Streamlit keeps a copy of every table it is sent
per session, so the whole filtered frame is never sent. Texts (directive, detail, obstacle) are
fetched for the rows shown (``data.texts``); user text is shown as escaped markdown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import streamlit as st

from tracker.metrics import directives as metrics
from tracker.present import exports
from tracker.present.directive_window import (
    PAGE_SIZES,
    RESULTS,
    SORT_KEYS,
    pick_list,
    sort_labels,
    window,
)
from tracker.present.district_views import history_table
from tracker.present.views import directive_table
from tracker.thai import format_int
from ui import data, memo
from ui.data import Loaded, md_escape
from ui.i18n import tr
from ui.unit_links import with_links
from ui.widgets import XLSX, data_table

KEY = "directives_table"
_DETAIL = "browse_detail"
_PAGE = "browse_page"


def _first_page() -> None:
    st.session_state[_PAGE] = 1


def _controls() -> tuple[str, str, bool, int]:
    """Search words, sort key, descending, rows per page (a change goes back to page 1)."""
    query_col, sort_col, desc_col, size_col = st.columns([4, 2, 1, 1], vertical_alignment="bottom")
    query = query_col.text_input(
        tr("browse.search"),
        key="browse_query",
        placeholder=tr("browse.search_placeholder"),
        on_change=_first_page,
    )
    sort = sort_col.selectbox(
        tr("browse.sort"),
        SORT_KEYS,
        format_func=lambda k: tr(f"browse.sort.{k}"),
        key="browse_sort",
        on_change=_first_page,
    )
    desc = desc_col.toggle(tr("browse.descending"), key="browse_desc", on_change=_first_page)
    size = size_col.selectbox(
        tr("browse.page_size"), PAGE_SIZES, index=1, key="browse_size", on_change=_first_page
    )
    return query, sort, desc, int(size)


def _on_row_selected() -> None:
    """A row clicked in the table becomes the detail panel's directive."""
    state = st.session_state.get(KEY)
    rows = list(getattr(getattr(state, "selection", None), "rows", []) or [])
    shown = st.session_state.get("_browse_labels", [])
    if rows and rows[0] < len(shown):
        st.session_state[_DETAIL] = shown[rows[0]]


@st.fragment
def directives(loaded: Loaded, filters: metrics.Filters, lang: str) -> None:
    """The bounded table of the filtered directives and its detail panel: a fragment, so
    paging, searching and choosing a row rerun only this part of the page. It keeps only the
    filters between runs (never a filtered copy of the table: that would stay per session)."""
    view = metrics.apply_filters(loaded.dataset.directives, filters)
    ages = view_ages(loaded, filters, view)
    query, sort, desc, size = _controls()
    matched = view[data.search_directives(loaded, view, query)] if query.strip() else view
    if matched.empty:
        st.info(tr("browse.no_match"))
        return
    labels = sort_labels(matched, ages, sort, desc)
    pages = -(-len(labels) // size)
    if int(st.session_state.get(_PAGE, 1)) > pages:
        st.session_state[_PAGE] = pages
    page = st.number_input(
        tr("browse.page", pages=format_int(pages)),
        min_value=1,
        max_value=pages,
        step=1,
        key=_PAGE,
    )
    win = window(labels, int(page), size)
    rows = view.loc[win.labels]
    shown = directive_table(rows, ages, lang, data.texts(loaded, rows))
    first = (win.page - 1) * size + 1
    st.caption(
        tr(
            "browse.showing",
            first=format_int(first),
            last=format_int(first + len(rows) - 1),
            total=format_int(win.total),
        )
    )
    st.session_state["_browse_labels"] = list(win.labels)
    # every unit name opens its card (the link carries the stored Thai name)
    shown, link_cfg = with_links(shown, tr("col.agency"), rows["agency"], lang)
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=420,
        column_config=link_cfg,
        key=KEY,
        on_select=_on_row_selected,
        selection_mode="single-row",
    )
    _download_all(loaded, matched, labels, ages, lang)
    _detail(loaded, rows, ages, lang)


def view_ages(loaded: Loaded, filters: metrics.Filters, view: pd.DataFrame) -> pd.DataFrame:
    """``metrics.aging`` of the filtered ``view``, one frame per snapshot and filters shared
    by the page and its table (``ui.memo``; never changed)."""
    key = memo.view_key(loaded, filters)
    return memo.per_view(key and (*key, "ages"), lambda: metrics.aging(view, data.today()))


def _download_all(
    loaded: Loaded, matched: pd.DataFrame, labels: pd.Index, ages: pd.DataFrame, lang: str
) -> None:
    """xlsx and CSV of every filtered (and searched) directive in the table's order, built
    (texts fetched) only when clicked."""
    filters = tuple(st.session_state.get("_export_filters", ()))

    def frame() -> pd.DataFrame:
        rows = matched.loc[labels]
        return directive_table(rows, ages, lang, data.texts(loaded, rows, cache=False))

    st.caption(tr("browse.download_all", total=format_int(len(labels))))
    left, right, _ = st.columns([1, 1, 4], vertical_alignment="center")
    left.download_button(
        "xlsx",
        data=lambda: exports.xlsx_bytes(frame(), filters),
        file_name="directives.xlsx",
        mime=XLSX,
        icon=":material/download:",
        key=f"{KEY}__xlsx",
        on_click="ignore",
        help=tr("common.download_xlsx"),
    )
    right.download_button(
        "CSV",
        data=lambda: exports.csv_bytes(frame(), filters),
        file_name="directives.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"{KEY}__csv",
        on_click="ignore",
        help=tr("common.download_csv"),
    )


def _paragraph(text: object) -> str:
    """User text as inert markdown that keeps its line breaks ("-" when blank)."""
    if text is None or (pd.api.types.is_scalar(text) and pd.isna(text)) or not str(text).strip():
        return "\\-"
    return "  \n".join(md_escape(line) for line in str(text).splitlines())


def _detail(loaded: Loaded, rows: pd.DataFrame, ages: pd.DataFrame, lang: str) -> None:
    """The chosen row in full: every field of the table, long texts wrapped (never cut)."""
    st.subheader(tr("browse.detail"))
    options = list(rows.index)
    if st.session_state.get(_DETAIL) not in options:
        st.session_state[_DETAIL] = None
    ids = rows["directive_id"].astype(str)
    chosen = st.selectbox(
        tr("browse.detail_pick"),
        options,
        format_func=lambda label: ids.get(label, str(label)),
        index=None,
        placeholder=tr("browse.detail_placeholder"),
        key=_DETAIL,
    )
    if chosen is None:
        st.caption(tr("browse.detail_none"))
        return
    one = rows.loc[[chosen]]
    table = directive_table(one, ages, lang, data.texts(loaded, one))
    record = table.iloc[0]
    long = {tr(f"col.{c}") for c in data.TEXT_COLUMNS}
    with st.container(border=True):
        # the short fields in one block of "label: value" lines, the long texts in full below
        st.markdown(
            "  \n".join(
                f"**{md_escape(str(column))}**: {_paragraph(value)}"
                for column, value in record.items()
                if column not in long
            )
        )
        for column, value in record.items():
            if column in long:
                st.markdown(f"**{md_escape(str(column))}**  \n{_paragraph(value)}")
    history = response_history(loaded, str(one["directive_id"].iloc[0]))
    if len(history):
        data_table(history_table(history, lang), "browse_history", name="responses")


HISTORY_COLUMNS: tuple[str, ...] = ("detail", "obstacle", "reporter")


def response_history(loaded: Loaded, directive_id: str) -> pd.DataFrame:
    """One directive's responses, oldest first, with their texts (fetched for these rows);
    kept per snapshot and directive (``ui.memo``): the history shown under the page reruns
    with every filter change, and finding its rows compares every response's id."""

    def compute() -> pd.DataFrame:
        responses = loaded.dataset.responses
        mine = responses[(responses["directive_id"] == directive_id).to_numpy(dtype=bool)]
        mine = data.with_columns(loaded, "responses", mine, HISTORY_COLUMNS)
        return metrics.response_history(mine, directive_id)

    key = memo.snapshot_key(loaded)
    return memo.numbers(key and (*key, "response_history", str(directive_id)), compute)


@st.fragment
def history_section(loaded: Loaded, filters: metrics.Filters, lang: str) -> None:
    """A directive's response history, chosen by a search (a fragment: choosing reruns only
    this part of the page; it keeps the filters, not a filtered copy)."""
    view = metrics.apply_filters(loaded.dataset.directives, filters)
    chosen = history_picker(loaded, view)
    if chosen is not None:
        # labels, statuses and Buddhist-Era times in the page's language
        data_table(
            history_table(response_history(loaded, chosen), lang),
            "response_history",
            name="responses",
        )


def history_picker(loaded: Loaded, view: pd.DataFrame) -> str | None:
    """A directive id chosen by searching the ids that have responses (a short result list,
    never a list of every id)."""
    rows, ids = _with_history(loaded)
    register = loaded.dataset.directives
    if len(view) == len(register) and view.index.equals(register.index):
        in_view = ids  # no filter: every row with responses
    else:
        shown = np.zeros(len(register), dtype=bool)
        shown[register.index.get_indexer(view.index)] = True
        in_view = ids[shown[rows]]
    if not len(in_view):
        st.caption(tr("directives.no_history"))
        return None
    # already in id order: the search and the short list read only these (kept as Python
    # strings: Arrow's copy of every id is made by a search only, ``contains``)
    return search_pick(
        pd.Series(in_view, dtype=object), "history_id", tr("browse.history_search"), sort=False
    )


def _with_history(loaded: Loaded) -> tuple[np.ndarray, np.ndarray]:
    """The register's row positions whose directive has responses and their ids (as text),
    in id order: computed once per snapshot (``ui.memo``), so a filter change only picks
    the rows it keeps."""

    def compute() -> tuple[np.ndarray, np.ndarray]:
        ids = loaded.dataset.directives["directive_id"]
        responded = loaded.dataset.responses["directive_id"]
        found = _responded_rows(ids, responded)
        if found is None:  # not a text column: the general (slower) way
            rows = np.flatnonzero(ids.isin(pd.unique(responded.dropna())).to_numpy(dtype=bool))
            text = ids.iloc[rows].astype(str).to_numpy(dtype=object)
        else:
            rows, text = found
        order = np.argsort(text, kind="stable")
        return rows[order], text[order]

    key = memo.snapshot_key(loaded)
    return memo.shared(key and (*key, "history_rows"), compute)


def _responded_rows(ids: pd.Series, responded: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """The positions of ``ids`` found in ``responded`` and their texts, by Arrow's hashed
    membership (pandas' ``isin`` of a million text ids takes seconds); None when the ids
    are not text."""
    try:
        values = pa.array(ids, from_pandas=True)
        if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
            return None
        wanted = pc.drop_null(pc.unique(pa.array(responded, from_pandas=True)))
        has = pc.is_in(values, value_set=wanted.cast(values.type)).to_numpy(zero_copy_only=False)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    rows = np.flatnonzero(has)
    text = values.take(pa.array(rows)).to_numpy(zero_copy_only=False).astype(object)
    return rows, text


def search_pick(ids: pd.Series, key: str, label: str, *, sort: bool = True) -> str | None:
    """A search box over ``ids`` and a list of at most ``RESULTS`` matches to choose from
    (sorted, or in the given order when not ``sort``); None when nothing matches."""
    query = st.text_input(label, key=f"{key}__query" if key != "history_id" else "history_query")
    found = pick_list(ids, query, RESULTS, sort=sort)
    if not found:
        st.caption(tr("browse.history_none"))
        return None
    return st.selectbox(tr("browse.history_results", n=RESULTS), found, key=key)
