"""Small drawing helpers: metric cards, tables with safe downloads, a chart with its table view.

Every table goes through ``table``: the browser's own CSV export is switched off
(``client.disableDataExport``) because it writes cells such as ``=HYPERLINK(…)`` as formulas;
``data_table`` offers xlsx and CSV made by ``tracker.present.exports`` instead. Every chart goes through
``chart``, which escapes the data in the figure so that no cell becomes markup.
"""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pandas.io.formats.style import Styler

from tracker.present import exports
from tracker.present.charts_safe import escape_figure
from tracker.thai import format_int
from ui.i18n import tr

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def data_table(
    df: pd.DataFrame,
    key: str,
    *,
    name: str = "",
    export: pd.DataFrame | None = None,
    **kwargs: object,
) -> None:
    """A table with xlsx and CSV downloads made safe for Excel (built only when clicked).

    ``name`` is the file name's stem (ASCII); the active filters go in the first rows.
    ``export`` is what the downloads hold when it differs from what is shown (unit names
    instead of the links to their cards).
    """
    st.dataframe(df, hide_index=kwargs.pop("hide_index", True), width="stretch", key=key, **kwargs)
    if df is None or len(df.data if isinstance(df, Styler) else df) == 0:
        return
    stem = name or key
    filters = tuple(st.session_state.get("_export_filters", ()))
    frame = df.data if isinstance(df, Styler) else df  # pages build a new frame each run
    if export is not None:
        frame = export
    # one row on any screen (columns stacked the two buttons on a phone)
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        "xlsx",
        data=lambda: exports.xlsx_bytes(frame, filters),
        file_name=f"{stem}.xlsx",
        mime=XLSX,
        icon=":material/download:",
        key=f"{key}__xlsx",
        on_click="ignore",
        help=tr("common.download_xlsx"),
    )
    row.download_button(
        "CSV",
        data=lambda: exports.csv_bytes(frame, filters),
        file_name=f"{stem}.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"{key}__csv",
        on_click="ignore",
        help=tr("common.download_csv"),
    )


def export_filters(lines: list[str]) -> None:
    """The filters the page's tables were made with, written at the top of their downloads."""
    st.session_state["_export_filters"] = list(lines)


TOOLBAR_PX = 40  # Plotly's toolbar strip at the top right, and room for Thai tone marks
TITLE_LINE_PX = 22  # one more line of a chart title


def clear_of_toolbar(fig: go.Figure) -> go.Figure:
    """The title moved below the toolbar's strip, so the toolbar never covers it on a phone
    (where the chart is as narrow as its title)."""
    if fig.layout.title.text:
        top = fig.layout.margin.t if fig.layout.margin.t is not None else 80
        # Plotly anchors a title of several lines by its first line: the others go above it
        extra = TITLE_LINE_PX * len(re.findall(r"<br\s*/?>", fig.layout.title.text, re.I))
        fig.update_layout(
            title={
                "yref": "container",
                "y": 1,
                "yanchor": "top",
                "pad": {"t": TOOLBAR_PX + extra},
            },
            margin={"t": max(top, 50) + TOOLBAR_PX + extra},
        )
    return fig


def legend_at_bottom(fig: go.Figure) -> go.Figure:
    """A horizontal legend under the plot moved to the figure's bottom edge, so the x-axis
    title (its height depends on the tick labels) never sits under it."""
    legend = fig.layout.legend
    if legend.orientation == "h" and legend.y is not None and legend.y < 0:
        fig.update_layout(legend={"yref": "container", "y": 0, "yanchor": "bottom"})
    return fig


_PREPARED = "_tracker_prepared"


def prepare(fig: go.Figure) -> go.Figure:
    """``fig`` ready to draw: its data escaped (no cell becomes markup; a copy), its title
    clear of the toolbar, its legend at the bottom. A prepared figure is returned as it is
    (``ui.memo`` keeps prepared figures: escaping twice would show "&amp;")."""
    if getattr(fig, _PREPARED, False):
        return fig
    out = legend_at_bottom(clear_of_toolbar(escape_figure(fig)))
    setattr(out, _PREPARED, True)
    return out


def chart(fig: go.Figure, table_df: pd.DataFrame | None, key: str) -> None:
    """A Plotly chart (its data escaped: no cell becomes markup) and, folded below it, the
    same numbers as a table (None: the page shows them as a table of their own)."""
    st.plotly_chart(
        prepare(fig),
        width="stretch",
        key=key,
        config={"displaylogo": False},
    )
    if table_df is None:
        return
    with st.expander(tr("common.table_view")):
        data_table(table_df, f"{key}__table", name=key)


def cards(items: list[tuple[str, str, str | None]]) -> None:
    """Metric cards in one row that wraps: (label, value, help).

    Each card is as wide as its text needs (never cut with "…") and the row wraps where the
    screen ends: a laptop shows six in a row, a phone two (not one a row, which pushed the
    first chart several screens down).
    """
    with st.container(horizontal=True, gap="small"):
        for label, value, help_text in items:
            st.metric(label, value, help=help_text, border=True)


def count(n: int) -> str:
    return format_int(n)
