"""Hostile files: time, peak memory of the parse (the sandbox child) and the server's memory.

Run: ``.venv/bin/python bench/bench_hostile.py``. Each file is read the way an upload is
(``data_sources.files.read_file``: sandboxed, capped). Targets of issue 13: every file ends
(refused, or read into a report) in ≤ 15 s with the parse's peak ≤ 1 GB, and this process —
the server — back within 100 MB of its baseline afterwards.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from data_sources import guard  # noqa: E402
from data_sources.base import UnreadableFile  # noqa: E402
from data_sources.files import read_file  # noqa: E402
from data_sources.memory import release_memory  # noqa: E402
from tracker.read.loader import build_dataset  # noqa: E402

HEADER = "รหัส,ปีงบประมาณ,หน่วยรับตรวจ,ข้อสั่งการ,สถานะ\n"
TARGETS = {"seconds": 15.0, "child_peak_mb": 1024.0, "server_delta_mb": 100.0}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def files() -> dict[str, object]:
    """Each hostile file's maker (built one at a time, so the bench holds one file at most)."""
    return {name: (lambda name=name: _make(name)) for name in NAMES}


NAMES = (
    "quoted newline + 500,000 columns (1 MB)",
    "one 19 MB quoted field",
    "1,000,000 short rows",
    "mixed delimiters and stray quotes",
    "150,000 quoted multi-line cells",
    "register over the 16 MiB parse block",
    "zip bomb (300 MB of spaces)",
)


def _make(wanted: str) -> bytes:
    quoted_wide = b'"a\nb",' + b"," * 500_000 + b"\n1,2\n"
    huge_field = HEADER.encode() + b'1,2567,x,"' + b"x" * 19_000_000 + b'",\n'
    short_rows = HEADER.encode() + b"".join(f"{i},2567,,,\n".encode() for i in range(1_000_000))
    quote = '"'
    mixed = (
        HEADER + "".join(f"{i};2567\t,x,{quote if i % 7 == 0 else ''}y\n" for i in range(200_000))
    ).encode()
    quoted_newlines = (
        HEADER + "".join(f'{i},2567,x,"บรรทัด 1\nบรรทัด 2\r\nบรรทัด 3",\n' for i in range(150_000))
    ).encode()
    over_block = (
        "\ufeff"
        + HEADER
        + "".join(
            f'67-{i:06d},2567,สำนักงานเขตบางนา,"ให้เร่งรัดการดำเนินการตามแผน ข้อ {i}",ดำเนินการแล้ว\n'
            for i in range(140_000)
        )
    ).encode()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b" " * (300 * 1024 * 1024))
    made = {
        "quoted newline + 500,000 columns (1 MB)": quoted_wide,
        "one 19 MB quoted field": huge_field,
        "1,000,000 short rows": short_rows,
        "mixed delimiters and stray quotes": mixed,
        "150,000 quoted multi-line cells": quoted_newlines,
        "register over the 16 MiB parse block": over_block,
        "zip bomb (300 MB of spaces)": bomb.getvalue(),
    }
    return made[wanted]


def main() -> int:
    failed = False
    # warm up as a running server is: the sandbox started, the whole pipeline imported and used
    warm = read_file(HEADER.encode() + b"1,2567,x,y,\n", "warm.csv")
    build_dataset(warm)
    gc.collect()
    baseline = rss_mb()
    print(f"hostile files; 2 CPUs? {os.cpu_count()}; server baseline {baseline:.0f} MB")
    print(
        f"{'file':<42} {'size MB':>8} {'result':<24} {'s':>6} {'child MB':>9} {'server Δ MB':>11}"
    )
    for name, make in files().items():
        data = make()
        stats: dict = {}
        started = time.monotonic()
        try:
            kind = guard.detect_kind(data, "x.csv" if not data.startswith(b"PK") else "x.xlsx")
            sheets = guard.parse_in_sandbox(
                data, name, stats=stats, kind="csv" if kind == "csv" else "workbook"
            )
            from data_sources.excel import to_raw_table

            ds = build_dataset([to_raw_table(name, s) for s in sheets])
            errors = sum(i.severity == "error" for i in ds.issues)
            result = f"read: {len(ds.directives):,} rows, {errors:,} err"
            del ds, sheets
        except UnreadableFile as exc:
            result = f"refused: {exc.code}"
        seconds = time.monotonic() - started
        size = len(data)
        del data
        gc.collect()
        release_memory()
        delta = rss_mb() - baseline
        child = (stats.get("child_peak_rss_kib") or 0) / 1024
        ok = (
            seconds <= TARGETS["seconds"]
            and child <= TARGETS["child_peak_mb"]
            and delta <= TARGETS["server_delta_mb"]
        )
        failed |= not ok
        print(
            f"{name:<42} {size / 1e6:>8.1f} {result:<24} {seconds:>6.2f} {child:>9.0f} "
            f"{delta:>11.0f} {'ok' if ok else 'OVER'}"
        )
    # read_file is what the upload page calls: the same caps through its public entry point
    with contextlib.suppress(UnreadableFile):
        read_file(_make(NAMES[0]), "again.csv")
    gc.collect()
    release_memory()
    print(f"server after all: {rss_mb() - baseline:+.0f} MB against the baseline")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
