"""The first start says why the first page waits: the bundled sample is being imported
(issue 16 item 10), in the user's language, and only inside a script run."""

from __future__ import annotations

import contextlib

from streamlit.testing.v1 import AppTest

from ui import data


def _script() -> None:
    import streamlit as st

    from ui import data

    st.query_params["lang"] = "en"
    with data._importing():
        st.write("imported")
    st.write(type(data._importing()).__name__)


def test_outside_a_script_run_nothing_is_drawn():
    assert isinstance(data._importing(), contextlib.nullcontext)


def test_inside_a_script_run_a_spinner_says_the_sample_is_imported(monkeypatch):
    shown: list[str] = []
    import streamlit as st

    real = st.spinner

    def spy(text: str, **kwargs: object):
        shown.append(text)
        return real(text, **kwargs)

    monkeypatch.setattr(st, "spinner", spy)
    at = AppTest.from_function(_script, default_timeout=30).run()
    assert not at.exception, at.exception
    assert shown and shown[0].startswith("Importing the sample data…"), shown
    assert at.markdown[0].value == "imported"
    assert at.markdown[1].value != "nullcontext"


def test_a_fresh_database_is_seeded_with_the_spinner(app, monkeypatch):
    shown: list[str] = []
    import streamlit as st

    real = st.spinner
    monkeypatch.setattr(st, "spinner", lambda text, **kw: shown.append(text) or real(text, **kw))
    app()
    assert any(s.startswith("กำลังนำเข้าข้อมูลตัวอย่าง…") for s in shown), shown
