"""What a publish changes: the next snapshot composed from the current one plus an upload.

An upload, a ``sync`` or an ``import`` updates only the tables it carries, and within each
table only the scope it carries (see ``tracker.store.parts``):

- directives are added or replaced by id; directives not in the file stay. Replacing the whole
  register is a separate, explicit choice (``replace_register``);
- responses are appended; one already present (same directive, timestamp, status and detail)
  is not added again, so a shorter export never deletes older responses; the same response
  (directive and timestamp) with another status or detail is a correction and replaces it;
- KPI rows replace the rows of their (unit, fiscal year, period), budget rows those of their
  (unit, fiscal year, as-of date); other units and periods stay.

A directive's status is its latest response, so new responses (or re-sent directives) are
merged with every response the snapshot holds. Pure: frames in, frames out; no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tracker.dataset import COLUMNS
from tracker.read.loader import merge_responses
from tracker.store.diff import (
    PROVENANCE_COLUMNS,
    TABLE_KEYS,
    canonical_frame,
    row_hashes,
    table_counts,
)
from tracker.store.parts import SCOPES, resolve, scope_codes

TABLES: tuple[str, ...] = tuple(COLUMNS)
MAX_SCOPES_LISTED = 50  # scopes named in a snapshot's record of what it changed
# Snapshots of this kind hold the bundled demo data: the first real publish replaces all of it
# (an office's own data is never mixed with the demo's).
DEMO_KIND = "bundled"


@dataclass(frozen=True)
class TableChange:
    """One table's part of a publish: the rows written and what they do to the table."""

    kind: str
    rows: pd.DataFrame  # written as this snapshot's part of the table
    replace: bool  # the part is the whole table (earlier parts no longer apply)
    mode: str  # merge | replace | append | scope
    added: int
    changed: int
    removed: int
    kept: int
    scopes: tuple[str, ...] = ()  # e.g. "สำนักงานเขตบางนา · 2567 · Q2" (at most 50 listed)
    scope_count: int = 0


@dataclass
class Composition:
    """The next snapshot's whole dataset and, per table, what the publish writes."""

    frames: dict[str, pd.DataFrame]
    changes: dict[str, TableChange] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # per table a/c/r/k
    fresh: bool = False  # composed from nothing: every table is replaced (the demo data goes)
    # every frame and written part is canonical already (``compose`` made it): the store need
    # not conform them again (a million rows checked twice cost seconds)
    canonical: bool = False

    @property
    def empty(self) -> bool:
        """Nothing would change: every table the upload carries already holds its rows."""
        return not self.changes

    def record(self, source: str) -> dict[str, dict]:
        """What this publish changed, per table, as stored with the snapshot (JSON-ready)."""
        return {
            kind: {
                "mode": ch.mode,
                "added": ch.added,
                "changed": ch.changed,
                "removed": ch.removed,
                "kept": ch.kept,
                "written": len(ch.rows),
                "scopes": list(ch.scopes),
                "scope_count": ch.scope_count,
                "source": source,
            }
            for kind, ch in self.changes.items()
        }


def _value_columns(kind: str) -> list[str]:
    return [c for c in COLUMNS[kind] if c not in PROVENANCE_COLUMNS]


def _directives(
    cur: pd.DataFrame,
    up: pd.DataFrame,
    all_responses: pd.DataFrame,
    new_responses: pd.DataFrame,
    replace: bool,
) -> TableChange | None:
    """The directive rows to write: added or changed by the file or by new responses."""
    if up.empty and new_responses.empty:
        return None
    held = cur if not replace else cur.iloc[0:0]
    extra = held.iloc[0:0]
    if len(held) and len(new_responses):  # directives held whose responses are new
        touched = new_responses["directive_id"].dropna()
        touched = touched[~touched.isin(up["directive_id"])]
        if len(touched):
            extra = held[held["directive_id"].isin(touched)]
    candidates = pd.concat([up, extra], ignore_index=True) if len(extra) else up
    candidates = canonical_frame(candidates, "directives")
    if len(candidates) and len(all_responses):
        ids = candidates["directive_id"].dropna()
        related = all_responses[all_responses["directive_id"].isin(ids)]
        candidates, _ = merge_responses(candidates, related.reset_index(drop=True))
    in_candidates = cur["directive_id"].isin(candidates["directive_id"].dropna())
    last = cur[in_candidates]
    last = last.dropna(subset=["directive_id"]).drop_duplicates("directive_id", keep="last")
    if len(last):
        # each candidate's row in ``last`` (-1: a new directive, or one without an id)
        where = pd.Index(last["directive_id"]).get_indexer(candidates["directive_id"])
        is_new = where < 0
        values = _value_columns("directives")
        old_text = row_hashes(last, values).to_numpy()[np.maximum(where, 0)]
        differs = is_new | (old_text != row_hashes(candidates, values).to_numpy())
    else:  # nothing held for these ids (a first publish): every candidate is new
        is_new = differs = np.ones(len(candidates), dtype=bool)
    added = int(is_new.sum())
    changed = int((differs & ~is_new).sum())
    if replace:
        removed = int((~in_candidates).sum())
        kept = len(candidates) - added - changed
        if added == changed == removed == 0:
            return None
        return TableChange("directives", candidates, True, "replace", added, changed, removed, kept)
    write = candidates[differs].reset_index(drop=True) if not differs.all() else candidates
    if write.empty:
        return None
    kept = len(cur) - changed
    return TableChange("directives", write, False, "merge", added, changed, 0, kept)


