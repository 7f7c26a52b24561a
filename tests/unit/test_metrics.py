"""Metrics on a small hand-made frame: filters, counts, aging, the JSON contract."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tracker.dataset import conform
from tracker.metrics import directives as metrics
from tracker.metrics.directives import Filters


@pytest.fixture
def df() -> pd.DataFrame:
    rows = [
        # id, fy, round, agency, district, group, status, factors, issued, due, reported
        (
            "1",
            2567,
            1,
            "สำนักงานเขตบางนา",
            "1047",
            "ก",
            "done",
            ("budget",),
            "2023-11-01",
            "2024-01-31",
            "2024-01-10",
        ),
        (
            "2",
            2567,
            1,
            "สำนักงานเขตบางนา",
            "1047",
            "ข",
            "in_progress",
            ("law",),
            "2023-11-01",
            "2024-01-31",
            None,
        ),
        (
            "3",
            2567,
            2,
            "สำนักงานเขตพระนคร",
            "1001",
            "ก",
            "not_reported",
            (),
            "2024-05-01",
            "2024-12-31",
            None,
        ),
        (
            "4",
            2566,
            1,
            "สำนักการโยธา",
            None,
            "ก",
            "cannot",
            ("budget", "law"),
            "2023-01-05",
            "2023-03-01",
            "2023-02-01",
        ),
        (
            "5",
            2566,
            2,
            "สำนักการโยธา",
            None,
            "ข",
            "not_reported",
            ("process",),
            "2023-06-01",
            "2023-07-01",
            None,
        ),
    ]
    frame = pd.DataFrame(
        [
            {
                "directive_id": r[0],
                "fiscal_year": r[1],
                "round": r[2],
                "agency": r[3],
                "district_code": r[4],
                "group": r[5],
                "status": r[6],
                **{
                    f"f_{k}": k in r[7]
                    for k in ("personnel", "budget", "process", "technology", "law")
                },
                "issued_date": pd.Timestamp(r[8]),
                "due_date": pd.Timestamp(r[9]),
                "reported_at": pd.Timestamp(r[10]) if r[10] else pd.NaT,
            }
            for r in rows
        ]
    )
    return conform(frame, "directives")


@pytest.mark.parametrize(
    ("filters", "ids"),
    [
        (Filters(), ["1", "2", "3", "4", "5"]),
        (Filters(fiscal_year=(2567,)), ["1", "2", "3"]),
        (Filters(round=(2,)), ["3", "5"]),
        (Filters(zone=("กรุงเทพใต้",)), ["1", "2"]),
        (Filters(district=("1001",)), ["3"]),
        (Filters(agency=("สำนักการโยธา",)), ["4", "5"]),
        # a city-level agency chosen by name stays in when a zone is chosen too
        (
            Filters(zone=("กรุงเทพใต้",), agency=("สำนักการโยธา", "สำนักงานเขตบางนา")),
            ["1", "2", "4", "5"],
        ),
        (Filters(zone=("กรุงเทพใต้",), agency=("สำนักงานเขตพระนคร",)), []),
        (Filters(group=("ข",)), ["2", "5"]),
        (Filters(factor=("law",)), ["2", "4"]),
        (Filters(factor=("budget", "process")), ["1", "4", "5"]),
        (Filters(status=("not_reported",)), ["3", "5"]),
        (Filters(fiscal_year=(2566,), status=("cannot",)), ["4"]),
    ],
)
def test_apply_filters(df, filters, ids):
    assert metrics.apply_filters(df, filters)["directive_id"].tolist() == ids


def test_by_agency_ranked_with_counts(df):
    out = metrics.by_agency(df)
    assert out["agency"].tolist() == ["สำนักงานเขตบางนา", "สำนักการโยธา", "สำนักงานเขตพระนคร"]
    first = out.iloc[0]
    assert (first["done"], first["in_progress"], first["total"], first["done_pct"]) == (
        1,
        1,
        2,
        50.0,
    )
    assert out["total"].sum() == 5


def test_factor_counts(df):
    out = metrics.by_factor(df).set_index("factor")
    assert out.loc["budget", "total"] == 2 and out.loc["budget", "done"] == 1
    assert out.loc["law", "cannot"] == 1 and out.loc["technology", "total"] == 0


def test_aging_and_overdue(df):
    ages = metrics.aging(df, date(2024, 10, 15))
    assert ages["days_open"].tolist() == [70, 349, 167, 27, 502]
    assert ages["overdue"].tolist() == [False, True, False, False, True]
    cards = metrics.overview_cards(df, date(2024, 10, 15))
    assert cards == {
        "total": 5,
        "done": 1,
        "in_progress": 1,
        "cannot": 1,
        "not_reported": 2,
        "done_pct": 20.0,
        "overdue": 2,
    }


def test_not_reported_units(df):
    out = metrics.not_reported_units(df)
    assert out.to_dict("records") == [
        {"agency": "สำนักการโยธา", "not_reported": 1, "total": 2, "none_reported": False},
        {"agency": "สำนักงานเขตพระนคร", "not_reported": 1, "total": 1, "none_reported": True},
    ]


def test_not_reported_of_the_ranked_counts_is_the_same_table():
    big = _many()
    expected = metrics.not_reported_units(big)
    assert len(expected) > 3
    pd.testing.assert_frame_equal(metrics.not_reported_of(metrics.by_agency(big)), expected)


def _many() -> pd.DataFrame:
    units = ["สำนักการโยธา", "สำนักงานเขตพระนคร", "สำนักงานเขตบางนา", "สำนักอนามัย", "สำนักการคลัง"]
    statuses = ["done", "not_reported", "in_progress", "not_reported", "cannot", "done", "done"]
    return pd.DataFrame(
        {
            "directive_id": [f"D{i}" for i in range(70)],
            "agency": [units[i % 5] for i in range(70)],
            "status": [statuses[(i * 3) % 7] if i % 5 != 4 else "not_reported" for i in range(70)],
        }
    )


def test_heatmap_totals(df):
    pivot = metrics.heatmap(df)
    assert int(pivot.to_numpy().sum()) == 5
    assert pivot.loc["สำนักการโยธา", "ข"] == 1


def test_summary_json_shape(df):
    out = metrics.summary_json(df)
    assert set(out) == {"total", "by_status", "by_agency", "by_factor", "by_group", "by_district"}
    assert out["by_status"] == {"done": 1, "in_progress": 1, "cannot": 1, "not_reported": 2}
    assert set(out["by_agency"][0]) == {
        "agency",
        "done",
        "in_progress",
        "cannot",
        "not_reported",
        "total",
        "done_pct",
    }
    assert [r["factor"] for r in out["by_factor"]] == [
        "personnel",
        "budget",
        "process",
        "technology",
        "law",
    ]
    assert {r["district"] for r in out["by_district"]} == {"1047", "1001"}
    # the README's contract: code, names and zone in both languages, then the counts
    bang_na = next(r for r in out["by_district"] if r["district"] == "1047")
    assert list(bang_na)[:6] == [
        "district",
        "district_code",
        "name_th",
        "name_en",
        "zone_th",
        "zone_en",
    ]
    assert (bang_na["district_code"], bang_na["name_th"], bang_na["name_en"]) == (
        "1047",
        "บางนา",
        "Bang Na",
    )
    assert (bang_na["zone_th"], bang_na["zone_en"]) == ("กรุงเทพใต้", "South Bangkok")
    assert set(bang_na) >= {"done", "in_progress", "cannot", "not_reported", "total", "done_pct"}


def test_conform_fills_missing_columns_of_every_dtype():
    out = conform(pd.DataFrame({"unit": ["ก"]}), "kpis")
    assert out["target"].dtype == "float64" and out["target"].isna().all()
    assert str(out["fiscal_year"].dtype) == "Int64"
    d = conform(pd.DataFrame({"directive_id": ["1"]}), "directives")
    assert d["due_date"].isna().all() and not d["f_law"].any()
