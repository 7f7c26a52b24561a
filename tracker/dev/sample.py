"""Deterministic sample workbooks typed the way the office types them (demos, tests, benchmarks).

One workbook holds the directive register, the Google Forms responses, KPI progress reports
(one sheet per unit and period) and budget disbursement tables (one sheet per as-of date).
Everything comes from ``random.Random(seed)`` and fixed reference dates, so the same seed gives
the same workbook bytes and the same summary.

This writer is the tests' oracle: the files it writes are read back by the readers
(``tracker.read``, ``tracker.checks``, ``data_sources``) and what they find is checked against
the summary returned here. An oracle that shared the readers' code or assumptions would agree
with their mistakes, so nothing in ``tracker/dev/`` imports the readers
(``tests/unit/test_architecture.py`` enforces it), and the sample types its own Thai digits,
BE dates and amounts instead of borrowing the readers' normalisers.

The writer is split by job; every public name stays importable from here:

- ``sample_common``: reference dates, Thai typing helpers, fast random draws, cell formats;
- ``sample_directives``: inspected units, generated directives and responses, their summary;
- ``sample_register``: the register sheet (headers and typed cells);
- ``sample_responses``: the Google Forms responses sheet;
- ``sample_kpi`` and ``sample_kpi_units``: KPI progress reports (and the units they cover);
- ``sample_budget``: budget disbursement sheets;
- this module: the entry points ``write_sample`` and ``write_directives_csv``, and the
  workbook assembly (xlsxwriter writes each sheet's frame, then the big sheets' rows are
  spliced into the package as raw XML, which is what makes 100,000 directives take seconds).
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from tracker.dev.sample_budget import (
    BUDGET_ALLOCATED_HEADER,
    BUDGET_AS_OF,
    BUDGET_DISBURSED_HEADER,
    BUDGET_FISCAL_YEAR,
    BUDGET_OBSTACLE_HEADER,
    BUDGET_RATE_HEADER,
    BUDGET_TYPE_HEADER,
    BUDGET_UNIT_HEADER,
    BUDGET_UNITS,
    _write_budget_sheets,
    budget_as_of_label,
    budget_sheet_name,
)
from tracker.dev.sample_common import (
    AS_OF,
    FISCAL_YEARS,
    MONTHS_FULL_TH,
    MONTHS_SHORT_TH,
    ROUNDS,
    SHAPES,
    _Formats,
    canonical_agency,
    forms_timestamp,
    fy_start,
    th_digits,
)
from tracker.dev.sample_directives import (
    DEPARTMENTS,
    DISTRICT_NAMES,
    ISSUERS,
    UNITS,
    _directive_summary,
    _generate,
    district_zones,
)
from tracker.dev.sample_kpi import (
    DIGITAL_SYSTEMS,
    INNOVATION_STAGES_TH,
    KPI_31_NAME,
    KPI_FISCAL_YEAR,
    KPI_HEADERS_TH,
    KPI_INNOVATION_NAME,
    KPI_PERIOD_PHRASE,
    KPI_TITLE,
    MEETING_APPS,
    PERIODS,
    SEC_11,
    SEC_12,
    SEC_13,
    SEC_31,
    SEC_C1,
    SEC_C2,
    SEC_C3,
    _write_kpi_sheets,
    kpi_sheet_name,
)
from tracker.dev.sample_kpi_units import KPI_UNITS
from tracker.dev.sample_register import (
    REGISTER_HEADER_ROW,
    REGISTER_HEADERS,
    REGISTER_SHEET,
    REGISTER_SUBTITLE,
    REGISTER_TITLE,
    _register_rows,
    _write_register,
)
from tracker.dev.sample_responses import (
    RESPONSE_HEADERS_TH,
    RESPONSES_SHEET,
    _response_rows,
    _write_responses,
)

__all__ = [
    "AS_OF",
    "BUDGET_ALLOCATED_HEADER",
    "BUDGET_AS_OF",
    "BUDGET_DISBURSED_HEADER",
    "BUDGET_FISCAL_YEAR",
    "BUDGET_OBSTACLE_HEADER",
    "BUDGET_RATE_HEADER",
    "BUDGET_TYPE_HEADER",
    "BUDGET_UNITS",
    "BUDGET_UNIT_HEADER",
    "DEPARTMENTS",
    "DIGITAL_SYSTEMS",
    "DISTRICT_NAMES",
    "FISCAL_YEARS",
    "INNOVATION_STAGES_TH",
    "ISSUERS",
    "KPI_31_NAME",
    "KPI_FISCAL_YEAR",
    "KPI_HEADERS_TH",
    "KPI_INNOVATION_NAME",
    "KPI_PERIOD_PHRASE",
    "KPI_TITLE",
    "KPI_UNITS",
    "MEETING_APPS",
    "MONTHS_FULL_TH",
    "MONTHS_SHORT_TH",
    "PERIODS",
    "REGISTER_HEADERS",
    "REGISTER_HEADER_ROW",
    "REGISTER_SHEET",
    "REGISTER_SUBTITLE",
    "REGISTER_TITLE",
    "RESPONSES_SHEET",
    "RESPONSE_HEADERS_TH",
    "ROUNDS",
    "SEC_11",
    "SEC_12",
    "SEC_13",
    "SEC_31",
    "SEC_C1",
    "SEC_C2",
    "SEC_C3",
    "SHAPES",
    "UNITS",
    "budget_as_of_label",
    "budget_sheet_name",
    "canonical_agency",
    "district_zones",
    "forms_timestamp",
    "fy_start",
    "kpi_sheet_name",
    "th_digits",
    "write_directives_csv",
    "write_sample",
]

_CREATED = datetime(2024, 9, 30, 9, 0, 0)  # workbook metadata, fixed for reproducible bytes


_EXCEL_EPOCH = date(1899, 12, 30)


def _rows_xml(rows: Sequence[list[Any]], first_row: int, date_xf: int) -> str:
    """SpreadsheetML <row> elements (inline strings) for ``rows``, the first one at 0-based
    row ``first_row``.

    xlsxwriter spends ~10 µs per cell; this writes the same cells ~10x faster, which is what
    makes a 100,000-directive workbook take seconds.
    """
    letters = [xl_col_to_name(c) for c in range(max((len(r) for r in rows), default=0))]
    parts: list[str] = []
    append = parts.append
    r = first_row  # incremented before use: 1-based row number = 0-based index + 1
    for row in rows:
        r += 1
        rs = str(r)
        append(f'<row r="{rs}">')
        for c, v in enumerate(row):
            if v == "" or v is None:
                continue
            ref = letters[c] + rs
            t = type(v)
            if t is str:
                s = v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                sp = ' xml:space="preserve"' if v[0] == " " or v[-1] == " " else ""
                append(f'<c r="{ref}" t="inlineStr"><is><t{sp}>{s}</t></is></c>')
            elif t is int or t is float:
                append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                append(f'<c r="{ref}" s="{date_xf}"><v>{(v - _EXCEL_EPOCH).days}</v></c>')
        append("</row>")
    return "".join(parts)


def _write_spliced(
    zout: zipfile.ZipFile,
    zi: zipfile.ZipInfo,
    sheet_xml: str,
    patch: tuple[list[list[Any]], int, int],
    date_xf: int,
) -> None:
    """Stream xlsxwriter's sheet XML into ``zout`` with ``rows`` appended to its data."""
    rows, first_row, last_col = patch
    if "<sheetData/>" in sheet_xml:
        sheet_xml = sheet_xml.replace("<sheetData/>", "<sheetData></sheetData>", 1)
    head, sep, tail = sheet_xml.partition("</sheetData>")
    ref = f"A1:{xl_col_to_name(last_col)}{first_row + len(rows)}"
    head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>', head, count=1)
    with zout.open(zi, "w") as fh:
        fh.write(head.encode("utf-8"))
        step = 5000
        for i in range(0, len(rows), step):
            fh.write(_rows_xml(rows[i : i + step], first_row + i, date_xf).encode("utf-8"))
        fh.write((sep + tail).encode("utf-8"))


