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


def _is_canonical(df: pd.DataFrame, kind: str) -> bool:
    """``df`` is already what ``canonical_frame`` makes of it: the canonical columns in order,
    a 0..n-1 index, each column in its canonical dtype (text: object with None for missing;
    categories: sorted object values, all used). Checked column by column, far cheaper than
    converting again: a publish passes the same million-row frames through several steps."""
    cols = COLUMNS[kind]
    index = df.index
    if tuple(df.columns) != cols or not (
        isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
    ):
        return False
    for c in cols:
        col, dtype = df[c], DTYPES.get(c, "str")
        if dtype == "str":
            if col.dtype != object:
                return False
            values = col.to_numpy()
            missing = pd.isna(values)
            if missing.any() and not np.equal(values[missing], None).all():  # type: ignore[call-overload]
                return False  # NaN, NaT or NA where conform() puts None
        elif dtype == "category":
            if not isinstance(col.dtype, pd.CategoricalDtype):
                return False
            cats = col.cat.categories
            if cats.dtype != object or not cats.is_monotonic_increasing or col.cat.ordered:
                return False
            codes = col.cat.codes.to_numpy()
            if not np.bincount(codes[codes >= 0], minlength=len(cats)).all():
                return False  # an unused category (conform() drops those)
        elif col.dtype != dtype:
            return False
    return True


def canonical_frame(df: pd.DataFrame | None, kind: str) -> pd.DataFrame:
    """``df`` conformed to ``kind``: canonical columns only (missing ones empty), fresh index."""
    if df is None:
        return empty_frame(kind)
    if _is_canonical(df, kind):
        return df.copy(deep=False)  # copy-on-write: a new frame, no data copied
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
    if a.dtype == b.dtype and isinstance(a.dtype, pd.CategoricalDtype):  # same categories
        return pd.Series(a.cat.codes.to_numpy() == b.cat.codes.to_numpy(), index=a.index)
    if a.dtype == b.dtype and a.dtype.kind == "M":  # datetimes: no Timestamp per value
        av, bv = a.to_numpy(), b.to_numpy()
        return pd.Series((av == bv) | (np.isnat(av) & np.isnat(bv)), index=a.index)
    a_obj, b_obj = a.astype(object), b.astype(object)
    both_na = a.isna().to_numpy() & b.isna().to_numpy()
    eq = (a_obj == b_obj).fillna(False).astype(bool).to_numpy()
    return pd.Series(eq | both_na, index=a.index)


def _directive_changes(
    old: pd.DataFrame, new: pd.DataFrame, columns: tuple[str, ...]
) -> dict[str, pd.DataFrame]:
    """Per column, directives present in both (``old`` and ``new`` keyed already) whose value
    differs: id, agency, old and new value. One join serves every column."""
    if old.empty or new.empty:
        m = pd.DataFrame(
            {
                "directive_id": pd.Series(dtype=object),
                **{f"{c}_old": old[c].iloc[0:0] for c in columns},
                "agency": new["agency"].iloc[0:0],
                **{f"{c}_new": new[c].iloc[0:0] for c in columns},
            }
        )
    else:
        where = pd.Index(old["directive_id"]).get_indexer(new["directive_id"])
        both = where >= 0
        n = new[both]
        o = old.iloc[where[both]]
        m = pd.DataFrame(
            {
                "directive_id": n["directive_id"].reset_index(drop=True),
                "agency": n["agency"].reset_index(drop=True),
                **{f"{c}_old": o[c].reset_index(drop=True) for c in columns},
                **{f"{c}_new": n[c].reset_index(drop=True) for c in columns},
            }
        )
    out = {}
    for c in columns:
        changed = m[~_same(m[f"{c}_old"], m[f"{c}_new"])]
        cols = ["directive_id", "agency", f"{c}_old", f"{c}_new"]
        out[c] = changed[cols].sort_values("directive_id", kind="stable").reset_index(drop=True)
    return out


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
    od = _by_key(_frame(old, "directives"), DIRECTIVE_KEY)
    nd = _by_key(_frame(new, "directives"), DIRECTIVE_KEY)
    added = nd[~nd["directive_id"].isin(od["directive_id"])][list(DIRECTIVE_BRIEF)]
    removed = od[~od["directive_id"].isin(nd["directive_id"])][list(DIRECTIVE_BRIEF)]
    changes = _directive_changes(od, nd, ("status", "due_date"))
    return {
        "directives_added": added.reset_index(drop=True),
        "directives_removed": removed.reset_index(drop=True),
        "status_changed": changes["status"],
        "due_date_changed": changes["due_date"],
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


def _keyed_hashes(df: pd.DataFrame, key: list[str], values: list[str]) -> pd.Series:
    """Each row's value hash indexed by its key hash (a repeated key: the last row)."""
    out = pd.Series(row_hashes(df, values).to_numpy(), index=row_hashes(df, key).to_numpy())
    return out[~out.index.duplicated(keep="last")]


def table_counts(
    old: Mapping[str, pd.DataFrame] | None, new: Mapping[str, pd.DataFrame] | None
) -> pd.DataFrame:
    """Per table, rows added, changed, removed and kept from ``old`` to ``new`` (by key;
    where a row was read from is not a change)."""
    out = []
    for kind, key in TABLE_KEYS.items():
        o, n = _by_key(_frame(old, kind), key), _by_key(_frame(new, kind), key)
        values = [c for c in COLUMNS[kind] if c not in PROVENANCE_COLUMNS]
        ok, nk = _keyed_hashes(o, list(key), values), _keyed_hashes(n, list(key), values)
        where = ok.index.get_indexer(nk.index)
        held = where >= 0
        same = int((ok.to_numpy()[where[held]] == nk.to_numpy()[held]).sum())
        both = int(held.sum())
        out.append(
            {
                "table": kind,
                "added": len(nk) - both,
                "changed": both - same,
                "removed": len(ok) - both,
                "kept": same,
            }
        )
    return pd.DataFrame(out, columns=["table", "added", "changed", "removed", "kept"])


def diff_counts(diff: Mapping[str, pd.DataFrame]) -> dict[str, int]:
    """Number of rows in each part of a diff (for a one-line summary)."""
    return {k: len(v) for k, v in diff.items()}
