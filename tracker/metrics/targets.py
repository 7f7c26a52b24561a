"""Budget disbursement targets as settings: full-year targets by kind, quarterly cumulative ones.

Full-year defaults are the Thai government's FY 2569 targets (see ``SOURCE``): they apply to FY
2569 only. Targets hold for their own fiscal year: figures of a year without targets are shown
without any (never against another year's). The office's own full-year targets of other years
and its cumulative quarterly targets (from its target letter) are read from ``targets.toml`` at
the project root when present; ``targets.example.toml`` documents the format.

Which budget types count as current expenditure (รายจ่ายประจำ) and which as capital
(รายจ่ายลงทุน): investment is capital; operating, subsidy, other and central are current.
Carry-over (เงินกันไว้เบิกเหลื่อมปี) is money of an earlier year's budget, so it belongs to
neither split of the current-year targets: it counts in the overall figure only (as the seed's
KPI 3.2 does). A ``[kinds]`` table in targets.toml can change this mapping.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from tracker import PACKAGE_DIR, thai
from tracker.checks.validate import Issue, make_issue
from tracker.schema import BUDGET_TYPES

PROJECT_ROOT = PACKAGE_DIR.parent
TARGETS_FILE = PROJECT_ROOT / "targets.toml"

# Thai Cabinet resolution / Budget Bureau measures to speed up budget execution for FY 2569
# (มาตรการเร่งรัดการเบิกจ่ายงบประมาณ ประจำปีงบประมาณ พ.ศ. ๒๕๖๙): full-year disbursement targets
# of 93% overall, 98% current expenditure and 75% capital expenditure.
SOURCE = (
    "มาตรการเร่งรัดการเบิกจ่ายงบประมาณ ประจำปีงบประมาณ พ.ศ. 2569 (มติคณะรัฐมนตรี/สำนักงบประมาณ): "
    "ภาพรวมร้อยละ 93 รายจ่ายประจำร้อยละ 98 รายจ่ายลงทุนร้อยละ 75 · "
    "Thai Cabinet / Budget Bureau FY 2569 budget execution measures: overall 93%, "
    "current expenditure 98%, capital expenditure 75%"
)
KINDS: tuple[str, ...] = ("overall", "current", "capital")
DEFAULT_FULL_YEAR_FY = 2569  # the fiscal year (BE) of the built-in full-year targets
DEFAULT_FULL_YEAR: dict[str, Decimal] = {
    "overall": Decimal("93"),
    "current": Decimal("98"),
    "capital": Decimal("75"),
}
# budget type -> "current" | "capital" | None (None: counted in the overall figure only).
DEFAULT_TYPE_KINDS: dict[str, str | None] = {
    "carryover": None,
    "operating": "current",
    "investment": "capital",
    "subsidy": "current",
    "other": "current",
    "central": "current",
}
QUARTERS: tuple[str, ...] = ("Q1", "Q2", "Q3", "Q4")


def _quarter_number(quarter: int | str) -> int | None:
    """1..4 from 1, "1", "Q1", "q1"; None otherwise."""
    s = str(quarter).strip().upper().removeprefix("Q")
    return int(s) if s in {"1", "2", "3", "4"} else None


@dataclass(frozen=True)
class Targets:
    """Disbursement targets in percent (Decimal): full-year by kind, cumulative by quarter."""

    full_year_pct: dict[int, dict[str, Decimal]] = field(  # FY BE -> kind -> %
        default_factory=lambda: {DEFAULT_FULL_YEAR_FY: dict(DEFAULT_FULL_YEAR)}
    )
    quarterly: dict[int, dict[int, Decimal]] = field(default_factory=dict)  # FY BE -> Q -> %
    type_kinds: dict[str, str | None] = field(default_factory=lambda: dict(DEFAULT_TYPE_KINDS))
    source: str = SOURCE
    path: str = ""  # the settings file read, "" for the built-in defaults
    issues: tuple[Issue, ...] = ()

    def full_year(self, kind: str = "overall", fiscal_year: int | None = None) -> Decimal | None:
        """The full-year target of ``kind`` (overall | current | capital) for ``fiscal_year``
        (None: the one year held, as in a view made by ``for_year``; else the latest)."""
        if fiscal_year is None:
            fiscal_year = max(self.full_year_pct, default=None)
        return self.full_year_pct.get(fiscal_year, {}).get(kind) if fiscal_year else None

    def years(self) -> list[int]:
        """The fiscal years that have targets of any kind, oldest first."""
        return sorted(set(self.full_year_pct) | {fy for fy, q in self.quarterly.items() if q})

    def for_year(self, fiscal_year: int | None) -> Targets:
        """These targets narrowed to ``fiscal_year``: what a chart of that year's figures may
        draw (no target lines at all for a year without targets)."""
        fy = None if fiscal_year is None else int(fiscal_year)
        return replace(
            self,
            full_year_pct={k: v for k, v in self.full_year_pct.items() if k == fy},
            quarterly={k: v for k, v in self.quarterly.items() if k == fy},
        )

    def kind_of(self, budget_type: str) -> str | None:
        """ "current", "capital" or None (overall only) for a budget type."""
        return self.type_kinds.get(budget_type)

    def cumulative(self, fiscal_year: int, quarter: int | str) -> Decimal | None:
        """The office's cumulative overall target at the end of ``quarter`` of ``fiscal_year``.

        Q4 falls back to the full-year overall target when the office entered none.
        """
        q = _quarter_number(quarter)
        if q is None:
            return None
        value = self.quarterly.get(int(fiscal_year), {}).get(q)
        if value is None and q == 4:
            return self.full_year("overall", int(fiscal_year))
        return value

    def for_date(self, as_of: date) -> Decimal | None:
        """The cumulative target that applies to figures as of ``as_of``.

        That is the target of the last quarter completed on ``as_of`` (31 March -> Q2; 15
        February -> Q1), so a mid-quarter report is not judged against the quarter-end target;
        None before the end of Q1.
        """
        fy = thai.fiscal_year(as_of)
        q = thai.fiscal_quarter(as_of)
        if as_of < _quarter_end(fy, q):
            q -= 1
        if q < 1:
            return None
        return self.cumulative(fy, q)


def _quarter_end(fiscal_year: int, quarter: int) -> date:
    """Last day of ``quarter`` of FY ``fiscal_year`` (BE)."""
    start, _ = thai.fiscal_year_bounds(fiscal_year)
    month0 = start.month - 1 + 3 * quarter  # months after January of the start year
    year = start.year + month0 // 12
    month = month0 % 12 + 1  # first month of the next quarter
    return date.fromordinal(date(year, month, 1).toordinal() - 1)


DEFAULT = Targets()


def _pct(value: object) -> Decimal | None:
    try:
        d = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() and 0 <= d <= 100 else None


def _bad(path: Path, key: str, value: object) -> Issue:
    return make_issue(
        "warning", "invalid_target_value", file=path.name, column_key=key, value=value
    )


def _fiscal_year(value: object) -> int | None:
    try:
        return thai.normalize_fiscal_year(int(str(value)))
    except (TypeError, ValueError):
        return None


def _full_year_targets(
    table: dict, bad: Callable[[str, object], None]
) -> dict[int, dict[str, Decimal]]:
    """``[full_year]`` (kinds of its ``fiscal_year``, FY 2569 when not given, over the
    built-in FY 2569 figures) and ``[full_year.2570]`` tables (that year's kinds alone)."""
    out: dict[int, dict[str, Decimal]] = {DEFAULT_FULL_YEAR_FY: dict(DEFAULT_FULL_YEAR)}
    flat = {k: v for k, v in table.items() if not isinstance(v, dict) and k != "fiscal_year"}
    if flat:
        fy = _fiscal_year(table.get("fiscal_year", DEFAULT_FULL_YEAR_FY))
        if fy is None:
            bad("full_year.fiscal_year", table.get("fiscal_year"))
        else:
            out.setdefault(fy, {}).update(_kinds(flat, "full_year", bad))
    for fy_key, kinds in table.items():
        if isinstance(kinds, dict):
            fy = _fiscal_year(fy_key)
            if fy is None:
                bad(f"full_year.{fy_key}", fy_key)
            else:
                out[fy] = {**out.get(fy, {}), **_kinds(kinds, f"full_year.{fy_key}", bad)}
    return out


def _kinds(values: dict, where: str, bad: Callable[[str, object], None]) -> dict[str, Decimal]:
    kinds: dict[str, Decimal] = {}
    for kind, value in values.items():
        pct = _pct(value)
        if kind not in KINDS or pct is None:
            bad(f"{where}.{kind}", value)
        else:
            kinds[kind] = pct
    return kinds


def load_targets(path: str | Path | None = None) -> Targets:
    """Targets from ``path`` (default: ``targets.toml`` at the project root, if present).

    A missing default file gives the built-in defaults; an unreadable file or bad values give
    the defaults for what could not be read, with warning Issues in ``Targets.issues``.
    """
    file = Path(path) if path is not None else TARGETS_FILE
    if not file.is_file():
        if path is None:
            return DEFAULT
        issue = make_issue("warning", "invalid_targets_file", file=file.name, value="not found")
        return Targets(issues=(issue,))
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        issue = make_issue("warning", "invalid_targets_file", file=file.name, value=str(exc))
        return Targets(issues=(issue,))
    issues: list[Issue] = []

    def table(key: str) -> dict:
        value = data.get(key, {})
        if isinstance(value, dict):
            return value
        issues.append(_bad(file, key, value))
        return {}

    full = _full_year_targets(table("full_year"), lambda key, v: issues.append(_bad(file, key, v)))
    quarterly: dict[int, dict[int, Decimal]] = {}
    for fy_key, quarters in table("quarterly").items():
        try:
            fy = thai.normalize_fiscal_year(int(str(fy_key)))
        except (TypeError, ValueError):
            issues.append(_bad(file, f"quarterly.{fy_key}", fy_key))
            continue
        if not isinstance(quarters, dict):
            issues.append(_bad(file, f"quarterly.{fy_key}", quarters))
            continue
        for q_key, value in quarters.items():
            q, pct = _quarter_number(q_key), _pct(value)
            if q is None or pct is None:
                issues.append(_bad(file, f"quarterly.{fy_key}.{q_key}", value))
            else:
                quarterly.setdefault(fy, {})[q] = pct
    kinds = dict(DEFAULT_TYPE_KINDS)
    for btype, kind in table("kinds").items():
        kind = None if kind in ("", "overall", "none") else kind
        if btype not in BUDGET_TYPES or kind not in ("current", "capital", None):
            issues.append(_bad(file, f"kinds.{btype}", kind))
        else:
            kinds[btype] = kind
    return Targets(
        full_year_pct=full,
        quarterly=quarterly,
        type_kinds=kinds,
        source=str(data.get("source", SOURCE)),
        path=str(file),
        issues=tuple(issues),
    )


__all__ = [
    "DEFAULT",
    "DEFAULT_FULL_YEAR",
    "DEFAULT_FULL_YEAR_FY",
    "DEFAULT_TYPE_KINDS",
    "KINDS",
    "SOURCE",
    "TARGETS_FILE",
    "Targets",
    "load_targets",
]
