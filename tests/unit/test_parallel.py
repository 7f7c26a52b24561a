"""The shared column thread pool: same results as a plain loop, in order, never nested."""

from __future__ import annotations

import threading

import pytest

from tracker import parallel


def test_parallel_map_keeps_order_and_uses_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_THREADS", "2")
    names: set[str] = set()

    def square(x: int) -> int:
        names.add(threading.current_thread().name)
        return x * x

    assert parallel.parallel_map(square, range(20)) == [x * x for x in range(20)]
    assert any(name.startswith("tracker-columns") for name in names)


def test_one_thread_setting_runs_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_THREADS", "1")
    assert parallel.workers() == 1
    seen = parallel.parallel_map(lambda _: threading.current_thread().name, range(3))
    assert seen == [threading.current_thread().name] * 3


@pytest.mark.parametrize(("setting", "expected"), [("3", 3), ("", None), (" ", None)])
def test_workers_setting(monkeypatch: pytest.MonkeyPatch, setting: str, expected) -> None:
    monkeypatch.setenv("TRACKER_THREADS", setting)
    n = parallel.workers()
    assert n == expected if expected else 1 <= n <= 4


@pytest.mark.parametrize("setting", ["0", "x", "-2", "1.5"])
def test_an_unusable_threads_setting_is_an_error_naming_it(monkeypatch, setting) -> None:
    import settings

    monkeypatch.setenv("TRACKER_THREADS", setting)
    with pytest.raises(settings.SettingError) as err:
        parallel.workers()
    assert "TRACKER_THREADS" in err.value.message_en and "TRACKER_THREADS" in err.value.message_th


def test_nested_calls_run_inline_instead_of_waiting_on_a_full_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRACKER_THREADS", "2")

    def outer(x: int) -> list[int]:
        return parallel.parallel_map(lambda y: x * 10 + y, range(3))

    # 4 outer tasks on 2 threads, each mapping again: a nested submit could deadlock
    assert parallel.parallel_map(outer, range(4)) == [
        [x * 10 + y for y in range(3)] for x in range(4)
    ]


def test_in_background_returns_results_later_and_reraises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_THREADS", "2")
    release = threading.Event()

    def slow(x: int) -> int:
        release.wait(5)
        return x + 1

    pending = parallel.in_background(slow, [1, 2, 3])
    release.set()  # the caller got control back before the work finished
    assert pending() == [2, 3, 4]

    def boom(x: int) -> int:
        raise ValueError(f"bad {x}")

    with pytest.raises(ValueError, match="bad 1"):
        parallel.in_background(boom, [1])()
