"""Make every data value in a Plotly figure inert: no cell becomes a link, a style or markup.

Plotly renders a subset of HTML in tick labels, legends, hover text and annotations (``<a
href>``, ``<span style>``, ``<b>``…): an agency named ``<a href="https://…">…</a>`` became a
clickable link. ``escape_figure`` escapes ``&``, ``<`` and ``>`` in every string a trace or
the layout carries (Plotly shows the entities as the characters), leaving alone only what
Plotly needs verbatim: hover templates (ours, they place the escaped values), geometry
locations and colours. The one tag our own labels use, ``<br>`` (a line break without
attributes, harmless), is kept. No Streamlit here.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import plotly.graph_objects as go

# Trace properties that carry data or names shown to the user.
TRACE_TEXT = (
    "x",
    "y",
    "text",
    "hovertext",
    "customdata",
    "labels",
    "name",
    "ids",
    "parents",
)
LAYOUT_AXIS_TEXT = ("ticktext", "categoryarray")
_BR = "&lt;br&gt;"


def escape_text(value: str) -> str:
    """One string made inert for Plotly (``<br>`` kept as a line break)."""
    return html.escape(value, quote=False).replace(_BR, "<br>")


def _escape(value: Any) -> Any:
    """Strings escaped inside scalars, lists, tuples and arrays (numbers untouched)."""
    if isinstance(value, str):
        return escape_text(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "OUS":
            return np.array([_escape(v) for v in value.tolist()], dtype=object).reshape(value.shape)
        return value
    if isinstance(value, list | tuple):
        if not any(isinstance(v, _NESTED) for v in value):  # numbers only: nothing to escape
            return value
        return type(value)(_escape(v) for v in value)
    return value


_NESTED = (str, list, tuple, np.ndarray)


def escape_figure(fig: go.Figure) -> go.Figure:
    """``fig`` with every data string escaped (a copy; the original is left as it was)."""
    # ``fig`` was validated when built: the copy and the escaped strings set into it are not
    # validated again (that doubled the cost of every figure; the JSON is the same)
    out = go.Figure(fig, _validate=False)
    for trace in out.data:
        for prop in TRACE_TEXT:
            if prop not in trace:
                continue
            value = trace[prop]
            if value is not None:
                trace[prop] = _escape(value)
        if "header" in trace and trace.header is not None:  # go.Table
            trace.header.values = _escape(trace.header.values)
            trace.cells.values = _escape(trace.cells.values)
    layout = out.layout
    for name in list(layout.to_plotly_json()):
        if name.startswith(("xaxis", "yaxis")):
            axis = layout[name]
            for prop in LAYOUT_AXIS_TEXT:
                if axis[prop] is not None:
                    axis[prop] = _escape(axis[prop])
            if axis.title is not None and axis.title.text:
                axis.title.text = escape_text(axis.title.text)
    if layout.title is not None and layout.title.text:
        layout.title.text = escape_text(layout.title.text)
    if layout.annotations:
        for note in layout.annotations:
            if note.text:
                note.text = escape_text(note.text)
    if layout.legend is not None and layout.legend.title is not None and layout.legend.title.text:
        layout.legend.title.text = escape_text(layout.legend.title.text)
    return out
