"""The executive one-page brief (issue 17): the Overview's headline figures, the five units
lagging most and two static charts, for the filters in use. Pure: frames in, a ``Brief`` out
(``brief_pdf`` lays it out); no Streamlit, no store.

Worst-lagging units: among the units with at least ``MIN_DIRECTIVES`` directives, the lowest
% done first; on a tie, the most overdue first (the brief states this rule).

The charts are SVG drawn by matplotlib (no browser, no network) with the installed Laksaman
font found by ``fc-match``; their text stays text (``svg.fonttype`` none) so WeasyPrint shapes
the Thai and the PDF's text layer holds it. Every label is inert: no TeX, and a "$" is escaped
so matplotlib never reads user text as mathtext.
"""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import pandas as pd

from messages.i18n import t
from tracker import thai
from tracker.metrics import budget_sums
from tracker.metrics import directives as metrics
from tracker.metrics.targets import Targets
from tracker.places import district_name, zones
from tracker.present.charts import factor_label, status_label
from tracker.present.finance_views import budget_type_label, finance_summary
from tracker.schema import STATUS_COLORS, STATUSES

MIN_DIRECTIVES = 3
WORST_N = 5
TOP_UNITS = 15
FONT_NAME = "Laksaman"


@dataclass(frozen=True)
class Brief:
    """Everything the one page shows, as plain text (escaped where laid out) and SVG."""

    lang: str
    title: str
    filters_line: str
    as_of_line: str
    cards: tuple[tuple[str, str], ...]
    worst_title: str
    worst_rule: str
    worst_headers: tuple[str, ...]
    worst: tuple[tuple[str, ...], ...]
    status_title: str
    status_svg: str  # "" when there is nothing to draw
    budget_title: str
    budget_svg: str
    budget_note: str
    no_data: str


def filters_in_words(f: metrics.Filters, lang: str) -> str:
    """ "ตัวกรองที่ใช้: ปีงบประมาณ = 2567; กลุ่มเขต = …" or "… ทั้งหมด" (the Overview's words)."""
    zone_en = dict(zones())
    shown = [
        ("filter.fiscal_year", [str(y) for y in f.fiscal_year]),
        ("filter.round", [t("filter.round_n", lang, n=r) for r in f.round]),
        ("filter.zone", [z if lang == "th" else zone_en.get(z, z) for z in f.zone]),
        ("filter.district", [district_name(c, lang) or str(c) for c in f.district]),
        ("filter.agency", [str(a) for a in f.agency]),
        ("filter.group", [str(g) for g in f.group]),
        ("filter.factor", [factor_label(k, lang) for k in f.factor]),
        ("filter.status", [status_label(k, lang) for k in f.status]),
    ]
    parts = [f"{t(key, lang)} = {', '.join(values)}" for key, values in shown if values]
    return t("common.filters_used", lang, filters="; ".join(parts) or t("common.all", lang))


def worst_units(view: pd.DataFrame, today: date, n: int = WORST_N) -> pd.DataFrame:
    """Units with at least MIN_DIRECTIVES directives, lowest % done first, then most overdue."""
    cols = ["agency", "total", "done", "done_pct", "overdue", "not_reported"]
    if view.empty:
        return pd.DataFrame(columns=cols)
    counts = metrics.by_agency(view)
    late = metrics.aging(view, today)["overdue"]
    overdue = late.groupby(view["agency"].astype(object)).sum().astype(int)
    counts["overdue"] = counts["agency"].astype(object).map(overdue).fillna(0).astype(int)
    counts = counts[counts["total"] >= MIN_DIRECTIVES]
    counts = counts.sort_values(
        ["done_pct", "overdue", "agency"], ascending=[True, False, True], ignore_index=True
    )
    return counts[cols].head(n)


def inert(text: object) -> str:
    """A label matplotlib draws as written: "$" escaped (no mathtext), one line."""
    return re.sub(r"\s+", " ", str(text)).replace("$", r"\$")


@lru_cache(maxsize=1)
def font_file() -> str:
    """The installed Laksaman font's file (fontconfig's fc-match)."""
    out = subprocess.run(
        ["fc-match", "-f", "%{file}", FONT_NAME], capture_output=True, text=True, check=True
    ).stdout.strip()
    if FONT_NAME.lower() not in out.lower():
        raise RuntimeError(f"font {FONT_NAME} not installed (fonts-thai-tlwg); fc-match: {out}")
    return out


def _figure(width_in: float, height_in: float):
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    fig = Figure(figsize=(width_in, height_in))
    FigureCanvasSVG(fig)
    return fig, FontProperties(fname=font_file(), size=10)


def _svg(fig, prefix: str) -> str:
    """The figure as inline SVG; its ids (glyphs, clip paths) prefixed, unique in the page."""
    import matplotlib

    out = io.StringIO()
    with matplotlib.rc_context(
        {"svg.fonttype": "path", "text.usetex": False, "svg.hashsalt": "brief"}
    ):
        fig.savefig(out, format="svg", bbox_inches="tight")
    text = out.getvalue()
    text = text[text.index("<svg") :]  # inline in the HTML: no XML prolog or DOCTYPE
    text = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', text)
    return re.sub(r'(href="#|url\(#)([^")]+)', rf"\1{prefix}-\2", text)


