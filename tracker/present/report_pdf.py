"""The progress report (``tracker.present.report``) as PDF: HTML built here, every value passed
through ``html.escape`` (never a unit's text as markup), laid out by WeasyPrint over Pango,
which breaks Thai lines between words.

Font: Laksaman (Debian's fonts-thai-tlwg, metric-compatible with TH Sarabun PSK), 16 pt body,
A4 landscape (the KPI table has seven columns), government-style margins, page numbers. The
CSS names installed fonts only: Laksaman for Thai and Latin, DejaVu Sans for the tick boxes
Laksaman lacks. No network: WeasyPrint is given no base URL and fetches nothing.
"""

from __future__ import annotations

from tracker.present import report as rp
from tracker.present.pdf_common import FONTS, PRIMER_CSS, PRIMER_HTML, html_to_pdf
from tracker.present.pdf_common import esc as _t

TICK, NO_TICK = "☑", "☐"
CSS = f"""
@page {{
  size: A4 landscape;
  margin: 2.5cm 2cm 2cm 3cm;
  @bottom-center {{ content: "หน้า " counter(page) " / " counter(pages);
                    font-family: {FONTS}; font-size: 14pt; }}
}}
body {{ font-family: {FONTS}; font-size: 16pt; line-height: 1.3; }}
h1 {{ font-size: 16pt; font-weight: bold; text-align: center; margin: 0; }}
p.unit {{ font-weight: bold; text-align: center; margin: 0 0 0.3em 0; }}
h2, h3 {{ font-size: 16pt; font-weight: bold; margin: 0.4em 0 0.2em 0; }}
p {{ margin: 0.1em 0; }}
table {{ width: 100%; border-collapse: collapse; font-size: 14pt; margin: 0.2em 0 0.4em 0; }}
th, td {{ border: 0.6pt solid #000; padding: 2pt 4pt; vertical-align: top; }}
th {{ font-weight: bold; text-align: center; vertical-align: middle; }}
thead {{ display: table-header-group; }}
td p {{ margin: 0; }}
td.num {{ text-align: right; white-space: nowrap; }}
tr.total td {{ font-weight: bold; }}
.box {{ font-family: "DejaVu Sans"; font-size: 12pt; }}
.page {{ break-before: page; }}
.signatures {{ display: flex; justify-content: space-around; margin-top: 1.2em;
               break-inside: avoid; text-align: center; }}
.note {{ font-size: 14pt; }}
"""
CSS += PRIMER_CSS
SIGN_BLOCKS = (
    ("ลงชื่อผู้รายงาน", "(.....................................................)", "ตำแหน่ง"),
    (
        "ลงชื่อผู้รับรอง",
        "(.....................................................)",
        "ตำแหน่ง",
        "(หัวหน้าส่วนราชการ/หัวหน้าหน่วยงาน)",
    ),
)


def _lines(text: str) -> str:
    """Plain text as escaped paragraphs, one per line."""
    return "".join(f"<p>{_t(line)}</p>" for line in text.split("\n"))


def _ticks(items) -> str:
    return "".join(
        f'<p><span class="box">{TICK if on else NO_TICK}</span> {_t(label)}</p>'
        for label, on in items
    )


