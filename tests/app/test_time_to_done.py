"""AppTest: the Overview's "median days to done" card and ranking, the Directives page's
Kaplan–Meier curves (TRACKER_TODAY = 2024-10-15 on the generated sample)."""

from __future__ import annotations

from messages.i18n import t
from tests.app.conftest import metric_values, plotly_specs


def _titled(at, key: str, lang: str = "th", **kwargs) -> dict:
    title = t(key, lang, **kwargs)
    found = [s for s in plotly_specs(at) if s["layout"]["title"]["text"] == title]
    assert len(found) == 1, [s["layout"]["title"]["text"] for s in plotly_specs(at)]
    return found[0]


def test_overview_card_and_ranking_change_with_a_filter(app):
    at = app()
    card = t("ttd.card.median", "th")
    everything = metric_values(at)[card]
    ranking = _titled(at, "ttd.chart.ranking")
    bars = ranking["data"][0]
    medians = [x for x in bars["x"] if x is not None]
    assert medians == sorted(medians) and medians  # fastest first
    # units with no median are listed after, as "not reached", never as a bar of 0
    if len(ranking["data"]) > 1:
        words = ranking["data"][1]["text"]
        assert all(w.startswith(t("ttd.not_reached", "th")) for w in words)
        assert all(x is None for x in bars["x"][len(medians) :])
    fastest, days = bars["y"][0], bars["x"][0]
    one = app(agency=fastest)
    assert metric_values(one)[card] == t("ttd.days", "th", n=f"{int(days):,}")
    assert metric_values(one)[card] != everything
    # the card is on the page in English too, with the same figure
    en = app(agency=fastest, lang="en")
    assert metric_values(en)[t("ttd.card.median", "en")] == f"{int(days):,} days"


def test_overview_says_not_reached_when_half_is_not_done(app):
    at = app()
    ranking = _titled(at, "ttd.chart.ranking")
    if len(ranking["data"]) < 2:  # the sample always has slow units; keep the test honest
        raise AssertionError("the generated sample should have a unit that is not reached")
    slow = ranking["data"][1]["y"][0]
    one = app(agency=slow)
    assert metric_values(one)[t("ttd.card.median", "th")] == "ยังไม่ถึงครึ่ง"


def test_directives_page_draws_curves_per_chosen_grouping(app):
    at = app("app_pages/directives.py")
    spec = _titled(at, "ttd.chart.curves", by=t("ttd.by.agency", "th"))
    assert 1 <= len(spec["data"]) <= 8
    for trace in spec["data"]:
        assert trace["x"][0] == 0 and trace["y"][0] == 0  # every curve starts at day 0, 0 %
        assert all(0 <= y <= 100 for y in trace["y"])
        assert trace["y"] == sorted(trace["y"])  # % done never goes down
    at.selectbox(key="ttd_by").set_value("factor").run()
    assert not at.exception
    spec = _titled(at, "ttd.chart.curves", by=t("ttd.by.factor", "th"))
    assert {tr["name"] for tr in spec["data"]} == {
        "บุคลากร",
        "งบประมาณ",
        "วิธีปฏิบัติงาน",
        "เทคโนโลยี",
        "กฎหมาย",
    }
    n, done, still_open = (t(f"ttd.col.{c}", "th") for c in ("n", "done", "censored"))
    figures = next(df.value for df in at.dataframe if n in df.value.columns)
    assert len(figures) == 5
    assert (figures[n] == figures[done] + figures[still_open]).all()
