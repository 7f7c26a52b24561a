"""Text cleaning (docs/domain.md §4): Thai digits, invisible characters, missing cells, HTML.

The character tables every other part of ``tracker.thai`` starts from: Thai digits ๐-๙ become
0-9, zero-width characters pasted from web pages and PDFs are dropped, space-like characters
become plain spaces. ``is_missing`` decides what counts as an empty cell (blank or a dash);
``collapse_spaces`` and ``clean_text`` normalise free text; ``html_to_text`` turns HTML pasted
from web forms into readable plain text that never contains ``<script``.
"""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser

import pandas as pd

# --- characters ------------------------------------------------------------------------------
THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_DIGIT_TABLE = str.maketrans(THAI_DIGITS, "0123456789")
# Invisible characters pasted from web pages and PDFs: removed.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Space-like characters: turned into a plain space.
_SPACE_LIKE = (
    "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)
_CLEAN_TABLE = str.maketrans(
    {
        **{ord(th): ar for th, ar in zip(THAI_DIGITS, "0123456789", strict=True)},
        **{ord(c): None for c in _INVISIBLE},
        **{ord(c): " " for c in _SPACE_LIKE},
    }
)
_TEXT_TABLE = str.maketrans(
    {
        **{ord(c): None for c in _INVISIBLE},
        **{ord(c): " " for c in _SPACE_LIKE},
        0x2028: "\n",
        0x2029: "\n",
    }
)
_SPECIAL_CHARS = f"[{THAI_DIGITS}{_INVISIBLE}{_SPACE_LIKE}]"
_DASHES_RE = re.compile(r"[-‐‑‒–—―−]*")


# --- basic text ------------------------------------------------------------------------------
def to_arabic_digits(s: str) -> str:
    """Replace Thai digits ๐-๙ by 0-9 (numbers typed in Thai documents)."""
    return s.translate(_DIGIT_TABLE)


def normalize_thai(s: str) -> str:
    """Fix look-alike Thai spellings from PDFs and typing: นิคหิต+สระอา → สระอำ, เเ → แ."""
    return s.replace("\u0e4d\u0e32", "\u0e33").replace("เเ", "แ")


def _norm(s: str) -> str:
    """Arabic digits, invisible characters dropped, whitespace collapsed and trimmed."""
    return " ".join(s.translate(_CLEAN_TABLE).split())


def is_missing(s: object) -> bool:
    """True for None, NaN/NaT/NA, blank text and dash-only text ("-", "–", "—"): no value."""
    if s is None:
        return True
    if isinstance(s, str):
        return _DASHES_RE.fullmatch(s.translate(_CLEAN_TABLE).strip()) is not None
    try:
        return bool(pd.isna(s))
    except (TypeError, ValueError):
        return False


def collapse_spaces(s: object) -> str:
    """Every run of whitespace (also NBSP and line breaks) → one space; trimmed; "" for None."""
    if s is None or (not isinstance(s, str) and is_missing(s)):
        return ""
    return " ".join(normalize_thai(str(s).translate(_TEXT_TABLE)).split())


def clean_text(s: object) -> str:
    """Trim, collapse runs of spaces/tabs, keep line breaks (at most one blank line in a row)."""
    if s is None or (not isinstance(s, str) and is_missing(s)):
        return ""
    text = str(s).replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n")
    text = normalize_thai(text.translate(_TEXT_TABLE))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    text = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


# --- HTML pasted from web forms --------------------------------------------------------------
_HTML_TAGS = (
    "a|abbr|article|aside|b|big|blockquote|body|br|button|caption|center|code|col|colgroup|dd|"
    "del|details|div|dl|dt|em|embed|figcaption|figure|font|footer|form|h[1-6]|head|header|hr|"
    "html|i|iframe|img|input|ins|kbd|label|li|link|main|mark|math|meta|nav|noscript|object|ol|"
    "option|p|pre|q|s|section|select|small|span|strike|strong|style|sub|summary|sup|svg|table|"
    "tbody|td|template|textarea|tfoot|th|thead|title|tr|tt|u|ul|wbr|script"
)
_LOOKS_HTML_RE = re.compile(
    rf"<\s*/?\s*(?:{_HTML_TAGS})\b[^<>]*>|<!--|<\s*/?\s*(?:script|style)\b"
    r"|&(?:#[0-9]+|#x[0-9a-f]+|[a-z][a-z0-9]*);",
    re.IGNORECASE,
)
_SCRIPT_OPEN_RE = re.compile(r"<(?=\s*/?\s*script)", re.IGNORECASE)


class _TextExtractor(HTMLParser):
    """Collects the readable text of an HTML fragment, with line breaks for block elements."""

    BLOCK = frozenset(
        [
            "address",
            "article",
            "aside",
            "blockquote",
            "body",
            "caption",
            "center",
            "dd",
            "details",
            "div",
            "dl",
            "dt",
            "figcaption",
            "figure",
            "footer",
            "form",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "header",
            "hr",
            "html",
            "li",
            "main",
            "nav",
            "ol",
            "p",
            "pre",
            "section",
            "summary",
            "table",
            "tbody",
            "tfoot",
            "thead",
            "tr",
            "ul",
        ]
    )
    DROP = frozenset(
        ["script", "style", "noscript", "template", "iframe", "object", "svg", "math", "title"]
    )
    CELL = frozenset(("td", "th"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.drop_depth = 0
        self.pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.DROP:
            self.drop_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n• ")
        elif tag in self.BLOCK:
            self.parts.append("\n")
            if tag == "pre":
                self.pre_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.DROP:
            self.drop_depth = max(0, self.drop_depth - 1)
        elif tag in self.CELL:
            self.parts.append(" ")
        elif tag in self.BLOCK:
            self.parts.append("\n")
            if tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)

    def handle_data(self, data: str) -> None:
        if self.drop_depth:
            return
        self.parts.append(data if self.pre_depth else _edge(data))


def _edge(data: str) -> str:
    """Whitespace-collapsed text keeping one leading/trailing space where there was some."""
    core = " ".join(data.split())
    lead = " " if data[:1].isspace() else ""
    trail = " " if data[-1:].isspace() else ""
    return f"{lead}{core}{trail}"


def html_to_text(s: object) -> str:
    """Readable plain text of a cell holding HTML (p/br/div/li → lines, li as "• ").

    Entities are unescaped, script/style contents dropped; text that merely contains "<"
    (e.g. "a < b") and no markup is left as it is. The result never contains "<script".
    """
    if s is None or (not isinstance(s, str) and is_missing(s)):
        return ""
    text = str(s)
    if _LOOKS_HTML_RE.search(text):
        parser = _TextExtractor()
        try:
            parser.feed(text)
            parser.close()
            text = "".join(parser.parts)
        except Exception:  # the stdlib parser is lenient; never let odd markup escape as a crash
            text = html.unescape(text)
        text = clean_text(text)
        lines = [ln for ln in text.split("\n") if ln.strip() and ln.strip() != "•"]
        text = "\n".join(lines)
    else:
        text = clean_text(text)
    return _SCRIPT_OPEN_RE.sub("‹", text)


def shorten(text: str, limit: int = 80) -> str:
    """``text`` cut to at most ``limit`` characters for a message, ending in "…" when cut.

    Never between a Thai consonant and its vowel or tone mark (combining marks, category Mn):
    a cut there would leave a bare mark or a syllable read wrongly."""
    if len(text) <= limit:
        return text
    cut = limit - 1  # room for the ellipsis
    while cut > 0 and unicodedata.category(text[cut]) == "Mn":
        cut -= 1  # the mark belongs with the letter before it: leave both out
    return text[:cut].rstrip() + "…"
