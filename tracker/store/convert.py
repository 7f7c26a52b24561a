"""Table rows between the database driver and the canonical frames: driver columns built
straight into the dtypes ``conform()`` gives (loading), and frame columns as driver-ready
values (writing).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

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
