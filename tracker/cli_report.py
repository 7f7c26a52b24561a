"""`python -m tracker report`: the progress report of one unit (DOCX or PDF) from files or the
current snapshot; with ``--brief``, the executive one-page brief (``tracker.cli_brief``).
Exit 0 written, 1 when the data for that unit and period is missing (named),
2 when a file is unreadable or the arguments are unusable.

``tracker.cli`` registers it with ``add_parser(sub, load, store)`` and hands over its own file
loader and store opener, so this module never imports ``tracker.cli`` (no cycle).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import settings
from tracker.cli_inputs import fiscal_year_arg
from tracker.dataset import Dataset

EXIT_OK, EXIT_MISSING, EXIT_UNREADABLE = 0, 1, 2
FORMATS = ("pdf", "docx")
# tracker.present.report.REPORT_PERIODS (tests/unit/test_cli_parser_imports.py checks
# they agree): the report module is imported by `report` alone, not by every command line's
# parser (issue 20)
REPORT_PERIODS: tuple[str, ...] = ("H1", "Q1", "Q2", "Q3", "Q4")


def _say(message_th: str, message_en: str) -> None:
    sys.stderr.write(f"{message_th}\n{message_en}\n")


def _today() -> date:
    fixed = settings.get("TRACKER_TODAY")
    return fixed if isinstance(fixed, date) else date.today()


def add_parser(sub: Any, load: Callable[..., Any], store: Callable[[], Any]) -> None:
    """The `report` sub-command; ``load(paths)`` reads files (a LoadResult), ``store()`` opens
    the snapshot store."""
    r = sub.add_parser(
        "report",
        help="write the progress report of one unit (DOCX or PDF); exit 0 written, 1 the "
        "data for that unit and period is missing, 2 unreadable",
    )
    r.add_argument("--unit", help="the unit, as the data names it (the progress report)")
    r.add_argument("--fiscal-year", type=fiscal_year_arg, metavar="YEAR")
    r.add_argument("--period", choices=REPORT_PERIODS, help="H1 (half year) or Q1-Q4")
    r.add_argument(
        "--brief",
        action="store_true",
        help="the executive one-page brief (PDF) instead, for --zone/--agency/--fiscal-year",
    )
    r.add_argument(
        "--all-units",
        action="store_true",
        help="the reports of every unit with KPIs for --fiscal-year and --period, as one ZIP "
        "(OUT.zip; --format pdf or docx, default both)",
    )
    r.add_argument("--zone", action="append", default=[], help="brief: a zone (repeatable)")
    r.add_argument("--agency", action="append", default=[], help="brief: a unit (repeatable)")
    r.add_argument("--format", choices=FORMATS, help="default: the extension of OUT")
    r.add_argument(
        "--current", action="store_true", help="use the current published snapshot (no files)"
    )
    r.add_argument("paths", nargs="+", metavar="FILE... OUT", help="input files, then OUT")
    r.set_defaults(func=lambda args: cmd_report(args, load, store))


def _dataset(args: argparse.Namespace, files: list[str], load, store) -> Dataset | None:
    if args.current:
        if files:
            _say("ใช้ --current หรือระบุไฟล์ อย่างใดอย่างหนึ่ง", "Give files or --current, not both.")
            return None
        opened = store()
        sid = opened.current_id()
        if sid is None:
            _say("ยังไม่มีข้อมูลที่เผยแพร่", "Nothing has been published yet.")
            return None
        return Dataset(**opened.load(sid))
    if not files:
        _say("ระบุไฟล์ข้อมูลก่อน OUT หรือใช้ --current", "Give data files before OUT, or --current.")
        return None
    result = load(files)
    if result.unreadable:
        for exc in result.unreadable:
            _say(str(getattr(exc, "message_th", exc)), str(getattr(exc, "message_en", exc)))
        return None
    return result.dataset


def cmd_report(args: argparse.Namespace, load, store) -> int:
    *files, out = args.paths
    if args.brief:
        from tracker.cli_brief import cmd_brief

        return cmd_brief(args, _dataset(args, files, load, store), out, _today())
    if args.all_units:
        return _all_units(args, files, out, load, store)
    if not (args.unit and args.fiscal_year and args.period):
        _say(
            "ระบุ --unit --fiscal-year และ --period (หรือ --brief)",
            "Give --unit, --fiscal-year and --period (or --brief).",
        )
        return EXIT_UNREADABLE
    fmt = args.format or Path(out).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        _say("ระบุ --format pdf หรือ docx", "Give --format pdf or docx (or OUT ending so).")
        return EXIT_UNREADABLE
    ds = _dataset(args, files, load, store)
    if ds is None:
        return EXIT_UNREADABLE
    from tracker.present import report as rp

    report = rp.build_report(
        ds.kpis,
        ds.budget,
        ds.directives,
        args.unit,
        args.fiscal_year,
        args.period,
        _today(),
        responses=ds.responses,
    )
    if report.lacks("kpis"):  # the form is the KPI report: without KPIs there is none
        _say("ไม่มีข้อมูลสำหรับรายงานนี้:", "The data for this report is missing:")
        for m in report.missing:
            _say(f"- ไม่มี{m.what_th}", f"- no {m.what_en}")
        units = rp.available(ds.kpis, ds.budget)
        if args.unit not in units and units:
            _say(f"หน่วยงานที่มีข้อมูล: {', '.join(units)}", f"Units with data: {', '.join(units)}")
        return EXIT_MISSING
    for m in report.missing:
        _say(f"หมายเหตุ: ไม่มี{m.what_th} (ส่วนนี้เขียนว่า ไม่มีข้อมูล)", f"note: no {m.what_en}")
    if fmt == "pdf":
        from tracker.present.report_pdf import write_pdf

        data = write_pdf(report)
    else:
        from tracker.present.report_docx import write_docx

        data = write_docx(report)
    Path(out).write_bytes(data)
    print(f"wrote {out}")
    return EXIT_OK


def _all_units(args: argparse.Namespace, files: list[str], out: str, load, store) -> int:
    """Every unit's report for one fiscal year and period in one ZIP."""
    from tracker.present.report_zip import reports_zip

    if not (args.fiscal_year and args.period):
        _say("ระบุ --fiscal-year และ --period", "Give --fiscal-year and --period.")
        return EXIT_UNREADABLE
    ds = _dataset(args, files, load, store)
    if ds is None:
        return EXIT_UNREADABLE
    formats = (args.format,) if args.format else FORMATS
    data, written, skipped = reports_zip(ds, args.fiscal_year, args.period, _today(), formats)
    if not written:
        _say(
            f"ไม่มีหน่วยงานใดมีตัวชี้วัดของปีงบประมาณ {args.fiscal_year} {args.period}",
            f"No unit has KPIs for fiscal year {args.fiscal_year} {args.period}.",
        )
        return EXIT_MISSING
    Path(out).write_bytes(data)
    for unit in skipped:
        _say(f"หมายเหตุ: {unit} ไม่มีตัวชี้วัดของรอบนี้", f"note: {unit} has no KPIs for this period")
    print(f"wrote {out} ({len(written)} units)")
    return EXIT_OK


__all__ = ["add_parser", "cmd_report"]
