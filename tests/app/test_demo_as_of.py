"""The bundled sample shows the office as it stood on the sample's own "as of" date (issue 16
item 9), and says so; once real data is published the real date counts again."""

from __future__ import annotations

from datetime import date

import pandas as pd

from messages.i18n import t
from tracker.dataset import Dataset
from tracker.thai import format_date
from ui.data import latest_day


def test_the_latest_recorded_day_of_a_dataset():
    ds = Dataset()
    assert latest_day(ds) is None
    ds.directives = pd.DataFrame(
        {"issued_date": pd.to_datetime(["2024-03-01"]), "reported_at": [pd.NaT]}
    )
    ds.budget = pd.DataFrame({"as_of": pd.to_datetime(["2024-09-30"])})
    assert latest_day(ds) == date(2024, 9, 30)


def test_the_sample_is_counted_to_its_own_day_and_says_so(app, monkeypatch):
    monkeypatch.delenv("TRACKER_TODAY")
    at = app()
    infos = [i.value for i in at.sidebar.info]
    said = [i for i in infos if i.startswith(t("data.demo_as_of", "th").split("{")[0])]
    assert len(said) == 1, infos
    # the day said is a day of the sample, not today
    assert format_date(date.today(), "th") not in said[0]
