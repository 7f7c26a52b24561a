"""Google Sheets, published CSV and http(s) sources: the real gspread client over real HTTP.

A stand-in Google server (tests/fakes/sheets_server.py) runs on 127.0.0.1 with a throwaway
RSA service-account key made here; failures are scripted per test. No network.
"""

from __future__ import annotations

import io
import json
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from data_sources import gsheets, http_source
from data_sources.base import RawTable, UnreadableFile
from tests.fakes.sheets_server import DEFAULT_EMAIL, SheetsServer
from tracker.live import sources as src
from tracker.live.sources import CachedResult, Source, SourceCache


@pytest.fixture(autouse=True)
def _stand_in_on_loopback(monkeypatch):
    """The stand-in server listens on 127.0.0.1: allow that private address for these tests."""
    monkeypatch.setenv("TRACKER_ALLOW_PRIVATE_SOURCES", "1")


KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg"
OTHER_KEY = "1ZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210fedcba"
MARGIN = 0.8  # seconds allowed past a deadline (thread scheduling, last short request)

REGISTER = [
    ["รหัสข้อสั่งการ", "ปีงบประมาณ", "หน่วยรับตรวจ", "ข้อสั่งการ/ข้อเสนอแนะ", "สถานะ"],
    ["0012", "๒๕๖๗", "สำนักงานเขตบางนา", "เร่งรัดการเบิกจ่าย, ตามแผน", "ดำเนินการแล้ว"],
    ["0013", "2567", "สำนักการโยธา", 'ข้อความมี "อัญประกาศ"\nและขึ้นบรรทัดใหม่', ""],
    ["0014", "2567", "", "", "อยู่ระหว่างการดำเนินการ"],
]
RESPONSES = [
    ["ประทับเวลา", "รหัสข้อสั่งการ", "สถานะ", "รายละเอียดผลการดำเนินการ", "ปัญหา/อุปสรรค"],
    ["23/11/2566, 14:05:22", "0012", "ดำเนินการแล้ว", "๑๒,๒๐๓,๕๐๐.-", "-"],
    ["11/24/2023 9:05:22", "0013", "อยู่ระหว่างดำเนินการ", "33.55%", ""],
]


def expected(rows: list[list[str]]) -> list[list[str | None]]:
    """What a RawTable must hold for served rows: same text, '' as None, padded."""
    width = max(len(r) for r in rows)
    return [[v if v != "" else None for v in r] + [None] * (width - len(r)) for r in rows]


def cells(table: RawTable) -> list[list[str | None]]:
    return [
        [None if v is None or v != v else v for v in row] for row in table.frame.values.tolist()
    ]


@pytest.fixture(scope="module")
def server():
    with SheetsServer() as s:
        yield s


@pytest.fixture(scope="module")
def account(server):
    return src.ServiceAccountInfo(server.service_account())  # repr hides the throwaway key


@pytest.fixture(autouse=True)
def fresh(server):
    """Every test starts with one spreadsheet, no faults and an empty request log."""
    server.clear_faults()
    server.spreadsheets.clear()
    server.files.clear()
    server.log.clear()
    server.add_spreadsheet(
        KEY,
        "ติดตามข้อสั่งการ 2567",
        {"ทะเบียน": [list(r) for r in REGISTER], "การตอบแบบฟอร์ม 1": [list(r) for r in RESPONSES]},
        public=True,
    )
    yield
    server.clear_faults()


def read(server, account, spreadsheet=KEY, **kwargs):
    kwargs.setdefault("timeout", 2.0)
    kwargs.setdefault("deadline", 8.0)
    return gsheets.read(
        spreadsheet, credentials=account, api_base_url=server.api_base_url, **kwargs
    )


# --- normal reads -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spreadsheet",
    [
        KEY,
        f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0",
        f"https://docs.google.com/spreadsheets/d/{KEY}/edit?usp=sharing",
        f"https://docs.google.com/spreadsheet/ccc?key={KEY}&hl=th",
    ],
    ids=["key", "edit-url", "share-url", "old-url"],
)
def test_reads_every_worksheet_as_served(server, account, spreadsheet):
    tables = read(server, account, spreadsheet)
    assert [(t.source, t.sheet, t.first_row, t.first_col) for t in tables] == [
        ("ติดตามข้อสั่งการ 2567", "ทะเบียน", 1, 0),
        ("ติดตามข้อสั่งการ 2567", "การตอบแบบฟอร์ม 1", 1, 0),
    ]
    assert cells(tables[0]) == expected(REGISTER)
    assert cells(tables[1]) == expected(RESPONSES)
    assert f"google_sheets:{KEY}#gid=0" in tables[0].notes
    assert f"google_sheets:{KEY}#gid=1001" in tables[1].notes


