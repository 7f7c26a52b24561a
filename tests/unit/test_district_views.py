"""Per-district figures, the name join, zone ranks, map selection, and the map figure itself."""

from __future__ import annotations

import itertools
import json
from datetime import date

import pandas as pd
import pytest

from messages.i18n import t
from tracker.dataset import conform
from tracker.places import district_codes, district_of, districts
from tracker.present import charts_map
from tracker.present import district_views as dv

TODAY = date(2024, 10, 15)


def directives(rows: list[dict]) -> pd.DataFrame:
    """A canonical directives frame; defaults fill what a test does not care about."""
    base = {
        "fiscal_year": 2567,
        "round": 1,
        "issued_date": pd.Timestamp("2024-01-10"),
        "group": "การบริหารจัดการและการวางแผน",
        "status": "done",
        "district_code": None,
    }
    out = [{"directive_id": f"D{i:03d}", **base, **r} for i, r in enumerate(rows)]
    return conform(pd.DataFrame(out), "directives")


# Every way a district office is written in the sheets, and the code it must join to.
NAME_FORMS = [
    ("สำนักงานเขตบางนา", "1047"),
    ("สำนักงานเขต บางนา", "1047"),
    ("สำนักงานเขตบางนา กรุงเทพมหานคร", "1047"),
    ("เขตบางนา", "1047"),
    ("เขต บางนา", "1047"),
    ("สนข.บางนา", "1047"),
    ("บางนา", "1047"),
    (" บางนา ", "1047"),
    ("Bang Na", "1047"),
    ("bang na district", "1047"),
    ("Bang Na District Office", "1047"),
    ("BANGNA", "1047"),
    ("1047", "1047"),
    ("๑๐๔๗", "1047"),
    (1047, "1047"),
    (1047.0, "1047"),
    ("สำนักงานเขตป้อมปราบศัตรูพ่าย", "1008"),
    ("ป้อมปราบ", "1008"),  # short form
    ("ป้อมปราบศัตรูพ่า", None),  # the source's truncated spelling is not a district name
    ("ราษฏร์บูรณะ", "1024"),  # ฏ for ฎ, a common misspelling
    ("เขตราษฎร์บูรณะ", "1024"),
    ("Sathorn", "1028"),  # older romanisation
    ("Klongtoey", "1033"),
    ("Khlong Toei", "1033"),
    ("Huaykwang", "1017"),
    ("Wattana", "1039"),
    ("Watthana", "1039"),
    ("Don Muang", "1036"),
    ("Thonburi", "1015"),
    ("Pom Prap Sattru Phai", "1008"),
    ("สำนักการโยธา", None),  # a city-level agency, not a district
    ("สำนักงานยุทธศาสตร์และประเมินผล", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("name", "code"), NAME_FORMS)
def test_district_of_every_name_form(name, code):
    assert district_of(name) == code


def test_district_codes_vectorised_matches_scalar():
    names = pd.Series([n for n, _ in NAME_FORMS], dtype=object)
    got = district_codes(names)
    assert [None if pd.isna(c) else c for c in got] == [c for _, c in NAME_FORMS]


@pytest.mark.parametrize(("name", "code"), [nc for nc in NAME_FORMS if nc[1] is not None])
@pytest.mark.parametrize("column", ["agency", "district_code"])
def test_frame_joins_every_name_form(name, code, column):
    """One directive whose agency (or district column) is written as ``name`` counts for
    ``code`` and for no other district."""
    row = {"agency": "สำนักการโยธา", column: name}
    frame = dv.district_frame(directives([row]), TODAY)
    counted = frame.loc[frame["total"] > 0, "code"].tolist()
    assert counted == [code]


def test_frame_has_all_50_with_zero_not_gap():
    df = directives(
        [
            {"agency": "สำนักงานเขตบางนา", "status": "done"},
            {"agency": "สำนักงานเขตบางนา", "status": "in_progress"},
            {"agency": "สำนักงานเขตบางนา", "status": "not_reported"},
            {"agency": "สำนักงานเขตบางนา", "status": "cannot"},
            {"agency": "เขตพระนคร", "status": "not_reported"},
            {"agency": "สำนักการโยธา", "status": "done"},
        ]
    )
    frame = dv.district_frame(df, TODAY)
    assert len(frame) == 50
    assert frame["code"].tolist() == districts()["code"].tolist()
    counts = ["done", "in_progress", "cannot", "not_reported", "total", "open", "overdue"]
    assert frame[counts].notna().all().all()
    bang_na = frame.set_index("code").loc["1047"]
    assert (bang_na["total"], bang_na["open"], bang_na["done_pct"]) == (4, 2, 25.0)
    phra_nakhon = frame.set_index("code").loc["1001"]
    assert (phra_nakhon["total"], phra_nakhon["not_reported"], phra_nakhon["done_pct"]) == (
        1,
        1,
        0.0,
    )
    empty = frame.set_index("code").loc["1012"]
    assert empty[counts].tolist() == [0] * len(counts)
    assert pd.isna(empty["done_pct"])  # no directives: no % done (not 0 %)
    assert frame["total"].sum() == 5  # the city-level directive is not on the map
    assert frame["kpi_pct"].isna().all() and frame["disbursement_pct"].isna().all()


def test_frame_of_no_directives_has_zero_counts_and_no_percent():
    frame = dv.district_frame(directives([]), TODAY)
    assert len(frame) == 50 and frame["total"].sum() == 0 and frame["done_pct"].isna().all()
    table = dv.district_table(frame, "done_pct", "th")
    assert set(table[t("districts.measure.done_pct", "th")]) == {"—"}


@pytest.mark.parametrize(
    ("status", "due", "overdue"),
    [
        ("in_progress", "2024-09-30", 1),  # past due, still open
        ("not_reported", "2024-09-30", 1),
        ("in_progress", "2024-12-31", 0),  # not due yet
        ("done", "2024-01-31", 0),  # closed in time or not: no longer overdue
        ("cannot", "2024-01-31", 0),
        ("in_progress", None, 0),  # no due date
    ],
)
def test_overdue_per_district(status, due, overdue):
    row = {
        "agency": "สำนักงานเขตบางนา",
        "status": status,
        "due_date": pd.Timestamp(due) if due else pd.NaT,
    }
    frame = dv.district_frame(directives([row]), TODAY).set_index("code")
    assert frame.loc["1047", "overdue"] == overdue


def _kpis(rows: list[dict]) -> pd.DataFrame:
    base = {"fiscal_year": 2567, "component": "1.1", "measure": "level", "target": 5.0}
    out = [{"kpi_code": f"K{i}", "kpi": f"KPI {i}", **base, **r} for i, r in enumerate(rows)]
    return conform(pd.DataFrame(out), "kpis")


def _budget(rows: list[dict]) -> pd.DataFrame:
    base = {"fiscal_year": 2567, "budget_type": "operating", "rate_pct": float("nan")}
    return conform(pd.DataFrame([{**base, **r} for r in rows]), "budget")


def test_kpi_and_disbursement_for_district_offices_only():
    kpis = _kpis(
        [
            {"unit": "สำนักงานเขตบางนา", "period": "Q2", "actual": 4.0, "achievement_pct": 80.0},
            {"unit": "สำนักงานเขตบางนา", "period": "Q2", "actual": 3.0, "achievement_pct": 60.0},
            {"unit": "สำนักงานเขตบางนา", "period": "Q1", "actual": 1.0, "achievement_pct": 20.0},
            {"unit": "สำนักการระบายน้ำ", "period": "Q2", "actual": 5.0, "achievement_pct": 100.0},
        ]
    )
    budget = _budget(
        [
            {
                "unit": "สำนักงานเขตดอนเมือง",
                "as_of": pd.Timestamp("2024-03-31"),
                "allocated": 1000.0,
                "disbursed": 250.0,
            },
            {
                "unit": "สำนักงานเขตดอนเมือง",
                "as_of": pd.Timestamp("2023-12-31"),
                "allocated": 1000.0,
                "disbursed": 100.0,
            },
            {
                "unit": "สำนักการโยธา",
                "as_of": pd.Timestamp("2024-03-31"),
                "allocated": 1000.0,
                "disbursed": 900.0,
            },
        ]
    )
    frame = dv.district_frame(directives([]), TODAY, kpis, budget).set_index("code")
    assert frame.loc["1047", "kpi_pct"] == 70.0  # mean of the latest period (Q2) only
    assert frame.loc["1036", "disbursement_pct"] == 25.0  # latest as-of date
    assert frame["kpi_pct"].notna().sum() == 1
    assert frame["disbursement_pct"].notna().sum() == 1
    assert frame.loc["1047", "total"] == 0  # no directives is still 0


def test_unmatched_agencies_are_counted_not_dropped():
    df = directives(
        [
            {"agency": "สำนักการโยธา"},
            {"agency": "สำนักการโยธา"},
            {"agency": "สำนักงานเขตบางมด"},  # not a Bangkok district: stays visible in the count
            {"agency": "สำนักงานเขตบางนา"},
        ]
    )
    out = dv.unmatched_agencies(df)
    assert list(zip(out["agency"], out["directives"], strict=True)) == [
        ("สำนักการโยธา", 2),
        ("สำนักงานเขตบางมด", 1),
    ]


def _frame_with(values: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """code → (done, not_reported) directives."""
    rows = []
    for code, (done, nr) in values.items():
        rows += [{"agency": code, "status": "done"}] * done
        rows += [{"agency": code, "status": "not_reported"}] * nr
    return dv.district_frame(directives(rows), TODAY)


@pytest.mark.parametrize(
    ("measure", "code", "expected"),
    [
        ("done_pct", "1047", (1, 3)),  # 100 %
        ("done_pct", "1033", (2, 3)),  # 50 %, tied with 1039: both 2nd
        ("done_pct", "1039", (2, 3)),
        ("done_pct", "1012", (None, 3)),  # no directives: no rank
        ("not_reported", "1047", (1, 3)),  # fewest not reported is best
        ("not_reported", "1033", (2, 3)),
        ("open", "1039", (3, 3)),
        ("kpi_pct", "1047", (None, 0)),  # nobody reported a KPI
        ("done_pct", "9999", (None, 0)),
    ],
)
def test_zone_rank(measure, code, expected):
    frame = _frame_with({"1047": (2, 0), "1033": (1, 1), "1039": (2, 2), "1001": (0, 5)})
    assert dv.zone_rank(frame, code, measure) == expected


def test_zone_ranking_lists_the_whole_zone_best_first():
    frame = _frame_with({"1047": (2, 0), "1033": (1, 1)})
    ranking = dv.zone_ranking(frame, "กรุงเทพใต้", "done_pct")
    assert len(ranking) == 9 and set(ranking["zone_th"]) == {"กรุงเทพใต้"}
    assert ranking["code"].tolist()[:2] == ["1047", "1033"]
    assert ranking["ranked"].tolist() == [True, True] + [False] * 7


def test_district_card():
    responses = conform(
        pd.DataFrame(
            [
                {
                    "submitted_at": pd.Timestamp("2024-02-03 10:00"),
                    "directive_id": "D000",
                    "status": "in_progress",
                },
                {
                    "submitted_at": pd.Timestamp("2024-02-20 10:00"),
                    "directive_id": "D000",
                    "status": "done",
                },
                {
                    "submitted_at": pd.Timestamp("2024-04-01 09:00"),
                    "directive_id": "D001",
                    "status": "in_progress",
                },
                {
                    "submitted_at": pd.Timestamp("2024-04-01 09:00"),
                    "directive_id": "D002",
                    "status": "done",
                },
            ]
        ),
        "responses",
    )
    df = directives(
        [
            {"agency": "สำนักงานเขตบางนา", "status": "done", "group": "A", "f_budget": True},
            {
                "agency": "สำนักงานเขตบางนา",
                "status": "in_progress",
                "group": "B",
                "due_date": pd.Timestamp("2024-05-01"),
            },
            {"agency": "สำนักการโยธา", "status": "done"},
        ]
    )
    frame = dv.district_frame(df, TODAY)
    card = dv.district_card(df, responses, frame, "1047", TODAY)
    assert card.totals == {
        "done": 1,
        "in_progress": 1,
        "cannot": 0,
        "not_reported": 0,
        "total": 2,
        "open": 1,
        "overdue": 1,
    }
    assert card.done_pct == 50.0 and (card.rank, card.ranked) == (1, 1)
    assert card.by_status.iloc[0]["district"] == "บางนา"
    assert dict(zip(card.by_group["group"], card.by_group["total"], strict=True)) == {
        "A": 1,
        "B": 1,
    }
    assert card.by_factor.set_index("factor").loc["budget", "total"] == 1
    assert card.overdue["directive_id"].tolist() == ["D001"]
    assert card.overdue["days_overdue"].tolist() == [167]
    assert card.responses["directive_id"].tolist() == ["D001", "D000", "D000"]  # newest first
    months = card.months.set_index("month")
    assert months.loc[pd.Timestamp("2024-02-01"), ["in_progress", "done", "total"]].tolist() == [
        1,
        1,
        2,
    ]
    assert months["total"].sum() == 3


def test_district_card_without_directives_is_zero():
    frame = dv.district_frame(directives([]), TODAY)
    empty_responses = conform(pd.DataFrame(columns=["directive_id"]), "responses")
    card = dv.district_card(directives([]), empty_responses, frame, "1012", TODAY, lang="en")
    assert card.totals["total"] == 0 and card.done_pct is None and card.rank is None
    assert card.by_status.iloc[0]["district"] == "Yan Nawa"
    assert card.overdue.empty and card.months.empty


@pytest.mark.parametrize(
    ("state", "code"),
    [
        ({"selection": {"points": [{"location": "1047", "z": 3}], "point_indices": [46]}}, "1047"),
        ({"points": [{"location": "1033"}]}, "1033"),  # the selection itself
        ({"selection": {"points": [{"customdata": ["1001", "พระนคร"]}]}}, "1001"),
        ({"selection": {"points": [{"lon": 100.5, "lat": 13.7}, {"location": "1039"}]}}, "1039"),
        ({"selection": {"points": []}}, None),  # cleared selection
        ({"selection": {"points": [{"location": "XXXX"}]}}, None),
        (None, None),
        ("1047", None),
    ],
)
def test_district_from_selection(state, code):
    assert dv.district_from_selection(state) == code


# --- the map figure -------------------------------------------------------------------------


def _trace(fig, meta):
    return next(t for t in fig.data if t.meta == meta)


def test_map_has_every_district_with_its_value():
    frame = _frame_with({"1047": (1, 3), "1001": (2, 0)})
    fig = charts_map.district_map(frame, "not_reported", "th")
    value = _trace(fig, "value")
    assert value.featureidkey == "properties.code"
    got = dict(zip(value.locations, value.z, strict=True))
    assert len(got) == 50 and got["1047"] == 3 and got["1001"] == 0 and got["1012"] == 0
    assert not [t for t in fig.data if t.meta == "no_data"]
    assert value.customdata[list(value.locations).index("1047")][1] == "บางนา"
    assert fig.layout.geo.visible is False  # no base map, no web tiles
    assert "ยังไม่รายงานผล" in fig.layout.title.text
    assert value.colorbar.title.text.startswith("ยังไม่รายงานผล")


def test_map_greys_districts_without_a_value():
    frame = _frame_with({"1047": (1, 0)})
    frame.loc[frame["code"] == "1047", "kpi_pct"] = 80.0
    fig = charts_map.district_map(frame, "kpi_pct", "en", selected="1047")
    assert list(_trace(fig, "value").locations) == ["1047"]
    grey = _trace(fig, "no_data")
    assert len(grey.locations) == 49 and "1047" not in grey.locations
    assert len(grey.geojson["features"]) == 49  # only their shapes, not a second full copy
    assert _trace(fig, "value").customdata[0][1] == "Bang Na"
    assert len(_trace(fig, "selected").lon) > 4


def test_map_focus_zooms_to_the_zone_and_fades_the_rest():
    frame = _frame_with({})
    d = districts()
    south = d.loc[d["zone_th"] == "กรุงเทพใต้", "code"].tolist()
    fig = charts_map.district_map(frame, "open", "th", focus=south)
    value = _trace(fig, "value")
    opacity = dict(zip(value.locations, value.marker.opacity, strict=True))
    assert {c for c, o in opacity.items() if o == 1.0} == set(south)
    lon0, lon1 = fig.layout.geo.lonaxis.range
    whole = charts_map.district_map(frame, "open", "th").layout.geo.lonaxis.range
    assert whole[0] < lon0 < lon1 < whole[1]


def test_map_works_offline():
    """plotly.js geo would fetch a world topojson from the CDN; the config hands it an inline
    empty one instead."""
    url = charts_map.PLOTLY_CONFIG["topojsonURL"]
    assert url.startswith("data:application/json,") and url.endswith("/")
    topology = json.loads(url.split(",", 1)[1].split("#", 1)[0])
    assert topology["type"] == "Topology"


def test_geojson_is_plotly_geo_ready():
    gj = charts_map.geojson()
    codes = sorted(f["properties"]["code"] for f in gj["features"])
    assert codes == sorted(districts()["code"])
    for f in gj["features"]:
        ring = f["geometry"]["coordinates"][0]
        signed = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))
        assert signed < 0, f["properties"]["code"]  # clockwise, or plotly fills the globe


