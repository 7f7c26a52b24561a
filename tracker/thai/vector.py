"""Vectorised parsing (docs/domain.md §4): whole columns of dates and numbers via Arrow.

The ``*_series`` parsers never raise: they return the parsed column plus a boolean mask of
invalid non-missing cells, so ``validate`` can turn each one into an Issue with its row and
column. Each distinct value is parsed once; the common numeric forms go through Arrow compute
kernels and the rest falls back to the scalar parsers, so both paths read a value the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tracker.thai.dates import (
    _BKK,
    _DMY_FAST,
    _YMD_FAST,
    EXCEL_EPOCH,
    SERIAL_MAX,
    SERIAL_MIN,
    YEAR_MAX,
    YEAR_MIN,
    _parse_datetime_text,
    parse_datetime,
)
from tracker.thai.numeric import parse_decimal, parse_int
from tracker.thai.text import _INVISIBLE, _SPACE_LIKE, _SPECIAL_CHARS, THAI_DIGITS


def _pa_norm(values: np.ndarray | list[str]) -> pa.Array:
    """Arrow array of the values with Thai digits, invisible characters and edges cleaned."""
    arr = pa.array(values, type=pa.string())
    if pc.any(pc.match_substring_regex(arr, _SPECIAL_CHARS)).as_py():
        for th, ar in zip(THAI_DIGITS, "0123456789", strict=True):
            arr = pc.replace_substring(arr, th, ar)
        for ch in _INVISIBLE:
            arr = pc.replace_substring(arr, ch, "")
        for ch in _SPACE_LIKE:
            arr = pc.replace_substring(arr, ch, " ")
    return pc.utf8_trim_whitespace(arr)


def _pa_missing(arr: pa.Array) -> np.ndarray:
    return pc.match_substring_regex(arr, r"^[-‐‑‒–—―−]*$").to_numpy(zero_copy_only=False)


def _field(struct: pa.Array, name: str, fill: int = -1) -> np.ndarray:
    """Integer numpy array of one extracted group ("" or null → fill)."""
    col = pc.struct_field(struct, name)
    col = pc.if_else(pc.equal(col, ""), None, col)
    return pc.fill_null(pc.cast(col, pa.int64()), fill).to_numpy(zero_copy_only=False)


def _uniques(series: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(codes, unique values as objects, positions of the text uniques) of a column."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    uvals = np.asarray(uniques, dtype=object)
    if isinstance(series.dtype, pd.StringDtype):
        return codes, uvals, np.ones(len(uvals), dtype=bool)
    is_str = np.fromiter((isinstance(v, str) for v in uvals), dtype=bool, count=len(uvals))
    return codes, uvals, is_str


def _spread(
    codes: np.ndarray, values: np.ndarray, bad: np.ndarray, missing_value: object, index: pd.Index
) -> tuple[np.ndarray, pd.Series]:
    """Map per-unique results back to the rows."""
    out = values[np.maximum(codes, 0)] if len(values) else np.full(len(codes), missing_value)
    out = out.copy()
    out[codes < 0] = missing_value
    invalid = bad[np.maximum(codes, 0)] if len(bad) else np.zeros(len(codes), dtype=bool)
    invalid = invalid & (codes >= 0)
    return out, pd.Series(invalid, index=index, dtype=bool)


def _infer_dayfirst(st: pa.StructArray) -> bool:
    """Column-wide day/month order from numeric a/b/y dates with CE years (BE → day first)."""
    ytxt = pc.struct_field(st, "y")
    y = pc.cast(ytxt, pa.int64()).to_numpy(zero_copy_only=False)
    ce = (pc.utf8_length(ytxt).to_numpy(zero_copy_only=False) == 4) & (y < 2400)
    if (_field(st, "a")[ce] > 12).any():
        return True
    return not (_field(st, "b")[ce] > 12).any()


def _fast_datetimes(
    norm: pa.Array, dayfirst: bool | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Vectorised numeric forms: (datetime64[ns] values, invalid, resolved, dayfirst used).

    ``dayfirst=None`` is inferred from the numeric day/month/year values of the column.
    """
    n = len(norm)
    values = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    bad = np.zeros(n, dtype=bool)
    resolved = _pa_missing(norm).copy()

    # Excel serials (8 digits are YYYYMMDD: left to the scalar parser).
    is_num = pc.match_substring_regex(norm, r"^[0-9]+(\.[0-9]+)?$").to_numpy(zero_copy_only=False)
    is_num &= ~pc.match_substring_regex(norm, r"^[0-9]{8}$").to_numpy(zero_copy_only=False)
    if is_num.any():
        idx = np.flatnonzero(is_num)
        v = pc.cast(norm.take(pa.array(idx)), pa.float64()).to_numpy(zero_copy_only=False)
        in_range = (v >= SERIAL_MIN) & (v <= SERIAL_MAX)
        secs = np.round(np.where(in_range, v, 0) * 86400).astype("int64")
        dts = np.datetime64(EXCEL_EPOCH, "ns") + secs.astype("timedelta64[s]")
        values[idx[in_range]] = dts[in_range]
        bad[idx[~in_range]] = True
        resolved[idx] = True

    for pattern, kind in ((_DMY_FAST, "dmy"), (_YMD_FAST, "ymd")):
        todo = ~resolved
        if not todo.any():
            break
        idx = np.flatnonzero(todo)
        st = pc.extract_regex(norm.take(pa.array(idx)), pattern)
        ok = pc.is_valid(st).to_numpy(zero_copy_only=False)
        if not ok.any():
            continue
        idx = idx[ok]
        st = st.filter(pa.array(ok))
        if kind == "dmy" and dayfirst is None:
            dayfirst = _infer_dayfirst(st)
        ytxt = pc.struct_field(st, "y")
        y = pc.cast(ytxt, pa.int64()).to_numpy(zero_copy_only=False)
        two = pc.utf8_length(ytxt).to_numpy(zero_copy_only=False) == 2
        year = np.where(two, 2500 + y - 543, np.where(y >= 2400, y - 543, y))
        year_ok = (two | (y >= 1900)) & (year >= YEAR_MIN) & (year <= YEAR_MAX)
        if kind == "dmy":
            a, b = _field(st, "a"), _field(st, "b")
            ce = ~two & (y < 2400)
            if dayfirst:
                day, month = a.copy(), b.copy()
                swap = ce & (month > 12) & (day <= 12)
            else:
                day, month = np.where(ce, b, a), np.where(ce, a, b)
                swap = ce & (month > 12) & (day <= 12)
            day, month = np.where(swap, month, day), np.where(swap, day, month)
        else:
            month, day = _field(st, "b"), _field(st, "c")
        hh, mm, ss = _field(st, "H", 0), _field(st, "M", 0), _field(st, "S", 0)
        time_ok = (hh <= 23) & (mm <= 59) & (ss <= 59)
        ok_parts = year_ok & time_ok & (month >= 1) & (month <= 12) & (day >= 1)
        frame = pd.DataFrame(
            {
                "year": np.where(ok_parts, year, 2000),
                "month": np.where(ok_parts, month, 1),
                "day": np.where(ok_parts, day, 1),
            }
        )
        dates = pd.to_datetime(frame, errors="coerce").to_numpy(dtype="datetime64[ns]")
        good = ok_parts & ~np.isnat(dates)
        stamp = (
            dates
            + hh.astype("timedelta64[h]")
            + mm.astype("timedelta64[m]")
            + ss.astype("timedelta64[s]")
        )
        values[idx[good]] = stamp[good]
        bad[idx[~good]] = True
        resolved[idx] = True
    return values, bad, resolved, True if dayfirst is None else dayfirst


