"""Text search through the index (SQLite FTS5 trigram, PostgreSQL pg_trgm): the same rows as
the literal scan it replaces, kept up to date by publish, built (TRACKER_SEARCH_INDEX=1) on an
existing database, and a scan where no index can be made."""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from tests.conftest import PG_URL, synthetic_frames
from tracker.store import Store
from tracker.store.searching import fts_match, like_pattern


@pytest.fixture(autouse=True)
def sqlite_index_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite keeps its index only when asked (TRACKER_SEARCH_INDEX): these tests ask;
    ``test_sqlite_index_follows_its_setting`` checks the default."""
    monkeypatch.setenv("TRACKER_SEARCH_INDEX", "1")


TEXTS = [
    "ให้สำนักงานเขตบางนาเร่งปรับปรุงทางเท้า",
    "ให้สำนักการโยธาตรวจสอบทางเท้าและท่อระบายน้ำ",
    "Road WORKS on Sukhumvit ถนนสุขุมวิท",
    "road works, again",
    "100% เสร็จ_แล้ว",
    "1000 เสร็จแล้ว",
    "back\\slash and per%cent",
    'quote "double" and O\'Brien',
    "ÉCOLE école École",
    "ab",
    "",
    None,
    "  leading and trailing spaces  ",
    "บรรทัดแรก\nบรรทัดสอง",
    "กรุงเทพมหานคร " * 40,
]
QUERIES = [
    "ทางเท้า",  # Thai, mid-word, two rows
    "เท้",  # three characters
    "ท้",  # two: a scan
    "ก",  # one: a scan
    "road works",  # Latin in any case
    "ROAD",
    "sukhumvit ถนน",  # across scripts and a space
    "100%",  # LIKE's wildcards taken literally
    "%",
    "_แล",
    "0_เ",
    "per%c",
    "k\\s",
    "\\",
    '"double"',
    "o'brien",
    "école",  # SQLite: non-Latin letters match their case only; PostgreSQL: any case
    "ÉCOLE",
    "École",
    "ab",
    "abc",
    "  spaces  ",
    "แรก\nบรร",
    "กรุงเทพมหานคร กรุงเทพมหานคร กรุงเทพมหานคร กรุงเทพ",  # more trigrams than asked of FTS5
    "ไม่มีแน่นอน",
    "มหานคร ",
]


def frames_with(texts: list[str | None], *, prefix: str = "D") -> dict[str, pd.DataFrame]:
    frames = synthetic_frames(len(texts), prefix=prefix)
    frames["directives"]["text"] = pd.Series(texts, dtype=object)
    return frames


def scanned(store: Store, snapshot_id: int, query: str) -> np.ndarray:
    """The literal scan search ran before the index (the oracle), indexes turned off."""
    needle = query.strip()
    if not needle:
        return np.empty(0, dtype=np.int64)
    like = "ILIKE" if store.dialect == "postgresql" else "LIKE"
    with store._transaction(write=False) as conn:
        if store.dialect == "postgresql":
            conn.exec_driver_sql("SET LOCAL enable_indexscan = off")
            conn.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        parts = store._part_lists(conn, snapshot_id)["directives"]
        got = conn.execute(
            text(
                "SELECT snapshot_id, seq FROM directives WHERE snapshot_id IN"
                f" ({', '.join(map(str, parts))}) AND text {like} :p ESCAPE '\\'"
            ),
            {"p": "%" + re.sub(r"([\\%_])", r"\\\1", needle) + "%"},
        ).all()
    arr = np.array(got, dtype=np.int64).reshape(-1, 2)
    return np.sort((arr[:, 0] << 32) | arr[:, 1])


def searched(store: Store, snapshot_id: int, query: str) -> np.ndarray:
    return np.sort(store.search(snapshot_id, "directives", ["text"], query))


def statements(store: Store) -> list[str]:
    """SQL the next SQLite searches run (recorded on every connection opened from now)."""
    seen: list[str] = []

    def on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.set_trace_callback(seen.append)

    from sqlalchemy import event

    store.dispose()
    event.listen(store.engine, "connect", on_connect)
    return seen


def test_search_finds_what_the_scan_finds(store: Store) -> None:
    sid = store.publish(frames_with(TEXTS), user="t", source="a.xlsx", sha256="a" * 64)
    assert store.search_indexed()
    counts = {}
    for query in QUERIES:
        want = scanned(store, sid, query)
        np.testing.assert_array_equal(searched(store, sid, query), want, err_msg=repr(query))
        counts[query] = len(want)
    # the oracle is not trivially empty, and the wildcards are literal
    assert counts["ทางเท้า"] == 2 and counts["road works"] == 2 and counts["ROAD"] == 2
    assert counts["100%"] == 1 and counts["%"] == 2 and counts["_แล"] == 1
    assert counts["0_เ"] == 0 and counts["k\\s"] == 1 and counts["ไม่มีแน่นอน"] == 0
    assert counts["กรุงเทพมหานคร กรุงเทพมหานคร กรุงเทพมหานคร กรุงเทพ"] == 1
    assert counts["ก"] >= 3 and counts["ab"] == 1 and counts["ÉCOLE"] == 1


def test_publish_keeps_the_index_up_to_date(store: Store) -> None:
    first = store.publish(frames_with(TEXTS), user="t", source="a.xlsx", sha256="a" * 64)
    later = [*TEXTS[:-3], "ข้อสั่งการใหม่เรื่องน้ำท่วม", "อีกเรื่อง", "ทางเท้าใหม่"]
    second = store.publish(frames_with(later), user="t", source="b.xlsx", sha256="b" * 64)
    for query in ("น้ำท่วม", "ทางเท้า", "กรุงเทพมหานคร", "อีกเรื่อง"):
        for sid in (first, second):
            want = scanned(store, sid, query)
            np.testing.assert_array_equal(searched(store, sid, query), want, err_msg=query)
    assert len(scanned(store, second, "น้ำท่วม")) == 1
    assert len(scanned(store, first, "น้ำท่วม")) == 0


def test_sqlite_answers_from_fts5_and_scans_short_queries(tmp_path) -> None:
    assert sqlite3.sqlite_version_info >= (3, 34, 0)  # the trigram tokenizer
    store = Store(f"sqlite:///{tmp_path / 's.sqlite'}")
    store.upgrade()
    sid = store.publish(frames_with(TEXTS), user="t", source="a.xlsx", sha256="a" * 64)
    seen = statements(store)
    assert len(searched(store, sid, "ทางเท้า")) == 2
    assert any("directives_search(" in s for s in seen)
    seen.clear()
    assert len(searched(store, sid, "ท้")) == len(scanned(store, sid, "ท้"))
    assert seen and not any("directives_search(" in s for s in seen)
    # the database's own triggers follow an edit and a delete of rows
    with store._transaction(write=True) as conn:
        conn.exec_driver_sql("UPDATE directives SET text = 'แก้แล้ว' WHERE seq = 0")
        conn.exec_driver_sql("DELETE FROM directives WHERE seq = 1")
    assert len(searched(store, sid, "ทางเท้า")) == 0
    assert len(searched(store, sid, "แก้แล้ว")) == 1
    store.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgresql_plans_the_trigram_index(db_url: str) -> None:
    store = Store(db_url)
    store.upgrade()
    store.publish(frames_with(TEXTS), user="t", source="a.xlsx", sha256="a" * 64)
    assert store.search_indexed()
    with store._transaction(write=False) as conn:
        # a tiny table: the planner would rather read it all
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        conn.exec_driver_sql("SET LOCAL enable_indexscan = off")
        plan = conn.execute(
            text(
                "EXPLAIN SELECT t.snapshot_id, t.seq FROM directives t"
                " WHERE t.text ILIKE :p ESCAPE '\\'"
            ),
            {"p": like_pattern("ทางเท้า")},
        ).all()
    assert "ix_directives_text_trgm" in "\n".join(r[0] for r in plan)
    store.dispose()


def test_migration_indexes_an_existing_database(db_url: str) -> None:
    store = Store(db_url)
    store.upgrade("0004")
    sid = store.publish(frames_with(TEXTS), user="t", source="a.xlsx", sha256="a" * 64)
    assert not store.search_indexed()
    before = {q: scanned(store, sid, q) for q in QUERIES}
    store.upgrade()
    assert store.search_indexed()
    for query, want in before.items():
        np.testing.assert_array_equal(searched(store, sid, query), want, err_msg=repr(query))
    store.dispose()


def test_sqlite_without_trigram_scans(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 33, 0))
    store = Store(f"sqlite:///{tmp_path / 'old.sqlite'}")
    store.upgrade()
    assert not store.search_indexed()
    sid = store.publish(frames_with(TEXTS), user="t", source="a.xlsx", sha256="a" * 64)
    for query in ("ทางเท้า", "road works", "100%"):
        got = searched(store, sid, query)
        assert len(got) > 0
        np.testing.assert_array_equal(got, scanned(store, sid, query))
    store.dispose()


@pytest.fixture
def pg_without_trgm(pg_admin: Engine) -> Iterator[str]:
    """A fresh database without pg_trgm and a user who may not create extensions in it."""
    name = f"h3_notrgm_{uuid.uuid4().hex[:8]}"
    with pg_admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"CREATE ROLE {name} LOGIN")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    db = make_url(PG_URL).set(database=name, drivername="postgresql+psycopg")
    from sqlalchemy import create_engine

    owner = create_engine(db)
    with owner.begin() as conn:
        conn.exec_driver_sql(f"GRANT CREATE, USAGE ON SCHEMA public TO {name}")
    owner.dispose()
    yield db.set(username=name, drivername="postgresql").render_as_string(hide_password=False)
    with pg_admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
        conn.exec_driver_sql(f"DROP ROLE {name}")


def test_postgresql_without_pg_trgm_scans(pg_without_trgm: str) -> None:
    store = Store(pg_without_trgm)
    store.upgrade()  # CREATE EXTENSION is refused: the migration goes on without the index
    assert not store.search_indexed()
    with store._transaction(write=False) as conn:
        assert (
            conn.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").all() == []
        )
    sid = store.publish(frames_with(TEXTS), user="t", source="a.xlsx", sha256="a" * 64)
    for query in ("ทางเท้า", "road works", "100%", "ÉCOLE"):
        got = searched(store, sid, query)
        assert len(got) > 0
        np.testing.assert_array_equal(got, scanned(store, sid, query))
    store.dispose()


def test_fts_match_asks_a_bounded_superset() -> None:
    assert fts_match("abcd") == '"abc" AND "bcd"'
    assert fts_match('a"bc') == '"a""b" AND """bc"'
    long = fts_match("กรุงเทพมหานคร" * 5)
    assert long.count(" AND ") == 11
    assert like_pattern("1_0%\\") == "%1\\_0\\%\\\\%"


