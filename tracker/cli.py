"""`python -m tracker …`: validate, summary, sync, sample, import, snapshots, rollback, template,
remind.

The same engine as the pages. The snapshot commands use the database of
TRACKER_DATABASE_URL (default: the SQLite file data/tracker.sqlite). ``validate`` and
``summary`` take http(s) URLs wherever they take paths: a Google Sheets link (read with the
service account of GOOGLE_SERVICE_ACCOUNT_JSON), a published-CSV link, or any URL serving CSV
or xlsx (size-capped, time-limited, content-checked like an upload).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

import settings
from tracker.checks.validate import Issue, has_errors
from tracker.cli_inputs import add_reading_options, mapping_of

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE, EXIT_STORE = 0, 1, 2, 3
CLI_USER = "cli"


def _print_issue(issue: Issue, out=None) -> None:
    out = out or sys.stdout
    where = " › ".join(
        x
        for x in (issue.file, issue.sheet, f"row {issue.row}" if issue.row else "", issue.column)
        if x
    )
    out.write(f"{issue.severity.upper():7} [{issue.code}] {where}\n")
    out.write(f"        {issue.message_th}\n        {issue.message_en}\n")


_PUBLISHED_PATH = re.compile(r"/spreadsheets/d/(?:e/)?[^/]+/(?:export|pub)$")


def is_url(text: str) -> bool:
    """True for an http(s) URL argument (anything else is a local path)."""
    return text.strip().lower().startswith(("http://", "https://"))


def url_source(url: str):
    """A Source for a URL typed on the command line (kind guessed as in sources.toml).

    A ``…/spreadsheets/d/…/export`` or ``…/pub`` link is read as a published CSV whatever its
    host (a mirror or proxy of docs.google.com); ``sources.guess_kind`` decides the rest.
    """
    from urllib.parse import urlsplit

    from tracker.live.sources import Source, guess_kind
    from tracker.live.sync import source_location

    url = url.strip()
    kind = guess_kind(url)
    if kind == "http" and _PUBLISHED_PATH.search(urlsplit(url).path):
        kind = "published_csv"
    return Source(
        name=source_location(Source(name="", kind=kind, location=url)), kind=kind, location=url
    )


def _credentials():
    """The service account from GOOGLE_SERVICE_ACCOUNT_JSON, or the error of loading it."""
    from data_sources.base import UnreadableFile
    from tracker.live.sources import load_credentials

    try:
        return load_credentials()
    except UnreadableFile as exc:
        return exc


def _load(items: list[str], fiscal_year: int | None = None, mapping: dict[str, str] | None = None):
    """Read local files and URLs in the order given, all into one Dataset."""
    from data_sources.base import UnreadableFile
    from tracker.read.loader import LoadResult, build_dataset, consumed, read_paths

    tables, bad = [], []
    credentials: Any = None
    loaded_credentials = False
    for item in items:
        if not is_url(item):
            found, failed = read_paths([item])
            tables += found
            bad += failed
            del found  # ``consumed`` lets each sheet go as it is read: no other reference
            continue
        from tracker.live.sync import api_base_url, fetch_with  # URLs only: files start fast

        source = url_source(item)
        if source.kind == "gsheets" and not loaded_credentials:
            credentials, loaded_credentials = _credentials(), True
        try:
            tables += fetch_with(source, credentials, api_base_url())
        except UnreadableFile as exc:
            bad.append(exc)
    dataset = build_dataset(consumed(tables), bad, fiscal_year=fiscal_year, mapping=mapping)
    return LoadResult(dataset, bad)


def cmd_validate(args: argparse.Namespace) -> int:
    result = _load(args.paths, getattr(args, "fiscal_year", None), mapping_of(args))
    issues = result.issues
    code = EXIT_UNREADABLE if result.unreadable else EXIT_INVALID if has_errors(issues) else EXIT_OK
    if args.json:
        json.dump(
            {"valid": code == EXIT_OK, "issues": [i.to_dict() for i in issues]},
            sys.stdout,
            ensure_ascii=False,
            indent=1,
        )
        sys.stdout.write("\n")
        return code
    shown = [i for i in issues if i.severity != "info" or args.verbose]
    for issue in shown:
        _print_issue(issue)
    n_err = sum(i.severity == "error" for i in issues)
    n_warn = sum(i.severity == "warning" for i in issues)
    verdict = {
        EXIT_OK: "ผ่าน / valid",
        EXIT_INVALID: "ไม่ผ่าน / invalid",
        EXIT_UNREADABLE: "อ่านไม่ได้ / unreadable",
    }[code]
    print(
        f"{verdict}: {n_err} error(s), {n_warn} warning(s), {len(result.dataset.directives)} "
        f"directive(s)"
    )
    return code


def summary_dict(ds, printed_only: bool = False) -> dict:
    """The stable JSON contract of `summary --json` (documented in the README); with
    ``printed_only``, only the parts the text summary prints (no time to done, no units)."""
    from tracker.metrics import directives as metrics

    out = {"directives": metrics.summary_json(ds.directives), "kpis": [], "budget": []}
    if not ds.kpis.empty:
        from tracker.metrics import kpi_scores as kpi

        out["kpis"] = kpi.to_json_rows(ds.kpis)
    if not ds.budget.empty:
        from tracker.metrics import budget_sums as budget

        out["budget"] = budget.to_json_rows(ds.budget)
    out["issues"] = [i.to_dict() for i in ds.issues if i.severity != "info"]
    if printed_only:
        return out
    from tracker.metrics import time_to_done

    fixed = settings.get("TRACKER_TODAY")  # "today" for censoring, as the app takes it
    today = fixed if isinstance(fixed, date) else date.today()
    out["time_to_done"] = time_to_done.summary_json(ds.directives, ds.responses, today)
    from tracker.metrics import unit_card

    out["units"] = unit_card.units_json(ds.directives, ds.responses, ds.kpis, ds.budget, today)
    return out


def _say(message_th: str, message_en: str, out=None) -> None:
    (out or sys.stderr).write(f"{message_th}\n{message_en}\n")


def _store():
    """The migrated store of TRACKER_DATABASE_URL (raises StoreError)."""
    from tracker.store import Store

    store = Store()
    store.upgrade()
    return store


def _current_summary(args: argparse.Namespace) -> int:
    """`summary --current`: the figures of the published snapshot, not of files."""
    from tracker.dataset import Dataset

    store = _store()
    sid = store.current_id()
    if sid is None:
        _say("ยังไม่มีข้อมูลที่เผยแพร่", "Nothing has been published yet.")
        return EXIT_INVALID
    data = summary_dict(Dataset(**store.load(sid)))
    snaps = store.snapshots()
    row = snaps[snaps["id"] == sid].iloc[0]
    data["snapshot"] = _snapshot_json(row)
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return EXIT_OK
    print(f"สแนปช็อต / snapshot #{sid}: {row['source']} ({data['snapshot']['created_at']})")
    return _print_summary(data)


def cmd_summary(args: argparse.Namespace) -> int:
    if args.current:
        return _current_summary(args)
    if not args.paths:
        _say("ระบุไฟล์หรือ URL หรือใช้ --current", "Give files or URLs, or --current.")
        return EXIT_UNREADABLE
    result = _load(args.paths, getattr(args, "fiscal_year", None), mapping_of(args))
    if result.unreadable:
        for issue in result.issues:
            if issue.code == "unreadable_file":
                _print_issue(issue, sys.stderr)
        return EXIT_UNREADABLE
    data = summary_dict(result.dataset, printed_only=not args.json)
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return EXIT_OK
    return _print_summary(data)


def _print_summary(data: dict) -> int:
    d = data["directives"]
    print(f"ข้อสั่งการทั้งหมด / directives: {d['total']}")
    from tracker.schema import STATUS_EN, STATUS_TH

    for k, v in d["by_status"].items():  # named as the dashboard names them, not by code
        print(f"  {STATUS_TH.get(k, k)} / {STATUS_EN.get(k, k)}: {v}")
    print("หน่วยรับตรวจ / agency (done / total, % done)")
    for row in d["by_agency"]:
        print(f"  {row['agency']}: {row['done']}/{row['total']} ({row['done_pct']:.2f}%)")
    if data["budget"]:
        from tracker.thai.formatting import format_amount, format_pct

        print("งบประมาณ / budget (allocated, disbursed, rate %; - not applicable)")
        for row in data["budget"]:
            print(
                f"  {row['unit']} {row['as_of']} {row['budget_type']}: "
                f"{format_amount(row['allocated'])} {format_amount(row['disbursed'])} "
                f"{format_pct(row['rate_pct'])}"
            )
    if data["kpis"]:
        print("ตัวชี้วัด / KPIs (target → actual)")
        for row in data["kpis"]:
            print(
                f"  {row['unit']} {row['fiscal_year']} {row['period']} {row['component']} "
                f"{row['kpi'][:40]}: {row['target']} → {row['actual']}"
            )
    errors = sum(1 for i in data["issues"] if i["severity"] == "error")
    if errors:
        print(f"{errors} error(s): run `python -m tracker validate` for details")
    return EXIT_OK


def _existing_store():
    """The store if one is configured or the default SQLite file exists, else None."""
    from tracker.store.engine import DEFAULT_SQLITE_PATH, ENV_URL

    if settings.get(ENV_URL) or DEFAULT_SQLITE_PATH.exists():
        return _store()
    return None


_SYNC_EXIT = {
    "invalid": EXIT_INVALID,
    "no_rows": EXIT_INVALID,
    "store": EXIT_STORE,
}


def _print_sync(result, verbose: bool) -> None:
    for r in result.sources:
        mark = "✓" if r.ok else "✗"
        when = r.fetched_at.isoformat(timespec="seconds") if r.fetched_at else "-"
        print(
            f"{mark} {r.name} ({r.location}): {r.rows} แถว/rows, {r.sheets} แผ่นงาน/sheets, {when}"
        )
        if r.error is not None:
            print(f"        [{r.error.code}] {r.error.reason_th}\n        {r.error.reason_en}")
    for issue in result.issues:
        if issue.severity == "error" or (verbose and issue.severity == "warning"):
            _print_issue(issue)
    warnings = sum(i.severity == "warning" for i in result.issues)
    if warnings and not verbose:
        print(f"{warnings} warning(s): -v to list them")


def cmd_sync(args: argparse.Namespace) -> int:
    from data_sources.base import UnreadableFile
    from tracker.live.sources import load_sources
    from tracker.live.sync import SyncResult, api_base_url, locked, sources_file, sync

    path = Path(args.sources) if args.sources else sources_file()
    try:
        sources = load_sources(path)
    except UnreadableFile as exc:
        _say(exc.reason_th, exc.reason_en)
        return EXIT_UNREADABLE
    credentials = _credentials() if any(s.kind == "gsheets" for s in sources) else None
    store = _existing_store()
    with locked(store) as held:  # one sync at a time per database: app servers, cron
        if isinstance(held, SyncResult):  # the database cannot be reached
            result = held
        elif not held:  # another process is syncing this database now
            result = SyncResult("skipped")
        else:
            result = sync(
                sources, store, credentials=credentials, user=args.user, api_base=api_base_url()
            )
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        _print_sync(result, args.verbose)
    if not result.ok:
        _say(result.message_th, result.message_en)
        return _SYNC_EXIT.get(result.code, EXIT_UNREADABLE)
    if not args.json:
        print(f"{result.message_th}\n{result.message_en}")
    return EXIT_OK


def cmd_sample(args: argparse.Namespace) -> int:
    from tracker.dev.sample import write_sample

    info = write_sample(Path(args.out), directives=args.directives, seed=args.seed)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=1, default=str))
        return EXIT_OK
    d = info["directives"]
    print(
        f"เขียนแล้ว / wrote {args.out}: {d['total']:,} directives, "
        f"{info['responses']['rows']:,} responses, {len(info['kpis']):,} KPI rows, "
        f"{len(info['budget']):,} budget rows, {len(info['sheets'])} sheets (seed {info['seed']})"
    )
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from data_sources.base import UnreadableFile
    from data_sources.files import SUPPORTED_EXTENSIONS
    from tracker.publish import flow as pub
    from tracker.store import DuplicateSnapshot, NothingToPublish

    cap = pub.max_upload_bytes()
    missing = [p for p in args.paths if not Path(p).is_file()]
    for p in missing:
        _say(f"ไม่พบไฟล์: {p}", f"File not found: {p}")
    if missing:
        return EXIT_UNREADABLE
    store = _store()
    # paths, not bytes: a local file is checked, then parsed by the sandbox from the file
    files = [(Path(p).name, Path(p)) for p in args.paths]
    extensions = tuple(x.lstrip(".") for x in SUPPORTED_EXTENSIONS)
    prepared = pub.prepare(
        files,
        cap,
        store=store,
        extensions=extensions,
        replace_register=args.replace_register,
        fiscal_year=args.fiscal_year,
        mapping=mapping_of(args),
    )
    for issue in prepared.issues:
        if issue.severity != "info" or args.verbose:
            _print_issue(issue)
    if prepared.store_error is not None:
        raise prepared.store_error
    if prepared.unreadable:
        _say("อ่านไฟล์ไม่ได้ ไม่ได้เผยแพร่", "Unreadable file(s): nothing was published.")
        return EXIT_UNREADABLE
    removed = prepared.removed_directives
    if prepared.replaces_demo:
        _say(
            "ข้อมูลปัจจุบันเป็นข้อมูลตัวอย่าง: การเผยแพร่นี้แทนที่ข้อมูลตัวอย่างทั้งหมด",
            "The current data is the bundled sample: this publish replaces all of it.",
        )
    elif len(removed):
        _say(
            f"ข้อสั่งการ {len(removed):,} รายการที่ไม่อยู่ในไฟล์จะถูกนำออก (--replace-register):",
            f"{len(removed):,} directive(s) not in the file will be removed (--replace-register):",
        )
        for did, agency in list(zip(removed["directive_id"], removed["agency"], strict=True))[:50]:
            print(f"  - {did} · {agency}", file=sys.stderr)
        if len(removed) > 50:
            print(f"  … +{len(removed) - 50:,}", file=sys.stderr)
    try:
        sid = pub.publish(prepared, store, args.user, args.note, kind="import", rebase=True)
    except pub.PublishRefused as exc:
        _say(exc.message_th, exc.message_en)
        return EXIT_INVALID
    except (DuplicateSnapshot, NothingToPublish) as exc:
        _say(exc.message_th, exc.message_en)
        return EXIT_INVALID
    except UnreadableFile as exc:  # pragma: no cover - prepare collects these
        _say(exc.reason_th, exc.reason_en)
        return EXIT_UNREADABLE
    assert prepared.composition is not None
    counts = ", ".join(
        f"{k} +{c['added']} ~{c['changed']} -{c['removed']} ={c['kept']}"
        for k, c in prepared.composition.counts.items()
    )
    print(f"เผยแพร่แล้ว / published: snapshot #{sid} ({counts}) sha256 {prepared.sha256}")
    return EXIT_OK


def _snapshot_json(row) -> dict:
    """One snapshot as the stable JSON of `snapshots --json` (times in UTC, ISO 8601)."""
    created = row["created_at"]
    return {
        "id": int(row["id"]),
        "created_at": created.isoformat().replace("+00:00", "Z"),
        "user": str(row["user"]),
        "source": str(row["source"]),
        "rows": int(row["rows"]),
        "sha256": str(row["sha256"]),
        "note": str(row["note"] or ""),
        "current": bool(row["current"]),
    }


def cmd_snapshots(args: argparse.Namespace) -> int:
    snaps = _store().snapshots()
    items = [_snapshot_json(row) for _, row in snaps.iterrows()]
    if args.json:
        json.dump(items, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return EXIT_OK
    if not items:
        print("ยังไม่มีข้อมูลที่เผยแพร่ / nothing published yet")
    for it in items:
        mark = "*" if it["current"] else " "
        print(
            f"{mark} #{it['id']:<4} {it['created_at']}  {it['user']:<10} rows {it['rows']:>7}  "
            f"{it['sha256'][:12]}  {it['source']}" + (f"  ({it['note']})" if it["note"] else "")
        )
    return EXIT_OK


def cmd_rollback(args: argparse.Namespace) -> int:
    from tracker.store import SnapshotNotFound

    store = _store()
    try:
        store.rollback(args.id, user=args.user)
    except SnapshotNotFound as exc:
        _say(exc.message_th, exc.message_en)
        return EXIT_INVALID
    print(f"ย้อนกลับแล้ว / rolled back: current snapshot is #{args.id}")
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    from tracker.present.template import write_template

    out = Path(args.out)
    try:
        write_template(out)
    except OSError as exc:
        _say(f"เขียนไฟล์ไม่ได้: {exc.strerror}", f"Cannot write the file: {exc.strerror}")
        return EXIT_UNREADABLE
    print(f"wrote {out}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tracker", description="BMA inspection follow-up: validate and summarise"
    )
    sub = p.add_subparsers(dest="command", required=True)
    v = sub.add_parser(
        "validate", help="check files or URLs; exit 0 valid, 1 invalid, 2 unreadable"
    )
    v.add_argument("paths", nargs="+", metavar="FILE_OR_URL")
    v.add_argument("--json", action="store_true")
    v.add_argument("--verbose", "-v", action="store_true", help="also show info lines")
    add_reading_options(v)
    v.set_defaults(func=cmd_validate)
    s = sub.add_parser("summary", help="figures of all files and URLs read together, or --current")
    s.add_argument("paths", nargs="*", metavar="FILE_OR_URL")
    s.add_argument("--json", action="store_true")
    s.add_argument(
        "--current",
        action="store_true",
        help="the figures of the current published snapshot (no files needed)",
    )
    add_reading_options(s)
    s.set_defaults(func=cmd_summary)
    y = sub.add_parser(
        "sync",
        help="fetch every source of sources.toml once and publish them as one snapshot; exit 0 "
        "published or unchanged, 1 invalid data, 2 a source failed, 3 database problem",
    )
    y.add_argument(
        "--sources", help="the settings file (default: TRACKER_SOURCES_FILE or sources.toml)"
    )
    y.add_argument("--json", action="store_true")
    y.add_argument("--user", default="sync", help="recorded as the publisher (default: sync)")
    y.add_argument("--verbose", "-v", action="store_true", help="also list warnings")
    y.set_defaults(func=cmd_sync)
    g = sub.add_parser(
        "sample",
        help="write a realistic sample workbook (register, Forms responses, KPI forms, budget "
        "reports) and print one summary line",
    )
    g.add_argument("out", help="the .xlsx file to write")
    g.add_argument("--directives", type=int, default=400, help="how many directives (default 400)")
    g.add_argument(
        "--seed", type=int, default=7, help="random seed: the same seed, the same workbook"
    )
    g.add_argument(
        "--json", action="store_true", help="print the workbook's figures as JSON instead"
    )
    g.set_defaults(func=cmd_sample)
    i = sub.add_parser(
        "import",
        help="validate files and publish what they change as one snapshot (tables and "
        "scopes the files do not carry stay as they are); exit 0 published, 1 invalid, "
        "nothing to change or duplicate, 2 unreadable, 3 database problem",
    )
    i.add_argument("paths", nargs="+")
    add_reading_options(i)
    i.add_argument(
        "--replace-register",
        action="store_true",
        help="the register in the files replaces the whole register: directives not in it "
        "are removed (listed before publishing). Without it directives are only added or "
        "updated",
    )
    i.add_argument("--note", default="")
    i.add_argument("--user", default=CLI_USER)
    i.add_argument("--verbose", "-v", action="store_true", help="also show info lines")
    i.set_defaults(func=cmd_import)
    n = sub.add_parser("snapshots", help="list published snapshots")
    n.add_argument("--json", action="store_true")
    n.set_defaults(func=cmd_snapshots)
    r = sub.add_parser(
        "rollback", help="make an earlier snapshot current (audited; deletes nothing)"
    )
    r.add_argument("id", type=int)
    r.add_argument("--user", default=CLI_USER)
    r.set_defaults(func=cmd_rollback)
    m = sub.add_parser("template", help="write the blank template workbook")
    m.add_argument("out")
    m.set_defaults(func=cmd_template)
    from tracker.live.remind import add_parser as add_remind_parser

    add_remind_parser(sub)  # `remind`: e-mail reminders (code in tracker/live/remind.py)
    from tracker.cli_report import add_parser as add_report_parser

    add_report_parser(sub, _load, _store)  # `report`: the progress report (tracker/cli_report.py)
    return p


def main(argv: list[str] | None = None) -> int:
    from tracker.cli_start import start_reader_early

    start_reader_early(sys.argv[1:] if argv is None else argv)  # issue 20: the readers load
    from data_sources.memory import use_system_allocator

    use_system_allocator()

    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit flush
        return code
    except settings.SettingError as exc:
        _say(exc.message_th, exc.message_en)
        return EXIT_UNREADABLE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`… | head`): stop quietly, as other command-line tools do;
        # point stdout at /dev/null so the interpreter's final flush cannot fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # never a traceback for a user
        # a StoreError's module is loaded if one was raised: the store (SQLAlchemy, Alembic)
        # is imported only by the commands that use it
        store_errors = sys.modules.get("tracker.store.errors")
        if store_errors is not None and isinstance(exc, store_errors.StoreError):
            _say(exc.message_th, exc.message_en)
            return EXIT_STORE
        sys.stderr.write(f"ข้อผิดพลาดภายใน / internal error: {type(exc).__name__}: {exc}\n")
        return EXIT_UNREADABLE


__all__ = ["date", "main", "summary_dict"]
