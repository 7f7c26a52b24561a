"""Sync and the command line against the stand-in Google Sheets server (real gspread, real HTTP).

The same generated data is served as two Google Sheets (register + Forms responses; KPIs +
budget) and written as one .xlsx: the dashboard's figures must be equal. Failures leave the
current snapshot as it was. No network: the server runs on 127.0.0.1 in a thread.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.fakes.sheets_server import DEFAULT_EMAIL, SheetsServer
from tests.helpers.sheets import displayed
from tracker import cli
from tracker.dev.sample import REGISTER_SHEET, RESPONSES_SHEET, write_sample
from tracker.live.sources import Source, load_sources
from tracker.live.sync import SYNC_KIND, SyncRunner, content_sha256, sync
from tracker.store import Store


@pytest.fixture(autouse=True)
def _stand_in_on_loopback(monkeypatch):
    """The stand-in server listens on 127.0.0.1: allow that private address for these tests."""
    monkeypatch.setenv("TRACKER_ALLOW_PRIVATE_SOURCES", "1")


REGISTER_KEY = "1RegisterAbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
FINANCE_KEY = "1FinanceZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210"
REGISTER_TITLE = "ทะเบียนข้อสั่งการ 2566-2567"
FINANCE_TITLE = "ตัวชี้วัดและงบประมาณ 2567"
COMPARED = ("directives", "kpis", "budget")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> tuple[Path, dict[str, list[list[str]]]]:
    """The sample workbook cut to a few sheets, and its sheets as displayed text, in order."""
    folder = tmp_path_factory.mktemp("sync")
    write_sample(folder / "full.xlsx", directives=40, seed=3)
    wb = openpyxl.load_workbook(folder / "full.xlsx")
    kpi = [ws.title for ws in wb.worksheets if ws.title.startswith("ตัวชี้วัด")][:2]
    budget = [ws.title for ws in wb.worksheets if ws.title.startswith("เบิกจ่าย")][:1]
    keep = {REGISTER_SHEET, RESPONSES_SHEET, *kpi, *budget}
    for ws in list(wb.worksheets):
        if ws.title not in keep:
            wb.remove(ws)
    path = folder / "ข้อมูลเดียวกัน.xlsx"
    wb.save(path)
    sheets = {
        ws.title: [[displayed(v) for v in row] for row in ws.iter_rows(values_only=True)]
        for ws in wb.worksheets
    }
    assert len(sheets) == 5
    return path, sheets


@pytest.fixture(scope="module")
def xlsx_figures(workbook) -> dict:
    """``summary --json`` of the workbook file."""
    return _summary([str(workbook[0])])


@pytest.fixture(scope="module")
def server():
    with SheetsServer() as s:
        # Headers and body go out in two writes: without TCP_NODELAY every response waits
        # ~40 ms for a delayed ACK. This server's own handler class only.
        s._httpd.RequestHandlerClass.disable_nagle_algorithm = True
        yield s


@pytest.fixture(scope="module")
def account(server) -> dict:
    return server.service_account()


def _copy(rows: list[list[str]]) -> list[list[str]]:
    return [list(r) for r in rows]


@pytest.fixture(autouse=True)
def served(server, workbook):
    """Every test starts with both spreadsheets served as generated, no faults."""
    _, sheets = workbook
    server.clear_faults()
    server.spreadsheets.clear()
    server.log.clear()
    register = {
        t: _copy(rows) for t, rows in sheets.items() if t in (REGISTER_SHEET, RESPONSES_SHEET)
    }
    finance = {t: _copy(rows) for t, rows in sheets.items() if t not in register}
    server.add_spreadsheet(REGISTER_KEY, REGISTER_TITLE, register, public=True)
    server.add_spreadsheet(FINANCE_KEY, FINANCE_TITLE, finance)
    yield
    server.clear_faults()


SOURCES_TOML = f"""
timeout_seconds = 1
deadline_seconds = 1

[[sources]]
name = "ทะเบียนและแบบฟอร์ม"
url = "https://docs.google.com/spreadsheets/d/{REGISTER_KEY}/edit#gid=0"
[sources.worksheets]
"{REGISTER_SHEET}" = "directives"
"{RESPONSES_SHEET}" = "responses"

