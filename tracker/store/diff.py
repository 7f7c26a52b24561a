"""What changed between two datasets (pure: frames in, frames out; no database)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from tracker.dataset import COLUMNS, DTYPES, conform, empty_frame

DIRECTIVE_KEY: tuple[str, ...] = ("directive_id",)
KPI_KEY: tuple[str, ...] = ("unit", "fiscal_year", "period", "kpi")
BUDGET_KEY: tuple[str, ...] = ("unit", "fiscal_year", "as_of", "budget_type")

PROVENANCE_COLUMNS: tuple[str, ...] = ("source", "sheet", "row")
# Value columns compared for KPI and budget rows: everything but the key and where it was read.
KPI_VALUES: tuple[str, ...] = tuple(
    c for c in COLUMNS["kpis"] if c not in KPI_KEY and c not in PROVENANCE_COLUMNS
)
BUDGET_VALUES: tuple[str, ...] = tuple(
    c for c in COLUMNS["budget"] if c not in BUDGET_KEY and c not in PROVENANCE_COLUMNS
)

# Columns shown for an added/removed directive.
DIRECTIVE_BRIEF: tuple[str, ...] = (
    "directive_id",
    "fiscal_year",
    "round",
    "agency",
    "group",
    "status",
    "due_date",
    "text",
)

DIFF_KEYS: tuple[str, ...] = (
    "directives_added",
    "directives_removed",
    "status_changed",
    "due_date_changed",
    "kpis_changed",
    "budget_changed",
)


def canonical_frame(df: pd.DataFrame | None, kind: str) -> pd.DataFrame:
    """``df`` conformed to ``kind``: canonical columns only (missing ones empty), fresh index."""
    if df is None:
        return empty_frame(kind)
    cols = list(COLUMNS[kind])
    # conform() fills a missing column with pd.NA, which float/datetime casts reject; NaN works.
    missing = {c: False if DTYPES.get(c) == "bool" else np.nan for c in cols if c not in df.columns}
    full = df.assign(**missing) if missing else df
    return conform(full[cols].reset_index(drop=True), kind)


def _frame(frames: Mapping[str, pd.DataFrame] | None, kind: str) -> pd.DataFrame:
    return canonical_frame(frames.get(kind) if frames else None, kind)


def _by_key(df: pd.DataFrame, key: tuple[str, ...]) -> pd.DataFrame:
    """Rows with a complete key, the last one winning when a key repeats."""
    return df.dropna(subset=list(key)).drop_duplicates(list(key), keep="last")


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    """Element-wise equality where missing == missing."""
    a_obj, b_obj = a.astype(object), b.astype(object)
    both_na = a.isna().to_numpy() & b.isna().to_numpy()
    eq = (a_obj == b_obj).fillna(False).astype(bool).to_numpy()
    return pd.Series(eq | both_na, index=a.index)


def _directive_changes(old: pd.DataFrame, new: pd.DataFrame, column: str) -> pd.DataFrame:
    """Directives present in both whose ``column`` differs: id, agency, old and new value."""
    m = _by_key(old, DIRECTIVE_KEY)[["directive_id", column]].merge(
        _by_key(new, DIRECTIVE_KEY)[["directive_id", "agency", column]],
        on="directive_id",
        suffixes=("_old", "_new"),
    )
    changed = m[~_same(m[f"{column}_old"], m[f"{column}_new"])]
    cols = ["directive_id", "agency", f"{column}_old", f"{column}_new"]
    return changed[cols].sort_values("directive_id", kind="stable").reset_index(drop=True)


def _row_changes(
    old: pd.DataFrame, new: pd.DataFrame, key: tuple[str, ...], values: tuple[str, ...]
) -> pd.DataFrame:
    """Keyed rows added, removed or with a different value: key, change, columns, old/new."""
    o = _by_key(old, key)[[*key, *values]]
    n = _by_key(new, key)[[*key, *values]]
    m = o.merge(n, on=list(key), how="outer", suffixes=("_old", "_new"), indicator=True)
    changed_cols: list[str] = []
    kinds: list[str] = []
    diffs = {v: ~_same(m[f"{v}_old"], m[f"{v}_new"]) for v in values}
    for i, where in enumerate(m["_merge"].astype(str)):
        if where == "left_only":
            kinds.append("removed")
            changed_cols.append("")
        elif where == "right_only":
            kinds.append("added")
            changed_cols.append("")
        else:
            cols = [v for v in values if diffs[v].iat[i]]
            kinds.append("changed" if cols else "")
            changed_cols.append(", ".join(cols))
    m["change"] = kinds
    m["columns"] = changed_cols
    m = m[m["change"] != ""]
    out_cols = [*key, "change", "columns"]
    for v in values:
        out_cols += [f"{v}_old", f"{v}_new"]
    return m[out_cols].sort_values(list(key), kind="stable").reset_index(drop=True)


def diff_frames(
    old: Mapping[str, pd.DataFrame] | None, new: Mapping[str, pd.DataFrame] | None
) -> dict[str, pd.DataFrame]:
    """Changes from ``old`` to ``new`` (canonical frame dicts; either may be empty/None).

    Keys: directives_added / directives_removed (brief columns), status_changed and
    due_date_changed (directive_id, agency, <col>_old, <col>_new), kpis_changed and
    budget_changed (key columns, change = added/removed/changed, columns, <v>_old/<v>_new).
    """
    od, nd = _frame(old, "directives"), _frame(new, "directives")
    o_ids = set(_by_key(od, DIRECTIVE_KEY)["directive_id"])
    n_ids = set(_by_key(nd, DIRECTIVE_KEY)["directive_id"])
    added = _by_key(nd, DIRECTIVE_KEY)
    added = added[added["directive_id"].isin(n_ids - o_ids)][list(DIRECTIVE_BRIEF)]
    removed = _by_key(od, DIRECTIVE_KEY)
    removed = removed[removed["directive_id"].isin(o_ids - n_ids)][list(DIRECTIVE_BRIEF)]
    return {
        "directives_added": added.reset_index(drop=True),
        "directives_removed": removed.reset_index(drop=True),
        "status_changed": _directive_changes(od, nd, "status"),
        "due_date_changed": _directive_changes(od, nd, "due_date"),
        "kpis_changed": _row_changes(_frame(old, "kpis"), _frame(new, "kpis"), KPI_KEY, KPI_VALUES),
        "budget_changed": _row_changes(
            _frame(old, "budget"), _frame(new, "budget"), BUDGET_KEY, BUDGET_VALUES
        ),
    }


def row_hashes(df: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Each row's values as one 64-bit hash (missing equals missing; categories by value).

    Amounts are compared at the precision the store keeps (satang), other numbers at 6
    decimals, so a row read back from either database hashes as it did before publishing.
    """
    if df.empty:
        return pd.Series([], dtype=np.uint64, index=df.index)
    data = {}
    for c in columns:
        col = df[c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype(object)
        if DTYPES.get(c) == "float64":
            col = col.astype("float64").round(2 if c in ("allocated", "disbursed") else 6)
        data[c] = col
    return pd.util.hash_pandas_object(pd.DataFrame(data, index=df.index), index=False)


TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "directives": DIRECTIVE_KEY,
    "responses": ("directive_id", "submitted_at"),
    "kpis": KPI_KEY,
    "budget": BUDGET_KEY,
}


