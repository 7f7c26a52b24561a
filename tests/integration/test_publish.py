"""Upload → prepare → preview → publish, duplicates, refusals and trends (SQLite + PostgreSQL)."""

from __future__ import annotations

import hashlib
import io
import json

import openpyxl
import pandas as pd
import pytest

from data_sources.files import sha256_of
from tests.conftest import BACKENDS
from tests.helpers.registers import V1, V2, V3, X, Y, csv_bytes
from tracker.dev.sample import write_sample
from tracker.publish import flow as pub
from tracker.publish import trends as trends_mod
from tracker.store import DuplicateSnapshot, Store


def _publish(store: Store, rows: list[tuple], name: str = "register.csv", note: str = "") -> int:
    prepared = pub.prepare([(name, csv_bytes(rows))], store=store)
    assert prepared.can_publish, prepared.blockers()
    return pub.publish(prepared, store, "analyst", note)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("wb") / "sample.xlsx"
    write_sample(path, directives=40, seed=3)
    return path.read_bytes()


def test_prepare_without_store_reads_validates_and_hashes():
    data = csv_bytes(V1)
    p = pub.prepare([("ทะเบียน ข้อสั่งการ.csv", data)])
    assert p.sha256 == sha256_of(data)
    assert p.counts["directives"] == 3
    assert p.diff is None and p.base_id is None and not p.compared
    assert p.can_publish and p.blockers() == []
    assert p.source == "ทะเบียน ข้อสั่งการ.csv"
    assert p.files[0].sheets == 1 and p.files[0].size == len(data)


def test_combined_hash_is_order_independent_and_differs_from_each_file():
    a, b = csv_bytes(V1), csv_bytes([("C9", X, "", "")])
    ab = pub.prepare([("a.csv", a), ("b.csv", b)])
    ba = pub.prepare([("b.csv", b), ("a.csv", a)])
    expected = hashlib.sha256("\n".join(sorted([sha256_of(a), sha256_of(b)])).encode()).hexdigest()
    assert ab.sha256 == ba.sha256 == expected
    assert ab.sha256 not in (sha256_of(a), sha256_of(b))
    assert ab.counts["directives"] == 4


def test_publish_workbook_then_same_bytes_is_a_duplicate(store, workbook):
    first = pub.prepare([("ติดตาม.xlsx", workbook)], store=store)
    assert first.compared and first.base_id is None
    assert first.can_publish, first.blockers()
    assert len(first.diff["directives_added"]) == first.counts["directives"] == 40
    sid = pub.publish(first, store, "analyst", "  รอบแรก  ")
    assert store.current_id() == sid
    snap = store.snapshots().iloc[-1]
    assert (snap["source"], snap["sha256"], snap["note"], snap["user"], snap["kind"]) == (
        "ติดตาม.xlsx",
        sha256_of(workbook),
        "รอบแรก",
        "analyst",
        "upload",
    )
    loaded = store.load()
    assert {k: len(v) for k, v in loaded.items()} == first.counts

    again = pub.prepare([("renamed.xlsx", workbook)], store=store, sandbox=False)
    assert again.duplicate_of == sid and again.duplicate_is_current
    assert again.blockers() == ["duplicate"] and not again.can_publish
    assert f"#{sid}" in again.message("duplicate", "th")
    assert f"snapshot #{sid}" in again.message("duplicate", "en")
    with pytest.raises(DuplicateSnapshot) as err:  # the store re-checks on publish
        pub.publish(again, store, "analyst", "")
    assert err.value.snapshot_id == sid
    assert len(store.snapshots()) == 1
    assert store.audit_log()["action"].tolist() == ["publish", "publish_failed"]


def test_preview_lists_what_will_change(store):
    _publish(store, V1)
    p = pub.prepare(
        [("v2.csv", csv_bytes([*V2[:2], ("C1", Y, "", "")]))], store=store
    )  # B1 not in the file: kept (add and update); C1 added
    diff = p.diff
    assert diff["directives_added"]["directive_id"].tolist() == ["C1"]
    assert diff["directives_removed"].empty
    assert diff["status_changed"][["directive_id", "status_old", "status_new"]].to_dict(
        "records"
    ) == [{"directive_id": "A2", "status_old": "in_progress", "status_new": "done"}]
    moved = diff["due_date_changed"]
    assert moved["directive_id"].tolist() == ["A1"]
    assert str(moved["due_date_new"].iat[0].date()) == "2024-04-30"
    sections = {k: n for k, _, n, _ in pub.diff_sections(diff, "th")}
    assert sections == {
        "directives_added": 1,
        "directives_removed": 0,
        "status_changed": 1,
        "due_date_changed": 1,
        "kpis_changed": 0,
        "budget_changed": 0,
    }
    counts = p.change_counts().set_index("table")
    assert counts.loc["directives"].tolist() == [3, 1, 2, 0, 1]  # in file, a, c, r, kept
    shown = pub.diff_sections(diff, "en")[2][3]
    assert shown.columns.tolist() == ["Id", "Unit", "Status (before)", "Status (after)"]
    assert shown.iloc[0].tolist() == ["A2", X, "In progress", "Done"]


