"""Read workbooks (.xlsx, .xls, .ods) into RawTables: every cell as text, true Excel positions.

The reader is fastexcel (calamine in Rust, Arrow out): measured fastest of fastexcel,
python-calamine and openpyxl (see bench/bench_readers.py). Cells are read with
``dtypes="string"`` so calamine formats them: 12203500.0 -> "12203500", 1.5 -> "1.5",
dates -> "2023-11-23 00:00:00", booleans -> "true"/"false", error cells -> "#DIV/0!" etc.;
empty cells are missing. Number formats are not applied (a 33.55 % cell reads "0.3355").

This module parses only; it performs no safety checks. Untrusted input goes through
``data_sources.files.read_file``, which checks the file and parses it in a sandboxed child.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import pyarrow as pa
import pyarrow.compute as pc

from data_sources import xlsx_split
from data_sources.base import RawTable, UnreadableFile

HIDDEN_SHEET_NOTE = "hidden sheet / ชีตนี้ถูกซ่อน"


@dataclass
class SheetArrow:
    """One parsed sheet as an Arrow table (columns "0".."n-1"), before conversion to pandas."""

    sheet: str
    table: pa.Table
    first_row: int = 1
    first_col: int = 0
    notes: list[str] = field(default_factory=list)


# Sheets are parsed in two threads (calamine releases the GIL; each thread has its own reader,
# since a sheet borrows its reader) when two CPUs are there and the workbook is at most this big:
# the second reader holds its own copy of the shared strings.
PARALLEL_MAX_BYTES = 64 * 2**20


def parse_workbook(source: bytes | str, name: str) -> list[SheetArrow]:
    """Parse every sheet of a workbook (its bytes, or a path) into Arrow tables (empty ones
    0 x 0)."""
    return list(iter_workbook(source, name))


def iter_workbook(source: bytes | str, name: str) -> Iterator[SheetArrow]:
    """The sheets of a workbook (its bytes, or a path), parsed one after the other.

    A big workbook (over PARALLEL_MAX_BYTES) is parsed one sheet at a time, so that the
    caller can hand each sheet on and let it go before the next is parsed: only one sheet's
    cells are in memory at once. Smaller ones are parsed two sheets at a time (see below).
    """
    size = len(source) if isinstance(source, bytes) else os.path.getsize(source)
    try:
        reader = fastexcel.read_excel(source)
    except fastexcel.FastExcelError as exc:
        raise _parse_error(name, exc) from None
    names = list(reader.sheet_names)
    cut = xlsx_split.sheets_to_cut(source) if size > PARALLEL_MAX_BYTES else []
    if cut:
        yield from _iter_split(reader, source, name, names, cut)
        return
    if len(names) < 2 or size > PARALLEL_MAX_BYTES or _cpus() < 2:
        for index, sheet in enumerate(names):
            yield _parse_sheet(reader, index, sheet, name)
        return
    yield from _parse_in_two_threads(reader, source, names, name)


def _iter_split(
    reader: fastexcel.ExcelReader, source: bytes | str, name: str, names: list[str], cut: list[int]
) -> Iterator[SheetArrow]:
    """The sheets of a workbook with sheets too big to hold whole (``cut``): those are read
    in row blocks, cut by a thread one block ahead (``xlsx_split``), and joined."""
    writer = xlsx_split.BlockWriter(source, cut)
    try:
        for index, sheet in enumerate(names):
            if index not in cut:
                yield _parse_sheet(reader, index, sheet, name)
                continue
            try:
                parsed = _parse_blocks(writer.blocks(index), index, sheet, name)
            except (xlsx_split.NotSplittable, _BlocksDisagree):
                parsed = _parse_sheet(reader, index, sheet, name)  # read it whole
            yield parsed
            del parsed  # the caller has handed it on: not held while the next sheet is read
    finally:
        writer.close()


class _BlocksDisagree(Exception):
    """A sheet's row blocks overlap (rows out of order inside a block)."""


def _parse_blocks(
    blocks: Iterator[xlsx_split.Block], index: int, sheet_name: str, name: str
) -> SheetArrow:
    """One sheet read from its row blocks (see ``xlsx_split``), joined with true positions."""
    pieces: list[tuple[int, int, pa.Table]] = []  # Excel row and column of cell (0, 0), cells
    notes: list[str] = []
    for block in blocks:
        with contextlib.closing(block):
            try:
                reader = fastexcel.read_excel(block.path)
            except fastexcel.FastExcelError as exc:
                raise _parse_error(name, exc, sheet_name) from None
            # the first block as any sheet (from row 1); the others from their marker row
            sheet, columns, cells = _loaded(
                reader, index, sheet_name, name, skip_rows=None if block.marker else 0
            )
        if not block.marker and not _is_visible(sheet):
            notes.append(HIDDEN_SHEET_NOTE)
        if cells is None:
            continue
        table = _owned(cells)
        del cells, sheet
        first_col = columns[0].absolute_index
        if not block.marker:
            pieces.append((1, first_col, table))
            continue
        if first_col != 0 or table.column(0)[0].as_py() != xlsx_split.MARKER_TEXT:
            raise _BlocksDisagree  # a row above the marker: the block is not where it seemed
        pieces.append((block.marker + 1, first_col, table.slice(1)))  # without the marker row
    table, first_col = _joined(pieces)
    table, skipped = drop_leading_empty_rows(table)
    if table.num_rows == 0:
        return SheetArrow(sheet=sheet_name, table=pa.table({}), notes=notes)
    return SheetArrow(
        sheet=sheet_name, table=table, first_row=1 + skipped, first_col=first_col, notes=notes
    )


