"""Cached loading of the published data; pages filter frames, they never reload them."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import streamlit as st

from tracker.loader import LoadResult, load_paths

ROOT = Path(__file__).resolve().parent.parent
SUPPORTED = (".xlsx", ".xls", ".ods", ".csv")


def data_dir() -> Path:
    return Path(os.environ.get("TRACKER_DATA_DIR", ROOT / "sample_data"))


def today() -> date:
    """Today, or TRACKER_TODAY (ISO) for reproducible demos and tests."""
    fixed = os.environ.get("TRACKER_TODAY")
    return date.fromisoformat(fixed) if fixed else date.today()


def _files() -> list[Path]:
    folder = data_dir()
    return sorted(p for p in folder.glob("*") if p.suffix.lower() in SUPPORTED) if folder.is_dir() else []


@st.cache_resource(show_spinner=False)
def _load(fingerprint: tuple) -> LoadResult:
    return load_paths([p for p, _, _ in fingerprint], sandbox=False)


def current() -> LoadResult:
    """The dataset of the bundled/configured files, reloaded only when a file changes."""
    fingerprint = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in _files())
    return _load(fingerprint)


def source_label() -> str:
    return ", ".join(p.name for p in _files())