def table_counts(
    old: Mapping[str, pd.DataFrame] | None, new: Mapping[str, pd.DataFrame] | None
) -> pd.DataFrame:
    """Per table, rows added, changed, removed and kept from ``old`` to ``new`` (by key;
    where a row was read from is not a change)."""
    out = []
    for kind, key in TABLE_KEYS.items():
        o, n = _by_key(_frame(old, kind), key), _by_key(_frame(new, kind), key)
        values = [c for c in COLUMNS[kind] if c not in PROVENANCE_COLUMNS]
        ok = dict(
            zip(row_hashes(o, list(key)).tolist(), row_hashes(o, values).tolist(), strict=True)
        )
        nk = dict(
            zip(row_hashes(n, list(key)).tolist(), row_hashes(n, values).tolist(), strict=True)
        )
        same = sum(1 for k, v in nk.items() if ok.get(k) == v)
        both = len(ok.keys() & nk.keys())
        out.append(
            {
                "table": kind,
                "added": len(nk.keys() - ok.keys()),
                "changed": both - same,
                "removed": len(ok.keys() - nk.keys()),
                "kept": same,
            }
        )
    return pd.DataFrame(out, columns=["table", "added", "changed", "removed", "kept"])


def diff_counts(diff: Mapping[str, pd.DataFrame]) -> dict[str, int]:
    """Number of rows in each part of a diff (for a one-line summary)."""
    return {k: len(v) for k, v in diff.items()}
