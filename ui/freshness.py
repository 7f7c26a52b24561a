"""An open page follows what any app server publishes: a fragment with nothing on screen asks
for the current snapshot id every TRACKER_POLL_SECONDS and reruns the page, with a toast, when
it is no longer the one the page was drawn with (several servers behind a load balancer share
one PostgreSQL; a publish on one reaches pages open on the others within one interval).

Cheap by design: one process-wide answer per second at most, whatever the number of open
pages (the one-row ``current_snapshot`` table read by its primary key), and a fragment run
draws nothing. Works the same on SQLite.

Each session polls at its own interval, within ±10 % of TRACKER_POLL_SECONDS (drawn once per
session: the browser keeps its timer while the interval stays the same). Pages drawn at the
same moment (a server's start, a publish) would otherwise poll in step forever; spread out,
one of them notices a publish soon after it and starts loading the new snapshot (once per
process, ``ui.data``) while the others' polls come.
"""

from __future__ import annotations

import logging
import random
import threading
import time

import streamlit as st

import settings
from tracker.store import StoreError
from ui import data
from ui.i18n import tr

FLASH = "freshness_new_data"
SHARED_SECONDS = 1.0  # one database read serves every session of the process for this long
JITTER = 0.1  # each session's interval: TRACKER_POLL_SECONDS × (1 ± JITTER)
_SPREAD = "freshness_spread"  # the session's factor in [1 − JITTER, 1 + JITTER]

log = logging.getLogger(__name__)
_lock = threading.Lock()
# database URL → (monotonic time, the current id or the StoreError met reading it)
_last: dict[str, tuple[float, int | StoreError | None]] = {}


def current_id(max_age: float = SHARED_SECONDS) -> int | None:
    """The current snapshot id, read at most once per ``max_age`` seconds per process (so 50
    open pages polling cost one query a second, not fifty; a failure is shared the same way).
    Raises StoreError."""
    url = data.database_url()
    with _lock:
        seen = _last.get(url)
        if seen is None or time.monotonic() - seen[0] >= max_age:
            answer: int | StoreError | None
            try:
                answer = data.store().current_id()
            except StoreError as exc:
                answer = exc
            before = seen[1] if seen is not None else None
            seen = _last[url] = (time.monotonic(), answer)
            if isinstance(answer, int) and isinstance(before, int) and answer != before:
                _prefetch(url, answer)
    if isinstance(seen[1], StoreError):
        raise seen[1]
    return seen[1]


def _prefetch(url: str, snapshot_id: int) -> None:
    """Start loading a snapshot that just became current, in the background, the moment this
    process first sees it: the pages' own polls then find it loaded (or wait for the same
    load: one per process) rather than starting it up to an interval later. At 1,000,000
    directives the load is most of the time a publish takes to reach open pages."""

    def load() -> None:
        try:
            data.load_snapshot(url, snapshot_id)
        except Exception as exc:  # the pages' own load reports it
            log.warning("loading snapshot %s ahead of the pages failed: %s", snapshot_id, exc)

    threading.Thread(target=load, name="tracker-prefetch", daemon=True).start()


def _poll(drawn: int | None) -> None:
    """The fragment's body: rerun the whole page when another snapshot became current."""
    try:
        sid = current_id()
    except StoreError:  # the database is away: the page keeps what it shows, under its banner
        return
    if sid is not None and sid != drawn:
        st.session_state[FLASH] = True
        st.rerun(scope="app")


def follow_snapshots() -> None:
    """In the shell before the page: toast a change found by the last poll, note the snapshot
    this run draws and start the poll (nothing when TRACKER_POLL_SECONDS is 0)."""
    if st.session_state.pop(FLASH, False):
        st.toast(tr("servers.new_data"), icon=":material/update:")
    seconds = float(settings.get("TRACKER_POLL_SECONDS"))  # type: ignore[arg-type]
    if not seconds:
        return
    try:
        drawn = current_id(0)  # read now: the page draws this one or a newer one
    except StoreError:
        drawn = None  # read-only: the first poll that reaches the database redraws the page
    st.fragment(run_every=session_interval(seconds))(_poll)(drawn)


def session_interval(seconds: float) -> float:
    """This session's poll interval: ``seconds`` spread by a factor drawn once per session
    (the same at every run, so the browser's timer is kept), rounded to 10 ms."""
    spread = st.session_state.get(_SPREAD)
    if not isinstance(spread, float):
        spread = st.session_state[_SPREAD] = 1.0 + JITTER * (2.0 * random.random() - 1.0)
    return round(seconds * spread, 2)


__all__ = ["current_id", "follow_snapshots", "session_interval"]