def _table(headers, rows, num_cols: tuple[int, ...] = (), row_classes=None, widths=()) -> str:
    cols = "".join(f'<col style="width: {w}%">' for w in widths)
    head = "".join(f"<th>{_t(h)}</th>" for h in headers)
    body = []
    for i, cells in enumerate(rows):
        cls = f' class="{row_classes[i]}"' if row_classes and row_classes[i] else ""
        tds = "".join(
            f'<td class="num">{_lines(c)}</td>' if j in num_cols else f"<td>{_lines(c)}</td>"
            for j, c in enumerate(cells)
        )
        body.append(f"<tr{cls}>{tds}</tr>")
    return (
        f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _signatures(certify: bool = True) -> str:
    blocks = SIGN_BLOCKS if certify else SIGN_BLOCKS[:1]
    note = f'<p class="note">{_t(rp.SIGNATURE_NOTE)}</p>' if certify else ""
    inner = "".join(f"<div>{_lines(chr(10).join(b))}</div>" for b in blocks)
    return f'{note}<div class="signatures">{inner}</div>'


def _heading(report: rp.Report, page_break: bool) -> str:
    cls = ' class="page"' if page_break else ""
    return f"<h1{cls}>{_t(report.title)}</h1><p class='unit'>{_t(report.unit_line)}</p>"


def report_html(report: rp.Report) -> str:
    """The whole report as one HTML document (CSS inline, nothing fetched)."""
    parts = [PRIMER_HTML, _heading(report, False), f"<h2>{_t(rp.COMPONENT_1)}</h2>"]
    if report.sections:
        for section in report.sections:
            parts.append(f"<h3>{_t(section.title)}</h3>")
            parts.append(
                _table(
                    rp.KPI_HEADERS,
                    [r.cells for r in section.rows],
                    (1, 2),
                    widths=(17, 8, 9, 25, 14, 16, 11),
                )
            )
    else:
        parts.append(f"<p>{_t(rp.NO_DATA)}</p>")
    parts.append(_signatures())
    parts += [_heading(report, True), f"<h2>{_t(rp.COMPONENT_2)}</h2>"]
    inn = report.innovation
    if inn is None:
        parts.append(f"<p>{_t(rp.NO_DATA)}</p>")
    else:
        parts.append(f"<p>ตัวชี้วัด {_t(inn.kpi)}</p><p>ชื่อโครงการ {_t(inn.project)}</p>")
        head = "".join(f"<th>{_t(h)}</th>" for h in rp.INNOVATION_HEADERS)
        parts.append(
            f"<table><thead><tr>{head}</tr></thead><tbody><tr><td>{_lines(inn.kpi)}</td>"
            f"<td>{_ticks(inn.stages)}</td><td>{_lines(inn.detail)}</td>"
            f"<td>{_lines(inn.obstacle)}</td></tr></tbody></table>"
        )
    parts.append(_signatures(certify=False))
    parts += [_heading(report, True), f"<h2>{_t(rp.COMPONENT_3)}</h2>"]
    cl = report.checklist
    if cl is None:
        parts.append(f"<h3>{_t(rp.CHECKLIST_TITLE)}</h3><p>{_t(rp.NO_DATA)}</p>")
    else:
        parts.append(f"<h3>{_t(rp.CHECKLIST_TITLE)} {_t(cl.kpi)}</h3>")
        head = "".join(f"<th>{_t(h)}</th>" for h in rp.CHECKLIST_HEADERS)
        detail = _lines(cl.detail) if cl.detail != rp.DASH or not cl.items else ""
        parts.append(
            f"<table><thead><tr>{head}</tr></thead><tbody><tr><td>{_lines(cl.kpi)}</td>"
            f"<td>{detail}{_ticks(cl.items)}</td><td>{_lines(cl.obstacle)}</td></tr>"
            "</tbody></table>"
        )
    parts.append(f"<h3>{_t(rp.BUDGET_TITLE)}</h3>")
    parts.append(_budget(report.budget))
    parts.append(_signatures())
    parts += [_heading(report, True), f"<h2>{_t(rp.DIRECTIVES_TITLE)}</h2>"]
    parts.append(_directives(report.directives))
    body = "".join(parts)
    return (
        '<!DOCTYPE html><html lang="th"><head><meta charset="utf-8">'
        f"<title>{_t(report.title)}</title><style>{CSS}</style></head>"
        f"<body>{body}</body></html>"
    )


def _budget(budget: rp.Budget | None) -> str:
    if budget is None:
        return f"<p>{_t(rp.NO_DATA)}</p>"
    rows = [
        (r.label, r.allocated, r.disbursed, r.rate, budget.obstacle if i == 0 else "")
        for i, r in enumerate(budget.rows)
    ]
    classes = ["total" if r.total else "" for r in budget.rows]
    notes = "".join(f"<p class='note'>{_t(n)}</p>" for n in budget.notes)
    return (
        f"<p>{_t(budget.as_of)}</p>"
        + _table(rp.BUDGET_HEADERS, rows, (1, 2, 3), classes)
        + f"<p class='note'><b>หมายเหตุ</b></p>{notes}"
    )


def _directives(follow: rp.Directives | None) -> str:
    if follow is None:
        return f"<p>{_t(rp.NO_DATA)}</p>"
    counts = [(label, rp.thai_digits(n)) for label, n in follow.counts]
    counts += [("รวม", rp.thai_digits(follow.total)), ("ร้อยละดำเนินการแล้ว", follow.done_pct)]
    out = [f"<p>{_t(follow.as_of)}</p>", _table(("สถานะ", "จำนวน"), counts, (1,))]
    if follow.speed:
        out.append(f"<p>{_t(follow.speed)}</p>")
    if follow.by_factor:
        out.append("<h3>ข้อสั่งการจำแนกตามปัจจัยผลกระทบ</h3>")
        numeric = tuple(range(1, len(rp.FACTOR_HEADERS)))
        out.append(_table(rp.FACTOR_HEADERS, follow.by_factor, numeric))
    if follow.by_group:
        out.append("<h3>ข้อสั่งการจำแนกตามกลุ่มเรื่อง</h3>")
        out.append(
            _table(rp.GROUP_HEADERS, follow.by_group, tuple(range(1, len(rp.GROUP_HEADERS))))
        )
    out.append(
        f"<h3>ข้อสั่งการที่เกินกำหนดแล้วเสร็จ {_t(rp.thai_digits(follow.overdue_count))} รายการ</h3>"
    )
    if follow.overdue:
        out.append(_table(rp.OVERDUE_HEADERS, follow.overdue, (3,)))
        hidden = follow.overdue_count - len(follow.overdue)
        if hidden > 0:
            out.append(f"<p>และอีก {_t(rp.thai_digits(hidden))} รายการ</p>")
    return "".join(out)


def write_pdf(report: rp.Report) -> bytes:
    """The report as PDF bytes (fonts embedded by WeasyPrint)."""
    return html_to_pdf(report_html(report))


def first_page_png(pdf: bytes, scale: float = 1.5) -> bytes:
    """Page 1 of a PDF as PNG bytes (pypdfium2: a wheel, no system package), for a preview."""
    import io

    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=scale).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


__all__ = ["first_page_png", "report_html", "write_pdf"]
