"""`python -m tracker remind` against a real SMTP server on 127.0.0.1 (aiosmtpd): what each
unit receives (Thai subject and body, the filtered link, escaped HTML), once; a threshold
crossed later sends only that; a refusing or absent server is a recorded failure and exit 1;
--dry-run sends nothing; a database that cannot be reached is exit 3."""

from __future__ import annotations

import json
import re
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from aiosmtpd.controller import Controller

from messages.i18n import t
from tracker.cli import main
from tracker.live import remind
from tracker.store import Store
from tracker.store.diff import canonical_frame

BANGNA, WORKS = "สำนักงานเขตบางนา", "สำนักการโยธา"
BASE = "https://tracker.example.go.th"
SCRIPT = "<script>alert('x')</script> เร่งรัดการซ่อมท่อ"


class Mailbox:
    """aiosmtpd handler: keeps what it accepts; answers 550 while ``refuse`` is set."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse = False
        self.busy = 0  # answer 451 (try again later) this many times first
        self.tries = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.tries += 1
        if self.refuse:
            return "550 5.7.1 Relaying denied"
        if self.busy:
            self.busy -= 1
            return "451 4.3.0 Try again later"
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def mailbox():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    box.port = controller.port  # type: ignore[attr-defined]
    yield box
    controller.stop()


def _frames() -> dict[str, pd.DataFrame]:
    directives = pd.DataFrame(
        {
            "directive_id": ["2567-2-1", "2567-2-2", "2567-2-3", "2567-1-4", "2567-2-5"],
            "fiscal_year": 2567,
            "round": [2, 2, 2, 1, 2],
            "issued_date": pd.Timestamp("2024-01-10"),
            "due_date": pd.to_datetime(
                ["2024-10-01", "2024-10-20", "2024-11-10", "2024-12-30", "2024-10-02"]
            ),
            "agency": [BANGNA, BANGNA, WORKS, BANGNA, BANGNA],
            "district_code": ["1047", "1047", None, "1047", "1047"],
            "text": [SCRIPT, "จัดทำแผนป้องกันน้ำท่วม", "ซ่อมถนน", "รายงานผลรอบแรก", "เสร็จแล้ว"],
            "group": "การบริหารจัดการ",
            "status": ["in_progress", "not_reported", "in_progress", "not_reported", "done"],
        }
    )
    frames = {"directives": canonical_frame(directives, "directives")}
    for kind in ("responses", "kpis", "budget"):
        frames[kind] = canonical_frame(pd.DataFrame(), kind)
    return frames


@pytest.fixture
def env(tmp_path, monkeypatch, mailbox):
    url = f"sqlite:///{tmp_path / 'tracker.sqlite'}"
    store = Store(url)
    store.upgrade()
    store.publish(_frames(), user="test", source="register.xlsx", sha256="a" * 64)
    store.save_contacts(
        [
            {"unit": "เขตบางนา", "email": "bangna@bma.test", "name": "สมชาย"},
            {"email": "south@bma.test", "role": "inspector", "zone": "กรุงเทพใต้"},
            {"email": "adm@bma.test", "role": "admin"},
        ],
        "adm@bma.test",
    )
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    monkeypatch.setenv("TRACKER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TRACKER_SMTP_PORT", str(mailbox.port))
    monkeypatch.setenv("TRACKER_SMTP_SECURITY", "none")
    monkeypatch.setenv("TRACKER_SMTP_FROM", "ig-office@bma.test")
    monkeypatch.setenv("TRACKER_BASE_URL", BASE)
    monkeypatch.setattr(remind, "RETRY_WAIT_SECONDS", 0.01)
    yield store
    store.dispose()


def _run(capsys, *args: str) -> tuple[int, str]:
    code = main(["remind", *args])
    return code, capsys.readouterr().out


def _plain(msg: EmailMessage) -> str:
    return msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def _html(msg: EmailMessage) -> str:
    return msg.get_body(("html",)).get_content()  # type: ignore[union-attr]


def test_each_unit_gets_its_digest_in_thai_with_the_filtered_link(env, mailbox, capsys):
    code, out = _run(capsys, "--today", "2024-10-15")
    assert code == 0, out
    [unit_mail] = mailbox.to("bangna@bma.test")
    # subject: Thai, encoded on the wire (RFC 2047), decoded back exactly
    assert str(unit_mail["Subject"]) == t("reminders.mail.subject", "th", unit=BANGNA, n="2")
    assert "Cc" in unit_mail and "south@bma.test" in str(unit_mail["Cc"])
    assert ("ig-office@bma.test", ["bangna@bma.test", "south@bma.test"]) in mailbox.envelopes
    body = _plain(unit_mail)
    assert body.startswith(f"เรียน ผู้ประสานงาน {BANGNA}")
    assert "ณ วันที่ 15 ต.ค. 2567" in body
    assert "เกินกำหนดแล้ว (1 รายการ)" in body and "ครบกำหนดภายใน 7 วัน (1 รายการ)" in body
    assert "2567-2-1 · ครบกำหนด 1 ต.ค. 2567" in body
    assert "2567-2-2 · ครบกำหนด 20 ต.ค. 2567 · ยังไม่รายงาน" in body
    assert SCRIPT in body  # plain text: as typed
    assert "2567-2-5" not in body and "2567-1-4" not in body  # done; an earlier round
    last = body.strip().splitlines()[-1]
    assert last.startswith(f"{BANGNA}: 2 directives to follow up as of 15 Oct 2024")
    links = re.findall(r"https://\S+", body)
    assert links
    for link in links:
        parts = urlsplit(link)
        assert f"{parts.scheme}://{parts.netloc}" == BASE and parts.path == "/directives"
        query = parse_qs(parts.query)
        assert query["agency"] == [BANGNA]
        assert set(query["status"]) <= {"in_progress", "not_reported"}
    # HTML: the directive's markup arrives escaped, never as a tag
    page = _html(unit_mail)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<script" not in page
    # the unit without a contact is skipped; the admin's summary says so
    assert not mailbox.to(WORKS)
    [summary] = mailbox.to("adm@bma.test")
    text = _plain(summary)
    assert f"• {BANGNA}: เกินกำหนด 1, ภายใน 7 วัน 1 — ส่งแล้ว" in text
    assert f"• {WORKS}: ภายใน 30 วัน 1 — ข้าม (ไม่มีอีเมลผู้ประสานงาน)" in text
    assert len(mailbox.messages) == 2
    runs = env.reminder_runs()
    assert (runs.iloc[0]["sent"], runs.iloc[0]["skipped"], runs.iloc[0]["failed"]) == (1, 1, 0)


def test_a_second_run_sends_nothing_new(env, mailbox, capsys):
    assert _run(capsys, "--today", "2024-10-15")[0] == 0
    count = len(mailbox.messages)
    code, out = _run(capsys, "--today", "2024-10-15", "--json")
    assert code == 0
    assert len(mailbox.messages) == count
    data = json.loads(out)
    assert data["status"] == "nothing" and data["sent"] == 0
    assert [u["unit"] for u in data["units"]] == [WORKS]  # still skipped: no contact
    assert len(env.reminder_runs()) == 2


def test_a_threshold_crossed_later_sends_only_that(env, mailbox, capsys):
    assert _run(capsys, "--today", "2024-10-15")[0] == 0
    mailbox.messages.clear()
    code, out = _run(capsys, "--today", "2024-10-19")  # 2567-2-2 is now due within a day
    assert code == 0, out
    [mail] = mailbox.to("bangna@bma.test")
    body = _plain(mail)
    assert "ครบกำหนดภายใน 1 วัน (1 รายการ)" in body
    assert re.findall(r"• (\S+) ·", body) == ["2567-2-2"]
    assert "เกินกำหนดแล้ว" not in body and "ภายใน 7 วัน (" not in body
    assert str(mail["Subject"]) == t("reminders.mail.subject", "th", unit=BANGNA, n="1")


def test_a_refusing_server_is_a_recorded_failure_and_the_unit_is_told_later(env, mailbox, capsys):
    mailbox.refuse = True
    code, out = _run(capsys, "--today", "2024-10-15", "--json")
    assert code == 1
    data = json.loads(out)
    assert data["status"] == "failed"
    bangna = next(u for u in data["units"] if u["unit"] == BANGNA)
    assert bangna["state"] == "failed" and "550" in bangna["reason"]
    run = env.reminder_runs().iloc[0]
    assert run["failed"] == 2 and run["sent"] == 0  # the unit and the summary
    assert "550" in run["detail"]["units"][BANGNA]
    assert env.reminders_sent().empty  # nothing counts as told
    mailbox.refuse = False
    assert _run(capsys, "--today", "2024-10-15")[0] == 0
    assert len(mailbox.to("bangna@bma.test")) == 1


def test_a_temporary_refusal_is_retried_a_bounded_number_of_times(env, mailbox, capsys):
    mailbox.busy = 1  # the unit's first try: 451, then accepted
    assert _run(capsys, "--today", "2024-10-15")[0] == 0
    assert len(mailbox.to("bangna@bma.test")) == 1 and mailbox.tries == 3  # 2 + the summary
    mailbox.messages.clear()
    mailbox.tries = 0
    mailbox.busy = 99  # never accepted: given up after remind.ATTEMPTS tries per message
    env.save_contacts(
        [{"unit": WORKS, "email": "works@bma.test"}, {"email": "adm@bma.test", "role": "admin"}],
        "adm@bma.test",
    )
    code, out = _run(capsys, "--today", "2024-10-15", "--json")
    assert code == 1
    data = json.loads(out)
    works = next(u for u in data["units"] if u["unit"] == WORKS)
    assert works["state"] == "failed" and works["reason"].startswith("SMTP 451")
    assert mailbox.tries == 2 * remind.ATTEMPTS  # the unit's mail and the summary
    assert not mailbox.messages


def test_an_absent_server_is_a_recorded_failure(env, mailbox, capsys, monkeypatch):
    contacts = env.contacts()[["unit", "email", "name", "role", "zone"]].to_dict("records")
    env.save_contacts([*contacts, {"unit": WORKS, "email": "works@bma.test"}], "adm@bma.test")
    monkeypatch.setenv("TRACKER_SMTP_PORT", str(_free_port()))  # nothing listens there
    tries = []
    real_send = remind.send
    monkeypatch.setattr(remind, "send", lambda *a, **k: tries.append(1) or real_send(*a, **k))
    code, out = _run(capsys, "--today", "2024-10-15")
    assert code == 1
    assert "failed" in out
    run = env.reminder_runs().iloc[0]
    assert run["failed"] == 3  # both units and the summary
    for unit in (BANGNA, WORKS):
        assert "ConnectionRefusedError" in run["detail"]["units"][unit]
    assert "ConnectionRefusedError" in run["detail"]["summary"]
    assert len(tries) == 1  # once out of reach (after its retries), the rest fail at once
    assert env.reminders_sent().empty and not mailbox.messages


def test_no_mail_server_configured_is_a_failure_not_a_crash(
    env, mailbox, capsys, monkeypatch, tmp_path
):
    monkeypatch.delenv("TRACKER_SMTP_HOST")
    monkeypatch.setattr(remind, "SECRETS_FILE", tmp_path / "no-secrets.toml")
    assert main(["remind", "--today", "2024-10-15"]) == 1
    assert "TRACKER_SMTP_HOST" in capsys.readouterr().err
    run = env.reminder_runs().iloc[0]
    assert run["failed"] == 2 and "TRACKER_SMTP_HOST" in run["detail"]["units"][BANGNA]
    assert not mailbox.messages


def test_dry_run_sends_nothing_and_prints_what_it_would(env, mailbox, capsys):
    code, out = _run(capsys, "--today", "2024-10-15", "--dry-run")
    assert code == 0
    assert not mailbox.messages
    assert env.reminder_runs().empty and env.reminders_sent().empty
    assert "would_send" in out and BANGNA in out and "bangna@bma.test" in out
    assert t("reminders.mail.subject", "th", unit=BANGNA, n="2") in out
    assert "skipped" in out and WORKS in out
    code, out = _run(capsys, "--today", "2024-10-15", "--dry-run", "--json")
    data = json.loads(out)
    assert data["status"] == "dry_run" and data["run_id"] is None
    assert {u["unit"]: u["state"] for u in data["units"]} == {
        BANGNA: "would_send",
        WORKS: "skipped",
    }
    assert not mailbox.messages


def test_a_database_that_cannot_be_reached_is_exit_3(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"postgresql://nobody@127.0.0.1:{_free_port()}/x")
    assert main(["remind", "--dry-run"]) == 3


def test_smtp_settings_from_secrets_toml_or_the_environment(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[smtp]\nhost = "mail.bma.test"\nssl = true\nuser = "u"\npassword = "p"\n'
        'from = "ig@bma.test"\n',
        encoding="utf-8",
    )
    for name in ("HOST", "PORT", "SECURITY", "USER", "PASSWORD", "FROM"):
        monkeypatch.delenv(f"TRACKER_SMTP_{name}", raising=False)
    cfg = remind.smtp_config(secrets)
    assert cfg is not None
    assert (cfg.host, cfg.port, cfg.security, cfg.user, cfg.sender) == (
        "mail.bma.test",
        465,
        "ssl",
        "u",
        "ig@bma.test",
    )
    assert cfg.password == "p" and "password" not in repr(cfg)  # never in a repr or a log
    assert remind.smtp_config(tmp_path / "absent.toml") is None
    monkeypatch.setenv("TRACKER_SMTP_HOST", "relay.bma.test")
    monkeypatch.setenv("TRACKER_SMTP_FROM", "x@bma.test")
    env_cfg = remind.smtp_config(secrets)
    assert env_cfg is not None
    assert (env_cfg.host, env_cfg.port, env_cfg.security) == ("relay.bma.test", 587, "starttls")