def status_chart(view: pd.DataFrame, lang: str) -> str:
    """Stacked horizontal bars: status counts of the TOP_UNITS units with most directives."""
    if view.empty:
        return ""
    counts = metrics.by_agency(view)
    top = counts.sort_values(["total", "agency"], ascending=[False, True]).head(TOP_UNITS)
    top = top.iloc[::-1]  # most directives at the top
    fig, font = _figure(7.0, 0.22 * len(top) + 1.0)
    ax = fig.add_subplot()
    left = pd.Series(0, index=top.index)
    for s in STATUSES:
        ax.barh(
            range(len(top)),
            top[s],
            left=left,
            color=STATUS_COLORS[s],
            label=inert(status_label(s, lang)),
            height=0.7,
        )
        left = left + top[s]
    ax.set_yticks(range(len(top)), [inert(a) for a in top["agency"]], fontproperties=font)
    for label in ax.get_xticklabels():
        label.set_fontproperties(font)
    ax.set_xlabel(inert(t("brief.axis.directives", lang)), fontproperties=font)
    ax.legend(prop=font, ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.6 / len(top)))
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, "status")


def budget_chart(budget: pd.DataFrame, target_pct: float | None, lang: str) -> str:
    """Horizontal bars: disbursement rate per budget type and in total, the target as a line."""
    types = budget_sums.by_type(budget) if not budget.empty else pd.DataFrame()
    if types.empty or types["rate_pct"].isna().all():
        return ""
    types = types[types["rate_pct"].notna()].iloc[::-1]
    fig, font = _figure(6.0, 0.3 * len(types) + 1.1)
    ax = fig.add_subplot()
    colors = ["#37474f" if b == "total" else "#1565c0" for b in types["budget_type"]]
    ax.barh(range(len(types)), types["rate_pct"], color=colors, height=0.6)
    for i, rate in enumerate(types["rate_pct"]):
        ax.text(rate + 1, i, thai.format_pct(rate), va="center", fontproperties=font)
    labels = [inert(budget_type_label(b, lang)) for b in types["budget_type"]]
    ax.set_yticks(range(len(types)), labels, fontproperties=font)
    if target_pct is not None:
        ax.axvline(target_pct, color="#c62828", linestyle="--", linewidth=1.2)
        ax.text(
            target_pct,
            len(types) - 0.4,
            inert(t("brief.target_line", lang, pct=thai.format_pct(target_pct))),
            color="#c62828",
            ha="center",
            va="bottom",
            fontproperties=font,
        )
    ax.set_xlim(0, 110)
    for label in ax.get_xticklabels():
        label.set_fontproperties(font)
    ax.set_xlabel(inert(t("brief.axis.rate", lang)), fontproperties=font)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, "budget")


def build_brief(
    view: pd.DataFrame,
    kpis: pd.DataFrame,
    budget: pd.DataFrame,
    targets: Targets,
    filters: metrics.Filters,
    today: date,
    lang: str = "th",
) -> Brief:
    """The brief of ``view`` (directives already filtered by ``apply_filters``) and of ``kpis``
    and ``budget`` (filtered by ``filter_units``) as of ``today``."""
    c = metrics.overview_cards(view, today)
    fin = finance_summary(kpis, budget, targets)
    n = c["total"]
    cards = (
        (t("card.total", lang), thai.format_int(n)),
        (t("card.done_pct", lang), thai.format_pct(c["done_pct"])),
        (t("card.cannot", lang), thai.format_int(c["cannot"])),
        (t("card.not_reported", lang), thai.format_int(c["not_reported"])),
        (t("card.overdue", lang), thai.format_int(c["overdue"])),
        (t("fin.card.rate", lang), thai.format_pct(fin.rate_pct)),
        (t("fin.card.target", lang), thai.format_pct(fin.target_pct)),
        (t("fin.card.kpi_on", lang), thai.format_int(fin.kpis["on_target"])),
        (t("fin.card.kpi_below", lang), thai.format_int(fin.kpis["below_target"])),
    )
    worst = worst_units(view, today)
    rows = tuple(
        (
            str(r.agency),
            thai.format_int(r.total),
            thai.format_pct(r.done_pct),
            thai.format_int(r.overdue),
            thai.format_int(r.not_reported),
        )
        for r in worst.itertuples(index=False)
    )
    budget_as_of = thai.format_date(fin.as_of, lang) if fin.as_of else "-"
    return Brief(
        lang=lang,
        title=t("brief.title", lang),
        filters_line=filters_in_words(filters, lang),
        as_of_line=t("brief.as_of", lang, today=thai.format_date(today, lang), budget=budget_as_of),
        cards=cards,
        worst_title=t("brief.worst.title", lang, n=WORST_N),
        worst_rule=t("brief.worst.rule", lang, min=MIN_DIRECTIVES),
        worst_headers=tuple(
            t(f"brief.worst.{k}", lang)
            for k in ("unit", "total", "done_pct", "overdue", "not_reported")
        ),
        worst=rows,
        status_title=t("brief.chart.status", lang, n=TOP_UNITS),
        status_svg=status_chart(view, lang),
        budget_title=t("brief.chart.budget", lang),
        budget_svg=budget_chart(
            budget, None if fin.target_pct is None else float(fin.target_pct), lang
        ),
        budget_note=t("brief.budget_note", lang),
        no_data=t("brief.no_data", lang),
    )


def file_name(today: date) -> str:
    return f"executive_brief_{today.isoformat()}.pdf"


__all__ = [
    "MIN_DIRECTIVES",
    "Brief",
    "budget_chart",
    "build_brief",
    "file_name",
    "filters_in_words",
    "inert",
    "status_chart",
    "worst_units",
]
