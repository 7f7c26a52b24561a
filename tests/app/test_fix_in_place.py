"""AppTest of fix in place (issue 15): correct the wrong statuses in the grid, check again,
publish; History lists the corrected cells."""

from __future__ import annotations

from messages.i18n import t
from tests.helpers.hand import register_with_bad_statuses

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD, HISTORY = "app_pages/upload.py", "app_pages/history.py"


def _metric(at, key: str) -> str:
    return {m.label: m.value for m in at.metric}[t(key, "th")]


def test_fix_two_cells_check_again_publish_and_see_them_in_history(app):
    at = app(UPLOAD)
    at.file_uploader[0].set_value(("ทะเบียน.xlsx", register_with_bad_statuses(), XLSX)).run()
    assert not at.exception, at.exception
    assert _metric(at, "upload.count.errors") == "2"
    assert any(s.value == t("fix.title", "th") for s in at.subheader)
    editor = at.data_editor[0]
    assert editor.value["value"].tolist() == ["เสร็จครึ่งๆ", "??"]
    at.session_state["fix_editor_0"] = {
        "edited_rows": {0: {"new": "ดำเนินการแล้ว"}, 1: {"new": "ไม่สามารถดำเนินการได้"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    next(b for b in at.button if b.label == t("fix.check", "th")).click().run()
    assert not at.exception, at.exception
    assert _metric(at, "upload.count.errors") == "0"
    assert any(t("fix.applied", "th", n=2) == i.value for i in at.info)
    assert not any(s.value == t("fix.title", "th") for s in at.subheader)
    publish = next(b for b in at.button if b.label == t("upload.publish", "th"))
    assert not publish.disabled
    publish.click().run()
    assert not at.exception, at.exception
    at.switch_page(HISTORY).run()
    assert not at.exception, at.exception
    logs = [d.value for d in at.dataframe if t("history.col.action", "th") in d.value.columns]
    actions = logs[0][t("history.col.action", "th")].tolist()
    assert actions.count(t("history.action.cell_edit", "th")) == 2
