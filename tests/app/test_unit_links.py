"""AppTest (issue 18): the unit card shows the KPI and Budget pages' own figures for its unit;
unit names in tables link to the card (Thai key in the link, the name in the page's language);
the Directives page's trend over snapshots.

Every comparison reads what the pages display (their tables and cards), never a figure
recomputed by the function that drew it.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pandas as pd

from messages.i18n import t
from tests.app.conftest import metric_values, plotly_specs
from tracker.schema import PERIODS
from ui.unit_links import DISPLAY, unit_of

UNIT = "สำนักงานเขตบางนา"  # has directives, KPI forms and budget reports in the sample
UNIT_EN = "Bang Na District Office"


def _frame(at, column: str) -> pd.DataFrame:
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, f"no table with column {column!r}"
    return frames[0]


def _shown_name(href: str) -> str:
    """What the link column shows for ``href`` (its display pattern, decoded as the browser
    does: decodeURIComponent after "+" → space)."""
    found = re.search(DISPLAY, href)
    assert found, href
    return unquote(found.group(1).replace("+", "%20"))


def test_unit_card_kpis_equal_the_kpi_page(app):
    card = app("app_pages/units.py", unit=UNIT)
    rows = _frame(card, t("units.col.kpi", "th"))
    assert len(rows) > 0
    (fy,) = set(rows[t("col.fiscal_year", "th")])
    (label,) = set(rows[t("units.col.period", "th")])
    period = next(p for p in PERIODS if t(f"fin.period.{p}", "th") == label)
    on_card = {
        k: (target, actual)
        for k, target, actual in zip(
            rows[t("units.col.kpi", "th")],
            rows[t("units.col.target", "th")],
            rows[t("units.col.actual", "th")],
            strict=True,
        )
    }
    page = app("app_pages/kpis.py", unit=UNIT, fy=str(fy), period=period)
    assert page.selectbox(key="pick_unit").value == UNIT
    assert page.selectbox(key="pick_period").value == period
    score = _frame(page, t("fin.col.achievement", "th"))
    on_page = {
        k: (target, actual)
        for k, target, actual in zip(
            score[t("fin.col.kpi", "th")],
            score[t("fin.col.target", "th")],
            score[t("fin.col.actual", "th")],
            strict=True,
        )
    }
    assert on_card == on_page
    assert int(metric_values(page)[t("kpis.card.total", "th")]) == len(rows)
    # the KPI page leads to the unit's card
    links = [el.proto for el in page.get("page_link") if UNIT in el.proto.label]
    assert len(links) == 1
    assert links[0].page.endswith("units") and unit_of(f"units?{links[0].query_string}") == UNIT


def test_unit_card_budget_equals_the_budget_page(app):
    card = app("app_pages/units.py", unit=UNIT)
    row = _frame(card, t("units.col.rate", "th")).iloc[0]
    page = app("app_pages/budget.py", unit=UNIT)  # its latest as-of date, as on the card
    assert page.selectbox(key="pick_unit").value == UNIT
    as_of = page.selectbox(key="pick_as_of")
    assert row[t("units.col.as_of", "th")] == as_of.format_func(as_of.value)
    cards = metric_values(page)
    assert cards[t("budget.card.rate", "th")] == row[t("units.col.rate", "th")] + "%"
    types = _frame(page, t("fin.col.budget_type", "th")).set_index(t("fin.col.budget_type", "th"))
    total = types.iloc[-1]  # the total row: the unit's sums
    assert total[t("fin.col.allocated", "th")] == row[t("units.col.allocated", "th")]
    assert total[t("fin.col.disbursed", "th")] == row[t("units.col.disbursed", "th")]
    assert total[t("fin.col.rate", "th")] == row[t("units.col.rate", "th")]


def test_unit_tables_link_to_the_card_in_the_pages_language(app):
    for lang, name in (("th", UNIT), ("en", UNIT_EN)):
        at = app(lang=lang) if lang != "th" else app()
        column = t("ttd.by.agency", lang)
        ranking = _frame(at, column)
        hrefs = [h for h in ranking[column] if unit_of(h) == UNIT]
        assert len(hrefs) == 1, ranking[column].tolist()[:3]
        href = hrefs[0]
        assert href.startswith("units?")
        assert _shown_name(href) == name  # the name in the language, the Thai key in the link
        assert ("lang=en" in href) == (lang == "en")
        # every unit in the table is a link with a unit
        assert all(unit_of(h) for h in ranking[column])


def test_the_card_drops_the_shown_name_from_its_address(app):
    at = app("app_pages/units.py", unit=UNIT, label=UNIT_EN, lang="en")
    assert at.selectbox(key="unit_pick").value == UNIT
    assert "label" not in at.query_params
    assert at.title[0].value == t("units.title", "en")


def test_trend_over_snapshots_is_the_filtered_view(app):
    at = app("app_pages/directives.py", agency=UNIT)
    at.segmented_control(key="trend_by").set_value("snapshot").run()
    assert not at.exception
    title = t("trend.title.snapshot", "th")
    spec = next(s for s in plotly_specs(at) if s["layout"]["title"]["text"] == title)
    table = _frame(at, t("trend.col.n", "th"))
    assert len(table) == 1 == len(spec["data"][0]["x"])  # the one published snapshot
    # its directives are the filtered view's (the page's card), its median the Overview's
    total = metric_values(at)[t("card.total", "th")]
    assert f"{int(table[t('trend.col.n', 'th')].iloc[0]):,}" == total
    overview = metric_values(app(agency=UNIT))[t("ttd.card.median", "th")]
    median = table[t("trend.median_days", "th")].iloc[0]
    expected = t("ttd.not_reached", "th") if median == "—" else t("ttd.days", "th", n=median)
    assert overview == expected


def test_budget_units_chart_names_units_in_english(app):
    at = app("app_pages/budget.py", lang="en")
    title = t("fin.chart.rate_by_unit", "en")
    spec = next(s for s in plotly_specs(at) if s["layout"]["title"]["text"] == title)
    names = {y for tr in spec["data"] for y in tr["y"]}
    assert UNIT_EN in names and UNIT not in names
