"""AppTest of the column-mapping form (issue 15): map, remember, and the next upload of a file
named alike reads without asking; the save is in the audit log shown on History."""

from __future__ import annotations

from messages.i18n import t
from tests.helpers.hand import hand_register_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD, HISTORY = "app_pages/upload.py", "app_pages/history.py"


def _errors(at) -> str:
    return {m.label: m.value for m in at.metric}[t("upload.count.errors", "th")]


def test_map_a_column_remember_it_and_the_next_file_needs_no_mapping(app):
    at = app(UPLOAD)
    at.file_uploader[0].set_value(("ทะเบียน_2567.xlsx", hand_register_bytes(3), XLSX)).run()
    assert not at.exception, at.exception
    assert _errors(at) != "0"
    assert any(s.value == t("mapping.title", "th") for s in at.subheader)
    select = [s for s in at.selectbox if "ผู้ปฏิบัติ" in s.label]
    assert len(select) == 1 and select[0].value == ""  # nothing close enough to guess
    status = next(s for s in at.selectbox if "“สถานะ”" in s.label)
    assert status.value == "status"  # the field it maps to now
    select[0].set_value("agency")
    next(b for b in at.button if b.label == t("mapping.apply", "th")).click().run()
    assert not at.exception, at.exception
    assert _errors(at) == "0"
    assert {m.label: m.value for m in at.metric}[t("upload.count.directives", "th")] == "3"
    assert any(
        t("mapping.saved_now", "th", n=5, patterns="ทะเบียน_#") == s.value for s in at.success
    )

    # another analyst, another day: a file named alike is read with the saved mapping
    at.session_state["upload_nonce"] = 1
    at.run()
    at.file_uploader[0].set_value(("ทะเบียน_2568.xlsx", hand_register_bytes(5), XLSX)).run()
    assert not at.exception, at.exception
    assert _errors(at) == "0"
    assert {m.label: m.value for m in at.metric}[t("upload.count.directives", "th")] == "5"
    assert not any(s.value == t("mapping.title", "th") for s in at.subheader)

    at.switch_page(HISTORY).run()
    assert not at.exception, at.exception
    logs = [d.value for d in at.dataframe if t("history.col.action", "th") in d.value.columns]
    assert logs, [d.value.columns.tolist() for d in at.dataframe]
    actions = logs[0][t("history.col.action", "th")].tolist()
    assert t("history.action.column_mapping", "th") in actions
