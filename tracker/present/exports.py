"""Safe downloads of any table the pages show: xlsx and CSV that never run anything in Excel.

A spreadsheet program treats a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula (CSV injection). Every table a user can download goes through
here instead of the browser's built-in export (which the app switches off,
``client.disableDataExport``):

- xlsx: text cells are written as text (never formulas), numbers as numbers, dates as real
  date cells; the same text comes back when the file is read.
- CSV: UTF-8 with a BOM (so Excel opens Thai correctly); a text cell that would start a
  formula gets a leading apostrophe, the guard spreadsheet programs recognise; numbers
  (negative ones included) stay numbers.

The filters the table was made with go in the first rows ("ตัวกรอง: …"). No Streamlit here.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from datetime import date, datetime

import numpy as np
import pandas as pd
import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_SHEET_NAME = 31


def neutralise(text: str) -> str:
    """``text`` made inert for a CSV cell: an apostrophe before a formula start."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value: object) -> object:
    """A frame value as a plain Python value: None for missing, numbers, dates or text."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _rows(df: pd.DataFrame) -> list[list[object]]:
    return [[_cell(v) for v in row] for row in df.astype(object).itertuples(index=False)]


def csv_bytes(df: pd.DataFrame, filters: Sequence[str] = ()) -> bytes:
    """The table as CSV (UTF-8 with BOM), filters first, every formula start neutralised."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for line in filters:
        writer.writerow([neutralise(str(line))])
    if filters:
        writer.writerow([])
    writer.writerow([neutralise(str(c)) for c in df.columns])
    for row in _rows(df):
        out = []
        for v in row:
            if v is None:
                out.append("")
            elif isinstance(v, bool):
                out.append("TRUE" if v else "FALSE")
            elif isinstance(v, int | float):
                out.append(repr(v) if isinstance(v, float) else str(v))
            elif isinstance(v, datetime):
                out.append(
                    v.strftime("%Y-%m-%d %H:%M:%S")
                    if v.time() != datetime.min.time()
                    else v.strftime("%Y-%m-%d")
                )
            elif isinstance(v, date):
                out.append(v.isoformat())
            else:
                out.append(neutralise(str(v)))
        writer.writerow(out)
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")


def xlsx_bytes(df: pd.DataFrame, filters: Sequence[str] = (), sheet: str = "ข้อมูล") -> bytes:
    """The table as an xlsx: text as text (never a formula), numbers, real dates, filters
    in the first rows, the header bold and frozen."""
    buf = io.BytesIO()
    wb = _workbook(buf)
    ws = wb.add_worksheet(_sheet_name(sheet))
    head = wb.add_format({"bold": True, "bg_color": "#dbe7f6", "border": 1})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    r = 0
    for line in filters:
        ws.write_string(r, 0, str(line))
        r += 1
    if filters:
        r += 1
    for j, c in enumerate(df.columns):
        ws.write_string(r, j, str(c), head)
    header_row = r
    for row in _rows(df):
        r += 1
        for j, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, bool):
                ws.write_boolean(r, j, v)
            elif isinstance(v, int | float):
                if isinstance(v, float) and not math.isfinite(v):
                    ws.write_string(r, j, str(v))
                else:
                    ws.write_number(r, j, v)
            elif isinstance(v, datetime):
                if v.tzinfo is not None:
                    v = v.replace(tzinfo=None)
                ws.write_datetime(r, j, v, stamp if v.time() != datetime.min.time() else day)
            elif isinstance(v, date):
                ws.write_datetime(r, j, datetime(v.year, v.month, v.day), day)
            else:
                ws.write_string(r, j, str(v))
    ws.freeze_panes(header_row + 1, 0)
    for j, c in enumerate(df.columns):
        ws.set_column(j, j, min(60, max(10, len(str(c)) + 4)))
    wb.close()
    return buf.getvalue()


def _workbook(buf: io.BytesIO) -> xlsxwriter.Workbook:
    """An in-memory workbook that never turns a string into a formula, a link or a number."""
    return xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )


def cells_xlsx(sheets: Sequence[tuple[str, int, int, pd.DataFrame]]) -> bytes:
    """Sheets of text cells put back where they were read (name, first Excel row, first
    column index, cells): a corrected copy of an upload. Every cell is written as text."""
    buf = io.BytesIO()
    wb = _workbook(buf)
    used: set[str] = set()
    for name, first_row, first_col, frame in sheets:
        title = _sheet_name(name)
        n = 2
        while title in used:  # two files with a sheet of the same name
            title = f"{_sheet_name(name)[: MAX_SHEET_NAME - 4]} ({n})"
            n += 1
        used.add(title)
        ws = wb.add_worksheet(title)
        for i, row in enumerate(_rows(frame)):
            for j, v in enumerate(row):
                if v is not None and str(v) != "":
                    ws.write_string(first_row - 1 + i, first_col + j, str(v))
    wb.close()
    return buf.getvalue()


def _sheet_name(name: str) -> str:
    clean = "".join(ch for ch in name if ch not in "[]:*?/\\").strip() or "data"
    return clean[:MAX_SHEET_NAME]
