"""Streamlit helpers shared by the pages (the only layer, with app.py and pages/, that imports streamlit)."""
