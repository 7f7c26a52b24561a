"""check_storable: the NUL check finds every NUL cell of text and categorical columns, and
nothing where there is none (its fast paths skip the per-cell pass only when that is safe)."""

from __future__ import annotations

import pandas as pd

from tracker.checks.validate import check_storable
from tracker.dataset import conform


def _nul_cells(frame: pd.DataFrame) -> list[tuple[str, int, str]]:
    return sorted(
        (i.to_dict()["column"], i.to_dict()["row"], i.to_dict()["value"])
        for i in check_storable("directives", frame)
        if i.code == "nul_character"
    )


def _frame(**columns: list) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {"source": ["f.xlsx"] * n, "sheet": ["s"] * n, "row": list(range(2, 2 + n))}
    return conform(pd.DataFrame({**base, **columns}), "directives")


def test_nul_in_text_and_categorical_columns_is_found_at_its_row() -> None:
    frame = _frame(
        directive_id=["a", None, "b\x00c", "d"],
        text=["x", "y\x00", None, "z"],
        agency=["ส\x00", None, "ข", "ส\x00"],  # categorical: one category, two rows
    )
    assert isinstance(frame["agency"].dtype, pd.CategoricalDtype)
    assert _nul_cells(frame) == [
        ("agency", 2, "ส␀"),
        ("agency", 5, "ส␀"),
        ("directive_id", 4, "b␀c"),
        ("text", 3, "y␀"),
    ]


def test_no_nul_no_issue_and_mixed_object_cells_still_checked() -> None:
    clean = _frame(directive_id=["a", "b"], text=["ข้อสั่งการ", None], agency=["ก", None])
    assert _nul_cells(clean) == []
    mixed = clean.copy()
    mixed["text"] = pd.Series([12, "a\x00"], dtype=object)  # not all text: cell by cell
    assert _nul_cells(mixed) == [("text", 3, "a␀")]


def test_nul_far_down_a_long_text_column_is_found() -> None:
    """The column is searched 50,000 cells at a time: a NUL in the third run is still found
    at its row, and nothing is flagged once it is gone."""
    n = 120_000
    texts: list = [f"ข้อสั่งการที่ {i}" for i in range(n)]
    texts[110_000] = "ข้อ\x00ที่ซ่อน"
    texts[7] = None
    frame = _frame(text=texts)
    assert _nul_cells(frame) == [("text", 110_002, "ข้อ\u2400ที่ซ่อน")]
    texts[110_000] = "ไม่มี"
    assert _nul_cells(_frame(text=texts)) == []
