"""Benchmark the snapshot store: publish and load 100,000 directives on SQLite and PostgreSQL.

Run: ``/work/venv/bin/python bench/bench_store.py [--rows N] [--pg URL]``. SQLite runs in a
temporary file; PostgreSQL in a fresh schema (dropped afterwards) of ``--pg`` (default
$TRACKER_BENCH_PG_URL, else postgresql://postgres@127.0.0.1:5432/test). Targets: publish
≤ 10 s, load ≤ 1 s. The figures are saved to bench/out/store_last.json (gitignored) and the
previous run's are printed beside the new ones.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from tracker.dataset import conform  # noqa: E402
from tracker.schema import DEFAULT_GROUPS_TH, STATUSES  # noqa: E402
from tracker.store import Store  # noqa: E402

OUT = ROOT / "bench" / "out" / "store_last.json"
TARGETS = {"publish_s": 10.0, "load_s": 1.0}
INFO = ("load_median_s", "load_cpu_s")  # printed, no target
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def directives(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` canonical directives with realistic Thai text lengths."""
    rng = np.random.default_rng(seed)
    agencies = np.array(
        [
            f"สำนักงานเขต{name}"
            for name in (
                "บางนา",
                "บางกะปิ",
                "ดินแดง",
                "จตุจักร",
                "คลองเตย",
                "ลาดกระบัง",
                "บางรัก",
                "สาทร",
            )
        ]
        + ["สำนักการโยธา", "สำนักการระบายน้ำ", "สำนักสิ่งแวดล้อม"]
    )
    statuses = np.array(STATUSES)
    status = statuses[rng.integers(0, len(statuses), n)]
    body = "ให้หน่วยงานเร่งรัดการดำเนินการตามแผนและรายงานผลความก้าวหน้าให้ผู้ตรวจราชการทราบ"
    df = pd.DataFrame(
        {
            "directive_id": [f"67-{i % 2 + 1}-{i:06d}" for i in range(n)],
            "fiscal_year": 2567,
            "round": rng.integers(1, 3, n),
            "issued_by": np.where(
                rng.random(n) < 0.5, "ปลัดกรุงเทพมหานคร", "ผู้ตรวจราชการกรุงเทพมหานคร"
            ),
            "issued_date": pd.Timestamp("2023-10-01")
            + pd.to_timedelta(rng.integers(0, 180, n), unit="D"),
            "due_date": pd.Timestamp("2024-09-30"),
            "agency": agencies[rng.integers(0, len(agencies), n)],
            "district_code": [f"10{i % 50:02d}" for i in range(n)],
            "text": [f"ข้อ {i}: {body}" for i in range(n)],
            "group": np.array(DEFAULT_GROUPS_TH)[rng.integers(0, 10, n)],
            "f_personnel": rng.random(n) < 0.3,
            "f_budget": rng.random(n) < 0.3,
            "f_process": rng.random(n) < 0.3,
            "f_technology": rng.random(n) < 0.2,
            "f_law": rng.random(n) < 0.1,
            "status": status,
            "detail": np.where(status == "done", "ดำเนินการตามข้อสั่งการแล้วเสร็จ", None),
            "obstacle": "-",
            "reported_at": pd.Timestamp("2024-03-31 14:05:22"),
            "source": "bench.xlsx",
            "sheet": "ข้อสั่งการ",
            "row": np.arange(n) + 2,
        }
    )
    return conform(df, "directives")


def measure(url: str, frames: dict[str, pd.DataFrame], loads: int) -> dict[str, float]:
    """Seconds to publish ``frames`` into an empty store and to load them (best of ``loads``)."""
    store = Store(url)
    try:
        store.upgrade()
        t0 = time.perf_counter()
        store.publish(frames, user="bench", source="bench.xlsx", sha256=uuid.uuid4().hex * 2)
        publish_s = time.perf_counter() - t0
        times, cpu = [], []
        for _ in range(loads):
            t0, c0 = time.perf_counter(), time.process_time()
            loaded = store.load()
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        assert len(loaded["directives"]) == len(frames["directives"])
    finally:
        store.dispose()
    return {
        "publish_s": round(publish_s, 3),
        "load_s": round(min(times), 3),
        "load_median_s": round(statistics.median(times), 3),
        "load_cpu_s": round(min(cpu), 3),  # this process only (not the PostgreSQL server)
    }


def run_sqlite(frames: dict[str, pd.DataFrame], loads: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        return measure(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", frames, loads)


@contextlib.contextmanager
def fresh_schema(pg: str, prefix: str) -> Iterator[str]:
    """A URL of ``pg`` whose search path is a new, empty schema (dropped afterwards)."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        make_url(pg).set(drivername="postgresql+psycopg"), connect_args={"connect_timeout": 5}
    )
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(pg).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run_postgresql(frames: dict[str, pd.DataFrame], loads: int, pg: str) -> dict[str, float]:
    with fresh_schema(pg, "bench_store") as url:
        return measure(url, frames, loads)


def main(argv: list[str] | None = None) -> int:
    """Run both backends, print new vs previous figures, save the new ones."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--loads", type=int, default=3, help="load repetitions (best is reported)")
    ap.add_argument("--pg", default=os.environ.get("TRACKER_BENCH_PG_URL", DEFAULT_PG))
    args = ap.parse_args(argv)

    previous = json.loads(OUT.read_text()) if OUT.exists() else {}
    frames = {"directives": directives(args.rows)}
    results: dict[str, object] = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": args.rows,
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),  # other work slows the figures
    }
    failed = False
    for backend, run in (
        ("sqlite", lambda: run_sqlite(frames, args.loads)),
        ("postgresql", lambda: run_postgresql(frames, args.loads, args.pg)),
    ):
        try:
            results[backend] = run()
        except Exception as exc:  # report it and carry on with the other backend
            print(f"{backend}: FAILED {type(exc).__name__}: {str(exc).splitlines()[0]}")
            results[backend] = None
            failed = True

    prev_note = (
        f"previous run {previous.get('at')} ({previous.get('rows')} rows)"
        if previous
        else "no previous run"
    )
    print(
        f"store benchmark, {args.rows:,} directives; {os.cpu_count()} CPUs, load average "
        f"{results['load_average_1min']} at start; {prev_note}"
    )
    print(f"{'backend':<11} {'metric':<14} {'now (s)':>9} {'before (s)':>11} {'target':>7}")
    for backend in ("sqlite", "postgresql"):
        now = results.get(backend) or {}
        before = previous.get(backend) or {}
        for metric, target in TARGETS.items():
            value = now.get(metric)
            ok = value is not None and value <= target
            failed |= not ok
            old = before.get(metric)
            print(
                f"{backend:<11} {metric:<14} {value if value is not None else '-':>9} "
                f"{old if old is not None else '-':>11} {'≤' + str(target):>7} "
                f"{'ok' if ok else 'OVER'}"
            )
        for metric in INFO:
            value, old = now.get(metric), before.get(metric)
            print(
                f"{backend:<11} {metric:<14} {value if value is not None else '-':>9} "
                f"{old if old is not None else '-':>11}"
            )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
