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
