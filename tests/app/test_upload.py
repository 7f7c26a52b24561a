"""AppTest of the upload and history pages: report, preview, publish, duplicate, rollback,
and the read-only mode when the database cannot be reached."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from messages.i18n import t
from tests.app.conftest import metric_values
from tests.helpers.registers import csv_bytes
from tracker.dev.sample import write_sample

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD, HISTORY, OVERVIEW = "app_pages/upload.py", "app_pages/history.py", "app_pages/overview.py"


@pytest.fixture(scope="module")
def new_workbook(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("upload") / "new.xlsx"
    write_sample(path, directives=60, seed=5)
    return path.read_bytes()


def _total(at) -> int:
    return int(metric_values(at)[t("card.total", "th")].replace(",", ""))


def _button(at, key: str):
    label = t(key, "th")
    found = [b for b in at.button if b.label == label]
    assert found, (label, [b.label for b in at.button])
    return found[0]


def _frame_with(at, column: str):
    """The first table on the page that has ``column``."""
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, column
    return frames[0]


def _upload(at, name: str, data: bytes, mime: str = XLSX):
    at.file_uploader[0].set_value((name, data, mime))
    at.run()
    assert not at.exception, at.exception
    return at


def test_file_with_errors_shows_report_and_publish_is_disabled(app):
    at = app(UPLOAD)
    bad = csv_bytes([("A1", "สำนักงานเขตบางนา", "เสร็จครึ่งหนึ่ง", ""), ("A1", "สำนักการโยธา", "", "")])
    _upload(at, "ผิด.csv", bad, "text/csv")
    report = _frame_with(at, t("upload.report.severity", "th"))
    severities = report[t("upload.report.severity", "th")].tolist()
    assert severities.count(t("upload.severity.error", "th")) >= 2
    assert metric_values(at)[t("upload.count.errors", "th")] != "0"
    assert _button(at, "upload.publish").disabled
    assert any(t("publish.block.has_errors", "th").split(" ")[0] in e.value for e in at.error)
    # the report file name is fixed, never derived from the upload's name
    assert not any("ผิด.csv" in (b.proto.label or "") for b in at.get("download_button"))


def test_good_file_preview_publish_and_overview_changes(app, new_workbook):
    at = app()
    before = _total(at)
    assert before == 240  # the bundled sample seeded the empty database
    at.switch_page(UPLOAD).run()
    _upload(at, "ข้อมูลใหม่.xlsx", new_workbook)
    values = metric_values(at)
    assert values[t("upload.count.directives", "th")] == "60"
    assert values[t("upload.count.errors", "th")] == "0"
    assert t("diff.status_changed", "th") in values  # the preview against the current data
    assert any("#1" in c.value for c in at.caption)
    assert [i.value for i in at.info if i.value == t("upload.replaces_demo", "th")]
    publish = _button(at, "upload.publish")
    assert not publish.disabled
    at.text_input[0].input("รอบ ๒ <b>note</b>").run()
    _button(at, "upload.publish").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [t("upload.published", "th", snapshot=2)]
    assert not at.file_uploader[0].value  # the uploader was reset
    at.switch_page(OVERVIEW).run()
    assert _total(at) == 60 != before

    at.switch_page(HISTORY).run()
    assert not at.exception, at.exception
    snaps = _frame_with(at, t("history.col.current", "th"))
    assert snaps[t("history.col.id", "th")].tolist() == [2, 1]
    assert snaps[t("history.col.note", "th")].tolist()[0] == "รอบ ๒ <b>note</b>"  # plain text
    assert snaps[t("history.col.current", "th")].tolist() == [t("history.current_yes", "th"), ""]
    # what the app itself wrote reads in the page's language; no sha256 column
    assert snaps[t("history.col.note", "th")].tolist()[1] == t("history.note.bundled", "th")
    assert "sha256" not in snaps.columns
    log = _frame_with(at, t("history.col.action", "th"))
    first = log[log[t("history.col.action", "th")] == t("history.action.publish", "th")]
    assert first[t("history.col.message", "th")].tolist()[-1].startswith("เผยแพร่สแนปช็อต #1 (")


def test_same_bytes_again_says_already_published(app, sample_dir):
    at = app(UPLOAD)
    data = (sample_dir / "sample.xlsx").read_bytes()  # what the app seeded snapshot #1 from
    _upload(at, "again.xlsx", data)
    assert [i.value for i in at.info if "#1" in i.value] == [
        t("publish.block.duplicate", "th", snapshot=1)
    ]
    assert _button(at, "upload.publish").disabled


def test_history_rollback_needs_confirmation(app, new_workbook):
    at = app(UPLOAD)
    _upload(at, "new.xlsx", new_workbook)
    _button(at, "upload.publish").click().run()
    at.switch_page(HISTORY).run()
    assert not at.exception, at.exception
    roll = _button(at, "history.rollback_button")
    assert roll.disabled  # no confirmation yet
    assert at.selectbox(key="rollback_target").value == 1
    at.checkbox(key="rollback_sure_1").check().run()
    _button(at, "history.rollback_button").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [t("history.rolled_back", "th", snapshot=1)]
    audit = _frame_with(at, t("history.col.action", "th"))
    actions = audit[t("history.col.action", "th")].tolist()
    assert actions[0] == t("history.action.rollback", "th")
    at.switch_page(OVERVIEW).run()
    assert _total(at) == 240


def test_history_trends_and_diff(app, new_workbook):
    at = app(UPLOAD)
    _upload(at, "new.xlsx", new_workbook)
    _button(at, "upload.publish").click().run()
    at.switch_page(HISTORY).run()
    assert not at.exception, at.exception
    specs = [el.proto.spec for el in at.get("plotly_chart")]
    assert specs, "the trend chart is drawn"
    trend = json.loads(specs[0])
    overall = trend["data"][0]
    assert overall["meta"] == "__all__" and len(overall["y"]) == 2
    assert at.selectbox(key="diff_from").value == 1 and at.selectbox(key="diff_to").value == 2
    assert t("diff.directives_removed", "th") in metric_values(at)


def test_database_down_keeps_data_read_only_and_refuses_uploads(app, monkeypatch):
    from tracker.store import Store, StoreUnavailable

    at = app()
    before = _total(at)

    def down(self):
        raise StoreUnavailable("test")

    monkeypatch.setattr(Store, "current_id", down)
    at.run()
    assert not at.exception, at.exception
    assert _total(at) == before  # the data already in memory is still shown
    banner = [w.value for w in at.warning]
    assert banner and t("data.read_only_banner", "th") in banner[0]
    assert t("data.read_only_banner", "en") in banner[0]
    at.switch_page(UPLOAD).run()
    assert not at.exception, at.exception
    assert len(at.file_uploader) == 0
    assert any(t("upload.refused_offline", "th") in e.value for e in at.error)


def test_template_download_is_offered(app):
    at = app(UPLOAD)
    labels = [b.proto.label for b in at.get("download_button")]
    assert t("upload.template", "th") in labels
    assert Path("app_pages/upload.py").exists()


def test_size_setting_above_the_web_servers_limit_is_capped_and_said(app, monkeypatch):
    """The web server refuses uploads over server.maxUploadSize whatever the widget allows:
    the page must not promise 30 MB when only 20 MB can arrive."""
    from streamlit import config

    previous = config.get_option("server.maxUploadSize")
    monkeypatch.setenv("TRACKER_MAX_FILE_MB", "30")
    config.set_option("server.maxUploadSize", 20)
    try:
        at = app(UPLOAD)
        assert not at.exception, at.exception
        warning = t("upload.server_cap", "th", setting="30", server="20")
        assert [w.value for w in at.warning] == [warning]
        assert at.file_uploader[0].proto.max_upload_size_mb == 20
        assert at.file_uploader[0].label == t("upload.files", "th", mb="20")
    finally:
        config.set_option("server.maxUploadSize", previous)


def test_size_setting_within_the_web_servers_limit_is_used_quietly(app, monkeypatch):
    from streamlit import config

    previous = config.get_option("server.maxUploadSize")
    monkeypatch.setenv("TRACKER_MAX_FILE_MB", "5")
    config.set_option("server.maxUploadSize", 20)
    try:
        at = app(UPLOAD)
        assert not at.warning
        assert at.file_uploader[0].proto.max_upload_size_mb == 5
    finally:
        config.set_option("server.maxUploadSize", previous)


def test_first_page_view_starts_the_upload_sandbox_once(app, monkeypatch):
    """The sandbox server loads the readers (~1 s) when the app starts, not at the first
    upload; later page views do not start it again."""
    from data_sources import guard
    from ui import shell

    calls: list[int] = []
    monkeypatch.setattr(guard, "warm_up_sandbox", lambda: calls.append(1))
    shell._sandbox_started.clear()
    try:
        at = app(OVERVIEW)
        at.run()
        assert calls == [1]
    finally:
        shell._sandbox_started.clear()


def _changes(at) -> dict[str, list[int]]:
    """The per-table change counts shown in the preview: table → [in file, a, c, r, kept]."""
    frame = _frame_with(at, t("upload.changes.kept", "th"))
    return {
        row[0]: [int(str(v).replace(",", "")) for v in row[1:]]
        for row in frame.itertuples(index=False)
    }


def _publish_new_workbook(at, new_workbook) -> None:
    at.switch_page(UPLOAD).run()
    _upload(at, "ข้อมูลใหม่.xlsx", new_workbook)
    _button(at, "upload.publish").click().run()
    assert not at.exception, at.exception


def test_register_only_upload_keeps_kpi_and_budget_on_the_overview(app, new_workbook):
    at = app()
    _publish_new_workbook(at, new_workbook)
    at.switch_page(OVERVIEW).run()
    before = metric_values(at)
    assert before[t("fin.card.kpi_on", "th")] not in ("", "-")
    at.switch_page(UPLOAD).run()
    register = csv_bytes([("NEW-1", "สำนักงานเขตบางนา", "ดำเนินการแล้ว", "31/3/2567")])
    _upload(at, "ทะเบียนเพิ่ม.csv", register, "text/csv")
    changes = _changes(at)
    assert changes[t("upload.count.directives", "th")] == [1, 1, 0, 0, 60]
    assert changes[t("upload.count.kpis", "th")][1:4] == [0, 0, 0]
    assert changes[t("upload.count.budget", "th")][1:4] == [0, 0, 0]
    _button(at, "upload.publish").click().run()
    assert not at.exception, at.exception
    at.switch_page(OVERVIEW).run()
    after = metric_values(at)
    assert _total(at) == 61
    for key in ("fin.card.rate", "fin.card.kpi_on", "fin.card.kpi_below"):
        assert after[t(key, "th")] == before[t(key, "th")], key
    at.switch_page(HISTORY).run()
    assert not at.exception, at.exception
    listing = _frame_with(at, t("history.col.changes", "th"))
    latest = listing[t("history.col.changes", "th")].tolist()[0]
    # what the newest snapshot changed: the register only, one directive added
    assert latest == f"{t('upload.count.directives', 'th')}: {t('upload.changes.added', 'th')} 1"


def test_replace_register_publish_waits_for_the_confirmation_of_the_number(app, new_workbook):
    at = app()
    _publish_new_workbook(at, new_workbook)
    at.switch_page(UPLOAD).run()
    register = csv_bytes([("NEW-1", "สำนักงานเขตบางนา", "ดำเนินการแล้ว", "31/3/2567")])
    _upload(at, "ทะเบียนทั้งหมด.csv", register, "text/csv")
    assert not _button(at, "upload.publish").disabled  # add and update: nothing is removed
    at.radio[0].set_value("replace").run()
    assert not at.exception, at.exception
    assert _changes(at)[t("upload.count.directives", "th")][3] == 60
    assert _button(at, "upload.publish").disabled
    sure = [c for c in at.checkbox if c.label == t("upload.replace_confirm", "th", n="60")]
    assert sure, [c.label for c in at.checkbox]
    sure[0].check().run()
    publish = _button(at, "upload.publish")
    assert not publish.disabled
    publish.click().run()
    assert not at.exception, at.exception
    at.switch_page(OVERVIEW).run()
    assert _total(at) == 1


def test_a_register_without_any_fiscal_year_asks_for_it(app):
    at = app(UPLOAD)
    register = "หน่วยรับตรวจ,ข้อสั่งการ,สถานะ\nสำนักงานเขตบางนา,ให้ซ่อมทางเท้า,ดำเนินการแล้ว\n"
    _upload(at, "ทะเบียน.csv", register.encode("utf-8"), "text/csv")
    assert _button(at, "upload.publish").disabled
    ask = at.selectbox(key="upload_fy_0")
    assert ask.label == t("upload.fiscal_year_ask", "th")
    ask.set_value(2567).run()
    assert not at.exception, at.exception
    assert metric_values(at)[t("upload.count.errors", "th")] == "0"
    assert not _button(at, "upload.publish").disabled
