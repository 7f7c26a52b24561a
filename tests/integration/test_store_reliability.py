"""Nothing published is lost: killed writers, concurrent writers, a full disk, no database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import event, text

from tests.conftest import synthetic_frames
from tracker.dataset import COLUMNS
from tracker.store import Store, StoreBusy, StoreFull, StoreUnavailable
from tracker.store.diff import canonical_frame

ROOT = Path(__file__).resolve().parents[2]

# A child process that publishes `n` synthetic directives. It prints READY when the data is
# built (then, if asked, waits for a line on stdin: the starting gun), LOCKED right after its
# snapshot row is inserted (it then holds the write lock and sleeps `pause` s), ROWS when the
# bulk insert of directives starts, and a JSON result line.
CHILD = r"""
import json, sys, time
from sqlalchemy import event
from tests.conftest import synthetic_frames
from tracker.store import Store, StoreError

url, n, prefix, sha = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
pause, busy, wait_go = float(sys.argv[5]), float(sys.argv[6]), sys.argv[7] == "1"
frames = synthetic_frames(n, prefix=prefix)
store = Store(url, busy_timeout=busy)

@event.listens_for(store.engine, "after_cursor_execute")
def _locked(conn, cursor, statement, params, context, executemany):
    if statement.lstrip().upper().startswith("INSERT INTO SNAPSHOTS"):
        print("LOCKED", flush=True)
        time.sleep(pause)

bulk_insert = Store._bulk_insert
def traced(self, conn, kind, df, sid):
    if kind == "directives":
        print("ROWS", flush=True)
    return bulk_insert(self, conn, kind, df, sid)
Store._bulk_insert = traced

print("READY", flush=True)
if wait_go:
    sys.stdin.readline()
try:
    sid = store.publish(frames, user=prefix, source=prefix + ".xlsx", sha256=sha)
    print(json.dumps({"ok": sid}), flush=True)
except StoreError as err:
    print(json.dumps({"error": err.code}), flush=True)
"""


def spawn(
    url: str,
    n: int,
    prefix: str,
    sha: str,
    *,
    pause: float = 0.0,
    busy: float = 10.0,
    wait_go: bool = False,
) -> subprocess.Popen:
    """Start a publishing child (see CHILD)."""
    args = [url, n, prefix, sha, pause, busy, int(wait_go)]
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, *map(str, args)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(child: subprocess.Popen, marker: str, timeout: float = 30.0) -> list[str]:
    """Read the child's lines until ``marker``; fail with its stderr if it never comes."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line:
            break
        seen.append(line.strip())
        if line.strip() == marker:
            return seen
    child.kill()
    pytest.fail(f"child never printed {marker}: {seen} {child.stderr.read()[-2000:]}")


def result_of(child: subprocess.Popen, timeout: float = 60.0) -> dict:
    """The child's JSON result line."""
    out, err = child.communicate(timeout=timeout)
    lines = [ln for ln in out.splitlines() if ln.startswith("{")]
    assert child.returncode == 0 and lines, err[-2000:]
    return json.loads(lines[-1])


def assert_consistent(store: Store) -> None:
    """Every snapshot holds exactly the rows it declares, all from one publisher."""
    for _, snap in store.snapshots().iterrows():
        frames = store.load(int(snap["id"]))
        assert {k: len(v) for k, v in frames.items()} == snap["counts"], snap["id"]
        prefixes = set(frames["directives"]["directive_id"].str.split("-").str[0])
        assert prefixes <= {snap["user"]}, (snap["id"], prefixes)


def assert_frames_equal(got: dict[str, pd.DataFrame], want: dict[str, pd.DataFrame]) -> None:
    for kind in COLUMNS:
        pd.testing.assert_frame_equal(got[kind], canonical_frame(want[kind], kind), obj=kind)


