"""The data rows of a matched table (no Streamlit): the rows below the header as trimmed text
with their Excel row numbers, without blank rows, repeated headers and section rows; what the
section rows ("รอบที่ ๒") say is kept for the rows below them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_sources.base import RawTable
from tracker.checks.validate import Issue, make_issue, more_rows
from tracker.parallel import parallel_map
from tracker.read.headers import HeaderMatch, arrow_strings
from tracker.read.sections import (
    NOTE_PATTERN_ARROW,
    SECTION_KEYS,
    SUBTOTAL_PATTERN,
    section_value,
)
from tracker.thai import shorten


@dataclass
class Body:
    """The data rows of a matched table: cells as text, with Excel row numbers."""

    raw: RawTable
    match: HeaderMatch
    frame: pd.DataFrame  # data rows only, positional columns
    rows: np.ndarray  # Excel row number of each frame row
    # values that section rows ("รอบที่ ๒") set for the rows below them, per kept row
    context: dict[str, pd.Series] = field(default_factory=dict)

    def col(self, key: str) -> pd.Series | None:
        j = self.match.colmap.get(key)
        if j is None:
            return None
        return self.frame.iloc[:, j]

    def column(self, key: str | None) -> dict[str, str]:
        """Where canonical column ``key`` is (key, header text, letter) for an Issue."""
        return self.match.column_of(key, self.raw) if key else {}

    def issue(
        self, severity: str, code: str, i: int, key: str | None, value: object, **kw
    ) -> Issue:
        return make_issue(
            severity,
            code,
            file=self.raw.source,
            sheet=self.raw.sheet,
            row=int(self.rows[i]),
            **self.column(key),
            value=value,
            **kw,
        )

    def more(self, severity: str, code: str, n: int, key: str | None) -> list[Issue]:
        """The "and n more rows" line for ``code`` (none when n is 0)."""
        return more_rows(
            severity,
            code,
            n,
            file=self.raw.source,
            sheet=self.raw.sheet,
            **self.column(key),
        )


def body_of(raw: RawTable, match: HeaderMatch) -> tuple[Body, list[Issue]]:
    """Data rows below the header, without blank rows, repeated headers, section rows,
    subtotal rows ("รวม") and notes under the table (each reported as an info line).

    A section row sets round, period, zone or agency for the rows below it (``context``)
    when the table has no such column (tracker.read.sections). The work is done on Arrow
    columns; the rows kept are zero-copy slices of them (no copy of 100,000 texts).
    """
    frame = raw.frame.iloc[match.data_start :]
    rows = raw.first_row + np.arange(match.data_start, len(raw.frame))
    if frame.empty:
        return Body(raw, match, frame.reset_index(drop=True), rows), []
    cols = parallel_map(_trimmed_cells, [frame.iloc[:, j] for j in range(frame.shape[1])])
    filled = np.column_stack([_valid(c) for c in cols])
    n_filled = filled.sum(axis=1)
    repeated = _repeated_header(raw, match, cols, n_filled)
    blank = n_filled == 0
    # subtotal and note rows leave most columns empty (data rows fill them): only those are read
    sparse = n_filled <= max(2, len(match.colmap) // 2)
    subtotal, note = _first_cell_matches(cols, filled, sparse & ~(blank | repeated))
    note |= np.maximum.accumulate(note) & (n_filled == 1) & ~repeated  # notes under the table
    subtotal &= ~note
    # Section-title rows ("รอบที่ ๒", "งบประมาณประจำปี"): one filled cell in a wide table.
    section = (n_filled == 1) & (len(match.colmap) >= 3) & ~(repeated | subtotal | note)
    issues: list[Issue] = []
    where = {"file": raw.source, "sheet": raw.sheet}
    first_col = filled.argmax(axis=1)

    def first(i: int) -> str:
        return str(cols[int(first_col[i])][i].as_py())

    for code, flags in (
        ("repeated_header", repeated),
        ("section_row", section),
        ("subtotal_row", subtotal),
        ("note_row", note),
    ):
        for i in np.flatnonzero(flags).tolist():
            value = {} if code == "repeated_header" else {"value": shorten(first(i))}
            issues.append(make_issue("info", code, **where, row=int(rows[i]), **value))
    keep = ~(repeated | section | blank | subtotal | note)
    inside = np.flatnonzero(keep)
    blank_inside = blank.copy()
    if len(inside):  # blank rows after the last data row are not worth a line
        blank_inside[inside[-1] :] = False
    if blank_inside.any():
        issues.append(
            make_issue(
                "info",
                "blank_rows",
                **where,
                row=int(rows[np.flatnonzero(blank_inside)[0]]),
                value=int(blank_inside.sum()),
            )
        )
    context = _section_context(match, section, first, keep)
    text = _kept_frame(cols, keep)
    return Body(raw, match, text, rows[keep], context), issues


def _valid(col: pa.Array) -> np.ndarray:
    if col.null_count == 0:
        return np.ones(len(col), dtype=bool)
    return pc.is_valid(col).to_numpy(zero_copy_only=False)


def _repeated_header(
    raw: RawTable, match: HeaderMatch, cols: list[pa.Array], n_filled: np.ndarray
) -> np.ndarray:
    """Rows that repeat the header (printed forms repeat it on every page): at least half of
    the columns repeat their header text; and below such a row, rows whose every filled cell
    (≥ 2) repeats a row of a header of two or three rows as typed."""
    n = len(n_filled)
    mapped = list(match.colmap.values())
    same = np.zeros(n, dtype=np.int32)
    for j in mapped:
        shown = match.header_text.get(j, "")
        if shown:
            same += _equal(cols[j], shown)
    repeated = same >= max(2, len(mapped) // 2)
    if len(match.header_rows) > 1 and repeated.any():
        # the other rows of a header of several rows typed again, right below its first row
        typed = [
            ["" if v is None or pd.isna(v) else str(v).strip() for v in raw.frame.iloc[h].tolist()]
            for h in match.header_rows
        ]
        for i in np.flatnonzero(repeated).tolist():
            for k in range(i + 1, min(n, i + len(typed))):
                cells = [c[k].as_py() for c in cols]
                filled = [(j, v) for j, v in enumerate(cells) if v is not None]
                if len(filled) >= 2 and any(
                    all(j < len(row) and row[j] == v for j, v in filled) for row in typed
                ):
                    repeated[k] = True
    return repeated


def _equal(col: pa.Array, text: str) -> np.ndarray:
    return pc.fill_null(pc.equal(col, text), False).to_numpy(zero_copy_only=False)


def _kept_frame(cols: list[pa.Array], keep: np.ndarray) -> pd.DataFrame:
    """The kept rows as pandas ``str`` columns: the runs of kept rows are zero-copy slices."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], keep.astype(np.int8), [0]))))
    runs = list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))
    if len(runs) > 256:  # rows dropped all over: one copy is cheaper than many chunks
        mask = pa.array(keep)
        kept = [c.filter(mask) for c in cols]
    else:
        kept = [pa.chunked_array([c.slice(a, b - a) for a, b in runs], type=c.type) for c in cols]
    text = pa.table(kept, names=[str(j) for j in range(len(kept))]).to_pandas()
    text.columns = pd.RangeIndex(len(kept))
    return text


