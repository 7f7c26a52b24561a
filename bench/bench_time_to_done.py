"""Issue 18's speed target: every time-to-done figure for 100,000 directives and 500,000 Forms
responses within 300 ms after a filter change (the frames already in memory, as the app holds
them).

Run: ``python bench/bench_time_to_done.py [--directives N] [--responses M] [--repeat R]``.
Builds canonical frames in memory (31 units: 25 district offices and 6 departments, 10 groups,
5 factors, 2 fiscal years × 2 rounds, about 5 responses per directive) and times, medians of
``--repeat`` runs:

  days      the days per directive (``durations``: once per snapshot and today; cached)
  filter    after a filter change: the filter, the view's days, the Overview's card and
            ranking, the figures of all six groupings and the curves of one (the page's select)
  cold      both together, as if nothing were cached
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tracker.dataset import conform  # noqa: E402
from tracker.metrics import directives as metrics  # noqa: E402
from tracker.metrics import time_to_done as ttd  # noqa: E402
from tracker.places import districts  # noqa: E402
from tracker.schema import DEFAULT_GROUPS_TH, FACTOR_COLUMNS, STATUSES  # noqa: E402

TODAY = date(2024, 10, 15)
TARGET_MS = 300.0


def frames(n: int, m: int, seed: int = 18) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    d = districts().head(25)
    units = [f"สำนักงานเขต{x}" for x in d["name_th"]] + [
        "สำนักการโยธา",
        "สำนักการระบายน้ำ",
        "สำนักสิ่งแวดล้อม",
        "สำนักการคลัง",
        "สำนักเทศกิจ",
        "สำนักอนามัย",
    ]
    codes = [*d["code"], *[None] * 6]
    unit = rng.integers(0, len(units), n)
    fy = rng.choice([2566, 2567], n)
    rnd = rng.integers(1, 3, n)
    start = pd.Timestamp("2022-10-01") + pd.to_timedelta((fy - 2566) * 365 + (rnd - 1) * 180, "D")
    issued = start + pd.to_timedelta(rng.integers(0, 90, n), "D")
    ids = np.array([f"{y}-{r}-{i:06d}" for i, (y, r) in enumerate(zip(fy, rnd, strict=True))])
    register = pd.DataFrame(
        {
            "directive_id": ids,
            "fiscal_year": fy,
            "round": rnd,
            "issued_date": issued,
            "agency": np.array(units, dtype=object)[unit],
            "district_code": np.array(codes, dtype=object)[unit],
            "text": "ข้อสั่งการ",
            "group": np.array(DEFAULT_GROUPS_TH, dtype=object)[rng.integers(0, 10, n)],
            **{c: rng.random(n) < 0.3 for c in FACTOR_COLUMNS},
            "status": np.array(STATUSES, dtype=object)[rng.integers(0, 4, n)],
            "source": "bench.xlsx",
            "sheet": "ทะเบียน",
            "row": np.arange(n) + 2,
        }
    )
    who = rng.integers(0, n, m)
    when = issued.to_numpy()[who] + pd.to_timedelta(rng.integers(0, 400 * 86_400, m), "s")
    responses = pd.DataFrame(
        {
            "submitted_at": when,
            "directive_id": ids[who],
            "status": np.array(STATUSES[:3], dtype=object)[rng.integers(0, 3, m)],
            "source": "forms.xlsx",
            "sheet": "การตอบแบบฟอร์ม",
            "row": np.arange(m) + 2,
        }
    )
    return conform(register, "directives"), conform(responses, "responses")


def after_filter(directives: pd.DataFrame, found: ttd.Durations, f: metrics.Filters) -> int:
    """What the pages compute from the cached days after a filter change."""
    view = metrics.apply_filters(directives, f)
    frame = found.frame if len(view) == len(directives) else found.frame.loc[view.index]
    timed = view.assign(**{ttd.DAYS: frame[ttd.DAYS], ttd.DONE: frame[ttd.DONE]})
    ttd.overall(timed)
    ttd.ranking(timed, "agency")
    for by in ttd.GROUPINGS:
        ttd.figures(timed, by)
    ttd.curves(timed, "agency")
    return len(view)


def _ms(fn, repeat: int) -> tuple[float, list[float], object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(1000 * (time.perf_counter() - t0))
    return statistics.median(times), times, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--directives", type=int, default=100_000)
    ap.add_argument("--responses", type=int, default=500_000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    print(
        f"time to done; {platform.machine()}, {platform.python_version()}, pandas "
        f"{pd.__version__}, numpy {np.__version__}"
    )
    directives, responses = frames(args.directives, args.responses)
    print(f"{len(directives):,} directives, {len(responses):,} responses")
    ttd.with_durations(directives.head(100), responses.head(100), TODAY)  # imports, caches
    days_ms, _, found = _ms(lambda: ttd.durations(directives, responses, TODAY), args.repeat)
    print(f"days per directive (once per snapshot): {days_ms:7.1f} ms")
    worst = 0.0
    views = {
        "no filter": metrics.Filters(),
        "fiscal year 2567": metrics.Filters(fiscal_year=(2567,)),
        "zone กรุงเทพใต้": metrics.Filters(zone=("กรุงเทพใต้",)),
        "factor budget + round 2": metrics.Filters(factor=("budget",), round=(2,)),
    }
    for name, f in views.items():
        ms, _, rows = _ms(lambda f=f: after_filter(directives, found, f), args.repeat)
        worst = max(worst, ms)
        print(f"after a filter change, {name:24} ({rows:>7,} rows): {ms:7.1f} ms")
    cold_ms, _, _ = _ms(
        lambda: after_filter(
            directives, ttd.durations(directives, responses, TODAY), metrics.Filters()
        ),
        args.repeat,
    )
    print(f"cold (days + every figure, nothing cached):           {cold_ms:7.1f} ms")
    verdict = "ok" if worst <= TARGET_MS else "OVER"
    print(f"slowest after a filter change: {worst:.1f} ms (target ≤ {TARGET_MS:.0f} ms) {verdict}")


if __name__ == "__main__":
    main()
