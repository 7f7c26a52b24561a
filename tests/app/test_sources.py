"""AppTest of the live sources: provenance on every page, refresh, and the stale banner.

A stand-in Google Sheets server runs in a thread on 127.0.0.1 (the same process as AppTest),
sources.toml points at it through TRACKER_SOURCES_FILE and TRACKER_GSHEETS_API_BASE.
"""

from __future__ import annotations

import json
import re

import openpyxl
import pytest

from messages.i18n import t
from tests.app.conftest import metric_values
from tests.fakes.sheets_server import SheetsServer
from tests.helpers.sheets import displayed
from tracker.dev.sample import REGISTER_SHEET, RESPONSES_SHEET, write_sample
from ui import sources as ui_sources


@pytest.fixture(autouse=True)
def _stand_in_on_loopback(monkeypatch):
    """The stand-in server listens on 127.0.0.1: allow that private address for these tests."""
    monkeypatch.setenv("TRACKER_ALLOW_PRIVATE_SOURCES", "1")


KEY = "1LiveRegisterAbCdEfGhIjKlMnOpQrStUvWxYz012345"
NAME = "ทะเบียนออนไลน์"
LIVE_TOTAL = 30
WAIT = 30.0


@pytest.fixture(scope="module")
def sheets(tmp_path_factory) -> dict[str, list[list[str]]]:
    path = tmp_path_factory.mktemp("live") / "live.xlsx"
    write_sample(path, directives=LIVE_TOTAL, seed=9, include_kpis=False, include_budget=False)
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: [[displayed(v) for v in r] for r in ws.iter_rows(values_only=True)] for ws in wb
    }


@pytest.fixture(scope="module")
def server():
    with SheetsServer() as s:
        s._httpd.RequestHandlerClass.disable_nagle_algorithm = True  # no 40 ms delayed ACKs
        yield s


@pytest.fixture
def live(app, server, sheets, tmp_path, monkeypatch):
    """The app with one Google Sheet source on the stand-in server and a fresh runner."""
    server.clear_faults()
    server.spreadsheets.clear()
    server.add_spreadsheet(
        KEY, "ติดตามข้อสั่งการ (ออนไลน์)", {k: [list(r) for r in v] for k, v in sheets.items()}
    )
    settings = tmp_path / "sources.toml"
    settings.write_text(
        f"""
timeout_seconds = 1
deadline_seconds = 1

[[sources]]
name = "{NAME}"
key = "{KEY}"
refresh_seconds = 600
[sources.worksheets]
"{REGISTER_SHEET}" = "directives"
"{RESPONSES_SHEET}" = "responses"
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("TRACKER_SOURCES_FILE", str(settings))
    monkeypatch.setenv("TRACKER_GSHEETS_API_BASE", server.api_base_url)
    monkeypatch.setenv("GOOGLE_SERVICE_ACCOUNT_JSON", json.dumps(server.service_account()))
    ui_sources.runner().wait(WAIT)  # a previous test's background sync
    ui_sources.runner.clear()
    yield app
    ui_sources.runner().wait(WAIT)
    server.clear_faults()


def _total(at) -> int:
    return int(metric_values(at)[t("card.total", "th")].replace(",", ""))


def _captions(at) -> list[str]:
    """The sidebar's captions as shown (markdown escapes removed)."""
    return [re.sub(r"\\(.)", r"\1", c.value) for c in at.sidebar.caption]


def _refresh_button(at):
    label = t("sources.refresh", "th")
    found = [b for b in at.sidebar.button if b.label == label]
    assert found, [b.label for b in at.sidebar.button]
    return found[0]


def _settled(at):
    """Wait for the background sync the first run started, then draw again."""
    assert ui_sources.runner().wait(WAIT)
    at.run()
    assert not at.exception, at.exception
    return at


def test_provenance_shows_the_synced_sheet_on_every_page(live, server, tmp_path):
    settings = tmp_path / "sources.toml"
    text = settings.read_text("utf-8").replace("timeout_seconds = 1", "timeout_seconds = 5")
    settings.write_text(text.replace("deadline_seconds = 1", "deadline_seconds = 10"), "utf-8")
    server.fail("metadata", delay=1.5)  # a slow Google: the page does not wait for it
    at = live()
    assert _total(at) == 240  # the bundled sample while the first fetch runs
    _settled(at)
    assert _total(at) == LIVE_TOTAL
    captions = _captions(at)
    assert any(c.startswith("แหล่งข้อมูล: ข้อมูล ณ ") and NAME in c for c in captions), captions
    assert any(c.startswith(f"{NAME}: ดึงล่าสุด ") for c in captions), captions
    assert not at.warning
    at.switch_page("app_pages/directives.py").run()
    assert any(NAME in c for c in _captions(at))
    english = _captions(live(lang="en"))  # another session: same runner, same snapshot
    assert any(c.startswith("Data sources: Data as of ") and NAME in c for c in english), english
    assert any(c.startswith(f"{NAME}: fetched ") for c in english), english


def test_500_keeps_the_numbers_and_shows_the_stale_banner(live, server):
    at = _settled(live())
    assert _total(at) == LIVE_TOTAL
    server.fail("values", 500, times=None)
    _refresh_button(at).click().run()
    assert not at.exception, at.exception
    assert _total(at) == LIVE_TOTAL  # the last good data stays
    banners = [w.value for w in at.warning]
    assert len(banners) == 1, banners
    text = banners[0]
    for expected in (NAME, "gsheets\\_unavailable", "500", "ยังไม่ได้ปรับปรุง", "not updated"):
        assert expected in text, (expected, text)
    assert any(t("sources.failed_flag", "th") in c for c in _captions(at))


def test_unreachable_google_on_first_start_never_empties_the_dashboard(live, server):
    server.fail("any", 503, times=None)
    at = _settled(live())
    assert _total(at) == 240  # the bundled snapshot, not an empty page
    banners = [w.value for w in at.warning]
    assert len(banners) == 1 and NAME in banners[0], banners
    assert any(c.startswith(f"{NAME}: ยังดึงข้อมูลไม่ได้") for c in _captions(at)), _captions(at)


def test_no_page_asks_a_viewer_for_a_url(live):
    at = _settled(live())
    for page in ("app_pages/overview.py", "app_pages/directives.py", "app_pages/history.py"):
        at.switch_page(page).run()
        labels = [w.label for w in at.text_input]
        assert not any("url" in (x or "").lower() or "ลิงก์" in (x or "") for x in labels), labels


def test_broken_settings_file_is_a_banner_not_a_crash(live, tmp_path):
    (tmp_path / "sources.toml").write_text('[[sources]]\nname = "x"\nurl = "ftp://x"\n', "utf-8")
    at = live()
    banners = [w.value for w in at.warning]
    assert len(banners) == 1 and "sources.toml" in banners[0].replace("\\", ""), banners
    assert _total(at) == 240
