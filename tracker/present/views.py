"""Display-ready tables (labels in the active language, dates in BE); no Streamlit."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from messages.i18n import t
from tracker.present.charts import factor_label, status_label
from tracker.schema import FACTORS, STATUSES
from tracker.thai import format_date, format_flag
from tracker.unit_names import unit_name


def factor_labels(df: pd.DataFrame, lang: str) -> pd.Series:
    """Each directive's impact factors as "a, b" in ``lang`` (one label per combination)."""
    flags = df[[f"f_{k}" for k in FACTORS]].to_numpy(dtype=bool)
    names = [factor_label(k, lang) for k in FACTORS]
    combo = flags.astype(np.int64) @ (1 << np.arange(len(FACTORS), dtype=np.int64))
    labels = {
        int(c): ", ".join(n for i, n in enumerate(names) if int(c) >> i & 1)
        for c in np.unique(combo)
    }
    return pd.Series([labels[int(c)] for c in combo], index=df.index, dtype=object)


def directive_table(
    df: pd.DataFrame, ages: pd.DataFrame, lang: str, texts: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The directives as the table on the Directives page shows them (plain text only).

    ``texts`` holds the rows' text, detail and obstacle when ``df`` does not carry them (the
    app's shared copy keeps them in the database)."""
    texts = df if texts is None else texts.reindex(df.index)
    dates = {}
    for col in ("issued_date", "due_date"):
        values = df[col]
        uniq = {v: format_date(v.date(), lang) for v in values.dropna().unique()}
        dates[col] = values.map(uniq)
    agency = df["agency"]
    names = {a: unit_name(a, lang) for a in pd.unique(agency.dropna())}
    statuses = {s: status_label(s, lang) for s in pd.unique(df["status"].dropna())}
    return pd.DataFrame(
        {
            t("col.directive_id", lang): df["directive_id"],
            t("col.fiscal_year", lang): df["fiscal_year"],
            t("col.round", lang): df["round"],
            t("col.agency", lang): agency.astype(object).map(names),
            t("col.group", lang): df["group"],
            t("col.status", lang): df["status"].astype(object).map(statuses),
            t("col.text", lang): texts["text"],
            t("col.factors", lang): factor_labels(df, lang),
            t("col.issued_date", lang): dates["issued_date"],
            t("col.due_date", lang): dates["due_date"],
            t("col.days_open", lang): ages["days_open"].reindex(df.index),
            t("col.overdue", lang): ages["overdue"].reindex(df.index).map(format_flag),
            t("col.detail", lang): texts["detail"],
            t("col.obstacle", lang): texts["obstacle"],
        }
    )


def aging_table(bins: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The aging histogram's bins as its table view: days open from–to and the counts."""
    return pd.DataFrame(
        {
            t("col.days_open", lang): [
                f"{a:,}–{b - 1:,}" if b - a > 1 else f"{a:,}"
                for a, b in zip(bins["start"], bins["end"], strict=True)
            ],
            t("legend.on_time", lang): bins["on_time"].to_numpy(),
            t("legend.overdue", lang): bins["overdue"].to_numpy(),
            t("legend.no_due_date", lang): bins["no_due_date"].to_numpy(),
        }
    )


# The audit messages the store writes itself (a stable English form), shown in the language.
_PUBLISHED = re.compile(
    r"published #(?P<sid>\d+) \((?P<rows>\d+) rows; written: (?P<written>.*)\); "
    r"previous current: (?P<previous>#\d+|none)$"
)
# "directives 400, responses 198": each table named in the page's language
_WRITTEN = re.compile(r"\b(?P<kind>directives|responses|kpis|budget) (?P<n>\d+)")
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
            written=_written(found["written"], lang),
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


def _written(text: str, lang: str) -> str:
    """The tables a publish wrote ("directives 400, responses 198") in ``lang``."""
    if text == "none":
        return t("history.msg.none", lang)
    return _WRITTEN.sub(lambda m: f"{t('upload.count.' + m['kind'], lang)} {int(m['n']):,}", text)


def snapshot_note(note: str, lang: str) -> str:
    """A snapshot's note in ``lang`` when the app wrote it (the bundled sample)."""
    key = SYSTEM_NOTES.get("" if note is None else str(note))
    return t(key, lang) if key else ("" if note is None else str(note))


def heatmap_list(pivot: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The unit × group heat map as a list a phone can read: one row per unit and group with
    directives, most first (ties by unit, then group)."""
    cols = [t(k, lang) for k in ("col.agency", "col.group", "axis.directives")]
    if pivot.empty:
        return pd.DataFrame(columns=cols)
    long = pivot.rename_axis(index="unit", columns="group").stack().rename("n").reset_index()
    long = long[long["n"] > 0].astype({"unit": str, "group": str, "n": int})
    long = long.sort_values(["n", "unit", "group"], ascending=[False, True, True], kind="stable")
    return pd.DataFrame(
        {
            cols[0]: [unit_name(u, lang) for u in long["unit"]],
            cols[1]: long["group"].tolist(),
            cols[2]: long["n"].tolist(),
        }
    )


def status_counts_table(counts: pd.DataFrame, key: str, lang: str) -> pd.DataFrame:
    """Status counts per ``key`` ("agency" or "factor", as ``metrics.by_agency`` and
    ``by_factor`` give them) headed in the page's language, factors by their labels;
    statuses, total and % done named as on the charts (the units keep the names the data
    holds: the tables link them to their cards)."""
    out = counts.copy()
    if key == "factor":
        out[key] = [factor_label(k, lang) for k in out[key]]
    names = {
        "agency": t("col.agency", lang),
        "factor": t("filter.factor", lang),
        "total": t("col.total", lang),
        "done_pct": t("axis.done_pct", lang),
    }
    return out.rename(columns=names | {s: status_label(s, lang) for s in STATUSES})
