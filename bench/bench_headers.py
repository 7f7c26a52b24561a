"""Benchmark header and section detection on a 100,000-row register kept by hand (issue 15).

Run: ``python bench/bench_headers.py [--rows N]``. The workbook (written with xlsxwriter, as
bench_readers.py does, plus two title lines, a two-row header with "ผลการดำเนินการ" merged over
"สถานะ | รายละเอียด", section rows "รอบที่ ๑/๒" and district groups, and the header typed again
after the second round) goes to bench/out/ and is reused while its row count matches.

Measured in process, median of 3: reading the sheet alone (``data_sources.files.read_file``)
against reading + header/section detection + body extraction
(``tracker.read.headers.detect_tables`` + ``tracker.read.body.body_of``). Target: the
detection adds ≤ 10 % to reading.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_readers import COLUMNS, OUT, directive_rows  # noqa: E402

# no round column: the section rows give it
HEADER = [c for c in COLUMNS if c not in ("รอบที่", "สถานะ")]
ZONES = ["กลุ่มกรุงเทพใต้", "กลุ่มกรุงเทพกลาง", "กลุ่มกรุงเทพตะวันออก", "กลุ่มกรุงธนใต้"]


def write_register(path: Path, n: int) -> None:
    import datetime as dt

    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("ทะเบียนข้อสั่งการ")
    date_format = workbook.add_format({"num_format": "d/m/yyyy"})
    sheet.write(0, 0, "สรุปผลการติดตามข้อสั่งการของปลัดกรุงเทพมหานคร")
    sheet.write(1, 0, "ข้อมูล ณ วันที่ ๑๕ มีนาคม ๒๕๖๗")
    r = 2

    def header() -> None:
        nonlocal r
        width = len(HEADER)
        for c, label in enumerate(HEADER):
            sheet.merge_range(r, c, r + 1, c, label)
        sheet.merge_range(r, width, r, width + 1, "ผลการดำเนินการ")
        sheet.write_row(r + 1, width, ["สถานะ", "รายละเอียด"])
        r += 2

    header()
    half = n // 2
    for i, row in enumerate(directive_rows(n)):
        if i in (0, half):
            sheet.write(r, 0, "รอบที่ ๑" if i == 0 else "รอบที่ ๒")
            r += 1
            if i == half:
                header()  # typed again below the second round
        if i % 20_000 == 0:
            sheet.write(r, 0, ZONES[(i // 20_000) % len(ZONES)])
            r += 1
        status = row[COLUMNS.index("สถานะ")]
        values = [v for c, v in zip(COLUMNS, row, strict=True) if c in HEADER]
        values += [status, f"รายงานผลครั้งที่ {i % 7}" if status else ""]
        for c, value in enumerate(values):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, date_format)
            elif value != "":
                sheet.write(r, c, value)
        r += 1
    workbook.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    from data_sources.files import read_file
    from data_sources.memory import use_system_allocator
    from tracker.read.body import body_of
    from tracker.read.headers import detect_tables

    use_system_allocator()  # as the app and the command line do at start
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"hand_register_{args.rows}.xlsx"
    if not path.exists():
        write_register(path, args.rows)

    def read_only() -> int:
        return len(read_file(path, sandbox=False)[0].frame)

    def read_and_detect() -> int:
        raw = read_file(path, sandbox=False)[0]
        kept = 0
        for part, match in detect_tables(raw):
            body, _ = body_of(part, match)
            kept += len(body.frame)
        return kept

    read_and_detect()  # warm up: imports, alias indexes, caches
    wall: dict[str, list[float]] = {"read": [], "read+detect": []}
    cpu: dict[str, list[float]] = {"read": [], "read+detect": []}
    result: dict[str, int] = {}
    for _ in range(3):
        for name, fn in (("read", read_only), ("read+detect", read_and_detect)):
            t0, c0 = time.perf_counter(), time.process_time()
            result[name] = fn()
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    print(f"sheet: {path.name}, {result['read']:,} sheet rows, {result['read+detect']:,} data rows")
    for label, times in (("wall", wall), ("CPU", cpu)):
        read_s = statistics.median(times["read"])
        full_s = statistics.median(times["read+detect"])
        print(
            f"{label:4}: read_file alone {read_s:.3f} s, read + detect_tables + body_of "
            f"{full_s:.3f} s (medians of 3): overhead {100 * (full_s - read_s) / read_s:.1f} % "
            "(target ≤ 10 %)"
        )


if __name__ == "__main__":
    main()
