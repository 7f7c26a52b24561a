"""Every page of the navigation, in Thai and English, on a desktop and a phone (issue 16).

One app server for the whole walk. A page fails on: an exception box, Streamlit's "Page not
found" box, a Plotly chart whose title sits under its toolbar or runs out of the chart (its
axis, colour-bar and legend titles too), text of the other language in
the app's own words (headings, captions, widget labels, buttons, metric labels, table headers,
chart and axis titles; data values such as unit names in table cells are not checked): Thai in
English mode, English words in Thai mode (codes, units and file formats allowed), and a
directive text cell cut with "…".
Screenshots go to test-artifacts/walk_<page>_<lang>_<size>.png.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import shot
from ui.shell import PAGES

pytestmark = pytest.mark.e2e

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
THAI = re.compile(r"[\u0E00-\u0E7F]")

# the app's own labels (not data values; expanders are left out: the KPIs page folds each KPI
# under its Thai name): checked for the other language in English mode
LABELS = ", ".join(
    (
        "h1",
        "h2",
        "h3",
        '[data-testid="stCaptionContainer"]',
        '[data-testid="stWidgetLabel"]',
        '[data-testid="stMetricLabel"]',
        '[data-testid="stBaseButton-secondary"]',
        '[data-testid="stBaseButton-primary"]',
        '[data-testid="stTab"]',
        '[data-testid="stSidebarNav"] span',
        # table headers (the grid's accessible table) and chart, axis, colour-bar and legend
        # titles
        '[data-testid="stDataFrame"] [role="columnheader"]',
        ".js-plotly-plot .gtitle",
        '.js-plotly-plot [class$="title"]',
        ".js-plotly-plot .cbtitle",
        ".js-plotly-plot .legendtitletext",
    )
)

# Thai that may stand in an English label: the language switch's bilingual label and "ไทย";
# the words a Thai report or sheet literally holds (quoted so a user can find them)
ALLOWED_THAI = (
    "ภาษา / Language",
    "ไทย",
    '"ไม่มีข้อมูล"',
    "หน่วยงาน, อีเมล, ชื่อผู้ประสานงาน",
)

# English that may stand in a Thai label: file formats, codes, brand and method names
ALLOWED_ENGLISH = {
    *(
        "BMA",
        "CSV",
        "csv",
        "xlsx",
        "xls",
        "ods",
        "PDF",
        "ZIP",
        "Word",
        "DOCX",
        "MB",
        "KPI",
        "ID",
        "URL",
    ),
    *("Google", "Sheets", "Forms", "Excel", "SMTP", "OIDC", "English", "Language"),
    *("Kaplan", "Meier", "censored"),  # statistical terms, in brackets after their Thai
    *("unit", "inspector", "admin"),  # the role codes a contacts sheet holds
    *("OCHA", "HDX", "cod", "ab", "tha", "CC", "BY", "IGO"),  # the map's credit and licence
}
WORD = re.compile(r"[A-Za-z][A-Za-z]+")
# data and settings named as they are: file names, e-mail addresses and domains
DATA_TOKEN = re.compile(r"\S+\.(?:xlsx|xls|ods|csv|toml)\b|\S*@\S+|\b\w+(?:\.\w+)+\b")

_LEGENDS = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(plot => {
  const legend = plot.querySelector('.legend');
  if (!legend) return [];
  const a = legend.getBoundingClientRect();
  return [...plot.querySelectorAll('.xtitle, .ytitle')].flatMap(title => {
    const b = title.getBoundingClientRect();
    if (!a.width || !b.width) return [];
    const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const name = plot.querySelector('.gtitle');
    return overlap ? [(name ? name.textContent : '') + ' / ' + title.textContent] : [];
  });
})"""

# a card's label or value cut with "…" (its text wider than its box)
_CUT_CARDS = """() => [...document.querySelectorAll(
    '[data-testid="stMetricValue"], [data-testid="stMetricLabel"]')]
  .filter(el => [el, ...el.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1))
  .map(el => el.textContent)"""

# a chart's title, axis title, colour-bar or legend title running out of the chart (cut off):
# an axis title is centred on the plot area, which is narrow beside long unit names on a phone
_TITLES_CUT = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(plot => {
  const box = plot.getBoundingClientRect();
  return [...plot.querySelectorAll('.gtitle, .xtitle, .ytitle, .cbtitle, .legendtitletext')]
    .filter(el => {
      const r = el.getBoundingClientRect();
      return r.width && (r.left < box.left - 1 || r.right > box.right + 1);
    })
    .map(el => el.textContent);
})"""

_OVERLAPS = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(plot => {
  const bar = plot.querySelector('.modebar');
  const title = plot.querySelector('.gtitle');
  if (!bar || !title) return [];
  const a = bar.getBoundingClientRect(), b = title.getBoundingClientRect();
  if (!a.width || !b.width) return [];
  const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  return overlap ? [title.textContent] : [];
})"""


