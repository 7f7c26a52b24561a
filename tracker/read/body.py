"""The data rows of a matched table (no Streamlit): the rows below the header as trimmed text
with their Excel row numbers, without blank rows, repeated headers and section rows; what the
section rows ("รอบที่ ๒") say is kept for the rows below them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_sources.base import RawTable
from tracker import thai
from tracker.checks.validate import Issue, make_issue, more_rows
from tracker.parallel import parallel_map
from tracker.read.headers import HeaderMatch, arrow_strings


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
    """Data rows below the header, without blank rows, repeated headers and section rows."""
    frame = raw.frame.iloc[match.data_start :]
    rows = raw.first_row + np.arange(match.data_start, len(raw.frame))
    if frame.empty:
        return Body(raw, match, frame, rows), []
    text = _trimmed_frame(frame)
    filled = text.notna()
    n_filled = filled.to_numpy().sum(axis=1)
    mapped = list(match.colmap.values())
    # Repeated header rows (printed forms repeat it on every page).
    same = np.zeros(len(frame), dtype=int)
    for j in mapped:
        shown = match.header_text.get(j, "")
        if shown:
            same += (text.iloc[:, j] == shown).to_numpy(dtype=bool, na_value=False)
    repeated = same >= max(2, len(mapped) // 2)
    # Section-title rows ("รอบที่ ๒", "งบประมาณประจำปี"): one filled cell in a wide table.
    section = (n_filled == 1) & (len(mapped) >= 3) & ~repeated
    blank = n_filled == 0
    issues: list[Issue] = []
    for i in np.flatnonzero(repeated):
        issues.append(
            make_issue(
                "info", "repeated_header", file=raw.source, sheet=raw.sheet, row=int(rows[i])
            )
        )
    for i in np.flatnonzero(section):
        first = text.iloc[i][filled.iloc[i]].iloc[0]
        issues.append(
            make_issue(
                "info",
                "section_row",
                file=raw.source,
                sheet=raw.sheet,
                row=int(rows[i]),
                value=first,
            )
        )
    keep = ~(repeated | section | blank)
    context: dict[str, pd.Series] = {}
    if "round" not in match.colmap and section.any():
        rounds = pd.Series(pd.NA, index=frame.index, dtype="Int64")
        for i in np.flatnonzero(section):
            value = _round_of_section(str(text.iloc[i][filled.iloc[i]].iloc[0]))
            if value is not None:
                rounds.iloc[i] = value
        if rounds.notna().any():
            context["round"] = rounds.ffill()[keep].reset_index(drop=True)
    return Body(raw, match, text[keep], rows[keep], context), issues


_ROUND_RE = re.compile(r"^(?:รอบ(?:ที่|การตรวจ(?:ที่)?)?|round)\s*([0-9]+)\b", re.I)


def _round_of_section(text: str) -> int | None:
    """1 or 2 for a section row such as "รอบที่ ๒" / "รอบ 2" / "Round 1", else None."""
    m = _ROUND_RE.match(thai.collapse_spaces(thai.to_arabic_digits(text)).strip())
    return int(m.group(1)) if m and m.group(1) in ("1", "2") else None


def _trimmed_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells trimmed of surrounding whitespace, blank cells missing (pandas ``str`` columns).

    Arrow kernels over the columns in parallel threads, one conversion back to pandas.
    """
    columns = parallel_map(_trimmed_cells, [frame.iloc[:, j] for j in range(frame.shape[1])])
    text = pa.table(columns, names=[str(j) for j in range(len(columns))]).to_pandas()
    text.columns = pd.RangeIndex(len(columns))
    text.index = frame.index
    return text


def _trimmed_cells(col: pd.Series) -> pa.Array:
    stripped = pc.utf8_trim_whitespace(arrow_strings(col))
    blank = pc.equal(stripped, "")
    return pc.if_else(blank, None, stripped) if pc.any(blank).as_py() else stripped