def _owned(table: pa.Table) -> pa.Table:
    """``table`` copied into arrays of its own: the reader's batch is one allocation that
    goes back only when all its columns have gone, so the hand-over (``handoff._columns_write``)
    could not give the blocks' columns back one by one (measured: 450 MB more at 1M)."""
    return pa.table(
        [pa.concat_arrays(column.chunks) for column in table.columns], names=table.column_names
    )


def _joined(pieces: list[tuple[int, int, pa.Table]]) -> tuple[pa.Table, int]:
    """Row blocks as one table from Excel row 1 (gaps as empty rows), and its first column.

    Columns stay in pieces (one per block): the sandbox joins each as it hands it over
    (``handoff._columns_write``), never the whole sheet at once.
    """
    if not pieces:
        return pa.table({}), 0
    starts = [pieces[0][1]]
    for _, first_col, table in pieces[1:]:
        filled = [j for j, column in enumerate(table.columns) if column.null_count < len(column)]
        if filled:
            starts.append(first_col + filled[0])
    left = min(starts)
    right = max(first_col + table.num_columns for _, first_col, table in pieces)
    runs: list[list[pa.Array]] = [[] for _ in range(left, right)]
    next_row = 1
    for first_row, first_col, table in pieces:
        if first_row < next_row:  # the block before reaches into this one
            raise _BlocksDisagree
        gap = first_row - next_row
        for c, run in enumerate(runs, start=left):
            if gap:
                run.append(pa.nulls(gap, pa.string()))
            j = c - first_col
            if 0 <= j < table.num_columns:
                run.extend(table.column(j).chunks)
            else:
                run.append(pa.nulls(table.num_rows, pa.string()))
        next_row = first_row + table.num_rows
    columns = [pa.chunked_array(run, type=pa.string()) for run in runs]
    return pa.table(columns, names=[str(j) for j in range(len(columns))]), left


def _parse_in_two_threads(
    reader: fastexcel.ExcelReader, source: bytes | str, names: list[str], name: str
) -> list[SheetArrow]:
    results: dict[int, SheetArrow | BaseException] = {}
    todo = iter(range(len(names)))
    lock = threading.Lock()

    def work(own: fastexcel.ExcelReader | None) -> None:
        try:
            mine = own if own is not None else fastexcel.read_excel(source)
        except BaseException as exc:  # pyo3 panics derive from BaseException
            mine, failed = None, exc
        while True:
            with lock:
                index = next(todo, None)
            if index is None:
                return
            if mine is None:
                results[index] = failed
                continue
            try:
                results[index] = _parse_sheet(mine, index, names[index], name)
            except BaseException as exc:  # raised below, in sheet order
                results[index] = exc

    helper = threading.Thread(target=work, args=(None,), daemon=True)
    helper.start()
    work(reader)
    helper.join()
    sheets: list[SheetArrow] = []
    for index in range(len(names)):
        outcome = results[index]
        if isinstance(outcome, BaseException):
            raise outcome
        sheets.append(outcome)
    return sheets


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _parse_sheet(
    reader: fastexcel.ExcelReader, index: int, sheet_name: str, name: str
) -> SheetArrow:
    """Sheet ``index`` of ``reader`` as a SheetArrow (empty: 0 x 0)."""
    # skip_rows=0: keep leading empty rows so that row i of the result is Excel row i + 1
    # (calamine otherwise starts at the first non-empty row and does not say which one it was)
    sheet, columns, cells = _loaded(reader, index, sheet_name, name, skip_rows=0)
    if cells is None:
        return _empty_sheet(sheet_name, sheet)
    table, skipped = drop_leading_empty_rows(cells)
    if table.num_rows == 0:
        return _empty_sheet(sheet_name, sheet)
    table = table.rename_columns([str(j) for j in range(table.num_columns)])
    notes = [] if _is_visible(sheet) else [HIDDEN_SHEET_NOTE]
    return SheetArrow(
        sheet=sheet_name,
        table=table,
        first_row=1 + skipped,
        first_col=columns[0].absolute_index,
        notes=notes,
    )


