"""AppTest: the unit card (/units?unit=…) shows the Overview's figures for that unit."""

from __future__ import annotations

from messages.i18n import t
from tests.app.conftest import metric_values, plotly_specs


def _fastest_unit(at) -> str:
    title = t("ttd.chart.ranking", "th")
    spec = next(s for s in plotly_specs(at) if s["layout"]["title"]["text"] == title)
    return spec["data"][0]["y"][0]


def test_unit_card_equals_the_overview_for_that_unit(app):
    unit = _fastest_unit(app())
    overview = metric_values(app(agency=unit))
    at = app("app_pages/units.py", unit=unit)
    assert at.selectbox(key="unit_pick").value == unit
    card = metric_values(at)
    for key in ("card.total", "card.done_pct", "card.not_reported", "card.overdue"):
        assert card[t(key, "th")] == overview[t(key, "th")], key
    assert card[t("ttd.card.median", "th")] == overview[t("ttd.card.median", "th")]
    # the score and its parts are shown with the formula
    assert t("units.score", "th") in card
    assert any(t("units.formula", "th") == c.value for c in at.caption)


def test_choosing_another_unit_updates_the_link(app):
    at = app("app_pages/units.py")
    names = at.selectbox(key="unit_pick").options
    assert len(names) > 1
    at.selectbox(key="unit_pick").set_value(names[1]).run()
    assert not at.exception
    assert at.query_params["unit"] in (names[1], [names[1]])
