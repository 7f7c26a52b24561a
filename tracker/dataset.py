"""The normalised data of one load: four canonical DataFrames plus the issues found."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from tracker.schema import (
    BUDGET_COLUMNS,
    DIRECTIVE_COLUMNS,
    FACTOR_COLUMNS,
    KPI_COLUMNS,
    RESPONSE_COLUMNS,
    STATUSES,
)
from tracker.validate import Issue

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
    """An empty canonical table of ``kind`` with the right columns and dtypes."""
    return conform(pd.DataFrame(columns=list(COLUMNS[kind])), kind)


def conform(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Order columns canonically (extra columns kept at the end) and apply canonical dtypes."""
    cols = list(COLUMNS[kind])
    out = df.copy()
    for c in cols:
        if c not in out.columns:
            out[c] = None if DTYPES.get(c) != "bool" else False
    out = out[cols + [c for c in out.columns if c not in cols]]
    for c in out.columns:
        dtype = DTYPES.get(c, "str")
        if dtype == "str":
            col = out[c] if out[c].dtype == object else out[c].astype(object)
            out[c] = col.where(col.notna(), None)
            continue
        if dtype == "bool":
            out[c] = out[c].fillna(False).astype(bool)
            continue
        if dtype == "category":
            # Sorted object categories of the values present: the same dtype whatever the
            # input (object, str, or categorical from another load), so frames compare equal.
            col = out[c].astype(object)
            col = col.where(col.notna(), None)
            cats = pd.Index(sorted(set(col.dropna())), dtype=object)
            out[c] = pd.Categorical(col, categories=cats)
            continue
        out[c] = out[c].astype(dtype)
    return out


@dataclass
class Dataset:
    directives: pd.DataFrame = field(default_factory=lambda: empty_frame("directives"))
    responses: pd.DataFrame = field(default_factory=lambda: empty_frame("responses"))
    kpis: pd.DataFrame = field(default_factory=lambda: empty_frame("kpis"))
    budget: pd.DataFrame = field(default_factory=lambda: empty_frame("budget"))
    issues: list[Issue] = field(default_factory=list)

    def frames(self) -> dict[str, pd.DataFrame]:
        return {k: getattr(self, k) for k in COLUMNS}
