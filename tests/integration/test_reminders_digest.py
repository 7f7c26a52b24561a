"""The reminder digests without a database or a server: thresholds on their boundaries, a moved
due date is a new occasion, long lists are capped and counted, every value escaped in the HTML;
and a contacts sheet written by hand (openpyxl) read as the Admin page reads an upload."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
from openpyxl import Workbook

from data_sources.files import read_bytes
from tracker.dataset import conform
from tracker.present.reminder_mail import digest_message, html_body, text_body
from tracker.present.reminders import MAX_LISTED, build_plan, candidates, view_link
from tracker.store.reminders import check_contacts
from ui.reminders import contacts_from_tables

UNIT = "สำนักงานเขตบางรัก"
TODAY = date(2024, 10, 15)
CONTACTS = pd.DataFrame(
    {"unit": [UNIT], "email": ["bangrak@bma.test"], "name": [""], "role": ["unit"], "zone": [""]}
)
NO_SENT = pd.DataFrame(columns=["directive_id", "threshold", "occasion", "unit"])


def _directives(due: list[str], status: str = "in_progress", text: str = "งาน") -> pd.DataFrame:
    n = len(due)
    return conform(
        pd.DataFrame(
            {
                "directive_id": [f"2567-2-{i}" for i in range(n)],
                "fiscal_year": 2567,
                "round": 2,
                "issued_date": pd.Timestamp("2024-01-10"),
                "due_date": pd.to_datetime(due),
                "agency": UNIT,
                "district_code": "1004",
                "text": text,
                "group": "ก",
                "status": status,
            }
        ),
        "directives",
    )


def test_thresholds_on_their_boundaries():
    due = ["2024-10-14", "2024-10-15", "2024-10-16", "2024-10-17", "2024-10-22", "2024-10-23"]
    due += ["2024-11-14", "2024-11-15", None]
    cand, fy, rnd = candidates(_directives(due), TODAY)
    got = dict(zip(cand["directive_id"], cand["threshold"], strict=True))
    assert (fy, rnd) == (2567, 2)
    assert got == {
        "2567-2-0": "overdue",  # yesterday
        "2567-2-1": "due_1",  # today
        "2567-2-2": "due_1",  # tomorrow
        "2567-2-3": "due_7",
        "2567-2-4": "due_7",  # 7 days
        "2567-2-5": "due_30",  # 8 days
        "2567-2-6": "due_30",  # 30 days
    }  # 31 days and no due date: nothing


def test_done_and_cannot_are_never_reminded():
    for status in ("done", "cannot"):
        plan = build_plan(_directives(["2024-10-01"], status), CONTACTS, NO_SENT, TODAY, "http://x")
        assert plan.digests == [] and plan.skipped == []


def test_a_moved_due_date_is_a_new_occasion():
    sent = pd.DataFrame(
        {
            "directive_id": ["2567-2-0"],
            "threshold": ["due_7"],
            "occasion": ["2024-10-20"],
            "unit": [UNIT],
        }
    )
    same = build_plan(_directives(["2024-10-20"]), CONTACTS, sent, TODAY, "http://x")
    assert same.digests == []
    moved = build_plan(_directives(["2024-10-21"]), CONTACTS, sent, TODAY, "http://x")
    assert [k["occasion"] for k in moved.digests[0].told] == ["2024-10-21"]


def test_long_lists_are_capped_counted_and_escaped():
    text = 'ซ่อม <img src=x onerror="alert(1)"> & ทาสี'
    plan = build_plan(
        _directives(["2024-10-01"] * (MAX_LISTED + 7), text=text),
        CONTACTS,
        NO_SENT,
        TODAY,
        "https://t.example/",
    )
    [digest] = plan.digests
    assert digest.counts == {"overdue": MAX_LISTED + 7}
    assert len(digest.sections["overdue"]) == MAX_LISTED
    assert len(digest.told) == MAX_LISTED + 7  # every one was named by the count and the link
    body = text_body(digest)
    assert "… และอีก 7 รายการ" in body and text in body
    page = html_body(digest)
    assert "<img" not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp;" in page
    assert 'href="https://t.example/directives?agency=' in page
    msg = digest_message(digest, "ig@bma.test")
    raw = msg.as_bytes()
    assert raw.isascii()  # Thai travels encoded (RFC 2047 subject, base64 bodies)
    assert b"Subject: =?utf-8?" in raw


def test_the_link_filters_the_unit_and_the_round():
    link = view_link("https://t.example", "สำนักงานเขต บาง & รัก", "not_reported", 2567, 2)
    assert link == (
        "https://t.example/directives?agency=%E0%B8%AA%E0%B8%B3%E0%B8%99%E0%B8%B1%E0%B8%81"
        "%E0%B8%87%E0%B8%B2%E0%B8%99%E0%B9%80%E0%B8%82%E0%B8%95%20%E0%B8%9A%E0%B8%B2%E0%B8%87"
        "%20%26%20%E0%B8%A3%E0%B8%B1%E0%B8%81&fy=2567&round=2&status=not_reported"
    )


def test_a_contacts_sheet_written_by_hand_is_read_and_checked():
    wb = Workbook()
    ws = wb.active
    ws.title = "ผู้ประสานงาน"
    ws.append(["รายชื่อผู้ประสานงานการแจ้งเตือน"])  # a title line above the header
    ws.append(["หน่วยงาน", "อีเมล", "ชื่อผู้ประสานงาน"])
    ws.append(["เขตบางรัก", "bangrak@bma.test", "สมศรี"])
    ws.append(["สำนักการโยธา", "works@bma", "สมชาย"])
    ws.append(["ฝ่ายที่ไม่มีจริง", "x@bma.test", ""])
    buf = io.BytesIO()
    wb.save(buf)
    rows = contacts_from_tables(read_bytes(buf.getvalue(), "contacts.xlsx", sandbox=False))
    assert rows is not None
    assert [r["row"] for r in rows] == [3, 4, 5]
    clean, problems = check_contacts(rows)
    assert clean == [
        {"unit": UNIT, "email": "bangrak@bma.test", "name": "สมศรี", "role": "unit", "zone": ""}
    ]
    assert [(p.code, p.row) for p in problems] == [
        ("contact_bad_email", 4),
        ("contact_unknown_unit", 5),
    ]
    assert contacts_from_tables(read_bytes(b"a,b\n1,2\n", "other.csv", sandbox=False)) is None