def test_replace_register_lists_and_removes_exactly_what_is_not_in_the_file(store):
    _publish(store, V1)
    p = pub.prepare(
        [("v2.csv", csv_bytes([*V2[:2], ("C1", Y, "", "")]))],
        store=store,
        replace_register=True,
    )
    assert p.removed_directives["directive_id"].tolist() == ["B1"]
    assert p.change_counts().set_index("table").loc["directives", "removed"] == 1
    sid = pub.publish(p, store, "analyst")
    ids = store.load(sid)["directives"]["directive_id"].tolist()
    assert sorted(ids) == ["A1", "A2", "C1"]


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        ([("A1", X, "เสร็จครึ่งหนึ่ง", "")], "unknown_status"),
        ([("A1", X, "", ""), ("A1", Y, "", "")], "duplicate_id"),
    ],
)
def test_errors_block_publish_and_nothing_is_written(store, rows, code):
    p = pub.prepare([("bad.csv", csv_bytes(rows))], store=store)
    assert code in {i.code for i in p.issues if i.severity == "error"}
    assert p.blockers() == ["has_errors"] and not p.can_publish
    with pytest.raises(pub.PublishRefused) as err:
        pub.publish(p, store, "analyst")
    assert err.value.code == "has_errors"
    assert err.value.message_th and err.value.message_en
    assert store.current_id() is None and store.snapshots().empty


def _renamed() -> bytes:
    return b"%PDF-1.4 not a spreadsheet\x00\x01"


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("empty.csv", b"", "empty_file"),
        ("../../etc/passwd.xlsx", b"root:x:0:0:root:/root:/bin/bash\n", "not_a_spreadsheet"),
        ("รายงาน.xlsx", _renamed(), "not_a_spreadsheet"),
        ("notes.txt", csv_bytes(V1), "type_not_allowed"),
        ("macro.xlsm", csv_bytes(V1), "type_not_allowed"),
        ("big.csv", csv_bytes(V1) + b"x," * 600, "too_large"),
    ],
)
def test_refused_files_write_nothing(store, name, data, code):
    p = pub.prepare([(name, data), ("ok.csv", csv_bytes(V1))], max_bytes=1024, store=store)
    assert [u.code for u in p.unreadable] == [code]
    assert [f.error_code for f in p.files] == [code, ""]
    assert "unreadable" in p.blockers() and not p.can_publish
    unreadable = [i for i in p.issues if i.code == "unreadable_file"]
    assert len(unreadable) == 1 and unreadable[0].message_th and unreadable[0].message_en
    with pytest.raises(pub.PublishRefused):
        pub.publish(p, store, "analyst")
    assert store.snapshots().empty


def test_thai_and_dotted_names_are_text_only(store, tmp_path, monkeypatch):
    cwd = tmp_path / "a" / "b"
    cwd.mkdir(parents=True)
    monkeypatch.chdir(cwd)
    name = "../ข้อสั่งการ\x00\n รอบ ๒.csv"
    sid = _publish(store, V1, name=name)
    assert store.snapshots()["source"].tolist() == ["../ข้อสั่งการ รอบ ๒.csv"]
    assert store.current_id() == sid
    assert list((tmp_path / "a").rglob("*")) == [cwd]  # nothing was written under any such name


def test_stale_preview_is_refused(store):
    p = pub.prepare([("v2.csv", csv_bytes(V2))], store=store)
    assert p.base_id is None
    _publish(store, V1, name="someone-else.csv")
    with pytest.raises(pub.PublishRefused) as err:
        pub.publish(p, store, "analyst")
    assert err.value.code == "stale_preview"
    assert len(store.snapshots()) == 1


