"""The address "/" (hidden from the navigation): opens the Overview at its own path, with the
filters and language of the link, so "/overview" and "/" are the same page."""

import streamlit as st

st.switch_page("app_pages/overview.py", query_params=st.query_params.to_dict())
