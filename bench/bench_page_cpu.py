"""CPU of one script run of each dashboard page (issue 20): what every open page pays per redraw.

Run: ``.venv/bin/python bench/bench_page_cpu.py [--directives N | --database-url URL]
[--runs 5] [--pages overview,directives,kpis,budget,districts] [--lang th] [--profile DIR]``.

Each page is driven in this process by Streamlit's AppTest through ``app.py`` (the real shell:
sign-in, navigation, sources panel, freshness poll, then the page). The script thread's own CPU
(``time.thread_time``) is measured around every run:

- ``cold_ms``: the page's run in a fresh session after what is kept per filters was dropped
  (``st.cache_data`` and ``ui/memo``; the snapshot itself stays loaded): a view never seen;
- ``warm_ms``: the median of ``--runs`` reruns of the same session (a publish redraw, a poll's
  rerun, fifty sessions on the same filters);
- ``filter_ms``: the median run after a filter change (the first fiscal year set, then
  cleared, ``--runs`` times), what is kept per filters dropped before each.

The store is the bundled sample in a fresh SQLite file, or ``--directives N`` (a
``tracker sample`` workbook imported first), or an existing ``--database-url``. Targets
(issue 20): fifty sessions on the Overview at once finish within 5 s (p95); the runs of one
server share one core (Python holds the GIL), so a warm Overview run is held to
``5 s / 50 = 100 ms``; a filter change at 1M ≤ 1 s. bench/load_sessions.py measures the
fifty sessions themselves over the websocket. ``--profile DIR`` writes a pyinstrument
profile of the warm runs of each page (pyinstrument must be installed; it is not a requirement).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
PAGES = {
    "overview": "app_pages/overview.py",
    "directives": "app_pages/directives.py",
    "kpis": "app_pages/kpis.py",
    "budget": "app_pages/budget.py",
    "districts": "app_pages/districts.py",
    "units": "app_pages/units.py",
    "history": "app_pages/history.py",
}
TARGET_WARM_MS = {"overview": 100.0}
TARGET_FILTER_MS = 1000.0


class Probe:
    """Wraps the shell's ``run_app``: the CPU of each script run, optionally profiled."""

    def __init__(self) -> None:
        self.cpu: list[float] = []
        self.profiler: Any = None
        self.cprofile: Any = None  # a cProfile.Profile enabled around the script runs

    def install(self) -> None:
        import ui.shell

        original = ui.shell.run_app

        def run_app() -> None:
            started = time.thread_time()
            profiler, cprofile = self.profiler, self.cprofile
            if profiler is not None:
                profiler.start()
            if cprofile is not None:  # the script thread's own calls
                cprofile.enable()
            try:
                original()
            finally:
                if cprofile is not None:
                    cprofile.disable()
                if profiler is not None:
                    profiler.stop()
                self.cpu.append(time.thread_time() - started)

        ui.shell.run_app = run_app  # app.py imports it at every run
        # AppTest compiles the page scripts at every run (a fresh script cache per run); a
        # server compiles each once: one cache for the process, as there
        from streamlit.runtime.scriptrunner.script_cache import ScriptCache

        compiled: dict[str, Any] = {}
        get_bytecode = ScriptCache.get_bytecode

        def once(cache: ScriptCache, script_path: str) -> Any:
            if script_path not in compiled:
                compiled[script_path] = get_bytecode(cache, script_path)
            return compiled[script_path]

        ScriptCache.get_bytecode = once  # type: ignore[method-assign]


