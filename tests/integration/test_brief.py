"""The executive one-page brief (issue 17) on the bundled sample: one A4 page whose text
(poppler's pdftotext) holds the title, the filters in words, the five worst-lagging units and
the figures; a unit's name is never markup nor mathtext; the zone filter changes the figures."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from datetime import date
from pathlib import Path

import pandas as pd
import pypdfium2 as pdfium
import pytest

from messages.i18n import t
from tests.helpers.pdf import fold, pdf_text
from tracker.cli import main
from tracker.dataset import conform
from tracker.metrics import directives as metrics
from tracker.metrics.targets import DEFAULT
from tracker.present import brief as br
from tracker.present.brief_pdf import write_brief_pdf
from tracker.read.loader import load_paths

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "bma_followup_sample.xlsx"
TODAY = date(2024, 10, 15)
HOSTILE = "<script>alert(1)</script> สำนัก $x$ ทดสอบ"
ZONE = "กรุงเทพกลาง"


@pytest.fixture(scope="module")
def dataset():
    ds = load_paths([SAMPLE], sandbox=False).dataset
    extra = pd.DataFrame(
        [
            {
                "directive_id": f"2567-9-00{i}",
                "fiscal_year": 2567,
                "round": 1,
                "agency": HOSTILE,
                "text": "ตรวจสอบ",
                "status": "not_reported",
                "issued_date": pd.Timestamp("2024-01-10"),
                "due_date": pd.Timestamp("2024-06-30"),
            }
            for i in range(4)
        ]
    )
    ds.directives = conform(pd.concat([ds.directives, extra], ignore_index=True), "directives")
    return ds


def _brief(ds, chosen: metrics.Filters) -> br.Brief:
    return br.build_brief(
        metrics.apply_filters(ds.directives, chosen),
        metrics.filter_units(ds.kpis, chosen),
        metrics.filter_units(ds.budget, chosen),
        DEFAULT,
        chosen,
        TODAY,
    )


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "brief.pdf"
    path.write_bytes(pdf)
    return pdf_text(path)


def _pages(pdf: bytes) -> int:
    doc = pdfium.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def _expected_worst(view: pd.DataFrame) -> list[str]:
    """The five units lagging most, counted here directly: >= 3 directives, lowest % done."""
    g = view.groupby(view["agency"].astype(object))["status"]
    table = pd.DataFrame({"total": g.size(), "done": g.apply(lambda s: int((s == "done").sum()))})
    table = table[table["total"] >= 3]
    table["pct"] = (100 * table["done"] / table["total"]).round(2)
    late = metrics.aging(view, TODAY)["overdue"].groupby(view["agency"].astype(object)).sum()
    table["late"] = late.reindex(table.index).fillna(0)
    table = table.reset_index().sort_values(
        ["pct", "late", "agency"], ascending=[True, False, True]
    )
    return table["agency"].head(5).tolist()


def test_brief_is_one_page_with_title_filters_units_and_figures(dataset, tmp_path):
    chosen = metrics.Filters(fiscal_year=(2567,))
    b = _brief(dataset, chosen)
    pdf = write_brief_pdf(b)
    assert _pages(pdf) == 1
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    assert re.search(rb"Pages:\s+1\n", info)
    assert re.search(rb"Page size:\s+595\.\d* x 841\.\d* pts \(A4\)", info)
    text = _text(pdf, tmp_path)
    folded = fold(text)
    assert "\ufffd" not in text
    assert fold(t("brief.title")) in folded
    assert fold(t("common.filters_used", filters=f"{t('filter.fiscal_year')} = 2567")) in folded
    view = metrics.apply_filters(dataset.directives, chosen)
    worst = _expected_worst(view)
    assert len(worst) == 5 and HOSTILE in worst  # 0 % done: among the lagging units
    assert [row[0] for row in b.worst] == worst
    for unit in worst:
        assert fold(unit) in folded, unit
    cards = metrics.overview_cards(view, TODAY)
    assert f"{cards['total']:,}" in text
    assert f"{cards['done_pct']:.2f}%" in text
    assert str(cards["overdue"]) in text
    assert fold(t("brief.worst.rule", min=br.MIN_DIRECTIVES)) in folded
    assert b.status_svg.startswith("<svg") and b.budget_svg.startswith("<svg")


def test_unit_name_is_text_not_markup_nor_mathtext(dataset, tmp_path):
    b = _brief(dataset, metrics.Filters())
    pdf = write_brief_pdf(b)
    text = _text(pdf, tmp_path)
    assert "<script>alert(1)</script>" in text
    assert "$x$" in text
    assert br.inert(HOSTILE) == r"<script>alert(1)</script> สำนัก \$x\$ ทดสอบ"
    # the chart drew the unit (as glyph paths): an escaped label, never a <script> element
    assert "<script" not in b.status_svg


def test_zone_filter_changes_the_figures(dataset, tmp_path):
    everything = _brief(dataset, metrics.Filters())
    zone = _brief(dataset, metrics.Filters(zone=(ZONE,)))
    codes = metrics.zone_codes((ZONE,))
    n_zone = int(dataset.directives["district_code"].isin(codes).sum())
    assert dict(zone.cards)[t("card.total")] == f"{n_zone:,}"
    assert dict(everything.cards)[t("card.total")] == f"{len(dataset.directives):,}"
    assert n_zone < len(dataset.directives)
    assert dict(zone.cards)[t("fin.card.rate")] != dict(everything.cards)[t("fin.card.rate")]
    assert HOSTILE not in [row[0] for row in zone.worst]  # a city-level unit, not in the zone
    text = fold(_text(write_brief_pdf(zone), tmp_path))
    assert fold(f"{t('filter.zone')} = {ZONE}") in text


def test_cli_brief(tmp_path, capsys):
    out = tmp_path / "brief.pdf"
    code = main(["report", "--brief", "--zone", "Central Bangkok", str(SAMPLE), str(out)])
    assert code == 0
    pdf = out.read_bytes()
    assert _pages(pdf) == 1
    assert fold(f"{t('filter.zone')} = {ZONE}") in fold(_text(pdf, tmp_path))
    bad = main(["report", "--brief", "--zone", "Atlantis", str(SAMPLE), str(out)])
    assert bad == 2
    assert "Atlantis" in capsys.readouterr().err
    # the progress report still needs its unit, year and period
    assert main(["report", str(SAMPLE), str(tmp_path / "r.pdf")]) == 2


def test_long_unit_names_stay_on_one_page(dataset):
    b = _brief(dataset, metrics.Filters())
    long_name = "สำนักงานเขต" + "ทดสอบชื่อหน่วยงานที่ยาวมาก " * 2  # two lines in the table
    rows = tuple((f"{long_name}{i}", *row[1:]) for i, row in enumerate(b.worst))
    assert len(rows) == 5
    pdf = write_brief_pdf(dataclasses.replace(b, worst=rows))
    assert _pages(pdf) == 1
