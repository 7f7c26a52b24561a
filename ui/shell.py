"""The app shell: page config, language, sign-in and navigation over the pages.

``app.py`` calls :func:`run_app`. A page script can also be started directly: on a server's
first request for a deep link (``/directives``) Streamlit may run ``pages/directives.py`` on
its own, in its older folder mode. :func:`ensure_routed` (called by ``require_page`` at the top
of every page) then runs the whole app instead, so page config, sign-in, the language switch
and the navigation always apply, and the requested page is drawn through them.
"""

from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st

from ui.i18n import language_switch, tr

ROOT = Path(__file__).resolve().parent.parent
_state = threading.local()  # one script run per thread: is this run inside run_app()?

# (file, locale key of the title, Material icon, url path)
PAGES: tuple[tuple[str, str, str, str], ...] = (
    ("pages/overview.py", "page.overview", ":material/dashboard:", "overview"),
    ("pages/directives.py", "page.directives", ":material/checklist:", "directives"),
    ("pages/kpis.py", "page.kpis", ":material/target:", "kpis"),
    ("pages/budget.py", "page.budget", ":material/payments:", "budget"),
    ("pages/districts.py", "page.districts", ":material/map:", "districts"),
    ("pages/upload.py", "page.upload", ":material/upload_file:", "upload"),
    ("pages/history.py", "page.history", ":material/history:", "history"),
    ("pages/admin.py", "page.admin", ":material/admin_panel_settings:", "admin"),
)


@st.cache_resource(show_spinner=False)
def _sandbox_started() -> bool:
    """Start the upload sandbox's server once per app process, at the first page view, so the
    first upload does not wait for it to load the readers (about a second)."""
    from data_sources.guard import warm_up_sandbox

    warm_up_sandbox()
    return True


def run_app(want: str | None = None) -> bool:
    """Configure the page, sign the user in, and run the page the URL asks for.

    ``want`` (a page key) is the page script that was started on its own. Returns whether the
    navigation ran a page (False: the started script must go on itself).
    """
    from ui.auth import navigable, sign_in
    from ui.sources import sources_panel

    st.set_page_config(
        page_title="ติดตามข้อสั่งการ · BMA Inspector General",
        page_icon=":material/fact_check:",
        layout="wide",
    )
    _sandbox_started()
    language_switch()
    access = sign_in()
    sources_panel()  # provenance, live sources' refresh, stale banner: on every page
    pages = [
        st.Page(ROOT / path, title=tr(title), icon=icon, url_path=url, default=(url == "overview"))
        for path, title, icon, url in PAGES
    ]
    page = st.navigation(navigable(pages, access))
    if want is not None and (page.url_path or "overview") != want:
        # The navigation chose another page (no page name in the request): only that page may
        # be run, so the started script goes on by itself below the shell just drawn, and its
        # own access check decides.
        return False
    _state.routed = True
    try:
        page.run()
    finally:
        _state.routed = False
    return True


def ensure_routed(page_key: str) -> None:
    """If page ``page_key``'s script was started on its own, run it through the app, then stop."""
    if getattr(_state, "routed", False):
        return
    if run_app(want=page_key):
        st.stop()
