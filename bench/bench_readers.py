"""Benchmark the workbook and CSV readers on a generated 100,000-row Thai directive register.

Run: ``python bench/bench_readers.py [--rows N] [--quick]``. The workbook is
written to bench/out/ (gitignored) and reused while its row count matches. ``--quick`` skips
the slow pandas/openpyxl baseline. Each reader runs in a fresh child process so that the
peak RSS printed is that reader's own (ru_maxrss of the child), not the benchmark's.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import multiprocessing as mp
import random
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
COLUMNS = [
    "รหัสข้อสั่งการ",
    "ปีงบประมาณ",
    "รอบที่",
    "ผู้สั่งการ",
    "วันที่สั่งการ",
    "กำหนดแล้วเสร็จ",
    "หน่วยรับตรวจ",
    "เขต",
    "ข้อสั่งการ/ข้อเสนอแนะ",
    "ประเภทข้อสั่งการ",
    "ปัจจัยผลกระทบ",
    "สถานะ",
]
DISTRICTS = ["บางนา", "บางกะปิ", "ดินแดง", "จตุจักร", "คลองเตย", "ลาดกระบัง", "บางรัก", "สาทร"]
ISSUERS = ["ปลัดกรุงเทพมหานคร", "ผู้ตรวจราชการกรุงเทพมหานคร"]
GROUPS = [
    "การบริหารจัดการและการวางแผน",
    "บุคลากรและอัตรากำลัง",
    "งบประมาณ การเงิน และรายได้",
    "การให้บริการประชาชนและเรื่องร้องเรียน",
    "ความสะอาดและสิ่งแวดล้อม",
    "โยธา ระบายน้ำ และโครงสร้างพื้นฐาน",
    "การจัดระเบียบทางเท้าและหาบเร่-แผงลอย",
    "ความปลอดภัยและสาธารณภัย",
    "เทคโนโลยีสารสนเทศและข้อมูล",
    "กฎหมาย ระเบียบ และการตรวจสอบ",
]
FACTORS = [
    "ด้านบุคลากร อัตรากำลัง และโครงสร้างของหน่วยงาน",
    "ด้านงบประมาณของหน่วยงาน",
    "ด้านวิธีปฏิบัติงาน การบริหารจัดการภายในหน่วยงานให้เกิดประสิทธิภาพและประสิทธิผล",
    "ด้านเทคโนโลยี ทั้ง software และ hardware ของหน่วยงาน",
    "ด้านกฎหมาย ระเบียบ คำสั่ง ข้อสั่งการต่างๆ ในการดำเนินงานของหน่วยงาน",
]
STATUSES = ["ดำเนินการแล้ว", "อยู่ระหว่างการดำเนินการ", "ไม่สามารถดำเนินการได้", ""]
TEXT = (
    "ให้สำนักงานเขตเร่งรัดการจัดเก็บขยะมูลฝอยและทำความสะอาดพื้นที่สาธารณะ "
    "ตรวจสอบท่อระบายน้ำก่อนฤดูฝน และรายงานผลการดำเนินการต่อผู้ตรวจราชการภายในกำหนด"
)


def directive_rows(n: int, seed: int = 2567) -> list[list[object]]:
    """Make n directive rows with real dates, Thai text and Forms-style factor lists."""
    rng = random.Random(seed)
    start = dt.datetime(2023, 10, 1)
    rows: list[list[object]] = []
    for i in range(n):
        district = DISTRICTS[i % len(DISTRICTS)]
        issued = start + dt.timedelta(days=rng.randrange(360))
        factors = ", ".join(rng.sample(FACTORS, rng.randrange(0, 4)))
        rows.append(
            [
                f"ขส-2567-{i + 1:06d}",
                2567,
                1 + i % 2,
                ISSUERS[i % 2],
                issued,
                (issued + dt.timedelta(days=90)).date(),
                f"สำนักงานเขต{district}",
                district,
                f"{TEXT} (ครั้งที่ {i + 1})",
                GROUPS[i % len(GROUPS)],
                factors,
                STATUSES[rng.randrange(len(STATUSES))],
            ]
        )
    return rows


def write_workbook(path: Path, n: int) -> float:
    """Write the register with xlsxwriter (shared strings, as Excel writes them); return seconds."""
    import xlsxwriter

    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("ข้อสั่งการ")
    date_format = workbook.add_format({"num_format": "d/m/yyyy"})
    sheet.write_row(0, 0, COLUMNS)
    for r, row in enumerate(directive_rows(n), start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, date_format)
            elif value == "":
                continue
            else:
                sheet.write(r, c, value)
    workbook.close()
    return time.perf_counter() - started


def write_csv(path: Path, n: int) -> None:
    """Write the same register as UTF-8 CSV (for the CSV reader timings)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(directive_rows(n))
    path.write_bytes(buffer.getvalue().encode("utf-8"))


