"""Snapshot store on SQLite and PostgreSQL: schema, round trip, duplicates, rollback, diff."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from tests.conftest import synthetic_frames
from tracker.dataset import COLUMNS, conform, empty_frame
from tracker.store import (
    DuplicateSnapshot,
    SnapshotNotFound,
    Store,
    StoreUnavailable,
    diff_frames,
    resolve_url,
)
from tracker.store import convert as store_convert
from tracker.store.api import DEFAULT_SQLITE_PATH
from tracker.store.diff import canonical_frame
from tracker.store.searching import include_name
from tracker.store.tables import metadata


def hand_made_frames() -> dict[str, pd.DataFrame]:
    """Small frames with the awkward values: Thai text, '', None, NaT, times, money."""
    directives = pd.DataFrame(
        {
            "directive_id": ["67-1-001", "67-1-002", "67-2-003"],
            "fiscal_year": [2567, 2567, None],
            "round": [1, None, 2],
            "issued_by": ["ปลัดกรุงเทพมหานคร", "ผู้ตรวจราชการกรุงเทพมหานคร", None],
            "issued_date": [pd.Timestamp("2023-11-23"), pd.NaT, pd.Timestamp("2024-02-01")],
            "due_date": [pd.Timestamp("2024-03-31"), pd.Timestamp("2024-09-30"), pd.NaT],
            "agency": ["สำนักงานเขตบางนา", "สำนักการโยธา", "สำนักงานเขตบางนา"],
            "district_code": ["1047", None, "1047"],
            "text": ['ให้ตรวจสอบ "ทางเท้า"\nบรรทัดสอง', "", "O'Brien; DROP TABLE x --"],
            "group": ["การจัดระเบียบทางเท้าและหาบเร่-แผงลอย", None, "กฎหมาย ระเบียบ และการตรวจสอบ"],
            "f_personnel": [True, False, False],
            "f_law": [False, None, True],
            "status": ["done", None, "cannot"],
            "detail": [None, "๑๒,๒๐๓,๕๐๐.-", "-"],
            "reported_at": [pd.Timestamp("2024-03-31 14:05:22"), pd.NaT, pd.NaT],
            "source": "ติดตาม ../ไฟล์.xlsx",
            "sheet": "Sheet1",
            "row": [2, 3, 4],
            "unknown_extra": ["dropped", "dropped", "dropped"],
        }
    )
    responses = pd.DataFrame(
        {
            "submitted_at": [pd.Timestamp("2024-01-05 09:00:01"), pd.Timestamp("2024-03-30")],
            "directive_id": ["67-1-001", "67-1-001"],
            "status": ["in_progress", "done"],
            "reporter": ["a@bangkok.go.th", None],
        }
    )
    frames = synthetic_frames(0)
    frames.update(
        directives=conform(directives, "directives"),
        responses=canonical_frame(responses, "responses"),
    )
    frames["kpis"].loc[0, "achievement_pct"] = 20.0
    return frames


def canonical(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """What a load must return for ``frames``: canonical columns only, fresh index."""
    return {k: frames[k][list(COLUMNS[k])].reset_index(drop=True) for k in COLUMNS}


def assert_frames_equal(got: dict[str, pd.DataFrame], want: dict[str, pd.DataFrame]) -> None:
    assert list(got) == list(COLUMNS)
    for kind in COLUMNS:
        pd.testing.assert_frame_equal(got[kind], want[kind], obj=kind)


def test_migrating_empty_database_reaches_models(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diffs = compare_metadata(context, metadata)
        tables = set(inspect(conn).get_table_names())
    assert diffs == []
    assert {"snapshots", "current_snapshot", "audit_log", *COLUMNS} <= tables
    store.upgrade()  # idempotent
    assert store.current_id() is None


def test_empty_store_loads_empty_frames(store: Store) -> None:
    assert_frames_equal(store.load(), {k: empty_frame(k) for k in COLUMNS})
    assert store.snapshots().empty
    assert list(store.snapshots().columns)[:9] == [
        "id",
        "created_at",
        "user",
        "source",
        "rows",
        "sha256",
        "note",
        "kind",
        "current",
    ]
    assert store.audit_log().empty


@pytest.mark.parametrize("path", ["typed", "conform-fallback"])
def test_publish_load_round_trip(store: Store, path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if path == "conform-fallback":  # as if DTYPES had a dtype the fast loader does not know
        monkeypatch.setattr(store_convert, "_typed_column", lambda col, name: None)
    frames = hand_made_frames()
    sid = store.publish(frames, user="analyst1", source="ไฟล์.xlsx", sha256="a" * 64, note="n")
    assert store.current_id() == sid
    got = store.load()
    assert_frames_equal(got, canonical(frames))
    assert_frames_equal({k: conform(v, k) for k, v in got.items()}, got)
    assert_frames_equal(store.load(sid), got)
    assert got["budget"]["disbursed"].tolist() == [4094769.47, 266500.0, 0.0]
    snaps = store.snapshots()
    row = snaps.iloc[0]
    assert (row["id"], row["user"], row["source"], row["rows"], row["kind"], row["current"]) == (
        sid,
        "analyst1",
        "ไฟล์.xlsx",
        3 + 2 + 2 + 3,
        "upload",
        True,
    )
    assert row["counts"] == {"directives": 3, "responses": 2, "kpis": 2, "budget": 3}
    assert str(snaps["created_at"].dt.tz) == "UTC"
    audit = store.audit_log()
    assert audit[["action", "user", "snapshot_id", "sha256"]].values.tolist() == [
        ["publish", "analyst1", sid, "a" * 64]
    ]
    assert json.loads(audit["counts"].iat[0])["directives"] == 3


@pytest.mark.parametrize(
    ("sha", "expected_id", "is_current"),
    [("b" * 64, 2, True), ("a" * 64, 1, False)],
    ids=["same-as-current", "same-as-earlier"],
)
def test_duplicate_sha256_refused(
    store: Store, sha: str, expected_id: int, is_current: bool
) -> None:
    first = store.publish(synthetic_frames(5, prefix="A"), user="u", source="a", sha256="a" * 64)
    second = store.publish(synthetic_frames(7, prefix="B"), user="u", source="b", sha256="b" * 64)
    assert (first, second) == (1, 2)
    with pytest.raises(DuplicateSnapshot) as err:
        store.publish(synthetic_frames(9, prefix="C"), user="u2", source="c.xlsx", sha256=sha)
    assert (err.value.snapshot_id, err.value.current) == (expected_id, is_current)
    assert f"#{expected_id}" in err.value.message_th
    assert f"#{expected_id}" in err.value.message_en
    assert store.current_id() == 2
    assert store.snapshots()["id"].tolist() == [1, 2]
    assert len(store.load()["directives"]) == 7
    last = store.audit_log().iloc[-1]
    assert (last["action"], last["user"], last["snapshot_id"], last["source"]) == (
        "publish_failed",
        "u2",
        expected_id,
        "c.xlsx",
    )
    assert "duplicate_snapshot" in last["message"]


def test_rollback_makes_earlier_current_and_keeps_rows(store: Store) -> None:
    a = synthetic_frames(4, prefix="A")
    b = synthetic_frames(6, prefix="B", seed=1)
    s1 = store.publish(a, user="u", source="a.xlsx", sha256="1" * 64)
    s2 = store.publish(b, user="u", source="b.xlsx", sha256="2" * 64)
    store.rollback(s1, user="admin")
    assert store.current_id() == s1
    assert_frames_equal(store.load(), canonical(a))
    assert_frames_equal(store.load(s2), canonical(b))  # never deleted
    assert store.snapshots()["current"].tolist() == [True, False]
    last = store.audit_log().iloc[-1]
    assert (last["action"], last["user"], last["snapshot_id"]) == ("rollback", "admin", s1)
    assert f"#{s2}" in last["message"]
    with pytest.raises(SnapshotNotFound):
        store.rollback(99, user="admin")
    with pytest.raises(SnapshotNotFound):
        store.load(99)
    assert store.current_id() == s1
    # Rolling back does not make the later bytes publishable again.
    with pytest.raises(DuplicateSnapshot) as err:
        store.publish(b, user="u", source="b.xlsx", sha256="2" * 64)
    assert (err.value.snapshot_id, err.value.current) == (s2, False)


def _diff_pair() -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    old = synthetic_frames(4, prefix="D")
    new = synthetic_frames(4, prefix="D")
    d = new["directives"]
    d = d[d["directive_id"] != "D-000001"].copy()  # removed
    d.loc[d["directive_id"] == "D-000002", "status"] = "done"
    d.loc[d["directive_id"] == "D-000003", "due_date"] = pd.Timestamp("2024-12-31")
    extra = canonical_frame(
        pd.DataFrame({"directive_id": ["D-000099"], "status": ["cannot"]}), "directives"
    )
    old["directives"].loc[old["directives"]["directive_id"] == "D-000002", "status"] = "cannot"
    new["directives"] = pd.concat([d, extra], ignore_index=True)
    new["budget"].loc[new["budget"]["budget_type"] == "operating", "disbursed"] = 5000000.0
    new["kpis"] = new["kpis"].iloc[:1].copy()  # KPI 1.2 removed
    new["kpis"].loc[0, "actual"] = 3.0
    return old, new


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ("directives_added", [("D-000099",)]),
        ("directives_removed", [("D-000001",)]),
        ("status_changed", [("D-000002", "cannot", "done")]),
        (
            "due_date_changed",
            [("D-000003", pd.Timestamp("2024-09-30"), pd.Timestamp("2024-12-31"))],
        ),
        ("kpis_changed", [("ตัวชี้วัดที่ 1.1-1", "changed", "actual"), ("ตัวชี้วัดที่ 1.2", "removed", "")]),
        ("budget_changed", [("operating", "changed", "disbursed")]),
    ],
)
def test_diff_between_snapshots(store: Store, part: str, expected: list[tuple]) -> None:
    old, new = _diff_pair()
    a = store.publish(old, user="u", source="old", sha256="o" * 64)
    b = store.publish(new, user="u", source="new", sha256="n" * 64)
    got = store.diff(a, b)
    assert set(got) == set(diff_frames(old, new))
    cols = {
        "directives_added": ["directive_id"],
        "directives_removed": ["directive_id"],
        "status_changed": ["directive_id", "status_old", "status_new"],
        "due_date_changed": ["directive_id", "due_date_old", "due_date_new"],
        "kpis_changed": ["kpi", "change", "columns"],
        "budget_changed": ["budget_type", "change", "columns"],
    }[part]
    assert [tuple(r) for r in got[part][cols].itertuples(index=False)] == expected
    # The pure function on unpublished frames gives the same answer (upload preview).
    pd.testing.assert_frame_equal(diff_frames(old, new)[part], got[part])


def test_diff_against_nothing_is_all_added() -> None:
    frames = synthetic_frames(3)
    got = diff_frames(None, frames)
    assert got["directives_added"]["directive_id"].tolist() == ["D-000001", "D-000002", "D-000003"]
    assert got["budget_changed"]["change"].tolist() == ["added"] * 3
    assert all(got[k].empty for k in ("directives_removed", "status_changed"))


def test_history_has_every_snapshot(store: Store) -> None:
    s1 = store.publish(synthetic_frames(3, prefix="A"), user="u", source="a", sha256="1" * 64)
    s2 = store.publish(synthetic_frames(5, prefix="B"), user="u", source="b", sha256="2" * 64)
    hist = store.history("directives")
    assert hist.groupby("snapshot_id").size().to_dict() == {s1: 3, s2: 5}
    assert list(hist.columns[:2]) == ["snapshot_id", "created_at"]
    assert str(hist["created_at"].dt.tz) == "UTC"
    assert list(hist.columns[2:]) == list(COLUMNS["directives"])
    slim = store.history("directives", columns=["directive_id", "status", "due_date"])
    assert list(slim.columns) == ["snapshot_id", "created_at", "directive_id", "status", "due_date"]
    assert isinstance(slim["status"].dtype, pd.CategoricalDtype)
    assert len(store.history("budget")) == 6


def test_audit_and_messages_hold_no_secrets(db_url: str) -> None:
    secret = "s3cr3t-pw"
    if db_url.startswith("sqlite"):
        url = db_url
        unreachable = "postgresql://postgres:s3cr3t-pw@127.0.0.1:1/test"
    else:  # the test server trusts local users, so a password in the URL is accepted
        url = db_url.replace("postgresql://postgres@", f"postgresql://postgres:{secret}@")
        unreachable = url.replace(":5432/", ":1/")
    with Store(url) as store:
        store.upgrade()
        store.publish(synthetic_frames(2), user="u", source="f.xlsx", sha256="c" * 64)
        with pytest.raises(DuplicateSnapshot):
            store.publish(synthetic_frames(2), user="u", source="f.xlsx", sha256="c" * 64)
        dumped = store.audit_log().to_json(date_format="iso") + store.snapshots().to_json(
            date_format="iso"
        )
    assert secret not in dumped
    bad = Store(unreachable, connect_timeout=2)
    with pytest.raises(StoreUnavailable) as err:
        bad.current_id()
    assert secret not in f"{err.value} {err.value.message_th} {err.value.detail} {bad.where}"


def test_publish_rejects_unknown_table_kind(store: Store) -> None:
    with pytest.raises(ValueError, match="directive"):
        store.publish({"directive": empty_frame("directives")}, user="u", source="s", sha256="x")
    assert store.current_id() is None


@pytest.mark.parametrize(
    ("given", "env", "driver", "database"),
    [
        ("postgresql://u@db.example/tracker", None, "postgresql+psycopg", "tracker"),
        ("postgres://u:pw@db.example:5433/t", None, "postgresql+psycopg", "t"),
        ("postgresql+psycopg://u@h/x", None, "postgresql+psycopg", "x"),
        ("sqlite:////tmp/x.sqlite", None, "sqlite", "/tmp/x.sqlite"),
        (None, "postgresql://u@envhost/envdb", "postgresql+psycopg", "envdb"),
        (None, None, "sqlite", str(DEFAULT_SQLITE_PATH)),
    ],
)
def test_resolve_url(
    monkeypatch: pytest.MonkeyPatch,
    given: str | None,
    env: str | None,
    driver: str,
    database: str,
) -> None:
    if env is None:
        monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("TRACKER_DATABASE_URL", env)
    url = resolve_url(given)
    assert (url.drivername, url.database) == (driver, database)
    if given is None and env is None:
        assert Path(database) == Path(__file__).resolve().parents[2] / "data" / "tracker.sqlite"
        Store().dispose()  # constructing creates the folder, connects nowhere
        assert Path(database).parent.is_dir()


def test_store_is_shared_across_threads(store: Store) -> None:
    """Streamlit serves sessions from threads: one Store must serve them all."""
    frames = synthetic_frames(200)
    sid = store.publish(frames, user="u", source="s", sha256="t" * 64)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: (store.current_id(), store.load()), range(8)))
    for current, loaded in results:
        assert current == sid
        assert_frames_equal(loaded, canonical(frames))


def test_load_keeps_row_order_whatever_the_physical_order(store: Store) -> None:
    frames = synthetic_frames(300)
    sid = store.publish(frames, user="u", source="s", sha256="p" * 64)
    q = store.engine.dialect.identifier_preparer.quote
    cols = ", ".join(q(c) for c in ["seq", *COLUMNS["directives"]])
    with store.engine.begin() as conn:  # a copy stored in reverse physical order
        conn.exec_driver_sql(
            'INSERT INTO snapshots (id, created_at, "user", source, sha256, note, kind, rows, '
            "counts) SELECT 99, created_at, \"user\", source, 'copy', note, kind, rows, counts "
            f"FROM snapshots WHERE id = {sid}"
        )
        conn.exec_driver_sql(
            f"INSERT INTO directives (snapshot_id, {cols}) SELECT 99, {cols} FROM directives "
            f"WHERE snapshot_id = {sid} ORDER BY seq DESC"
        )
        conn.exec_driver_sql(
            "INSERT INTO snapshot_parts (snapshot_id, kind, position, part_id, rows) "
            "VALUES (99, 'directives', 0, 99, 300)"
        )
    got = store.load(99)["directives"]
    pd.testing.assert_frame_equal(got, canonical(frames)["directives"])
    hist = store.history("directives", columns=["directive_id"])
    assert hist["snapshot_id"].tolist() == [sid] * 300 + [99] * 300
    assert hist["directive_id"].tolist() == frames["directives"]["directive_id"].tolist() * 2
