"""Time to done: days per directive, and the Kaplan–Meier figures against a table worked out by
hand (censoring and ties) and against lifelines' own answers (tests/fixtures/km_lifelines.json)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from messages.i18n import t
from tracker.dataset import conform
from tracker.metrics import time_to_done as ttd

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "km_lifelines.json"
TODAY = date(2024, 10, 15)


def _timed(rows: list[tuple[str, int, bool]], **extra: list) -> pd.DataFrame:
    """A frame as ``with_durations`` makes it: one row per (agency, days, done)."""
    return pd.DataFrame(
        {
            "agency": pd.Categorical([r[0] for r in rows]),
            ttd.DAYS: [float(r[1]) for r in rows],
            ttd.DONE: [r[2] for r in rows],
            **extra,
        }
    )


# Worked by hand. Unit A, seven directives (days, done?):
#   20 ✓, 20 ✓, 20 open, 50 ✓, 70 open, 90 ✓, 90 open
#   day 20: 7 at risk, 2 done → S = 5/7            = 0.714286
#   day 50: 4 at risk, 1 done → S = 5/7 · 3/4      = 15/28 = 0.535714
#   day 70: 3 at risk, 0 done (1 censored) → S unchanged
#   day 90: 2 at risk, 1 done (a tie with 1 censored, the done counted first) → S = 15/56
#   median: the first day S ≤ 0.5 → 90; within 30 days: 1 − 5/7 = 28.57 %;
#   within 90: 1 − 15/56 = 73.21 %; within 180: followed only to day 90 with S > 0 → None.
# Unit B: both still open (10 and 40 days): median None ("not reached"), within 30 → 0 %.
# Unit C: done on day 5 and day 15: S = 1/2 then 0 → median 5, 100 % within 30/90/180.
HAND = [
    ("A", 20, True),
    ("A", 20, True),
    ("A", 20, False),
    ("A", 50, True),
    ("A", 70, False),
    ("A", 90, True),
    ("A", 90, False),
    ("B", 10, False),
    ("B", 40, False),
    ("C", 5, True),
    ("C", 15, True),
]


def test_kaplan_meier_against_a_table_worked_by_hand():
    out = ttd.figures(_timed(HAND), "agency").set_index("key")
    a = out.loc["A"]
    assert (a["n"], a["done"], a["censored"]) == (7, 4, 3)
    assert a["median_days"] == 90
    assert a["done_within_30"] == pytest.approx(100 * (1 - 5 / 7), abs=0.005)
    assert a["done_within_90"] == pytest.approx(100 * (1 - 15 / 56), abs=0.005)
    assert np.isnan(a["done_within_180"])
    b = out.loc["B"]
    assert (b["n"], b["done"], b["censored"]) == (2, 0, 2)
    assert np.isnan(b["median_days"])
    assert b["done_within_30"] == 0.0 and np.isnan(b["done_within_90"])
    c = out.loc["C"]
    assert c["median_days"] == 5
    assert [c[f"done_within_{d}"] for d in (30, 90, 180)] == [100.0, 100.0, 100.0]


def test_the_curve_of_the_hand_table():
    curve = ttd.curves(_timed(HAND), "agency")
    a = curve[curve["key"] == "A"]
    assert a["days"].tolist() == [0, 20, 50, 70, 90]
    assert a["at_risk"].tolist() == [7, 7, 4, 3, 2]
    assert a["done"].tolist() == [0, 2, 1, 0, 1]
    assert a["censored"].tolist() == [0, 1, 0, 1, 1]
    assert a["survival"].to_numpy() == pytest.approx([1, 5 / 7, 15 / 28, 15 / 28, 15 / 56])
    assert curve[curve["key"] == "B"]["survival"].tolist() == [1.0, 1.0, 1.0]


def _lifelines_cases() -> list[dict]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("counting", [True, False], ids=["counted", "sorted"])
@pytest.mark.parametrize("case", range(3))
def test_kaplan_meier_equals_lifelines(case, counting, monkeypatch):
    if not counting:  # the path for many groups × days: the rows sorted instead of counted
        monkeypatch.setattr(ttd, "_MAX_BINS", 0)
    expected = _lifelines_cases()[case]
    rows = [tuple(r) for r in expected["rows"]]
    frame = _timed(rows)
    figures = ttd.figures(frame, "agency").set_index("key")
    curves = ttd.curves(frame, "agency")
    for group, ref in expected["lifelines"].items():
        mine = curves[curves["key"] == group].drop_duplicates("days", keep="last")
        # lifelines' timeline holds day 0 and every day with a directive, like ours
        assert mine["days"].tolist() == [int(x) for x in ref["timeline"]], group
        assert mine["survival"].to_numpy() == pytest.approx(ref["survival"], abs=1e-12), group
        row = figures.loc[group]
        if ref["median"] is None:
            assert np.isnan(row["median_days"]), group
        else:
            assert row["median_days"] == ref["median"], group
        last = max(r[1] for r in rows if r[0] == group)
        for days, s in ref["survival_at"].items():
            got = row[f"done_within_{days}"]
            if int(days) > last and s > 0:
                assert np.isnan(got), (group, days)  # not followed that long: no figure
            else:
                assert got == pytest.approx(round(100 * (1 - s), 2), abs=1e-9), (group, days)


def test_no_done_directive_gives_no_median_shown_as_not_reached():
    frame = _timed([("X", 400, False), ("X", 10, False), ("Y", 3, True)])
    ranked = ttd.ranking(frame)
    assert ranked["key"].tolist() == ["Y", "X"]  # "not reached" ranks last
    assert np.isnan(ranked.loc[1, "median_days"])
    assert ttd.overall(frame.iloc[:2])["median_days"] is None
    assert t("ttd.not_reached", "th") == "ยังไม่ถึงครึ่ง"
    assert t("ttd.not_reached", "en") == "not reached"


def _register(rows: list[dict]) -> pd.DataFrame:
    base = {
        "fiscal_year": 2567,
        "round": 1,
        "agency": "สำนักงานเขตบางนา",
        "district_code": "1047",
        "group": "ก",
        "text": "ข้อสั่งการ",
        "source": "ทะเบียน.xlsx",
        "sheet": "ทะเบียน",
    }
    frame = pd.DataFrame([{**base, "row": i + 2, **r} for i, r in enumerate(rows)])
    for col in ("issued_date", "reported_at"):
        frame[col] = pd.to_datetime(frame.get(col))
    return conform(frame, "directives")


def _responses(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["directive_id", "submitted_at", "status"])
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"])
    return conform(frame, "responses")


def test_days_from_issue_to_the_first_response_that_shows_it_done():
    register = _register(
        [
            # done: first done response on 2024-01-11 (a later one does not move it)
            {"directive_id": "1", "issued_date": "2024-01-01", "status": "done"},
            # reopened: done once, in progress now → open, counted until today
            {"directive_id": "2", "issued_date": "2024-10-05", "status": "in_progress"},
            # one-sheet shape: no response, the register's report date
            {
                "directive_id": "3",
                "issued_date": "2024-02-01",
                "status": "done",
                "reported_at": "2024-03-02 16:30",
            },
            # no issue date: from its first response
            {"directive_id": "4", "issued_date": None, "status": "done"},
            # cannot be done: still not done, counted until today
            {"directive_id": "5", "issued_date": "2024-09-15", "status": "cannot"},
            # done before it was issued: 0 days and a warning
            {"directive_id": "6", "issued_date": "2024-05-10", "status": "done"},
            # done with no date anywhere: left out
            {"directive_id": "7", "issued_date": "2024-05-10", "status": "done"},
        ]
    )
    responses = _responses(
        [
            ("1", "2024-01-20 09:00", "done"),
            ("1", "2024-01-05 10:00", "in_progress"),
            ("1", "2024-01-11 23:59", "done"),
            ("2", "2024-10-06 08:00", "done"),
            ("2", "2024-10-08 08:00", "in_progress"),
            ("4", "2024-03-01 08:00", "in_progress"),
            ("4", "2024-03-31 08:00", "done"),
            ("6", "2024-05-01 08:00", "done"),
        ]
    )
    found = ttd.durations(register, responses, TODAY)
    days = found.frame[ttd.DAYS].tolist()
    assert days[:6] == [10.0, 10.0, 30.0, 30.0, 30.0, 0.0]
    assert np.isnan(days[6])
    assert found.frame[ttd.DONE].tolist() == [True, False, True, True, False, True, False]
    assert [i.code for i in found.issues] == ["done_before_issue"]
    warning = found.issues[0]
    assert (warning.severity, warning.value, warning.row, warning.file) == (
        "warning",
        "6",
        7,
        "ทะเบียน.xlsx",
    )
    assert "1 พ.ค. 2567" in warning.message_th and "10 พ.ค. 2567" in warning.message_th
    assert "before it was issued" in warning.message_en
    assert (found.frame[ttd.DAYS].dropna() >= 0).all()


def test_groupings_and_the_json_of_the_summary():
    register = _register(
        [
            {"directive_id": "a", "issued_date": "2024-01-01", "status": "done", "f_law": True},
            {"directive_id": "b", "issued_date": "2024-01-01", "status": "in_progress"},
            {
                "directive_id": "c",
                "issued_date": "2024-01-01",
                "status": "done",
                "agency": "สำนักการโยธา",
                "district_code": None,
                "round": 2,
                "f_law": True,
                "f_budget": True,
            },
        ]
    )
    responses = _responses([("a", "2024-01-31", "done"), ("c", "2024-03-01", "done")])
    frame = ttd.with_durations(register, responses, TODAY).frame
    assert ttd.figures(frame, "zone")[["key", "n"]].values.tolist() == [["กรุงเทพใต้", 2]]
    factor = ttd.figures(frame, "factor").set_index("key")
    assert factor["n"].to_dict() == {"budget": 1, "law": 2}
    assert ttd.figures(frame, "round")["key"].tolist() == ["2567/1", "2567/2"]
    with pytest.raises(ValueError):
        ttd.figures(frame, "colour")
    data = ttd.summary_json(register, responses, TODAY)
    assert data["censored_at"] == "2024-10-15"
    assert data["not_timed"] == 0
    assert data["by_agency"] == [  # fastest first
        {
            "agency": "สำนักงานเขตบางนา",
            "n": 2,
            "done": 1,
            "censored": 1,
            "median_days": 30,
            "done_within_30": 50.0,
            "done_within_90": 50.0,
            "done_within_180": 50.0,
        },
        {
            "agency": "สำนักการโยธา",
            "n": 1,
            "done": 1,
            "censored": 0,
            "median_days": 60,
            "done_within_30": 0.0,
            "done_within_90": 100.0,
            "done_within_180": 100.0,
        },
    ]
    assert data["overall"]["n"] == 3 and data["overall"]["median_days"] == 60


def test_an_empty_view_has_figures_of_nothing():
    frame = _timed([])
    assert ttd.figures(frame, "agency").empty
    assert ttd.curves(frame, "agency").empty
    assert ttd.overall(frame)["median_days"] is None
