"""The unit card's reporting-discipline score: each input on a small hand-made fixture."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tracker.dataset import conform, empty_frame
from tracker.metrics import time_to_done as ttd
from tracker.metrics import unit_card

BANGRAK, YOTHA = "สำนักงานเขตบางรัก", "สำนักการโยธา"


def _register() -> pd.DataFrame:
    rows = [
        # id, fy, round, agency, status, due
        ("1", 2567, 1, BANGRAK, "done", "2024-01-31"),  # an earlier round: not counted in A
        ("2", 2567, 2, BANGRAK, "in_progress", "2024-06-30"),
        ("3", 2567, 2, BANGRAK, "not_reported", "2024-06-30"),
        ("4", 2567, 2, BANGRAK, "done", None),
        ("5", 2567, 2, YOTHA, "not_reported", "2024-06-30"),
    ]
    frame = pd.DataFrame(
        rows, columns=["directive_id", "fiscal_year", "round", "agency", "status", "due_date"]
    )
    frame["due_date"] = pd.to_datetime(frame["due_date"])
    frame["issued_date"] = pd.Timestamp("2024-01-01")
    return conform(frame, "directives")


def _responses() -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            ("1", "2024-01-21 10:00", "done"),  # 10 days early → 0
            ("2", "2024-07-04 09:00", "in_progress"),  # 4 days late
            ("2", "2024-07-10 09:00", "in_progress"),  # 10 days late
            ("4", "2024-05-01 09:00", "done"),  # no due date: not compared
        ],
        columns=["directive_id", "submitted_at", "status"],
    )
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"])
    return conform(frame, "responses")


def _kpis() -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            (BANGRAK, 2567, "Q1", "1.1", "a", "level", 5.0, 3.0),
            (BANGRAK, 2567, "Q2", "1.1", "a", "level", 5.0, 4.0),
            (YOTHA, 2567, "Q1", "1.1", "a", "level", 5.0, 2.0),
            (YOTHA, 2567, "Q3", "1.1", "a", "level", 5.0, 2.0),
        ],
        columns=[
            "unit",
            "fiscal_year",
            "period",
            "component",
            "kpi",
            "measure",
            "target",
            "actual",
        ],
    )
    return conform(frame, "kpis")


def _budget() -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            (YOTHA, 2567, "2024-03-31", "operating", 100.0, 50.0),
            (BANGRAK, 2567, "2024-06-30", "operating", 100.0, 70.0),
        ],
        columns=["unit", "fiscal_year", "as_of", "budget_type", "allocated", "disbursed"],
    )
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    return conform(frame, "budget")


def test_a_is_the_share_of_the_current_round_that_has_reported():
    # current round 2567/2: Bang Rak has 3 directives there, 2 reported (in progress, done)
    assert unit_card.reported_share(_register(), BANGRAK) == (66.67, 2, 3, "2567/2")
    assert unit_card.reported_share(_register(), YOTHA) == (0.0, 0, 1, "2567/2")
    assert unit_card.reported_share(_register(), "ไม่มี")[0] is None


def test_b_is_the_median_days_late_of_the_responses():
    # responses of directives with a due date: 0 (early), 4 and 10 days late → median 4
    assert unit_card.late_days(_register(), _responses(), BANGRAK) == 4.0
    assert unit_card.late_days(_register(), _responses(), YOTHA) is None  # no response
    assert unit_card.late_days(_register(), empty_frame("responses"), BANGRAK) is None


def test_c_counts_the_forms_any_unit_sent():
    # expected: KPI Q1, Q2, Q3 of 2567 and budget as of 31 Mar and 30 Jun → 5
    assert unit_card.forms_received(_kpis(), _budget(), BANGRAK) == (3, 5)
    assert unit_card.forms_received(_kpis(), _budget(), YOTHA) == (3, 5)
    assert unit_card.forms_received(empty_frame("kpis"), empty_frame("budget"), YOTHA) == (0, 0)


def test_the_score_is_the_mean_of_the_parts_with_data():
    d = unit_card.discipline(_register(), _responses(), _kpis(), _budget(), BANGRAK)
    assert (d.reported_pct, d.on_time, d.forms_pct) == (66.67, 96.0, 60.0)
    assert d.score == pytest.approx(round((66.67 + 96.0 + 60.0) / 3, 2))
    y = unit_card.discipline(_register(), _responses(), _kpis(), _budget(), YOTHA)
    assert (y.on_time, y.score) == (None, 30.0)  # (0 + 60) / 2: B has no data
    ranked = unit_card.ranking(_register(), _responses(), _kpis(), _budget())
    assert ranked["unit"].tolist() == [BANGRAK, YOTHA]


def test_the_card_figures_are_the_overview_figures_of_the_unit():
    timed = ttd.with_durations(_register(), _responses(), date(2024, 10, 15)).frame
    figures = unit_card.directive_figures(timed, BANGRAK, date(2024, 10, 15))
    assert (figures["total"], figures["done"], figures["not_reported"]) == (4, 2, 1)
    mine = timed[timed["agency"] == BANGRAK]
    assert figures["time_to_done"] == ttd.overall(mine)


# --- each input's edges, and the all-units pass of `summary --json` equal to the card's --------


def test_a_takes_the_latest_fiscal_year_then_its_latest_round():
    later = pd.DataFrame(
        [("9", 2568, 1, BANGRAK, "not_reported", None)],
        columns=["directive_id", "fiscal_year", "round", "agency", "status", "due_date"],
    )
    later["due_date"] = pd.to_datetime(later["due_date"])
    later["issued_date"] = pd.Timestamp("2024-11-01")
    register = pd.concat([_register(), conform(later, "directives")], ignore_index=True)
    register = conform(register, "directives")
    # 2568/1 is current although 2567 has a higher round: only directive 9 counts
    assert unit_card.reported_share(register, BANGRAK) == (0.0, 0, 1, "2568/1")
    assert unit_card.reported_share(register, YOTHA) == (None, 0, 0, "2568/1")


def test_b_is_never_below_zero_and_counts_only_the_units_own_responses():
    late = conform(
        pd.DataFrame(
            {
                "directive_id": ["5", "3"],
                "submitted_at": pd.to_datetime(["2024-12-31", "2024-07-01"]),
                "status": ["in_progress", "in_progress"],
            }
        ),
        "responses",
    )
    # สำนักการโยธา's directive 5 (due 30 Jun) answered 184 days late: B floors at 0
    assert unit_card.late_days(_register(), late, YOTHA) == 184.0
    assert unit_card.discipline(_register(), late, _kpis(), _budget(), YOTHA).on_time == 0.0
    # Bang Rak's only response here is directive 3's, one day late (5 is not its own)
    assert unit_card.late_days(_register(), late, BANGRAK) == 1.0


def test_c_counts_a_period_once_however_many_kpis_it_has():
    kpis = pd.concat([_kpis(), _kpis().iloc[[0]].assign(kpi="b")], ignore_index=True)
    assert unit_card.forms_received(conform(kpis, "kpis"), _budget(), BANGRAK) == (3, 5)
    # a unit known only from its budget report
    assert unit_card.forms_received(_kpis(), _budget(), "ไม่มี") == (0, 5)


def test_the_all_units_pass_equals_each_units_card():
    today = date(2024, 10, 15)
    rows = unit_card.units_json(_register(), _responses(), _kpis(), _budget(), today)
    assert [r["unit"] for r in rows] == unit_card.units(_register())
    for row in rows:
        d = unit_card.discipline(_register(), _responses(), _kpis(), _budget(), row["unit"])
        assert row["discipline"] == {
            "score": d.score,
            "reported_pct": d.reported_pct,
            "on_time": d.on_time,
            "forms_pct": d.forms_pct,
        }