def test_killed_mid_publish_keeps_old_snapshot(store: Store, db_url: str) -> None:
    old = synthetic_frames(50, prefix="OLD")
    old_id = store.publish(old, user="OLD", source="old.xlsx", sha256="0" * 64)
    child = spawn(db_url, 100_000, "BIG", "1" * 64)
    seen = wait_for(child, "ROWS")
    time.sleep(0.3)  # let the bulk insert of directives get going
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert not any(s.startswith("{") for s in seen)  # it never finished
    assert store.current_id() == old_id
    assert store.snapshots()["id"].tolist() == [old_id]
    assert_frames_equal(store.load(), old)
    new = synthetic_frames(20, prefix="NEW")
    new_id = store.publish(new, user="NEW", source="new.xlsx", sha256="2" * 64)
    assert store.current_id() == new_id
    assert_frames_equal(store.load(), new)
    assert_consistent(store)


def test_two_publishers_at_once_never_mix(store: Store, db_url: str) -> None:
    children = [
        spawn(db_url, 20_000, prefix, sha * 64, wait_go=True)
        for prefix, sha in (("ALPHA", "a"), ("BETA", "b"))
    ]
    for child in children:
        wait_for(child, "READY")
    for child in children:  # start both as close together as we can
        child.stdin.write("go\n")
        child.stdin.flush()
    results = [result_of(c) for c in children]
    assert all(r in ({"error": "store_busy"},) or "ok" in r for r in results), results
    ok_ids = sorted(r["ok"] for r in results if "ok" in r)
    assert ok_ids  # at least one got through
    snaps = store.snapshots()
    assert snaps["id"].tolist() == ok_ids
    assert store.current_id() == ok_ids[-1]  # the later commit is current
    assert_consistent(store)
    assert (snaps["counts"].map(lambda c: c["directives"]) == 20_000).all()


def test_busy_publisher_gets_try_again(store: Store, db_url: str) -> None:
    child = spawn(db_url, 1_000, "HOLDER", "h" * 64, pause=2.5)
    wait_for(child, "LOCKED")  # the child holds the write lock for 2.5 s
    impatient = Store(db_url, busy_timeout=0.5)
    t0 = time.monotonic()
    with pytest.raises(StoreBusy) as err:
        impatient.publish(
            synthetic_frames(10, prefix="LATE"), user="LATE", source="late", sha256="l" * 64
        )
    assert time.monotonic() - t0 < 2.4  # refused, not queued behind the holder
    assert "ลองใหม่" in err.value.message_th and "try again" in err.value.message_en
    impatient.dispose()
    assert "ok" in result_of(child)
    assert store.snapshots()["user"].tolist() == ["HOLDER"]
    late = store.publish(
        synthetic_frames(10, prefix="LATE"), user="LATE", source="late", sha256="l" * 64
    )  # the retry works
    assert store.current_id() == late
    assert_consistent(store)


def _limit_sqlite_pages(store: Store, db_url: str) -> Store:
    """A second Store on the same file whose connections may grow it by a few pages only."""
    with store.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    limited = Store(db_url)

    @event.listens_for(limited.engine, "connect")
    def _limit(dbapi_conn, _record):
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 8}")

    return limited


def _fail_postgres_with_disk_full(store: Store, db_url: str) -> Store:
    """PostgreSQL has no page cap: a trigger raises SQLSTATE 53100 (disk_full) mid-COPY."""
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE FUNCTION fake_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN IF NEW.seq >= 5000 THEN RAISE EXCEPTION 'could not extend file: "
                "No space left on device' USING ERRCODE = 'disk_full'; END IF; RETURN NEW; END $$"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER disk_full BEFORE INSERT ON directives "
                "FOR EACH ROW EXECUTE FUNCTION fake_disk_full()"
            )
        )
    return Store(db_url)