@pytest.mark.parametrize(
    ("row", "col", "text"),
    [
        (1, 0, "0012"),  # leading zeros kept (a records read would give 12)
        (1, 1, "๒๕๖๗"),  # Thai digits untouched
        (1, 3, "เร่งรัดการเบิกจ่าย, ตามแผน"),
        (2, 3, 'ข้อความมี "อัญประกาศ"\nและขึ้นบรรทัดใหม่'),
        (2, 4, None),  # blank cell
    ],
)
def test_register_cells_are_exact_text(server, account, row, col, text):
    register = read(server, account, worksheets=["ทะเบียน"])[0]
    assert cells(register)[row][col] == text


@pytest.mark.parametrize(
    ("row", "col", "text"),
    [
        (1, 0, "23/11/2566, 14:05:22"),  # Forms timestamp, Thai locale
        (2, 0, "11/24/2023 9:05:22"),  # Forms timestamp, English locale
        (1, 3, "๑๒,๒๐๓,๕๐๐.-"),
        (2, 3, "33.55%"),
        (1, 4, "-"),
    ],
)
def test_response_cells_are_exact_text(server, account, row, col, text):
    responses = read(server, account, worksheets=["การตอบแบบฟอร์ม 1"])[0]
    assert cells(responses)[row][col] == text


def test_worksheets_are_read_in_the_order_asked(server, account):
    tables = read(server, account, worksheets=["การตอบแบบฟอร์ม 1", "ทะเบียน"])
    assert [t.sheet for t in tables] == ["การตอบแบบฟอร์ม 1", "ทะเบียน"]
    assert server.count("token") == 1


def test_empty_worksheet_gives_an_empty_table(server, account):
    server.spreadsheets[KEY].sheets["ว่าง"] = []
    server.spreadsheets[KEY].gids["ว่าง"] = 1009
    server.spreadsheets[KEY].sheets["ช่องว่างล้วน"] = [["", ""], ["", ""]]
    server.spreadsheets[KEY].gids["ช่องว่างล้วน"] = 1010
    empty, blank = read(server, account, worksheets=["ว่าง", "ช่องว่างล้วน"])
    assert (empty.sheet, empty.frame.shape) == ("ว่าง", (0, 0))
    assert (blank.sheet, blank.frame.shape) == ("ช่องว่างล้วน", (0, 0))


def test_changed_header_is_returned_as_served(server, account):
    """Validation downstream reports the changed header; the connector must not hide it."""
    changed = [["รหัส", "สถานะการดำเนินการ", "คอลัมน์ใหม่"], ["0012", "ดำเนินการแล้ว", "x"]]
    server.spreadsheets[KEY].sheets["ทะเบียน"] = changed
    register = read(server, account, worksheets=["ทะเบียน"])[0]
    assert cells(register) == expected(changed)


# --- transient failures: bounded retries ------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "status", "times", "retry_after"),
    [
        ("values", 429, 1, None),
        ("values", 429, 2, "0"),
        ("metadata", 503, 1, None),
        ("values", 500, 2, None),
        ("token", 503, 1, None),
    ],
)
def test_transient_failure_then_success(server, account, endpoint, status, times, retry_after):
    server.fail(endpoint, status, times=times, retry_after=retry_after)
    tables = read(server, account)
    assert cells(tables[0]) == expected(REGISTER)
    assert server.count(endpoint) >= times + 1


@pytest.mark.parametrize(
    ("endpoint", "status"),
    [("metadata", 500), ("values", 503), ("values", 429)],
)
def test_failing_until_the_deadline_gives_up_in_time(server, account, endpoint, status):
    server.fail(endpoint, status, times=None)
    deadline = 1.5
    started = time.monotonic()
    with pytest.raises(UnreadableFile) as info:
        read(server, account, timeout=0.5, deadline=deadline)
    elapsed = time.monotonic() - started
    assert info.value.code == "gsheets_unavailable"
    assert elapsed < deadline + MARGIN
    assert server.count(endpoint) >= 2  # it did retry
    assert str(status) in info.value.reason_en and str(status) in info.value.reason_th


