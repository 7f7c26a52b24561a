"""Every reader cap follows its setting: a refusal names the setting that would admit the
file, and raising that setting (alone) admits it. Small values keep these fast."""

from __future__ import annotations

import io

import openpyxl
import pytest

import settings
from data_sources.base import UnreadableFile
from data_sources.files import read_file
from tests.conftest import memory_hungry_workbook

MB = 1024 * 1024


def workbook_bytes(rows: int = 3) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["เลขที่", "ข้อสั่งการ"])
    for i in range(rows):
        sheet.append([i + 1, f"ข้อสั่งการที่ {i + 1}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def refused(data: bytes, name: str) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as caught:
        read_file(data, name)
    return caught.value


def assert_names(error: UnreadableFile, code: str, setting: str) -> None:
    assert error.code == code
    assert error.param("setting") == setting
    assert setting in error.reason_th and setting in error.reason_en


@pytest.mark.parametrize(
    ("setting", "small", "data", "name", "code"),
    [
        ("TRACKER_MAX_FILE_MB", "0.001", workbook_bytes(), "ใหญ่.xlsx", "too_large"),
        ("TRACKER_MAX_UNPACKED_MB", "0.001", workbook_bytes(), "แตก.xlsx", "zip_bomb"),
        ("TRACKER_MAX_CSV_ROWS", "3", b"a,b\n1,2\n3,4\n5,6\n", "แถว.csv", "too_large"),
        ("TRACKER_MAX_CSV_COLUMNS", "2", b"a,b,c\n1,2,3\n", "กว้าง.csv", "too_large"),
        ("TRACKER_MAX_CELL_CHARS", "5", "a,b\n1,ยาวเกินหก\n".encode(), "ยาว.csv", "cell_too_long"),
        ("TRACKER_SANDBOX_MEMORY_MB", "64", memory_hungry_workbook(), "จำ.xlsx", "out_of_memory"),
        ("TRACKER_SANDBOX_SECONDS", "0.001", workbook_bytes(), "ช้า.xlsx", "timeout"),
    ],
)
def test_a_refusal_names_its_setting_and_raising_it_admits_the_file(
    monkeypatch: pytest.MonkeyPatch, setting: str, small: str, data: bytes, name: str, code: str
) -> None:
    monkeypatch.setenv(setting, small)
    assert_names(refused(data, name), code, setting)
    monkeypatch.setenv(setting, "100000")
    [table] = read_file(data, name)
    assert table.frame.shape[0] >= 2


def test_the_caps_scale_with_the_file_cap_unless_set_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in settings.SETTINGS:
        if name.startswith(("TRACKER_MAX_", "TRACKER_SANDBOX_")):
            monkeypatch.delenv(name, raising=False)
    small = settings.reader_caps()
    assert (small.file_bytes, small.unpacked_bytes) == (20 * MB, 512 * MB)
    assert (small.sandbox_memory_bytes, small.sandbox_seconds) == (4096 * MB, 60.0)
    assert (small.csv_rows, small.csv_columns, small.cell_chars) == (1_048_576, 16_384, 32_767)
    monkeypatch.setenv("TRACKER_MAX_FILE_MB", "400")
    big = settings.reader_caps()
    # a 253 MB workbook of 1M directives unpacks to 1,652 MB: 400 MB admits it
    assert big.unpacked_bytes == 3200 * MB > 1652 * MB
    assert big.sandbox_memory_bytes == 6400 * MB and big.sandbox_seconds == 200.0
    assert big.csv_rows == 400 * MB // 64
    monkeypatch.setenv("TRACKER_MAX_UNPACKED_MB", "700")
    monkeypatch.setenv("TRACKER_SANDBOX_SECONDS", "30")
    alone = settings.reader_caps()
    assert (alone.unpacked_bytes, alone.sandbox_seconds) == (700 * MB, 30.0)
    assert alone.sandbox_memory_bytes == 6400 * MB


def test_a_cap_that_cannot_be_parsed_is_a_setting_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_SANDBOX_MEMORY_MB", "lots")
    with pytest.raises(settings.SettingError, match="TRACKER_SANDBOX_MEMORY_MB"):
        settings.reader_caps()


def test_a_long_sandbox_time_keeps_a_running_parse_s_handoff_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    """The sweep of leftover handoff files waits at least twice the sandbox's time cap."""
    import os
    import time

    from data_sources import handoff

    monkeypatch.setattr(handoff, "HANDOFF_DIR", str(tmp_path))
    now = time.time()
    running = tmp_path / "tracker-sandbox-running.arrow"
    running.write_bytes(b"x")
    os.utime(running, (now - 1200, now - 1200))  # 20 minutes into a parse
    monkeypatch.setenv("TRACKER_SANDBOX_SECONDS", "1800")
    assert handoff.sweep_stale_handoffs(now) == 0 and running.exists()
    monkeypatch.setenv("TRACKER_SANDBOX_SECONDS", "60")
    assert handoff.sweep_stale_handoffs(now) == 1 and not running.exists()