def _settle(page) -> None:
    page.wait_for_load_state("networkidle")
    page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=60_000)
    # the app root says whether the script still runs; wait until the run is over
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        timeout=60_000
    )
    page.wait_for_timeout(400)


_LABEL_TEXTS = """sel => [...document.querySelectorAll(sel)]
  .filter(el => !el.closest('[data-testid="stFileUploader"]'))  // Streamlit's own words
  .filter(el => !el.closest('[data-testid="stIconMaterial"]'))
  .map(el => {
    const copy = el.cloneNode(true);  // without Material icons: their text is the glyph's name
    copy.querySelectorAll('[data-testid="stIconMaterial"]').forEach(i => i.remove());
    return copy.textContent;
  })"""


def _label_texts(page) -> list[str]:
    return page.evaluate(_LABEL_TEXTS, LABELS)


def _thai_labels(page) -> list[str]:
    bad = []
    for text in _label_texts(page):
        rest = text
        for ok in ALLOWED_THAI:
            rest = rest.replace(ok, "")
        if THAI.search(rest):
            bad.append(text.strip()[:80])
    return bad


def _english_labels(page) -> list[str]:
    bad = []
    for text in _label_texts(page):
        rest = DATA_TOKEN.sub(" ", text)
        words = [w for w in WORD.findall(rest) if w not in ALLOWED_ENGLISH]
        if words:
            bad.append(f"{text.strip()[:80]} ({', '.join(words[:4])})")
    return bad


def _as_tall_as_the_page(page, width: int, height: int) -> None:
    """Streamlit scrolls inside its own container, and a table draws its headers only once
    it is on screen: make the window as tall as the content (capped)."""
    tall = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll("
        '\'[data-testid="stMain"], [data-testid="stAppViewContainer"]\')]'
        ".map(e => e.scrollHeight), 0)"
    )
    page.set_viewport_size({"width": width, "height": min(max(height, tall), 8000)})
    page.wait_for_timeout(300)


def _whole_page_shot(page, name: str, width: int, height: int) -> None:
    """A "full page" screenshot (a plain one shows one screen of Streamlit's container)."""
    _as_tall_as_the_page(page, width, height)
    shot(page, name)


def _open_expanders(page, width: int, height: int) -> None:
    """Unfold every expander (the charts' table views hold headers too) and let the tables
    inside draw on screen."""
    page.evaluate(
        """() => document.querySelectorAll(
            '[data-testid="stExpander"] details:not([open]) > summary').forEach(s => s.click())"""
    )
    page.wait_for_timeout(500)
    _as_tall_as_the_page(page, width, height)
    page.wait_for_timeout(500)


def _hover_plots(page) -> None:
    """Plotly draws the toolbar on hover only; show it on every chart to measure it."""
    page.add_style_tag(content=".modebar{opacity:1 !important;display:block !important}")


@pytest.mark.parametrize("size", list(SIZES))  # one test per size: the two run in parallel
def test_walk_every_page(app_url, browser, size):
    problems: list[str] = []
    width, height = SIZES[size]
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="th-TH")
    page = ctx.new_page()
    for _file, _key, _icon, path in PAGES:
        for lang in ("th", "en"):
            where = f"{path} {lang} {size}"
            page.goto(f"{app_url}/{path}?lang={lang}", wait_until="domcontentloaded")
            _settle(page)
            _hover_plots(page)
            if page.locator('[data-testid="stException"]').count():
                text = page.locator('[data-testid="stException"]').first.inner_text()
                problems.append(f"{where}: exception box: {text[:200]}")
            if page.get_by_text("Page not found").count():
                problems.append(f"{where}: Page not found")
            for title in page.evaluate(_OVERLAPS):
                problems.append(f"{where}: toolbar covers the title {title!r}")
            for text in page.evaluate(_CUT_CARDS):
                problems.append(f"{where}: card text cut off: {text!r}")
            for title in page.evaluate(_LEGENDS):
                problems.append(f"{where}: legend covers the axis title {title!r}")
            for title in page.evaluate(_TITLES_CUT):
                problems.append(f"{where}: title runs out of its chart {title!r}")
            _whole_page_shot(page, f"walk_{path}_{lang}_{size}", width, height)
            _open_expanders(page, width, height)  # every table's headers drawn
            if lang == "en":
                for text in _thai_labels(page):
                    problems.append(f"{where}: Thai in an English label: {text!r}")
            else:
                for text in _english_labels(page):
                    problems.append(f"{where}: English in a Thai label: {text!r}")
            page.set_viewport_size({"width": width, "height": height})
    ctx.close()
    assert not problems, "\n".join(problems)
