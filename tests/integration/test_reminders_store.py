"""The reminders' tables on SQLite and PostgreSQL: contacts checked (registered codes, nothing
saved when one is wrong) and audited; a run recorded with what it told, each (directive,
threshold, occasion) kept once across runs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from messages.codes import spec
from tracker.store import Store
from tracker.store.reminders import ContactsRefused, check_contacts, valid_email

GOOD = [
    {"unit": "เขตบางนา", "email": "Bangna.Office@bma.test", "name": "สมชาย ใจดี"},
    {"unit": "สำนักการโยธา", "email": "works@bma.test", "name": "", "role": "unit"},
    {"email": "insp@bma.test", "name": "ผู้ตรวจ", "role": "inspector", "zone": "กรุงเทพใต้"},
    {"email": "adm@bma.test", "role": "admin"},
]


@pytest.mark.parametrize(
    "address,ok",
    [
        ("a.b@bma.go.th", True),
        ("x+tag@sub.example.org", True),
        ("no-at-sign.bma.go.th", False),
        ("two@@bma.go.th", False),
        ("spaces in@bma.go.th", False),
        ("Name <a@bma.go.th>", False),
        ("a@localhost", False),
        ("a..b@bma.go.th", False),
        ("", False),
    ],
)
def test_address_shape(address, ok):
    assert valid_email(address) is ok


def test_check_contacts_names_each_problem_with_a_registered_code():
    rows = [
        {"unit": "เขตบางนา", "email": "not-an-address"},
        {"unit": "สำนักที่ไม่มีจริง", "email": "x@bma.test"},
        {"unit": "", "email": "y@bma.test"},
        {"email": "z@bma.test", "role": "boss"},
        {"email": "i@bma.test", "role": "inspector", "zone": "ไม่มีกลุ่มนี้"},
        {"unit": "", "email": "", "name": ""},  # an empty line is ignored
    ]
    clean, problems = check_contacts(rows)
    assert clean == []
    assert [(p.code, p.row) for p in problems] == [
        ("contact_bad_email", 1),
        ("contact_unknown_unit", 2),
        ("contact_no_unit", 3),
        ("contact_bad_role", 4),
        ("contact_unknown_zone", 5),
    ]
    for p in problems:
        assert spec(p.code).kind == "issue" and p.severity == "error"
        assert p.message_th and p.message_en and "{" not in p.message_en
    assert "not-an-address" in problems[0].message_en


def test_contacts_are_saved_normalised_and_audited(store: Store):
    assert store.save_contacts(GOOD, "adm@bma.test") == 4
    df = store.contacts()
    units = df[df["role"] == "unit"]
    assert sorted(units["unit"]) == ["สำนักการโยธา", "สำนักงานเขตบางนา"]
    assert "bangna.office@bma.test" in set(df["email"])  # lower-cased
    inspector = df[df["role"] == "inspector"].iloc[0]
    assert inspector["zone"] == "กรุงเทพใต้" and inspector["unit"] == ""
    audit = store.audit_log()
    row = audit[audit["action"] == "contacts_saved"].iloc[-1]
    assert row["user"] == "adm@bma.test"
    assert "+ works@bma.test" in row["message"]

    # replace: one removed, nothing else changes; the audit says what went
    assert store.save_contacts(GOOD[:3], "adm@bma.test") == 3
    last = store.audit_log().iloc[-1]
    assert last["action"] == "contacts_saved" and last["message"] == "- adm@bma.test (admin)"


def test_a_wrong_contact_saves_nothing(store: Store):
    store.save_contacts(GOOD, "adm@bma.test")
    with pytest.raises(ContactsRefused) as err:
        store.save_contacts([*GOOD, {"unit": "เขตบางนา", "email": "bad@"}], "adm@bma.test")
    assert err.value.code == "contacts_invalid"
    assert [p.code for p in err.value.issues] == ["contact_bad_email"]
    assert len(store.contacts()) == 4


def test_a_run_is_recorded_and_each_key_told_once(store: Store):
    told = [
        {"directive_id": "D-1", "threshold": "due_7", "occasion": "2024-10-20", "unit": "ก"},
        {"directive_id": "D-1", "threshold": "not_reported", "occasion": "2567/2", "unit": "ก"},
    ]
    first = store.record_reminder_run(
        by="remind",
        started_at=datetime(2024, 10, 15, 1, 0, tzinfo=UTC),
        sent=1,
        skipped=0,
        failed=0,
        detail={"units": {"ก": "sent"}},
        told=told,
    )
    # another run telling one of them again (two runs at once) keeps the first record
    second = store.record_reminder_run(
        by="adm@bma.test",
        started_at=datetime(2024, 10, 15, 1, 5, tzinfo=UTC),
        sent=1,
        skipped=2,
        failed=1,
        detail={"units": {"ก": "failed: SMTP 550"}},
        told=[*told[:1], {**told[0], "threshold": "due_1"}],
    )
    assert second > first
    sent = store.reminders_sent().sort_values(["threshold"])
    assert len(sent) == 3
    assert set(sent[sent["threshold"] != "due_1"]["run_id"]) == {first}
    runs = store.reminder_runs()
    assert list(runs["id"]) == [second, first]
    assert runs.iloc[0]["detail"] == {"units": {"ก": "failed: SMTP 550"}}
    assert (runs.iloc[0]["sent"], runs.iloc[0]["skipped"], runs.iloc[0]["failed"]) == (1, 2, 1)
    assert store.audit_log()["action"].tolist().count("reminders_sent") == 2
