"""The checks across rows: bad user data becomes Issues (messages.problems), never exceptions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from messages.problems import Issue, issue

# Rows listed per issue code in one table; the rows beyond are counted in one "more_rows" line
# (a million rows with the same mistake must not become a million messages).
MAX_LISTED = 1000


# The one factory of Issues (messages.problems.issue), under the name the checks use.
make_issue = issue


def listed(indices: Any) -> tuple[np.ndarray, int]:
    """The first MAX_LISTED of ``indices`` (array-like) and how many are left out."""
    idx = np.asarray(indices)
    return idx[:MAX_LISTED], max(len(idx) - MAX_LISTED, 0)


def more_rows(severity: str, code: str, n: int, **where: Any) -> list[Issue]:
    """[] or the one line saying ``n`` more rows have the same problem as code ``code``."""
    if n <= 0:
        return []
    return [make_issue(severity, "more_rows", value=code, n=f"{n:,}", **where)]


# The report's columns, in order (upload page, downloads, CLI): the fields of an Issue.
ISSUE_COLUMNS: tuple[str, ...] = (
    "severity",
    "code",
    "file",
    "sheet",
    "row",
    "column",
    "value",
    "message_th",
    "message_en",
)


def issues_frame(issues: Iterable[Issue]) -> pd.DataFrame:
    """The one report table with fixed columns (upload page, downloads, CLI)."""
    return pd.DataFrame([i.to_dict() for i in issues], columns=list(ISSUE_COLUMNS))


def has_errors(issues: Iterable[Issue]) -> bool:
    return any(i.severity == "error" for i in issues)


# --- cross-row checks on normalised frames -----------------------------------------------------


def _at(df: pd.DataFrame, i: int) -> dict:
    return {
        "file": df["source"].iat[i] or "",
        "sheet": df["sheet"].iat[i] or "",
        "row": None if pd.isna(df["row"].iat[i]) else int(df["row"].iat[i]),
    }


def check_directives(df: pd.DataFrame, known_agency: pd.Series | None = None) -> list[Issue]:
    """Duplicates, due before issue, fiscal year against issue date, unknown agencies."""
    from tracker.thai import fiscal_year_series

    issues: list[Issue] = []
    ids = df["directive_id"]
    dup = ids.notna() & ids.duplicated(keep=False)
    shown, more = listed(dup.to_numpy().nonzero()[0])
    if len(shown):
        dup_ids = set(ids.iloc[shown])
        sub = df.loc[dup & ids.isin(dup_ids), ["directive_id", "row"]]
        rows_of = sub.groupby("directive_id", sort=False)["row"].agg(
            lambda r: ", ".join(r.astype("string").head(20).tolist())
        )
    for i in shown:
        issues.append(
            make_issue(
                "error",
                "duplicate_id",
                **_at(df, i),
                column_key="directive_id",
                value=ids.iat[i],
                rows=rows_of[ids.iat[i]],
            )
        )
    issues += more_rows("error", "duplicate_id", more, column_key="directive_id")
    early = (df["due_date"] < df["issued_date"]).fillna(False)
    shown, more = listed(early.to_numpy().nonzero()[0])
    issues += more_rows("error", "due_before_issue", more, column_key="due_date")
    for i in shown:
        issues.append(
            make_issue(
                "error",
                "due_before_issue",
                **_at(df, i),
                column_key="due_date",
                value=str(df["due_date"].iat[i].date()),
                issued=str(df["issued_date"].iat[i].date()),
            )
        )
    fy_of_date = fiscal_year_series(df["issued_date"])
    wrong = fy_of_date.notna() & df["fiscal_year"].notna() & (fy_of_date != df["fiscal_year"])
    shown, more = listed(wrong.fillna(False).to_numpy().nonzero()[0])
    issues += more_rows("error", "fiscal_year_mismatch", more, column_key="fiscal_year")
    for i in shown:
        issues.append(
            make_issue(
                "error",
                "fiscal_year_mismatch",
                **_at(df, i),
                column_key="fiscal_year",
                value=int(df["fiscal_year"].iat[i]),
                expected=int(fy_of_date.iat[i]),
            )
        )
    if known_agency is not None:
        unknown = df["agency"].notna() & ~known_agency.to_numpy()
        seen: set[str] = set()
        for i in unknown.to_numpy().nonzero()[0]:
            name = df["agency"].iat[i]
            if name not in seen:  # once per name, at its first row
                seen.add(name)
                issues.append(
                    make_issue(
                        "warning", "unknown_agency", **_at(df, i), column_key="agency", value=name
                    )
                )
    return issues


# What the databases refuse, checked before anything is published so that whatever validates
# publishes the same on SQLite and PostgreSQL (PostgreSQL refuses NUL in text, amounts beyond
# NUMERIC(18,2), integers beyond 32 bits and infinite numbers).
MAX_AMOUNT = 10**16  # NUMERIC(18, 2): 16 digits before the point
INT32 = (-(2**31), 2**31 - 1)


def _has_nul(values: pd.Series) -> np.ndarray:
    """Which text cells hold a NUL character (Arrow kernel: ~1 ms per 100,000 cells)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowException, TypeError):  # not all text: check cell by cell
        return values.map(lambda v: isinstance(v, str) and "\x00" in v).to_numpy(dtype=bool)
    found = pc.fill_null(pc.match_substring(arr, "\x00"), False)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def _text_has_nul(col: pd.Series) -> np.ndarray:
    """``_has_nul`` of a text column (object or categorical), without a pass over 100,000
    string objects when none holds a NUL: a categorical's categories are checked once each,
    and an object column is first searched as joined strings (one C pass per 50,000 cells)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        categories = col.cat.categories
        found = _has_nul(pd.Series(np.asarray(categories, dtype=object), dtype=object))
        if not found.any():
            return np.zeros(len(col), dtype=bool)
        return np.append(found, False)[col.cat.codes.to_numpy()]  # code -1 (missing): False
    values = col.to_numpy(dtype=object)
    present = values[~pd.isna(values)]
    for start in range(0, len(present), _JOIN_ROWS):  # a few MB joined at a time, not 1M cells
        try:
            nul = "\x00" in "".join(present[start : start + _JOIN_ROWS])
        except TypeError:  # not all text
            nul = True
        if nul:
            return _has_nul(pd.Series(values, dtype=object))
    return np.zeros(len(col), dtype=bool)


_JOIN_ROWS = 50_000


def check_storable(kind: str, df: pd.DataFrame) -> list[Issue]:
    """Cells of a canonical frame that a database would refuse, one issue each (capped)."""
    issues: list[Issue] = []
    if df.empty:
        return issues
    mask: Any
    for column in df.columns:
        if column in ("source", "sheet"):
            continue
        col = df[column]
        kind_of = col.dtype
        if isinstance(kind_of, pd.CategoricalDtype) or pd.api.types.is_object_dtype(kind_of):
            dtype = "str"
        elif pd.api.types.is_float_dtype(kind_of):
            dtype = "float64"
        elif pd.api.types.is_integer_dtype(kind_of):
            dtype = "Int64"
        else:
            continue
        if dtype == "str":
            mask = _text_has_nul(col)
            code, shown_values = "nul_character", col
        elif dtype == "float64":
            arr = col.to_numpy(dtype="float64", na_value=np.nan)
            limit = MAX_AMOUNT if column in ("allocated", "disbursed") else np.inf
            with np.errstate(invalid="ignore"):
                mask = np.isinf(arr) | (np.abs(arr) >= limit)
            code, shown_values = "number_out_of_range", col
        elif dtype == "Int64":
            arr = col.to_numpy(dtype="float64", na_value=np.nan)
            with np.errstate(invalid="ignore"):
                mask = (arr < INT32[0]) | (arr > INT32[1])
            code, shown_values = "number_out_of_range", col
        else:
            continue
        if not mask.any():
            continue
        shown, more = listed(np.flatnonzero(mask))
        for i in shown:
            value = shown_values.iat[i]
            text = str(value).replace("\x00", "\u2400")[:200] if value is not None else ""
            issues.append(make_issue("error", code, **_at(df, i), column_key=column, value=text))
        issues += more_rows("error", code, more, column_key=column)
    return issues
