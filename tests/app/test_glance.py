"""Every page reads right at a glance (issue 16): the first chart early on a phone, filters
first in the sidebar, yes/no columns in words, targets of their own fiscal year only, the heat
map as a list too."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from messages.i18n import t
from tests.app.conftest import metric_values, plotly_specs
from tracker.metrics import targets
from ui.shell import PAGES


def _in_order(node) -> list:
    """The page's elements in the order they are drawn (blocks by their index)."""
    out = [node]
    for key in sorted(getattr(node, "children", {})):
        out += _in_order(node.children[key])
    return out


def _types(block) -> list[str]:
    return [getattr(n, "type", "") for n in _in_order(block)]


# --- item 2: the first chart after the six directive cards ---------------------------------------
def test_overview_draws_its_first_chart_after_the_directive_cards(app):
    at = app()
    kinds = _types(at.main)
    first_chart = kinds.index("plotly_chart")
    before = kinds[:first_chart].count("metric")
    assert before == 6  # the directive cards; the four KPI and budget cards come after
    assert kinds.count("metric") == 10
    # the KPI and budget cards stand beside the chart (a column each), so a phone, where the
    # columns stack, shows the chart first
    titles = [n.value for n in _in_order(at.main) if getattr(n, "type", "") == "subheader"]
    scope = f"{t('fin.overview.title', 'th')} · {t('fin.overview.scope_all', 'th')}"
    assert scope in titles


def test_cards_are_one_wrapping_row_not_one_card_a_row(app):
    """Cards sit in a horizontal container that wraps (two a row on a phone, six on a laptop)
    rather than in st.columns, which stack one card a row on a phone."""
    at = app()
    rows = [
        n
        for n in _in_order(at.main)
        if getattr(n, "type", "") == "flex_container"
        and any(getattr(c, "type", "") == "metric" for c in n.children.values())
    ]
    assert rows, "no card row"
    directive_row = rows[0]
    assert len(directive_row.children) == 6
    assert directive_row.proto.flex_container.direction == 2  # horizontal
    assert directive_row.proto.flex_container.wrap


# --- item 2: filters first in the sidebar ---------------------------------------------------------
@pytest.mark.parametrize("lang", ["th", "en"])
def test_filters_come_first_in_the_sidebar(app, lang):
    at = app(lang=lang)
    sidebar = _in_order(at.sidebar)
    labels = [getattr(n, "label", None) for n in sidebar]
    first_filter = labels.index(t("filter.fiscal_year", lang))
    language = labels.index("ภาษา / Language")
    assert first_filter < language
    banner = next(i for i, n in enumerate(sidebar) if getattr(n, "type", "") == "info")
    assert first_filter < banner  # the local-mode banner and the sample's date come after


# --- item 3: no column of bare checkboxes -------------------------------------------------------
def _bool_columns(at: AppTest) -> list[str]:
    out = []
    for d in at.dataframe:
        frame = d.value
        out += [
            str(c)
            for c in frame.columns
            if pd.api.types.is_bool_dtype(frame[c])
            or frame[c].map(lambda v: isinstance(v, bool)).any()
        ]
    return out


# the Directives page's table belongs to its own change (its "overdue" column)
CHECKED = [p for p, *_ in PAGES if not p.endswith("directives.py")]


@pytest.mark.parametrize("page", CHECKED)
def test_no_table_shows_a_column_of_checkboxes(app, page):
    at = app(page)
    assert _bool_columns(at) == []


@pytest.mark.parametrize(("lang", "word"), [("th", "เปลี่ยน"), ("en", "Changed")])
def test_history_says_in_words_whether_a_status_changed(app, lang, word):
    at = app("app_pages/history.py", lang=lang)
    column = t("publish.col.status_changed", lang)
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, "no status timeline"
    assert set(frames[0][column]) <= {word, "-"}


def test_the_kpi_checklist_ticks_in_words(app):
    at = app("app_pages/kpis.py", unit="กองงานผู้ตรวจราชการ", fy="2567", period="Q2")
    column = t("fin.col.ticked", "th")
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames and set(frames[0][column]) == {"✓", "-"}


# --- item 9: targets of their own fiscal year only ------------------------------------------------
def _target_traces(at: AppTest) -> list[str]:
    return [
        str(tr.get("meta"))
        for spec in plotly_specs(at)
        for tr in spec["data"]
        if "target" in str(tr.get("meta", ""))
    ]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_year_without_targets_says_so_and_draws_none(app, lang):
    """The sample is FY 2567; the built-in targets are FY 2569's: no target at all."""
    at = app("app_pages/budget.py", lang=lang)
    assert at.query_params.get("as_of") is None  # the latest date, 30 Sep 2024 (FY 2567)
    infos = [i.value for i in at.info]
    assert t("glance.no_targets_year", lang, fy=2567) in infos
    assert _target_traces(at) == []
    cards = metric_values(at)
    assert cards[t("budget.card.target", lang)] == "-"
    assert cards[t("budget.card.below", lang)] == "-"
    shown = [c.value for c in at.caption] + infos
    assert not any(".toml" in text for text in shown)  # no file named to a reader
    source = ("มาตรการเร่งรัด", "execution measures")  # the FY 2569 targets' source
    assert not any(word in text for text in shown for word in source)
    overview = metric_values(app(lang=lang))
    assert overview[t("fin.card.target", lang)] == "-"


