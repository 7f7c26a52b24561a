"""The write side of ``tracker import`` alone: compare (compose + preview diff) and publish of
an already-read dataset, first into an empty database, then again with one changed cell (the
weekly update), with the time and the peak memory each step adds.

Run: ``.venv/bin/python bench/bench_write.py --workbook /tmp/h5/m1.xlsx [--pg URL]``.

The workbook is read once (as ``tracker import`` reads it) and its frames are cached beside it
(``<workbook>.frames.pkl``), so the write side can be measured again without the read. Memory
is this process's RSS sampled every 0.05 s; "added" is the peak above the RSS before the step.
CPU is this process's user + system time, the figure least moved by other work on the machine.
SQLite runs in a temporary file; PostgreSQL (``--pg``, an existing database) in a fresh schema
dropped afterwards. The load average is printed beside each figure: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from tracker.dataset import Dataset  # noqa: E402
from tracker.publish import flow  # noqa: E402
from tracker.store import Store  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measured(label: str, fn: Callable[[], Any]) -> Any:
    """Run ``fn`` with its wall time and the peak RSS it adds; print one line."""
    before, peak, done = rss_mb(), [0.0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb())
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        return fn()
    finally:
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        done.set()
        sampler.join()
        print(
            f"  {label:34} {wall:7.2f} s (CPU {cpu:6.2f} s)   RSS {before:6.0f} → peak {max(peak[0], rss_mb()):6.0f} MB"
            f" (+{max(peak[0], rss_mb()) - before:5.0f})   load {os.getloadavg()[0]:.1f}",
            flush=True,
        )


def frames_of(workbook: Path) -> dict[str, pd.DataFrame]:
    cache = workbook.with_name(workbook.name + ".frames.pkl")
    if cache.exists() and cache.stat().st_mtime > workbook.stat().st_mtime:
        with cache.open("rb") as fh:
            return pickle.load(fh)
    prepared = flow.prepare([(workbook.name, workbook.read_bytes())], extensions=None)
    if prepared.unreadable or prepared.has_errors:
        raise SystemExit(f"{workbook}: {prepared.blockers()} (TRACKER_MAX_FILE_MB=400?)")
    frames = prepared.dataset.frames()
    with cache.open("wb") as fh:
        pickle.dump(frames, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return frames


def one_cell_changed(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    out = dict(frames)
    d = frames["directives"].copy()
    d.loc[len(d) // 2, "text"] = f"{d.loc[len(d) // 2, 'text']} (แก้ไข)"
    out["directives"] = d
    return out


def run(url: str, frames: dict[str, pd.DataFrame], label: str) -> None:
    print(f"{label}: {sum(len(f) for f in frames.values()):,} rows", flush=True)
    store = Store(url)
    store.upgrade()
    for step, data, sha in (
        ("fresh", frames, "a" * 64),
        ("one cell changed", one_cell_changed(frames), "b" * 64),
    ):
        prepared = flow.Prepared([], Dataset(**data), [], sha, f"{step}.xlsx")
        prepared.files = [flow.FileInfo(f"{step}.xlsx", 1, sha)]
        measured(f"{step}: compare", lambda p=prepared: flow.compare(p, store))  # type: ignore[misc]
        sid = measured(
            f"{step}: publish",
            lambda p=prepared: flow.publish(p, store, "bench", kind="import", rebase=True),  # type: ignore[misc]
        )
        assert prepared.composition is not None
        print(f"    snapshot #{sid}: {prepared.composition.counts}", flush=True)
        del prepared
    store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workbook", type=Path, required=True)
    parser.add_argument("--pg", help="PostgreSQL URL of an existing database")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    frames = measured("read (or cached frames)", lambda: frames_of(args.workbook))
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="bench-write-") as tmp:
            run(f"sqlite:///{tmp}/w.db", frames, "SQLite")
    if args.pg:
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.pg, autocommit=True) as c:
            c.execute(f"CREATE SCHEMA {schema}")
        try:
            sep = "&" if "?" in args.pg else "?"
            run(f"{args.pg}{sep}options=-csearch_path%3D{schema}", frames, "PostgreSQL")
        finally:
            with psycopg.connect(args.pg, autocommit=True) as c:
                c.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
