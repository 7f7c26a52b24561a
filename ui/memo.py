"""What the pages compute, kept per snapshot and filters so a rerun draws without recomputing.

Every open page reruns on a publish, a poll or a click, and fifty sessions on one snapshot and
the same filters computed the same aggregates and built the same Plotly figures fifty times
(building, escaping and laying out one figure costs 10–50 ms of CPU; sending a built one about
1 ms). Keys always hold the database and snapshot id (a snapshot never changes), so nothing
here is ever stale; without a snapshot id (no store) nothing is kept.

- ``numbers``: pure computations (small frames, dicts), ``st.cache_data``: each caller gets
  its own copy.
- ``figure``: a figure ready to draw (escaped, title clear of the toolbar, legend at the
  bottom; ``widgets.prepare``), ``st.cache_resource``: one object shared by every session,
  never changed once prepared (``st.plotly_chart`` only reads it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import astuple
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from tracker.metrics.directives import Filters
from ui import data
from ui.widgets import prepare

T = TypeVar("T")


def snapshot_key(loaded: data.Loaded) -> tuple | None:
    """(database, snapshot id, today), or None when the data is not a stored snapshot."""
    if loaded.snapshot_id is None or loaded.read_only:
        return None
    return (data.database_url(), loaded.snapshot_id, data.today())


def view_key(loaded: data.Loaded, chosen: Filters) -> tuple | None:
    """The key of the filtered view: the snapshot's key and the filters."""
    base = snapshot_key(loaded)
    return None if base is None else (*base, astuple(chosen))


def rows_key(frame: pd.DataFrame) -> tuple | None:
    """The key of ``frame``, rows of the current snapshot's directives chosen by index label
    (with columns derived from the snapshot and today only), for a helper that is handed the
    rows and not the filters: the snapshot's key and a digest of the row labels."""
    # data.current() would draw the read-only banner a second time
    base = snapshot_key(data._resolve())
    if base is None or frame.index.dtype.kind not in "iu":
        return None
    labels = np.ascontiguousarray(frame.index.to_numpy())
    digest = hashlib.blake2b(labels.tobytes(), digest_size=16).hexdigest()
    return (*base, len(frame), digest)


@st.cache_data(show_spinner=False, max_entries=256)
def _numbers(key: tuple, _compute: Callable[[], Any]) -> Any:
    return _compute()


def numbers(key: tuple | None, compute: Callable[[], T]) -> T:
    """``compute()``, kept per ``key`` (a copy for each caller); None: computed now."""
    if key is None:
        return compute()
    return _numbers(key, compute)


@st.cache_resource(show_spinner=False, max_entries=8)
def _shared(key: tuple, _compute: Callable[[], Any]) -> Any:
    return _compute()


def shared(key: tuple | None, compute: Callable[[], T]) -> T:
    """``compute()`` (e.g. a whole register with a column added), one object per ``key``
    shared by every session, never changed (few kept: they are big); None: computed now."""
    if key is None:
        return compute()
    return _shared(key, compute)


@st.cache_resource(show_spinner=False, max_entries=16)
def _per_view(key: tuple, _compute: Callable[[], Any]) -> Any:
    return _compute()


def per_view(key: tuple | None, compute: Callable[[], T]) -> T:
    """``compute()``: a frame with a row per directive of a filtered view (e.g. its days
    open), one object per ``key`` shared by every session and by the page's parts, never
    changed; kept apart from ``shared`` so many filters never push out a register's
    frames; None: computed now."""
    if key is None:
        return compute()
    return _per_view(key, compute)


@st.cache_resource(show_spinner=False, max_entries=256)
def _figure(
    key: tuple, _build: Callable[[], go.Figure], _finish: Callable[[go.Figure], go.Figure]
) -> go.Figure:
    return _finish(_build())


@st.cache_resource(show_spinner=False, max_entries=16)
def _big_figure(
    key: tuple, _build: Callable[[], go.Figure], _finish: Callable[[go.Figure], go.Figure]
) -> go.Figure:
    return _finish(_build())


def figure(
    key: tuple | None,
    build: Callable[[], go.Figure],
    finish: Callable[[go.Figure], go.Figure] = prepare,
    *,
    big: bool = False,
) -> go.Figure:
    """The figure ``build()`` makes, made ready to draw by ``finish`` (``widgets.prepare``),
    shared per ``key`` by every session (never change it); None: built now. ``big`` (a map
    with its district shapes): fewer of them are kept."""
    if key is None:
        return finish(build())
    return (_big_figure if big else _figure)(key, build, finish)


def clear(*, snapshots: bool = True) -> None:
    """Forget everything kept (for a benchmark of the first run; keys never go stale);
    ``snapshots=False`` keeps what is kept per snapshot alone (``shared``): the first run
    of a new filter on a snapshot already open."""
    _numbers.clear()
    if snapshots:
        _shared.clear()
    _per_view.clear()
    _figure.clear()
    _big_figure.clear()


__all__ = [
    "clear",
    "figure",
    "numbers",
    "per_view",
    "rows_key",
    "shared",
    "snapshot_key",
    "view_key",
]