def _edges(lines):
    return {frozenset(p) for line in lines for p in itertools.pairwise(line)}


def test_zone_borders_follow_the_zone_table():
    rings = charts_map._feature_rings()
    border = _edges(charts_map.zone_borders())
    # ห้วยขวาง (1017) and ดินแดง (1026) are both in กรุงเทพกลาง: their shared edge is not a
    # zone border; ห้วยขวาง and บางกะปิ (1006, กรุงเทพตะวันออก) share a zone border.
    inner = _edges(rings["1017"]) & _edges(rings["1026"])
    across = _edges(rings["1017"]) & _edges(rings["1006"])
    assert inner and across
    assert not inner & border
    assert across <= border
    # With one zone for everything, only Bangkok's outline is left.
    one_zone = tuple((c, "all") for c in rings)
    outline = _edges(charts_map._zone_borders(one_zone))
    assert outline < border and not across & outline


def test_display_tables():
    frame = _frame_with({"1047": (1, 1), "1033": (2, 0), "1001": (0, 1)})
    table = dv.district_table(frame, "done_pct", "th")
    assert len(table) == 50
    # zones in the BMA's order; พระนคร is the only ranked district of กรุงเทพกลาง
    assert table.iloc[0][["เขต", "กลุ่มเขต"]].tolist() == ["พระนคร", "กรุงเทพกลาง"]
    south = table[table["กลุ่มเขต"] == "กรุงเทพใต้"]
    assert south["เขต"].tolist()[:2] == ["คลองเตย", "บางนา"]  # 100 % before 50 %
    assert south["อันดับ"].tolist()[:2] == [1, 2]
    assert list(table.columns)[-len(dv.MEASURES) :] == [
        dv.t(f"districts.measure.{m}", "th") for m in dv.MEASURES
    ]

    overdue = pd.DataFrame(
        {
            "directive_id": ["D1"],
            "agency": ["สำนักงานเขตบางนา"],
            "text": ["x"],
            "status": ["in_progress"],
            "due_date": [pd.Timestamp("2024-05-01")],
            "days_overdue": [167],
        }
    )
    row = dv.overdue_table(overdue, "th").iloc[0].tolist()
    assert row == ["D1", "สำนักงานเขตบางนา", "อยู่ระหว่างการดำเนินการ", "1 พ.ค. 2567", 167, "x"]

    history = conform(
        pd.DataFrame(
            [
                {
                    "submitted_at": pd.Timestamp("2024-02-03 10:05"),
                    "directive_id": "D1",
                    "status": "done",
                }
            ]
        ),
        "responses",
    )
    shown = dv.history_table(history, "en").iloc[0]
    assert shown["Status"] == "Done" and shown["Obstacle"] == "" and "2024" in shown["Submitted"]