def _datetime_column(series: pd.Series, dayfirst: bool | None) -> tuple[np.ndarray, pd.Series]:
    """Shared body of parse_datetime_series: datetime64[ns] values and the invalid mask."""
    n = len(series)
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        local = series.dt.tz_convert(_BKK).dt.tz_localize(None)
        return local.to_numpy(dtype="datetime64[ns]"), pd.Series(False, index=series.index)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series.to_numpy(dtype="datetime64[ns]"), pd.Series(False, index=series.index)
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        v = series.to_numpy(dtype="float64", na_value=np.nan)
        missing = np.isnan(v)
        in_range = (v >= SERIAL_MIN) & (v <= SERIAL_MAX)
        secs = np.round(np.where(in_range, v, 0) * 86400).astype("int64")
        values = np.datetime64(EXCEL_EPOCH, "ns") + secs.astype("timedelta64[s]")
        values[~in_range] = np.datetime64("NaT")
        return values, pd.Series(~missing & ~in_range, index=series.index, dtype=bool)

    codes, uvals, is_str = _uniques(series)
    values = np.full(len(uvals), np.datetime64("NaT"), dtype="datetime64[ns]")
    bad = np.zeros(len(uvals), dtype=bool)
    for i in np.flatnonzero(~is_str):
        try:
            dt = parse_datetime(uvals[i], dayfirst=True if dayfirst is None else dayfirst)
        except (ValueError, OverflowError):
            bad[i] = True
            continue
        if dt is not None:
            values[i] = np.datetime64(dt, "ns")
    sidx = np.flatnonzero(is_str)
    if len(sidx):
        norm = _pa_norm(uvals[sidx])
        v, b, resolved, first = _fast_datetimes(norm, dayfirst)
        values[sidx] = v
        bad[sidx] = b
        rest = np.flatnonzero(~resolved)
        if len(rest):
            texts = norm.take(pa.array(rest)).to_pylist()
            for j, t in zip(rest, texts, strict=True):
                try:
                    values[sidx[j]] = np.datetime64(
                        _parse_datetime_text(" ".join(t.split()), first), "ns"
                    )
                except ValueError:
                    bad[sidx[j]] = True
    out, invalid = _spread(codes, values, bad, np.datetime64("NaT"), series.index)
    assert len(out) == n
    return out.astype("datetime64[ns]"), invalid


