"""A sheet read in row blocks is handed from the sandbox child a column per file (issue 20):
each column is joined as it is written, so the child never holds the sheet twice, and the
parent gets one contiguous array per column, mapped without a copy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from data_sources import handoff

ROOT = Path(__file__).resolve().parents[2]


def _in_pieces() -> pa.Table:
    first = pa.table({"0": ["ก", None], "1": ["1", "2"]})
    second = pa.table({"0": ["ข", "ค"], "1": [None, "4"]})
    return pa.concat_tables([first, second])


def test_columns_round_trip_joined_and_unlinked(monkeypatch, tmp_path):
    monkeypatch.setattr(handoff, "HANDOFF_DIR", str(tmp_path))
    table = _in_pieces()
    assert handoff._in_blocks(table)
    expected = table.to_pylist()
    sizes = handoff._columns_write("tc", 3, [table])
    assert len(sizes) == 2 and all(n > 0 for n in sizes)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "tracker-sandbox-tc-3-c0.arrow",
        "tracker-sandbox-tc-3-c1.arrow",
    ]
    read = handoff._sheet_read("tc", 3, sizes)
    assert read.to_pylist() == expected
    assert read.column_names == ["0", "1"]
    assert all(column.num_chunks == 1 for column in read.columns)  # joined, one piece each
    assert list(tmp_path.iterdir()) == []  # unlinked once mapped


def test_no_room_for_a_column_leaves_no_file(monkeypatch, tmp_path):
    monkeypatch.setattr(handoff, "HANDOFF_DIR", str(tmp_path))
    real = handoff._file_write
    calls: list[str] = []

    def second_fails(path, table):
        calls.append(path)
        return None if len(calls) == 2 else real(path, table)

    monkeypatch.setattr(handoff, "_file_write", second_fails)
    with pytest.raises(MemoryError):
        handoff._columns_write("tf", 0, [_in_pieces()])
    assert len(calls) == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("sizes", [[], [0, 5], ["5"], [10**9], [None]])
def test_column_sizes_from_the_child_are_checked(monkeypatch, tmp_path, sizes):
    monkeypatch.setattr(handoff, "HANDOFF_DIR", str(tmp_path))
    written = handoff._columns_write("tb", 0, [_in_pieces()])
    assert written
    with pytest.raises((ValueError, OSError)):
        handoff._sheet_read("tb", 0, sizes)


SCRIPT = """
import sys
sys.path.insert(0, {root!r})
sys.path.insert(0, {here!r})  # for tiny_blocks below
from data_sources import handoff, sandbox_start
sandbox_start.PRELOAD.append("tiny_blocks")  # the forkserver's child cuts tiny sheets
columns = []
real = handoff._file_read
def counted(path, size):
    columns.append(path)
    return real(path, size)
handoff._file_read = counted
from data_sources.files import read_file
import tiny_blocks  # the same thresholds here, for the whole read below
from data_sources import excel, xlsx_split
tables = read_file({book!r}, sandbox=True)
cut = {{(t.sheet, t.first_row + i, t.first_col + j): v
        for t in tables for j, c in enumerate(t.frame.columns)
        for i, v in enumerate(t.frame[c].tolist()) if v is not None and v == v}}
xlsx_split.SPLIT_BYTES = 10**12
whole = {{(t.sheet, t.first_row + i, t.first_col + j): v
          for t in excel.read_xlsx({book!r}) for j, c in enumerate(t.frame.columns)
          for i, v in enumerate(t.frame[c].tolist()) if v is not None and v == v}}
print("SAME", cut == whole, len(cut))
print("COLUMN-FILES", sum("-c" in p.rsplit("/", 1)[-1] for p in columns))
"""


def test_a_sheet_cut_in_the_sandbox_reaches_the_parent_whole(tmp_path):
    """Through the real forkserver child: a register cut into many blocks arrives with every
    cell in its place, its columns in files of their own."""
    import openpyxl

    book = tmp_path / "ทะเบียน.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["เลขที่", "ข้อสั่งการ", "หน่วยงาน", "สถานะ"])
    for i in range(1, 601):
        wb.active.append([f"2567-{i:03d}", f"ข้อสั่งการที่ {i}", "สำนักงานเขตบางรัก", "ดำเนินการแล้ว"])
    wb.create_sheet("สรุป").append(["รวม", 600])
    wb.save(book)
    (tmp_path / "tiny_blocks.py").write_text(
        "from data_sources import excel, xlsx_split\n"
        "xlsx_split.SPLIT_BYTES = 4096\n"
        "xlsx_split.CHUNK_BYTES = 8192\n"
        "xlsx_split._READ_BYTES = 4096\n"
        "excel.PARALLEL_MAX_BYTES = 0\n",
        encoding="utf-8",
    )
    script = tmp_path / "run.py"
    script.write_text(
        SCRIPT.format(root=str(ROOT), here=str(tmp_path), book=str(book)), encoding="utf-8"
    )
    # the forkserver (Python 3.11) does not take the parent's sys.path: PYTHONPATH it is
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "SAME True 2406" in out.stdout, out.stdout  # 601 rows x 4 + the summary's 2
    assert "COLUMN-FILES 4" in out.stdout, out.stdout  # the register's 4 columns; the summary whole
