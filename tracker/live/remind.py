"""`python -m tracker remind`: e-mail each unit, once, what is overdue, due soon or not
reported (tracker.present.reminders builds the digests), through the standard library's
``smtplib``; a summary goes to the admins. Bounded retries; every failure is recorded in
``reminder_runs`` and reported by the exit code, never a traceback.

SMTP settings: ``[smtp]`` of ``.streamlit/secrets.toml`` (host, port, starttls or ssl, user,
password, from), else the TRACKER_SMTP_* settings (an environment variable set wins over the
file, so cron and the tests can point elsewhere).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import settings
from messages.i18n import t
from messages.problems import Refusal

if TYPE_CHECKING:
    from email.message import EmailMessage

    import pandas as pd

    from tracker.present.reminders import Plan
    from tracker.store import Store

# smtplib, ssl, email and the digests (tracker.present.reminder_mail / reminders) are imported
# where they are used: every command line builds this command's parser, and only `remind`
# sends mail (issue 20: ~40 ms of `python -m tracker summary`'s start).

EXIT_OK, EXIT_FAILED, EXIT_SETTINGS, EXIT_STORE = 0, 1, 2, 3
SECRETS_FILE = settings.PROJECT_ROOT / ".streamlit" / "secrets.toml"
ATTEMPTS = 3  # tries per message
RETRY_WAIT_SECONDS = 2.0  # doubled after each failed try
TIMEOUT_SECONDS = 20.0
# Reasons that mean the server itself is out of reach (after the retries): the run's other
# messages fail at once with the same reason instead of retrying each.
UNREACHABLE = (
    "ConnectionRefusedError",
    "ConnectionResetError",
    "TimeoutError",
    "gaierror",
    "SMTPConnectError",
    "SMTPServerDisconnected",
    "OSError",
)


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # starttls | ssl | none
    user: str
    password: str = field(repr=False)
    sender: str


def smtp_config(secrets_file: Path | None = None) -> SmtpConfig | None:
    """The mail server: TRACKER_SMTP_HOST and friends when set, else ``[smtp]`` of
    secrets.toml; None when neither gives a host and a sender."""
    host = settings.get("TRACKER_SMTP_HOST")
    if host:
        section: dict[str, Any] = {
            "host": host,
            "port": settings.get("TRACKER_SMTP_PORT"),
            "security": settings.get("TRACKER_SMTP_SECURITY"),
            "user": settings.get("TRACKER_SMTP_USER") or "",
            "password": settings.get("TRACKER_SMTP_PASSWORD") or "",
            "from": settings.get("TRACKER_SMTP_FROM") or "",
        }
    else:
        section = _secrets_section(secrets_file or SECRETS_FILE)
        if "security" not in section:
            section["security"] = (
                "ssl"
                if section.get("ssl")
                else "none"
                if section.get("starttls") is False
                else "starttls"
            )
    security = str(section.get("security") or "starttls").lower()
    if (
        not section.get("host")
        or not section.get("from")
        or security not in ("starttls", "ssl", "none")
    ):
        return None
    port = section.get("port") or (
        465 if security == "ssl" else 587 if security == "starttls" else 25
    )
    return SmtpConfig(
        host=str(section["host"]),
        port=int(port),
        security=security,
        user=str(section.get("user") or ""),
        password=str(section.get("password") or ""),
        sender=str(section["from"]),
    )


def _secrets_section(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    smtp = data.get("smtp")
    return dict(smtp) if isinstance(smtp, dict) else {}


def send(cfg: SmtpConfig, msg: EmailMessage, attempts: int = ATTEMPTS) -> str | None:
    """Send one message; None when the server accepted it, else the reason (after at most
    ``attempts`` tries for a temporary failure; a permanent 5xx refusal is not retried)."""
    import smtplib
    import ssl

    reason = ""
    wait = RETRY_WAIT_SECONDS
    for attempt in range(attempts):
        try:
            _send_once(cfg, msg)
            return None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = {code for code, _ in exc.recipients.values()}
            reason = f"recipients refused {sorted(codes)}"
            if all(c >= 500 for c in codes):
                return reason
        except smtplib.SMTPResponseException as exc:
            text = (
                exc.smtp_error.decode("utf-8", "replace")
                if isinstance(exc.smtp_error, bytes)
                else str(exc.smtp_error)
            )
            reason = f"SMTP {exc.smtp_code} {text}"[:300]
            if exc.smtp_code >= 500:
                return reason
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            reason = f"{type(exc).__name__}: {exc}"[:300]
        if attempt + 1 < attempts:
            time.sleep(wait)
            wait *= 2
    return reason or "unknown failure"


def _send_once(cfg: SmtpConfig, msg: EmailMessage) -> None:
    import smtplib
    import ssl

    context = ssl.create_default_context()
    server: smtplib.SMTP
    if cfg.security == "ssl":
        server = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=TIMEOUT_SECONDS, context=context)
    else:
        server = smtplib.SMTP(cfg.host, cfg.port, timeout=TIMEOUT_SECONDS)
    with server:
        server.ehlo()
        if cfg.security == "starttls":
            server.starttls(context=context)
            server.ehlo()
        if cfg.user:
            server.login(cfg.user, cfg.password)
        server.send_message(msg)


@dataclass
class RunResult:
    plan: Plan
    dry_run: bool
    outcome: dict[str, str]  # unit → sent | skipped | failed: reason | would_send
    summary: str  # sent | failed: reason | none | would_send
    run_id: int | None = None

    @property
    def sent(self) -> int:
        return sum(1 for v in self.outcome.values() if v == "sent")

    @property
    def failed(self) -> int:
        units = sum(1 for v in self.outcome.values() if v.startswith("failed"))
        return units + (1 if self.summary.startswith("failed") else 0)

    @property
    def skipped(self) -> int:
        return len(self.plan.skipped)

    @property
    def status(self) -> str:
        if self.dry_run:
            return "dry_run"
        if self.failed:
            return "failed"
        return "sent" if self.sent else "nothing"

    def to_dict(self) -> dict[str, Any]:
        from tracker.present.reminder_mail import subject

        units = []
        for digest in [*self.plan.digests, *self.plan.skipped]:
            state = self.outcome.get(digest.unit, "skipped")
            units.append(
                {
                    "unit": digest.unit,
                    "to": list(digest.to),
                    "cc": list(digest.cc),
                    "counts": digest.counts,
                    "state": state.partition(":")[0],
                    "reason": state.partition(":")[2].strip() or None,
                    "subject": subject(digest),
                    "directives": len({k["directive_id"] for k in digest.told}),
                }
            )
        return {
            "status": self.status,
            "run_id": self.run_id,
            "today": self.plan.today.isoformat(),
            "round": self.plan.round_label,
            "sent": self.sent,
            "skipped": self.skipped,
            "failed": self.failed,
            "summary": {"to": list(self.plan.admins), "state": self.summary},
            "units": units,
        }


def plan_for(
    store: Store,
    today: date,
    base_url: str | None = None,
    directives: pd.DataFrame | None = None,
) -> Plan:
    """What the next run would send (the current snapshot's directives unless given, the
    contacts, what was told)."""
    from tracker.present.reminders import build_plan

    if directives is None:
        directives = store.load()["directives"]
    base = str(base_url or settings.get("TRACKER_BASE_URL"))
    extra = settings.get("TRACKER_REMINDER_ADMINS")
    admins = tuple(str(a) for a in extra) if isinstance(extra, tuple) else ()
    return build_plan(directives, store.contacts(), store.reminders_sent(), today, base, admins)


def run(
    store: Store,
    today: date,
    *,
    by: str = "remind",
    dry_run: bool = False,
    cfg: SmtpConfig | None = None,
) -> RunResult:
    """One run: build the plan, send each unit's digest and the admins' summary, record the
    run and what was told. Mail failures are results, not exceptions (StoreError still rises).
    One run at a time per database, whichever server or cron starts it: while another run is
    sending, this one sends nothing and raises the refusal ``reminders_busy``."""
    if dry_run:
        plan = plan_for(store, today)
        outcome = dict.fromkeys((d.unit for d in plan.digests), "would_send")
        return RunResult(plan, True, outcome, "would_send" if plan.admins else "none")
    from tracker.store.locks import REMINDERS_JOB, job_lock  # here: the CLI starts fast

    with job_lock(store, REMINDERS_JOB) as held:
        if not held:
            raise Refusal("reminders_busy")
        return _send_run(store, today, by, cfg)


def _send_run(store: Store, today: date, by: str, cfg: SmtpConfig | None) -> RunResult:
    from tracker.present.reminder_mail import digest_message, summary_message

    started = datetime.now(UTC)
    plan = plan_for(store, today)  # under the lock: what another run told is seen
    outcome: dict[str, str] = {}
    told: list[dict[str, str]] = []
    if plan.digests and cfg is None:
        reason = Refusal("smtp_not_configured").message_en
        outcome = {d.unit: f"failed: {reason}" for d in plan.digests}
    down: str | None = None  # the server could not be reached: the rest fail at once
    for digest in plan.digests:
        if cfg is None:
            break
        failure = down or send(cfg, digest_message(digest, cfg.sender))
        outcome[digest.unit] = "sent" if failure is None else f"failed: {failure}"
        if failure is None:
            told += digest.told
        elif failure.startswith(UNREACHABLE):
            down = failure
    summary = "none"
    if plan.admins and plan.digests:  # units skipped alone are listed in the run, not mailed
        if cfg is None:
            summary = "failed: " + Refusal("smtp_not_configured").message_en
        else:
            failure = down or send(cfg, summary_message(plan, outcome, cfg.sender))
            summary = "sent" if failure is None else f"failed: {failure}"
    result = RunResult(plan, False, outcome, summary)
    detail = {
        "today": today.isoformat(),
        "units": {u: s for u, s in outcome.items()},
        "skipped": [d.unit for d in plan.skipped],
        "summary": summary,
    }
    result.run_id = store.record_reminder_run(
        by=by,
        started_at=started,
        sent=result.sent,
        skipped=result.skipped,
        failed=result.failed,
        detail=detail,
        told=told,
    )
    return result


def exit_code(result: RunResult) -> int:
    return EXIT_FAILED if result.failed else EXIT_OK


# --- the command line ---------------------------------------------------------------------------


def add_parser(sub: Any) -> None:
    """Register ``remind`` on the CLI's subparsers."""
    r = sub.add_parser(
        "remind",
        help="e-mail each unit what is overdue, due within 30/7/1 days or not reported (each "
        "once); exit 0 sent or nothing to send, 1 some failed, 3 database problem",
    )
    r.add_argument("--dry-run", action="store_true", help="print what would be sent; send nothing")
    r.add_argument("--json", action="store_true")
    r.add_argument("--today", type=date.fromisoformat, help="the day to remind for (YYYY-MM-DD)")
    r.add_argument("--user", default="remind", help="recorded as who ran it (default: remind)")
    r.add_argument("--verbose", "-v", action="store_true", help="with --dry-run: every message")
    r.set_defaults(func=cmd_remind)


