"""Column mapping for tables whose headers were not all recognised (no Streamlit).

When a register lacks a needed column under any known header, the analyst says which of the
file's headers holds it. ``unmatched`` lists, per such table, every header of the file with
the field it maps to now and the best guess for the others (by similarity to our aliases);
``source_pattern`` names the source a saved mapping applies to next time: the file name with
its numbers (years, versions, dates, Thai or Arabic digits) taken out, so "ทะเบียน_๒๕๖๗_v2.xlsx"
and "ทะเบียน_2568_v3.xlsx" share their mapping.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from data_sources.base import RawTable
from tracker.read.headers import HeaderMatch, Mapping
from tracker.schema import TABLE_HEADERS, header_key

# a guess below this similarity is not offered (the select stays on "not used")
MIN_SIMILARITY = 0.6


@dataclass
class UnmatchedTable:
    """A table that lacks required columns, with every header the file gives it."""

    source: str
    sheet: str
    kind: str
    missing: list[str]
    # letter -> (header as typed, field it maps to now or "", best guess for it or "")
    headers: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    @property
    def unused(self) -> list[str]:
        """Headers of the file that no field uses (shown as such)."""
        return [text for text, now, _ in self.headers.values() if not now]


def fields_of(kind: str) -> list[str]:
    return [c.key for c in TABLE_HEADERS[kind]]


def guess(header: str, kind: str) -> str:
    """The field whose alias is most like ``header`` ("" when nothing is close enough)."""
    key = header_key(header)
    if not key:
        return ""
    best, score = "", 0.0
    for col in TABLE_HEADERS[kind]:
        for alias in col.aliases:
            ratio = difflib.SequenceMatcher(None, key, header_key(alias)).ratio()
            if ratio > score:
                best, score = col.key, ratio
    return best if score >= MIN_SIMILARITY else ""


def unmatched(raw: RawTable, match: HeaderMatch) -> UnmatchedTable:
    """What the mapping form shows for one incomplete table."""
    by_column = {j: key for key, j in match.colmap.items()}
    headers: dict[str, tuple[str, str, str]] = {}
    for j in range(raw.frame.shape[1]):
        text = match.header_text.get(j) or _typed_header(raw, match, j)
        if not text:
            continue
        now = by_column.get(j, "")
        headers[raw.column_letter(j)] = (text, now, now or guess(text, match.kind))
    return UnmatchedTable(raw.source, raw.sheet, match.kind, list(match.missing), headers)


def _typed_header(raw: RawTable, match: HeaderMatch, j: int) -> str:
    """The header cell of column ``j`` as typed (the lower one of a two-row header, as the
    reader matches it)."""
    for i in reversed(match.header_rows):
        value = raw.frame.iat[i, j]
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


_DIGITS = re.compile(r"[0-9๐-๙]+")


def source_pattern(name: str) -> str:
    """The file name a saved mapping applies to: numbers become "#", case and spaces ignored."""
    stem = PurePath(name).stem if "." in name else name
    return _DIGITS.sub("#", re.sub(r"\s+", " ", stem.strip().lower()))


def mapping_from_choices(choices: dict[str, str]) -> Mapping:
    """header as typed -> field, for the chosen ones only (header keys, as the reader uses)."""
    return {header_key(h): f for h, f in choices.items() if f and header_key(h)}