def _package(
    src: io.BytesIO, out: Path, patches: dict[str, tuple[list[list[Any]], int, int]], date_xf: int
) -> None:
    """Copy xlsxwriter's package to ``out`` with the big sheets' rows spliced in."""
    with (
        zipfile.ZipFile(src) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=_ZIP_LEVEL) as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info.filename)
            zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            # ZipFile.open(zinfo, "w") ignores the archive's level; set it on the entry
            # (``compress_level`` from Python 3.13, ``_compresslevel`` before).
            if hasattr(zi, "compress_level"):
                zi.compress_level = _ZIP_LEVEL
            else:
                zi._compresslevel = _ZIP_LEVEL  # type: ignore[attr-defined]  # Python < 3.13
            if info.filename in patches:
                _write_spliced(zout, zi, data.decode("utf-8"), patches[info.filename], date_xf)
            else:
                zout.writestr(zi, data, compresslevel=_ZIP_LEVEL)


_ZIP_LEVEL = 1  # fast; the sample is rewritten often (benchmarks) and size matters little


def _summary_base(seed: int, shape: str) -> dict[str, Any]:
    return {"seed": seed, "as_of": AS_OF.isoformat(), "shape": shape}


def write_sample(
    out_path: str | Path,
    *,
    directives: int = 400,
    seed: int = 7,
    include_kpis: bool = True,
    include_budget: bool = True,
    shape: str = "both",
) -> dict[str, Any]:
    """Write a realistic sample workbook and return a JSON-ready summary of what it holds.

    ``shape``: "both" (FY 2566 status in the register, FY 2567 status from Forms responses),
    "one_sheet" (every status in the register, no responses sheet) or "forms" (every status
    from responses). The summary's directive counts use each directive's effective status.
    """
    items = _generate(directives, seed, shape)
    rng = random.Random(f"{seed}:cells")
    register = _register_rows(rng, items)
    responses, swapped = _response_rows(rng, items)

    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties(
        {
            "title": REGISTER_TITLE,
            "author": "tracker sample",
            "company": "กองงานผู้ตรวจราชการ สำนักปลัดกรุงเทพมหานคร",
            "created": _CREATED,
        }
    )
    fm = _Formats(wb)
    sheets = [REGISTER_SHEET]
    _write_register(wb, fm, len(register))
    patches = {
        "xl/worksheets/sheet1.xml": (register, REGISTER_HEADER_ROW + 1, len(REGISTER_HEADERS) - 1)
    }
    if shape != "one_sheet":
        _write_responses(wb, fm)
        sheets.append(RESPONSES_SHEET)
        patches["xl/worksheets/sheet2.xml"] = (responses, 1, len(RESPONSE_HEADERS_TH) - 1)
    kpis: list[dict[str, Any]] = []
    budget: list[dict[str, Any]] = []
    if include_kpis:
        kpis = _write_kpi_sheets(wb, fm, random.Random(f"{seed}:kpis"))
        sheets += [kpi_sheet_name(k.short, p) for k in KPI_UNITS for p in PERIODS]
    if include_budget:
        budget = _write_budget_sheets(wb, fm, random.Random(f"{seed}:budget"))
        sheets += [budget_sheet_name(d) for d in BUDGET_AS_OF]
    wb.close()
    _package(buf, out, patches, fm.date.xf_index)

    with_resp = sum(1 for d in items if d.responses)
    return {
        **_summary_base(seed, shape),
        "sheets": sheets,
        "directives": _directive_summary(items, shape),
        "responses": {
            "rows": len(responses),
            "directives_with_response": with_resp,
            "multi_response_directives": sum(1 for d in items if len(d.responses) > 1),
            "out_of_order_directives": swapped,
        },
        "kpis": kpis,
        "budget": budget,
    }


def write_directives_csv(
    out_path: str | Path,
    *,
    directives: int = 400,
    seed: int = 7,
    encoding: str = "utf-8-sig",
) -> dict[str, Any]:
    """Write the one-sheet shape (header + one row per directive, status column filled) as CSV.

    Dates are text as a Google Sheets export shows them; ``encoding="cp874"`` gives the
    Windows-874 file older Thai Excel saves (every character is encodable, strictly).
    """
    items = _generate(directives, seed, "one_sheet")
    rng = random.Random(f"{seed}:cells")
    rows = _register_rows(rng, items, text_dates=True)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding=encoding, errors="strict", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(REGISTER_HEADERS)
        writer.writerows(rows)
    return {
        **_summary_base(seed, "one_sheet"),
        "encoding": encoding,
        "directives": _directive_summary(items, "one_sheet"),
    }
