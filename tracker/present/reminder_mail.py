"""The reminder mails (pure): a unit's digest and the admins' summary as plain text, as HTML in
which every data value is escaped, and as an ``EmailMessage`` (policy SMTP: a Thai subject is
encoded as RFC 2047, the body as UTF-8). Thai first, one English line at the end."""

from __future__ import annotations

import html
from collections.abc import Mapping
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from messages.i18n import t
from tracker.present.reminders import THRESHOLDS, Digest, Item, Plan
from tracker.thai import format_date_en, format_date_th, format_int


def _n(counts: Mapping[str, int], key: str) -> int:
    return int(counts.get(key, 0))


def subject(digest: Digest) -> str:
    return t("reminders.mail.subject", "th", unit=digest.unit, n=format_int(digest.total))


def _heading(section: str, digest: Digest, lang: str) -> str:
    return t(
        f"reminders.section.{section}",
        lang,
        n=format_int(_n(digest.counts, section)),
        round=digest.round_label,
    )


def _due(item: Item) -> str:
    return t("reminders.mail.due", "th", date=format_date_th(item.due_date))


def _english_line(digest: Digest) -> str:
    c = digest.counts
    return t(
        "reminders.mail.english",
        "en",
        unit=digest.unit,
        n=digest.total,
        overdue=_n(c, "overdue"),
        due_1=_n(c, "due_1"),
        due_7=_n(c, "due_7"),
        due_30=_n(c, "due_30"),
        not_reported=_n(c, "not_reported"),
        date=format_date_en(digest.today),
        link=next(iter(digest.links.values()), ""),
    )


def _more(digest: Digest, section: str, listed: int) -> str:
    rest = _n(digest.counts, section) - listed
    return t("reminders.mail.more", "th", n=format_int(rest)) if rest > 0 else ""


def text_body(digest: Digest) -> str:
    """The plain-text part: data as typed (never markup)."""
    lines = [
        t("reminders.mail.greeting", "th", unit=digest.unit),
        "",
        t("reminders.mail.intro", "th", date=format_date_th(digest.today)),
    ]
    for section in THRESHOLDS:
        items = digest.sections.get(section)
        if not items:
            continue
        lines += ["", _heading(section, digest, "th"), digest.links[section]]
        for item in items:
            note = (
                t("reminders.mail.not_reported_note", "th") if item.status == "not_reported" else ""
            )
            lines.append(f"  • {item.directive_id} · {_due(item)}{note}")
            lines.append(f"    {item.text}")
        more = _more(digest, section, len(items))
        if more:
            lines.append(f"  {more}")
    lines += ["", t("reminders.mail.closing", "th"), "", "—", _english_line(digest)]
    return "\n".join(lines) + "\n"


def html_body(digest: Digest) -> str:
    """The HTML part: every data value (unit, id, text, link) escaped."""
    e = html.escape
    out = [
        '<html><body style="font-family: sans-serif">',
        f"<p>{e(t('reminders.mail.greeting', 'th', unit=digest.unit))}</p>",
        f"<p>{e(t('reminders.mail.intro', 'th', date=format_date_th(digest.today)))}</p>",
    ]
    for section in THRESHOLDS:
        items = digest.sections.get(section)
        if not items:
            continue
        link = e(digest.links[section], quote=True)
        out.append(f'<h3><a href="{link}">{e(_heading(section, digest, "th"))}</a></h3><ul>')
        for item in items:
            note = (
                t("reminders.mail.not_reported_note", "th") if item.status == "not_reported" else ""
            )
            out.append(
                f"<li><b>{e(item.directive_id)}</b> · {e(_due(item) + note)}<br>{e(item.text)}</li>"
            )
        more = _more(digest, section, len(items))
        if more:
            out.append(f"<li>{e(more)}</li>")
        out.append("</ul>")
    out += [
        f"<p>{e(t('reminders.mail.closing', 'th'))}</p>",
        f'<hr><p lang="en">{e(_english_line(digest))}</p>',
        "</body></html>",
    ]
    return "\n".join(out) + "\n"


def _message(sender: str, to: tuple[str, ...], cc: tuple[str, ...], subj: str) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = subj
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Date"] = formatdate(localtime=False)
    domain = sender.rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid(domain=domain)
    return msg


def digest_message(digest: Digest, sender: str) -> EmailMessage:
    """The unit's mail: plain text plus the escaped HTML alternative."""
    msg = _message(sender, digest.to, digest.cc, subject(digest))
    msg.set_content(text_body(digest), cte="base64")
    msg.add_alternative(html_body(digest), subtype="html", cte="base64")
    return msg


def summary_text(plan: Plan, outcome: Mapping[str, str]) -> str:
    """The admins' summary: one line per unit (sent / failed with the reason / skipped)."""
    lines = [t("reminders.summary.intro", "th", date=format_date_th(plan.today)), ""]
    for digest in [*plan.digests, *plan.skipped]:
        state = outcome.get(digest.unit, "skipped")
        counts = ", ".join(
            f"{t(f'reminders.short.{s}', 'th')} {format_int(digest.counts[s])}"
            for s in THRESHOLDS
            if s in digest.counts
        )
        lines.append(f"• {digest.unit}: {counts} — {t_state(state)}")
    sent = sum(1 for v in outcome.values() if v == "sent")
    failed = sum(1 for v in outcome.values() if v.startswith("failed"))
    lines += [
        "",
        "—",
        t(
            "reminders.summary.english",
            "en",
            date=format_date_en(plan.today),
            sent=sent,
            failed=failed,
            skipped=len(plan.skipped),
        ),
    ]
    return "\n".join(lines) + "\n"


def t_state(state: str) -> str:
    """“ส่งแล้ว”, “ข้าม (ไม่มีผู้ติดต่อ)”, “ส่งไม่สำเร็จ: reason”."""
    if state.startswith("failed"):
        return t("reminders.state.failed", "th", reason=state.partition(":")[2].strip())
    return t(f"reminders.state.{state}", "th")


def summary_message(plan: Plan, outcome: Mapping[str, str], sender: str) -> EmailMessage:
    subj = t("reminders.summary.subject", "th", date=format_date_th(plan.today))
    msg = _message(sender, plan.admins, (), subj)
    msg.set_content(summary_text(plan, outcome), cte="base64")
    return msg
