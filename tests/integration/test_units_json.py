"""`summary --json` gains `units` (issue 18): each unit's card figures and discipline score,
equal to the same figures computed for the whole register."""

from __future__ import annotations

from pathlib import Path

from tracker.cli import summary_dict
from tracker.metrics import directives as metrics
from tracker.read.loader import load_paths

ROOT = Path(__file__).resolve().parents[2]


def test_units_in_summary_json_match_the_register(monkeypatch):
    monkeypatch.setenv("TRACKER_TODAY", "2024-09-30")
    ds = load_paths([ROOT / "sample_data" / "bma_followup_sample.xlsx"], sandbox=False).dataset
    out = summary_dict(ds)
    units = out["units"]
    assert [u["unit"] for u in units] == sorted(u["unit"] for u in units)
    by_agency = metrics.by_agency(ds.directives).set_index("agency")
    assert sum(u["total"] for u in units) == out["directives"]["total"]
    for u in units:
        row = by_agency.loc[u["unit"]]
        assert (u["done"], u["not_reported"], u["total"]) == (
            int(row["done"]),
            int(row["not_reported"]),
            int(row["total"]),
        )
        assert set(u["discipline"]) == {"score", "reported_pct", "on_time", "forms_pct"}
        score = u["discipline"]["score"]
        assert score is None or 0 <= score <= 100
    assert any(u["discipline"]["score"] is not None for u in units)


def test_units_json_equals_each_units_card():
    """The all-units pass gives each unit exactly what its card (Units page) computes."""
    from datetime import date

    from tracker.metrics import time_to_done as ttd
    from tracker.metrics import unit_card as uc

    ds = load_paths([ROOT / "sample_data" / "bma_followup_sample.xlsx"], sandbox=False).dataset
    today = date(2024, 9, 30)
    fast = uc.units_json(ds.directives, ds.responses, ds.kpis, ds.budget, today)
    timed = ttd.with_durations(ds.directives, ds.responses, today).frame
    for row in fast:
        unit = row["unit"]
        figures = uc.directive_figures(timed, unit, today)
        speed = figures.pop("time_to_done")
        d = uc.discipline(ds.directives, ds.responses, ds.kpis, ds.budget, unit)
        assert {k: row[k] for k in figures} == figures, unit
        assert row["median_days_to_done"] == speed["median_days"], unit
        assert row["discipline"] == {
            "score": d.score,
            "reported_pct": d.reported_pct,
            "on_time": d.on_time,
            "forms_pct": d.forms_pct,
        }, unit
