"""Open pages spread their polls of the current snapshot id (ui/freshness.py, issue 20)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from ui import freshness


def _interval_page() -> None:
    import streamlit as st

    from ui.freshness import session_interval

    st.text(repr(session_interval(5.0)))


def test_each_session_polls_at_its_own_steady_interval():
    """Pages drawn together must not poll in step forever: each session's interval is
    spread within ±10 % of TRACKER_POLL_SECONDS, and stays the same at every run (the
    browser keeps its timer only while the interval is unchanged)."""
    seen = []
    for _ in range(8):
        at = AppTest.from_function(_interval_page)
        at.run()
        first = float(at.text[0].value)
        at.run()
        at.run()
        assert float(at.text[0].value) == first  # steady within the session
        seen.append(first)
    assert all(5.0 * (1 - freshness.JITTER) <= s <= 5.0 * (1 + freshness.JITTER) for s in seen)
    assert len(set(seen)) > 1  # spread between sessions
