"""Streamlit helpers shared by the pages (the only layer, with app.py and app_pages/, that imports streamlit)."""