def test_median_days_to_done_by_district_on_the_map_and_in_the_table():
    """Bang Na: done after 10 and 30 days, one open → median 30; Phra Nakhon: one of two done
    → the open one decides whether half is done; a district without directives has none."""
    df = directives(
        [
            {
                "agency": "สำนักงานเขตบางนา",
                "status": "done",
                "reported_at": pd.Timestamp("2024-01-20"),
            },
            {
                "agency": "สำนักงานเขตบางนา",
                "status": "done",
                "reported_at": pd.Timestamp("2024-02-09"),
            },
            {"agency": "สำนักงานเขตบางนา", "status": "in_progress"},
            {"agency": "เขตพระนคร", "status": "not_reported"},
        ]
    )
    frame = dv.district_frame(df, TODAY, responses=conform(pd.DataFrame(), "responses"))
    by_code = frame.set_index("code")["median_days"]
    assert by_code["1047"] == 30.0
    assert pd.isna(by_code["1001"])  # nothing done: not reached
    assert pd.isna(by_code["1012"])  # no directives
    table = dv.district_table(frame, "median_days", "th")
    shown = dict(
        zip(
            table[t("districts.col.district", "th")],
            table[t("districts.measure.median_days", "th")],
            strict=True,
        )
    )
    assert shown["บางนา"] == "30" and shown["พระนคร"] == "—"
    fig = charts_map.district_map(frame, "median_days", "th")
    value = next(tr for tr in fig.data if tr.meta == "value")
    assert dict(zip(value.locations, value.z, strict=True)) == {"1047": 30.0}
    assert not dv.HIGHER_IS_BETTER["median_days"]
