"""The Overview's "executive brief" download: the one-page PDF (``tracker.present.brief``) for
the filters in use, generated only when clicked and cached per database, snapshot, filters,
day and language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import astuple
from datetime import date

import pandas as pd
import streamlit as st

from tracker.dataset import Dataset
from tracker.metrics import directives as metrics
from tracker.metrics.targets import load_targets
from ui import data
from ui.i18n import lang, tr


def _build(ds: Dataset, view: pd.DataFrame, chosen: metrics.Filters, today: date, lg: str):
    from tracker.present.brief import build_brief
    from tracker.present.brief_pdf import write_brief_pdf

    brief = build_brief(
        view,
        metrics.filter_units(ds.kpis, chosen),
        metrics.filter_units(ds.budget, chosen),
        load_targets(),
        chosen,
        today,
        lg,
    )
    return write_brief_pdf(brief)


@st.cache_data(max_entries=16, show_spinner=False)
def _cached(
    database: str, snapshot_id: int, filters: tuple, today: date, lg: str, _ds: Dataset
) -> bytes:
    chosen = metrics.Filters(*filters)
    return _build(_ds, metrics.apply_filters(_ds.directives, chosen), chosen, today, lg)


def download(
    loaded: data.Loaded, chosen: metrics.Filters, view_of: Callable[[], pd.DataFrame]
) -> None:
    """The download button; the PDF is made when the button is clicked (deferred data).
    ``view_of`` gives the filtered register (made only when the PDF is not kept already)."""
    ds, today, lg = loaded.dataset, data.today(), lang()
    sid, database = loaded.snapshot_id, data.database_url()

    def pdf() -> bytes:
        if sid is None:  # data not from the store: nothing to key a cache on
            return _build(ds, view_of(), chosen, today, lg)
        return _cached(database, sid, astuple(chosen), today, lg, ds)

    from tracker.present.brief import file_name

    st.download_button(
        tr("brief.download"),
        pdf,
        file_name=file_name(today),
        mime="application/pdf",
        key="download_brief",
        help=tr("brief.download_help"),
        on_click="ignore",
        icon=":material/picture_as_pdf:",
    )


__all__ = ["download"]
