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

    def in_lang(lang: str) -> dict:
        # A parameter given as {"th": ..., "en": ...} is rendered in each language.
        return {k: (v[lang] if isinstance(v, dict) else v) for k, v in fill.items()}

    return Issue(
        severity=severity,
        code=code,
        file=file,
        sheet=sheet,
        row=row,
        column=column,
        value=value_s,
        message_th=t(f"issue.{code}", "th", **in_lang("th")),
        message_en=t(f"issue.{code}", "en", **in_lang("en")),
    )


def issues_frame(issues: Iterable[Issue]) -> pd.DataFrame:
    """The one report table with fixed columns (upload page, downloads, CLI)."""
    cols = [
        "severity",
        "code",
        "file",
        "sheet",
        "row",
        "column",
        "value",
        "message_th",
        "message_en",
    ]
    return pd.DataFrame([i.to_dict() for i in issues], columns=cols)


def has_errors(issues: Iterable[Issue]) -> bool:
    return any(i.severity == "error" for i in issues)


# --- cross-row checks on normalised frames -----------------------------------------------------


def _at(df: pd.DataFrame, i: int) -> dict:
    return {
        "file": df["source"].iat[i] or "",
        "sheet": df["sheet"].iat[i] or "",
        "row": None if pd.isna(df["row"].iat[i]) else int(df["row"].iat[i]),
    }


def check_directives(df: pd.DataFrame, known_agency: pd.Series | None = None) -> list[Issue]:
    """Duplicates, due before issue, fiscal year against issue date, unknown agencies."""
    from tracker.thai import fiscal_year_series

    issues: list[Issue] = []
    ids = df["directive_id"]
    dup = ids.notna() & ids.duplicated(keep=False)
    for i in dup.to_numpy().nonzero()[0]:
        others = df.loc[dup & (ids == ids.iat[i]), "row"].astype("string").tolist()
        issues.append(
            make_issue(
                "error",
                "duplicate_id",
                **_at(df, i),
                column="directive_id",
                value=ids.iat[i],
                rows=", ".join(others),
            )
        )
    early = (df["due_date"] < df["issued_date"]).fillna(False)
    for i in early.to_numpy().nonzero()[0]:
        issues.append(
            make_issue(
                "error",
                "due_before_issue",
                **_at(df, i),
                column="due_date",
                value=str(df["due_date"].iat[i].date()),
                issued=str(df["issued_date"].iat[i].date()),
            )
        )
    fy_of_date = fiscal_year_series(df["issued_date"])
    wrong = fy_of_date.notna() & df["fiscal_year"].notna() & (fy_of_date != df["fiscal_year"])
    for i in wrong.fillna(False).to_numpy().nonzero()[0]:
        issues.append(
            make_issue(
                "error",
                "fiscal_year_mismatch",
                **_at(df, i),
                column="fiscal_year",
                value=int(df["fiscal_year"].iat[i]),
                expected=int(fy_of_date.iat[i]),
            )
        )
    if known_agency is not None:
        unknown = df["agency"].notna() & ~known_agency.to_numpy()
        seen: set[str] = set()
        for i in unknown.to_numpy().nonzero()[0]:
            name = df["agency"].iat[i]
            if name not in seen:  # once per name, at its first row
                seen.add(name)
                issues.append(
                    make_issue(
                        "warning", "unknown_agency", **_at(df, i), column="agency", value=name
                    )
                )
    return issues
