"""Benchmark the reminder digests: 31 units over 100,000 directives (issue 19).

Run: ``.venv/bin/python bench/bench_reminders.py [--rows N] [--repeat R]``. Builds the plan of
the next run (thresholds, what was told before, per-unit digests) and renders every unit's
mail (plain text, escaped HTML, the EmailMessage) from in-memory frames — no database, no
SMTP. Half of the candidate reminders are marked as told already, as on a normal day. Target:
building the digests ≤ 2 s. Prints best and median of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
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

from data_sources.memory import use_system_allocator  # noqa: E402
from tracker.dataset import conform  # noqa: E402
from tracker.places import districts  # noqa: E402
from tracker.present.reminder_mail import digest_message  # noqa: E402
from tracker.present.reminders import build_plan, candidates  # noqa: E402

TARGET_S = 2.0
TODAY = date(2024, 10, 15)
UNITS = 31


def frames(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    places = districts().head(UNITS)
    pick = rng.integers(0, UNITS, n)
    directives = conform(
        pd.DataFrame(
            {
                "directive_id": [f"2567-{1 + i % 2}-{i:06d}" for i in range(n)],
                "fiscal_year": 2567,
                "round": 1 + np.arange(n) % 2,
                "issued_date": pd.Timestamp("2024-01-10"),
                "due_date": pd.Timestamp(TODAY)
                + pd.to_timedelta(rng.integers(-120, 120, n), unit="D"),
                "agency": ("สำนักงานเขต" + places["name_th"].to_numpy()[pick]),
                "district_code": places["code"].to_numpy()[pick],
                "text": [
                    f"ข้อสั่งการที่ {i} <b>เร่งรัด</b> การดำเนินงานตามแผนและรายงานผลต่อผู้ตรวจราชการ"
                    for i in range(n)
                ],
                "group": "การบริหารจัดการ",
                "status": np.array(["done", "in_progress", "cannot", "not_reported"])[
                    rng.integers(0, 4, n)
                ],
            }
        ),
        "directives",
    )
    units = sorted(set(directives["agency"].astype(str)))
    contacts = pd.DataFrame(
        {
            "unit": units,
            "email": [f"unit{i}@bma.test" for i in range(len(units))],
            "name": "ผู้ประสานงาน",
            "role": "unit",
            "zone": "",
        }
    )
    cand, _, _ = candidates(directives, TODAY)
    sent = cand.iloc[::2][["directive_id", "threshold", "occasion", "unit"]]
    return directives, contacts, sent


def main() -> None:
    use_system_allocator()
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    directives, contacts, sent = frames(args.rows)
    plans, renders = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        plan = build_plan(directives, contacts, sent, TODAY, "https://tracker.example.go.th")
        t1 = time.perf_counter()
        messages = [digest_message(d, "ig@bma.test").as_bytes() for d in plan.digests]
        t2 = time.perf_counter()
        plans.append(t1 - t0)
        renders.append(t2 - t1)
    told = sum(len(d.told) for d in plan.digests)
    total = [p + r for p, r in zip(plans, renders, strict=True)]
    print(
        f"{args.rows:,} directives, {len(plan.digests)} units, {told:,} reminders told, "
        f"{len(sent):,} told before; {len(messages)} messages, "
        f"{sum(map(len, messages)) / 1024:.0f} KiB"
    )
    print(f"build digests: best {min(plans):.3f} s, median {statistics.median(plans):.3f} s")
    print(f"render mails:  best {min(renders):.3f} s, median {statistics.median(renders):.3f} s")
    verdict = "met" if min(total) <= TARGET_S else "MISSED"
    print(f"total: best {min(total):.3f} s (target ≤ {TARGET_S} s: {verdict})")


if __name__ == "__main__":
    main()
