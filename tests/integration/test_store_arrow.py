"""Snapshots read through Arrow (ADBC) give exactly the frames SQLAlchemy's row tuples give:
values, dtypes, categories, column order and row keys, on SQLite files and PostgreSQL; what
Arrow cannot read falls back to the tuples."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

import tracker.store.arrow_load as arrow_load
from tests.conftest import synthetic_frames
from tracker.dataset import COLUMNS, conform
from tracker.publish.compose import compose
from tracker.store import Store
from tracker.store.reading import _as_category


@pytest.fixture
def arrow_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Arrow for every table however small, in tiny batches; yields the SQL each Arrow read ran."""
    monkeypatch.setattr(arrow_load, "SQLITE_MIN_VALUES", 0)
    monkeypatch.setattr(arrow_load, "SQLITE_BATCH_ROWS", 3)
    monkeypatch.setattr(arrow_load, "PG_BATCH_BYTES", 64)
    seen: list[str] = []
    real = arrow_load._batches

    def spy(backend: str, uri: str, sql: str, busy_ms: int):  # type: ignore[no-untyped-def]
        seen.append(sql)
        return real(backend, uri, sql, busy_ms)

    monkeypatch.setattr(arrow_load, "_batches", spy)
    yield seen


def sparse_frames() -> dict[str, pd.DataFrame]:
    """Directives whose first rows have no dates, texts or numbers at all (the SQLite driver
    once typed such columns from its first batch and failed on the first value), then rows
    with every value, an unknown status, and budget amounts of whole and part satang."""
    frames = synthetic_frames(12)
    d = frames["directives"].copy()
    blank = ["issued_by", "issued_date", "due_date", "agency", "district_code", "text", "group"]
    blank += ["status", "detail", "obstacle", "reported_at", "round", "fiscal_year", "row"]
    d.loc[:6, blank] = None
    d.loc[9, "status"] = None
    d.loc[10, "text"] = "ข้อความ\nสองบรรทัด 'quote' \"dq\" ;"
    frames["directives"] = conform(d, "directives")
    b = frames["budget"].copy()
    b["allocated"] = [12203500.0, None, 0.5]  # NUMERIC: SQLite keeps 12203500.0 as an integer
    frames["budget"] = conform(b, "budget")
    frames["responses"] = conform(
        pd.DataFrame(
            {
                "submitted_at": [None, None, None, None, pd.Timestamp("2024-04-01 08:30:00.25")],
                "directive_id": ["D-000001"] * 5,
                "status": [None, None, None, None, "done"],
                "row": [None, None, None, None, 7],
            }
        ),
        "responses",
    )
    return frames


def two_parts(store: Store) -> int:
    """A snapshot of two parts: the sparse register, then an upload changing one directive
    (its first row superseded) and adding one."""
    base = sparse_frames()
    store.publish(base, user="u", source="a.xlsx", sha256="a" * 64)
    upload = base["directives"].iloc[[8]].copy()
    upload["text"] = "ข้อความใหม่"
    extra = upload.assign(directive_id="D-999999", text="เพิ่มใหม่")
    frames = {"directives": conform(pd.concat([upload, extra], ignore_index=True), "directives")}
    comp = compose(store.load(), frames)
    return store.publish_changes(
        comp, base_id=store.current_id(), user="u", source="b.xlsx", sha256="b" * 64
    )


def both_ways(store: Store, sid: int, monkeypatch: pytest.MonkeyPatch) -> tuple[dict, dict]:
    """(tuples, arrow): each a dict with the full frames, slim frames and slim keys."""
    out = []
    for flag in (False, True):
        monkeypatch.setattr(arrow_load, "ARROW_LOAD", flag)
        slim, keys = store.load_slim(sid)
        out.append({"full": store.load(sid), "slim": slim, "keys": keys})
    return out[0], out[1]


def assert_same(want: dict, got: dict) -> None:
    for kind in COLUMNS:
        for part in ("full", "slim"):
            pd.testing.assert_frame_equal(got[part][kind], want[part][kind], check_exact=True)
            assert list(got[part][kind].columns) == list(want[part][kind].columns)
        np.testing.assert_array_equal(got["keys"][kind], want["keys"][kind])
        assert got["keys"][kind].dtype == np.int64


