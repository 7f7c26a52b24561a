"""Fix in place on the Upload page: the cells with errors in an editable grid.

The analyst types the right value next to each wrong one and presses "Check again": the files
are read again with the corrections applied to copies of the sheets (tracker.read.corrections).
Published corrections go to the audit log; the corrected workbook can be downloaded.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tracker.present.exports import cells_xlsx
from tracker.publish.flow import Prepared
from tracker.read.corrections import Correction, fixable
from ui.i18n import lang, tr

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def fix_form(prepared: Prepared, nonce: int) -> list[Correction] | None:
    """The corrections when "Check again" is pressed (None otherwise)."""
    cells = fixable(prepared.issues)
    if cells.empty:
        return None
    st.subheader(tr("fix.title"))
    st.caption(tr("fix.intro"))
    # the cell, its value and the new one first: on a phone they are what fits
    shown = pd.DataFrame(
        {
            "cell": [f"{c}{r}" for c, r in zip(cells["letter"], cells["row"], strict=True)],
            "value": cells["value"],
            "new": cells["value"],
            "problem": [i.message(lang()) for i in cells["issue"]],
            "column": cells["column"],
            "file": cells["file"],
            "sheet": cells["sheet"],
        }
    )
    with st.form(key=f"fix_{nonce}", border=False):
        edited = st.data_editor(
            shown,
            hide_index=True,
            width="stretch",
            disabled=["file", "sheet", "cell", "column", "problem", "value"],
            column_config={
                name: st.column_config.TextColumn(tr(f"fix.col.{name}")) for name in shown.columns
            }
            | {
                "new": st.column_config.TextColumn(tr("fix.col.new"), max_chars=1000),
                "problem": st.column_config.TextColumn(tr("fix.col.problem"), width="large"),
            },
            key=f"fix_editor_{nonce}",
        )
        checked = st.form_submit_button(tr("fix.check"), icon=":material/fact_check:")
    if not checked:
        return None
    out = []
    for i, new in enumerate(edited["new"]):
        new_text = "" if new is None else str(new).strip()
        if new_text != str(shown["value"].iat[i]):
            out.append(
                Correction(
                    file=str(cells["file"].iat[i]),
                    sheet=str(cells["sheet"].iat[i]),
                    row=int(cells["row"].iat[i]),
                    letter=str(cells["letter"].iat[i]),
                    old=str(cells["value"].iat[i]),
                    new=new_text,
                )
            )
    return out


def corrections_summary(prepared: Prepared) -> None:
    """What was corrected, and the corrected workbook to download."""
    if not prepared.corrections:
        return
    st.info(tr("fix.applied", n=len(prepared.corrections)), icon=":material/edit_note:")
    listing = pd.DataFrame(
        {
            tr("fix.col.file"): [c.file for c in prepared.corrections],
            tr("fix.col.sheet"): [c.sheet for c in prepared.corrections],
            tr("fix.col.cell"): [f"{c.letter}{c.row}" for c in prepared.corrections],
            tr("fix.col.value"): [c.old for c in prepared.corrections],
            tr("fix.col.new"): [c.new for c in prepared.corrections],
        }
    )
    st.dataframe(listing, hide_index=True, width="stretch")
    st.download_button(
        tr("fix.download"),
        data=cells_xlsx(prepared.corrected_sheets),
        file_name="corrected.xlsx",
        mime=XLSX,
        icon=":material/download:",
        key="download_corrected",
    )
