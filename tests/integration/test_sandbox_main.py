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
