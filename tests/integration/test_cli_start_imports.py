"""What `python -m tracker summary FILE` imports, in every process it starts (issue 20).

``-X importtime`` is handed on by multiprocessing to the sandbox's server (and so to the
parsing child), so one run's stderr lists the imports of the whole process tree: none of the
store (SQLAlchemy, Alembic), the charts, the app or the workbook writers may be among them.
The store's package exports its names lazily: catching its errors imports no engine.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "alembic", "psycopg", "plotly", "streamlit", "openpyxl", "xlsxwriter")
IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*([\w.]+)\s*$", re.M)


def test_summary_of_a_workbook_imports_nothing_heavy_in_any_process(tmp_path: Path) -> None:
    workbook = tmp_path / "s50.xlsx"
    subprocess.run(
        [sys.executable, "-m", "tracker", "sample", "--directives", "50", str(workbook)],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=True,
    )
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tracker", "summary", str(workbook)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "directives: 50" in done.stdout
    # the processes write their import lines to one stderr at once: a line may be cut by
    # another's, so modules are looked for by name, not only in whole lines
    imported = set(IMPORTED.findall(done.stderr))
    for expected in ("tracker.cli", "data_sources.sandbox", "fastexcel", "pandas"):
        assert expected in imported or re.search(rf"\|\s*{re.escape(expected)}\b", done.stderr)
    heavy = sorted(m for m in imported if m.split(".")[0] in HEAVY)
    heavy += [m for m in HEAVY if re.search(rf"\|\s*{m}(\.|\s|$)", done.stderr, re.M)]
    assert heavy == []
    # the sandbox's server ran (its interpreter imported the forkserver's main module)
    assert done.stderr.count("| multiprocessing.forkserver") >= 1


def test_the_stores_errors_import_no_engine_and_its_names_still_resolve() -> None:
    probe = """
import sys
from tracker.store import DuplicateSnapshot, StoreError
light = not any(m in sys.modules for m in ("sqlalchemy", "alembic", "pandas"))
import tracker.store as store
from tracker.store.api import Store
from tracker.store.errors import StoreFull
assert store.Store is Store and store.StoreFull is StoreFull
assert issubclass(DuplicateSnapshot, StoreError)
assert set(store.__all__) <= set(dir(store))
try:
    store.no_such_name
except AttributeError:
    pass
else:
    raise AssertionError("no_such_name resolved")
print(light)
"""
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == "True", done.stderr
