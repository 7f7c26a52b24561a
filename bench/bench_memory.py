"""Benchmark the app's shared snapshot copy (issue 20): the slim copy against the full frames.

Run: ``.venv/bin/python bench/bench_memory.py [--directives N] [--database-url URL]``.

Makes a ``tracker sample`` workbook with ``--directives`` directives (100,000 by default), imports
it into a fresh SQLite store (or reads the current snapshot of ``--database-url``), then, each in
a fresh process, loads the snapshot as the app does (``Store.load_slim``: no texts, no
provenance, categoricals) and as a whole (``Store.load``), and prints per load:
- ``deep MB``: the sum of ``DataFrame.memory_usage(deep=True)`` over the four frames (and the
  row keys the slim copy keeps beside them);
- ``RSS MB``: the loading process's resident-memory growth, and its peak RSS (imports included);
- ``seconds``: the load's wall clock.
The target is ≤ 300 MB for the shared copy at 1,000,000 directives; below 1,000,000 the figure
is also extrapolated linearly (printed as such). The machine is shared: timings are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
TARGET_MB_1M = 300.0

PROBE = """
import gc, json, resource, sys, time
from tracker.store import Store
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'): return int(line.split()[1]) / 1024
store = Store(sys.argv[1]); sid = store.current_id()
gc.collect(); before = rss(); started = time.perf_counter()
keys = {}
if sys.argv[2] == 'slim':
    frames, keys = store.load_slim(sid)
else:
    frames = store.load(sid)
seconds = time.perf_counter() - started
gc.collect(); after = rss()
deep = {k: int(f.memory_usage(deep=True).sum()) / 2**20 for k, f in frames.items()}
if keys:  # the row keys the slim copy keeps beside its frames
    deep["row keys"] = sum(int(a.nbytes) for a in keys.values()) / 2**20
rows = {k: len(f) for k, f in frames.items()}
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"deep": deep, "rss": after - before, "peak": peak, "seconds": seconds,
                  "rows": rows}))
"""


def probe(url: str, how: str) -> dict:
    out = subprocess.run(
        [PYTHON, "-c", PROBE, url, how],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def imported(directives: int, folder: Path) -> str:
    """A fresh SQLite store holding the ``tracker sample`` workbook of ``directives``."""
    workbook = folder / f"sample_{directives}.xlsx"
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "-m", "tracker", "sample", "--directives", str(directives), str(workbook)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    size_mb = workbook.stat().st_size / 2**20
    print(
        f"workbook: {directives:,} directives, {size_mb:.0f} MB, made in "
        f"{time.perf_counter() - started:.0f} s"
    )
    url = f"sqlite:///{folder / 'memory.sqlite'}"
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": url,
        "TRACKER_MAX_FILE_MB": str(max(20, int(size_mb) + 1)),
    }
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "-m", "tracker", "import", str(workbook)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    print(f"imported into SQLite in {time.perf_counter() - started:.0f} s")
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--directives", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="measure this store's current snapshot")
    parser.add_argument("--keep", default="", help="make the workbook and database in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        url = args.database_url or imported(args.directives, folder)
        slim, full = probe(url, "slim"), probe(url, "full")
    n = slim["rows"]["directives"]
    print(f"snapshot: {n:,} directives, {slim['rows']['responses']:,} responses")
    for name, got in (("shared copy (load_slim)", slim), ("full frames (load)", full)):
        deep = sum(got["deep"].values())
        parts = ", ".join(f"{k} {v:.1f}" for k, v in got["deep"].items())
        print(
            f"  {name:26} deep {deep:8.1f} MB ({parts})  RSS +{got['rss']:.0f} MB, "
            f"peak {got['peak']:.0f} MB  {got['seconds']:.2f} s"
        )
    deep = sum(slim["deep"].values())
    if n >= 1_000_000:
        print(f"  shared copy at {n:,}: {deep:.1f} MB, target ≤ {TARGET_MB_1M:.0f} MB")
    elif n:
        scaled = deep * 1_000_000 / n
        print(
            f"  shared copy at 1,000,000 (linear extrapolation from {n:,}, not a run): "
            f"{scaled:.1f} MB, target ≤ {TARGET_MB_1M:.0f} MB"
        )


if __name__ == "__main__":
    main()