[[sources]]
name = "ตัวชี้วัดและงบประมาณ"
key = "{FINANCE_KEY}"
"""


@pytest.fixture
def env(server, account, tmp_path, monkeypatch) -> Path:
    """Settings for the CLI: the stand-in API, the test key, a fresh SQLite store."""
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES_TOML, encoding="utf-8")
    monkeypatch.setenv("TRACKER_GSHEETS_API_BASE", server.api_base_url)
    monkeypatch.setenv("GOOGLE_SERVICE_ACCOUNT_JSON", json.dumps(account))
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'tracker.sqlite'}")
    monkeypatch.setenv("TRACKER_SOURCES_FILE", str(sources))
    return sources


@pytest.fixture
def store(env, tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'tracker.sqlite'}")
    s.upgrade()
    yield s
    s.dispose()


def _summary(args: list[str]) -> dict:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["summary", *args, "--json"])
    assert code == cli.EXIT_OK, out.getvalue()
    return json.loads(out.getvalue())


def _issue_keys(figures: dict) -> list[tuple]:
    """Issues without the file name (a workbook's name vs a spreadsheet's title)."""
    return sorted(
        (i["severity"], i["code"], i["sheet"], i["row"] or 0, i["column"], i["value"])
        for i in figures["issues"]
    )


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _sync(env, account, server, store):
    return sync(load_sources(env), store, credentials=account, api_base=server.api_base_url)


# --- same figures from Google Sheets as from .xlsx --------------------------------------------


def test_sync_publishes_the_same_figures_as_the_xlsx(env, account, server, store, xlsx_figures):
    result = _sync(env, account, server, store)
    assert (result.status, result.code) == ("published", ""), result.message_en
    assert [(r.name, r.ok, r.sheets) for r in result.sources] == [
        ("ทะเบียนและแบบฟอร์ม", True, 2),
        ("ตัวชี้วัดและงบประมาณ", True, 3),
    ]
    assert all(r.fetched_at is not None and r.rows > 0 for r in result.sources)
    current = _summary(["--current"])
    for part in COMPARED:
        assert current[part] == xlsx_figures[part], part
    assert current["directives"]["total"] == 40
    assert current["kpis"] and current["budget"]
    snap = current["snapshot"]
    assert snap["source"] == "ทะเบียนและแบบฟอร์ม, ตัวชี้วัดและงบประมาณ"
    assert snap["user"] == "sync" and snap["sha256"] == result.sha256
    assert "key" not in snap["source"] and "private" not in json.dumps(snap)
    assert store.snapshots()["kind"].tolist() == [SYNC_KIND]


def test_summary_and_validate_take_google_sheets_urls(env, xlsx_figures, capsys):
    urls = [
        f"https://docs.google.com/spreadsheets/d/{REGISTER_KEY}/edit",
        f"https://docs.google.com/spreadsheets/d/{FINANCE_KEY}/edit?usp=sharing",
    ]
    figures = _summary(urls)
    for part in COMPARED:
        assert figures[part] == xlsx_figures[part], part
    assert _issue_keys(figures) == _issue_keys(xlsx_figures)
    code, out, _ = _run(capsys, "validate", urls[0], "--json")
    assert code == cli.EXIT_OK and json.loads(out)["valid"] is True


def test_published_csv_urls_give_the_same_directive_figures(server, env, xlsx_figures, capsys):
    """The public-CSV mode: no credentials, the export links of the two worksheets."""
    base = f"{server.url}/spreadsheets/d/{REGISTER_KEY}/export?format=csv"
    figures = _summary([f"{base}&gid=0", f"{base}&gid=1001"])
    assert figures["directives"] == xlsx_figures["directives"]
    assert server.count("token") == 0 and server.count("export") == 2
    # a sheet that is not shared with "anyone with the link" says so
    server.spreadsheets[REGISTER_KEY].public = False
    code, _, err = _run(capsys, "summary", f"{base}&gid=0", "--json")
    assert code == cli.EXIT_UNREADABLE
    assert "เผยแพร่" in err and "Publish to web" in err
    assert "Traceback" not in err


def test_a_path_and_a_url_mix(server, env, workbook, capsys):
    base = f"{server.url}/spreadsheets/d/{REGISTER_KEY}/export?format=csv"
    path, _ = workbook
    code, out, _ = _run(capsys, "validate", str(path), f"{base}&gid=1001", "--json")
    report = json.loads(out)
    assert code in (cli.EXIT_OK, cli.EXIT_INVALID)
    assert "unreadable_file" not in {i["code"] for i in report["issues"]}


# --- duplicates: no change is a success -------------------------------------------------------


def _set_status(server, directive_index: int, text: str) -> None:
    rows = server.spreadsheets[REGISTER_KEY].sheets[RESPONSES_SHEET]
    rows[directive_index][3] = text


def test_unchanged_sheet_is_no_change_and_a_change_publishes(env, account, server, store, capsys):
    first = _sync(env, account, server, store)
    assert first.status == "published"
    code, out, _ = _run(capsys, "sync")
    assert code == cli.EXIT_OK
    assert f"#{first.snapshot_id}" in out and "No change" in out
    assert len(store.snapshots()) == 1

    original = server.spreadsheets[REGISTER_KEY].sheets[RESPONSES_SHEET][1][3]
    _set_status(
        server, 1, "ไม่สามารถดำเนินการได้" if original != "ไม่สามารถดำเนินการได้" else "ดำเนินการแล้ว"
    )
    changed = _sync(env, account, server, store)
    assert changed.status == "published" and changed.snapshot_id != first.snapshot_id
    assert changed.sha256 != first.sha256
    assert store.current_id() == changed.snapshot_id

    # the sheet is back as it was: the corrected response replaces the edited one again
    _set_status(server, 1, original)
    back = _sync(env, account, server, store)
    assert back.status == "published" and back.snapshot_id not in (
        first.snapshot_id,
        changed.snapshot_id,
    )
    assert store.current_id() == back.snapshot_id
    keys = {"directives": ["directive_id"], "responses": ["directive_id", "submitted_at"]}
    for kind, key in keys.items():  # the same rows (a corrected row moves to the end)
        a, b = (
            store.load(sid)[kind]
            .drop(columns=["source", "sheet", "row"])
            .sort_values(key, kind="stable")
            .reset_index(drop=True)
            for sid in (back.snapshot_id, first.snapshot_id)
        )
        pd.testing.assert_frame_equal(a, b)
    assert len(store.snapshots()) == 3


def test_data_published_by_hand_stays_when_the_sheet_is_synced_again(
    env, account, server, store, tmp_path
):
    first = _sync(env, account, server, store)
    register = tmp_path / "เพิ่มเติม.csv"
    register.write_text(
        "รหัส,ปีงบประมาณ,หน่วยรับตรวจ,ข้อสั่งการ,สถานะ\n"
        "Z-99,2567,สำนักการโยธา,ข้อสั่งการที่เพิ่มด้วยมือ,ดำเนินการแล้ว\n",
        encoding="utf-8",
    )
    assert cli.main(["import", str(register)]) == cli.EXIT_OK
    uploaded = store.current_id()
    assert uploaded != first.snapshot_id
    again = _sync(env, account, server, store)
    assert (again.status, again.snapshot_id) == ("no_change", uploaded)
    ids = store.load()["directives"]["directive_id"].tolist()
    assert "Z-99" in ids and len(ids) == len(store.load(first.snapshot_id)["directives"]) + 1


def test_content_hash_follows_the_content_only():
    """Same content, same hash (fresh frames, other objects); any changed cell, another hash."""
    from tests.conftest import synthetic_frames

    a, b = synthetic_frames(5), synthetic_frames(5)
    assert content_sha256(a) == content_sha256(b)
    b["directives"].loc[0, "obstacle"] = "มีอุปสรรค"
    assert content_sha256(a) != content_sha256(b)


# --- failures leave the data as it was --------------------------------------------------------


def test_500_until_the_deadline_fails_and_keeps_the_snapshot(env, account, server, store, capsys):
    first = _sync(env, account, server, store)
    server.fail("values", 500, times=None)
    code, out, err = _run(capsys, "sync", "--json")
    report = json.loads(out)
    assert code == cli.EXIT_UNREADABLE and report["ok"] is False
    assert (report["status"], report["error"]["code"]) == ("failed", "source")
    bad = report["sources"][0]
    assert bad["name"] == "ทะเบียนและแบบฟอร์ม" and bad["error"]["code"] == "gsheets_unavailable"
    assert "500" in bad["error"]["message_th"] and "500" in bad["error"]["message_en"]
    assert "ทะเบียนและแบบฟอร์ม" in report["error"]["message_th"]
    assert "ทะเบียนและแบบฟอร์ม" in report["error"]["message_en"]
    assert "ไม่ได้ปรับปรุงข้อมูล" in err and "nothing was updated" in err
    assert "Traceback" not in out + err
    assert store.current_id() == first.snapshot_id and len(store.snapshots()) == 1


def _not_shared(server):
    server.spreadsheets[REGISTER_KEY].shared_with = {"someone-else@example.org"}


def _deleted(server):
    del server.spreadsheets[REGISTER_KEY]


def _renamed(server):
    server.spreadsheets[REGISTER_KEY].rename(RESPONSES_SHEET, "Form Responses 1")


def _emptied(server):
    server.spreadsheets[REGISTER_KEY].sheets[RESPONSES_SHEET] = []


def _header_replaced(server):
    rows = server.spreadsheets[REGISTER_KEY].sheets[REGISTER_SHEET]
    for i, row in enumerate(rows[:5]):
        if "รหัสข้อสั่งการ" in row:
            rows[i] = [f"คอลัมน์ {j + 1}" for j in range(len(row))]


def _column_renamed(server):
    rows = server.spreadsheets[REGISTER_KEY].sheets[RESPONSES_SHEET]
    rows[0] = ["เวลา" if c == "ประทับเวลา" else c for c in rows[0]]


@pytest.mark.parametrize(
    ("setup", "code", "found", "must_mention"),
    [
        (_not_shared, "source", "gsheets_forbidden", [DEFAULT_EMAIL]),
        (_deleted, "source", "gsheets_not_found", ["404"]),
        (_renamed, "source", "gsheets_worksheet_missing", [RESPONSES_SHEET, "Form Responses 1"]),
        (_emptied, "invalid", "source_sheet_empty", [RESPONSES_SHEET]),
        (_header_replaced, "invalid", "source_header_changed", [REGISTER_SHEET]),
        (_column_renamed, "invalid", "missing_column", []),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else None,
)
def test_permanent_failures_keep_the_data(
    env, account, server, store, capsys, setup, code, found, must_mention
):
    first = _sync(env, account, server, store)
    setup(server)
    result = _sync(env, account, server, store)
    assert (result.status, result.code) == ("failed", code)
    if code == "source":
        error = result.failed_sources[0].error
        assert error.code == found
        texts = [error.reason_th, error.reason_en]
    else:
        errors = [i for i in result.issues if i.severity == "error"]
        assert found in {i.code for i in errors}
        texts = [" ".join(i.message_th for i in errors), " ".join(i.message_en for i in errors)]
    for text in must_mention:
        assert all(text in x for x in texts), (text, texts)
    exit_code, out, err = _run(capsys, "sync")
    assert exit_code == (cli.EXIT_UNREADABLE if code == "source" else cli.EXIT_INVALID)
    assert found in out and err.strip()
    assert "Traceback" not in out + err
    assert store.current_id() == first.snapshot_id and len(store.snapshots()) == 1


def test_missing_service_account_is_a_clear_cli_error(env, monkeypatch, capsys):
    monkeypatch.delenv("GOOGLE_SERVICE_ACCOUNT_JSON")
    code, out, _ = _run(capsys, "sync")
    assert code == cli.EXIT_UNREADABLE
    assert "gsheets_auth" in out and "GOOGLE_SERVICE_ACCOUNT_JSON" in out
    monkeypatch.setenv("GOOGLE_SERVICE_ACCOUNT_JSON", "{not json")
    code, out, _ = _run(capsys, "sync")
    assert code == cli.EXIT_UNREADABLE and "credentials_invalid" in out


@pytest.mark.parametrize(
    ("text", "code"),
    [(None, "sources_missing"), ("[[sources]]\nname = 1\n", "sources_invalid")],
)
def test_bad_settings_file_is_a_clear_cli_error(env, capsys, text, code):
    if text is None:
        env.unlink()
    else:
        env.write_text(text, encoding="utf-8")
    exit_code, _, err = _run(capsys, "sync", "--sources", str(env))
    assert exit_code == cli.EXIT_UNREADABLE
    assert str(env) in err and "Traceback" not in err


def test_no_store_only_checks(env, account, server, monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("TRACKER_DATABASE_URL")
    monkeypatch.setattr("tracker.store.engine.DEFAULT_SQLITE_PATH", tmp_path / "absent.sqlite")
    code, out, _ = _run(capsys, "sync", "--json")
    assert code == cli.EXIT_OK
    assert json.loads(out)["status"] == "checked"
    assert not (tmp_path / "absent.sqlite").exists()


# --- the app's runner: one fetch per source per interval, stale kept --------------------------


def _runner(server, account) -> SyncRunner:
    runner = SyncRunner()
    runner.credentials, runner.api_base = account, server.api_base_url
    return runner


def test_runner_fetches_each_source_once_per_interval(env, account, server, store):
    sources = load_sources(env)
    runner = _runner(server, account)
    assert runner.run(sources, store).status == "published"
    calls = server.count("values") + server.count("metadata")
    assert runner.run(sources, store).status == "published"  # cached: nothing fetched
    assert server.count("values") + server.count("metadata") == calls
    assert not runner.due()
    assert runner.run(sources, store, force=True).status == "no_change"
    assert server.count("values") + server.count("metadata") > calls


def test_runner_in_the_background_keeps_stale_tables(env, account, server, store):
    sources = [
        Source(s.name, s.kind, s.location, s.worksheets, s.table, 10, 1.0, 1.0)
        for s in load_sources(env)
    ]
    runner = _runner(server, account)
    assert runner.start(sources, store)
    assert runner.wait(20) and runner.last.status == "published"
    assert not runner.start(sources, store)  # not due yet
    server.fail("values", 503, times=None)
    result = runner.run(sources, store, force=True)
    assert (result.status, result.code) == ("failed", "source")
    cached = runner.cache.peek("ทะเบียนและแบบฟอร์ม")
    assert cached.stale and cached.error.code == "gsheets_unavailable" and cached.tables
    assert store.current_id() == 1 and len(store.snapshots()) == 1


def test_a_sync_of_only_a_responses_sheet_leaves_kpis_budget_and_register_alone(
    env, account, server, store
):
    first = _sync(env, account, server, store)
    before = store.load(first.snapshot_id)
    assert len(before["kpis"]) and len(before["budget"])
    env.write_text(
        f"""
