"""AppTest: both pages draw, chart numbers equal the metrics, filters and language act."""

from __future__ import annotations

from messages.i18n import t
from tests.app.conftest import metric_values, plotly_specs
from ui.unit_links import unit_of


def _status_sums(spec: dict) -> dict[str, int]:
    return {trace["meta"]: int(sum(trace["x"])) for trace in spec["data"] if "meta" in trace}


def _card(at, key, lang="th") -> int:
    return int(metric_values(at)[t(key, lang)].replace(",", ""))


def test_overview_chart_equals_cards(app):
    at = app()
    assert at.title[0].value == t("overview.title", "th")
    specs = plotly_specs(at)
    assert specs[0]["layout"]["title"]["text"] == t("chart.status_by_agency", "th")
    sums = _status_sums(specs[0])
    assert sum(sums.values()) == _card(at, "card.total")
    assert sums["not_reported"] == _card(at, "card.not_reported")
    assert sums["cannot"] == _card(at, "card.cannot")
    done_pct = float(metric_values(at)[t("card.done_pct", "th")].rstrip("%"))
    assert abs(100 * sums["done"] / sum(sums.values()) - done_pct) < 0.05


def test_filter_from_url_changes_numbers(app):
    everything = _card(app(), "card.total")
    at = app(fy="2567")
    narrowed = _card(at, "card.total")
    assert 0 < narrowed < everything
    assert sum(_status_sums(plotly_specs(at)[0]).values()) == narrowed
    at.multiselect(key="filter_status").set_value(["done"]).run()
    status = at.query_params["status"]
    assert (status if isinstance(status, list) else [status]) == ["done"]
    assert _card(at, "card.not_reported") == 0
    assert 0 < _card(at, "card.total") < narrowed


def test_english_switch_changes_labels(app):
    at = app(lang="en")
    assert at.title[0].value == "Directive follow-up overview"
    assert t("card.total", "en") in metric_values(at)
    spec = plotly_specs(at)[0]
    assert {tr["name"] for tr in spec["data"]} == {
        "Done",
        "In progress",
        "Cannot be done",
        "Not reported",
    }


def test_directives_page(app):
    at = app("app_pages/directives.py")
    assert at.title[0].value == t("directives.title", "th")
    specs = plotly_specs(at)
    heat = specs[0]
    assert heat["data"][0]["type"] == "heatmap"
    total = _card(at, "card.total")
    assert sum(sum(r) for r in heat["data"][0]["z"]) == total
    table = at.dataframe[0].value
    assert len(table) == min(total, 100)  # one page of the table (100 rows a page by default)
    # user text is data in a table cell, never markup
    assert not any(md for md in at.markdown if "<script" in md.value)


def test_directives_filter_by_zone(app):
    at = app("app_pages/directives.py", zone="กรุงเทพใต้")
    total = _card(at, "card.total")
    table = at.dataframe[0].value
    assert len(table) == min(total, 100) and total > 0
    # the unit column links to the units' cards, each carrying the stored Thai name
    assert all(unit_of(a).startswith("สำนักงานเขต") for a in table[t("col.agency", "th")])


def test_every_table_offers_safe_downloads_and_the_filters_are_written_in_them(app):
    at = app("app_pages/directives.py", zone="กรุงเทพใต้")
    buttons = at.get("download_button")
    labels = {b.proto.label for b in buttons}
    assert {"xlsx", "CSV"} <= labels
    keys = [b.proto.id for b in buttons]
    assert any("directives_table__xlsx" in k for k in keys), keys
    assert any("directives_table__csv" in k for k in keys), keys
    # what the downloads will carry in their first rows: the filters of the view
    lines = at.session_state["_export_filters"]
    assert lines == [t("common.filters_used", "th", filters="กลุ่มเขต = กรุงเทพใต้")], lines