# --- readers under test: each returns (rows, columns) so results can be cross-checked ---


def run_pandas_openpyxl(path: Path) -> tuple[int, int]:
    import pandas as pd

    frame = pd.read_excel(path, engine="openpyxl", header=None, dtype=str)
    return frame.shape


def run_calamine_to_python(path: Path) -> tuple[int, int]:
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = workbook.get_sheet_by_index(0).to_python()
    return len(rows), len(rows[0])


def run_calamine_as_text(path: Path) -> tuple[int, int]:
    """python-calamine plus the float/date -> text formatting we would have to add."""
    import pandas as pd
    import python_calamine

    def text(value: object) -> str | None:
        if value == "":
            return None
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = workbook.get_sheet_by_index(0).to_python()
    frame = pd.DataFrame([[text(v) for v in row] for row in rows], dtype="str")
    return frame.shape


def run_fastexcel_bare(path: Path) -> tuple[int, int]:
    import fastexcel

    reader = fastexcel.read_excel(path)
    frame = reader.load_sheet(0, header_row=None, dtypes="string").to_pandas()
    return frame.shape


def run_read_file_inprocess(path: Path) -> tuple[int, int]:
    from data_sources.files import read_file

    return read_file(path, sandbox=False)[0].frame.shape


def run_read_file_sandboxed(path: Path) -> tuple[int, int]:
    from data_sources.files import read_file

    return read_file(path, sandbox=True)[0].frame.shape


def run_sandbox_child(path: Path) -> dict:
    """The sandbox child's own figures: parse + Arrow serialisation time, and its peak RSS."""
    from data_sources import guard

    stats: dict = {}
    sheets = guard.parse_in_sandbox(path.read_bytes(), path.name, stats=stats)
    shape = (sheets[0].table.num_rows, sheets[0].table.num_columns)
    return {"shape": shape, "seconds": stats["child_seconds"], "peak": stats["child_peak_rss_kib"]}


def run_csv_stdlib(path: Path) -> tuple[int, int]:
    import pandas as pd

    text = path.read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    frame = pd.DataFrame(rows, dtype="str")
    return frame.shape


def run_csv_pyarrow(path: Path) -> tuple[int, int]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    data = path.read_bytes()
    ncols = len(COLUMNS)
    table = pacsv.read_csv(
        pa.py_buffer(data),
        read_options=pacsv.ReadOptions(autogenerate_column_names=True),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={f"f{j}": pa.string() for j in range(ncols)},
            strings_can_be_null=True,
        ),
    )
    return table.to_pandas().shape


def run_read_file_csv(path: Path) -> tuple[int, int]:
    from data_sources.files import read_file

    return read_file(path, sandbox=False, max_bytes=1 << 30)[0].frame.shape


Reader = Callable[[Path], "tuple[int, int] | dict"]


