"""How fast the command line starts (issue 20).

Run: ``.venv/bin/python bench/bench_cli_start.py [--repeat N] [--big-repeat N] [--skip-big]``.

Prints, each beside the load average (the 2-core machine is shared: a figure taken at load 3
is ~2-3x the quiet one):
- ``summary`` of a 50-directive ``tracker sample`` workbook as a fresh process: best and
  median wall clock of ``--repeat`` runs (target ≤ 1 s), with the CPU seconds of the command
  line itself and of its whole process tree (the sandbox's server, its resource tracker and
  the parsing child: what a loaded machine has to find time for);
- ``python -c "import pandas"`` as a fresh process, for reference (the floor of any command
  that builds frames);
- ``summary`` of the 100,000-directive workbook against a fresh process doing a bare fastexcel
  read of every sheet of the same file (the ratio: target ≤ 2x), best and median of
  ``--big-repeat`` interleaved runs.

The workbooks are written once into ``--folder`` (default /tmp/bench_cli_start) by
``python -m tracker sample``.

The commands run with Python's bytecode cache, as on an installed server (the project's
modules compiled once, into ``--folder``/pycache, never into the checkout), even where
PYTHONDONTWRITEBYTECODE is set (a sandbox, a CI runner: there every run compiles the ~60
modules of the project again, ~0.1 s CPU); ``--no-bytecode-cache`` measures that case.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

BARE_READ = """
import sys, fastexcel
reader = fastexcel.read_excel(sys.argv[1])
for i in range(len(reader.sheet_names)):
    reader.load_sheet(i, header_row=None, skip_rows=0, dtypes="string").to_pandas()
"""

_PR_SET_CHILD_SUBREAPER = 36


def _become_subreaper() -> bool:
    """Adopt the orphans of the commands run here (the sandbox's server and its resource
    tracker outlive the command line by a moment), so their CPU time can be counted."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _reap_all() -> None:
    """Wait for every descendant left (adopted orphans included)."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds of a fresh process (must exit 0), its own CPU seconds, and the CPU seconds
    of its whole process tree (once every process of it has ended)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, own = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        err = process.stderr.read().decode(errors="replace") if process.stderr else ""
        raise SystemExit(f"{args} exited {process.returncode}: {err[-2000:]}")
    if process.stderr:
        process.stderr.close()
    _reap_all()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    tree = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, own.ru_utime + own.ru_stime, tree


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def report(label: str, runs: list[tuple[float, float, float]], target: str = "") -> None:
    walls = [r[0] for r in runs]
    print(
        f"  {label:44s} best {min(walls):6.3f} s  median {statistics.median(walls):6.3f} s  "
        f"cpu {statistics.median(r[1] for r in runs):5.2f} s (least "
        f"{min(r[1] for r in runs):5.2f} s; tree "
        f"{statistics.median(r[2] for r in runs):5.2f} s)  {target}  [{load()}]"
    )


def sample(path: Path, directives: int, env: dict[str, str]) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [PYTHON, "-m", "tracker", "sample", "--directives", str(directives), str(path)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--big-repeat", type=int, default=3)
    parser.add_argument("--big-directives", type=int, default=100_000)
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--folder", type=Path, default=Path("/tmp/bench_cli_start"))
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE as set (compile the project's modules every run)",
    )
    args = parser.parse_args()
    counted = _become_subreaper()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if not args.no_bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(args.folder / "pycache")
    cached = "PYTHONDONTWRITEBYTECODE" not in env
    small = args.folder / "s50.xlsx"
    sample(small, 50, env)
    print(
        f"Command-line start ({os.cpu_count()} cores, shared; "
        f"tree CPU {'counted' if counted else 'NOT counted: no subreaper'}; "
        f"bytecode cache {'on' if cached else 'OFF'}):"
    )
    summary = [PYTHON, "-m", "tracker", "summary", str(small)]
    run(summary, env)  # warm the page cache
    report(
        "summary, 50 directives, fresh process",
        [run(summary, env) for _ in range(args.repeat)],
        "(target ≤ 1 s)",
    )
    report(
        'python -c "import pandas" (reference)',
        [run([PYTHON, "-c", "import pandas"], env) for _ in range(args.repeat)],
    )
    if args.skip_big:
        return
    big = args.folder / f"k{args.big_directives // 1000}.xlsx"
    sample(big, args.big_directives, env)
    size_mb = big.stat().st_size / 2**20
    big_env = {**env, "TRACKER_MAX_FILE_MB": str(max(400, int(size_mb) + 1))}
    print(f"{args.big_directives:,} directives ({size_mb:.1f} MB workbook):")
    bares, summaries = [], []
    for _ in range(args.big_repeat):  # interleaved, so both see the same load
        bares.append(run([PYTHON, "-c", BARE_READ, str(big)], big_env))
        summaries.append(run([PYTHON, "-m", "tracker", "summary", str(big)], big_env))
    report("bare fastexcel read, fresh process", bares, "(reference)")
    report("summary, fresh process", summaries)
    for label, pick in (("best", min), ("median", statistics.median)):
        ratio = pick(r[0] for r in summaries) / pick(r[0] for r in bares)
        print(f"  ratio summary / bare read ({label}): {ratio:.2f}x (target ≤ 2x)  [{load()}]")


if __name__ == "__main__":
    main()
