"""The bulk side of a publish (issue 20): rows written a chunk at a time read back exactly,
frames already canonical pass through unconverted, and the vectorised change counting gives
the counts the per-row rules give. Store tests run on SQLite and PostgreSQL (conftest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tracker.dataset import conform
from tracker.publish.compose import compose
from tracker.store import writing
from tracker.store.diff import canonical_frame, table_counts
from tracker.store.parts import scope_codes


def _tuple_codes(frame: pd.DataFrame, scope: tuple[str, ...]) -> np.ndarray:
    """The former rule: one tuple per row, factorised (order of first appearance)."""
    cols = [
        frame[c].astype(object) if isinstance(frame[c].dtype, pd.CategoricalDtype) else frame[c]
        for c in scope
    ]
    if len(scope) == 1:
        return pd.factorize(cols[0], use_na_sentinel=False)[0]
    return pd.factorize(pd.MultiIndex.from_arrays(cols), use_na_sentinel=False)[0]


def test_scope_codes_number_scopes_as_one_tuple_per_row_did() -> None:
    rng = np.random.default_rng(3)
    n = 5000
    units = np.array(["เขตบางนา", "เขตบางรัก", None, "เขตดุสิต"], dtype=object)
    frame = pd.DataFrame(
        {
            "unit": pd.Categorical(units[rng.integers(0, 4, n)]),
            "fiscal_year": pd.array(rng.integers(2566, 2569, n), dtype="Int64"),
            "as_of": pd.to_datetime(rng.integers(0, 5, n), unit="D", origin="2024-01-01"),
            "directive_id": units[rng.integers(0, 4, n)],
        }
    )
    frame.loc[rng.integers(0, n, 300), "fiscal_year"] = pd.NA
    frame.loc[rng.integers(0, n, 300), "as_of"] = pd.NaT
    for scope in (("unit",), ("directive_id", "as_of"), ("unit", "fiscal_year", "as_of")):
        np.testing.assert_array_equal(scope_codes(frame, scope), _tuple_codes(frame, scope))


def test_a_canonical_frame_passes_through_and_a_loose_one_is_conformed() -> None:
    from tests.conftest import synthetic_frames

    d = canonical_frame(synthetic_frames(40)["directives"], "directives")
    same = canonical_frame(d, "directives")
    assert same is not d
    pd.testing.assert_frame_equal(same, conform(d, "directives"))
    loose = d.copy()
    loose.loc[3, "text"] = np.nan  # a NaN where the canonical frame has None
    fixed = canonical_frame(loose, "directives")
    assert fixed.loc[3, "text"] is None
    unused = d.copy()
    unused["agency"] = unused["agency"].cat.add_categories(["ไม่มีใคร"])
    pd.testing.assert_frame_equal(canonical_frame(unused, "directives"), d)
    assert list(canonical_frame(d.iloc[5:], "directives").index) == list(range(35))


def test_table_counts_count_by_key_with_the_last_row_winning() -> None:
    from tests.conftest import synthetic_frames

    old = synthetic_frames(30)
    new = {k: v.copy() for k, v in old.items()}
    d = new["directives"]
    d.loc[0, "text"] = "แก้"  # changed
    new["directives"] = pd.concat([d.iloc[2:], d.iloc[:1]], ignore_index=True)  # 1 removed
    counts = table_counts(old, new).set_index("table")
    assert counts.loc["directives"].to_dict() == {
        "added": 0,
        "changed": 1,
        "removed": 1,
        "kept": 28,
    }


def test_rows_written_a_chunk_at_a_time_read_back_exactly(store, monkeypatch) -> None:
    from tests.conftest import synthetic_frames

    monkeypatch.setattr(writing, "INSERT_CHUNK", 7)  # many chunks, one partial
    frames = synthetic_frames(60)
    comp = compose(None, frames)
    assert comp.canonical
    sid = store.publish_changes(comp, base_id=None, user="u", source="s", sha256="c" * 64)
    loaded = store.load(sid)
    for kind in ("directives", "responses", "kpis", "budget"):
        assert len(loaded[kind]) == len(comp.frames[kind])
        pd.testing.assert_frame_equal(loaded[kind], canonical_frame(comp.frames[kind], kind))
    with store.engine.connect() as conn:
        seqs = [
            r[0]
            for r in conn.exec_driver_sql(
                f"SELECT seq FROM directives WHERE snapshot_id = {sid} ORDER BY seq"
            )
        ]
    assert seqs == list(range(len(comp.frames["directives"])))


@pytest.mark.parametrize("changed", [1, 25])
def test_a_weekly_update_writes_only_the_changed_rows(store, changed) -> None:
    from tests.conftest import synthetic_frames

    frames = synthetic_frames(200)
    store.publish(frames, user="u", source="full.xlsx", sha256="f" * 64)
    current = store.load()
    upload = {k: v.copy() for k, v in current.items()}
    upload["directives"].loc[: changed - 1, "text"] = "แก้ไขแล้ว"
    comp = compose(current, upload)
    ch = comp.changes["directives"]
    assert (ch.added, ch.changed, ch.kept, len(ch.rows)) == (0, changed, 200 - changed, changed)
    assert set(comp.changes) == {"directives"}  # responses, KPIs and budget as held
    sid = store.publish_changes(
        comp, base_id=store.current_id(), user="u", source="w.xlsx", sha256="e" * 64
    )
    pd.testing.assert_frame_equal(store.load(sid)["directives"], comp.frames["directives"])
