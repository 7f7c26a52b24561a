"""AppTest fixtures: the app on a small generated workbook with a fixed "today"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tracker.dev.sample import write_sample

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("app_data")
    write_sample(folder / "sample.xlsx", directives=240, seed=11)
    return folder


@pytest.fixture
def app(sample_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_DATA_DIR", str(sample_dir))
    # A fresh database per test: the app seeds it from TRACKER_DATA_DIR on first start.
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'tracker.sqlite'}")
    monkeypatch.setenv("TRACKER_TODAY", "2024-10-15")
    monkeypatch.chdir(ROOT)

    def make(page: str | None = None, **query) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        if page:
            at.switch_page(page)
            at.run()
        assert not at.exception, at.exception
        return at

    return make


def plotly_specs(at: AppTest) -> list[dict]:
    """The Plotly figures on the page, as their JSON specs."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}