def _loaded(
    reader: fastexcel.ExcelReader, index: int, sheet_name: str, name: str, skip_rows: int | None
) -> tuple[fastexcel.ExcelSheet, list, pa.Table | None]:
    """Sheet ``index`` read as text without a header: the sheet, its columns and its cells
    (error cells as their Excel text), or None for the cells of an empty sheet."""
    try:
        sheet = reader.load_sheet(index, header_row=None, skip_rows=skip_rows, dtypes="string")
        columns = sheet.available_columns()
        if not columns or sheet.height == 0:
            return sheet, columns, None
        batch, errors = sheet.to_arrow_with_errors()
    except fastexcel.FastExcelError as exc:
        raise _parse_error(name, exc, sheet_name) from None
    return sheet, columns, _with_error_texts(pa.Table.from_batches([batch]), errors)


def has_data(sheets: list[SheetArrow]) -> bool:
    """Whether any sheet holds at least one cell."""
    return any(sheet.table.num_rows for sheet in sheets)


def _empty_sheet(sheet_name: str, sheet: fastexcel.ExcelSheet) -> SheetArrow:
    """An empty sheet is kept (0 x 0 frame) so that callers can say which sheet was empty."""
    notes = [] if _is_visible(sheet) else [HIDDEN_SHEET_NOTE]
    return SheetArrow(sheet=sheet_name, table=pa.table({}), notes=notes)


def to_raw_table(source: str, sheet: SheetArrow) -> RawTable:
    """Convert a parsed sheet to a RawTable with columns 0..n-1 of pandas string dtype."""
    import pandas as pd  # here, not above: the sandbox's server and child never need pandas

    frame = sheet.table.to_pandas()
    frame.columns = pd.RangeIndex(frame.shape[1])
    return RawTable(
        source=source,
        sheet=sheet.sheet,
        frame=frame,
        first_row=sheet.first_row,
        first_col=sheet.first_col,
        notes=list(sheet.notes),
    )


def read_xlsx(path_or_bytes: str | Path | bytes, name: str | None = None) -> list[RawTable]:
    """Read a trusted .xlsx/.xls/.ods in-process: one RawTable per sheet (empty ones 0 x 0).

    No size, zip or macro checks and no sandbox: use ``files.read_file`` for uploads.
    """
    if isinstance(path_or_bytes, bytes):
        if name is None:
            raise ValueError("name is required when reading bytes")
        data = path_or_bytes
    else:
        path = Path(path_or_bytes)
        name = name or path.name
        data = path.read_bytes()
    return [to_raw_table(name, sheet) for sheet in parse_workbook(data, name)]


# pa.scalar(True) imports pandas (~0.3 s in every sandbox child, which needs none of it)
_TRUE = pc.is_null(pa.nulls(1, pa.bool_()))[0]


def drop_leading_empty_rows(table: pa.Table) -> tuple[pa.Table, int]:
    """Remove all-empty rows above the first cell with a value; return the table and count."""
    first = table.num_rows
    for column in table.columns:
        if column.null_count == len(column):
            continue
        position = pc.index(pc.is_valid(column), _TRUE).as_py()
        if 0 <= position < first:
            first = position
            if first == 0:
                break
    return table.slice(first), first


_ERROR_TEXT = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
    "GettingData": "#GETTING_DATA",
}
_ERROR_DETAIL = re.compile(r"Error\((\w+)\)")


def _with_error_texts(table: pa.Table, errors: fastexcel.CellErrors | None) -> pa.Table:
    """Put Excel's error text (#DIV/0!, #N/A, ...) in error cells instead of leaving them empty.

    Validation can then say "#DIV/0! is not a number" at the right cell rather than
    treating a broken formula as a blank.
    """
    if not errors or not errors.errors:
        return table
    fixes: dict[int, dict[int, str]] = {}
    for error in errors.errors:
        match = _ERROR_DETAIL.search(error.detail)
        text = _ERROR_TEXT.get(match.group(1), f"#{match.group(1)}") if match else "#ERROR"
        row, col = error.position
        fixes.setdefault(col, {})[row] = text
    columns = list(table.columns)
    for col, rows in fixes.items():
        if 0 <= col < len(columns):
            values = columns[col].to_pylist()
            for row, text in rows.items():
                if 0 <= row < len(values):
                    values[row] = text
            columns[col] = pa.chunked_array([pa.array(values, type=pa.string())])
    return pa.table(columns, names=table.column_names)


def _is_visible(sheet: fastexcel.ExcelSheet) -> bool:
    """Whether the sheet is visible in Excel (hidden and very hidden sheets are still read)."""
    return str(sheet.visible).lower() == "visible"


def _parse_error(name: str, exc: Exception, sheet: str | None = None) -> UnreadableFile:
    """Map a reader error to UnreadableFile (password-protected .xls -> encrypted)."""
    detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    if "password" in detail.lower() or "encrypt" in detail.lower():
        return UnreadableFile(name, "encrypted", variant="workbook_password")
    if sheet:
        return UnreadableFile(
            name, "parse_failed", variant="workbook_sheet", sheet=sheet, detail=detail
        )
    return UnreadableFile(name, "parse_failed", variant="workbook", detail=detail)
