"""Issue 18's trend over snapshots (the Directives page, "by snapshot"): what one snapshot
costs the first time (its days to done, then kept per snapshot id) and what a filter change
costs over the kept snapshots, for 100,000 directives and 500,000 responses per snapshot.

Run: ``python bench/bench_snapshot_trend.py [--directives N] [--responses M] [--snapshots S]``.
Uses bench_time_to_done's generated frames (each snapshot the same register with a later
publish date); the store's own load of a snapshot is timed by bench/bench_store.py.

  per snapshot   ``periods.timed_snapshot`` once (days to done as of its date), and the
                 memory of the frame kept for it
  filter change  ``periods.over_snapshots`` over S kept snapshots: no filter, one unit, a
                 zone and a group
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from bench_time_to_done import frames  # noqa: E402

from tracker.metrics import periods  # noqa: E402
from tracker.metrics.directives import Filters  # noqa: E402


def _ms(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--directives", type=int, default=100_000)
    ap.add_argument("--responses", type=int, default=500_000)
    ap.add_argument("--snapshots", type=int, default=24)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    directives, responses = frames(a.directives, a.responses)
    first = date(2024, 1, 15)
    one = _ms(lambda: periods.timed_snapshot(directives, responses, first), a.repeat)
    kept = {
        sid: (
            first + timedelta(days=14 * sid),
            periods.timed_snapshot(directives, responses, first + timedelta(days=14 * sid)),
        )
        for sid in range(a.snapshots)
    }
    mb = kept[0][1].memory_usage(deep=True).sum() / 2**20
    unit = str(directives["agency"].iloc[0])
    group = str(directives["group"].iloc[0])
    print(f"{a.directives:,} directives, {a.responses:,} responses, {a.snapshots} snapshots")
    print(f"per snapshot (first time): {one:,.0f} ms; kept frame {mb:,.1f} MB")
    for name, f in (
        ("no filter", Filters()),
        ("one unit", Filters(agency=(unit,))),
        ("zone + group", Filters(zone=("กรุงเทพกลาง",), group=(group,))),
    ):
        ms = _ms(lambda f=f: periods.over_snapshots(kept, f), a.repeat)
        print(f"filter change, {name}: {ms:,.0f} ms over {a.snapshots} snapshots")


if __name__ == "__main__":
    main()
