"""Admin page → E-mail reminders through AppTest: contacts saved from the editor (checked and
audited), the preview of the next run (per unit, one whole message as plain text), "send now"
delivering to a real SMTP server on 127.0.0.1 (aiosmtpd), the run listed and audited."""

from __future__ import annotations

import socket
import sqlite3
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from streamlit.testing.v1 import AppTest

from messages.i18n import t
from tracker.live.remind import plan_for
from tracker.publish.flow import compare, prepare, publish
from tracker.store import Store

ROOT = Path(__file__).resolve().parents[2]
AUTH = {  # AppTest never reaches a provider: it sets st.user itself
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "test-only-cookie-secret-not-a-real-one",
    "client_id": "test-client",
    "client_secret": "test-only",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ADMIN = "adm@bma.test"
ROLES = f'[users]\n"{ADMIN}" = "admin"\n"exec@bma.test" = "executive"\n'
TODAY = "2024-10-15"


class Mailbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture(scope="module")
def seeded_db(sample_dir, tmp_path_factory) -> Path:
    """A database holding the sample workbook, published as an upload would (once)."""
    db = tmp_path_factory.mktemp("reminders_db") / "tracker.sqlite"
    store = Store(f"sqlite:///{db}")
    store.upgrade()
    files = [(p.name, p.read_bytes()) for p in sorted(sample_dir.glob("*.xlsx"))]
    prepared = compare(prepare(files, extensions=None, sandbox=False), store)
    assert prepared.can_publish, prepared.blockers()
    publish(prepared, store, "test", "sample")
    store.dispose()
    return db


@pytest.fixture
def env(seeded_db, sample_dir, monkeypatch, tmp_path):
    db = tmp_path / "tracker.sqlite"
    # SQLite's backup API: a copy that includes what is still in the WAL of the seeding app
    with sqlite3.connect(seeded_db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    box = Mailbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    url = f"sqlite:///{db}"
    for name, value in {
        "TRACKER_DATA_DIR": str(sample_dir),
        "TRACKER_DATABASE_URL": url,
        "TRACKER_ROLES_FILE": str(roles),
        "TRACKER_SOURCES_FILE": str(tmp_path / "none-sources.toml"),
        "TRACKER_TODAY": TODAY,
        "TRACKER_SMTP_HOST": "127.0.0.1",
        "TRACKER_SMTP_PORT": str(port),
        "TRACKER_SMTP_SECURITY": "none",
        "TRACKER_SMTP_FROM": "ig@bma.test",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(ROOT)
    yield {"db": url, "box": box}
    controller.stop()


def _signed_in(email: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages/admin.py"), default_timeout=90)
    at.secrets["auth"] = dict(AUTH)
    at.user = {"is_logged_in": True, "email": email}
    return at.run()


def _table(at: AppTest, column_key: str):
    """The read-only table that has a column headed by the message ``column_key``."""
    heading = t(column_key, "th")
    frames = [d.value for d in at.dataframe if d.editing_mode == "read_only"]
    return next(f for f in frames if heading in f.columns)


def test_contacts_preview_and_send_now(env):
    from datetime import date

    store = Store(env["db"])
    plan = plan_for(store, date.fromisoformat(TODAY))
    assert plan.skipped and not plan.digests  # no contact yet: every unit would be skipped
    unit = plan.skipped[0].unit
    store.dispose()

    at = _signed_in(ADMIN)
    assert not at.exception, at.exception
    editor = next(e for e in at.data_editor if e.key.startswith("contacts_editor_"))
    at.session_state[editor.key] = {
        "edited_rows": {},
        "added_rows": [
            {"unit": unit, "email": "coordinator@bma.test", "name": "สมศรี", "role": "unit"},
            {"unit": "หน่วยที่ไม่มีจริง", "email": "x@bma.test", "role": "unit"},
        ],
        "deleted_rows": [],
    }
    at.button(key="contacts_save").click().run()
    assert not at.exception, at.exception
    # the unknown unit is refused with its registered message; nothing saved
    errors = [str(e.value) for e in at.error]
    assert any(t("reminders.refusal.contacts_invalid", "th", n=1) in e for e in errors), errors
    assert Store(env["db"]).contacts().empty

    at.session_state[editor.key] = {
        "edited_rows": {},
        "added_rows": [
            {"unit": unit, "email": "coordinator@bma.test", "name": "สมศรี", "role": "unit"}
        ],
        "deleted_rows": [],
    }
    at.button(key="contacts_save").click().run()
    assert not at.exception, at.exception
    assert [str(s.value) for s in at.success] == [t("reminders.ui.saved", "th", n="1")]

    # preview: the unit would be sent to its coordinator, one full message as plain text
    preview = _table(at, "reminders.ui.col.to")
    row = preview[preview[t("reminders.ui.col.unit", "th")] == unit].iloc[0]
    assert row[t("reminders.ui.col.to", "th")] == "coordinator@bma.test"
    assert row[t("reminders.ui.col.state", "th")] == t("reminders.state.would_send", "th")
    at.selectbox(key="reminders_example_unit").select(unit).run()
    texts = [str(x.value) for x in at.text]
    assert any(x.startswith(f"เรียน ผู้ประสานงาน {unit}") for x in texts), texts[:3]
    assert not any("เรียน ผู้ประสานงาน" in str(m.value) for m in at.markdown)
    assert not env["box"].messages

    at.button(key="reminders_send").click().run()
    assert not at.exception, at.exception
    assert [str(s.value) for s in at.success] == [
        t("reminders.ui.sent", "th", sent=1, skipped=len(plan.skipped) - 1, failed=0)
    ]
    [mail] = env["box"].messages
    assert mail["To"] == "coordinator@bma.test"
    assert str(mail["Subject"]).startswith("แจ้งเตือนข้อสั่งการที่ต้องติดตาม: " + unit)
    runs = _table(at, "reminders.ui.col.by")
    assert list(runs[t("reminders.ui.col.by", "th")]) == [ADMIN]
    audit = Store(env["db"]).audit_log()
    assert list(audit[audit["action"] == "reminders_sent"]["user"]) == [ADMIN]
    assert list(audit[audit["action"] == "contacts_saved"]["user"]) == [ADMIN]


def test_an_executive_cannot_open_the_admin_page(env):
    at = _signed_in("exec@bma.test")
    assert not at.exception
    assert not [e for e in at.data_editor if e.key and e.key.startswith("contacts_editor_")]
    assert not at.button
