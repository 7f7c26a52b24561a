"""What the next reminder run would tell each unit (pure: frames in, digests out).

A directive still open (in progress or not reported) reaches a threshold by its due date —
``overdue`` (past it), ``due_1`` / ``due_7`` / ``due_30`` (due within 1, 7 or 30 days) — and,
when not reported in the current round (the latest fiscal year and round of the register),
``not_reported``. Each (directive, threshold, occasion) is told once: the occasion is the due
date for the due thresholds (a moved due date is a new deadline) and the round for
``not_reported``; what was told before (``sent``) is left out. A directive is listed once, in
its most urgent new threshold. A unit with nothing new gets no mail; a unit with something new
but no contact is listed as skipped (and told once it has one). The mail itself (text, HTML,
the EmailMessage) is tracker.present.reminder_mail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote, urlencode

import numpy as np
import pandas as pd

from tracker.places import zone_of_code

# Most urgent first: a directive is listed under the first of its new thresholds.
THRESHOLDS = ("overdue", "due_1", "due_7", "due_30", "not_reported")
DUE_THRESHOLDS = THRESHOLDS[:4]
OPEN_STATUSES = ("in_progress", "not_reported")
MAX_LISTED = 50  # directives listed per section; the rest are counted and linked
MAX_TEXT = 300  # characters of a directive's text in a mail
_SEP = "\x1f"


@dataclass(frozen=True)
class Item:
    directive_id: str
    text: str  # plain text, clipped
    due_date: date | None
    status: str
    thresholds: tuple[str, ...]  # every new threshold of the directive (recorded when sent)


@dataclass
class Digest:
    """One unit's mail: its addresses, the sections (threshold → items), counts and links."""

    unit: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    today: date
    counts: dict[str, int]  # section → directives in it (all of them, not only those listed)
    sections: dict[str, list[Item]]  # section → the first MAX_LISTED items
    links: dict[str, str]  # section → the unit's filtered view
    round_label: str  # "2/2567"
    told: list[dict[str, str]] = field(default_factory=list)  # keys recorded once sent

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Plan:
    """The next run: the digests to send, the units skipped (no contact) and the admins."""

    today: date
    digests: list[Digest]
    skipped: list[Digest]  # to/cc empty
    admins: tuple[str, ...]
    round_label: str


def view_link(base_url: str, unit: str, section: str, fy: int | None, rnd: int | None) -> str:
    """The unit's filtered Directives view: ``{base}/directives?agency=…&status=…``."""
    params: list[tuple[str, str]] = [("agency", unit)]
    if section == "not_reported":
        if fy is not None and rnd is not None:
            params += [("fy", str(fy)), ("round", str(rnd))]
        params.append(("status", "not_reported"))
    else:
        params += [("status", s) for s in OPEN_STATUSES]
    return f"{base_url.rstrip('/')}/directives?{urlencode(params, quote_via=quote)}"


def current_round(directives: pd.DataFrame) -> tuple[int | None, int | None]:
    """The latest (fiscal year, round) of the register; (None, None) when it has none."""
    fy = pd.to_numeric(directives["fiscal_year"], errors="coerce")
    if fy.notna().sum() == 0:
        return None, None
    top = int(fy.max())
    rounds = pd.to_numeric(directives["round"], errors="coerce")[fy == top]
    return top, (int(rounds.max()) if rounds.notna().any() else None)


def _due_threshold(days: np.ndarray) -> np.ndarray:
    return np.select(
        [days < 0, days <= 1, days <= 7, days <= 30], list(DUE_THRESHOLDS), default=""
    ).astype(object)


def candidates(
    directives: pd.DataFrame, today: date
) -> tuple[pd.DataFrame, int | None, int | None]:
    """Every (directive, threshold, occasion) the data calls for today, with its unit."""
    status = directives["status"].astype(str).to_numpy()
    is_open = np.isin(status, OPEN_STATUSES)
    due = pd.to_datetime(directives["due_date"]).to_numpy(dtype="datetime64[D]")
    days = (due - np.datetime64(today, "D")).astype("timedelta64[D]").astype(float)
    with np.errstate(invalid="ignore"):
        near = is_open & ~np.isnat(due) & (days <= 30)
    idx = np.flatnonzero(near)
    parts = [
        pd.DataFrame(
            {
                "pos": idx,
                "threshold": _due_threshold(days[idx]),
                "occasion": due[idx].astype(str).astype(object),
            }
        )
    ]
    fy, rnd = current_round(directives)
    if fy is not None:
        fys = pd.to_numeric(directives["fiscal_year"], errors="coerce").to_numpy()
        rounds = pd.to_numeric(directives["round"], errors="coerce").to_numpy()
        in_round = (fys == fy) & ((rounds == rnd) if rnd is not None else np.isnan(rounds))
        nr = np.flatnonzero((status == "not_reported") & in_round)
        occasion = f"{fy}/{rnd if rnd is not None else '-'}"
        parts.append(pd.DataFrame({"pos": nr, "threshold": "not_reported", "occasion": occasion}))
    out = pd.concat(parts, ignore_index=True)
    ids = directives["directive_id"].astype(str).to_numpy()
    units = directives["agency"].astype(str).to_numpy()
    out["directive_id"] = ids[out["pos"].to_numpy()]
    out["unit"] = units[out["pos"].to_numpy()]
    return out, fy, rnd


