"""The progress report (``tracker.present.report``) as an editable Word file (python-docx):
A4 landscape for the wide KPI tables, TH Sarabun-compatible font 16 pt, page numbers in the
footer, signature blocks the office fills in and signs.

Every value goes in as a text run, so nothing a unit typed can become a field or markup.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from tracker.present import report as rp

FONT = "TH Sarabun PSK"  # Word's name; LibreOffice on Debian maps it to Laksaman (tlwg)
BODY_PT = 16
TABLE_PT = 14
TICK, NO_TICK = "☑", "☐"
SIGN_LINES = (
    ("ลงชื่อผู้รายงาน", "(.....................................................)", "ตำแหน่ง"),
    (
        "ลงชื่อผู้รับรอง",
        "(.....................................................)",
        "ตำแหน่ง",
        "(หัวหน้าส่วนราชการ/หัวหน้าหน่วยงาน)",
    ),
)


def write_docx(report: rp.Report) -> bytes:
    """The report as .docx bytes."""
    doc = Document()
    _setup(doc)
    _heading(doc, report)
    _para(doc, rp.COMPONENT_1, bold=True)
    if report.sections:
        for section in report.sections:
            _para(doc, section.title, bold=True)
            _table(
                doc,
                rp.KPI_HEADERS,
                [row.cells for row in section.rows],
                (4, 2, 2.4, 6.5, 3.5, 4, 2.6),
            )
    else:
        _para(doc, rp.NO_DATA)
    _signatures(doc)
    _page_break(doc)
    _heading(doc, report)
    _para(doc, rp.COMPONENT_2, bold=True)
    inn = report.innovation
    if inn is None:
        _para(doc, rp.NO_DATA)
    else:
        _para(doc, f"ตัวชี้วัด {inn.kpi}")
        _para(doc, f"ชื่อโครงการ {inn.project}")
        steps = "\n".join(f"{TICK if on else NO_TICK} {label}" for label, on in inn.stages)
        _table(
            doc,
            rp.INNOVATION_HEADERS,
            [(inn.kpi, steps, inn.detail, inn.obstacle)],
            (6, 6, 9, 4),
        )
    _signatures(doc, certify=False)
    _page_break(doc)
    _heading(doc, report)
    _para(doc, rp.COMPONENT_3, bold=True)
    cl = report.checklist
    if cl is None:
        _para(doc, rp.CHECKLIST_TITLE, bold=True)
        _para(doc, rp.NO_DATA)
    else:
        _para(doc, f"{rp.CHECKLIST_TITLE} {cl.kpi}", bold=True)
        ticks = "\n".join(f"{TICK if on else NO_TICK} {label}" for label, on in cl.items)
        body = ticks if cl.items else cl.detail
        if cl.items and cl.detail != rp.DASH:
            body = f"{cl.detail}\n{ticks}"
        _table(doc, rp.CHECKLIST_HEADERS, [(cl.kpi, body, cl.obstacle)], (6, 15, 4))
    _para(doc, rp.BUDGET_TITLE, bold=True)
    _budget(doc, report.budget)
    _signatures(doc)
    _page_break(doc)
    _heading(doc, report)
    _para(doc, rp.DIRECTIVES_TITLE, bold=True)
    _directives(doc, report.directives)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _setup(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    # Government style: 3 cm on the binding side, 2 cm elsewhere, 2.5 cm top.
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    size_cs = OxmlElement("w:szCs")
    size_cs.set(qn("w:val"), str(BODY_PT * 2))
    rpr.append(size_cs)
    style.paragraph_format.space_after = Pt(0)
    _page_number_footer(section)


def _page_number_footer(section) -> None:
    """ "หน้า N" centred in the footer, N a PAGE field Word updates."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("หน้า ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _para(
    doc_or_cell, text: str, bold: bool = False, center: bool = False, size: int | None = None
):
    paragraph = doc_or_cell.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph


def _heading(doc, report: rp.Report) -> None:
    _para(doc, report.title, bold=True, center=True)
    _para(doc, report.unit_line, bold=True, center=True)


def _page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _cell_text(cell, text: str, bold: bool = False, size: int = TABLE_PT) -> None:
    """Plain text in a cell, one paragraph per line."""
    lines = text.split("\n") or [""]
    first = cell.paragraphs[0]
    for i, line in enumerate(lines):
        paragraph = first if i == 0 else cell.add_paragraph()
        run = paragraph.add_run(line)
        run.bold = bold
        run.font.size = Pt(size)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _table(doc, headers, rows, widths_cm=None) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _cell_text(cell, text, bold=True)
    _repeat_header(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            _cell_text(cell, text)
    if widths_cm:
        for row in table.rows:
            for cell, width in zip(row.cells, widths_cm, strict=True):
                cell.width = Cm(width)


def _budget(doc, budget: rp.Budget | None) -> None:
    if budget is None:
        _para(doc, rp.NO_DATA)
        return
    _para(doc, budget.as_of)
    rows = []
    for i, r in enumerate(budget.rows):
        obstacle = budget.obstacle if i == 0 else ""
        rows.append((r.label, r.allocated, r.disbursed, r.rate, obstacle))
    _table(doc, rp.BUDGET_HEADERS, rows, (9, 4.5, 4.5, 3, 4))
    _para(doc, "หมายเหตุ", bold=True)
    for note in budget.notes:
        _para(doc, note)


def _directives(doc, follow: rp.Directives | None) -> None:
    if follow is None:
        _para(doc, rp.NO_DATA)
        return
    _para(doc, follow.as_of)
    counts = [(label, rp.thai_digits(n)) for label, n in follow.counts]
    counts.append(("รวม", rp.thai_digits(follow.total)))
    counts.append(("ร้อยละดำเนินการแล้ว", follow.done_pct))
    _table(doc, ("สถานะ", "จำนวน"), counts, (10, 4))
    if follow.speed:
        _para(doc, follow.speed)
    if follow.by_factor:
        _para(doc, "ข้อสั่งการจำแนกตามปัจจัยผลกระทบ", bold=True)
        _table(doc, rp.FACTOR_HEADERS, list(follow.by_factor), (8, 2.5, 2.5, 2.5, 2.5, 2))
    if follow.by_group:
        _para(doc, "ข้อสั่งการจำแนกตามกลุ่มเรื่อง", bold=True)
        _table(doc, rp.GROUP_HEADERS, list(follow.by_group), (8, 2.5, 2.5, 2.5, 2.5, 2))
    _para(doc, f"ข้อสั่งการที่เกินกำหนดแล้วเสร็จ {rp.thai_digits(follow.overdue_count)} รายการ", bold=True)
    if follow.overdue:
        _table(doc, rp.OVERDUE_HEADERS, list(follow.overdue), (3, 12, 3.5, 2.5, 3.5))
        hidden = follow.overdue_count - len(follow.overdue)
        if hidden > 0:
            _para(doc, f"และอีก {rp.thai_digits(hidden)} รายการ")


def _signatures(doc, certify: bool = True) -> None:
    _para(doc, "")
    if certify:
        _para(doc, rp.SIGNATURE_NOTE, size=TABLE_PT)
    blocks = SIGN_LINES if certify else SIGN_LINES[:1]
    table = doc.add_table(rows=1, cols=len(blocks))
    for cell, lines in zip(table.rows[0].cells, blocks, strict=True):
        _cell_text(cell, "\n".join(lines), size=BODY_PT)
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


__all__ = ["write_docx"]
