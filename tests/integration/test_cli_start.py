"""The command line starts fast (issue 20): reading and summarising files never imports the
store (SQLAlchemy, Alembic), the charts (Plotly), the app (Streamlit) or the workbook writers,
and it still parses every file in the sandbox child. Speed itself: bench/bench_scale.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "alembic", "psycopg", "plotly", "streamlit", "openpyxl", "xlsxwriter")

PROBE = """
import contextlib, io, json, sys
from unittest import mock
from data_sources import sandbox
from tracker import cli
calls = []
real = sandbox.parse_in_sandbox
def spy(*args, **kwargs):
    calls.append(args[1])
    return real(*args, **kwargs)
out = io.StringIO()
with mock.patch.object(sandbox, "parse_in_sandbox", spy), contextlib.redirect_stdout(out):
    code = cli.main(sys.argv[1:])
heavy = [m for m in {heavy!r} if m in sys.modules]
print(json.dumps({{"code": code, "heavy": heavy, "sandboxed": calls, "out": out.getvalue()}}))
"""


def register_rows(rows: int) -> list[list[str]]:
    header = ["รหัส", "ปีงบประมาณ", "หน่วยรับตรวจ", "ข้อสั่งการ", "สถานะ"]
    statuses = ["ดำเนินการแล้ว", "อยู่ระหว่างการดำเนินการ", "", "ไม่สามารถดำเนินการได้"]
    body = [
        [f"67-{i:04d}", "2567", "สำนักงานเขตบางนา", f"ข้อสั่งการ {i}", statuses[i % 4]]
        for i in range(rows)
    ]
    return [header, *body]


@pytest.fixture(params=["csv", "xlsx"])
def fifty_rows(request, tmp_path: Path) -> Path:
    rows = register_rows(50)
    path = tmp_path / f"ทะเบียน.{request.param}"
    if request.param == "csv":
        path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    else:
        workbook = openpyxl.Workbook()
        for row in rows:
            workbook.active.append(row)
        workbook.save(path)
    return path


def run_probe(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("command", ["summary", "validate"])
def test_reading_a_file_imports_nothing_heavy_and_still_uses_the_sandbox(
    fifty_rows: Path, command: str
) -> None:
    result = run_probe(command, str(fifty_rows))
    assert result["code"] == 0, result["out"]
    assert result["heavy"] == []
    assert result["sandboxed"] == [fifty_rows.name]
    if command == "summary":
        assert "directives: 50" in result["out"]


def test_read_early_options_agree_with_the_parser() -> None:
    """cli_start finds the files of `summary`/`validate` without the parser (which imports
    pandas): the options it knows to take a value must be the parser's."""
    from tracker.cli import build_parser
    from tracker.cli_start import READ_EARLY_COMMANDS, VALUE_OPTIONS

    parser = build_parser()
    commands = next(a for a in parser._actions if a.choices and "summary" in a.choices)
    for name in READ_EARLY_COMMANDS:
        sub = commands.choices[name]
        taking = {
            option
            for action in sub._actions
            if action.option_strings and action.nargs != 0
            for option in action.option_strings
        }
        assert taking == VALUE_OPTIONS, name


def test_local_files_skips_option_values_urls_and_missing_paths(tmp_path: Path) -> None:
    from tracker.cli_start import local_files

    a, b, m = tmp_path / "a.xlsx", tmp_path / "b.csv", tmp_path / "m.toml"
    for path in (a, b, m):
        path.write_text("x")
    words = [str(a), "--mappings", str(m), "--json", "https://x/y.csv", str(tmp_path / "no")]
    assert local_files([*words, "--map", "a=b", "--", str(b)]) == [str(a), str(b)]


def test_a_read_started_early_is_taken_once_and_a_changed_file_is_read_again(
    tmp_path: Path,
) -> None:
    from unittest import mock

    from data_sources import files

    path = tmp_path / "ทะเบียน.csv"
    path.write_text("\n".join(",".join(r) for r in register_rows(3)) + "\n", encoding="utf-8")
    cap = 1_000_000
    expected = [t.frame.to_dict() for t in files.read_file(path, max_bytes=cap)]
    files.start_reading(path, cap)
    with mock.patch.object(files, "_read_capped", side_effect=AssertionError("read again")):
        taken = files.read_file(path, max_bytes=cap)  # the early read's result
    assert [t.frame.to_dict() for t in taken] == expected
    assert files._take_started(path, path.name, cap) is None  # taken once

    files.start_reading(path, cap)
    files._started[(str(path), path.name, cap)].thread.join()
    path.write_text("รหัส,สถานะ\n67-1,ดำเนินการแล้ว\n", encoding="utf-8")  # changed since
    (table,) = files.read_file(path, max_bytes=cap)
    assert table.frame.shape == (2, 2)


def test_a_refusal_met_early_is_the_readers_refusal(tmp_path: Path) -> None:
    from data_sources import files
    from data_sources.base import UnreadableFile

    path = tmp_path / "big.csv"
    path.write_text("a,b\n" * 100)
    files.start_reading(path, 10)
    with pytest.raises(UnreadableFile) as early:
        files.read_file(path, max_bytes=10)
    with pytest.raises(UnreadableFile) as late:
        files.read_file(path, max_bytes=10)
    assert (early.value.code, early.value.params) == (late.value.code, late.value.params)
    assert early.value.code == "too_large"


def test_python_m_tracker_reads_early_with_the_same_output(fifty_rows: Path) -> None:
    """`python -m tracker summary --json FILE` (reads early) prints what cli.main prints."""
    import os

    env = {**os.environ, "TRACKER_TODAY": "2024-10-15"}
    early = subprocess.run(
        [sys.executable, "-m", "tracker", "summary", "--json", str(fifty_rows)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    in_process = "import sys; from tracker.cli import main; sys.exit(main())"
    late = subprocess.run(
        [sys.executable, "-c", in_process, "summary", "--json", str(fifty_rows)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert json.loads(early) == json.loads(late)
    assert json.loads(early)["directives"]["total"] == 50
