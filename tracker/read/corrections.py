"""Fix in place: cell corrections an analyst types on the Upload page, applied to the sheets as
read, before they are checked again (no Streamlit).

A correction names a cell the way the report does (file, sheet, Excel row, column letter) and
carries the value that was there and the new one. Corrections are applied to copies of the
read sheets, so the files themselves are never changed; the publish records each one in the
audit log (who, when, file, sheet, row, column, old → new).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from data_sources.base import RawTable
from messages.problems import Issue

# the editor lists at most this many cells (the report itself lists every problem)
MAX_CELLS = 500
MAX_VALUE_CHARS = 1000


@dataclass(frozen=True)
class Correction:
    file: str
    sheet: str
    row: int  # Excel row, 1-based
    letter: str  # Excel column letter
    old: str
    new: str

    def where(self) -> str:
        return f"{self.file} · {self.sheet} · {self.letter}{self.row}"

    def audit_text(self) -> str:
        return f"{self.where()}: “{self.old}” → “{self.new}”"


def column_index(letter: str) -> int:
    """ "A" -> 0, "AA" -> 26."""
    n = 0
    for ch in letter.upper():
        if not "A" <= ch <= "Z":
            raise ValueError(letter)
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def fixable(issues: Iterable[Issue]) -> pd.DataFrame:
    """The cells the errors point at (one row per cell, the first issue's message kept)."""
    rows: dict[tuple, dict] = {}
    for issue in issues:
        if issue.severity != "error" or not issue.letter or issue.row is None:
            continue
        key = (issue.file, issue.sheet, int(issue.row), issue.letter)
        if key not in rows and len(rows) < MAX_CELLS:
            rows[key] = {
                "file": issue.file,
                "sheet": issue.sheet,
                "row": int(issue.row),
                "letter": issue.letter,
                "column": issue.column,
                "value": issue.value,
                "issue": issue,
            }
    return pd.DataFrame(
        list(rows.values()),
        columns=["file", "sheet", "row", "letter", "column", "value", "issue"],
    )


def apply(
    tables: Sequence[RawTable], corrections: Sequence[Correction]
) -> tuple[list[RawTable], list[Correction]]:
    """Copies of ``tables`` with the corrections made, and the corrections that found their
    cell (one whose file, sheet or cell is not there is left out)."""
    by_sheet: dict[tuple[str, str], list[Correction]] = {}
    for c in corrections:
        by_sheet.setdefault((c.file, c.sheet), []).append(c)
    out: list[RawTable] = []
    applied: list[Correction] = []
    for raw in tables:
        todo = by_sheet.get((raw.source, raw.sheet))
        if not todo:
            out.append(raw)
            continue
        frame = raw.frame.astype(object)  # a copy; the read sheet stays as it was
        for c in todo:
            i = c.row - raw.first_row
            try:
                j = column_index(c.letter) - raw.first_col
            except ValueError:
                continue
            if 0 <= i < frame.shape[0] and 0 <= j < frame.shape[1]:
                was = frame.iat[i, j]
                frame.iat[i, j] = c.new[:MAX_VALUE_CHARS] or None
                applied.append(replace(c, old="" if _missing(was) else str(was)))
        out.append(RawTable(raw.source, raw.sheet, frame, raw.first_row, raw.first_col, raw.notes))
    return out, applied


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def digest(corrections: Sequence[Correction]) -> str:
    """A stable hash of the corrections (part of the upload's identity once corrected)."""
    h = hashlib.sha256()
    for c in sorted(corrections, key=lambda c: (c.file, c.sheet, c.row, c.letter)):
        h.update("\x1f".join([c.file, c.sheet, str(c.row), c.letter, c.new]).encode("utf-8"))
        h.update(b"\x1e")
    return h.hexdigest()


def sheets_of(
    tables: Sequence[RawTable], corrections: Sequence[Correction]
) -> list[tuple[str, int, int, pd.DataFrame]]:
    """The corrected sheets (name, first row, first column, cells) for the download."""
    touched = {(c.file, c.sheet) for c in corrections}
    return [
        (raw.sheet or raw.source, raw.first_row, raw.first_col, raw.frame)
        for raw in tables
        if (raw.source, raw.sheet) in touched
    ]
