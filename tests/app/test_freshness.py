"""The open pages' poll of the current snapshot id (ui/freshness.py) costs one database read a
second per process, whatever the number of pages, on a real store; the browser side (a page
on another server following a publish) is tests/e2e/test_two_servers.py."""

from __future__ import annotations

import time

import pytest

from tests.conftest import synthetic_frames
from tracker.store import Store, StoreUnavailable
from ui import data, freshness


@pytest.fixture
def reads(tmp_path, monkeypatch) -> list[int | None]:
    """A fresh SQLite store as the app's database; every read of the current id is recorded."""
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'tracker.sqlite'}")
    freshness._last.clear()
    seen: list[int | None] = []
    real = Store.current_id

    def counted(self: Store) -> int | None:
        seen.append(real(self))
        return seen[-1]

    monkeypatch.setattr(Store, "current_id", counted)
    yield seen
    freshness._last.clear()


def test_fifty_pages_polling_share_one_read(reads):
    store = data.store()
    assert [freshness.current_id() for _ in range(50)] == [None] * 50
    assert len(reads) == 1
    sid = store.publish(synthetic_frames(5), user="t", source="a.xlsx", sha256="a")
    assert freshness.current_id() is None  # within the shared second: the same answer
    time.sleep(freshness.SHARED_SECONDS)
    assert [freshness.current_id() for _ in range(50)] == [sid] * 50
    assert len(reads) == 2
    assert freshness.current_id(0) == sid and len(reads) == 3  # the shell's fresh read


def test_a_database_failure_is_shared_too(reads, monkeypatch):
    calls = []

    def down(self: Store) -> int | None:
        calls.append(1)
        raise StoreUnavailable("PostgreSQL db:5432/tracker", detail="connection refused")

    monkeypatch.setattr(Store, "current_id", down)
    for _ in range(20):
        with pytest.raises(StoreUnavailable):
            freshness.current_id()
    assert len(calls) == 1  # twenty pages, one attempt (each may wait a connect timeout)


def test_a_new_snapshot_is_loaded_as_soon_as_the_process_sees_it(reads, monkeypatch):
    """The first poll that sees another snapshot starts loading it in the background (once),
    so open pages need not each wait a poll interval and then the load."""
    store = data.store()
    first = store.publish(synthetic_frames(5), user="t", source="a.xlsx", sha256="a")
    loads: list[int] = []
    real = data._load_snapshot

    def counted(url: str, snapshot_id: int):
        loads.append(snapshot_id)
        return real(url, snapshot_id)

    monkeypatch.setattr(data, "_load_snapshot", counted)
    assert freshness.current_id(0) == first
    assert loads == []  # the first id a process sees: its pages load it themselves
    second = store.publish(synthetic_frames(7), user="t", source="b.xlsx", sha256="b")
    assert freshness.current_id(0) == second
    deadline = time.monotonic() + 30
    while not loads and time.monotonic() < deadline:
        time.sleep(0.05)
    assert loads == [second]
    assert freshness.current_id(0) == second and loads == [second]  # not again