@pytest.mark.parametrize("endpoint", ["values", "metadata", "token"])
def test_slow_response_past_the_timeout_gives_up_in_time(server, account, endpoint):
    server.fail(endpoint, delay=3.0, times=None)
    started = time.monotonic()
    with pytest.raises(UnreadableFile) as info:
        read(server, account, timeout=0.3, deadline=1.2)
    assert info.value.code == "gsheets_timeout"
    assert time.monotonic() - started < 1.2 + MARGIN
    assert "0.3" in info.value.reason_en and "0.3" in info.value.reason_th


def test_one_slow_response_is_retried(server, account):
    server.fail("values", delay=1.0, times=1)
    tables = read(server, account, timeout=0.3, deadline=5.0)
    assert cells(tables[0]) == expected(REGISTER)


def test_retry_delays_grow_and_are_jittered():
    """Backoff doubles (with jitter in [½, 1]) and stops once the budget cannot fit a retry."""
    slept: list[float] = []
    now = [0.0]

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    budget = http_source.Deadline(
        10.0, timeout=1.0, backoff_base=0.5, backoff_cap=4.0, clock=lambda: now[0], sleep=sleep
    )
    attempts = 1
    while budget.backoff(attempts):
        attempts += 1
    bounds = [(0.25, 0.5), (0.5, 1.0), (1.0, 2.0), (2.0, 4.0), (2.0, 4.0)]
    assert len(slept) <= len(bounds)
    for s, (lo, hi) in zip(slept, bounds, strict=False):
        assert lo <= s <= hi
    assert sum(slept) < 10.0


# --- permanent failures: distinct codes, Thai + English, what to do ---------------------------


def _not_shared(server, account):
    server.add_spreadsheet(OTHER_KEY, "ลับเฉพาะ", {"Sheet1": [["a"]]}, shared_with={"x@y.z"})
    return {"spreadsheet": OTHER_KEY}


def _api_disabled(server, account):
    server.fail(
        "metadata",
        403,
        message="Google Sheets API has not been used in project 123 before or it is disabled.",
    )
    return {}


def _unknown_key(server, account):
    return {"spreadsheet": OTHER_KEY}


def _renamed(server, account):
    server.spreadsheets[KEY].rename("การตอบแบบฟอร์ม 1", "Form Responses 1")
    return {"worksheets": ["ทะเบียน", "การตอบแบบฟอร์ม 1"]}


def _renamed_while_reading(server, account):
    server.fail("values", 400, message="Unable to parse range: 'ทะเบียน'")
    return {"worksheets": ["ทะเบียน"]}


def _unknown_signing_key(server, account):
    return {
        "credentials": server.service_account(
            "stranger@test.iam.gserviceaccount.com", registered=False, key_size=1024
        )
    }


def _broken_private_key(server, account):
    return {"credentials": {**account, "private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n"}}


def _no_credentials(server, account):
    return {"credentials": None}


def _bad_url(server, account):
    return {"spreadsheet": "https://example.org/not-a-sheet"}