def _scope_label(row: tuple) -> str:
    out = []
    for v in row:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            out.append("-")
        elif isinstance(v, pd.Timestamp):
            out.append(v.strftime("%Y-%m-%d"))
        else:
            out.append(str(v))
    return " · ".join(out)


MODES = {"responses": "append", "kpis": "scope", "budget": "scope"}


def _plain(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """``cols`` of ``df`` with categoricals as plain objects (so codes compare across frames)."""
    return pd.DataFrame(
        {
            c: df[c].astype(object) if isinstance(df[c].dtype, pd.CategoricalDtype) else df[c]
            for c in cols
        }
    )


def _scoped(kind: str, cur: pd.DataFrame, up: pd.DataFrame) -> TableChange | None:
    """Rows replacing the scopes they carry: a KPI form its (unit, year, period), a budget
    report its (unit, year, as-of date), a response its (directive, timestamp). A scope whose
    rows are already held as they are is left alone (kept)."""
    if up.empty:
        return None
    scope = list(SCOPES[kind] or ())
    values = _value_columns(kind)
    both = pd.concat([_plain(cur, scope), _plain(up, scope)], ignore_index=True)
    codes = scope_codes(both, tuple(scope))
    del both
    cur_codes, up_codes = codes[: len(cur)], codes[len(cur) :]
    touched = np.isin(cur_codes, np.unique(up_codes))
    old_rows = cur[touched]
    old_codes = cur_codes[touched]
    if len(old_rows):
        changed_scopes = _changed_scopes(
            old_codes, row_hashes(old_rows, values).to_numpy(), up_codes, row_hashes(up, values)
        )
    else:  # none of these scopes is held: all of them are new
        changed_scopes = np.unique(up_codes)
    if not len(changed_scopes):
        return None
    written = np.isin(up_codes, changed_scopes)
    write = up[written].reset_index(drop=True) if not written.all() else up
    replaced = old_rows[np.isin(old_codes, changed_scopes)]
    if len(replaced):
        added, changed, removed = _row_counts(replaced, write, list(TABLE_KEYS[kind]), values)
    else:
        added, changed, removed = len(write), 0, 0
    kept = len(cur) - changed - removed
    labels: list[str] = []
    if kind != "responses":
        first_rows = write.drop_duplicates(scope)[scope]
        labels = [_scope_label(tuple(r)) for r in first_rows.itertuples(index=False)]
    return TableChange(
        kind,
        write,
        False,
        MODES[kind],
        int(added),
        int(changed),
        int(removed),
        int(kept),
        tuple(labels[:MAX_SCOPES_LISTED]),
        len(labels) if labels else len(changed_scopes),
    )


def _changed_scopes(
    old_codes: np.ndarray, old_hash: np.ndarray, new_codes: np.ndarray, new_hash: pd.Series
) -> np.ndarray:
    """The scope codes of ``new_codes`` whose rows (as a multiset of row hashes) differ from
    the rows held for them: vectorised, no list per scope."""
    new_h = new_hash.to_numpy()
    size = int(max(old_codes.max(initial=-1), new_codes.max(initial=-1))) + 1
    old_n = np.bincount(old_codes, minlength=size)
    new_n = np.bincount(new_codes, minlength=size)
    carried = np.unique(new_codes)
    differ = np.zeros(size, dtype=bool)
    differ[carried] = old_n[carried] != new_n[carried]
    # scopes with as many rows on both sides: compare their hashes sorted within the scope
    same_n = ~differ
    o = same_n[old_codes] & np.isin(old_codes, carried)
    n = same_n[new_codes]
    oc, oh = old_codes[o], old_hash[o]
    nc, nh = new_codes[n], new_h[n]
    oi, ni = np.lexsort((oh, oc)), np.lexsort((nh, nc))
    mismatch = oh[oi] != nh[ni]
    differ[nc[ni][mismatch]] = True
    return carried[differ[carried]]


def _row_counts(
    old: pd.DataFrame, new: pd.DataFrame, key: list[str], values: list[str]
) -> tuple[int, int, int]:
    """Rows of ``new`` added and changed (by key; the last old row of a key counts), and
    keys of ``old`` no longer in ``new``."""
    old_keys = row_hashes(old, key).to_numpy()
    old_vals = pd.Series(row_hashes(old, values).to_numpy(), index=old_keys)
    old_vals = old_vals[~old_vals.index.duplicated(keep="last")]
    new_keys = row_hashes(new, key).to_numpy()
    where = old_vals.index.get_indexer(new_keys)
    held = where >= 0
    new_vals = row_hashes(new, values).to_numpy()
    added = int((~held).sum())
    changed = int((old_vals.to_numpy()[where[held]] != new_vals[held]).sum())
    removed = int((~np.isin(old_vals.index.to_numpy(), new_keys)).sum())
    return added, changed, removed


def compose(
    current: Mapping[str, pd.DataFrame] | None,
    upload: Mapping[str, pd.DataFrame],
    *,
    replace_register: bool = False,
    fresh: bool = False,
) -> Composition:
    """The next snapshot: ``current`` with the tables and scopes ``upload`` carries applied.

    ``fresh``: start from nothing instead of ``current`` (which is then ignored): the bundled
    demo data is never mixed with an office's own data.
    """
    previous = current
    if fresh:
        current = None
    cur = {k: canonical_frame(current.get(k) if current else None, k) for k in TABLES}
    up = {k: canonical_frame(upload.get(k), k) for k in TABLES}
    changes: dict[str, TableChange] = {}
    responses = _scoped("responses", cur["responses"], up["responses"])
    new_responses = up["responses"].iloc[0:0] if responses is None else responses.rows
    if responses is not None:
        changes["responses"] = responses
    all_responses = (
        resolve([cur["responses"], new_responses], "responses")
        if len(new_responses)
        else cur["responses"]
    )
    replace = replace_register and len(up["directives"]) > 0
    directives = _directives(
        cur["directives"], up["directives"], all_responses, new_responses, replace
    )
    if directives is not None:
        changes["directives"] = directives
    for kind in ("kpis", "budget"):
        change = _scoped(kind, cur[kind], up[kind])
        if change is not None:
            changes[kind] = change
    frames: dict[str, pd.DataFrame] = {}
    counts: dict[str, dict[str, int]] = {}
    for kind in TABLES:
        ch = changes.get(kind)
        if ch is None:
            frames[kind] = cur[kind]
            counts[kind] = {"added": 0, "changed": 0, "removed": 0, "kept": len(cur[kind])}
            continue
        frames[kind] = ch.rows if ch.replace else resolve([cur[kind], ch.rows], kind)
        counts[kind] = {
            "added": ch.added,
            "changed": ch.changed,
            "removed": ch.removed,
            "kept": ch.kept,
        }
    if fresh:
        same = table_counts(previous, frames)
        if not same[["added", "changed", "removed"]].to_numpy().any():
            return Composition(
                {k: canonical_frame(previous.get(k) if previous else None, k) for k in TABLES},
                {},
                {
                    k: {"added": 0, "changed": 0, "removed": 0, "kept": int(n)}
                    for k, n in zip(same["table"], same["kept"], strict=True)
                },
                fresh,
                canonical=True,
            )
        counts = {
            row.table: {
                "added": int(row.added),
                "changed": int(row.changed),
                "removed": int(row.removed),
                "kept": int(row.kept),
            }
            for row in same.itertuples(index=False)
        }
        # every table is replaced; tables the upload does not carry become empty
        changes = {
            k: TableChange(
                k,
                changes[k].rows if k in changes else cur[k],
                True,
                "replace",
                added=counts[k]["added"],
                changed=counts[k]["changed"],
                removed=counts[k]["removed"],
                kept=counts[k]["kept"],
            )
            for k in TABLES
            if k in changes or counts[k]["removed"]
        }
    return Composition(frames, changes, counts, fresh, canonical=True)
