"""The app shell: page config, language, sign-in and navigation over the pages.

``app.py`` calls :func:`run_app` on every run. The page scripts live in ``app_pages/``, a
folder Streamlit does not treat specially (its ``pages/`` folder mode would run a page script
on its own for a deep link), so every URL — ``/directives?zone=…`` included — is routed by
``st.navigation`` here, after page config, sign-in and the language switch.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

import settings
from ui.i18n import language_switch, tr

ROOT = Path(__file__).resolve().parent.parent

HOME = "app_pages/home.py"  # "/": opens the Overview at its own path

# (file, locale key of the title, Material icon, url path)
PAGES: tuple[tuple[str, str, str, str], ...] = (
    ("app_pages/overview.py", "page.overview", ":material/dashboard:", "overview"),
    ("app_pages/directives.py", "page.directives", ":material/checklist:", "directives"),
    ("app_pages/kpis.py", "page.kpis", ":material/target:", "kpis"),
    ("app_pages/budget.py", "page.budget", ":material/payments:", "budget"),
    ("app_pages/districts.py", "page.districts", ":material/map:", "districts"),
    ("app_pages/units.py", "page.units", ":material/apartment:", "units"),
    ("app_pages/reports.py", "page.reports", ":material/description:", "reports"),
    ("app_pages/upload.py", "page.upload", ":material/upload_file:", "upload"),
    ("app_pages/history.py", "page.history", ":material/history:", "history"),
    ("app_pages/admin.py", "page.admin", ":material/admin_panel_settings:", "admin"),
)


@st.cache_resource(show_spinner=False)
def _sandbox_started() -> bool:
    """Start the upload sandbox's server once per app process, at the first page view, so the
    first upload does not wait for it to load the readers (about a second)."""
    from data_sources.guard import warm_up_sandbox

    warm_up_sandbox()
    return True


def run_app() -> None:
    """Configure the page, sign the user in, and run the page the URL asks for."""
    from ui.auth import navigable, sign_in
    from ui.filters import reserve_sidebar_place
    from ui.freshness import follow_snapshots
    from ui.sources import sources_panel

    st.set_page_config(
        page_title="ติดตามข้อสั่งการ · BMA Inspector General",
        page_icon=":material/fact_check:",
        layout="wide",
    )
    _sandbox_started()
    reserve_sidebar_place()  # the page's filters first, above the language switch and banners
    language_switch()
    access = sign_in()
    sources_panel()  # provenance, live sources' refresh, stale banner: on every page
    # "/" is a hidden page that opens the Overview at "/overview": every page answers its own
    # path (the default page of st.navigation has no path of its own).
    home = st.Page(ROOT / HOME, url_path="home", default=True, visibility="hidden")
    pages = [
        st.Page(ROOT / path, title=tr(title), icon=icon, url_path=url)
        for path, title, icon, url in PAGES
    ]
    page = st.navigation(navigable([home, *pages], access))
    try:
        follow_snapshots()  # a publish on any server reaches this open page (TRACKER_POLL_SECONDS)
        page.run()
    except settings.SettingError as exc:  # a setting the server was started with is unusable
        st.error(f"{exc.message_th}\n\n{exc.message_en}", icon=":material/settings_alert:")
