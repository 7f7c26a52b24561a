"""Reading a PDF's text as a person reads it (poppler's pdftotext), for the report tests."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path


def fold(text: str) -> str:
    """Text compared as read: sara am as nikhahit + sara aa folded back (how the PDF's text layer
    writes it, see report_pdf.PRIMER), and whitespace dropped (pdftotext puts a space or a line
    break wherever a line wraps or a mark sits wide; Thai has no spaces between words), marks in
    canonical order (NFC: the shaper may draw a tone mark before a lower vowel; the same text)."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub("\u0e4d([\u0e48-\u0e4b]?)\u0e32", "\\1\u0e33", text)
    return re.sub(r"\s+", "", text)


def pdf_text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return out.stdout.decode("utf-8")
