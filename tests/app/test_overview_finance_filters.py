"""The Overview's KPI and budget cards follow the place filters (issue 16 item 1) and say
whose figures they are."""

from __future__ import annotations

import pandas as pd

from messages.i18n import t
from tests.app.conftest import metric_values
from tracker.metrics.directives import Filters, filter_units

SOUTH = "กรุงเทพใต้"


def _finance(at) -> dict[str, str]:
    values = metric_values(at)
    return {
        k: values[t(k, "th")] for k in ("fin.card.rate", "fin.card.kpi_on") if t(k, "th") in values
    }


def _headings(at) -> list[str]:
    return [s.value for s in at.subheader]


def test_cards_are_city_wide_without_a_place_filter_and_say_so(app):
    at = app()
    title = f"{t('fin.overview.title', 'th')} · {t('fin.overview.scope_all', 'th')}"
    assert title in _headings(at)


def test_a_zone_narrows_the_kpi_and_budget_cards(app):
    everyone = _finance(app())
    at = app(zone=SOUTH)
    assert not at.exception
    headings = _headings(at)
    scoped = f"{t('fin.overview.title', 'th')} · {t('fin.overview.scope_filtered', 'th')}"
    assert scoped in headings
    south = _finance(at)
    assert south != everyone  # the zone's own figures, not the city's


def test_filter_units_by_zone_district_agency_and_year():
    df = pd.DataFrame(
        {
            "unit": ["สำนักงานเขตบางนา", "สำนักงานเขตพระนคร", "สำนักการโยธา", "สำนักงานเขตบางนา"],
            "fiscal_year": [2567, 2567, 2567, 2566],
        }
    )
    assert filter_units(df, Filters()) is df
    assert filter_units(df, Filters(district=("1047",)))["unit"].tolist() == [
        "สำนักงานเขตบางนา",
        "สำนักงานเขตบางนา",
    ]
    assert filter_units(df, Filters(district=("1047",), fiscal_year=(2567,)))[
        "fiscal_year"
    ].tolist() == [2567]
    assert filter_units(df, Filters(agency=("สำนักการโยธา",)))["unit"].tolist() == ["สำนักการโยธา"]
    # a district office chosen under another spelling is the same unit
    assert filter_units(df, Filters(agency=("เขตพระนคร",)))["unit"].tolist() == ["สำนักงานเขตพระนคร"]
