"""The normalised data of one load: four canonical DataFrames plus the issues found."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tracker.checks.validate import Issue
from tracker.schema import (
    BUDGET_COLUMNS,
    DIRECTIVE_COLUMNS,
    FACTOR_COLUMNS,
    KPI_COLUMNS,
    RESPONSE_COLUMNS,
    STATUSES,
)

STATUS_DTYPE = pd.CategoricalDtype(list(STATUSES))

# dtype per canonical column; anything not listed is text ("str").
DTYPES: dict[str, object] = {
    "fiscal_year": "Int64",
    "round": "Int64",
    "row": "Int64",
    "issued_date": "datetime64[ns]",
    "due_date": "datetime64[ns]",
    "reported_at": "datetime64[ns]",
    "submitted_at": "datetime64[ns]",
    "as_of": "datetime64[ns]",
    "status": STATUS_DTYPE,
    # repeated text: categorical, so group-bys and filters stay fast at 100,000 rows
    "agency": "category",
    "group": "category",
    "district_code": "category",
    "target": "float64",
    "actual": "float64",
    "achievement_pct": "float64",
    "allocated": "float64",
    "disbursed": "float64",
    "rate_pct": "float64",
    **{c: "bool" for c in FACTOR_COLUMNS},
}

COLUMNS: dict[str, tuple[str, ...]] = {
    "directives": DIRECTIVE_COLUMNS,
    "responses": RESPONSE_COLUMNS,
    "kpis": KPI_COLUMNS,
    "budget": BUDGET_COLUMNS,
}


def empty_frame(kind: str) -> pd.DataFrame:
    """An empty canonical table of ``kind`` with the right columns and dtypes (a new copy)."""
    if kind not in _EMPTY:
        _EMPTY[kind] = conform(pd.DataFrame(columns=list(COLUMNS[kind])), kind)
    return _EMPTY[kind].copy()


_EMPTY: dict[str, pd.DataFrame] = {}


def conform(df: pd.DataFrame, kind: str, ready: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Order columns canonically (extra columns kept at the end) and apply canonical dtypes.

    Text is object dtype with None for missing; the result is a new frame (``df`` untouched).
    ``ready`` names text columns the caller built that way already (object, None): kept as is.
    """
    frame = conform_columns({c: df[c] for c in df.columns}, kind, len(df), ready)
    frame.index = df.index
    return frame


def conform_columns(
    columns: dict[str, object], kind: str, n: int, ready: frozenset[str] = frozenset()
) -> pd.DataFrame:
    """``conform`` for columns not yet in a frame (Series, arrays or scalars of length ``n``):
    the frame is built once, in canonical order and dtypes, with a 0..n-1 index."""
    cols = list(COLUMNS[kind])
    names = cols + [c for c in columns if c not in cols]
    if n <= SMALL_ROWS:
        return _conform_small(columns, names, n, ready)
    out: dict[str, object] = {}
    for c in names:
        dtype = DTYPES.get(c, "str")
        col = _as_series(columns.get(c, False if dtype == "bool" else None), n)
        if dtype == "str":
            out[c] = col if c in ready and col.dtype == object else _text_column(col)
        elif dtype == "bool":
            out[c] = col.fillna(False).astype(bool)
        elif dtype == "category":
            out[c] = _sorted_categorical(col)
        else:
            out[c] = col.astype(dtype)
    return pd.DataFrame(out, columns=names)


# Frames of up to this many rows are conformed column array by column array, then built in
# one step (``_conform_small``): the same frame as ``pd.DataFrame(dict of Series)`` in a
# tenth of the time, which is what a sheet of a few KPIs costs (issue 20: a report workbook
# conforms some twenty tiny frames). Larger frames take the general path: there the
# conversions cost, not pandas' per-column overhead.
SMALL_ROWS = 2048