def parse_datetime_series(
    series: pd.Series, dayfirst: bool | None = None
) -> tuple[pd.Series, pd.Series]:
    """Vectorised ``parse_datetime``: (datetime64[ns] with NaT, mask of invalid non-missing cells).

    With ``dayfirst=None`` the day/month order is inferred for the whole column: a CE-year
    value whose first part is > 12 → day first; else one whose second part is > 12 → month
    first; otherwise (and for BE years) day first.
    """
    values, invalid = _datetime_column(series, dayfirst)
    return pd.Series(values, index=series.index, name=series.name), invalid


def parse_date_series(
    series: pd.Series, dayfirst: bool | None = None
) -> tuple[pd.Series, pd.Series]:
    """Vectorised ``parse_date``: midnight datetime64[ns] values and the invalid mask."""
    values, invalid = _datetime_column(series, dayfirst)
    days = values.astype("datetime64[D]").astype("datetime64[ns]")
    return pd.Series(days, index=series.index, name=series.name), invalid


_FAST_DECIMAL = r"^[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?$"


def parse_decimal_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised ``parse_decimal`` → (float64 with NaN, mask of invalid non-missing cells)."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        v = series.to_numpy(dtype="float64", na_value=np.nan)
        bad = np.isinf(v)
        v = np.where(bad, np.nan, v)
        return (
            pd.Series(v, index=series.index, name=series.name, dtype="float64"),
            pd.Series(bad, index=series.index, dtype=bool),
        )
    codes, uvals, is_str = _uniques(series)
    values = np.full(len(uvals), np.nan, dtype="float64")
    bad = np.zeros(len(uvals), dtype=bool)
    todo: list[tuple[int, object]] = [(int(i), uvals[i]) for i in np.flatnonzero(~is_str)]
    sidx = np.flatnonzero(is_str)
    if len(sidx):
        norm = _pa_norm(uvals[sidx])
        fast = pc.match_substring_regex(norm, _FAST_DECIMAL).to_numpy(zero_copy_only=False)
        if fast.any():
            fi = np.flatnonzero(fast)
            nums = pc.replace_substring(norm.take(pa.array(fi)), ",", "")
            values[sidx[fi]] = pc.cast(nums, pa.float64()).to_numpy(zero_copy_only=False)
        missing = _pa_missing(norm)
        rest = np.flatnonzero(~fast & ~missing)
        texts = norm.take(pa.array(rest)).to_pylist() if len(rest) else []
        todo.extend((int(sidx[j]), t) for j, t in zip(rest, texts, strict=True))
    for i, v in todo:
        try:
            d = parse_decimal(v)
        except ValueError:
            bad[i] = True
            continue
        if d is not None:
            values[i] = float(d)
    out, invalid = _spread(codes, values, bad, np.nan, series.index)
    return pd.Series(out, index=series.index, name=series.name, dtype="float64"), invalid


def parse_int_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised ``parse_int`` → (Int64 with <NA>, mask of invalid non-missing cells)."""
    codes, uvals, is_str = _uniques(series)
    values = np.zeros(len(uvals), dtype="int64")
    has = np.zeros(len(uvals), dtype=bool)
    bad = np.zeros(len(uvals), dtype=bool)
    todo: list[tuple[int, object]] = [(int(i), uvals[i]) for i in np.flatnonzero(~is_str)]
    sidx = np.flatnonzero(is_str)
    if len(sidx):
        norm = _pa_norm(uvals[sidx])
        fast = pc.match_substring_regex(norm, r"^[+-]?[0-9]{1,18}(?:\.0+)?$").to_numpy(
            zero_copy_only=False
        )
        if fast.any():
            fi = np.flatnonzero(fast)
            nums = pc.replace_substring_regex(norm.take(pa.array(fi)), r"\.0+$", "")
            values[sidx[fi]] = pc.cast(nums, pa.int64()).to_numpy(zero_copy_only=False)
            has[sidx[fi]] = True
        missing = _pa_missing(norm)
        rest = np.flatnonzero(~fast & ~missing)
        texts = norm.take(pa.array(rest)).to_pylist() if len(rest) else []
        todo.extend((int(sidx[j]), t) for j, t in zip(rest, texts, strict=True))
    for i, v in todo:
        try:
            n = parse_int(v)
        except ValueError:
            bad[i] = True
            continue
        if n is not None:
            if not -(2**63) <= n < 2**63:
                bad[i] = True
                continue
            values[i] = n
            has[i] = True
    pos = np.maximum(codes, 0)
    present = has[pos] & (codes >= 0) if len(has) else np.zeros(len(codes), dtype=bool)
    ints = values[pos] if len(values) else np.zeros(len(codes), dtype="int64")
    result = pd.Series(pd.arrays.IntegerArray(ints, ~present), index=series.index, name=series.name)
    invalid = (bad[pos] & (codes >= 0)) if len(bad) else np.zeros(len(codes), dtype=bool)
    return result, pd.Series(invalid, index=series.index, dtype=bool)