def _keys(frame: pd.DataFrame) -> pd.Series:
    return frame["directive_id"].astype(str) + _SEP + frame["threshold"] + _SEP + frame["occasion"]


def _clip(text: object) -> str:
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return ""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= MAX_TEXT else flat[: MAX_TEXT - 1] + "…"


def build_plan(
    directives: pd.DataFrame,
    contacts: pd.DataFrame,
    sent: pd.DataFrame,
    today: date,
    base_url: str,
    extra_admins: tuple[str, ...] = (),
) -> Plan:
    """The digests of the next run (see the module's docstring)."""
    cand, fy, rnd = candidates(directives, today)
    round_label = f"{rnd}/{fy}" if fy is not None and rnd is not None else "-"
    if not sent.empty and not cand.empty:
        cand = cand[~_keys(cand).isin(set(_keys(sent)))]
    to_of, cc_of, admins = _addresses(contacts, extra_admins)
    digests: list[Digest] = []
    skipped: list[Digest] = []
    if not cand.empty:
        rank = {t: i for i, t in enumerate(THRESHOLDS)}
        cand = cand.assign(rank=cand["threshold"].map(rank)).sort_values(["unit", "rank", "pos"])
        district = directives["district_code"].astype(object).to_numpy()
        for unit, rows in cand.groupby("unit", sort=True):
            digest = _digest(str(unit), rows, directives, district, today, base_url, fy, rnd)
            digest.round_label = round_label
            code = district[int(rows["pos"].iloc[0])]
            zone = zone_of_code(code) if isinstance(code, str) and code else None
            digest.to = to_of.get(digest.unit, ())
            digest.cc = tuple(
                a
                for a in (*cc_of.get(zone[0] if zone else "\x00", ()), *cc_of.get("", ()))
                if a not in digest.to
            )
            (digests if digest.to else skipped).append(digest)
    return Plan(today, digests, skipped, admins, round_label)


def _addresses(
    contacts: pd.DataFrame, extra_admins: tuple[str, ...]
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], tuple[str, ...]]:
    to_of: dict[str, list[str]] = {}
    cc_of: dict[str, list[str]] = {}
    admins: list[str] = []
    for unit, email, role, zone in contacts[["unit", "email", "role", "zone"]].itertuples(
        index=False
    ):
        if role == "unit":
            to_of.setdefault(str(unit), []).append(str(email))
        elif role == "inspector":
            cc_of.setdefault(str(zone), []).append(str(email))
        elif role == "admin":
            admins.append(str(email))
    admins += [a for a in extra_admins if a not in admins]
    uniq = lambda xs: tuple(dict.fromkeys(xs))  # noqa: E731
    return (
        {k: uniq(v) for k, v in to_of.items()},
        {k: uniq(v) for k, v in cc_of.items()},
        uniq(admins),
    )


def _digest(
    unit: str,
    rows: pd.DataFrame,
    directives: pd.DataFrame,
    district: np.ndarray,
    today: date,
    base_url: str,
    fy: int | None,
    rnd: int | None,
) -> Digest:
    """One unit's digest from its new (directive, threshold) rows, most urgent first."""
    counts = dict.fromkeys(THRESHOLDS, 0)
    sections: dict[str, list[Item]] = {t: [] for t in THRESHOLDS}
    pos = rows["pos"].to_numpy()
    thr = rows["threshold"].to_numpy()
    first = ~pd.Series(pos).duplicated().to_numpy()  # rows are sorted by urgency per directive
    thresholds_of: dict[int, list[str]] = {}
    for p, t in zip(pos, thr, strict=True):
        thresholds_of.setdefault(int(p), []).append(str(t))
    texts = directives["text"]
    dues = directives["due_date"]
    statuses = directives["status"]
    ids = directives["directive_id"]
    for p, t in zip(pos[first], thr[first], strict=True):
        counts[t] += 1
        if len(sections[t]) < MAX_LISTED:
            due = dues.iloc[p]
            sections[t].append(
                Item(
                    directive_id=str(ids.iloc[p]),
                    text=_clip(texts.iloc[p]),
                    due_date=None if pd.isna(due) else pd.Timestamp(due).date(),
                    status=str(statuses.iloc[p]),
                    thresholds=tuple(thresholds_of[int(p)]),
                )
            )
    told = rows[["directive_id", "threshold", "occasion", "unit"]].to_dict("records")
    return Digest(
        unit=unit,
        to=(),
        cc=(),
        today=today,
        counts={t: n for t, n in counts.items() if n},
        sections={t: items for t, items in sections.items() if items},
        links={t: view_link(base_url, unit, t, fy, rnd) for t in THRESHOLDS if counts[t]},
        round_label="-",
        told=told,
    )
