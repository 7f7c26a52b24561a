"""A small sheet's header-alias counts are taken cell by cell (issue 20); they must be the
counts of the Arrow scan that big sheets take, cell for cell."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tracker.read import headers
from tracker.read.headers import ALL_ALIAS_KEYS, _alias_hits, _alias_hits_small


def _arrow(frame: pd.DataFrame) -> np.ndarray:
    small = headers.SMALL_SHEET_ROWS
    headers.SMALL_SHEET_ROWS = -1
    try:
        return _alias_hits(frame)
    finally:
        headers.SMALL_SHEET_ROWS = small


def _frame(rows: list[list[object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, dtype="str")


ALIASES = sorted(ALL_ALIAS_KEYS)


def _odd_cells() -> list[object]:
    """Aliases as people type them, and cells that only look like them."""
    a, b = ALIASES[0], ALIASES[len(ALIASES) // 2]
    return [
        a,
        b.upper(),
        f" {a} ",
        f"{a}*",
        f"{a} :",
        f"{a}：",
        f"{a} (บาท)",
        f"{a}(หมายเหตุ)x",
        f"{a}\u00a0",  # no-break space: not whitespace to the Arrow kernels
        f"{a}\v",
        f"{a}\n(x)",
        "İ" + a,
        "ΣΑ",
        a * 30,  # too long for a header
        "",
        None,
        "ข้อความยาว " * 20,
    ]


def test_odd_cells_count_alike() -> None:
    cells = _odd_cells()
    rows = [[cells[(i + j) % len(cells)] for j in range(5)] for i in range(len(cells) * 2)]
    frame = _frame(rows)
    assert (_alias_hits_small(frame) == _arrow(frame)).all()
    assert _arrow(frame).sum() > 0


@pytest.mark.parametrize("n", [10, 63, 64, 65, 300])
def test_mostly_distinct_columns_count_alike(n: int) -> None:
    a, b = ALIASES[1], ALIASES[2]
    rows = [[f"id{i}", f"เรื่อง {i % 3}", "x", str(i)] for i in range(n)]
    rows[n // 2] = [a, b, a, "y"]  # a header row lower down
    rows[n // 3][0] = a  # an alias in an id column alone: not counted there
    rows[n // 4][1] = b
    frame = _frame(rows)
    assert (_alias_hits_small(frame) == _arrow(frame)).all()


def test_other_column_types_take_the_arrow_scan() -> None:
    frame = pd.DataFrame({"a": [ALIASES[0], None], "b": [1, 2]})
    assert _alias_hits_small(frame) is None
    assert list(_alias_hits(frame)) == list(_arrow(frame))


def test_every_sheet_of_a_sample_workbook_counts_alike(tmp_path: Path) -> None:
    from tracker.dev.sample import write_sample
    from tracker.read.loader import read_paths

    path = tmp_path / "s.xlsx"
    write_sample(path, directives=80, seed=3)
    found, failed = read_paths([str(path)])
    assert not failed
    counted = 0
    for raw in found:
        small = _alias_hits_small(raw.frame)
        assert small is not None
        assert (small == _arrow(raw.frame)).all(), raw.sheet
        counted += int((small >= 2).sum())
    assert counted >= len(found)  # every sheet has a header