timeout_seconds = 1
deadline_seconds = 1

[[sources]]
name = "แบบฟอร์มเท่านั้น"
url = "https://docs.google.com/spreadsheets/d/{REGISTER_KEY}/edit#gid=0"
[sources.worksheets]
"{RESPONSES_SHEET}" = "responses"
""",
        encoding="utf-8",
    )
    original = server.spreadsheets[REGISTER_KEY].sheets[RESPONSES_SHEET][1][3]
    _set_status(
        server, 1, "ไม่สามารถดำเนินการได้" if original != "ไม่สามารถดำเนินการได้" else "ดำเนินการแล้ว"
    )
    result = _sync(env, account, server, store)
    assert result.status == "published", (result.code, result.message_en)
    after = store.load(result.snapshot_id)
    for kind in ("kpis", "budget"):
        pd.testing.assert_frame_equal(after[kind], before[kind], obj=kind)
    assert len(after["directives"]) == len(before["directives"])
    assert len(after["responses"]) == len(before["responses"])  # a correction, not a new row
    changed = after["directives"].set_index("directive_id")["status"].astype(object) != before[
        "directives"
    ].set_index("directive_id")["status"].astype(object)
    assert changed.sum() <= 1  # at most the directive whose latest response was corrected
    record = store.snapshots()["changes"].iat[-1]
    assert set(record) <= {"responses", "directives"} and "responses" in record
