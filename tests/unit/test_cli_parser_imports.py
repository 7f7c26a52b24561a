"""Building the command line's parser imports no mail or report code (issue 20).

Every command (``summary`` included) builds the whole parser; ``remind`` and ``report``
import smtplib, ssl, email and the report's modules only when they run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAZY = (
    "smtplib",
    "ssl",
    "email.message",
    "tracker.present.report",
    "tracker.present.reminders",
    "tracker.present.reminder_mail",
)


def test_building_the_parser_imports_no_mail_or_report_module() -> None:
    probe = f"""
import sys
import tracker.cli as cli
parser = cli.build_parser()
assert parser.parse_args(["remind", "--dry-run"]).dry_run
print(sorted(m for m in {LAZY!r} if m in sys.modules))
"""
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_report_periods_offered_are_the_reports() -> None:
    from tracker import cli_report
    from tracker.present import report

    assert cli_report.REPORT_PERIODS == report.REPORT_PERIODS