def _today(args: argparse.Namespace) -> date:
    if args.today:
        return args.today
    fixed = settings.get("TRACKER_TODAY")
    return fixed if isinstance(fixed, date) else date.today()


def cmd_remind(args: argparse.Namespace) -> int:
    from tracker.store import Store  # here, not at the top: the CLI's other commands start fast

    store = Store()
    store.upgrade()
    cfg = smtp_config()
    try:
        result = run(store, _today(args), by=args.user, dry_run=args.dry_run, cfg=cfg)
    except Refusal as busy:
        if busy.code != "reminders_busy":
            raise
        # another run (another server, a cron run) is sending now: it does the work
        sys.stderr.write(f"{busy.message_th}\n{busy.message_en}\n")
        return EXIT_OK
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        _print(result, verbose=args.verbose)
    if not args.dry_run and cfg is None and result.plan.digests:
        refusal = Refusal("smtp_not_configured")
        sys.stderr.write(f"{refusal.message_th}\n{refusal.message_en}\n")
    return EXIT_OK if args.dry_run else exit_code(result)


def _print(result: RunResult, verbose: bool) -> None:
    from tracker.present.reminder_mail import subject, text_body

    plan = result.plan
    if result.dry_run:
        print(f"{t('reminders.cli.dry_run', 'th')} / {t('reminders.cli.dry_run', 'en')}")
    if not plan.digests and not plan.skipped:
        print(f"{t('reminders.cli.nothing', 'th')} / {t('reminders.cli.nothing', 'en')}")
    for digest in [*plan.digests, *plan.skipped]:
        state = result.outcome.get(digest.unit, "skipped")
        counts = " ".join(f"{k}={v}" for k, v in digest.counts.items())
        to = ", ".join(digest.to) or "-"
        cc = f" cc {', '.join(digest.cc)}" if digest.cc else ""
        print(f"{state:12} {digest.unit} → {to}{cc} · {counts}")
        print(f"             {subject(digest)}")
        if verbose and result.dry_run:
            print(text_body(digest))
    if plan.admins:
        print(f"summary → {', '.join(plan.admins)}: {result.summary}")
    if not result.dry_run:
        run_id = result.run_id if result.run_id is not None else "-"
        values = {
            "run": run_id,
            "sent": result.sent,
            "skipped": result.skipped,
            "failed": result.failed,
        }
        print(t("reminders.cli.done", "th", **values))
        print(t("reminders.cli.done", "en", **values))


__all__ = ["RunResult", "SmtpConfig", "add_parser", "plan_for", "run", "send", "smtp_config"]