def _undo_postgres_disk_full(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER disk_full ON directives"))


FULL_DISK: dict[str, tuple[Callable, Callable]] = {
    "sqlite": (_limit_sqlite_pages, lambda store: None),
    "postgresql": (_fail_postgres_with_disk_full, _undo_postgres_disk_full),
}


def test_full_disk_refuses_publish_and_keeps_old_data(store: Store, db_url: str) -> None:
    old = synthetic_frames(30, prefix="OLD")
    old_id = store.publish(old, user="OLD", source="old.xlsx", sha256="0" * 64)
    make_full, undo = FULL_DISK[store.dialect]
    full = make_full(store, db_url)
    with pytest.raises(StoreFull) as err:
        full.publish(
            synthetic_frames(20_000, prefix="BIG"), user="BIG", source="big.xlsx", sha256="1" * 64
        )
    full.dispose()
    assert "เต็ม" in err.value.message_th and "full" in err.value.message_en
    assert store.current_id() == old_id
    assert store.snapshots()["id"].tolist() == [old_id]
    assert_frames_equal(store.load(), old)
    undo(store)
    assert (
        store.publish(
            synthetic_frames(20_000, prefix="BIG"), user="BIG", source="big.xlsx", sha256="1" * 64
        )
        > old_id
    )
    assert_consistent(store)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("operation", ["upgrade", "current_id", "load", "snapshots", "publish"])
def test_unreachable_database_is_reported_quickly(
    tmp_path: Path, backend: str, operation: str
) -> None:
    if backend == "sqlite":
        (tmp_path / "a_file").write_text("not a folder")
        url = f"sqlite:///{tmp_path / 'a_file' / 'tracker.sqlite'}"
    else:
        url = "postgresql://postgres@127.0.0.1:1/test"  # nothing listens on port 1
    store = Store(url, connect_timeout=2)
    calls = {
        "upgrade": store.upgrade,
        "current_id": store.current_id,
        "load": store.load,
        "snapshots": store.snapshots,
        "publish": lambda: store.publish(
            synthetic_frames(3), user="u", source="s", sha256="x" * 64
        ),
    }
    t0 = time.monotonic()
    with pytest.raises(StoreUnavailable) as err:
        calls[operation]()
    assert time.monotonic() - t0 < 10  # bounded by connect_timeout, never a hang
    assert "เชื่อมต่อฐานข้อมูล" in err.value.message_th
    assert "Cannot reach the database" in err.value.message_en


# A child that composes 100,000 new directives over the current snapshot and publishes only
# them (a scoped publish); prints ROWS when the bulk insert starts.
SCOPED_CHILD = r"""
import sys
from tests.conftest import synthetic_frames
from tracker.publish.compose import compose
from tracker.store import Store

url = sys.argv[1]
store = Store(url)
current = store.load()
upload = synthetic_frames(100_000, prefix="BIG")["directives"]
comp = compose(current, {"directives": upload})
bulk_insert = Store._bulk_insert
def traced(self, conn, kind, df, sid):
    if kind == "directives":
        print("ROWS", flush=True)
    return bulk_insert(self, conn, kind, df, sid)
Store._bulk_insert = traced
store.publish_changes(comp, base_id=store.current_id(), user="BIG", source="b", sha256="3" * 64)
print("{}", flush=True)
"""


def test_killed_mid_scoped_publish_keeps_the_previous_snapshot_whole(store: Store, db_url: str):
    old = synthetic_frames(50, prefix="OLD")
    old_id = store.publish(old, user="OLD", source="old.xlsx", sha256="0" * 64)
    parts_before = store.provenance(old_id)
    child = subprocess.Popen(
        [sys.executable, "-c", SCOPED_CHILD, db_url],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = wait_for(child, "ROWS", timeout=60)
    time.sleep(0.3)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert not any(s.startswith("{") for s in seen)
    assert store.current_id() == old_id
    assert store.snapshots()["id"].tolist() == [old_id]
    assert_frames_equal(store.load(), old)
    pd.testing.assert_frame_equal(store.provenance(old_id), parts_before)
    with store.engine.connect() as conn:  # no row of the killed publish survived
        for kind in COLUMNS:
            n = conn.exec_driver_sql(f"SELECT COUNT(*) FROM {kind} WHERE snapshot_id <> {old_id}")
            assert n.scalar() == 0, kind