@pytest.mark.parametrize(
    ("setup", "code", "must_mention"),
    [
        (_not_shared, "gsheets_forbidden", [DEFAULT_EMAIL, OTHER_KEY]),
        (_api_disabled, "gsheets_api_disabled", ["Google Sheets API"]),
        (_unknown_key, "gsheets_not_found", [OTHER_KEY, "404"]),
        (
            _renamed,
            "gsheets_worksheet_missing",
            ["การตอบแบบฟอร์ม 1", "Form Responses 1", "ทะเบียน", "ติดตามข้อสั่งการ 2567"],
        ),
        (_renamed_while_reading, "gsheets_worksheet_missing", ["ทะเบียน"]),
        (_unknown_signing_key, "gsheets_auth", ["invalid_grant"]),
        (_broken_private_key, "gsheets_auth", []),
        (_no_credentials, "gsheets_auth", ["GOOGLE_SERVICE_ACCOUNT_JSON"]),
        (_bad_url, "gsheets_bad_url", []),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_permanent_failures_have_distinct_codes(server, account, setup, code, must_mention):
    kwargs = {"spreadsheet": KEY, "credentials": account, **setup(server, account)}
    spreadsheet = kwargs.pop("spreadsheet")
    started = time.monotonic()
    with pytest.raises(UnreadableFile) as info:
        gsheets.read(spreadsheet, api_base_url=server.api_base_url, timeout=2, deadline=8, **kwargs)
    err = info.value
    assert err.code == code
    assert time.monotonic() - started < 3.0  # permanent errors are not retried
    for text in must_mention:
        assert text in err.reason_en and text in err.reason_th
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in err.reason_th)  # Thai text
    assert "PRIVATE KEY" not in err.reason_en + err.reason_th


# --- published CSV (no credentials) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("make_url", "gid", "sheet_rows"),
    [
        (lambda s: f"{s.url}/spreadsheets/d/{KEY}/export?format=csv&gid=0", None, REGISTER),
        (lambda s: f"{s.url}/spreadsheets/d/{KEY}/export?format=csv&gid=1001", None, RESPONSES),
        (lambda s: f"{s.url}/spreadsheets/d/{KEY}/edit#gid=1001", None, RESPONSES),
        (
            lambda s: f"{s.url}/spreadsheets/d/e/{KEY}/pub?gid=1001&single=true&output=csv",
            None,
            RESPONSES,
        ),
        (lambda s: KEY, 1001, RESPONSES),
    ],
    ids=["export", "export-gid", "edit-link", "published", "bare-key"],
)
def test_published_csv_reads_the_same_cells(server, make_url, gid, sheet_rows):
    table = gsheets.read_published_csv(make_url(server), gid=gid, docs_base_url=server.url)
    assert cells(table) == expected(sheet_rows)
    assert server.count("token") == 0  # no credentials involved


def test_published_csv_equals_api_read(server, account):
    api = read(server, account)
    for t, gid in zip(api, (0, 1001), strict=True):
        csv_table = gsheets.read_published_csv(KEY, gid=gid, docs_base_url=server.url)
        assert cells(csv_table) == cells(t)


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        (lambda s: setattr(s.spreadsheets[KEY], "public", False), "gsheets_not_published"),
        (lambda s: s.spreadsheets.pop(KEY), "gsheets_not_found"),
        (lambda s: s.fail("export", 503, times=None), "gsheets_unavailable"),
        (lambda s: s.fail("export", delay=3.0, times=None), "gsheets_timeout"),
    ],
    ids=["not-public", "unknown", "unavailable", "slow"],
)
def test_published_csv_failures(server, setup, code):
    setup(server)
    started = time.monotonic()
    with pytest.raises(UnreadableFile) as info:
        gsheets.read_published_csv(KEY, gid=0, docs_base_url=server.url, timeout=0.3, deadline=1.2)
    assert info.value.code == code
    assert time.monotonic() - started < 1.2 + MARGIN
    assert info.value.reason_th and info.value.reason_en


# --- generic http(s) source -------------------------------------------------------------------


def _xlsx_bytes() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["รหัส", "สถานะ"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("path", "body", "content_type", "kind"),
    [
        ("/report.xlsx", "รหัส,สถานะ\r\n0012,ดำเนินการแล้ว\r\n".encode(), "text/csv", "csv"),
        ("/report.csv", None, "text/csv", "xlsx"),  # content wins over name and type
        ("/cp874.csv", "รหัส,สถานะ\n0012,ดำเนินการแล้ว\n".encode("cp874"), "text/plain", "csv"),
    ],
)
def test_http_fetch_sniffs_content(server, path, body, content_type, kind):
    url = server.add_file(path, body if body is not None else _xlsx_bytes(), content_type)
    download = http_source.fetch(url, timeout=2, deadline=5)
    assert download.kind == kind


def test_http_read_csv_decodes_cp874_exactly(server):
    url = server.add_file("/cp874.csv", "รหัส,สถานะ\n0012,ดำเนินการแล้ว\n".encode("cp874"))
    (table,) = http_source.read(url, timeout=2, deadline=5)  # through files.read_file
    assert cells(table) == [["รหัส", "สถานะ"], ["0012", "ดำเนินการแล้ว"]]
    assert table.source == url


