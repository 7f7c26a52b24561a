"""The one shape every connector returns: a sheet's cells as text, with where they came from."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


class UnreadableFile(Exception):
    """A file (or sheet source) that cannot be read at all; carries a Thai and English reason."""

    def __init__(self, source: str, reason_th: str, reason_en: str, code: str = "unreadable"):
        super().__init__(f"{source}: {reason_en}")
        self.source = source
        self.reason_th = reason_th
        self.reason_en = reason_en
        self.code = code


@dataclass
class RawTable:
    """One sheet as read, before any interpretation.

    ``frame`` holds every cell as ``str`` (pandas string/object dtype), missing cells as
    ``None``/NaN, columns numbered 0..n-1 positionally (no header applied). ``frame.iloc[i]``
    is the row the user sees in Excel as row ``first_row + i``; column ``j`` is Excel column
    ``first_col + j`` (0-based: 0 = "A"). Merged cells carry their value at the top-left only.
    """

    source: str
    sheet: str
    frame: pd.DataFrame
    first_row: int = 1
    first_col: int = 0
    notes: list[str] = field(default_factory=list)

    def excel_row(self, i: int) -> int:
        return self.first_row + i

    def column_letter(self, j: int) -> str:
        return column_letter(self.first_col + j)


def column_letter(index0: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    n = index0 + 1
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def refuse(name: str, code: str, reason_th: str, reason_en: str) -> UnreadableFile:
    """Build the one error type for an unreadable file (a stable code, Thai + English)."""
    return UnreadableFile(source=name, reason_th=reason_th, reason_en=reason_en, code=code)


def empty_file(name: str) -> UnreadableFile:
    """The file (or every sheet of the workbook) holds no data."""
    return refuse(
        name,
        "empty_file",
        "ไฟล์ว่างเปล่า ไม่มีข้อมูลให้อ่าน",
        "The file is empty: there is no data to read.",
    )