def sections_supply(raw: RawTable, match: HeaderMatch) -> HeaderMatch:
    """``match`` without the missing columns that section rows give every row (the agency of
    a register whose units head their own rows); ``match`` itself when they give none."""
    if not set(match.missing) & set(SECTION_KEYS):
        return match
    body, _ = body_of(raw, match)
    given = {k for k, v in body.context.items() if v.notna().any()}
    if not given & set(match.missing):
        return match
    return replace(match, missing=[k for k in match.missing if k not in given])


def _section_context(
    match: HeaderMatch, section: np.ndarray, first, keep: np.ndarray
) -> dict[str, pd.Series]:
    """Per kept row, what the section rows above it set (only keys the table has no column for)."""
    found: dict[str, dict[int, object]] = {}
    for row in np.flatnonzero(section).tolist():
        said = section_value(first(row))
        if said is not None and said[0] not in match.colmap:
            found.setdefault(said[0], {})[row] = said[1]
    context: dict[str, pd.Series] = {}
    for key, values in found.items():
        dtype = "Int64" if key == "round" else object
        series = pd.Series(pd.NA if key == "round" else None, index=range(len(keep)), dtype=dtype)
        for row, value in values.items():
            series.iloc[row] = value
        context[key] = series.ffill()[keep].reset_index(drop=True)
    return context


