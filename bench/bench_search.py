"""The Directives page's text search on a large store (issue 20): Store.search through the
index (migration 0005) against the literal scan it replaced, first and repeated.

Run: ``.venv/bin/python bench/bench_search.py URL [URL ...] [--repeat 3]`` where each URL is a
migrated store holding a published snapshot, e.g. made with
``.venv/bin/python -m tracker sample --directives 1000000 /tmp/x.xlsx`` and
``TRACKER_MAX_FILE_MB=400 TRACKER_DATABASE_URL=URL .venv/bin/python -m tracker import /tmp/x.xlsx``.

Per query: ``first`` is a new Store's first search (a new connection, as after the app starts
or a snapshot changes: the app caches answers per snapshot and query), ``repeat`` the fastest
of ``--repeat`` more on that Store; ``scan`` the search of before 0005, run once: the literal
LIKE / ILIKE (PostgreSQL told not to use indexes), its result rows made an array as it made
them. The machine may be shared: the load average (1, 5, 15 min) is printed beside every
figure. Nothing is written to the stores.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.store import Store
from tracker.store.searching import MIN_INDEXED, like_pattern

QUERIES = (
    "ทางเท้า",  # a Thai word in a few percent of the texts
    "น้ำท่วมขัง",
    "Traffy Fondue",  # Latin, typed in another case below
    "traffy fondue",
    "ให้",  # in every text: the index proposes every row
    "ไม่มีข้อความนี้",  # in none (a typo)
    "ทา",  # two characters: scanned
)


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def scan(store: Store, snapshot_id: int, query: str) -> tuple[float, np.ndarray]:
    """Seconds and row keys (sorted) of the literal scan that answered before the index."""
    like = "ILIKE" if store.dialect == "postgresql" else "LIKE"
    started = time.perf_counter()
    with store._transaction(write=False) as conn:
        if store.dialect == "postgresql":
            conn.exec_driver_sql("SET LOCAL enable_indexscan = off")
            conn.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        parts = store._part_lists(conn, snapshot_id).get("directives", [])
        rows = conn.execute(
            text(
                "SELECT snapshot_id, seq FROM directives WHERE snapshot_id IN"
                f" ({', '.join(map(str, parts))}) AND text {like} :p ESCAPE '\\'"
            ),
            {"p": like_pattern(query.strip())},
        ).all()
    arr = np.array(rows, dtype=np.int64).reshape(-1, 2)  # as search did before 0005
    seconds = time.perf_counter() - started
    return seconds, np.sort((arr[:, 0] << 32) | arr[:, 1])


def bench(url: str, repeat: int) -> None:
    probe = Store(url)
    sid = probe.current_id()
    if sid is None:
        raise SystemExit(f"{probe.where}: no published snapshot")
    with probe._transaction(write=False) as conn:
        n = conn.execute(
            text(
                "SELECT SUM(rows) FROM snapshot_parts WHERE snapshot_id = :s AND kind = 'directives'"
            ),
            {"s": sid},
        ).scalar()
    print(
        f"{probe.where}: snapshot {sid}, {n:,} directives, "
        f"index {'yes' if probe.search_indexed() else 'NO (scans)'}; {load()}"
    )
    probe.dispose()
    for query in QUERIES:
        store = Store(url)
        started = time.perf_counter()
        keys = store.search(sid, "directives", ["text"], query)
        first = time.perf_counter() - started
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            again = store.search(sid, "directives", ["text"], query)
            times.append(time.perf_counter() - started)
        scan_s, scanned = scan(store, sid, query)
        store.dispose()
        same = np.array_equal(np.sort(keys), scanned) and np.array_equal(keys, again)
        how = "index" if len(query.strip()) >= MIN_INDEXED else "scan "
        print(
            f"  {query!r:22} {how} rows {len(keys):>9,}  first {first:6.3f} s  "
            f"repeat {min(times):6.3f} s  scan {scan_s:6.3f} s  "
            f"{'same rows' if same else 'ROWS DIFFER'}; {load()}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+", help="store URLs (sqlite:///… or postgresql://…)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for url in args.urls:
        bench(url, args.repeat)


if __name__ == "__main__":
    main()
