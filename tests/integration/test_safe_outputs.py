"""No cell becomes a formula in a download, nor markup in a chart (property-style tests).

Cell texts are drawn at random (fixed seeds) from formula starters, HTML and Markdown
fragments, control characters, RTL marks and stacked Thai marks. Downloads are read back
with openpyxl and the csv module; charts are rendered by Plotly.js in Debian's chromium and
the page's DOM is inspected.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from tracker.present import charts, exports
from tracker.present.charts_safe import escape_figure
from tracker.publish.trends import trend_figure

PIECES = [
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    '=HYPERLINK("http://evil.example/x","F1")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
    '<a href="https://evil.example/">ลิงก์</a>',
    '<span style="font-size:80px">ใหญ่</span>',
    "<b>หนา</b>",
    "<script>window.pwned=1</script>",
    "<img src=x onerror=window.pwned=1>",
    "**ตัวหนา**",
    "[ลิงก์](javascript:alert(1))",
    "`โค้ด`",
    "\u200f",
    "\u202e",
    "ก็\u0e48\u0e48",
    "น้ำ\u0e4c",
    "&amp;",
    "&lt;b&gt;",
    "สำนักงานเขตบางนา",
    " ",
    "\x01",
]


def random_texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 5)))
        out.append(text)
    return out


@pytest.mark.parametrize("seed", range(5))
def test_downloads_read_back_as_the_same_text_and_never_as_formulas(seed):
    texts = random_texts(seed, 40)
    df = pd.DataFrame(
        {
            "ข้อความ": texts,
            "จำนวน": [-(i + 0.5) if i % 2 else i for i in range(len(texts))],
            "วันที่": pd.date_range("2024-01-01", periods=len(texts), freq="D"),
        }
    )
    filters = ["ตัวกรอง: เขต = " + texts[0]]
    wb = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(df, filters)))
    ws = wb.active
    assert ws["A1"].value == filters[0] and ws["A1"].data_type == "s"
    rows = list(ws.iter_rows(min_row=4, values_only=False))
    assert len(rows) == len(texts)
    # values as Excel reads them (calamine decodes the _xHHHH_ escapes of control
    # characters as Excel does; openpyxl shows them raw), types as openpyxl reports them
    values = CalamineWorkbook.from_filelike(io.BytesIO(exports.xlsx_bytes(df, filters)))
    read_back = [r[0] for r in values.get_sheet_by_index(0).to_python()[3:]]
    for row, text, number, got in zip(rows, texts, df["จำนวน"], read_back, strict=True):
        cell = row[0]
        assert cell.data_type == "s", (text, cell.data_type)  # text, never "f"
        assert got == text
        assert row[1].data_type == "n" and row[1].value == number  # negatives stay numbers
        assert row[2].is_date

    raw = exports.csv_bytes(df, filters)
    assert raw.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    body = lines[3:]
    for line, text in zip(body, texts, strict=True):
        cell = line[0]
        assert not cell.startswith(exports.FORMULA_STARTS), cell
        assert cell in (text, "'" + text)  # the apostrophe guard only before a formula start
        assert (cell == "'" + text) == text.startswith(exports.FORMULA_STARTS)
        assert float(line[1]) == float(df["จำนวน"].iat[body.index(line)])


def _figures(texts: list[str]) -> list:
    counts = pd.DataFrame(
        {
            "agency": texts,
            "done": range(1, len(texts) + 1),
            "in_progress": 1,
            "cannot": 0,
            "not_reported": 2,
        }
    )
    counts["total"] = counts[["done", "in_progress", "cannot", "not_reported"]].sum(axis=1)
    counts["done_pct"] = (100 * counts["done"] / counts["total"]).round(2)
    pivot = pd.DataFrame([[1, 2], [3, 4]], index=texts[:2], columns=texts[2:4])
    trends = pd.DataFrame(
        {
            "snapshot_id": [1, 2],
            "created_at": pd.to_datetime(["2024-01-01", "2024-02-01"], utc=True),
            "agency": [texts[0], texts[0]],
            "total": [2, 2],
            "done": [1, 2],
            "done_pct": [50.0, 100.0],
        }
    )
    overall = trends.drop(columns="agency")
    return [
        charts.status_stack(counts, "agency", "th", "chart.status_by_agency"),
        charts.done_ranking(counts, "en"),
        charts.group_heatmap(pivot, "th"),
        trend_figure(trends, overall, "th", [texts[0]]),
    ]


def test_escaped_figures_keep_the_text_but_no_markup():
    texts = ['<a href="https://evil.example/">x</a>', "<b>b</b>", "a & b", "สำนัก<br>งาน"]
    for fig in _figures(texts):
        safe = escape_figure(fig)
        shown = [
            {k: v for k, v in trace.items() if k in ("x", "y", "text", "name", "customdata")}
            for trace in safe.to_plotly_json()["data"]
        ]
        blob = json.dumps(shown, ensure_ascii=False)
        assert "<a href" not in blob and "<b>b</b>" not in blob
        assert "&lt;a href=" in blob or "&lt;b&gt;" in blob
        assert fig.to_plotly_json() != safe.to_plotly_json()  # a copy; the original unchanged


@pytest.fixture(scope="module")
def chromium_page():
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    assert Path(CHROMIUM).exists(), f"Debian's chromium is required at {CHROMIUM}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        yield page
        browser.close()


@pytest.mark.parametrize("seed", range(3))
def test_rendered_charts_hold_no_element_made_from_the_text(chromium_page, tmp_path, seed):
    texts = [
        *random_texts(100 + seed, 6),
        '<a href="https://evil.example/">ลิงก์</a>',
        '<span style="font-size:80px">ใหญ่</span>',
        "<img src=x onerror=window.pwned=1>",
    ]
    for i, fig in enumerate(_figures(texts)):
        path = tmp_path / f"fig{i}.html"
        html = escape_figure(fig).to_html(
            include_plotlyjs=True, full_html=True, config={"displaylogo": False}
        )
        path.write_text(html, "utf-8")
        chromium_page.goto(path.as_uri())
        chromium_page.wait_for_selector(".main-svg")
        found = chromium_page.evaluate(
            """() => ({
                links: [...document.querySelectorAll('.js-plotly-plot a')].map(a => a.href),
                big: [...document.querySelectorAll('.js-plotly-plot [style]')]
                    .filter(e => /80px/.test(e.getAttribute('style'))).length,
                imgs: document.querySelectorAll('.js-plotly-plot img').length,
                pwned: window.pwned || 0,
                text: document.querySelector('.js-plotly-plot').textContent,
            })"""
        )
        assert found["links"] == [] and found["big"] == 0 and found["imgs"] == 0, found
        assert found["pwned"] == 0
        assert "ใหญ่" in found["text"] or i == 2 or i == 3  # ticks of the bar charts show it