def _first_cell_matches(
    cols: list[pa.Array], filled: np.ndarray, candidates: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose first filled cell is a subtotal label ("รวม") / a note line ("หมายเหตุ").

    Arrow regexes over only the first filled cell of each candidate row, column by column.
    """
    n = len(filled)
    subtotal = np.zeros(n, dtype=bool)
    note = np.zeros(n, dtype=bool)
    first_col = filled.argmax(axis=1)
    for j in np.unique(first_col[candidates]).tolist():
        rows = np.flatnonzero(candidates & (first_col == j))
        cells = cols[j] if len(rows) == n else cols[j].take(pa.array(rows))
        subtotal[rows] = pc.fill_null(
            pc.match_substring_regex(cells, SUBTOTAL_PATTERN), False
        ).to_numpy(zero_copy_only=False)
        note[rows] = pc.fill_null(
            pc.match_substring_regex(cells, NOTE_PATTERN_ARROW), False
        ).to_numpy(zero_copy_only=False)
    return subtotal, note


def _trimmed_cells(col: pd.Series) -> pa.Array:
    """A column's cells trimmed of surrounding whitespace, blank cells missing.

    Trimming copies every text; only the cells that may start or end with whitespace are
    trimmed (found from the first and last bytes, without decoding), the others are kept.
    """
    arr = arrow_strings(col)
    edge = _may_need_trim(arr)
    if edge is None or edge.mean() > 0.25:
        stripped = pc.utf8_trim_whitespace(arr)
    elif edge.any():
        mask = pa.array(edge)
        trimmed = pc.utf8_trim_whitespace(arr.filter(mask))
        stripped = pc.replace_with_mask(arr, mask, trimmed)
    else:
        stripped = arr
    blank = pc.equal(stripped, "")
    return pc.if_else(blank, None, stripped) if pc.any(blank).as_py() else stripped


_ASCII_SPACE = np.zeros(256, dtype=bool)
_ASCII_SPACE[[0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20]] = True
# lead bytes of the multi-byte characters Unicode counts as whitespace (U+0085, U+00A0: C2;
# U+1680: E1; U+2000–U+205F: E2; U+3000: E3); Thai letters start with E0 and are never flagged
_SPACE_LEAD2 = np.zeros(256, dtype=bool)
_SPACE_LEAD2[0xC2] = True
_SPACE_LEAD3 = np.zeros(256, dtype=bool)
_SPACE_LEAD3[[0xE1, 0xE2, 0xE3]] = True
_FIRST = _ASCII_SPACE | _SPACE_LEAD2 | _SPACE_LEAD3


def _may_need_trim(arr: pa.Array) -> np.ndarray | None:
    """Per cell, whether it may start or end with whitespace (never misses one; may flag a
    few cells that do not, which trimming then leaves as they are). None: check them all."""
    if not (pa.types.is_large_string(arr.type) or pa.types.is_string(arr.type)):
        return None
    _, offsets_buf, data_buf = arr.buffers()
    if data_buf is None or len(arr) == 0:
        return np.zeros(len(arr), dtype=bool)
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    raw_offsets = np.frombuffer(offsets_buf, dtype=width)[arr.offset : arr.offset + len(arr) + 1]
    offsets: np.ndarray[tuple[int], np.dtype[np.int64]] = raw_offsets.astype(np.int64, copy=False)
    data = np.frombuffer(data_buf, dtype=np.uint8)
    if len(data) == 0:
        return np.zeros(len(arr), dtype=bool)
    start, end = offsets[:-1], offsets[1:]
    length = end - start
    # out-of-range positions (empty cells at the ends) are clipped, then masked by the length
    hit = _FIRST.take(data.take(start, mode="clip")) | _ASCII_SPACE.take(
        data.take(end - 1, mode="clip")
    )
    hit |= _SPACE_LEAD2.take(data.take(end - 2, mode="clip")) & (length >= 2)
    hit |= _SPACE_LEAD3.take(data.take(end - 3, mode="clip")) & (length >= 3)
    return hit & (length > 0)
