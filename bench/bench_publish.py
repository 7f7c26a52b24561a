"""Benchmark a scoped publish: 1,000 changed directives into a current snapshot of 100,000.

Run: ``.venv/bin/python bench/bench_publish.py [--rows N] [--changed N] [--pg URL]``.
SQLite runs in a temporary file, PostgreSQL in a fresh schema of ``--pg`` (default
$TRACKER_BENCH_PG_URL, else postgresql://postgres@127.0.0.1:5432/test), dropped afterwards.

Per backend it prints, beside the targets of issue 12:
- ``publish_s``: compose the next snapshot from the current one (already in memory, as the
  app holds it) plus the changed rows, and write it (store.publish_changes): ≤ 1 s;
- ``growth_pct``: database size added by that publish, as % of what the first full publish
  added: ≤ 5 %;
- for information: the first full publish, loading the current snapshot (the command line
  does this before composing), and the load of the new snapshot (made of two parts).
Each figure is the median of ``--repeat`` publishes (each changes other directives).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


from bench.bench_store import directives, fresh_schema  # noqa: E402
from tracker.publish.compose import compose  # noqa: E402
from tracker.store import Store  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
TARGETS = {"publish_s": 1.0, "growth_pct": 5.0}


def db_size(store: Store) -> int:
    """Bytes the database takes: the SQLite file after a checkpoint, or the schema's
    tables with their indexes and TOAST on PostgreSQL."""
    with store.engine.connect() as conn:
        if store.dialect == "sqlite":
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
            size = conn.exec_driver_sql("PRAGMA page_size").scalar()
            return int(pages) * int(size)
        return int(
            conn.exec_driver_sql(
                "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            ).scalar()
        )


def measure(url: str, rows: int, changed: int, repeat: int) -> dict[str, float]:
    store = Store(url)
    try:
        store.upgrade()
        empty = db_size(store)
        frames = {"directives": directives(rows)}
        t0 = time.perf_counter()
        store.publish(frames, user="bench", source="full.xlsx", sha256=uuid.uuid4().hex * 2)
        full_s = time.perf_counter() - t0
        full = db_size(store) - empty
        publish, growth, loads, reloads = [], [], [], []
        for r in range(repeat):
            t0 = time.perf_counter()
            current = store.load()
            loads.append(time.perf_counter() - t0)
            base = store.current_id()
            d = current["directives"]
            upload = d.iloc[r * changed : (r + 1) * changed].copy()
            upload["status"] = "done"
            upload["detail"] = f"ปรับปรุงรอบ {r + 1}"
            before = db_size(store)
            t0 = time.perf_counter()
            comp = compose(current, {"directives": upload})
            sid = store.publish_changes(
                comp, base_id=base, user="bench", source="changes.xlsx", sha256=uuid.uuid4().hex * 2
            )
            publish.append(time.perf_counter() - t0)
            growth.append(100 * (db_size(store) - before) / full)
            t0 = time.perf_counter()
            loaded = store.load(sid)
            reloads.append(time.perf_counter() - t0)
            assert len(loaded["directives"]) == rows
            assert comp.changes["directives"].changed == changed
    finally:
        store.dispose()
    return {
        "publish_s": round(statistics.median(publish), 3),
        "growth_pct": round(statistics.median(growth), 2),
        "full_publish_s": round(full_s, 2),
        "full_publish_mb": round(full / 1e6, 1),
        "load_current_s": round(statistics.median(loads), 3),
        "load_after_s": round(statistics.median(reloads), 3),
    }


def run_sqlite(rows: int, changed: int, repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        return measure(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", rows, changed, repeat)


def run_postgresql(rows: int, changed: int, repeat: int, pg: str) -> dict[str, float]:
    with fresh_schema(pg, "bench_publish") as url:
        return measure(url, rows, changed, repeat)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--changed", type=int, default=1_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pg", default=os.environ.get("TRACKER_BENCH_PG_URL", DEFAULT_PG))
    args = ap.parse_args(argv)
    print(
        f"scoped publish: {args.changed:,} changed directives into {args.rows:,}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, "
        f"{datetime.now(UTC).isoformat(timespec='seconds')}"
    )
    runs: list[tuple[str, Callable[[], dict[str, float]]]] = [
        ("sqlite", lambda: run_sqlite(args.rows, args.changed, args.repeat)),
        ("postgresql", lambda: run_postgresql(args.rows, args.changed, args.repeat, args.pg)),
    ]
    failed = False
    for backend, run in runs:
        figures = run()
        for metric, value in figures.items():
            target = TARGETS.get(metric)
            verdict = ""
            if target is not None:
                ok = value <= target
                failed |= not ok
                verdict = f"≤ {target:g}  {'ok' if ok else 'OVER'}"
            print(f"{backend:<11} {metric:<16} {value:>9}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
