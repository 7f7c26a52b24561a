"""History in one language: the audit messages and notes the app writes are shown translated;
what a person typed is shown as typed."""

from tracker.present.views import audit_message, snapshot_note

PUBLISHED = "published #3 (1250 rows; written: responses 1198, directives 20); previous current: #2"


def test_the_apps_own_messages_read_in_each_language():
    assert audit_message("publish", PUBLISHED, "th") == (
        "เผยแพร่สแนปช็อต #3 (1,250 แถว; เขียนใหม่: คำตอบ (Forms) 1,198, ข้อสั่งการ 20) ข้อมูลปัจจุบันก่อนหน้า: #2"
    )
    assert audit_message("publish", PUBLISHED, "en").startswith("Published snapshot #3 (1,250")
    assert "Responses (Forms) 1,198, Directives 20" in audit_message("publish", PUBLISHED, "en")
    assert audit_message("rollback", "current #4 -> #2", "th") == ("ย้อนกลับ: ข้อมูลปัจจุบันจาก #4 เป็น #2")
    assert audit_message("rollback", "current none -> #1", "en").endswith("from none to #1")
    assert snapshot_note("bundled sample", "th") == "ข้อมูลตัวอย่างที่มากับโปรแกรม"


def test_what_a_person_wrote_stays_as_written():
    typed = "published #3 (lots of rows) <b>x</b>"
    assert audit_message("publish", typed, "th") == typed
    assert audit_message("role_change", PUBLISHED, "th") == PUBLISHED
    assert snapshot_note("รอบ ๒", "en") == "รอบ ๒"
    assert snapshot_note(None, "th") == ""
