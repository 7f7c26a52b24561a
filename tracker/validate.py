"""Issue model and the checks: bad user data becomes Issues, never exceptions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import pandas as pd

from tracker.i18n import t

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Issue:
    """One finding about the input, positioned as the user sees it in Excel."""

    severity: str  # error | warning | info
    code: str  # stable code, e.g. "unknown_status"; messages live in tracker/locales
    file: str = ""
    sheet: str = ""
    row: int | None = None  # Excel row number (1-based) as the user sees it
    column: str = ""  # header text and letter, e.g. "สถานะ (L)"
    value: str = ""
    message_th: str = ""
    message_en: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def make_issue(
    severity: str,
    code: str,
    *,
    file: str = "",
    sheet: str = "",
    row: int | None = None,
    column: str = "",
    value: object = "",
    **params: object,
) -> Issue:
    """Build an Issue with both messages rendered from the catalogues (key ``issue.<code>``)."""
    value_s = "" if value is None else str(value)
    fill = {"value": value_s, "column": column, "row": row, "sheet": sheet, "file": file, **params}
    return Issue(
        severity=severity,
        code=code,
        file=file,
        sheet=sheet,
        row=row,
        column=column,
        value=value_s,
        message_th=t(f"issue.{code}", "th", **fill),
        message_en=t(f"issue.{code}", "en", **fill),
    )


def issues_frame(issues: Iterable[Issue]) -> pd.DataFrame:
    """The one report table with fixed columns (upload page, downloads, CLI)."""
    cols = ["severity", "code", "file", "sheet", "row", "column", "value", "message_th",
            "message_en"]
    return pd.DataFrame([i.to_dict() for i in issues], columns=cols)


def has_errors(issues: Iterable[Issue]) -> bool:
    return any(i.severity == "error" for i in issues)
