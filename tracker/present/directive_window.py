"""A bounded window of the directives for the table: search, sort, one page (no Streamlit).

The Directives page never hands the whole filtered frame to the browser (Streamlit keeps a
copy of every table per session): it shows one page of at most ``MAX_PAGE_SIZE`` rows, and the
full filtered set only as a download built when clicked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

PAGE_SIZES: tuple[int, ...] = (50, 100, 200)
MAX_PAGE_SIZE = max(PAGE_SIZES)
# what the table can be sorted by: a column of the directives or of their ages
SORT_KEYS: tuple[str, ...] = ("order", "directive_id", "issued_date", "due_date", "days_open")
# the columns the search looks in (the directive's text is searched where it is kept)
SEARCH_COLUMNS: tuple[str, ...] = ("directive_id", "agency", "text")
RESULTS = 20  # a directive picker lists at most this many matches


@dataclass(frozen=True)
class Window:
    """One page of a (searched, sorted) view: its rows' index labels and where it stands."""

    labels: pd.Index
    total: int
    page: int
    pages: int


def contains(column: pd.Series, query: str) -> np.ndarray:
    """Which cells hold ``query`` (case-insensitive, literal); a categorical column is searched
    in its categories only, once each."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        cats = pd.Series(column.cat.categories.astype(str))
        hit = cats.str.contains(query, case=False, regex=False).to_numpy(dtype=bool)
        codes = column.cat.codes.to_numpy()
        return np.where(codes >= 0, hit[codes], False) if len(hit) else np.zeros(len(codes), bool)
    found = column.astype("string").str.contains(query, case=False, regex=False)
    return found.to_numpy(dtype=bool, na_value=False)


def search_mask(
    df: pd.DataFrame, query: str, columns: tuple[str, ...] = SEARCH_COLUMNS
) -> np.ndarray:
    """Rows whose id, unit or text (those of ``columns`` the frame has) hold ``query``."""
    q = (query or "").strip()
    if not q:
        return np.ones(len(df), dtype=bool)
    mask = np.zeros(len(df), dtype=bool)
    for col in columns:
        if col in df.columns:
            mask |= contains(df[col], q)
    return mask


def sort_labels(df: pd.DataFrame, ages: pd.DataFrame, key: str, descending: bool) -> pd.Index:
    """The view's index labels in the order of ``key`` (stable; blanks last either way)."""
    if key not in SORT_KEYS or key == "order" or not len(df):
        return df.index[::-1] if descending and key == "order" else df.index
    values = ages[key] if key in ages.columns else df[key]
    order = values.reset_index(drop=True).sort_values(
        ascending=not descending, kind="stable", na_position="last"
    )
    return df.index[order.index.to_numpy()]


def window(labels: pd.Index, page: int, size: int) -> Window:
    """Page ``page`` (1-based, clamped) of ``labels`` with ``size`` rows a page (bounded)."""
    size = max(1, min(int(size), MAX_PAGE_SIZE))
    total = len(labels)
    pages = max(1, -(-total // size))
    page = min(max(1, int(page)), pages)
    start = (page - 1) * size
    return Window(labels[start : start + size], total, page, pages)


def pick_list(ids: pd.Series, query: str, limit: int = RESULTS, *, sort: bool = True) -> list[str]:
    """At most ``limit`` distinct directive ids holding ``query`` (all ids when it is blank),
    sorted (or in their first order when not ``sort``): a short list to choose from instead
    of every id."""
    values = ids.dropna()
    q = (query or "").strip()
    if q:
        values = values[contains(values, q)]
    elif not sort:  # the first ``limit`` distinct ids: read a prefix, not every id
        values = _distinct_prefix(values, limit)
    unique = pd.unique(values.astype(str).to_numpy())
    return [str(v) for v in (np.sort(unique) if sort else unique)[:limit]]


def _distinct_prefix(values: pd.Series, limit: int) -> pd.Series:
    """The shortest prefix of ``values`` (grown fourfold) holding ``limit`` distinct ids, or
    all of them."""
    size = max(4 * limit, 64)
    while size < len(values):
        head = values.iloc[:size]
        if len(pd.unique(head.astype(str).to_numpy())) >= limit:
            return head
        size *= 4
    return values