def test_arrow_frames_equal_the_tuple_frames(
    store: Store, arrow_reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = two_parts(store)
    arrow_reads.clear()
    tuples, arrow = both_ways(store, sid, monkeypatch)
    assert len(arrow_reads) == 8  # four tables, slim and full: all through Arrow
    assert_same(tuples, arrow)
    d = arrow["full"]["directives"]
    assert len(d) == 13 and d["issued_date"].isna().sum() == 7
    assert "ข้อความใหม่" in set(d["text"]) and d["text"].eq(None).sum() == 0
    assert d["text"].isna().sum() == 7 and d["text"].dtype == object
    assert isinstance(arrow["slim"]["directives"]["issued_by"].dtype, pd.CategoricalDtype)
    assert arrow["full"]["budget"]["allocated"].tolist()[:1] == [12203500.0]
    r = arrow["full"]["responses"]
    assert r["submitted_at"].iloc[4] == pd.Timestamp("2024-04-01 08:30:00.25")
    assert r["row"].dtype == "Int64" and r["row"].isna().sum() == 4


def test_arrow_reads_are_chunked_and_the_store_keeps_working(
    store: Store, arrow_reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SQLite driver never runs in this process (two SQLite libraries in one process
    break each other's file locks): the store's own connections keep reading and writing."""
    sid = two_parts(store)
    first = store.load_slim(sid)
    store.publish(synthetic_frames(5, prefix="N"), user="u", source="c.xlsx", sha256="c" * 64)
    again = store.load_slim(sid)
    for kind in COLUMNS:
        pd.testing.assert_frame_equal(first[0][kind], again[0][kind])
    assert len(store.load()["directives"]) == 5
    assert "adbc_driver_sqlite" not in sys.modules
    assert arrow_reads


def test_a_failed_arrow_read_falls_back_to_tuples(
    store: Store,
    arrow_reads: list[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sid = two_parts(store)
    tuples, _ = both_ways(store, sid, monkeypatch)
    # the child process (SQLite) cannot start; PostgreSQL is asked for a table that is not there
    monkeypatch.setattr(arrow_load, "_SQLITE_CHILD", "raise SystemExit('no driver here')")
    monkeypatch.setattr(arrow_load, "_sql", lambda *a: "SELECT * FROM no_such_table")
    with caplog.at_level(logging.WARNING, logger="tracker.store.arrow_load"):
        slim, keys = store.load_slim(sid)
        full = store.load(sid)
    assert_same(tuples, {"full": full, "slim": slim, "keys": keys})
    assert "reading rows instead" in caplog.text
    monkeypatch.setattr(arrow_load.sys, "executable", "/nonexistent/python")  # cannot start
    slim, keys = store.load_slim(sid)
    assert_same(tuples, {"full": store.load(sid), "slim": slim, "keys": keys})


def test_dates_another_tool_wrote_as_text_parse_as_before(
    store: Store, arrow_reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = two_parts(store)
    if store.dialect == "sqlite":  # SQLite keeps what it is given: non-ISO text
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE directives SET due_date = '2024-3-5' WHERE seq = 9"))
            conn.execute(text("UPDATE directives SET issued_date = '2024-03-05' WHERE seq = 0"))
    tuples, arrow = both_ways(store, sid, monkeypatch)
    assert_same(tuples, arrow)
    if store.dialect == "sqlite":
        assert pd.Timestamp("2024-03-05") in set(arrow["full"]["directives"]["due_date"])


def test_small_tables_and_memory_databases_read_through_sqlalchemy(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def refuse(backend: str, uri: str, sql: str, busy_ms: int) -> None:
        seen.append(sql)
        raise arrow_load.ArrowReadError("not here")

    monkeypatch.setattr(arrow_load, "_batches", refuse)
    store.publish(synthetic_frames(4), user="u", source="a.xlsx", sha256="a" * 64)
    store.load_slim()
    assert (len(seen) == 0) == (store.dialect == "sqlite")  # below SQLITE_MIN_VALUES
    memory = Store("sqlite://")
    assert not arrow_load.arrow_ready(memory) and arrow_load._uri(memory) is None


@pytest.mark.parametrize(
    "values",
    [
        ["ปลัดกรุงเทพมหานคร", None, "รองปลัด", "ปลัดกรุงเทพมหานคร", "B", "a", ""],
        [None, None],
        [],
        ["x", 1, None],
    ],
)
def test_slim_categories_are_what_astype_category_gives(values: list) -> None:
    col = pd.Series(values, dtype=object, name="issued_by", index=np.arange(len(values)) + 5)
    pd.testing.assert_series_equal(_as_category(col), col.astype("category"), check_exact=True)
