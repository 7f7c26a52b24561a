"""``python -m tracker summary|validate`` ends without the interpreter's teardown (issue 20),
but still as Python ends: threads joined, atexit handlers run, output flushed, same status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tracker.cli_exit import fast_exit_allowed

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120, **kw
    )


def test_exit_now_joins_threads_runs_atexit_and_flushes(tmp_path: Path) -> None:
    probe = f"""
import atexit, sys, threading, time
from pathlib import Path
from tracker.cli_exit import exit_now
folder = Path({str(tmp_path)!r})
def late():
    time.sleep(0.3)
    (folder / "thread").write_text("done")
threading.Thread(target=late).start()
atexit.register(lambda: (folder / "atexit").write_text(str((folder / "thread").exists())))
sys.stdout.write("no newline, still buffered")
sys.stderr.write("err")
exit_now(3)
"""
    done = _run(["-c", probe])
    assert done.returncode == 3
    assert done.stdout == "no newline, still buffered"
    assert done.stderr == "err"
    assert (tmp_path / "thread").read_text() == "done"
    assert (tmp_path / "atexit").read_text() == "True"  # after the thread, as Python does


def test_only_commands_that_read_files_and_print_exit_fast() -> None:
    assert fast_exit_allowed(["summary", "a.xlsx"])
    assert fast_exit_allowed(["validate", "--json", "a.xlsx"])
    assert not fast_exit_allowed(["summary", "--current"])
    assert not fast_exit_allowed(["import", "a.xlsx"])
    assert not fast_exit_allowed(["remind"])
    assert not fast_exit_allowed([])


def test_summary_and_validate_give_the_same_output_and_status(tmp_path: Path) -> None:
    workbook = tmp_path / "s50.xlsx"
    _run(["-m", "tracker", "sample", "--directives", "50", str(workbook)], check=True)
    done = _run(["-m", "tracker", "summary", "--json", str(workbook)])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["directives"]["total"] == 50
    missing = _run(["-m", "tracker", "validate", str(tmp_path / "no-such.xlsx")])
    assert missing.returncode == 2
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    bad = _run(["-m", "tracker", "validate", "--json", str(broken)])
    assert bad.returncode == 2
    assert json.loads(bad.stdout)["valid"] is False
