"""How a snapshot's table is made of parts, and which rows of those parts it shows (pure).

A snapshot is the whole dataset, but it stores only what its publish changed. Each table of a
snapshot is an ordered list of *parts*; a part is the rows one snapshot wrote for that table
(rows keyed by that snapshot's id and a sequence number). A later part supersedes the rows of
earlier parts that fall in a *scope* it carries:

- directives: the directive id (a register adds or replaces directives by id);
- kpis: (unit, fiscal year, period) — one unit's Q2 form replaces that unit's Q2 rows only;
- budget: (unit, fiscal year, as-of date);
- responses: (directive id, timestamp) — a response is appended; the same response sent again
  with another status or detail (a correction made in the sheet) replaces the earlier one,
  and a response already held is never written twice.

A part written with ``replace`` starts the table's list afresh (a whole-register replacement,
the first publish, or a compaction). ``resolve`` is the one rule both the publish (composing
the next snapshot) and the store (reading one back) apply, so they cannot disagree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.dataset import conform, empty_frame
from tracker.store.diff import _is_canonical

SCOPES: dict[str, tuple[str, ...] | None] = {
    "directives": ("directive_id",),
    "responses": ("directive_id", "submitted_at"),
    "kpis": ("unit", "fiscal_year", "period"),
    "budget": ("unit", "fiscal_year", "as_of"),
}

# A table is rewritten as one part when its parts hold more than this many rows beyond the
# rows it shows (read amplification stays below 2x), or when it has more parts than this.
MAX_PARTS = 48
DEAD_ROWS_SLACK = 1000


def _column_codes(col: pd.Series) -> np.ndarray:
    """One integer per value of a column (equal values, and all missing values, alike)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return np.asarray(col.cat.codes, dtype=np.int64)  # by value within one frame; NaN -1
    codes, _ = pd.factorize(col, use_na_sentinel=False)
    return codes.astype(np.int64)


def scope_codes(frame: pd.DataFrame, scope: tuple[str, ...]) -> np.ndarray:
    """One integer per row naming its scope (missing values form a scope of their own),
    numbered in order of first appearance.

    Each column is coded on its own and the codes combined (kept dense after each column so
    they never overflow): no tuple per row, which at a million rows costs seconds.
    """
    if len(frame) == 0:
        return np.empty(0, dtype=np.int64)
    combined = _column_codes(frame[scope[0]])
    for c in scope[1:]:
        codes = _column_codes(frame[c])
        combined = combined * (int(codes.max()) + 2) + (codes + 1)
        combined, _ = pd.factorize(combined)
    codes, _ = pd.factorize(combined)
    return codes.astype(np.int64)


def surviving(frame: pd.DataFrame, positions: np.ndarray, kind: str) -> np.ndarray:
    """Boolean mask of the rows a snapshot shows: no later part carries the row's scope.

    ``frame`` holds the rows of all the table's parts, ``positions`` each row's part position
    in the snapshot's list (0 = oldest). Rows of the same part never supersede each other.
    """
    n = len(frame)
    scope = SCOPES[kind]
    if scope is None or n == 0:
        return np.ones(n, dtype=bool)
    positions = np.asarray(positions, dtype=np.int64)
    if positions.min() == positions.max():
        return np.ones(n, dtype=bool)
    codes = scope_codes(frame, scope)
    latest = np.full(codes.max() + 1, -1, dtype=np.int64)
    np.maximum.at(latest, codes, positions)
    return positions == latest[codes]


def resolve(parts: list[pd.DataFrame], kind: str) -> pd.DataFrame:
    """The rows a table shows, given its parts oldest first (each a canonical frame)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_frame(kind)
    if len(parts) == 1:
        return parts[0].reset_index(drop=True)
    # concat turns categoricals with different categories into object: conform restores them
    frame = _conformed(pd.concat(parts, ignore_index=True), kind)
    positions = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
    keep = surviving(frame, positions, kind)
    if keep.all():
        return frame
    return _conformed(frame[keep].reset_index(drop=True), kind)


def _conformed(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """``conform(frame)``, skipped when ``frame`` is canonical already (checking costs a
    fraction of converting a million rows again)."""
    return frame if _is_canonical(frame, kind) else conform(frame, kind)