def test_downgrade_drops_the_index_and_upgrade_builds_it_again(db_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from tracker.store.engine import MIGRATIONS_DIR

    store = Store(db_url)
    store.upgrade()
    sid = store.publish(frames_with(TEXTS), user="t", source="a.xlsx", sha256="a" * 64)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    assert not store.search_indexed()
    np.testing.assert_array_equal(searched(store, sid, "ทางเท้า"), scanned(store, sid, "ทางเท้า"))
    store.publish(frames_with(TEXTS[::-1]), user="t", source="b.xlsx", sha256="b" * 64)
    store.upgrade()
    assert store.search_indexed()
    latest = store.current_id()
    assert latest is not None and latest != sid
    for snapshot in (sid, latest):
        for query in ("ทางเท้า", "road works", "กรุงเทพมหานคร"):
            want = scanned(store, snapshot, query)
            assert len(want) > 0
            np.testing.assert_array_equal(searched(store, snapshot, query), want)
    store.dispose()


def test_the_index_follows_its_setting(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Off by default (keeping it doubles a million-directive import): searches scan. Turned
    on, the next start builds it from the rows already there; turned off, the next start drops
    it (SQLite: the FTS5 table and its triggers). The rows found are the same throughout."""
    monkeypatch.delenv("TRACKER_SEARCH_INDEX")
    store = Store(db_url)
    store.upgrade()
    assert not store.search_indexed()
    sid = store.publish(frames_with(TEXTS), user="t", source="a.xlsx", sha256="a" * 64)
    want = {q: scanned(store, sid, q) for q in ("ทางเท้า", "road works", "100%")}
    assert all(len(rows) for rows in want.values())
    for query, rows in want.items():
        np.testing.assert_array_equal(searched(store, sid, query), rows)
    store.dispose()
    for setting, indexed in (("1", True), ("1", True), ("0", False)):
        monkeypatch.setenv("TRACKER_SEARCH_INDEX", setting)
        store = Store(db_url)
        store.upgrade()
        assert store.search_indexed() is indexed
        for query, rows in want.items():
            np.testing.assert_array_equal(searched(store, sid, query), rows)
        store.dispose()
    if db_url.startswith("sqlite"):
        store = Store(db_url)
        with store._transaction(write=False) as conn:
            names = conn.exec_driver_sql("SELECT name FROM sqlite_master").scalars().all()
        assert not [n for n in names if "search" in n]  # the table and its triggers are gone
        store.publish(frames_with(TEXTS[::-1]), user="t", source="b.xlsx", sha256="b" * 64)
        store.dispose()
