"""``conform_columns`` builds frames of a few rows on a fast path (issue 20): it must give
exactly the frame of the general path — values, missing as None, dtypes, column order and
index — for every kind of input a reader hands it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tracker import dataset
from tracker.dataset import COLUMNS, conform, conform_columns


def _general(columns: dict[str, object], kind: str, n: int, ready=frozenset()) -> pd.DataFrame:
    small = dataset.SMALL_ROWS
    dataset.SMALL_ROWS = -1
    try:
        return conform_columns(columns, kind, n, ready)
    finally:
        dataset.SMALL_ROWS = small


def _same(fast: pd.DataFrame, general: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(fast, general, check_exact=True)
    assert list(fast.columns) == list(general.columns)
    assert fast.columns.dtype == general.columns.dtype
    assert type(fast.index) is type(general.index)
    assert list(fast.dtypes) == list(general.dtypes)
    for c in fast.columns:
        if fast[c].dtype == object:
            got = [v if v is None else (type(v), v) for v in fast[c].tolist()]
            want = [v if v is None else (type(v), v) for v in general[c].tolist()]
            assert got == want, c


def _messy(n: int) -> dict[str, object]:
    """Columns as readers give them: str and object text with every kind of missing,
    numbers as text and floats, dates, bools with gaps, categories, scalars, arrays."""
    texts = ["ก", None, "b", np.nan, pd.NA, "ค ง", "", "x"] * (n // 8 + 1)
    return {
        "directive_id": pd.Series([f"D{i}" for i in range(n)], index=range(10, 10 + n)),
        "fiscal_year": pd.Series([2567 if i % 3 else None for i in range(n)], dtype=object),
        "round": np.arange(n),
        "issued_by": pd.Series(texts[:n], dtype="str"),
        "issued_date": pd.Series(pd.date_range("2024-01-01", periods=n, unit="s")),
        "agency": pd.Series(["เขต ข", "เขต ก", None, "เขต ข"] * (n // 4 + 1))[:n],
        "group": pd.Series(pd.Categorical(["z", "a", None, "a"] * (n // 4 + 1))[:n]),
        "text": pd.Series(texts[:n], dtype=object),
        "detail": [str(i) for i in range(n)],
        "status": pd.Series(["done", None, "in_progress", "done"] * (n // 4 + 1))[:n],
        "flood": pd.Series([True, None, False, np.nan] * (n // 4 + 1), dtype=object)[:n],
        "source": "a.xlsx",
        "sheet": None,
        "row": pd.Series(range(2, n + 2)),
        "extra": pd.Series(texts[:n], dtype=object),
    }


@pytest.mark.parametrize("n", [0, 1, 5, 63, 64, 200])
def test_messy_columns_conform_alike(n: int) -> None:
    columns = _messy(n)
    for ready in (frozenset(), frozenset({"text", "extra", "issued_by"})):
        _same(
            conform_columns(columns, "directives", n, ready),
            _general(columns, "directives", n, ready),
        )


@pytest.mark.parametrize("kind", sorted(COLUMNS))
def test_empty_and_scalar_columns_conform_alike(kind: str) -> None:
    for n in (0, 3):
        _same(conform_columns({}, kind, n), _general({}, kind, n))
        scalars: dict[str, object] = {
            c: "x" for c in COLUMNS[kind] if dataset.DTYPES.get(c, "str") == "str"
        }
        scalars |= {"row": 7, "fiscal_year": 2567, "status": "done", "flood": True}
        _same(conform_columns(scalars, kind, n), _general(scalars, kind, n))


def test_every_frame_of_a_sample_workbook_conforms_alike(tmp_path: Path, monkeypatch) -> None:
    from tracker.dev.sample import write_sample
    from tracker.read.loader import build_dataset, consumed, read_paths

    path = tmp_path / "s.xlsx"
    write_sample(path, directives=50, seed=7)
    calls: list[tuple] = []
    real = dataset.conform_columns

    def record(columns, kind, n, ready=frozenset()):
        calls.append((dict(columns), kind, n, ready))
        return real(columns, kind, n, ready)

    from tracker.read import budget_form, kpi_form

    users = [m for m in (dataset, kpi_form, budget_form) if m.conform_columns is real]
    for module in users:  # the readers import it by name
        monkeypatch.setattr(module, "conform_columns", record)
    found, failed = read_paths([str(path)])
    ds = build_dataset(consumed(found), failed)
    for module in users:
        monkeypatch.setattr(module, "conform_columns", real)
    assert len(ds.kpis) and len(ds.budget) and len(calls) > 20
    for columns, kind, n, ready in calls:
        _same(real(columns, kind, n, ready), _general(columns, kind, n, ready))
    for kind, frame in ds.frames().items():  # conform of a frame already canonical
        frame = frame.iloc[3:40]
        small = dataset.SMALL_ROWS
        fast = conform(frame, kind)
        dataset.SMALL_ROWS = -1
        try:
            general = conform(frame, kind)
        finally:
            dataset.SMALL_ROWS = small
        _same(fast, general)
        assert list(fast.index) == list(frame.index)
