"""What validates publishes the same on SQLite and PostgreSQL; what a database would refuse
is refused by validation first, naming file, sheet, row, column and value.

The corpus is typed here as plain text (CSV as Excel saves it, UTF-8 and UTF-16) and with
openpyxl; each file goes through the real readers.
"""

from __future__ import annotations

import codecs
import io

import openpyxl
import pandas as pd
import pytest

from tracker.publish import flow as pub
from tracker.store import Store

HEADER = "รหัส,ปีงบประมาณ,วันที่สั่งการ,กำหนดแล้วเสร็จ,หน่วยรับตรวจ,ข้อสั่งการ,สถานะ,ปัญหา/อุปสรรค\n"
ODD_TEXTS = [
    '=HYPERLINK("http://example.org","F1")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
    "\tเริ่มด้วยแท็บ",
    '<a href="https://example.org">ลิงก์</a> <span style="font-size:80px">ใหญ่</span>',
    "**ตัวหนา** _เอียง_ [ลิงก์](http://x) `code` # หัวข้อ",
    "ก่อน\u200fหลัง\u202eกลับด้าน\u202c",  # RTL marks
    "ก็\u0e48\u0e48 น้ำ\u0e4c",  # stacked Thai marks
    "ศูนย์\u200bความกว้าง 😀 𝕏",
    "ข้อความยาว " + "ก" * 30_000,
]


def _csv(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    buf = io.StringIO()
    buf.write(HEADER)
    for row in rows:
        buf.write(",".join('"' + c.replace('"', '""') + '"' for c in row) + "\n")
    return buf.getvalue().encode(encoding)


def _corpus() -> list[tuple[str, bytes]]:
    rows = [
        [f"ODD-{i}", "2567", "1/11/2566", "31/3/2567", "สำนักการโยธา", text, "ดำเนินการแล้ว", text]
        for i, text in enumerate(ODD_TEXTS)
    ]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ทะเบียน"
    ws.append(HEADER.strip().split(","))
    ws.append(["X-1", 2567, "๑ พ.ย. ๒๕๖๖", "๓๑ มี.ค. ๖๗", "สำนักงานเขตบางนา", "ข้อความ", "", "-"])
    ws.append(["X-2", "๒๕๖๗", None, None, "สำนักงานเขตบางนา", "ไม่มีวันที่", "อยู่ระหว่างการดำเนินการ"])
    xlsx = io.BytesIO()
    wb.save(xlsx)
    return [
        ("แปลก.csv", _csv(rows)),
        ("utf16.csv", _csv([[f"U16-{r[0]}", *r[1:]] for r in rows[:3]], "utf-16")),
        ("ทะเบียน.xlsx", xlsx.getvalue()),
    ]


@pytest.fixture(scope="module")
def published_both(tmp_path_factory, pg_admin):
    """Each corpus file published into a fresh SQLite and a fresh PostgreSQL store."""
    import uuid

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from tests.conftest import PG_URL

    schema = f"tracker_agree_{uuid.uuid4().hex[:10]}"
    with pg_admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    pg = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    urls = {
        "sqlite": f"sqlite:///{tmp_path_factory.mktemp('agree') / 't.sqlite'}",
        "postgresql": pg.render_as_string(hide_password=False),
    }
    loaded: dict[str, dict[str, pd.DataFrame]] = {}
    for backend, url in urls.items():
        store = Store(url)
        store.upgrade()
        for name, data in _corpus():
            p = pub.prepare([(name, data)], store=store)
            assert p.can_publish, (name, p.blockers(), [i.to_dict() for i in p.issues][:3])
            pub.publish(p, store, "analyst")
        loaded[backend] = store.load()
        store.dispose()
    yield loaded
    with pg_admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def test_everything_validate_accepts_publishes_identically_on_both(published_both):
    lite, pg = published_both["sqlite"], published_both["postgresql"]
    assert len(lite["directives"]) == len(ODD_TEXTS) + 3 + 2
    for kind in lite:
        pd.testing.assert_frame_equal(lite[kind], pg[kind], obj=kind)
    texts = lite["directives"].set_index("directive_id")["text"]
    for i, text in enumerate(ODD_TEXTS):
        # kept as text: only what the cleaning removes everywhere (zero-width spaces) is gone
        assert texts[f"ODD-{i}"] == text.strip().replace("\u200b", ""), i


def _refused_issue(name: str, data: bytes, code: str):
    p = pub.prepare([(name, data)])
    found = [i for i in p.issues if i.code == code]
    assert found, [i.to_dict() for i in p.issues][:5]
    assert not p.can_publish and "has_errors" in p.blockers()
    return found[0]


def test_a_nul_after_the_first_64_kb_is_refused_before_publishing():
    filler = [[f"F-{i}", "2567", "", "", "สำนักการโยธา", "ก" * 200, "", ""] for i in range(400)]
    rows = [*filler, ["NUL-1", "2567", "", "", "สำนักการโยธา", "ก่อน\x00หลัง", "", ""]]
    data = _csv(rows)
    assert data.index(b"\x00") > 65_536
    issue = _refused_issue("ศูนย์.csv", data, "nul_character")
    assert (issue.file, issue.row, issue.column) == ("ศูนย์.csv", 402, "text")
    assert issue.value == "ก่อน\u2400หลัง"
    assert "NUL" in issue.message_en and "NUL" in issue.message_th


def test_a_nul_in_a_utf16_csv_is_refused_before_publishing():
    rows = [["U-1", "2567", "", "", "สำนักการโยธา", "ข้อ", "", "มี\x00ศูนย์"]]
    issue = _refused_issue("utf16.csv", _csv(rows, "utf-16"), "nul_character")
    assert (issue.row, issue.column) == (2, "obstacle")


def test_an_amount_too_large_for_the_database_is_refused():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "เบิกจ่าย"
    ws.append(["หน่วยงาน : สำนักงานเขตบางนา"])
    ws.append(["ข้อมูล ณ วันที่ 31 มีนาคม 2567"])
    ws.append(["ประเภทงบรายจ่าย", "งบประมาณหลังปรับโอน", "ผลการเบิกจ่าย", "ร้อยละการเบิกจ่าย"])
    ws.append(["งบดำเนินงาน", "100000000000000000000", "5", ""])
    buf = io.BytesIO()
    wb.save(buf)
    issue = _refused_issue("งบ.xlsx", buf.getvalue(), "number_out_of_range")
    assert (issue.sheet, issue.row, issue.column) == ("เบิกจ่าย", 4, "allocated")
    assert issue.value.startswith("1e+20") or issue.value.startswith("100000000000000000000")


def test_utf16_corpus_file_is_read_like_utf8():
    data = _csv([["A-1", "2567", "", "", "สำนักการโยธา", "ข้อ", "", ""]], "utf-16")
    assert data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE)
    assert pub.prepare([("u.csv", data)]).can_publish
