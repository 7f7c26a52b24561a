"""Display tables of the KPI and budget pages (pure pandas, no Streamlit).

Labels come in the active language, amounts as "12,203,500.00", "-" stands for not applicable
or missing, dates carry the Buddhist-Era year in Thai. The pages only draw what these return.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pandas as pd
from pandas.io.formats.style import Styler

from messages.i18n import t
from tracker import thai
from tracker.metrics import budget_sums as budget_mod
from tracker.metrics import kpi_scores as kpi_mod
from tracker.metrics.targets import SOURCE, Targets
from tracker.schema import (
    BUDGET_TYPE_EN,
    BUDGET_TYPE_TH,
    KPI_TEXT_COLUMNS,
    MEASURES,
    PERIODS,
    STAGE_EN,
    STAGE_TH,
)

DASH = "-"
LIGHT_COLORS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828"}
LIGHT_TEXT = {"green": "#ffffff", "amber": "#1f1f1f", "red": "#ffffff"}
NO_LIGHT_COLOR = "#9e9e9e"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


# --- labels -----------------------------------------------------------------------------------
def period_label(period: str | None, lang: str) -> str:
    """ "ไตรมาส 2 (ครึ่งปี)" / "Q2 (half-year)"; "-" when missing."""
    if not period or period not in PERIODS:
        return DASH
    return t(f"fin.period.{period}", lang)


def light_label(light: str | None, lang: str) -> str:
    """ "ถึงเป้าหมาย" / "On target" …; "-" when the KPI cannot be scored."""
    return DASH if not light else t(f"fin.light.{light}", lang)


def stage_label(stage: str | None, lang: str) -> str:
    """The innovation stage in the active language; "-" when none."""
    if not stage:
        return DASH
    return (STAGE_TH if lang == "th" else STAGE_EN).get(stage, stage)


def component_label(component: str | None, lang: str) -> str:
    """ "1.1 Function Base", "องค์ประกอบที่ 2 Innovation Base" …; the code itself if unknown."""
    if not component:
        return DASH
    key = f"fin.component.{component}"
    text = t(key, lang)
    return component if text == key else text


def budget_type_label(budget_type: str, lang: str) -> str:
    """Budget type ("operating", …, "total") in the active language."""
    return (BUDGET_TYPE_TH if lang == "th" else BUDGET_TYPE_EN).get(budget_type, budget_type)


def measure_value(value: float | None, measure: str | None, lang: str) -> str:
    """A target or achieved value: "ระดับ 5" / "Level 5" or "75.00%"; "-" when missing."""
    if value is None or pd.isna(value):
        return DASH
    if measure == "level":
        return t("fin.level_n", lang, n=thai.format_int(value))
    return thai.format_pct(value)


def amount(value: float | None) -> str:
    """ "12,203,500.00"; "-" for not applicable."""
    return thai.format_amount(None if value is None or pd.isna(value) else value)


def millions(value: float | None) -> str:
    """An amount in millions of baht for a card: 4129941969 → "4,129.94"; "-" when missing
    (the card's label says ล้านบาท / million baht; its help gives :func:`full_amount`)."""
    if value is None or pd.isna(value):
        return DASH
    return thai.format_amount(float(value) / 1_000_000)


def full_amount(value: float | None, lang: str) -> str | None:
    """ "Full amount: 4,129,941,969.00 baht" (a card's help); None when missing."""
    if value is None or pd.isna(value):
        return None
    return t("glance.full_amount", lang, amount=thai.format_amount(float(value)))


def source_in(source: str, lang: str) -> str:
    """The targets' source in one language: the built-in source is written "Thai · English";
    a source of the user's own (targets.toml) is shown as written."""
    thai_part, sep, english = source.rpartition(" · ")
    if source != SOURCE or not sep:
        return source
    return english if lang == "en" else thai_part


def rate(value: float | None) -> str:
    """A rate in percent with 2 decimals ("33.55"); "-" when not applicable."""
    return amount(value)


def date_label(value: object, lang: str) -> str:
    """ "31 มี.ค. 2567" / "31 Mar 2024"; "-" when missing."""
    if value is None or pd.isna(value):
        return DASH
    return thai.format_date(pd.Timestamp(value).date(), lang)


def plain_label(text: str | None, limit: int | None = 90) -> str:
    """User text made safe for a Markdown label (expander titles): shortened, every Markdown
    character escaped, one line."""
    one_line = thai.collapse_spaces(str(text or "").replace("\n", " "))
    if limit is not None and len(one_line) > limit:
        one_line = one_line[: limit - 1].rstrip() + "…"
    return _MD_SPECIAL.sub(r"\\\1", one_line)


# --- choices ----------------------------------------------------------------------------------
def kpi_units(kpis: pd.DataFrame) -> list[str]:
    """Units that reported KPIs, sorted."""
    return sorted(str(u) for u in kpis["unit"].dropna().unique())


def kpi_years(kpis: pd.DataFrame, unit: str | None) -> list[int]:
    """Fiscal years (BE) a unit reported KPIs for, oldest first."""
    df = kpis if unit is None else kpis[kpis["unit"] == unit]
    return sorted(int(y) for y in df["fiscal_year"].dropna().unique())


def kpi_periods(kpis: pd.DataFrame, unit: str | None, fiscal_year: int | None) -> list[str]:
    """Periods (Q1..Q4, in order) a unit reported for a fiscal year."""
    df = kpis if unit is None else kpis[kpis["unit"] == unit]
    if fiscal_year is not None:
        df = df[df["fiscal_year"] == fiscal_year]
    present = set(df["period"].dropna())
    return [p for p in PERIODS if p in present]


def budget_units(budget: pd.DataFrame) -> list[str]:
    """Units with budget figures, sorted."""
    return sorted(str(u) for u in budget["unit"].dropna().unique())


def budget_dates(budget: pd.DataFrame, unit: str | None) -> list[date]:
    """As-of dates of a unit's (or every unit's) budget figures, oldest first."""
    df = budget if unit is None else budget[budget["unit"] == unit]
    return sorted({pd.Timestamp(d).date() for d in df["as_of"].dropna()})


# --- KPI tables -------------------------------------------------------------------------------
def scorecard_table(card: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The scorecard (``kpi.scorecard``) as shown: code, light, achievement %, target,
    achieved, KPI, innovation stage, component (what matters first, for a phone's width)."""
    rows = [
        {
            t("fin.col.code", lang): r.kpi_code or DASH,
            t("fin.col.light", lang): light_label(r.light, lang),
            t("fin.col.achievement", lang): rate(r.achievement_pct),
            t("fin.col.target", lang): measure_value(r.target, r.measure, lang),
            t("fin.col.actual", lang): measure_value(r.actual, r.measure, lang),
            t("fin.col.kpi", lang): r.kpi or DASH,
            t("fin.col.stage", lang): stage_label(r.stage, lang),
            t("fin.col.component", lang): component_label(r.component, lang),
        }
        for r in card.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=_score_cols(lang))


def _score_cols(lang: str) -> list[str]:
    keys = ("code", "light", "achievement", "target", "actual", "kpi", "stage", "component")
    return [t(f"fin.col.{k}", lang) for k in keys]


def _light_css(label: str, lang: str) -> str:
    for light in kpi_mod.LIGHTS:
        if label == light_label(light, lang):
            return f"background-color: {LIGHT_COLORS[light]}; color: {LIGHT_TEXT[light]}"
    return ""


def styled_scorecard(card: pd.DataFrame, lang: str) -> Styler:
    """``scorecard_table`` with the light column coloured green / amber / red."""
    table = scorecard_table(card, lang)
    col = t("fin.col.light", lang)
    return table.style.map(lambda v: _light_css(v, lang), subset=[col])


def kpi_counts(card: pd.DataFrame) -> dict[str, int]:
    """How many KPIs of the scorecard are green, amber, red, or cannot be scored."""
    lights = card["light"]
    return {
        "total": len(card),
        "green": int((lights == "green").sum()),
        "amber": int((lights == "amber").sum()),
        "red": int((lights == "red").sum()),
        "none": int(lights.isna().sum()),
    }


@dataclass(frozen=True)
class KpiText:
    """The plain-text fields of one KPI, for its details panel."""

    code: str
    title: str
    light: str
    stage: str
    fields: tuple[tuple[str, str], ...]  # (label, plain text), only fields with text
    checklist: tuple[tuple[str, bool], ...]


def kpi_texts(card: pd.DataFrame, lang: str) -> list[KpiText]:
    """Detail / project / evidence / obstacle of each KPI as plain text, with its checklist
    (ticked / unticked items found in the detail) and innovation stage."""
    out = []
    for r in card.itertuples(index=False):
        fields = []
        checklist: list[tuple[str, bool]] = []
        for key in KPI_TEXT_COLUMNS:
            value = getattr(r, key)
            if value is None or pd.isna(value) or not str(value).strip():
                continue
            fields.append((t(f"fin.col.{key}", lang), str(value)))
            if not checklist:
                checklist = kpi_mod.parse_checklist(str(value))
        out.append(
            KpiText(
                code=str(r.kpi_code or DASH),
                title=str(r.kpi or DASH),
                light=light_label(r.light, lang),
                stage=stage_label(r.stage, lang),
                fields=tuple(fields),
                checklist=tuple(checklist),
            )
        )
    return out


def checklist_table(items: tuple[tuple[str, bool], ...] | list, lang: str) -> pd.DataFrame:
    """Checklist items as a table: a ticked column ("✓" or "-", not a bare checkbox) and the
    item text."""
    return pd.DataFrame(
        {
            t("fin.col.ticked", lang): [thai.format_flag(bool(done)) for _, done in items],
            t("fin.col.item", lang): [label for label, _ in items],
        }
    )


def digital_checklist(card: pd.DataFrame) -> tuple[str, list[tuple[str, bool]]] | None:
    """The digital-systems checklist of KPI 3.1 in the scorecard: (kpi_code, items) or None."""
    rows = card[card["component"] == "3.1"]
    for r in rows.itertuples(index=False):
        for key in KPI_TEXT_COLUMNS:
            value = getattr(r, key)
            if value is None or pd.isna(value):
                continue
            items = kpi_mod.parse_checklist(str(value))
            if items:
                return str(r.kpi_code), items
    return None


def levels_table(wide: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``kpi.levels_over_periods`` as shown: code, KPI, target, then one column per period."""
    rows = []
    for r in wide.itertuples(index=False):
        row = {
            t("fin.col.code", lang): r.kpi_code or DASH,
            t("fin.col.kpi", lang): r.kpi or DASH,
            t("fin.col.target", lang): measure_value(r.target, r.measure, lang),
        }
        for p in PERIODS:
            row[period_label(p, lang)] = measure_value(getattr(r, p), r.measure, lang)
        rows.append(row)
    cols = [t(f"fin.col.{k}", lang) for k in ("code", "kpi", "target")]
    return pd.DataFrame(rows, columns=[*cols, *(period_label(p, lang) for p in PERIODS)])


def by_measure(wide: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The rows of ``levels_over_periods`` split by measure (levels and percents are charted
    apart: their scales differ)."""
    return [(m, wide[wide["measure"] == m]) for m in MEASURES if (wide["measure"] == m).any()]


def has_trend(wide: pd.DataFrame) -> bool:
    """True when at least two periods hold an achieved value (a line is worth drawing)."""
    filled = [p for p in PERIODS if p in wide and wide[p].notna().any()]
    return len(filled) >= 2


# --- budget tables ----------------------------------------------------------------------------
def type_target(targets: Targets, budget_type: str) -> Decimal | None:
    """Full-year target of a budget type's kind ("total" → overall; carry-over → none)."""
    if budget_type == "total":
        return targets.full_year("overall")
    kind = targets.kind_of(budget_type)
    return targets.full_year(kind) if kind else None


def budget_type_table(types: pd.DataFrame, targets: Targets, lang: str) -> pd.DataFrame:
    """``budget.by_type`` as shown: type, allocated, disbursed, rate, full-year target."""
    rows = [
        {
            t("fin.col.budget_type", lang): budget_type_label(r.budget_type, lang),
            t("fin.col.allocated", lang): amount(r.allocated),
            t("fin.col.disbursed", lang): amount(r.disbursed),
            t("fin.col.rate", lang): rate(r.rate_pct),
            t("fin.col.full_year_target", lang): rate(_f(type_target(targets, r.budget_type))),
        }
        for r in types.itertuples(index=False)
    ]
    keys = ("budget_type", "allocated", "disbursed", "rate", "full_year_target")
    return pd.DataFrame(rows, columns=[t(f"fin.col.{k}", lang) for k in keys])


def styled_budget_types(types: pd.DataFrame, targets: Targets, lang: str) -> Styler:
    """``budget_type_table`` with the total row in bold."""
    table = budget_type_table(types, targets, lang)
    total = budget_type_label("total", lang)
    col = t("fin.col.budget_type", lang)

    def bold(row: pd.Series) -> list[str]:
        css = "font-weight: bold" if row[col] == total else ""
        return [css] * len(row)

    return table.style.apply(bold, axis=1)


def target_status(rate_pct: float | None, target: float | None, lang: str) -> str:
    """ "ต่ำกว่าเป้าหมาย" / "ถึงเป้าหมาย"; "-" when there is no rate or no target then."""
    if rate_pct is None or target is None or pd.isna(rate_pct) or pd.isna(target):
        return DASH
    return t("fin.flag.below" if rate_pct < target else "fin.flag.ok", lang)


def budget_unit_table(units: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``budget.by_unit`` as shown: unit, rate, target, flag (what matters first, for a
    phone's width), then allocated, disbursed and the as-of date."""
    rows = [
        {
            t("fin.col.unit", lang): r.unit,
            t("fin.col.rate", lang): rate(r.rate_pct),
            t("fin.col.target", lang): rate(r.target),
            t("fin.col.flag", lang): target_status(r.rate_pct, r.target, lang),
            t("fin.col.allocated", lang): amount(r.allocated),
            t("fin.col.disbursed", lang): amount(r.disbursed),
            t("fin.col.as_of", lang): date_label(r.as_of, lang),
        }
        for r in units.itertuples(index=False)
    ]
    keys = ("unit", "rate", "target", "flag", "allocated", "disbursed", "as_of")
    return pd.DataFrame(rows, columns=[t(f"fin.col.{k}", lang) for k in keys])


def styled_budget_units(units: pd.DataFrame, lang: str) -> Styler:
    """``budget_unit_table`` with below-target units flagged in red."""
    table = budget_unit_table(units, lang)
    below = t("fin.flag.below", lang)
    css = f"background-color: {LIGHT_COLORS['red']}; color: #ffffff; font-weight: bold"
    return table.style.map(lambda v: css if v == below else "", subset=[t("fin.col.flag", lang)])


def cumulative_table(cum: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``budget.cumulative`` as shown: as-of date, allocated, disbursed, rate, target then."""
    rows = [
        {
            t("fin.col.as_of", lang): date_label(r.as_of, lang),
            t("fin.col.allocated", lang): amount(r.allocated),
            t("fin.col.disbursed", lang): amount(r.disbursed),
            t("fin.col.rate", lang): rate(r.rate_pct),
            t("fin.col.cumulative_target", lang): rate(r.target),
        }
        for r in cum.itertuples(index=False)
    ]
    keys = ("as_of", "allocated", "disbursed", "rate", "cumulative_target")
    return pd.DataFrame(rows, columns=[t(f"fin.col.{k}", lang) for k in keys])


def cumulative_for(
    budget: pd.DataFrame, unit: str | None, as_of: date | None, targets: Targets
) -> pd.DataFrame:
    """``budget.cumulative`` of a unit (or all) within the fiscal year of ``as_of``: the
    cumulative rate restarts with every fiscal year."""
    cum = budget_mod.cumulative(budget, unit, targets)
    if as_of is None or cum.empty:
        return cum
    return cum[cum["fiscal_year"] == thai.fiscal_year(as_of)].reset_index(drop=True)


def total_of(types: pd.DataFrame) -> dict[str, float | None]:
    """The "total" row of ``budget.by_type`` (allocated, disbursed, rate_pct); nulls if none."""
    rows = types[types["budget_type"] == "total"]
    if rows.empty:
        return {"allocated": None, "disbursed": None, "rate_pct": None}
    r = rows.iloc[0]
    return {
        k: (None if pd.isna(r[k]) else float(r[k])) for k in ("allocated", "disbursed", "rate_pct")
    }


def below_target_count(units: pd.DataFrame) -> int:
    """How many units of ``budget.by_unit`` are below their target."""
    return int(units["below_target"].astype(bool).sum()) if not units.empty else 0


def _f(d: Decimal | None) -> float | None:
    return None if d is None else float(d)


@dataclass(frozen=True)
class FinanceSummary:
    """What the overview shows of KPIs and budget."""

    rate_pct: Decimal | None  # overall disbursement rate, each unit's latest as-of date
    as_of: date | None  # the latest as-of date among those
    target_pct: Decimal | None  # the cumulative target for that date
    kpis: dict[str, int]  # kpi.summary(): on_target, below_target, no_result, total …


def finance_summary(kpis: pd.DataFrame, budget: pd.DataFrame, targets: Targets) -> FinanceSummary:
    """Overall disbursement rate vs its target for the latest as-of date, and KPI counts."""
    rate_pct = budget_mod.overall_rate(budget) if not budget.empty else None
    dates = budget_dates(budget, None) if not budget.empty else []
    as_of = dates[-1] if dates else None
    target = targets.for_date(as_of) if as_of else None
    counts = (
        kpi_mod.summary(kpis)
        if not kpis.empty
        else {"total": 0, "on_target": 0, "below_target": 0, "no_result": 0}
    )
    return FinanceSummary(rate_pct=rate_pct, as_of=as_of, target_pct=target, kpis=counts)


__all__ = [
    "DASH",
    "LIGHT_COLORS",
    "NO_LIGHT_COLOR",
    "FinanceSummary",
    "KpiText",
    "amount",
    "below_target_count",
    "budget_dates",
    "budget_type_label",
    "budget_type_table",
    "budget_unit_table",
    "budget_units",
    "by_measure",
    "checklist_table",
    "component_label",
    "cumulative_for",
    "cumulative_table",
    "date_label",
    "digital_checklist",
    "finance_summary",
    "has_trend",
    "kpi_counts",
    "kpi_periods",
    "kpi_texts",
    "kpi_units",
    "kpi_years",
    "levels_table",
    "light_label",
    "measure_value",
    "period_label",
    "plain_label",
    "rate",
    "scorecard_table",
    "stage_label",
    "styled_budget_types",
    "styled_budget_units",
    "styled_scorecard",
    "target_status",
    "total_of",
    "type_target",
]