def test_http_read_hands_workbooks_to_the_shared_reader(server):
    url = server.add_file("/book", _xlsx_bytes(), "application/octet-stream") + "?token=secret"
    seen = []

    def parse(data: bytes, name: str) -> list[RawTable]:
        seen.append((data[:4], name))
        return [RawTable("tmp", "Sheet", expected_frame())]

    def expected_frame():
        import pandas as pd

        return pd.DataFrame([["x"]], dtype=object)

    tables = http_source.read(url, timeout=2, deadline=5, parse=parse)
    assert seen == [(b"PK\x03\x04", "book.xlsx")]
    assert tables[0].source == server.url + "/book"  # no query (it may hold a secret)


def test_sheet_reads_like_the_same_data_as_xlsx(server, account):
    """Same cells, same dtypes as an uploaded .xlsx: everything after reading is shared."""
    wb = openpyxl.Workbook()
    wb.active.title = "ทะเบียน"
    for row in REGISTER:
        wb.active.append([v if v != "" else None for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    url = server.add_file("/register.xlsx", buf.getvalue(), "application/octet-stream")
    (from_xlsx,) = http_source.read(url, timeout=5, deadline=20)  # real upload path
    (from_sheet,) = read(server, account, worksheets=["ทะเบียน"])
    assert cells(from_sheet) == cells(from_xlsx) == expected(REGISTER)
    assert from_sheet.frame.dtypes.tolist() == from_xlsx.frame.dtypes.tolist()
    assert list(from_sheet.frame.columns) == list(from_xlsx.frame.columns)
    assert (from_sheet.sheet, from_sheet.first_row) == (from_xlsx.sheet, from_xlsx.first_row)


@pytest.mark.parametrize(
    ("path", "body", "options", "limits", "code"),
    [
        ("/page", b"<!DOCTYPE html><html><body>Sign in</body></html>", {}, {}, "http_html"),
        ("/doc.pdf", b"%PDF-1.7\n...", {}, {}, "http_not_table"),
        ("/big.csv", b"a,b\n" * 3000, {}, {"max_bytes": 10_000}, "http_too_large"),
        (
            "/big-stream.csv",
            b"a,b\n" * 3000,
            {"send_length": False},
            {"max_bytes": 10_000},
            "http_too_large",
        ),
        (
            "/drip.csv",
            b"a,b\n" * 2000,
            {"drip_delay": 0.2},
            {"timeout": 1, "deadline": 1.0},
            "http_timeout",
        ),
        ("/missing", None, {}, {}, "http_not_found"),
        ("/gone", b"x", {"status": 503}, {"timeout": 0.5, "deadline": 1.0}, "http_unavailable"),
        ("/forbidden", b"x", {"status": 403}, {}, "http_forbidden"),
    ],
)
def test_http_fetch_guards(server, path, body, options, limits, code):
    url = (
        server.add_file(path, body, "text/csv", **options)
        if body is not None
        else (server.url + path)
    )
    limits = {"timeout": 2.0, "deadline": 5.0, **limits}
    started = time.monotonic()
    with pytest.raises(UnreadableFile) as info:
        http_source.fetch(url, **limits)
    assert info.value.code == code
    assert time.monotonic() - started < limits["deadline"] + MARGIN
    assert info.value.reason_th and info.value.reason_en


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/a.csv", "not a url"])
def test_http_refuses_non_http_urls(url):
    with pytest.raises(UnreadableFile) as info:
        http_source.fetch(url)
    assert info.value.code == "http_bad_url"


# --- sources.toml -----------------------------------------------------------------------------


def test_example_settings_file_parses():
    sources = src.load_sources(Path(__file__).parents[2] / "sources.example.toml")
    assert [(s.kind, s.auto, s.refresh_seconds) for s in sources] == [
        ("gsheets", False, 120),
        ("gsheets", True, 300),
        ("published_csv", False, 600),
        ("http", True, 300),
    ]
    register = sources[0]
    assert register.worksheet_titles() == ["ทะเบียนข้อสั่งการ", "การตอบแบบฟอร์ม 1"]
    assert register.table_for("การตอบแบบฟอร์ม 1") == "responses"
    assert register.table_for("อื่น ๆ") is None
    assert sources[2].table_for("gid=0") == "responses"


@pytest.mark.parametrize(
    ("location", "is_key", "kind"),
    [
        (KEY, True, "gsheets"),
        (f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0", False, "gsheets"),
        (
            f"https://docs.google.com/spreadsheets/d/{KEY}/export?format=csv&gid=0",
            False,
            "published_csv",
        ),
        (
            "https://docs.google.com/spreadsheets/d/e/2PACX-1v/pub?output=csv",
            False,
            "published_csv",
        ),
        ("https://example.org/a.xlsx", False, "http"),
    ],
)
def test_guess_kind(location, is_key, kind):
    assert src.guess_kind(location, is_key=is_key) == kind


@pytest.mark.parametrize(
    ("toml", "must_mention"),
    [
        ('[[sources]]\nname = "a"\n', "url"),
        (f'[[sources]]\nname = "a"\nurl = "https://x.org/a.csv"\nkey = "{KEY}"\n', "url"),
        ('[[sources]]\nname = "a"\nurl = "ftp://x.org/a.csv"\n', "http"),
        ('[[sources]]\nurl = "https://x.org/a.csv"\n', "name"),
        (
            '[[sources]]\nname = "a"\nurl = "https://x.org/a.csv"\nrefresh_second = 5\n',
            "refresh_second",
        ),
        (
            '[[sources]]\nname = "a"\nurl = "https://x.org/a.csv"\nrefresh_seconds = 1\n',
            "refresh_seconds",
        ),
        (
            f'[[sources]]\nname = "a"\nkey = "{KEY}"\nworksheets = {{ "S" = "budgets" }}\n',
            "budgets",
        ),
        (f'[[sources]]\nname = "a"\nkey = "{KEY}"\nworksheets = "all"\n', "worksheets"),
        ('[[sources]]\nname = "a"\nurl = "https://x.org/a.csv"\nkind = "ftp"\n', "kind"),
        ('[[sources]]\nname = "a"\nurl = "https://x.org/a.csv"\ntable = "x"\n', "table"),
        (
            f'[[sources]]\nname = "a"\nkey = "{KEY}"\n[[sources]]\nname = "a"\nkey = "{KEY}"\n',
            "duplicate",
        ),
        ("[[sources]\n", "TOML"),
        ('colour = "red"\n', "colour"),
    ],
)
def test_bad_settings_are_reported(tmp_path, toml, must_mention):
    path = tmp_path / "sources.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(UnreadableFile) as info:
        src.load_sources(path)
    assert info.value.code == "sources_invalid"
    assert must_mention in info.value.reason_en
    assert info.value.reason_th


def test_all_problems_are_reported_at_once(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text('[[sources]]\nurl = "ftp://x"\n[[sources]]\nname = "b"\nkind = "x"\n')
    with pytest.raises(UnreadableFile) as info:
        src.load_sources(path)
    assert info.value.reason_en.count(";") >= 2


def test_missing_settings_file(tmp_path):
    with pytest.raises(UnreadableFile) as info:
        src.load_sources(tmp_path / "nope.toml")
    assert info.value.code == "sources_missing"


# --- credentials ------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["env-json", "env-path", "secrets", "secrets-section"])
def test_credentials_sources(tmp_path, account, where):
    text = json.dumps(account)
    environ, secrets = {}, None
    if where == "env-json":
        environ = {src.CREDENTIALS_ENV: text}
    elif where == "env-path":
        (tmp_path / "sa.json").write_text(text)
        environ = {src.CREDENTIALS_ENV: str(tmp_path / "sa.json")}
    elif where == "secrets":
        secrets = dict(account)
    else:
        secrets = {"gcp_service_account": dict(account), "other": {"x": 1}}
    info = src.load_credentials(secrets, environ=environ)
    assert info == account
    assert account["private_key"] not in repr(info) + str(info) + repr([info])
    assert DEFAULT_EMAIL in repr(info)


def test_no_credentials_is_none():
    assert src.load_credentials(None, environ={}) is None


@pytest.mark.parametrize(
    "value",
    [
        '{"type": "service_account", "private_key": "SECRET-KEY-MATERIAL",',
        "/no/such/file.json",
        '{"type": "service_account", "private_key": "SECRET-KEY-MATERIAL"}',
        "[1, 2]",
    ],
)
def test_bad_credentials_never_echo_the_secret(value):
    with pytest.raises(UnreadableFile) as info:
        src.load_credentials(None, environ={src.CREDENTIALS_ENV: value})
    assert info.value.code == "credentials_invalid"
    assert "SECRET-KEY-MATERIAL" not in info.value.reason_en + info.value.reason_th + str(
        info.value
    )


# --- SourceCache ------------------------------------------------------------------------------


class FakeFetch:
    """A fetch whose outcome the test sets; counts calls; can block until released."""

    def __init__(self) -> None:
        self.calls = 0
        self.outcome: list[RawTable] | UnreadableFile = [_table("v1")]
        self.gate: threading.Event | None = None
        self.lock = threading.Lock()

    def __call__(self, source: Source) -> list[RawTable]:
        with self.lock:
            self.calls += 1
        if self.gate is not None:
            assert self.gate.wait(5)
        if isinstance(self.outcome, UnreadableFile):
            raise self.outcome
        return self.outcome


def _table(marker: str) -> RawTable:
    import pandas as pd

    return RawTable("s", marker, pd.DataFrame([[marker]], dtype=object))


def _error() -> UnreadableFile:
    return UnreadableFile("s", "gsheets_unavailable", name="s", status=503, seconds=30.0)


SOURCE = Source(name="reg", kind="gsheets", location=KEY, refresh_seconds=60)


@pytest.fixture
def clock():
    now = [1000.0]
    return now


@pytest.fixture
def cache_and_fetch(clock):
    fetch = FakeFetch()
    times = iter(datetime(2024, 3, 31, 9, m, tzinfo=UTC) for m in range(60))
    cache = SourceCache(
        fetch, clock=lambda: clock[0], now=lambda: next(times), failure_retry_seconds=10
    )
    return cache, fetch


# Each step: (advance clock by, force, fetch outcome "v…" or "error", expected sheet marker or
# "raise", expected stale, expected fetch count so far).
@pytest.mark.parametrize(
    "steps",
    [
        pytest.param(
            [
                (0, False, "v1", "v1", False, 1),
                (30, False, "v2", "v1", False, 1),
                (31, False, "v2", "v2", False, 2),
            ],
            id="ttl",
        ),
        pytest.param(
            [(0, False, "v1", "v1", False, 1), (1, True, "v2", "v2", False, 2)], id="force"
        ),
        pytest.param(
            [
                (0, False, "v1", "v1", False, 1),
                (61, False, "error", "v1", True, 2),
                (5, False, "v3", "v1", True, 2),
                (6, False, "v3", "v3", False, 3),
            ],
            id="stale-then-recovers",
        ),
        pytest.param(
            [
                (0, False, "error", "raise", None, 1),
                (5, False, "v1", "raise", None, 1),
                (6, False, "v1", "v1", False, 2),
            ],
            id="first-failure-raises",
        ),
        pytest.param(
            [(0, False, "v1", "v1", False, 1), (1, True, "error", "v1", True, 2)],
            id="forced-refresh-fails",
        ),
    ],
)
def test_cache_steps(cache_and_fetch, clock, steps):
    cache, fetch = cache_and_fetch
    good_at = None
    for advance, force, outcome, want, stale, calls in steps:
        clock[0] += advance
        fetch.outcome = _error() if outcome == "error" else [_table(outcome)]
        if want == "raise":
            with pytest.raises(UnreadableFile):
                cache.get(SOURCE, force=force)
        else:
            result = cache.get(SOURCE, force=force)
            assert isinstance(result, CachedResult)
            assert [t.sheet for t in result.tables] == [want]
            assert result.stale is stale
            assert (result.error is not None) is stale
            if not stale:
                good_at = result.fetched_at
            assert result.fetched_at == good_at  # stale data keeps its own time
        assert fetch.calls == calls


def test_cache_refetches_when_the_settings_change(cache_and_fetch):
    cache, fetch = cache_and_fetch
    cache.get(SOURCE)
    moved = Source(name="reg", kind="gsheets", location=OTHER_KEY, refresh_seconds=60)
    cache.get(moved)
    assert fetch.calls == 2
    assert cache.peek("reg") is not None and cache.peek("nope") is None
    cache.invalidate("reg")
    cache.get(moved)
    assert fetch.calls == 3


@pytest.mark.parametrize("force", [False, True])
def test_concurrent_callers_share_one_fetch(force):
    fetch = FakeFetch()
    fetch.gate = threading.Event()
    cache = SourceCache(fetch)
    results: list[CachedResult] = []
    errors: list[BaseException] = []

    def worker():
        try:
            results.append(cache.get(SOURCE, force=force))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.2)  # all eight are now waiting on the one fetch
    fetch.gate.set()
    for t in threads:
        t.join(5)
    assert not errors
    assert fetch.calls == 1
    assert len(results) == 8
    assert {id(r.tables[0]) for r in results} == {id(results[0].tables[0])}


def test_cache_over_the_stand_in_server_keeps_stale_data(server, account):
    """Good read, then Google fails until the deadline: last good data, stale, with reason."""
    source = Source(
        name="reg",
        kind="gsheets",
        location=KEY,
        refresh_seconds=60,
        worksheets=(("ทะเบียน", "directives"),),
        timeout_seconds=0.5,
        deadline_seconds=1.5,
    )
    cache = SourceCache(src.make_fetcher(account, api_base_url=server.api_base_url))
    first = cache.get(source)
    assert not first.stale and cells(first.tables[0]) == expected(REGISTER)
    assert "source_name:reg" in first.tables[0].notes

    server.fail("metadata", 500, times=None)
    started = time.monotonic()
    second = cache.get(source, force=True)
    assert time.monotonic() - started < 1.5 + MARGIN
    assert second.stale
    assert second.error is not None and second.error.code == "gsheets_unavailable"
    assert "ติดตามข้อสั่งการ" in second.error.reason_th or KEY in second.error.reason_th
    assert second.fetched_at == first.fetched_at
    assert cells(second.tables[0]) == expected(REGISTER)

    server.clear_faults()
    third = cache.get(source, force=True)
    assert not third.stale and third.error is None and third.fetched_at > first.fetched_at


def test_fetch_source_dispatches_by_kind(server, account):
    published = Source(
        name="pub",
        kind="published_csv",
        location=f"{server.url}/spreadsheets/d/{KEY}/export?format=csv&gid=1001",
        table="responses",
    )
    (table,) = src.fetch_source(published)
    assert cells(table) == expected(RESPONSES)
    url = server.add_file("/r.csv", "รหัส\n0012\n".encode(), "text/csv")
    (table,) = src.fetch_source(Source(name="web", kind="http", location=url))
    assert cells(table) == [["รหัส"], ["0012"]]
    tables = src.fetch_source(
        Source(name="g", kind="gsheets", location=KEY),
        credentials=account,
        api_base_url=server.api_base_url,
    )
    assert [t.sheet for t in tables] == ["ทะเบียน", "การตอบแบบฟอร์ม 1"]


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:8080/x.csv",
        "http://localhost/x.csv",
        "https://10.0.0.5/x.xlsx",
        "http://[::1]/x.csv",
        "http://192.168.1.10/pub?output=csv",
    ],
)
def test_private_loopback_and_link_local_sources_are_refused(url, monkeypatch):
    monkeypatch.delenv("TRACKER_ALLOW_PRIVATE_SOURCES", raising=False)
    with pytest.raises(UnreadableFile) as caught:
        http_source.fetch(url, timeout=1, deadline=2)
    assert caught.value.code == "http_private_address"
    assert "public internet" in caught.value.reason_en


def test_a_redirect_to_a_private_address_is_refused(monkeypatch):
    import requests

    monkeypatch.delenv("TRACKER_ALLOW_PRIVATE_SOURCES", raising=False)
    response = requests.Response()
    response.status_code = 302
    response.url = "https://93.184.215.14/start.csv"  # a public address
    response.headers["Location"] = "http://169.254.169.254/latest/meta-data/"
    with pytest.raises(UnreadableFile) as caught:
        http_source._PublicOnlySession().get_redirect_target(response)
    assert caught.value.code == "http_private_address"


@pytest.mark.parametrize(
    "url",
    ["http://169.254.169.254/latest/", "http://127.0.0.1:9/x.csv", "http://localhost/x.csv"],
)
def test_settings_with_a_private_source_url_are_refused(tmp_path, monkeypatch, url):
    monkeypatch.delenv("TRACKER_ALLOW_PRIVATE_SOURCES", raising=False)
    path = tmp_path / "sources.toml"
    path.write_text(f'[[sources]]\nname = "ภายใน"\nurl = "{url}"\n', encoding="utf-8")
    with pytest.raises(UnreadableFile) as info:
        src.load_sources(path)
    assert info.value.code == "sources_invalid"
    assert "public internet" in info.value.reason_en and "อินเทอร์เน็ตสาธารณะ" in info.value.reason_th
