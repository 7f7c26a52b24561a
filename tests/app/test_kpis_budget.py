"""AppTest: KPI and budget pages draw the domain's numbers (charts = tables = cards), user text
is plain text, selections live in the URL, English switches labels; overview finance cards."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from messages.i18n import t
from tests.app.conftest import metric_values, plotly_specs
from tracker import thai
from tracker.metrics import budget_sums as budget
from tracker.metrics import kpi_scores as kpi
from tracker.metrics import targets
from tracker.present import finance_views as fv
from tracker.read.loader import load_paths
from tracker.schema import PERIODS, STAGE_TH
from ui.unit_links import unit_of

OIG = "กองงานผู้ตรวจราชการ"
OIG_Q2 = {"unit": OIG, "fy": "2567", "period": "Q2"}
OIG_MARCH = {"unit": OIG, "as_of": "2024-03-31"}


@pytest.fixture(scope="module")
def dataset(sample_dir):
    return load_paths(sorted(sample_dir.glob("*.xlsx")), sandbox=False).dataset


_RUNS: dict[tuple, object] = {}


def _shown(app, page: str, **query):
    """The page run once for all the read-only tests that look at it (a run costs seconds)."""
    key = (page, tuple(sorted(query.items())))
    if key not in _RUNS:
        _RUNS[key] = app(page, **query)
    return _RUNS[key]


def _spec(at, title_key: str, lang: str = "th") -> dict:
    wanted = t(title_key, lang)
    found = [s for s in plotly_specs(at) if s["layout"]["title"]["text"] == wanted]
    assert found, f"no chart titled {wanted!r}"
    return found[0]


def _frame(at, column_key: str, lang: str = "th", n: int = 0) -> pd.DataFrame:
    """The n-th table on the page that has the column ``column_key``."""
    col = t(column_key, lang)
    frames = [d.value for d in at.dataframe if col in d.value.columns]
    assert len(frames) > n, f"no table with column {col!r}"
    return frames[n]


def _as_float(text: str) -> float:
    return float(text.replace(",", "").rstrip("%"))


FY2567_TARGETS = "[full_year.2567]\noverall = 93\ncurrent = 98\ncapital = 75\n"


@pytest.fixture
def fy2567_targets(monkeypatch, tmp_path):
    """The sample's year given targets of its own (the built-in ones are FY 2569's only)."""
    path = tmp_path / "targets.toml"
    path.write_text(FY2567_TARGETS, encoding="utf-8")
    monkeypatch.setattr(targets, "TARGETS_FILE", path)
    return path


# --- KPIs ---------------------------------------------------------------------------------------
def test_kpi_chart_equals_scorecard_and_cards(app):
    at = _shown(app, "app_pages/kpis.py", **OIG_Q2)
    assert at.title[0].value == t("kpis.title", "th")
    assert at.selectbox(key="pick_unit").value == OIG
    assert at.selectbox(key="pick_period").value == "Q2"
    table = _frame(at, "fin.col.achievement")
    spec = _spec(at, "fin.chart.achievement")
    charted = {
        y: x
        for trace in spec["data"]
        if trace["type"] == "bar"
        for y, x in zip(trace["y"], trace["x"], strict=True)
    }
    shown = {
        code: _as_float(v)
        for code, v in zip(
            table[t("fin.col.code", "th")], table[t("fin.col.achievement", "th")], strict=True
        )
        if v != fv.DASH
    }
    assert charted == shown and len(shown) >= 6
    cards = metric_values(at)
    per_light = {tr["meta"]: len(tr["x"]) for tr in spec["data"] if tr["type"] == "bar"}
    for light in ("green", "amber", "red"):
        assert per_light.get(light, 0) == int(cards[t(f"kpis.card.{light}", "th")])
    lights = table[t("fin.col.light", "th")].tolist()
    assert lights.count(t("fin.light.red", "th")) == per_light.get("red", 0)
    assert int(cards[t("kpis.card.total", "th")]) == len(table)


def test_kpi_golden_levels_stage_and_checklist(app):
    at = _shown(app, "app_pages/kpis.py", **OIG_Q2)
    table = _frame(at, "fin.col.actual")
    levels = table[table[t("fin.col.target", "th")] == "ระดับ 5"][t("fin.col.actual", "th")]
    assert levels.tolist() == [f"ระดับ {n}" for n in (1, 2, 2, 1, 3, 2)]
    stages = table[t("fin.col.stage", "th")].tolist()
    assert STAGE_TH["developing"] in stages
    checklist = _frame(at, "fin.col.ticked")
    items = dict(
        zip(checklist[t("fin.col.item", "th")], checklist[t("fin.col.ticked", "th")], strict=True)
    )
    systems = [v for k, v in items.items() if re.match(r"[๑-๘]\. ", k)]
    assert systems == ["✓"] * 8  # a tick in words, not a bare checkbox (issue 16)
    meet = [v for k, v in items.items() if "Google Meet" in k]
    assert meet == ["-"]
    done = sum(checklist[t("fin.col.ticked", "th")] == "✓")
    assert any(f"{done} " in c.value and f"{len(checklist)}" in c.value for c in at.caption)


def test_kpi_html_detail_is_plain_text(app):
    at = _shown(app, "app_pages/kpis.py", **OIG_Q2)
    texts = [x.value for x in at.text]
    assert any("หมายเหตุ : ไตรมาส ๑ ดำเนินการเรียบร้อยแล้ว" in x for x in texts)
    assert any("ระดับ ๑\n- กำหนดแนวทาง" in x for x in texts)  # line breaks kept
    for value in texts:
        assert "<p>" not in value and "<u>" not in value and "<script" not in value.lower()
    for md in at.markdown:
        assert "<script" not in md.value.lower() and "alert(1)" not in md.value
        assert not md.proto.allow_html
    assert len(at.get("html")) == 0
    for exp in at.expander:
        assert "<" not in exp.label.replace("\\<", "")


def test_kpi_levels_over_quarters_match_table(app, dataset):
    at = _shown(app, "app_pages/kpis.py", **OIG_Q2)
    spec = _spec(at, "fin.chart.levels")
    wide = kpi.levels_over_periods(dataset.kpis, OIG, 2567)
    levels = wide[wide["measure"] == "level"]
    assert {tr["name"] for tr in spec["data"]} == set(levels["kpi_code"])
    table = _frame(at, "fin.col.code", n=2)  # scorecard, its chart table, then the levels table
    assert list(table.columns[-4:]) == [fv.period_label(p, "th") for p in PERIODS]
    by_code = table.set_index(t("fin.col.code", "th"))
    for trace in spec["data"]:
        row = by_code.loc[trace["name"]]
        shown = [
            None
            if row[fv.period_label(p, "th")] == "-"
            else float(row[fv.period_label(p, "th")].split()[-1])
            for p in PERIODS
        ]
        assert trace["y"] == shown
    assert at.selectbox(key="pick_period").format_func("Q2") == "ไตรมาส 2 (ครึ่งปี)"


def test_kpi_selection_goes_to_url(app):
    at = app("app_pages/kpis.py", **OIG_Q2)
    at.selectbox(key="pick_period").set_value("Q1").run()
    assert at.query_params["period"] == "Q1"
    spec = _spec(at, "fin.chart.achievement")
    assert sum(len(tr["x"]) for tr in spec["data"] if tr["type"] == "bar") >= 6


# --- budget -------------------------------------------------------------------------------------
GOLDEN = {
    "carryover": ("-", "-", "-"),
    "operating": ("12,203,500.00", "4,094,769.47", "33.55"),
    "investment": ("-", "-", "-"),
    "subsidy": ("-", "-", "-"),
    "other": ("1,041,200.00", "266,500.00", "25.60"),
    "central": ("258,369.00", "0.00", "0.00"),
    "total": ("13,503,069.00", "4,361,269.47", "32.30"),
}


def test_budget_golden_row_from_url(app, fy2567_targets):
    at = app("app_pages/budget.py", **OIG_MARCH)
    assert at.selectbox(key="pick_unit").value == OIG
    table = _frame(at, "fin.col.budget_type").set_index(t("fin.col.budget_type", "th"))
    cols = [t(f"fin.col.{k}", "th") for k in ("allocated", "disbursed", "rate")]
    for btype, expected in GOLDEN.items():
        assert tuple(table.loc[fv.budget_type_label(btype, "th"), cols]) == expected, btype
    spec = _spec(at, "fin.chart.rate_by_type")
    bars = spec["data"][0]
    assert dict(zip(bars["meta"], bars["x"], strict=True)) == {
        "operating": 33.55,
        "other": 25.6,
        "central": 0.0,
        "total": 32.3,
    }
    cards = metric_values(at)
    assert cards[t("budget.card.rate", "th")] == "32.30%"
    # cards in millions of baht (issue 16): the full amount on hover (the card's help)
    assert cards[t("glance.card.allocated", "th")] == "13.50"
    allocated = next(m for m in at.metric if m.label == t("glance.card.allocated", "th"))
    assert allocated.proto.help == t("glance.full_amount", "th", amount="13,503,069.00")
    lines = {tr["meta"]: set(tr["x"]) for tr in spec["data"][1:]}  # full-year target lines
    assert lines == {"target_overall": {93.0}, "target_current": {98.0}, "target_capital": {75.0}}


def test_budget_cumulative_and_units_match_tables(app, dataset, fy2567_targets):
    at = app("app_pages/budget.py")  # all units, latest as-of date
    goals = targets.load_targets()
    cum = _spec(at, "fin.chart.cumulative")
    rate_trace = next(tr for tr in cum["data"] if tr["meta"] == "rate")
    cum_table = _frame(at, "fin.col.cumulative_target")
    assert rate_trace["y"] == [_as_float(v) for v in cum_table[t("fin.col.rate", "th")]]
    expected = budget.cumulative(dataset.budget, None, goals)
    assert rate_trace["y"] == expected["rate_pct"].tolist()
    assert len(rate_trace["y"]) == 4

    units_spec = _spec(at, "fin.chart.rate_by_unit")
    charted = {
        y: x
        for tr in units_spec["data"]
        if tr["type"] == "bar"
        for y, x in zip(tr["y"], tr["x"], strict=True)
    }
    units = _frame(at, "fin.col.flag")
    shown = dict(
        zip(
            [unit_of(u) for u in units[t("fin.col.unit", "th")]],  # links to the units' cards
            (_as_float(v) for v in units[t("fin.col.rate", "th")]),
            strict=True,
        )
    )
    assert charted == shown
    below = [tr for tr in units_spec["data"] if tr.get("meta") == "below"]
    flagged = units[units[t("fin.col.flag", "th")] == t("fin.flag.below", "th")]
    n_below = int(metric_values(at)[t("budget.card.below", "th")])
    assert n_below == len(flagged) == (len(below[0]["y"]) if below else 0) > 0
    flagged_units = {unit_of(u) for u in flagged[t("fin.col.unit", "th")]}
    assert flagged_units == set(below[0]["y"])
    latest = budget.by_unit(dataset.budget, pd.Timestamp("2024-09-30"), goals)
    assert flagged_units == set(latest[latest["below_target"]]["unit"])
    assert t("budget.settings", "th") in [c.value for c in at.caption]


def test_budget_date_change_goes_to_url(app):
    at = app("app_pages/budget.py", unit=OIG)
    assert metric_values(at)[t("budget.card.rate", "th")] != "32.30%"
    at.selectbox(key="pick_as_of").set_value(pd.Timestamp("2024-03-31").date()).run()
    assert at.query_params["as_of"] == "2024-03-31"
    assert metric_values(at)[t("budget.card.rate", "th")] == "32.30%"


# --- language and overview ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("page", "query", "title", "column", "value"),
    [
        ("app_pages/kpis.py", OIG_Q2, "Performance agreement KPIs", "Against target", None),
        ("app_pages/budget.py", OIG_MARCH, "Budget disbursement", "Budget type", "Operating"),
    ],
)
def test_english_switch_changes_labels(app, page, query, title, column, value):
    at = app(page, lang="en", **query)
    assert at.title[0].value == title
    frame = next(d.value for d in at.dataframe if column in d.value.columns)
    if value:
        assert value in frame[column].tolist()
    else:
        assert set(frame[column]) <= {"On target", "Near target", "Below target", "-"}
    titles = {s["layout"]["title"]["text"] for s in plotly_specs(at)}
    assert titles and all(x.isascii() for x in titles)
    assert all(x.isascii() for x in metric_values(at))


def test_overview_has_finance_cards(app, dataset):
    at = app()
    cards = metric_values(at)
    assert cards[t("fin.card.rate", "th")] == thai.format_pct(budget.overall_rate(dataset.budget))
    goals = targets.load_targets()
    assert cards[t("fin.card.target", "th")] == thai.format_pct(
        goals.for_date(pd.Timestamp("2024-09-30").date())
    )
    counts = kpi.summary(dataset.kpis)
    assert int(cards[t("fin.card.kpi_on", "th")]) == counts["on_target"] > 0
    assert int(cards[t("fin.card.kpi_below", "th")]) == counts["below_target"] > 0
    at_en = app(lang="en")
    assert "Overall disbursement rate" in metric_values(at_en)


# --- display helpers ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "measure", "lang", "expected"),
    [
        (5.0, "level", "th", "ระดับ 5"),
        (2.0, "level", "en", "Level 2"),
        (75.0, "percent", "th", "75.00%"),
        (None, "level", "th", "-"),
        (float("nan"), "percent", "en", "-"),
    ],
)
def test_measure_value(value, measure, lang, expected):
    assert fv.measure_value(value, measure, lang) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ระดับความสำเร็จ (Online) [x](http://a)", r"ระดับความสำเร็จ \(Online\) \[x\]\(http\://a\)"),
        ("<script>alert(1)</script>", r"\<script\>alert\(1\)\</script\>"),
        ("![img](x.png)", r"\!\[img\]\(x\.png\)"),
        ("a\nb", "a b"),
    ],
)
def test_plain_label_escapes_markdown(text, expected):
    assert fv.plain_label(text) == expected


@pytest.mark.parametrize(
    ("rate", "target", "expected"),
    [(32.3, 52.0, "ต่ำกว่าเป้าหมาย"), (93.0, 93.0, "ถึงเป้าหมาย"), (50.0, None, "-"), (None, 93.0, "-")],
)
def test_target_status(rate, target, expected):
    assert fv.target_status(rate, target, "th") == expected