def test_no_rows_is_not_published(store):
    from tracker.present.template import write_template

    p = pub.prepare([("blank.xlsx", write_template())], store=store, sandbox=False)
    assert p.blockers() == ["no_rows"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_unreachable_store_blocks_publish(backend, tmp_path):
    (tmp_path / "file").write_text("not a folder")
    url = (
        f"sqlite:///{tmp_path / 'file' / 'x.sqlite'}"  # its folder cannot exist
        if backend == "sqlite"
        else "postgresql://postgres@127.0.0.1:1/test"
    )
    with Store(url, connect_timeout=2) as store:
        p = pub.prepare([("a.csv", csv_bytes(V1))], store=store)
    assert p.store_error is not None and p.store_error.code == "store_unavailable"
    assert p.blockers() == ["store"] and not p.can_publish
    assert p.message("store", "th") == p.store_error.message_th


def test_trends_status_over_time_and_due_revisions(store):
    ids = [_publish(store, rows, name=f"v{i}.csv") for i, rows in enumerate((V1, V2, V3), 1)]
    trend = trends_mod.agency_trends(trends_mod.directive_history(store))
    got = {
        (int(s), a): p
        for s, a, p in zip(trend["snapshot_id"], trend["agency"], trend["done_pct"], strict=True)
    }
    assert got == {
        (ids[0], X): 50.0,
        (ids[0], Y): 0.0,
        (ids[1], X): 100.0,
        (ids[1], Y): 0.0,
        (ids[2], X): 100.0,
        (ids[2], Y): 100.0,
    }
    assert trends_mod.overall_trend(trend)["done_pct"].tolist() == [33.33, 66.67, 100.0]
    assert trends_mod.default_trend_agencies(trend, 1) == [X]

    b1 = trends_mod.status_history(trends_mod.directive_history(store), "B1")
    assert b1["snapshot_id"].tolist() == ids
    assert b1["status"].astype(str).tolist() == ["not_reported", "in_progress", "done"]
    assert b1["status_changed"].tolist() == [False, True, True]

    rev = trends_mod.due_revisions(trends_mod.directive_history(store))
    assert rev[["directive_id", "snapshot_id", "revision"]].astype(object).to_dict("records") == [
        {"directive_id": "A1", "snapshot_id": ids[1], "revision": 1},
        {"directive_id": "B1", "snapshot_id": ids[2], "revision": 1},
    ]
    assert rev["days_moved"].iat[0] == 30 and pd.isna(rev["days_moved"].iat[1])
    assert str(rev["due_date_old"].iat[0].date()) == "2024-03-31"
    assert (
        pd.isna(rev["due_date_old"].iat[1])
        and str(rev["due_date_new"].iat[1].date()) == "2024-06-30"
    )

    store.rollback(ids[0], user="admin")  # a rollback adds no snapshot: trends are unchanged
    assert len(trends_mod.agency_trends(trends_mod.directive_history(store))) == len(trend)
    fig = trends_mod.trend_figure(trend, trends_mod.overall_trend(trend), "th", [X, Y])
    spec = json.loads(fig.to_json())
    assert [tr["meta"] for tr in spec["data"]] == ["__all__", X, Y]
    assert spec["data"][1]["y"] == [50.0, 100.0, 100.0]
    assert spec["layout"]["yaxis"]["title"]["text"]


def test_report_xlsx_keeps_user_text_as_text():
    rows = [('=HYPERLINK("http://x")', X, "ผิดสถานะ", ""), ("+1", "=1+1", "", "")]
    p = pub.prepare([("bad.csv", csv_bytes(rows))])
    wb = openpyxl.load_workbook(io.BytesIO(pub.report_xlsx(p)))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == list(pub.REPORT_COLUMNS)
    assert ws.max_row == len(p.issues) + 1
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if c.value is not None]
    assert any(c.value == "ผิดสถานะ" for c in cells)
    assert all(c.data_type != "f" for c in cells)  # never a formula
    files = wb.worksheets[1]
    assert files["A2"].value == "bad.csv" and files["D2"].value == p.files[0].sha256


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (None, 20 * 1024 * 1024),
        ("5", 5 * 1024 * 1024),
        ("0.5", 512 * 1024),
        (" ", 20 * 1024 * 1024),
    ],
)
def test_max_upload_bytes_setting(monkeypatch, env, expected):
    if env is None:
        monkeypatch.delenv("TRACKER_MAX_FILE_MB", raising=False)
    else:
        monkeypatch.setenv("TRACKER_MAX_FILE_MB", env)
    assert pub.max_upload_bytes() == expected


@pytest.mark.parametrize("bad", ["junk", "abc", "0", "-3", "nan", "inf"])
def test_an_unusable_size_setting_is_an_error_naming_it_everywhere(monkeypatch, bad, capsys):
    import settings
    from tracker import cli
    from tracker.read.loader import read_paths

    monkeypatch.setenv("TRACKER_MAX_FILE_MB", bad)
    for read in (pub.max_upload_bytes, lambda: read_paths([])):
        with pytest.raises(settings.SettingError) as err:
            read()
        assert "TRACKER_MAX_FILE_MB" in err.value.message_en
        assert "TRACKER_MAX_FILE_MB" in err.value.message_th
    assert cli.main(["validate", __file__]) == cli.EXIT_UNREADABLE
    assert "TRACKER_MAX_FILE_MB" in capsys.readouterr().err
