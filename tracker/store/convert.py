"""Table rows between the database driver and the canonical frames: driver columns built
straight into the dtypes ``conform()`` gives (loading), and frame columns as driver-ready
values (writing).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tracker.dataset import COLUMNS, DTYPES
from tracker.store.diff import canonical_frame
from tracker.store.tables import DATE_COLUMNS, MONEY_COLUMNS


def _to_datetime(s: pd.Series) -> pd.Series:
    """Datetimes as SQLAlchemy returns them (datetime objects) → datetime64."""
    return pd.to_datetime(s)


def _parse_iso(values: np.ndarray, unit: str) -> np.ndarray:
    """ISO date/datetime text (None = missing) → datetime64[ns]; numpy parses it in C."""
    try:
        return np.array(values, dtype=f"datetime64[{unit}]").astype("datetime64[ns]")
    except (ValueError, TypeError):  # text written by another tool: let pandas guess
        return pd.to_datetime(pd.Series(values, dtype=object), format="mixed").to_numpy(
            "datetime64[ns]"
        )


def _int_or_float(col: np.ndarray, dtype: str) -> Any:
    """Object column of numbers/None → Int64 (masked) or float64 (NaN) without inference."""
    missing = np.equal(col, None)  # type: ignore[call-overload]  # object arrays: None compares
    if dtype == "Int64":
        values = np.where(missing, 0, col).astype(np.int64)
        return pd.arrays.IntegerArray(values, missing)
    return np.where(missing, np.nan, col).astype(np.float64)


def _typed_column(col: np.ndarray, name: str) -> Any:
    """One driver column in the dtype conform() gives it, or None when it is not known here.

    Text stays the driver's str/None objects; "category" gets the sorted categories of
    the values present, as conform() does. The store tests check load() == conform(load()).
    """
    dtype = DTYPES.get(name, "str")
    if name in DATE_COLUMNS:
        return _parse_iso(col, "D")
    if dtype == "datetime64[ns]":
        return _parse_iso(col, "us")
    if dtype == "str":
        return pd.Series(col, dtype=object)
    if dtype == "bool":
        return col.astype(bool)
    if dtype in ("Int64", "float64"):
        return _int_or_float(col, dtype)
    if dtype == "category":
        codes, uniques = pd.factorize(col, sort=True)
        return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object))
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Categorical(col, dtype=dtype)
    return None


def _columns_to_frame(columns: list[np.ndarray], names: list[str], kind: str) -> pd.DataFrame:
    """Driver columns → the canonical frame, each column built straight into its final dtype.

    Letting pandas infer object columns and conform() convert them again costs about
    twice as much, and 100,000 directives must load in under a second. A dtype not known
    here (DTYPES changed) falls back to conform() for the whole frame.
    """
    data: dict[str, Any] = {}
    fallback = False
    for name, col in zip(names, columns, strict=True):
        if name == "snapshot_id":
            data[name] = _int_or_float(col, "Int64")
        elif name == "created_at":
            data[name] = pd.Series(_parse_iso(col, "us")).dt.tz_localize("UTC")
        else:
            typed = _typed_column(col, name)
            fallback |= typed is None
            data[name] = pd.Series(col, dtype=object) if typed is None else typed
    df = pd.DataFrame(data, columns=names)
    if fallback:
        canon = [c for c in names if c in COLUMNS[kind]]
        df[canon] = canonical_frame(df[canon], kind)[canon]
    return df


def _db_values(s: pd.Series, name: str, dialect: str) -> list | np.ndarray:
    """One conformed column as driver-ready Python values (None for missing)."""
    dtype = DTYPES.get(name, "str")
    if dtype == "datetime64[ns]":
        arr = s.to_numpy(dtype="datetime64[ns]")
        if dialect == "sqlite":  # the text format SQLAlchemy's SQLite Date/DateTime use
            if name in DATE_COLUMNS:
                out = np.datetime_as_string(arr, unit="D").tolist()
            else:
                out = np.char.replace(np.datetime_as_string(arr, unit="us"), "T", " ").tolist()
            for i in np.flatnonzero(np.isnat(arr)).tolist():
                out[i] = None
            return out
        unit = "datetime64[D]" if name in DATE_COLUMNS else "datetime64[us]"
        return arr.astype(unit).astype(object).tolist()  # date/datetime, NaT → None
    if dtype == "bool":
        return s.astype(bool).tolist()
    if dtype == "float64":
        arr = s.to_numpy(dtype="float64", na_value=np.nan)
        if name in MONEY_COLUMNS:
            arr = np.round(arr, 2)
        return [None if v != v else v for v in arr.tolist()]  # NaN → None
    if dtype == "Int64":
        return [None if v is pd.NA else int(v) for v in s.astype(object).tolist()]
    return s.astype(object).where(s.notna(), None).tolist()


def _arrow_datetime(col: pa.ChunkedArray, name: str) -> np.ndarray:
    """A date/datetime column as datetime64[ns]: native Arrow dates and timestamps as they
    are, ISO text parsed by Arrow (in C); text Arrow refuses goes through ``_parse_iso``."""
    unit = "D" if name in DATE_COLUMNS else "us"
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        try:
            col = pc.cast(col, pa.date32() if unit == "D" else pa.timestamp("us"))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return _parse_iso(col.to_numpy(zero_copy_only=False), unit)
    elif pa.types.is_null(col.type):  # SQLite: a column with no value at all
        return np.full(len(col), np.datetime64("NaT"), dtype="datetime64[ns]")
    if pa.types.is_timestamp(col.type) and col.type.tz is not None:
        col = pc.cast(col, pa.timestamp(col.type.unit))  # naive UTC, as the store writes
    return col.to_numpy(zero_copy_only=False).astype("datetime64[ns]")


def _arrow_codes(col: pa.ChunkedArray, categories: pa.Array) -> np.ndarray:
    """Positions of the values of ``col`` in ``categories`` (-1: missing or not among them)."""
    codes = pc.index_in(col, value_set=categories)
    return pc.fill_null(codes, -1).to_numpy().astype(np.int64)


def _dictionary(col: pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """(values, codes) of a dictionary-encoded column: codes index values, -1 is missing."""
    if col.num_chunks == 0:
        return pa.array([], type=pa.string()), np.empty(0, dtype=np.int64)
    col = col.unify_dictionaries()
    codes = [pc.fill_null(c.indices, -1).to_numpy(zero_copy_only=False) for c in col.chunks]
    return col.chunk(0).dictionary, np.concatenate(codes).astype(np.int64)


def _recode(codes: np.ndarray, mapping: np.ndarray) -> np.ndarray:
    """``codes`` through ``mapping`` (code i becomes mapping[i]; -1 stays -1)."""
    if not len(mapping):
        return np.full(len(codes), -1, dtype=np.int64)
    return np.where(codes < 0, -1, mapping[np.maximum(codes, 0)])


def _arrow_text(col: pa.ChunkedArray, dtype: object) -> Any:
    """A text column (plain or dictionary-encoded) as conform() types it, or None."""
    if pa.types.is_dictionary(col.type):
        values, codes = _dictionary(col)
        if not pa.types.is_string(values.type):
            return None
        if dtype == "str":  # one str object per distinct value, shared by its rows
            objs = values.to_numpy(zero_copy_only=False)
            out = np.full(len(codes), None, dtype=object)
            hit = codes >= 0
            out[hit] = objs[codes[hit]]
            return pd.Series(out, dtype=object)
    elif pa.types.is_string(col.type):
        if dtype == "str":
            return pd.Series(col.to_numpy(zero_copy_only=False), dtype=object)
        values = pc.unique(col).drop_null()
        codes = _arrow_codes(col, values)
    else:
        return None
    if dtype == "category":  # the sorted values present (UTF-8 order is str order)
        order = pc.sort_indices(values).to_numpy()
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        cats = pd.Index(values.take(order).to_numpy(zero_copy_only=False), dtype=object)
        return pd.Categorical.from_codes(_recode(codes, rank), categories=cats)
    assert isinstance(dtype, pd.CategoricalDtype)  # a fixed list (status)
    known = pa.array(list(dtype.categories), type=pa.string())
    mapping = pc.fill_null(pc.index_in(values, value_set=known), -1).to_numpy()
    return pd.Categorical.from_codes(_recode(codes, mapping.astype(np.int64)), dtype=dtype)


def _is_text(dtype: object) -> bool:
    return dtype in ("str", "category") or isinstance(dtype, pd.CategoricalDtype)


def _arrow_column(col: pa.ChunkedArray, name: str) -> Any:
    """One Arrow column in the dtype conform() gives it (see ``_typed_column``), or None."""
    dtype = DTYPES.get(name, "str")
    if dtype == "datetime64[ns]":
        return _arrow_datetime(col, name)
    if _is_text(dtype):
        return _arrow_text(col, dtype)
    if dtype == "bool":
        return col.to_numpy(zero_copy_only=False).astype(bool)
    if dtype in ("Int64", "float64"):
        if not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)):
            return None
        if dtype == "float64":
            return pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False)
        missing = col.is_null().to_numpy(zero_copy_only=False)
        values = pc.fill_null(col, 0).to_numpy().astype(np.int64)
        return pd.arrays.IntegerArray(values, missing)
    return None


def compact_batch(
    batch: pa.RecordBatch, names: list[str], encode: dict[str, bool]
) -> pa.RecordBatch:
    """A batch of driver columns made small to keep until the whole table is read: dates
    and datetimes as timestamp[ns] (parsed once), text with few distinct values
    dictionary-encoded (categories always; other text when the first batch has at most one
    distinct value in two rows: ``encode`` remembers the choice for later batches)."""
    arrays = []
    for name, col in zip(names, batch.columns, strict=True):
        dtype = DTYPES.get(name, "str")
        if dtype == "datetime64[ns]":
            col = pa.array(_arrow_datetime(col, name), type=pa.timestamp("ns"))
        elif _is_text(dtype) and pa.types.is_string(col.type):
            encoded = pc.dictionary_encode(col)
            if name not in encode:
                encode[name] = dtype != "str" or 2 * len(encoded.dictionary) <= len(col)
            col = encoded if encode[name] else col
        arrays.append(col)
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _arrow_to_frame(columns: list[pa.ChunkedArray], names: list[str], kind: str) -> pd.DataFrame:
    """Arrow columns → the canonical frame, as ``_columns_to_frame`` builds it from driver
    tuples (same values and dtypes); ``columns`` is emptied as it goes, so each Arrow
    column is freed once typed. A column not known here is typed by ``_columns_to_frame``."""
    data: dict[str, Any] = {}
    for name in names:
        col = columns.pop(0)
        typed = _arrow_column(col, name)
        if typed is None:
            if pa.types.is_dictionary(col.type):
                col = pc.cast(col, col.type.value_type)
            typed = _columns_to_frame([col.to_numpy(zero_copy_only=False)], [name], kind)[name]
        data[name] = typed
        del col
    return pd.DataFrame(data, columns=names)
