"""The one shape every connector returns: a sheet's cells as text, with where they came from;
and the one refusal of a file that cannot be read at all (``UnreadableFile``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from messages.codes import placeholders, spec
from messages.problems import Refusal, freeze, render
from messages.reader_codes import reader_key

if TYPE_CHECKING:  # pandas is not imported to read a file: the sandbox's server starts fast
    import pandas as pd


class UnreadableFile(Refusal):
    """A file (or sheet source) that cannot be read at all: the name shown (``source``), a
    registered code (messages/reader_codes.py) and its parameters, never a sentence.

    The Thai and English reasons (``reason_th``, ``reason_en``) are rendered from
    messages/locales/read.*.json when they are shown. The parameter ``variant`` picks another
    sentence of the same code (key ``read.<code>.<variant>``).
    """

    def __init__(self, source: str, code: str, /, **params: Any) -> None:
        self.source = source
        variant = params.get("variant")
        if variant is None:
            super().__init__(code, **params)
            return
        declared = spec(code)
        if declared.kind != "refusal":
            raise ValueError(f"{code} is an {declared.kind} code, not a refusal")
        missing = placeholders(reader_key(code, str(variant))) - set(params)
        if missing:
            raise ValueError(f"{code} ({variant}) needs {sorted(missing)}")
        Exception.__init__(self, code)
        self.code = code
        self.params = freeze(params)

    @property
    def key(self) -> str:
        """The catalogue key of its message (its variant's, if it has one)."""
        variant = self.param("variant")
        return spec(self.code).key if variant is None else reader_key(self.code, str(variant))

    def message(self, lang: str) -> str:
        return render(replace(spec(self.code), key=self.key), lang, self.params)

    @property
    def reason_th(self) -> str:
        return self.message("th")

    @property
    def reason_en(self) -> str:
        return self.message("en")

    def __str__(self) -> str:
        return f"{self.source}: {self.reason_en}"


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


def refuse(name: str, code: str, /, **params: Any) -> UnreadableFile:
    """Build the one error type for an unreadable file: a registered code and its parameters
    (``variant`` picks another sentence of the code; see messages/reader_codes.py)."""
    return UnreadableFile(name, code, **params)


def empty_file(name: str) -> UnreadableFile:
    """The file (or every sheet of the workbook) holds no data."""
    return refuse(name, "empty_file")