def _child(func: Reader, path: Path, repeat: int, warmup: bool, queue: mp.Queue) -> None:
    # Import everything first so that timings are of reading, not of importing.
    import fastexcel  # noqa: F401
    import openpyxl  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow.csv  # noqa: F401
    import python_calamine  # noqa: F401

    import data_sources.files  # noqa: F401

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if warmup:
        func(path)
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func(path)
        seconds = time.perf_counter() - started
        if isinstance(result, dict):
            seconds = result["seconds"]
        best = min(best, seconds)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if isinstance(result, dict):
        queue.put((best, result["shape"], result["peak"], None))
    else:
        queue.put((best, result, peak, peak - baseline))


def measure(func: Reader, path: Path, repeat: int = 1, warmup: bool = False) -> tuple:
    """Run func(path) in a fresh spawned process; best seconds, shape, peak and added RSS (KiB)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_child, args=(func, path, repeat, warmup, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main(argv: list[str] | None = None) -> None:
    from data_sources.memory import use_system_allocator

    use_system_allocator()  # as the app and the command line do at start
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N (fast readers)")
    parser.add_argument("--quick", action="store_true", help="skip the pandas/openpyxl baseline")
    args = parser.parse_args(argv)

    OUT.mkdir(parents=True, exist_ok=True)
    xlsx = OUT / f"directives_{args.rows}.xlsx"
    csv_path = OUT / f"directives_{args.rows}.csv"
    if not xlsx.exists():
        seconds = write_workbook(xlsx, args.rows)
        print(f"wrote {xlsx.name} in {seconds:.1f} s")
    if not csv_path.exists():
        write_csv(csv_path, args.rows)
    print(
        f"{args.rows:,} rows x {len(COLUMNS)} columns: workbook {xlsx.stat().st_size / 1e6:.1f} MB,"
        f" csv {csv_path.stat().st_size / 1e6:.1f} MB; best of {args.repeat} unless noted"
    )

    n = args.repeat
    cases: list[tuple[str, Reader, Path, int, bool]] = []
    if not args.quick:
        cases.append(("pandas.read_excel(openpyxl) x1", run_pandas_openpyxl, xlsx, 1, False))
    cases += [
        ("python-calamine to_python", run_calamine_to_python, xlsx, n, False),
        ("python-calamine -> text frame", run_calamine_as_text, xlsx, n, False),
        ("fastexcel -> pandas (floor)", run_fastexcel_bare, xlsx, n, False),
        ("read_file sandbox=False", run_read_file_inprocess, xlsx, n, False),
        ("read_file sandbox=True 1st call", run_read_file_sandboxed, xlsx, 1, False),
        ("read_file sandbox=True warm", run_read_file_sandboxed, xlsx, n, True),
        ("  of which sandbox child", run_sandbox_child, xlsx, n, True),
        ("csv: stdlib csv -> frame", run_csv_stdlib, csv_path, n, False),
        ("csv: pyarrow.csv -> frame", run_csv_pyarrow, csv_path, n, False),
        ("csv: read_file", run_read_file_csv, csv_path, n, False),
    ]
    header = (
        f"{'reader':<34} {'seconds':>8} {'rows x cols':>14} {'peak RSS MB':>12} {'added MB':>9}"
    )
    print(f"\n{header}\n{'-' * len(header)}")
    seconds_of: dict[str, float] = {}
    for label, func, path, repeat, warmup in cases:
        seconds, shape, peak, added = measure(func, path, repeat, warmup)
        seconds_of[label] = seconds
        added_text = "-" if added is None else f"{added / 1024:.0f}"
        print(
            f"{label:<34} {seconds:>8.2f} {f'{shape[0]} x {shape[1]}':>14} "
            f"{peak / 1024:>12.0f} {added_text:>9}"
        )
    overhead = seconds_of["read_file sandbox=True warm"] - seconds_of["read_file sandbox=False"]
    print(
        f"\nsandbox overhead (warm): {overhead:+.2f} s per file."
        "\nseconds exclude imports. peak RSS: ru_maxrss of the process calling the reader"
        " (interpreter and imports included); 'added' is what reading added over the imports."
        " The sandbox child row shows the child's own parse time and peak RSS."
    )


if __name__ == "__main__":
    main()
