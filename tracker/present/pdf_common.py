"""What the PDFs of ``tracker.present`` share (the progress report, the executive brief): the
installed fonts, the escaping of every value, the Thai text-layer primer, and WeasyPrint run
with no network.
"""

from __future__ import annotations

from html import escape

FONTS = '"Laksaman", "DejaVu Sans"'

# WeasyPrint maps each glyph of a font to one text, taken where the glyph is first drawn. Sara
# am (U+0E33) is shaped as nikhahit + sara aa (the tone mark between) in one cluster, and a
# glyph first drawn inside such a cluster maps to nothing: every later tone mark or nikhahit
# would vanish from the text layer (copy, search, pdftotext). So the document starts with a
# primer, invisible (white, 1 pt): each of these glyphs drawn once on its own, regular and bold,
# so that each maps to its own character. The layout still shapes and breaks lines on the real
# text; the text layer holds sara am as nikhahit + sara aa, which ``thai.normalize_thai`` folds.
# Every other mark is drawn once on its own first too (a below vowel first drawn in a cluster
# with a tone mark, as in "กลุ่ม", would take the tone mark's text and the tone mark its text).
MARKS = "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c"
PRIMER = " ".join(
    [f"ก{mark}" for mark in MARKS]
    + [f"ก\u0e4d{tone}\u0e32" for tone in ("", "\u0e48", "\u0e49", "\u0e4a", "\u0e4b")]
)
PRIMER_CSS = ".primer { font-size: 1pt; line-height: 1pt; color: #fff; margin: 0; }"
PRIMER_HTML = f'<div class="primer">{PRIMER} <b>{PRIMER}</b></div>'


def esc(text: object) -> str:
    """User or form text, escaped for HTML."""
    return escape(str(text))


def no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"the PDF fetches nothing: {url}")


def html_to_pdf(html: str) -> bytes:
    """An HTML document as PDF bytes (fonts embedded by WeasyPrint, nothing fetched)."""
    from weasyprint import HTML  # imported here: loading Pango costs time at start-up

    return HTML(string=html, url_fetcher=no_fetch).write_pdf()


__all__ = ["FONTS", "PRIMER", "PRIMER_CSS", "PRIMER_HTML", "esc", "html_to_pdf", "no_fetch"]