def _conform_small(
    columns: dict[str, object], names: list[str], n: int, ready: frozenset[str]
) -> pd.DataFrame:
    """``conform_columns`` for a few rows: the same values, dtypes, columns and 0..n-1 index
    (tests/unit/test_dataset_conform_small.py checks it against the general path)."""
    arrays: list[Any] = []
    for c in names:
        dtype = DTYPES.get(c, "str")
        value = columns.get(c, False if dtype == "bool" else None)
        if dtype == "str":
            if value is None:
                arrays.append(repeated(None, n))
                continue
            col = value if isinstance(value, pd.Series) else _as_series(value, n)
            if c in ready and col.dtype == object:
                arrays.append(col.to_numpy(dtype=object, copy=True))
            else:
                arrays.append(_text_values(col))
        elif dtype == "bool" and value is False:
            arrays.append(np.zeros(n, dtype=bool))
        else:
            col = value if isinstance(value, pd.Series) else _as_series(value, n)
            if dtype == "bool":
                arrays.append(col.fillna(False).astype(bool).to_numpy(copy=True))
            elif dtype == "category":
                arrays.append(_sorted_categorical(col).copy())
            else:
                arrays.append(col.astype(dtype)._values.copy())
    # the arrays are final (dtypes as DTYPES says, text as object): no inference wanted
    return pd.DataFrame._from_arrays(
        arrays, columns=pd.Index(names), index=pd.RangeIndex(n), verify_integrity=False
    )


def _as_series(value: object, n: int) -> pd.Series:
    """A column as a Series with a 0..n-1 index (a scalar is repeated n times)."""
    if isinstance(value, pd.Series):
        return value.reset_index(drop=True)
    if isinstance(value, np.ndarray | pd.api.extensions.ExtensionArray | list | tuple):
        return pd.Series(value)
    return pd.Series(repeated(value, n), dtype=object)


def repeated(value: object, n: int) -> np.ndarray:
    """An object array of ``n`` references to the one ``value`` (``np.full`` would make ``n``
    copies of a str: it goes through a fixed-width unicode array first)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def _text_column(col: pd.Series) -> pd.Series:
    """Object dtype, None for every kind of missing (NaN, NA, NaT)."""
    return pd.Series(_text_values(col), dtype=object)


def _text_values(col: pd.Series) -> np.ndarray:
    """``_text_column``'s values: a new object array, None for every kind of missing."""
    if isinstance(col.array, pd.arrays.ArrowStringArray):
        import pyarrow as pa

        return text_objects(pa.array(col.array))
    values = col.to_numpy(dtype=object, copy=True)
    missing = pd.isna(values)
    if missing.any():
        values[missing] = None
    return values


def text_objects(arr: Any) -> np.ndarray:
    """Arrow strings (an Array or ChunkedArray) as an object array, None where missing.

    Equal cells share one Python str: a column is dictionary-encoded first and only its
    distinct values become Python objects (a million cells of a few hundred texts hold a few
    hundred strings, not a million; issue 20). Mostly distinct columns are converted directly.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    if n < 64 or _mostly_distinct(arr.slice(0, 4096)):  # ids, long texts: nothing to share
        return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)
    encoded = pc.dictionary_encode(arr)
    distinct = len(encoded.dictionary)
    if distinct > n // 2:
        return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)
    table = np.empty(distinct + 1, dtype=object)
    table[:distinct] = encoded.dictionary.to_numpy(zero_copy_only=False)
    table[distinct] = None
    indices = pc.fill_null(encoded.indices, distinct).to_numpy(zero_copy_only=False)
    return table[indices]


def _mostly_distinct(sample: Any) -> bool:
    import pyarrow.compute as pc

    return pc.count_distinct(sample).as_py() > len(sample) // 2


def _sorted_categorical(col: pd.Series) -> pd.Categorical:
    """Sorted object categories of the values present: the same dtype whatever the input
    (object, str, or categorical from another load), so frames compare equal."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        values = col.array.remove_unused_categories()
        categories = values.categories
        if categories.dtype == object and categories.is_monotonic_increasing:
            return values  # already canonical: codes kept, no pass over the strings
    codes, uniques = pd.factorize(col.astype(object), use_na_sentinel=True)
    uniques = pd.Index(uniques, dtype=object)
    order = uniques.argsort()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    new_codes = np.where(codes < 0, -1, rank[np.maximum(codes, 0)] if len(order) else -1)
    return pd.Categorical.from_codes(new_codes, categories=uniques[order])


@dataclass
class Dataset:
    directives: pd.DataFrame = field(default_factory=lambda: empty_frame("directives"))
    responses: pd.DataFrame = field(default_factory=lambda: empty_frame("responses"))
    kpis: pd.DataFrame = field(default_factory=lambda: empty_frame("kpis"))
    budget: pd.DataFrame = field(default_factory=lambda: empty_frame("budget"))
    issues: list[Issue] = field(default_factory=list)
    # tables lacking required columns, with the file's headers (tracker.read.mapping)
    unmatched: list[Any] = field(default_factory=list)

    def frames(self) -> dict[str, pd.DataFrame]:
        return {k: getattr(self, k) for k in COLUMNS}
