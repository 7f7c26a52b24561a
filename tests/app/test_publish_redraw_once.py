"""After a publish every open page redraws at once (ui/freshness.py): the new snapshot is read
from the store once per process (``data._load_snapshot``) and its days to done computed once
(``ui.time_to_done.timed``), the other pages waiting for and reusing them (issue 20: fifty pages
loading a million directives each would not be shown within 10 s)."""

from __future__ import annotations

import threading
import time

import pytest

from tests.conftest import synthetic_frames
from tracker.metrics import time_to_done as ttd
from tracker.store import Store
from ui import data
from ui import time_to_done as ui_ttd

PAGES = 12


def together(work) -> list:  # type: ignore[no-untyped-def]
    """``work()`` in PAGES threads started at the same moment; their results."""
    start = threading.Barrier(PAGES)
    out: list = [None] * PAGES
    errors: list[BaseException] = []

    def one(i: int) -> None:
        start.wait()
        try:
            out[i] = work()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(PAGES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return out


@pytest.fixture
def published(tmp_path, monkeypatch) -> int:
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'tracker.sqlite'}")
    monkeypatch.setenv("TRACKER_TODAY", "2024-10-15")
    store = data.store()
    return store.publish(synthetic_frames(40), user="t", source="a.xlsx", sha256="a")


def test_a_new_snapshot_is_loaded_once_for_every_page(published, monkeypatch):
    calls: list[int] = []
    real = Store.load_slim

    def slow(self: Store, snapshot_id: int | None = None, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(int(snapshot_id or 0))
        time.sleep(0.3)  # a big snapshot: every page asks while the first read goes on
        return real(self, snapshot_id, *args, **kwargs)

    monkeypatch.setattr(Store, "load_slim", slow)
    url = data.database_url()
    loaded = together(lambda: data._load_snapshot(url, published))
    assert calls == [published]
    assert all(one is loaded[0] for one in loaded)  # one object shared by every page
    assert len(loaded[0].dataset.directives) == 40


def test_the_days_to_done_are_computed_once_for_every_page(published, monkeypatch):
    loaded = data._load_snapshot(data.database_url(), published)
    ui_ttd._memo().clear()
    calls: list[int] = []
    real = ttd.durations

    def slow(directives, responses, today):  # type: ignore[no-untyped-def]
        calls.append(len(directives))
        time.sleep(0.3)
        return real(directives, responses, today)

    monkeypatch.setattr(ttd, "durations", slow)
    view = loaded.dataset.directives
    frames = together(lambda: ui_ttd.timed(loaded, view).frame)
    assert calls == [40]
    for frame in frames[1:]:
        assert frame.equals(frames[0])
    ui_ttd._memo().clear()
