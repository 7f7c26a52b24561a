"""Display-ready tables (labels in the active language, dates in BE); no Streamlit."""

from __future__ import annotations

import re

import pandas as pd

from messages.i18n import t
from tracker.present.charts import factor_label, status_label
from tracker.schema import FACTORS
from tracker.thai import format_date
from tracker.unit_names import unit_name


def directive_table(df: pd.DataFrame, ages: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The directives as the table on the Directives page shows them (plain text only)."""
    factors = df[[f"f_{k}" for k in FACTORS]].to_numpy()
    names = [factor_label(k, lang) for k in FACTORS]
    dates = {}
    for col in ("issued_date", "due_date"):
        values = df[col]
        uniq = {v: format_date(v.date(), lang) for v in values.dropna().unique()}
        dates[col] = values.map(uniq)
    return pd.DataFrame(
        {
            t("col.directive_id", lang): df["directive_id"],
            t("col.fiscal_year", lang): df["fiscal_year"],
            t("col.round", lang): df["round"],
            t("col.agency", lang): df["agency"].map(lambda a: unit_name(a, lang)),
            t("col.group", lang): df["group"],
            t("col.status", lang): df["status"].map(lambda s: status_label(s, lang)),
            t("col.text", lang): df["text"],
            t("col.factors", lang): [
                ", ".join(n for n, on in zip(names, row, strict=True) if on) for row in factors
            ],
            t("col.issued_date", lang): dates["issued_date"],
            t("col.due_date", lang): dates["due_date"],
            t("col.days_open", lang): ages["days_open"],
            t("col.overdue", lang): ages["overdue"],
            t("col.detail", lang): df["detail"],
            t("col.obstacle", lang): df["obstacle"],
        }
    )


# The audit messages the store writes itself (a stable English form), shown in the language.
_PUBLISHED = re.compile(
    r"published #(?P<sid>\d+) \((?P<rows>\d+) rows; written: (?P<written>.*)\); "
    r"previous current: (?P<previous>#\d+|none)$"
)
_ROLLED = re.compile(r"current (?P<previous>#\d+|none) -> #(?P<sid>\d+)$")
SYSTEM_NOTES = {"bundled sample": "history.note.bundled"}


def audit_message(action: str, message: str, lang: str) -> str:
    """An audit row's message in ``lang`` when the app wrote it; a person's text as written."""
    text = "" if message is None else str(message)
    found = _PUBLISHED.match(text) if action == "publish" else None
    if found:
        previous = found["previous"]
        return t(
            "history.msg.publish",
            lang,
            sid=found["sid"],
            rows=f"{int(found['rows']):,}",
            written=found["written"],
            previous=t("history.msg.none", lang) if previous == "none" else previous,
        )
    found = _ROLLED.match(text) if action == "rollback" else None
    if found:
        previous = found["previous"]
        return t(
            "history.msg.rollback",
            lang,
            sid=found["sid"],
            previous=t("history.msg.none", lang) if previous == "none" else previous,
        )
    return text


def snapshot_note(note: str, lang: str) -> str:
    """A snapshot's note in ``lang`` when the app wrote it (the bundled sample)."""
    key = SYSTEM_NOTES.get("" if note is None else str(note))
    return t(key, lang) if key else ("" if note is None else str(note))
