"""Find the header row of a sheet and which canonical table it holds, by header aliases."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from data_sources.base import RawTable
from tracker.schema import TABLE_HEADERS, Column, header_key

SCAN_ROWS = 40  # title rows above the header are common; the header is within the first rows


def _key_variants(text: object) -> list[str]:
    """Keys to try for one header cell: as typed, and without a trailing "(...)" remark."""
    k = header_key(text)
    if not k:
        return []
    out = [k]
    stripped = re.sub(r"\(.*?\)$", "", k)
    if stripped and stripped != k:
        out.append(stripped)
    return out


def _alias_index(columns: tuple[Column, ...]) -> dict[str, str]:
    index: dict[str, str] = {}
    for col in columns:
        for alias in col.aliases:
            index.setdefault(header_key(alias), col.key)
    return index


ALIAS_INDEX: dict[str, dict[str, str]] = {k: _alias_index(v) for k, v in TABLE_HEADERS.items()}


@dataclass
class HeaderMatch:
    """Where a table's header is and which frame column holds each canonical column."""

    kind: str
    header_rows: list[int]  # frame row indices of the header (one or two rows)
    data_start: int  # first frame row index after the header
    colmap: dict[str, int]  # canonical key -> frame column index
    header_text: dict[int, str] = field(default_factory=dict)  # frame column -> header as shown
    group_text: dict[int, str] = field(default_factory=dict)  # upper-row label of a 2-row header
    missing: list[str] = field(default_factory=list)  # required canonical keys not found

    @property
    def complete(self) -> bool:
        return not self.missing


def _match_row(cells: list[str | None], kind: str) -> dict[str, int]:
    index = ALIAS_INDEX[kind]
    found: dict[str, int] = {}
    for j, cell in enumerate(cells):
        for k in _key_variants(cell):
            key = index.get(k)
            if key and key not in found:
                found[key] = j
                break
    return found


def _required(kind: str) -> list[str]:
    return [c.key for c in TABLE_HEADERS[kind] if c.required]


def _cells(frame: pd.DataFrame, i: int) -> list[str | None]:
    return [None if pd.isna(v) else str(v) for v in frame.iloc[i].tolist()]


def detect(raw: RawTable, kinds: tuple[str, ...] | None = None) -> HeaderMatch | None:
    """The best header match in the first rows of ``raw``, or None if nothing looks like one.

    A header may span two rows (a merged group label above sub-labels): for every column the
    lower cell is used when present, else the upper one. A match missing required columns is
    still returned (with ``missing``) when it is clearly that table, so the user hears what is
    missing instead of "no table".
    """
    frame = raw.frame
    kinds = kinds or tuple(TABLE_HEADERS)
    best: tuple[tuple, HeaderMatch] | None = None
    n = min(len(frame), SCAN_ROWS)
    rows = [_cells(frame, i) for i in range(min(len(frame), SCAN_ROWS + 1))]
    for i in range(n):
        upper = rows[i]
        if not any(c and c.strip() for c in upper):
            continue
        lower = rows[i + 1] if i + 1 < len(rows) else None
        for kind in kinds:
            candidates = [([i], upper, _match_row(upper, kind))]
            if lower is not None:
                merged = [
                    lo if lo and lo.strip() else up for up, lo in zip(upper, lower, strict=True)
                ]
                candidates.append(([i, i + 1], merged, _match_row(merged, kind)))
            for header_rows, shown, found in candidates:
                required = _required(kind)
                missing = [k for k in required if k not in found]
                # Rank: all required present, then more columns, then a single-row header.
                score = (not missing, len(found) - len(missing), -len(header_rows), -i)
                if len(found) < 2:
                    continue
                if best is None or score > best[0]:
                    group = {}
                    if len(header_rows) == 2:
                        group = {
                            j: upper[j].strip()
                            for j in range(len(upper))
                            if upper[j] and lower and lower[j] and lower[j].strip()
                        }
                    match = HeaderMatch(
                        kind=kind,
                        header_rows=header_rows,
                        data_start=header_rows[-1] + 1,
                        colmap=found,
                        header_text={j: (shown[j] or "").strip() for j in found.values()},
                        group_text=group,
                        missing=missing,
                    )
                    best = (score, match)
    if best is None:
        return None
    match = best[1]
    # A partial match counts only when it is clearly that table (≥ 3 columns recognised).
    if match.missing and len(match.colmap) < 3:
        return None
    return match
