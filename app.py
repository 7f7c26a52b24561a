"""Entry point: page config, language, and navigation over the pages (routing only)."""

import streamlit as st

from ui.auth import navigable, sign_in
from ui.i18n import language_switch, tr

st.set_page_config(
    page_title="ติดตามข้อสั่งการ · BMA Inspector General",
    page_icon=":material/fact_check:",
    layout="wide",
)
language_switch()
access = sign_in()

pages = [
    st.Page(
        "pages/overview.py",
        title=tr("page.overview"),
        icon=":material/dashboard:",
        url_path="overview",
        default=True,
    ),
    st.Page(
        "pages/directives.py",
        title=tr("page.directives"),
        icon=":material/checklist:",
        url_path="directives",
    ),
    st.Page(
        "pages/upload.py", title=tr("page.upload"), icon=":material/upload_file:", url_path="upload"
    ),
    st.Page(
        "pages/history.py", title=tr("page.history"), icon=":material/history:", url_path="history"
    ),
    st.Page("pages/kpis.py", title=tr("page.kpis"), icon=":material/target:", url_path="kpis"),
    st.Page(
        "pages/budget.py", title=tr("page.budget"), icon=":material/payments:", url_path="budget"
    ),
    st.Page(
        "pages/districts.py",
        title=tr("page.districts"),
        icon=":material/map:",
        url_path="districts",
    ),
]
st.navigation(navigable(pages, access)).run()
