"""The parse sandbox never re-runs the parent's main script (app.py, the CLI, a user script)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[2]


def test_sandbox_child_does_not_rerun_main_script(tmp_path):
    book = tmp_path / "t.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["รหัสข้อสั่งการ", "ปีงบประมาณ"])
    wb.active.append(["1", "2567"])
    wb.save(book)
    script = tmp_path / "user_script.py"
    # no __main__ guard on purpose: a re-import in the child would print twice (or recurse)
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "print('MAIN-RAN', flush=True)\n"
        "from data_sources.files import read_file\n"
        f"tables = read_file({str(book)!r}, sandbox=True)\n"
        "print('CELLS', tables[0].frame.iloc[1].tolist(), flush=True)\n",
        encoding="utf-8",
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("MAIN-RAN") == 1, out.stdout
    assert "CELLS ['1', '2567']" in out.stdout


def test_children_started_at_once_leave_the_main_module_as_it_was():
    """Two uploads (or an upload and the sync thread) start sandbox children at the same time:
    the start hides __main__'s file under a lock, so neither restores the other's state."""
    import sys
    import threading

    from data_sources.guard import parse_in_sandbox

    main = sys.modules["__main__"]
    before = (main.__dict__.get("__spec__"), main.__dict__.get("__file__"))
    data = "รหัส,หน่วยรับตรวจ\n1,สำนักการโยธา\n".encode()
    errors: list[BaseException] = []

    def parse() -> None:
        try:
            parse_in_sandbox(data, "พร้อมกัน.csv", kind="csv")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=parse) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert errors == []
    assert (main.__dict__.get("__spec__"), main.__dict__.get("__file__")) == before


def test_importing_the_readers_changes_nothing_and_the_entry_points_choose_the_allocator(
    tmp_path,
):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = (
        "import pyarrow as pa, data_sources, data_sources.files, tracker.read.loader;"
        "before = pa.default_memory_pool().backend_name;"
        "from tracker import cli;"
        f"cli.main(['template', {str(tmp_path / 't.xlsx')!r}]);"
        "print(before, pa.default_memory_pool().backend_name)"
    )
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[-2] != "system" and out[-1] == "system", out
