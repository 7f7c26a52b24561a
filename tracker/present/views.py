"""Display-ready tables (labels in the active language, dates in BE); no Streamlit."""

from __future__ import annotations

import pandas as pd

from messages.i18n import t
from tracker.present.charts import factor_label, status_label
from tracker.schema import FACTORS
from tracker.thai import format_date


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
            t("col.agency", lang): df["agency"],
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
