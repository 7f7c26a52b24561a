"""AppTest: the Districts page's map holds all 50 districts with the right numbers; a district
in the URL (what a map click sets) opens its card; the zone is the inspector's default view."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from messages.i18n import t
from tests.app.conftest import metric_values, plotly_specs
from tracker.metrics.directives import aging
from tracker.places import district_codes, district_name, districts
from tracker.present.district_views import HIGHER_IS_BETTER
from tracker.read.loader import load_paths

PAGE = "app_pages/districts.py"
TODAY = pd.Timestamp("2024-10-15")
SOUTH = "กรุงเทพใต้"


@pytest.fixture(scope="module")
def loaded(sample_dir: Path):
    """The same generated workbook the app reads, loaded here to compute expectations."""
    return load_paths(sorted(sample_dir.glob("*.xlsx")), sandbox=False).dataset


@pytest.fixture(scope="module")
def expected(loaded) -> pd.DataFrame:
    """Per-district counts computed independently of tracker.present.district_views."""
    d = loaded.directives.copy()
    d["code"] = district_codes(d["agency"]).to_numpy()
    d = d[d["code"].notna()]
    d["overdue"] = aging(d, TODAY.date())["overdue"].to_numpy()
    status = pd.crosstab(d["code"], d["status"].astype(str))
    out = pd.DataFrame(index=districts()["code"])
    for s in ("done", "in_progress", "cannot", "not_reported"):
        out[s] = status.get(s, 0)
    out = out.fillna(0).astype(int)
    out["total"] = out.sum(axis=1)
    out["open"] = out["in_progress"] + out["not_reported"]
    out["overdue"] = d.groupby("code")["overdue"].sum().reindex(out.index, fill_value=0)
    out["done_pct"] = (100 * out["done"] / out["total"].where(out["total"] > 0)).fillna(0).round(2)
    return out


def _trace(spec: dict, meta: str) -> dict | None:
    return next((tr for tr in spec["data"] if tr.get("meta") == meta), None)


def _map(at) -> dict:
    spec = plotly_specs(at)[0]
    assert _trace(spec, "zones") is not None
    return spec


def _card(at, key: str) -> str:
    return metric_values(at)[t(key, "th")]


def _drawn(spec: dict) -> dict[str, object]:
    """Every district on the map: its value, or None where it has no data (grey)."""
    value = _trace(spec, "value")
    out: dict[str, object] = dict(zip(value["locations"], value["z"], strict=True))
    grey = _trace(spec, "no_data")
    if grey is not None:
        out.update(dict.fromkeys(grey["locations"]))
    return out


@pytest.mark.parametrize("measure", ["done_pct", "open", "overdue"])
def test_every_district_on_the_map_with_its_value(app, expected, measure):
    at = app(PAGE, measure=measure)
    got = _drawn(_map(at))
    assert sorted(got) == sorted(districts()["code"])  # all 50, none missing
    assert t(f"districts.measure.{measure}", "th") in _map(at)["layout"]["title"]["text"]
    empty = [c for c in expected.index if expected.loc[c, "total"] == 0]
    assert len(empty) >= 20  # the sample covers 24 of the 50 districts
    if measure == "done_pct":
        # no directives: no % done, drawn grey with its own legend entry (never 0 %)
        assert all(got[c] is None for c in empty)
        assert _trace(_map(at), "no_data")["name"] == t("districts.legend.no_data", "th")
    else:
        assert _trace(_map(at), "no_data") is None  # a count of 0 is a value
        assert all(got[c] == 0 for c in empty)
    want = expected[measure].where(expected["total"] > 0) if measure == "done_pct" else None
    want = (expected[measure] if want is None else want).to_dict()
    assert {c: round(float(v), 2) for c, v in got.items() if v is not None} == {
        c: round(float(v), 2) for c, v in want.items() if not pd.isna(v)
    }


def test_district_without_directives_shows_zero(app, expected):
    empty = [c for c in expected.index if expected.loc[c, "total"] == 0]
    at = app(PAGE, district=empty[0])
    assert _card(at, "districts.card.total") == "0"
    assert _card(at, "districts.card.open") == "0"
    assert _card(at, "districts.card.done_pct") == "—"  # no directives: no % done
    assert any(t("districts.no_directives", "th") == i.value for i in at.info)


def test_district_in_url_opens_its_card(app, expected):
    code = expected["total"].idxmax()
    at = app(PAGE, district=code)
    row = expected.loc[code]
    name = district_name(code, "th")
    assert any(h.value == t("districts.card_title", "th", name=name) for h in at.subheader)
    assert _card(at, "districts.card.total") == str(int(row["total"]))
    assert _card(at, "districts.card.open") == str(int(row["open"]))
    assert _card(at, "districts.card.not_reported") == str(int(row["not_reported"]))
    assert _card(at, "districts.card.overdue") == str(int(row["overdue"]))
    assert _card(at, "districts.card.done_pct") == f"{row['done_pct']:.1f}%"
    # rank within its zone by % done, among the zone's districts that have directives
    zone = districts().set_index("code").loc[code, "zone_th"]
    d = districts()
    peers = expected.loc[d.loc[d["zone_th"] == zone, "code"]]
    peers = peers[peers["total"] > 0]
    rank = int((peers["done_pct"] > row["done_pct"]).sum()) + 1
    assert _card(at, "districts.card.rank") == f"{rank} / {len(peers)}"
    spec = _map(at)
    assert _trace(spec, "selected") is not None  # outlined on the map
    titles = [s["layout"]["title"]["text"] for s in plotly_specs(at)]
    assert t("districts.chart.status", "th") in titles
    assert t("districts.chart.by_group", "th") in titles
    status = next(
        s
        for s in plotly_specs(at)
        if s["layout"]["title"]["text"] == t("districts.chart.status", "th")
    )
    assert sum(status["data"][0]["x"]) == row["total"]
    assert at.query_params["district"] in (code, [code])


def test_picking_a_district_in_the_sidebar_opens_its_card(app, expected, loaded):
    at = app(PAGE)
    assert not any(h.value.startswith("เขต") for h in at.subheader)
    # directives of agencies with no district are counted in a caption, not dropped silently
    n = int(district_codes(loaded.directives["agency"]).isna().sum())
    assert n > 0
    assert any(c.value == t("districts.city_level", "th", n=f"{n:,}") for c in at.caption)
    assert any("CC BY-IGO" in c.value for c in at.caption)  # the map's source and licence
    code = "1033"
    at.multiselect(key="filter_district").set_value([code]).run()
    assert not at.exception
    assert at.query_params["district"] in (code, [code])
    assert _card(at, "districts.card.total") == str(int(expected.loc[code, "total"]))


def test_zone_is_the_default_view(app, expected, loaded):
    at = app(PAGE, zone=SOUTH)
    d = districts()
    south = d.loc[d["zone_th"] == SOUTH, "code"].tolist()
    spec = _map(at)
    value = _trace(spec, "value")
    assert len(_drawn(spec)) == 50  # the map still compares every district
    opacity = dict(zip(value["locations"], value["marker"]["opacity"], strict=True))
    grey = _trace(spec, "no_data")
    opacity.update(zip(grey["locations"], grey["marker"]["opacity"], strict=True))
    assert {c for c, o in opacity.items() if o == 1} == set(south)
    assert SOUTH in spec["layout"]["title"]["text"]
    assert spec["layout"]["geo"]["fitbounds"] is False and spec["layout"]["geo"]["lonaxis"]["range"]
    # the district filter cascades from the zone; the table lists the zone's districts
    assert sorted(at.multiselect(key="filter_district").options) == sorted(
        district_name(c, "th") for c in south
    )
    table = at.dataframe[-1].value
    assert len(table) == len(south)
    ranked = expected.loc[south]
    assert set(table[t("districts.col.directives", "th")]) == set(ranked["total"])
    # agencies cascade too: the zone's district offices, then the city-level agencies
    options = at.multiselect(key="filter_agency").options
    prefix = t("filter.city_level", "th") + " · "
    offices = [o for o in options if not o.startswith(prefix)]
    city = [o[len(prefix) :] for o in options if o.startswith(prefix)]
    assert offices and all(c in south for c in district_codes(pd.Series(offices)))
    agencies = pd.Series(loaded.directives["agency"].astype(object).dropna().unique())
    assert sorted(city) == sorted(agencies[district_codes(agencies).isna()])
    assert "สำนักการโยธา" in city
    assert options.index(offices[-1]) < options.index(prefix + city[0])  # offices first


def test_kpi_measure_greys_districts_without_a_report(app, loaded):
    at = app(PAGE, measure="kpi_pct")
    spec = _map(at)
    value, grey = _trace(spec, "value"), _trace(spec, "no_data")
    units = pd.Series(loaded.kpis["unit"].astype(object).dropna().unique())
    with_kpi = set(district_codes(units).dropna())
    assert set(value["locations"]) == with_kpi and with_kpi
    assert len(value["locations"]) + len(grey["locations"]) == 50
    assert HIGHER_IS_BETTER["kpi_pct"] and value["colorscale"]


def test_english(app):
    at = app(PAGE, lang="en", district="1047")
    spec = _map(at)
    assert spec["layout"]["title"]["text"] == "% done by district"
    rows = [*_trace(spec, "value")["customdata"], *_trace(spec, "no_data")["customdata"]]
    names = {row[0]: row[1] for row in rows}
    assert names["1047"] == "Bang Na" and names["1039"] == "Watthana"
    assert any(h.value == "Bang Na district" for h in at.subheader)
