"""The column-mapping form of the Upload page: which of the file's headers holds each field.

Shown for every table that lacks a required column (``Dataset.unmatched``). Each header of
the file gets a select of our fields, pre-filled with the field it maps to now or the best
guess; "Apply" reads the files again with the choices, and "remember" saves them for files
named like this one (stored in the database, audited) so the next upload needs no mapping.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tracker.read.mapping import UnmatchedTable, fields_of, source_pattern
from ui.i18n import tr

NOT_USED = ""


def field_label(key: str) -> str:
    if key == NOT_USED:
        return tr("mapping.not_used")
    label = tr(f"col.{key}")
    return key if label == f"col.{key}" else f"{label} ({key})"


def mapping_form(tables: list[UnmatchedTable], nonce: int) -> tuple[dict[str, str], bool] | None:
    """The choices (header as typed -> field) and "remember" when Apply is pressed, else None."""
    if not tables:
        return None
    st.subheader(tr("mapping.title"))
    st.caption(tr("mapping.intro"))
    with st.form(key=f"mapping_{nonce}", border=True):
        choices: dict[str, str] = {}
        for n, table in enumerate(tables):
            missing = ", ".join(field_label(k) for k in table.missing)
            st.markdown(f"**{tr('mapping.table', file=table.source, sheet=table.sheet)}**")
            st.caption(tr("mapping.missing", fields=missing))
            options = [NOT_USED, *fields_of(table.kind)]
            for letter, (text, now, guess) in table.headers.items():
                chosen = now or guess
                choices[text] = st.selectbox(
                    tr("mapping.header", letter=letter, header=text),
                    options,
                    index=options.index(chosen) if chosen in options else 0,
                    format_func=field_label,
                    key=f"map_{nonce}_{n}_{letter}",
                )
            if table.unused:
                st.caption(tr("mapping.unused", headers=", ".join(table.unused)))
        patterns = sorted({source_pattern(t.source) for t in tables})
        remember = st.checkbox(
            tr("mapping.remember", patterns=", ".join(patterns)), value=True, key=f"rem_{nonce}"
        )
        applied = st.form_submit_button(tr("mapping.apply"), icon=":material/rule:")
    if not applied:
        return None
    return {h: f for h, f in choices.items() if f}, remember


def saved_table(rows: pd.DataFrame) -> None:
    """The mappings in force for the uploaded files (shown under the form)."""
    if rows.empty:
        return
    shown = rows.assign(field=[field_label(f) for f in rows["field"]])
    shown = shown[["pattern", "header", "field", "saved_by", "saved_at"]]
    shown.columns = [tr(f"mapping.col.{c}") for c in shown.columns]
    with st.expander(tr("mapping.saved", n=len(rows))):
        st.dataframe(shown, hide_index=True, width="stretch")
