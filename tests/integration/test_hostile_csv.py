"""CSV files as attackers and careless people make them: every one ends with a clear refusal
or a report, quickly, parsed in the memory-capped sandbox; none takes the server's memory.

Files are written here as plain text (never by the project's sample writer).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pandas as pd
import pytest

from data_sources import csv_file
from data_sources.base import UnreadableFile
from data_sources.files import read_file
from tracker.read.loader import build_dataset

HEADER = "รหัส,ปีงบประมาณ,หน่วยรับตรวจ,ข้อสั่งการ,สถานะ\n"
BODY = "ให้หน่วยงานเร่งรัดการดำเนินการตามแผนและรายงานผลความก้าวหน้าให้ผู้ตรวจราชการทราบ"


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def register_csv(rows: int, *, text: str = BODY) -> bytes:
    """A register typed in Excel and saved as CSV UTF-8 (with BOM), Thai text, quoted cells."""
    out = [HEADER]
    statuses = ["ดำเนินการแล้ว", "อยู่ระหว่างการดำเนินการ", "", "ไม่สามารถดำเนินการได้"]
    for i in range(rows):
        out.append(f'67-{i:06d},2567,สำนักงานเขตบางนา,"{text} ข้อ {i}",{statuses[i % 4]}\n')
    return "\ufeff".encode() + "".join(out).encode("utf-8")


def test_a_csv_larger_than_one_parse_block_reads_whole_in_the_sandbox():
    data = register_csv(75_000, text=BODY + " (ฉบับปรับปรุง)")
    assert len(data) > 17 * 1024 * 1024  # more than pyarrow's 16 MiB block
    [table] = read_file(data, "ทะเบียนใหญ่.csv", max_bytes=40 * 1024 * 1024)
    ds = build_dataset([table])
    assert len(ds.directives) == 75_000
    assert not [i for i in ds.issues if i.severity == "error"], ds.issues[:3]
    assert ds.directives["directive_id"].iat[-1] == "67-074999"


def test_a_tiny_parse_block_gives_the_same_dataset(monkeypatch):
    data = register_csv(400)
    [whole] = read_file(data, "r.csv", sandbox=False)
    monkeypatch.setattr(csv_file, "BLOCK_SIZE", 1024)  # ~50 blocks: many chunks per column
    [chunked] = read_file(data, "r.csv", sandbox=False)
    a, b = build_dataset([whole]), build_dataset([chunked])
    pd.testing.assert_frame_equal(a.directives, b.directives)
    assert [i.code for i in a.issues] == [i.code for i in b.issues]


def _refused(data: bytes, name: str = "hostile.csv") -> tuple[UnreadableFile, float]:
    started = time.monotonic()
    with pytest.raises(UnreadableFile) as caught:
        read_file(data, name)
    return caught.value, time.monotonic() - started


def test_a_quoted_newline_then_half_a_million_columns_is_refused_in_the_sandbox():
    data = b'"a\nb",' + b"," * 500_000 + b"\n1,2\n"
    before = _rss_mib()
    for _ in range(2):  # twice, as the browser did: the server must not keep anything
        err, seconds = _refused(data)
        assert err.code == "too_large" and "500,002" in err.reason_en, err.reason_en
        assert "คอลัมน์" in err.reason_th
        assert seconds < 15
    assert _rss_mib() - before < 100


def test_a_cell_longer_than_excel_allows_is_refused_naming_row_and_column():
    data = HEADER.encode() + b'67-1,2567,x,"' + "ก".encode() * 40_000 + b'",\n'
    err, seconds = _refused(data, "ยาว.csv")
    assert err.code == "cell_too_long" and seconds < 15
    assert "row 2, column D" in err.reason_en and "แถวที่ 2 คอลัมน์ D" in err.reason_th


def test_more_rows_than_excel_allows_are_refused():
    data = HEADER.encode() + b"1\n" * (1_048_576 + 5)  # the default cap at 20 MB files
    err, seconds = _refused(data)
    assert err.code == "too_large" and "1,048,576" in err.reason_en
    assert seconds < 15


def test_a_million_short_rows_read_or_report_quickly():
    data = HEADER.encode() + b"".join(f"{i},2567,,,\n".encode() for i in range(1_000_000))
    started = time.monotonic()
    [table] = read_file(data, "ล้านแถว.csv", max_bytes=40 * 1024 * 1024)
    ds = build_dataset([table])
    assert time.monotonic() - started < 15
    assert len(ds.directives) + sum(i.severity == "error" for i in ds.issues) > 0


HOSTILE_PIECES = [
    b'"',
    b'""',
    b'"a\nb"',
    b"\r\n",
    b"\n",
    b",",
    b";",
    b"\t",
    b'=HYPERLINK("http://x","y")',
    b"<script>",
    "ก่อน\u200fหลัง".encode(),
    "ก็\u0e48\u0e48".encode(),
    b"\x00",
    b"\xff\xfe",
    b"1e20",
    b"-",
]


@pytest.mark.parametrize("seed", range(12))
def test_generated_hostile_csvs_never_crash_and_end_quickly(seed):
    """Random mixes of quotes, delimiters, newlines, NULs and odd text: each file is either
    refused with a clear reason or read into a report, within 15 s; never an exception."""
    rng = random.Random(seed)
    parts = [HEADER.encode()]
    for _ in range(rng.randint(1, 400)):
        parts.append(b"".join(rng.choice(HOSTILE_PIECES) for _ in range(rng.randint(1, 30))))
        parts.append(rng.choice([b"\n", b"\r\n", b",", b""]))
    if rng.random() < 0.3:
        parts.append(b'"' + b"x" * rng.randint(1, 200_000))  # an unterminated huge field
    data = b"".join(parts)
    started = time.monotonic()
    try:
        tables = read_file(data, f"สุ่ม{seed}.csv")
    except UnreadableFile as exc:
        assert exc.code and exc.reason_th and exc.reason_en
    else:
        ds = build_dataset(tables)
        for issue in ds.issues:
            assert issue.message_th and issue.message_en
    assert time.monotonic() - started < 15


def test_a_mistake_on_every_row_is_listed_1000_times_then_counted():
    rows = "".join(f"67-{i},2567,สำนักการโยธา,ข้อ {i},เสร็จครึ่งหนึ่ง\n" for i in range(1_500))
    [table] = read_file((HEADER + rows).encode(), "ผิดทุกแถว.csv")
    ds = build_dataset([table])
    bad = [i for i in ds.issues if i.code == "unknown_status"]
    more = [i for i in ds.issues if i.code == "more_rows" and i.value == "unknown_status"]
    assert len(bad) == 1_000 and len(more) == 1
    assert "500" in more[0].message_en and "500" in more[0].message_th
    assert more[0].column.startswith("สถานะ")
