"""End to end in Debian's chromium: a real upload → preview → publish → the Overview changes;
the History page shows both snapshots and the trend chart."""

from __future__ import annotations

import pytest

from messages.i18n import t
from tests.e2e.conftest import running_app, shot
from tracker.dev.sample import write_sample

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def upload_app(tmp_path_factory):
    """A server of its own: publishing here must not change the numbers other tests see."""
    with running_app(tmp_path_factory.mktemp("e2e_upload") / "tracker.sqlite") as url:
        yield url


@pytest.fixture(scope="module")
def new_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("e2e_files") / "ข้อมูลรอบใหม่.xlsx"
    write_sample(path, directives=60, seed=5)
    return path


def _total(page) -> int:
    card = page.locator('[data-testid="stMetric"]').filter(has_text=t("card.total", "th")).first
    return int(card.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


def _overview_total(page, url: str) -> int:
    page.goto(f"{url}/overview", wait_until="networkidle")
    page.get_by_role("heading", name=t("overview.title", "th")).wait_for(timeout=60_000)
    page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=60_000)
    return _total(page)


def test_upload_publish_then_overview_and_history(upload_app, page, new_file):
    # The root first: a fresh server whose first request is a deep link (/overview) runs the
    # pages/ scripts without app.py's st.navigation (Streamlit's legacy pages/ discovery).
    page.goto(upload_app, wait_until="networkidle")
    page.get_by_role("heading", name=t("overview.title", "th")).wait_for(timeout=60_000)
    before = _overview_total(page, upload_app)
    assert before == 400  # the bundled sample seeded the empty database

    page.goto(f"{upload_app}/upload", wait_until="networkidle")
    page.get_by_role("heading", name=t("upload.title", "th")).wait_for(timeout=60_000)
    shot(page, "upload_empty")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(new_file))
    page.get_by_role("heading", name=t("upload.preview", "th")).wait_for(timeout=90_000)
    publish = page.get_by_role("button", name=t("upload.publish", "th"), exact=True)
    publish.wait_for(timeout=30_000)
    assert publish.is_enabled()
    page.get_by_label(t("upload.note", "th")).fill("ทดสอบในเบราว์เซอร์")
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    shot(page, "upload_preview")
    publish.click()
    page.get_by_text(t("upload.published", "th", snapshot=2)).wait_for(timeout=60_000)
    shot(page, "upload_published")

    assert _overview_total(page, upload_app) == 60

    page.goto(f"{upload_app}/history", wait_until="networkidle")
    page.get_by_role("heading", name=t("history.title", "th")).wait_for(timeout=60_000)
    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
    page.wait_for_timeout(500)
    shot(page, "history")