def prepare(args: argparse.Namespace, folder: Path) -> str:
    if args.database_url:
        return args.database_url
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    if args.directives:
        workbook = folder / f"sample{args.directives}.xlsx"
        env = {**os.environ, "TRACKER_DATABASE_URL": url}
        subprocess.run(
            [PYTHON, "-m", "tracker", "sample", "--directives", str(args.directives), workbook],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        size_mb = workbook.stat().st_size / 2**20
        env["TRACKER_MAX_FILE_MB"] = str(int(size_mb) + 2)
        subprocess.run(
            [PYTHON, "-m", "tracker", "import", str(workbook)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    return url


def measure(page: str, probe: Probe, args: argparse.Namespace) -> dict[str, float]:
    from streamlit.testing.v1 import AppTest

    def session() -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.query_params["lang"] = args.lang
        at.run()
        at.switch_page(PAGES[page])
        return at

    session().run()  # the snapshot loaded and the page's modules imported
    at = session()
    forget()
    probe.cpu.clear()
    at.run()
    assert not at.exception, at.exception
    cold = probe.cpu[-1]
    at.run()  # the first rerun fills what the first run left
    probe.cpu.clear()
    for _ in range(args.runs):
        at.run()
    warm = statistics.median(probe.cpu)
    if args.profile:
        from pyinstrument import Profiler

        probe.profiler = Profiler(interval=0.0005)
        for _ in range(args.runs):
            at.run()
        out = Path(args.profile) / f"{page}_{args.label}.txt"
        out.write_text(probe.profiler.output_text(unicode=True, color=False, show_all=False))
        probe.profiler = None
    if args.cprofile:
        import cProfile

        probe.cprofile = cProfile.Profile()
        for _ in range(args.runs):
            at.run()
        probe.cprofile.dump_stats(str(Path(args.cprofile) / f"{page}_{args.label}_warm.prof"))
        probe.cprofile = None
    result = {"cold_ms": 1000 * cold, "warm_ms": 1000 * warm}
    changes = []
    profile = None
    if args.cprofile:
        import cProfile

        profile = cProfile.Profile()
    for i in range(args.runs):  # the first option on, then off: each computed afresh
        boxes = [m for m in at.multiselect if m.key == f"filter_{args.filter}"]
        if not boxes or not boxes[0].options:
            break
        forget()
        probe.cpu.clear()
        box = boxes[0].set_value([] if i % 2 else [boxes[0].options[i % len(boxes[0].options)]])
        probe.cprofile = profile
        box.run()
        probe.cprofile = None
        changes.append(probe.cpu[-1])
    if profile is not None:
        profile.dump_stats(str(Path(args.cprofile) / f"{page}_{args.label}.prof"))
    if changes:
        result["filter_ms"] = 1000 * statistics.median(changes)
        print(
            f"  {page} filter changes, ms CPU each: " + " ".join(f"{1000 * c:.0f}" for c in changes)
        )
    return result


def forget() -> None:
    """Drop what the pages keep per filters (``st.cache_data`` and ``ui/memo``'s figures);
    the loaded snapshot and what is kept per snapshot (the days to done, ``memo.shared``)
    stay."""
    import streamlit as st

    st.cache_data.clear()
    with contextlib.suppress(ImportError):  # the figures are resources
        from ui import memo

        memo.clear(snapshots=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--directives", type=int, default=0, help="a tracker sample of N")
    source.add_argument("--database-url", help="an existing store")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", default="overview,directives,kpis,budget,districts")
    parser.add_argument("--lang", default="th", choices=("th", "en"))
    parser.add_argument("--profile", help="a folder for pyinstrument profiles")
    parser.add_argument("--label", default="run", help="the profiles' file name suffix")
    parser.add_argument(
        "--cprofile", help="a folder for cProfile stats of the filter changes (no install needed)"
    )
    parser.add_argument(
        "--filter", default="fy", help="the sidebar filter changed: fy (default) or status"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_page_cpu_") as tmp:
        url = prepare(args, Path(tmp))
        os.environ["TRACKER_DATABASE_URL"] = url
        os.environ.setdefault("TRACKER_TODAY", "2024-10-15")
        os.chdir(ROOT)
        logging_quiet()
        probe = Probe()
        probe.install()
        size = f"{args.directives:,} directives" if args.directives else "bundled sample"
        if args.database_url:
            size = "the given store"
        print(f"page CPU per script run ({size}, lang {args.lang}, median of {args.runs})")
        print(f"{'page':<11} {'cold_ms':>8} {'warm_ms':>8} {'filter_ms':>9}  target")
        for page in args.pages.split(","):
            r = measure(page, probe, args)
            target = TARGET_WARM_MS.get(page)
            note = f"warm ≤ {target:.0f} ms" if target else ""
            if "filter_ms" in r:
                note += ("; " if note else "") + f"filter ≤ {TARGET_FILTER_MS:.0f} ms at 1M"
            print(
                f"{page:<11} {r['cold_ms']:>8.0f} {r['warm_ms']:>8.0f} "
                f"{r.get('filter_ms', float('nan')):>9.0f}  {note}"
            )


def logging_quiet() -> None:
    import logging

    with contextlib.suppress(Exception):
        from streamlit.logger import set_log_level

        set_log_level("error")
    logging.getLogger("streamlit").setLevel(logging.ERROR)


if __name__ == "__main__":
    main()
