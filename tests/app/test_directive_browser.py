"""AppTest: the Directives table is one page at a time, with search, sort, a detail panel with
the full text, a directive picker that searches, and a binned aging histogram."""

from __future__ import annotations

from messages.i18n import t
from tests.app.conftest import metric_values, plotly_specs
from tracker.store import Store

PAGE = "app_pages/directives.py"


def _total(at) -> int:
    return int(metric_values(at)[t("card.total", "th")].replace(",", ""))


def _ids(at) -> list[str]:
    return [str(v) for v in at.dataframe[0].value[t("col.directive_id", "th")]]


def _directives(tmp_path):
    return Store(f"sqlite:///{tmp_path / 'tracker.sqlite'}").load()["directives"]


def test_pages_of_the_table(app):
    at = app(PAGE)
    total = _total(at)
    assert total == 240
    first = _ids(at)
    assert len(first) == 100
    at.number_input(key="browse_page").set_value(3).run()
    assert not at.exception
    last = _ids(at)
    assert len(last) == 40
    assert not set(first) & set(last)
    assert any("201–240" in c.value for c in at.caption), [c.value for c in at.caption]
    # another page size goes back to page one
    at.selectbox(key="browse_size").set_value(50).run()
    assert at.number_input(key="browse_page").value == 1
    assert _ids(at) == first[:50]


def test_sort_by_id_descending(app, tmp_path):
    at = app(PAGE)
    at.selectbox(key="browse_sort").set_value("directive_id").run()
    at.toggle(key="browse_desc").set_value(True).run()
    ids = _ids(at)
    expected = sorted(_directives(tmp_path)["directive_id"].astype(str), reverse=True)[:100]
    assert ids == expected


def test_search_in_text_and_id(app, tmp_path):
    at = app(PAGE)
    frame = _directives(tmp_path)
    word = str(frame["text"].dropna().iloc[0]).split()[0]
    at.text_input(key="browse_query").input(word).run()
    want = frame[frame["text"].fillna("").str.contains(word, regex=False)]
    table = at.dataframe[0].value
    assert len(table) == min(len(want), 100) > 0
    assert all(word in str(v) for v in table[t("col.text", "th")])
    one = str(frame["directive_id"].iloc[7])
    at.text_input(key="browse_query").input(one).run()
    assert one in _ids(at)
    at.text_input(key="browse_query").input("ไม่มีคำนี้แน่นอน-xyz").run()
    assert not at.exception
    assert any(i.value == t("browse.no_match", "th") for i in at.info)


def test_detail_panel_shows_the_full_text_escaped(app, tmp_path):
    at = app(PAGE)
    frame = _directives(tmp_path)
    label = at.selectbox(key="browse_detail").options[0]
    at.selectbox(key="browse_detail").select_index(0).run()
    assert not at.exception
    row = frame[frame["directive_id"].astype(str) == str(label)].iloc[0]
    shown = "\n".join(m.value for m in at.markdown)
    # every word of the directive text, whole (markdown characters escaped, never cut)
    for word in str(row["text"]).split():
        assert word.replace(".", "\\.").replace("-", "\\-") in shown or word in shown
    assert "…" not in shown


def test_the_history_picker_searches(app, tmp_path):
    at = app(PAGE)
    picker = at.selectbox(key="history_id")
    assert 0 < len(picker.options) <= 20
    fragment = picker.options[-1][-3:]
    at.text_input(key="history_query").input(fragment).run()
    options = at.selectbox(key="history_id").options
    assert options and all(fragment in o for o in options)


def test_the_aging_histogram_is_binned(app):
    at = app(PAGE)
    total = _total(at)
    aging = next(
        s for s in plotly_specs(at) if s["layout"]["title"]["text"] == t("chart.aging", "th")
    )
    assert {trace["type"] for trace in aging["data"]} == {"bar"}
    assert all(len(trace["y"]) <= 30 for trace in aging["data"])
    assert sum(sum(trace["y"]) for trace in aging["data"]) == total


def test_district_card_fetches_texts_and_searches_its_history(app, tmp_path):
    at = app("app_pages/districts.py")
    frame = _directives(tmp_path)
    code = str(frame["district_code"].value_counts().idxmax())
    at = app("app_pages/districts.py", district=code)
    overdue = next(
        d.value for d in at.dataframe if t("districts.col.days_overdue", "th") in d.value.columns
    )
    texts = dict(zip(frame["directive_id"].astype(str), frame["text"], strict=True))
    listed = overdue[t("col.text", "th")].tolist()
    assert listed and listed == [texts[str(i)] for i in overdue[t("col.directive_id", "th")]]
    picker = at.selectbox(key=f"district_history_{code}")
    assert 0 < len(picker.options) <= 20
    history = next(d.value for d in at.dataframe if t("col.detail", "th") in d.value.columns)
    assert len(history) > 0
