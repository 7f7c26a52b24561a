"""The registry of codes: every finding and every refusal the user can be shown.

A code names one situation for good (tests, the CLI's JSON and the audit log use it). The
registry says what it is (an ``issue`` about the data, or a ``refusal``: something not done),
its severity, and its catalogue key; its parameters are the ``{placeholders}`` of that key's
Thai and English texts (messages/locales), so they are declared once.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache

from messages.i18n import catalogue
from messages.reader_codes import READER_REFUSALS

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Code:
    name: str
    kind: str  # issue | refusal
    severity: str  # error | warning | info; "any" takes the severity of the issue it sums up
    key: str  # catalogue key of its messages

    @property
    def params(self) -> frozenset[str]:
        return placeholders(self.key)


@cache
def placeholders(key: str) -> frozenset[str]:
    """The parameters the Thai and English texts of ``key`` name."""
    names: set[str] = set()
    for lang in ("th", "en"):
        text = catalogue(lang).get(key, "")
        names |= {
            f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(text) if f
        }
    return frozenset(names)


# --- findings about the data (key issue.<code>) -------------------------------------------
ISSUES: dict[str, str] = {
    # the sheet and its table
    "no_table": "warning",
    "no_table_in_file": "error",
    "empty_sheet": "warning",
    "table_skipped": "warning",
    "unreadable_file": "error",
    "missing_column": "error",
    "repeated_header": "info",
    "section_row": "info",
    "continuation_row": "info",
    "note_row": "info",
    "subtotal_row": "info",
    "blank_rows": "info",
    "agency_outside_zone": "warning",
    "more_rows": "any",
    "nul_character": "error",
    "number_out_of_range": "error",
    # the register and the Forms responses
    "duplicate_id": "error",
    "due_before_issue": "error",
    "done_before_issue": "warning",
    "fiscal_year_mismatch": "error",
    "invalid_date": "error",
    "invalid_fiscal_year": "error",
    "invalid_round": "error",
    "unknown_agency": "warning",
    "unknown_directive": "warning",
    "unknown_factor": "error",
    "unknown_factor_mark": "error",
    "unknown_group": "warning",
    "unknown_status": "error",
    "missing_value": "error",
    "fiscal_year_from_dates": "warning",
    "fiscal_year_from_title": "warning",
    "fiscal_year_from_name": "warning",
    "fiscal_year_from_given": "warning",
    "register_without_fiscal_year": "error",
    "fiscal_year_unknown_row": "error",
    "id_from_running_number": "warning",
    "id_from_row": "warning",
    # KPI forms
    "invalid_level": "error",
    "invalid_percent": "error",
    "invalid_period": "error",
    "kpi_above_scale": "error",
    "kpi_measure_mismatch": "warning",
    "missing_fiscal_year": "error",
    "missing_period": "error",
    "missing_unit": "error",
    "innovation_stage_missing": "warning",
    # budget reports
    "as_of_outside_fy": "error",
    "disbursed_over_allocated": "error",
    "disbursed_without_allocation": "error",
    "duplicate_budget_type": "warning",
    "invalid_amount": "error",
    "invalid_rate": "warning",
    "missing_as_of": "error",
    "negative_amount": "error",
    "partial_amounts": "warning",
    "personnel_excluded": "info",
    "rate_mismatch": "warning",
    "subtotal_mismatch": "warning",
    "total_mismatch": "warning",
    "unknown_budget_type": "warning",
    # live sources
    "source_empty": "error",
    "source_sheet_empty": "error",
    "source_header_changed": "error",
    # settings read with the data
    "invalid_target_value": "warning",
    "invalid_targets_file": "warning",
    # contacts for the e-mail reminders (tracker.store.reminders)
    "contact_bad_email": "error",
    "contact_unknown_unit": "error",
    "contact_no_unit": "error",
    "contact_bad_role": "error",
    "contact_unknown_zone": "error",
}

# --- things not done (the key is given: some messages predate the registry) ---------------
REFUSALS: dict[str, str] = {
    # the snapshot store
    "store_error": "refusal.store_error",
    "duplicate_snapshot": "refusal.duplicate_snapshot",
    "duplicate_snapshot_old": "refusal.duplicate_snapshot_old",
    "store_busy": "refusal.store_busy",
    "store_full": "refusal.store_full",
    "store_unavailable": "refusal.store_unavailable",
    "snapshot_not_found": "refusal.snapshot_not_found",
    "stale_preview": "refusal.stale_preview",
    "nothing_to_publish": "refusal.nothing_to_publish",
    # settings files (admin page) and roles
    "settings_invalid": "refusal.settings_invalid",
    "settings_secret": "refusal.settings_secret",
    "settings_lockout": "refusal.settings_lockout",
    "settings_conflict": "refusal.settings_conflict",
    "settings_too_big": "refusal.settings_too_big",
    "settings_unwritable": "refusal.settings_unwritable",
    "settings_no_folder": "refusal.settings_no_folder",  # shown as SettingsRefused "unwritable"
    "roles_file": "refusal.roles_file",
    # a publish refused before the store is asked (tracker.publish.flow: PublishRefused, and
    # the upload page's blockers); the store re-checks duplicates and changes itself
    "publish_no_files": "publish.block.no_files",
    "publish_unreadable": "publish.block.unreadable",
    "publish_has_errors": "publish.block.has_errors",
    "publish_no_rows": "publish.block.no_rows",
    "publish_duplicate": "publish.block.duplicate",
    "publish_no_changes": "publish.block.no_changes",
    "publish_replace_without_register": "publish.block.replace_without_register",
    "publish_stale_preview": "publish.block.stale_preview",
    # a sync that wrote nothing
    "sync_no_sources": "sync.fail.no_sources",
    "sync_source": "sync.fail.source",
    "sync_invalid": "sync.fail.invalid",
    "sync_no_rows": "sync.fail.no_rows",
    "sync_store": "refusal.sync_store",  # the store's own refusal, as its reason
    "sync_internal": "sync.fail.internal",
    # reminders by e-mail
    "contacts_invalid": "reminders.refusal.contacts_invalid",
    "smtp_not_configured": "reminders.refusal.smtp_not_configured",
    "reminders_busy": "servers.reminders_busy",  # another run holds the lock (tracker.store.locks)
    **READER_REFUSALS,
}


def _registry() -> dict[str, Code]:
    out = {name: Code(name, "issue", sev, f"issue.{name}") for name, sev in ISSUES.items()}
    for name, key in REFUSALS.items():
        if name in out:
            raise ValueError(f"code {name} registered twice")
        out[name] = Code(name, "refusal", "error", key)
    return out


CODES: dict[str, Code] = _registry()


def spec(code: str) -> Code:
    """The registered code; an unknown one is a programming error (KeyError)."""
    try:
        return CODES[code]
    except KeyError:
        raise KeyError(f"unregistered code {code!r}: add it to messages/codes.py") from None
