"""`python -m tracker …`: validate, summary, sample (the same engine as the pages)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from tracker.validate import Issue, has_errors

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def _print_issue(issue: Issue, out=sys.stdout) -> None:
    where = " › ".join(
        x for x in (issue.file, issue.sheet, f"row {issue.row}" if issue.row else "", issue.column) if x
    )
    out.write(f"{issue.severity.upper():7} [{issue.code}] {where}\n")
    out.write(f"        {issue.message_th}\n        {issue.message_en}\n")


def _load(paths: list[str]):
    from tracker.loader import load_paths

    return load_paths(paths)


def cmd_validate(args: argparse.Namespace) -> int:
    result = _load(args.paths)
    issues = result.issues
    code = EXIT_UNREADABLE if result.unreadable else EXIT_INVALID if has_errors(issues) else EXIT_OK
    if args.json:
        json.dump({"valid": code == EXIT_OK, "issues": [i.to_dict() for i in issues]}, sys.stdout,
                  ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return code
    shown = [i for i in issues if i.severity != "info" or args.verbose]
    for issue in shown:
        _print_issue(issue)
    n_err = sum(i.severity == "error" for i in issues)
    n_warn = sum(i.severity == "warning" for i in issues)
    verdict = {EXIT_OK: "ผ่าน / valid", EXIT_INVALID: "ไม่ผ่าน / invalid",
               EXIT_UNREADABLE: "อ่านไม่ได้ / unreadable"}[code]
    print(f"{verdict}: {n_err} error(s), {n_warn} warning(s), {len(result.dataset.directives)} "
          f"directive(s)")
    return code


def summary_dict(ds) -> dict:
    """The stable JSON contract of `summary --json` (documented in the README)."""
    from tracker import metrics

    out = {"directives": metrics.summary_json(ds.directives), "kpis": [], "budget": []}
    if not ds.kpis.empty:
        from tracker import kpi

        out["kpis"] = kpi.to_json_rows(ds.kpis)
    if not ds.budget.empty:
        from tracker import budget

        out["budget"] = budget.to_json_rows(ds.budget)
    out["issues"] = [i.to_dict() for i in ds.issues if i.severity != "info"]
    return out


def cmd_summary(args: argparse.Namespace) -> int:
    result = _load(args.paths)
    if result.unreadable:
        for issue in result.issues:
            if issue.code == "unreadable_file":
                _print_issue(issue, sys.stderr)
        return EXIT_UNREADABLE
    data = summary_dict(result.dataset)
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return EXIT_OK
    d = data["directives"]
    print(f"ข้อสั่งการทั้งหมด / directives: {d['total']}")
    for k, v in d["by_status"].items():
        print(f"  {k:13} {v}")
    print("หน่วยรับตรวจ / agency (done / total, % done)")
    for row in d["by_agency"]:
        print(f"  {row['agency']}: {row['done']}/{row['total']} ({row['done_pct']:.2f}%)")
    if data["budget"]:
        print("งบประมาณ / budget (allocated, disbursed, rate %)")
        for row in data["budget"]:
            print(f"  {row['unit']} {row['as_of']} {row['budget_type']}: {row['allocated']} "
                  f"{row['disbursed']} {row['rate_pct']}")
    if data["kpis"]:
        print("ตัวชี้วัด / KPIs (target → actual)")
        for row in data["kpis"]:
            print(f"  {row['unit']} {row['fiscal_year']} {row['period']} {row['component']} "
                  f"{row['kpi'][:40]}: {row['target']} → {row['actual']}")
    errors = sum(1 for i in data["issues"] if i["severity"] == "error")
    if errors:
        print(f"{errors} error(s): run `python -m tracker validate` for details")
    return EXIT_OK


def cmd_sample(args: argparse.Namespace) -> int:
    from tracker.sample import write_sample

    info = write_sample(Path(args.out), directives=args.directives, seed=args.seed)
    print(f"wrote {args.out}: {info}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m tracker",
                                description="BMA inspection follow-up: validate and summarise")
    sub = p.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check files; exit 0 valid, 1 invalid, 2 unreadable")
    v.add_argument("paths", nargs="+")
    v.add_argument("--json", action="store_true")
    v.add_argument("--verbose", "-v", action="store_true", help="also show info lines")
    v.set_defaults(func=cmd_validate)
    s = sub.add_parser("summary", help="figures of all files read together")
    s.add_argument("paths", nargs="+")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_summary)
    g = sub.add_parser("sample", help="write a realistic sample workbook")
    g.add_argument("out")
    g.add_argument("--directives", type=int, default=400)
    g.add_argument("--seed", type=int, default=7)
    g.set_defaults(func=cmd_sample)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for a user
        sys.stderr.write(f"ข้อผิดพลาดภายใน / internal error: {type(exc).__name__}: {exc}\n")
        return EXIT_UNREADABLE


__all__ = ["main", "summary_dict", "date"]
