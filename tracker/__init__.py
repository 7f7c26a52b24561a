"""The follow-up domain: schema, Thai normalisers, validation, metrics and charts (no Streamlit)."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
PROJECT_ROOT = PACKAGE_DIR.parent
