"""The executive brief (``tracker.present.brief``) as a one-page A4 portrait PDF: HTML built
here with every value escaped (``pdf_common.esc``), the charts inline as SVG, laid out by
WeasyPrint with the report's fonts and Thai text-layer primer (``pdf_common``)."""

from __future__ import annotations

import math
import unicodedata

from tracker.present.brief import Brief
from tracker.present.pdf_common import FONTS, PRIMER_CSS, PRIMER_HTML, esc, html_to_pdf

CSS = f"""
@page {{ size: A4 portrait; margin: 1.2cm 1.5cm 1.2cm 2cm; }}
body {{ font-family: {FONTS}; font-size: 13pt; line-height: 1.15; }}
h1 {{ font-size: 17pt; font-weight: bold; margin: 0 0 0.1em 0; }}
h2 {{ font-size: 14pt; font-weight: bold; margin: 0.35em 0 0.1em 0; }}
p {{ margin: 0.05em 0; }}
.meta {{ font-size: 12pt; }}
.cards {{ display: grid; grid-template-columns: repeat(5, 1fr); gap: 3pt; margin: 0.3em 0; }}
.card {{ border: 0.6pt solid #90a4ae; border-radius: 3pt; padding: 1pt 4pt; }}
.card .label {{ font-size: 10.5pt; color: #455a64; line-height: 1.05; }}
.card .value {{ font-size: 15pt; font-weight: bold; }}
table {{ width: 100%; border-collapse: collapse; font-size: 12pt; table-layout: fixed; }}
th, td {{ border: 0.6pt solid #000; padding: 0 4pt; }}
th {{ font-weight: bold; text-align: center; }}
td.num {{ text-align: right; white-space: nowrap; }}
.note {{ font-size: 10.5pt; color: #455a64; }}
.chart svg {{ width: 100%; height: auto; }}
{PRIMER_CSS}
"""


# The page holds one A4 page whatever the names: the charts give up the height that long unit
# names (wrapping in the table) and a long filter line take. Widths in characters per line are
# measured for Laksaman at the sizes of the CSS above (combining marks take no width).
STATUS_CM, BUDGET_CM, MIN_STATUS_CM, MIN_BUDGET_CM = 8.0, 5.0, 3.0, 3.0
UNIT_CHARS, LINE_CHARS, LINE_CM = 31, 95, 0.5


def _lines(text: str, per_line: int) -> int:
    width = sum(1 for ch in text if unicodedata.category(ch) != "Mn")
    return max(1, math.ceil(width / per_line))


def chart_heights(brief: Brief) -> tuple[float, float]:
    """Max heights (cm) of the status and budget charts, after the extra lines of text."""
    extra = sum(_lines(row[0], UNIT_CHARS) - 1 for row in brief.worst)
    extra += _lines(brief.filters_line, LINE_CHARS) - 1
    give = extra * LINE_CM
    status = max(MIN_STATUS_CM, STATUS_CM - give)
    budget = max(MIN_BUDGET_CM, BUDGET_CM - max(0.0, give - (STATUS_CM - status)))
    return round(status, 2), round(budget, 2)


def _chart(kind: str, svg: str, no_data: str) -> str:
    # the SVG is matplotlib's own output: every text in it is XML-escaped by matplotlib
    return f'<div class="chart {kind}">{svg}</div>' if svg else f"<p>{esc(no_data)}</p>"


def brief_html(brief: Brief) -> str:
    """The brief as one HTML document (CSS inline, nothing fetched)."""
    cards = "".join(
        f'<div class="card"><div class="label">{esc(label)}</div>'
        f'<div class="value">{esc(value)}</div></div>'
        for label, value in brief.cards
    )
    head = "".join(f"<th>{esc(h)}</th>" for h in brief.worst_headers)
    rows = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{esc(c)}</td>' if i else f"<td>{esc(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in brief.worst
    )
    cols = '<col style="width: 44%">' + '<col style="width: 14%">' * 4
    worst = (
        f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        if brief.worst
        else f"<p>{esc(brief.no_data)}</p>"
    )
    body = (
        f"{PRIMER_HTML}<h1>{esc(brief.title)}</h1>"
        f'<p class="meta">{esc(brief.filters_line)}</p>'
        f'<p class="meta">{esc(brief.as_of_line)}</p>'
        f'<div class="cards">{cards}</div>'
        f"<h2>{esc(brief.worst_title)}</h2>{worst}"
        f'<p class="note">{esc(brief.worst_rule)}</p>'
        f"<h2>{esc(brief.status_title)}</h2>"
        + _chart("status", brief.status_svg, brief.no_data)
        + f"<h2>{esc(brief.budget_title)}</h2>"
        + _chart("budget", brief.budget_svg, brief.no_data)
        + f'<p class="note">{esc(brief.budget_note)}</p>'
    )
    status_cm, budget_cm = chart_heights(brief)
    sizes = (
        f".chart.status svg {{ max-height: {status_cm}cm; }}"
        f".chart.budget svg {{ max-height: {budget_cm}cm; }}"
    )
    return (
        f'<!DOCTYPE html><html lang="{esc(brief.lang)}"><head><meta charset="utf-8">'
        f"<title>{esc(brief.title)}</title><style>{CSS}{sizes}</style></head>"
        f"<body>{body}</body></html>"
    )


def write_brief_pdf(brief: Brief) -> bytes:
    return html_to_pdf(brief_html(brief))


__all__ = ["brief_html", "write_brief_pdf"]