def test_a_year_with_its_own_targets_draws_them(app, monkeypatch, tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text(
        "[full_year.2567]\noverall = 90\n\n[quarterly.2567]\nQ1 = 20\nQ2 = 45\nQ3 = 70\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(targets, "TARGETS_FILE", path)
    at = app("app_pages/budget.py")
    assert "target_overall" in _target_traces(at)
    assert t("glance.no_targets_year", "th", fy=2567) not in [i.value for i in at.info]
    assert metric_values(at)[t("budget.card.target", "th")] == "90.00%"  # Q4: the full year
    assert t("budget.settings", "th") in [c.value for c in at.caption]
    assert metric_values(app())[t("fin.card.target", "th")] == "90.00%"


# --- item 2: the heat map as a list -------------------------------------------------------------
def _heatmap_page() -> None:
    import pandas as pd
    import streamlit as st

    from ui.heatmap import group_heatmap

    directives = pd.DataFrame(
        {
            "agency": ["สำนักงานเขตบางนา"] * 3 + ["สำนักการโยธา"] * 2,
            "group": ["ก", "ข", "ข", "ข", "ค"],
        }
    )
    st.title("heat map")
    group_heatmap(directives)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_heat_map_has_a_list_a_phone_can_read(lang):
    at = AppTest.from_function(_heatmap_page, default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    assert [tab.label for tab in at.tabs] == [
        t("glance.heatmap.chart", lang),
        t("glance.heatmap.list", lang),
    ]
    listing = next(d.value for d in at.dataframe if t("axis.directives", lang) in d.value.columns)
    bang_na = "สำนักงานเขตบางนา" if lang == "th" else "Bang Na District Office"
    works = "สำนักการโยธา" if lang == "th" else "Public Works Department"
    assert listing.values.tolist() == [  # most first; ties by the unit's Thai name, group
        [bang_na, "ข", 2],
        [works, "ข", 1],
        [works, "ค", 1],
        [bang_na, "ก", 1],
    ]
    assert len(plotly_specs(at)) == 1  # the chart in its own tab
    assert len(at.dataframe) == 1  # no matrix whose headers are data: the list is its table


RAW = {"agency", "total", "done_pct", "done", "in_progress", "cannot", "not_reported"}


@pytest.mark.parametrize("lang", ["th", "en"])
def test_overview_tables_head_their_columns_in_the_page_language(app, lang):
    at = app(lang=lang)
    headers = {str(c) for d in at.dataframe for c in d.value.columns}
    assert t("col.total", lang) in headers and t("axis.done_pct", lang) in headers
    assert not headers & RAW


@pytest.mark.parametrize("lang", ["th", "en"])
def test_status_count_tables_are_headed_in_the_page_language(lang):
    from tracker.metrics import directives as metrics
    from tracker.present.charts import factor_label
    from tracker.present.views import status_counts_table

    directives = pd.DataFrame(
        {
            "status": pd.Categorical(["done", "cannot", "done"]),
            **{c: [True, False, True] for c in metrics.FACTOR_COLUMNS},
        }
    )
    table = status_counts_table(metrics.by_factor(directives), "factor", lang)
    assert not set(table.columns) & (RAW | {"factor"})
    assert table[t("filter.factor", lang)].tolist() == [
        factor_label(k, lang) for k in metrics.FACTORS
    ]
    assert table[t("col.total", lang)].tolist() == [2] * len(metrics.FACTORS)


@pytest.mark.parametrize(("lang", "who"), [("th", "ระบบ"), ("en", "the app")])
def test_history_names_the_apps_own_import_in_the_page_language(app, lang, who):
    at = app("app_pages/history.py", lang=lang)
    column = t("history.col.user", lang)
    users = {u for d in at.dataframe if column in d.value.columns for u in d.value[column]}
    assert who in users and "system" not in users


def test_downloads_sit_in_one_row(app):
    at = app("app_pages/history.py")
    rows = [
        n
        for n in _in_order(at.main)
        if getattr(n, "type", "") == "flex_container"
        and sum(getattr(c, "type", "") == "download_button" for c in n.children.values()) == 2
    ]
    assert rows and all(r.proto.flex_container.direction == 2 for r in rows)
