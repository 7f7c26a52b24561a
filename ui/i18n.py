"""The active language (from the URL, Thai by default) and lookup in it."""

from __future__ import annotations

import streamlit as st

from messages.i18n import LANGS
from messages.i18n import t as _t


def lang() -> str:
    value = st.query_params.get("lang", "th")
    return value if value in LANGS else "th"


def tr(key: str, **kwargs: object) -> str:
    return _t(key, lang(), **kwargs)


def language_switch() -> None:
    """Sidebar switch ไทย / English, kept in the URL so a shared link keeps the language."""
    current = lang()
    choice = st.sidebar.segmented_control(
        "ภาษา / Language",
        options=list(LANGS),
        default=current,
        format_func=lambda v: {"th": "ไทย", "en": "English"}[v],
        key="lang_switch",
    )
    if choice and choice != current:
        st.query_params["lang"] = choice
        st.rerun()
