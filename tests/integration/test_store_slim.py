"""The app's slim shared copy of a snapshot: load_slim leaves texts and provenance in the
database, rows fetches them for given row keys, search finds rows by their text (SQLite and
PostgreSQL)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import synthetic_frames
from tracker.dataset import COLUMNS, conform
from tracker.publish.compose import compose
from tracker.store import Store
from tracker.store.reading import DETAIL_COLUMNS


def hand_made_frames() -> dict[str, pd.DataFrame]:
    """Three directives with awkward texts (quotes, a line break, SQL) over synthetic frames."""
    frames = synthetic_frames(3)
    d = frames["directives"].copy()
    d["directive_id"] = ["67-1-001", "67-1-002", "67-2-003"]
    d["text"] = ['ให้ตรวจสอบ "ทางเท้า"\nบรรทัดสอง', "", "O'Brien; DROP TABLE x --"]
    d["detail"] = [None, "๑๒,๒๐๓,๕๐๐.-", "-"]
    frames["directives"] = conform(d, "directives")
    return frames


def _two_parts(store: Store) -> int:
    """A snapshot made of two parts: the hand-made register, then an upload that changes one
    directive's text and adds one (the first part's row of that directive is superseded)."""
    base = hand_made_frames()
    store.publish(base, user="u", source="a.xlsx", sha256="a" * 64)
    upload = base["directives"].iloc[[0]].copy()
    upload["text"] = "ข้อความใหม่ 100% ของ_แถว"
    extra = upload.assign(directive_id="67-9-999", text="เพิ่มใหม่")
    frames = {"directives": conform(pd.concat([upload, extra], ignore_index=True), "directives")}
    comp = compose(store.load(), frames)
    return store.publish_changes(
        comp, base_id=store.current_id(), user="u", source="b.xlsx", sha256="b" * 64
    )


@pytest.mark.parametrize("chunk", [50_000, 2])
def test_slim_frames_are_the_full_ones_without_the_detail_columns(
    store: Store, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tracker.store.reading.CHUNK_ROWS", chunk)  # rows typed a chunk at a time
    sid = _two_parts(store)
    full = store.load(sid)
    slim, keys = store.load_slim(sid)
    for kind in COLUMNS:
        kept = [c for c in COLUMNS[kind] if c not in DETAIL_COLUMNS.get(kind, ())]
        assert list(slim[kind].columns) == kept
        assert len(keys[kind]) == len(slim[kind]) == len(full[kind])
        for col in kept:
            assert slim[kind][col].astype(object).equals(full[kind][col].astype(object)), col
            if kind != "directives" or col != "issued_by":
                assert slim[kind][col].dtype == full[kind][col].dtype, (kind, col)
    for kind in COLUMNS:  # each key names the row at its position
        kept = [c for c in COLUMNS[kind] if c not in DETAIL_COLUMNS.get(kind, ())]
        again = store.rows(kind, keys[kind], kept)
        pd.testing.assert_frame_equal(again, full[kind][kept].reset_index(drop=True))
    assert isinstance(slim["directives"]["issued_by"].dtype, pd.CategoricalDtype)
    assert slim["directives"]["issued_date"].dtype == "datetime64[ns]"
    assert (
        slim["directives"].memory_usage(deep=True).sum()
        < full["directives"].memory_usage(deep=True).sum()
    )


def test_rows_fetches_the_columns_of_given_keys_in_their_order(store: Store) -> None:
    sid = _two_parts(store)
    full = store.load(sid)["directives"]
    _, keys = store.load_slim(sid)
    order = np.array([len(full) - 1, 0, 2])
    got = store.rows("directives", keys["directives"][order], ["text", "detail", "row", "source"])
    want = full.iloc[order][["text", "detail", "row", "source"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)
    assert "ข้อความใหม่" in "".join(map(str, got["text"]))  # the newer part's row
    # an unknown key gives a blank row, not an error
    blank = store.rows("directives", np.array([999 << 32], dtype=np.int64), ["text"])
    assert len(blank) == 1 and pd.isna(blank["text"].iat[0])


def test_rows_of_many_keys_read_whole_parts(store: Store, monkeypatch) -> None:
    monkeypatch.setattr("tracker.store.reading.BULK_ROWS", 1)
    frames = synthetic_frames(40)
    sid = store.publish(frames, user="u", source="s.xlsx", sha256="c" * 64)
    full = store.load(sid)["directives"]
    _, keys = store.load_slim(sid)
    pick = np.arange(len(full))[::-3]
    got = store.rows("directives", keys["directives"][pick], ["text", "obstacle"])
    pd.testing.assert_frame_equal(got, full.iloc[pick][["text", "obstacle"]].reset_index(drop=True))


def test_search_is_literal_and_in_the_snapshot_only(store: Store) -> None:
    sid = _two_parts(store)
    full = store.load(sid)["directives"]
    _, keys = store.load_slim(sid)
    mine = keys["directives"]

    def found(query: str) -> list[str]:
        hit = np.isin(mine, store.search(sid, "directives", ["text"], query))
        return sorted(full.loc[hit, "directive_id"])

    assert found("100%") == ["67-1-001"]  # the new text; the superseded row is not listed
    assert found("ให้ตรวจสอบ") == []  # only the superseded row had it
    assert found("_แถว") == ["67-1-001"]
    assert found("%") == ["67-1-001"]  # a literal percent sign, not "anything"
    assert found("DROP TABLE") == ["67-2-003"]
    assert found("o'brien") == ["67-2-003"]  # Latin letters in any case
    assert found("  ") == []
    assert found("ไม่มีแน่นอน") == []
