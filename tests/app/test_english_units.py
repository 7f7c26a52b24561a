"""English mode shows units by their English names where the app draws the label: the unit
filter's options and chips, chart axes and the directive table (issue 16 item 5)."""

from __future__ import annotations

from messages.i18n import t
from tests.app.conftest import plotly_specs

THAI = range(0x0E00, 0x0E80)


def _thai(text: str) -> bool:
    return any(ord(c) in THAI for c in text)


def test_directives_page_in_english_names_units_in_english(app):
    at = app("app_pages/directives.py", lang="en")
    box = next(m for m in at.sidebar.multiselect if m.label == t("filter.agency", "en"))
    shown = [box.format_func(o) for o in box.options]  # what the options and chips read
    assert shown and not any(_thai(s) for s in shown), shown[:5]
    table = at.dataframe[0].value
    units = table[t("col.agency", "en")].astype(str)
    assert not units.map(_thai).any(), units[units.map(_thai)].unique()[:5]
    heat = plotly_specs(at)[0]["data"][0]
    assert not any(_thai(y) for y in heat["y"]), heat["y"][:5]


def test_the_chosen_unit_is_an_english_chip_and_the_data_stays_thai(app):
    at = app("app_pages/directives.py", lang="en", agency="สำนักการโยธา")
    box = next(m for m in at.sidebar.multiselect if m.label == t("filter.agency", "en"))
    assert box.value == ["สำนักการโยธา"]  # the value (and the URL) keep the stored name
    assert [box.format_func(v) for v in box.value] == [
        f"{t('filter.city_level', 'en')} · Public Works Department"
    ]
