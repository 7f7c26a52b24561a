"""Publishing never deletes what the upload did not carry (SQLite and PostgreSQL).

The office's files arrive separately: the register, the Forms responses, each unit's KPI form,
each budget report. Each is written here by hand the way people type them (openpyxl, plain
CSV text) or cut from a full office workbook, and goes through the real readers.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from tracker import cli
from tracker.dev.sample import write_sample
from tracker.publish import flow as pub
from tracker.publish.compose import compose
from tracker.store import NothingToPublish, Store
from tracker.store.diff import canonical_frame

PROVENANCE = ["source", "sheet", "row"]
KPI_SHEET_Q2 = "ตัวชี้วัด Q2 เขตบางนา"


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    """The office's full workbook: register, responses, KPI forms, budget reports."""
    path = tmp_path_factory.mktemp("office") / "ติดตามข้อสั่งการ.xlsx"
    write_sample(path, directives=120, seed=21)
    return path


def _only(path: Path, keep: list[str], edit=None) -> bytes:
    """The workbook cut to ``keep`` sheets (as someone saves one form), optionally edited."""
    wb = openpyxl.load_workbook(path)
    for ws in list(wb.worksheets):
        if ws.title not in keep:
            wb.remove(ws)
    if edit is not None:
        edit(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _set_level(new: str):
    """An edit of the Q2 form: its first "ระดับ ๔" becomes ``new`` (as a unit corrects it)."""

    def edit(wb) -> None:
        for row in wb[KPI_SHEET_Q2].iter_rows():
            for cell in row:
                if cell.value == "ระดับ ๔":
                    cell.value = new
                    return
        raise AssertionError("no level 4 in the form")

    return edit


def _register_by_hand(rows: list[tuple]) -> bytes:
    """A register typed by hand: a title line, Thai headers, dates as typed, no KPI/budget."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ทะเบียน"
    ws.append(["ทะเบียนข้อสั่งการ (ปรับปรุง)"])
    ws.append(["รหัสข้อสั่งการ", "ปีงบประมาณ", "หน่วยรับตรวจ", "ข้อสั่งการ/ข้อเสนอแนะ", "สถานะ"])
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _publish(store: Store, files: list[tuple[str, bytes]], **kw) -> int:
    prepared = pub.prepare(files, store=store, sandbox=False, **kw)
    assert prepared.can_publish, (prepared.blockers(), prepared.issues[:3])
    return pub.publish(prepared, store, "analyst")


def _differ(a: pd.Series, b: pd.Series) -> int:
    """How many values differ between two aligned number columns (NaN equals NaN)."""
    x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
    return int(((x != y) & ~(np.isnan(x) & np.isnan(y))).sum())


@pytest.fixture
def published(store: Store, office: Path) -> dict[str, pd.DataFrame]:
    """The full workbook published first; its frames."""
    _publish(store, [(office.name, office.read_bytes())])
    return store.load()


def test_register_only_upload_keeps_kpis_budget_and_other_directives(store, published):
    before = published
    old = before["directives"]
    first_id = old["directive_id"].iat[0]
    rows = [(first_id, 2567, old["agency"].iat[0], "แก้ไขข้อความ", "ดำเนินการแล้ว")]
    rows += [(f"2568-1-{i:03d}", 2568, "สำนักงานเขตบางนา", f"ข้อสั่งการใหม่ {i}", "") for i in range(48)]
    p = pub.prepare([("ทะเบียนปรับปรุง.xlsx", _register_by_hand(rows))], store=store, sandbox=False)
    assert p.can_publish, p.blockers()
    counts = p.change_counts().set_index("table")
    assert counts.loc["directives", ["in_file", "added", "changed", "removed"]].tolist() == [
        49,
        48,
        1,
        0,
    ]
    assert counts.loc["directives", "kept"] == len(old) - 1
    for kind in ("kpis", "budget", "responses"):  # nothing of theirs is touched
        assert counts.loc[kind].tolist()[1:] == [0, 0, 0, len(before[kind])], kind
    assert p.diff["directives_removed"].empty and p.diff["kpis_changed"].empty
    assert p.diff["budget_changed"].empty
    pub.publish(p, store, "analyst")
    after = store.load()
    for kind in ("kpis", "budget", "responses"):
        pd.testing.assert_frame_equal(after[kind], before[kind], obj=kind)
    ids = set(after["directives"]["directive_id"])
    assert set(old["directive_id"]) <= ids and len(ids) == len(old) + 48
    edited = after["directives"].set_index("directive_id").loc[first_id]
    assert edited["text"] == "แก้ไขข้อความ"


def test_one_units_q2_kpi_form_replaces_only_that_unit_and_period(store, office, published):
    kpis = published["kpis"]
    # the unit corrects one level in its Q2 form: "ระดับ ๔" → "ระดับ ๕"
    form = _only(office, [KPI_SHEET_Q2], _set_level("ระดับ ๕"))
    p = pub.prepare([("ตัวชี้วัด Q2 บางนา.xlsx", form)], store=store, sandbox=False)
    assert p.can_publish, p.blockers()
    carried = p.dataset.kpis[["unit", "fiscal_year", "period"]].drop_duplicates()
    assert len(carried) == 1
    unit, year, period = carried.iloc[0].tolist()
    assert period == "Q2"
    counts = p.change_counts().set_index("table")
    assert counts.loc["kpis", "changed"] == 1 and counts.loc["kpis", "removed"] == 0
    pub.publish(p, store, "analyst")
    after = store.load()["kpis"]
    in_scope = (after["unit"] == unit) & (after["fiscal_year"] == year) & (after["period"] == "Q2")
    old_scope = (kpis["unit"] == unit) & (kpis["fiscal_year"] == year) & (kpis["period"] == "Q2")
    # every other unit's rows and this unit's other periods are exactly as before
    pd.testing.assert_frame_equal(
        after[~in_scope].reset_index(drop=True), kpis[~old_scope].reset_index(drop=True)
    )
    assert _differ(after[in_scope]["actual"], kpis[old_scope]["actual"]) == 1
    assert store.snapshots()["changes"].iat[-1]["kpis"]["scopes"] == [f"{unit} · {year} · Q2"]


def test_shorter_responses_export_loses_nothing(store, office, published):
    before = published

    def shorter(wb):  # an older export: half the responses
        ws = wb["การตอบแบบฟอร์ม"]
        ws.delete_rows(ws.max_row // 2, ws.max_row)

    export = _only(office, ["การตอบแบบฟอร์ม"], shorter)
    p = pub.prepare([("responses-old.xlsx", export)], store=store, sandbox=False)
    assert p.counts["responses"] < len(before["responses"])
    assert not [i for i in p.issues if i.code == "unknown_directive"]  # known to the store
    assert p.blockers() == ["no_changes"]
    with pytest.raises(NothingToPublish):
        pub.publish(p, store, "analyst")
    after = store.load()
    pd.testing.assert_frame_equal(after["responses"], before["responses"])
    pd.testing.assert_frame_equal(after["directives"], before["directives"])


def test_new_responses_change_only_their_directives_status(store, office, published):
    before = published["directives"].set_index("directive_id")
    target = before.index[0]
    csv_text = (
        "ประทับเวลา,รหัสข้อสั่งการ,หน่วยงาน,สถานะ,รายละเอียดผลการดำเนินการ,ปัญหา/อุปสรรค,ผู้รายงาน\n"
        f"30/9/2567 16:00:00,{target},{before.loc[target, 'agency']},ไม่สามารถดำเนินการได้,"
        "ติดระเบียบ,ระเบียบไม่เปิดช่อง,หัวหน้าฝ่าย\n"
    )
    sid = _publish(store, [("ตอบแบบฟอร์ม.csv", csv_text.encode("utf-8"))])
    after = store.load(sid)["directives"].set_index("directive_id")
    assert after.loc[target, "status"] == "cannot"
    others = after.index != target
    pd.testing.assert_series_equal(
        after.loc[others, "status"].astype(object),
        before.loc[before.index != target, "status"].astype(object).reindex(after.index[others]),
    )
    assert len(store.load(sid)["responses"]) == len(published["responses"]) + 1


def test_cli_without_replace_register_never_removes(store, db_url, published, tmp_path, capsys):
    path = tmp_path / "สามรายการ.xlsx"
    path.write_bytes(_register_by_hand([("N-1", 2567, "สำนักการโยธา", "ใหม่", "")]))
    env = {"TRACKER_DATABASE_URL": db_url}
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        assert cli.main(["import", str(path)]) == cli.EXIT_OK
        ids = store.load()["directives"]["directive_id"]
        assert len(ids) == len(published["directives"]) + 1
        assert cli.main(["import", "--replace-register", str(path)]) == cli.EXIT_OK
    err = capsys.readouterr().err
    assert f"{len(published['directives']):,} directive(s) not in the file will be removed" in err
    assert store.load()["directives"]["directive_id"].tolist() == ["N-1"]
    for kind in ("kpis", "budget"):  # replacing the register leaves the KPIs and budget alone
        pd.testing.assert_frame_equal(store.load()[kind], published[kind])


def test_stale_preview_is_refused_inside_the_lock_and_rebased_by_the_cli(store, published):
    a = pub.prepare(
        [("a.xlsx", _register_by_hand([("A-1", 2567, "สำนักการโยธา", "ก", "")]))],
        store=store,
        sandbox=False,
    )
    b = pub.prepare(
        [("b.xlsx", _register_by_hand([("B-1", 2567, "สำนักการโยธา", "ข", "")]))],
        store=store,
        sandbox=False,
    )
    pub.publish(a, store, "one")
    with pytest.raises(pub.PublishRefused) as err:
        pub.publish(b, store, "two")  # the upload page: the user must look again
    assert err.value.code == "stale_preview"
    pub.publish(b, store, "two", rebase=True)  # the command line / sync: composed again
    ids = set(store.load()["directives"]["directive_id"])
    assert {"A-1", "B-1"} <= ids


@pytest.mark.parametrize("first", ["register", "kpi"])
def test_two_publishers_on_different_tables_both_land(store, office, published, first):
    register = [("r.xlsx", _register_by_hand([("R-1", 2567, "สำนักการโยธา", "ร", "")]))]
    kpi = [("k.xlsx", _only(office, [KPI_SHEET_Q2], _set_level("ระดับ ๓")))]
    preps = {
        "register": pub.prepare(register, store=store, sandbox=False),
        "kpi": pub.prepare(kpi, store=store, sandbox=False),
    }
    order = [first, "kpi" if first == "register" else "register"]
    results: dict[str, object] = {}
    go = threading.Barrier(2)

    def run(name: str) -> None:
        go.wait()
        try:
            results[name] = pub.publish(
                preps[name], Store(store.url.render_as_string(False)), name, rebase=True
            )
        except Exception as exc:  # reported by the assertion below
            results[name] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in order]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert all(isinstance(v, int) for v in results.values()), results
    final = store.load()
    assert "R-1" in set(final["directives"]["directive_id"])
    key = ["unit", "fiscal_year", "period", "kpi"]
    new_k, old_k = (
        f.sort_values(key).reset_index(drop=True) for f in (final["kpis"], published["kpis"])
    )
    assert _differ(new_k["actual"], old_k["actual"]) == 1
    pd.testing.assert_frame_equal(final["budget"], published["budget"])


def test_rollback_restores_a_whole_earlier_snapshot(store, office, published):
    first = store.current_id()
    _publish(store, [("r.xlsx", _register_by_hand([("R-9", 2567, "สำนักการโยธา", "ร", "")]))])
    store.rollback(first, user="admin")
    now = store.load()
    for kind, frame in published.items():
        pd.testing.assert_frame_equal(now[kind], frame, obj=kind)


def test_storage_grows_with_what_changed(store):
    """1,000 changed directives in 100,000 write 1,000 rows, not 100,000 again."""
    from tests.conftest import synthetic_frames

    frames = synthetic_frames(20_000)
    store.publish(frames, user="u", source="full.xlsx", sha256="f" * 64)
    current = store.load()
    upload = current["directives"].head(200).copy()
    upload["status"] = "done"
    upload["detail"] = "ปรับปรุง"
    comp = compose(current, {"directives": upload})
    assert comp.changes["directives"].changed == 200 and len(comp.changes["directives"].rows) == 200
    sid = store.publish_changes(
        comp, base_id=store.current_id(), user="u", source="x.xlsx", sha256="e" * 64
    )
    with store.engine.connect() as conn:
        written = conn.exec_driver_sql(
            f"SELECT COUNT(*) FROM directives WHERE snapshot_id = {sid}"
        ).scalar()
    assert written == 200
    loaded = store.load(sid)
    for kind in ("directives", "responses", "kpis", "budget"):
        pd.testing.assert_frame_equal(loaded[kind], canonical_frame(comp.frames[kind], kind))
    assert loaded["directives"]["status"].eq("done").sum() >= 200


def test_a_table_made_of_many_parts_is_compacted(store):
    from tests.conftest import synthetic_frames

    store.publish(synthetic_frames(50), user="u", source="s", sha256="a" * 64)
    for i in range(60):  # each publish changes one response-free directive
        cur = store.load()
        d = cur["directives"]
        up = d[d["directive_id"] == f"D-{i % 50 + 1:06d}"].copy()
        up["detail"] = f"รอบ {i}"
        comp = compose(cur, {"directives": up})
        store.publish_changes(
            comp, base_id=store.current_id(), user="u", source="s", sha256=f"{i:064d}"
        )
    parts = store.provenance()
    assert len(parts[parts["kind"] == "directives"]) <= 48
    final = store.load()["directives"]
    assert len(final) == 50 and final["detail"].str.startswith("รอบ").sum() == 50


def test_a_database_at_the_previous_revision_upgrades_with_every_snapshot_intact(db_url):
    """Snapshots written by the 0001 schema read back identical after the 0002 migration."""
    from tests.conftest import synthetic_frames
    from tracker.dataset import COLUMNS

    store = Store(db_url)
    store.upgrade("0001")
    olds = [synthetic_frames(300, prefix="A"), synthetic_frames(120, prefix="B", seed=4)]
    with store.engine.begin() as conn:  # what the 0001 publish wrote: rows keyed by snapshot
        for sid, frames in enumerate(olds, start=1):
            conn.exec_driver_sql(
                'INSERT INTO snapshots (id, created_at, "user", source, sha256, note, kind, '
                f"rows, counts) VALUES ({sid}, '2026-11-2{sid} 10:00:00', 'analyst', "
                f"'f{sid}.xlsx', '{sid:064d}', '', 'upload', 0, '{{}}')"
            )
            for kind in COLUMNS:
                if len(frames[kind]):
                    store._bulk_insert(conn, kind, canonical_frame(frames[kind], kind), sid)
        conn.exec_driver_sql("UPDATE current_snapshot SET snapshot_id = 2 WHERE id = 1")
        if store.dialect == "postgresql":  # ids were given: move the sequence past them
            conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('snapshots', 'id'), 2)")
    store.upgrade()
    for sid, frames in enumerate(olds, start=1):
        loaded = store.load(sid)
        for kind in COLUMNS:
            pd.testing.assert_frame_equal(loaded[kind], canonical_frame(frames[kind], kind))
    hist = store.history("directives", columns=["directive_id"])
    assert hist["snapshot_id"].tolist() == [1] * 300 + [2] * 120
    # and a scoped publish lands on top of a migrated snapshot
    current = store.load()
    up = current["directives"].head(3).copy()
    up["status"] = "cannot"
    sid = store.publish_changes(
        compose(current, {"directives": up}),
        base_id=2,
        user="u",
        source="fix.xlsx",
        sha256="9" * 64,
    )
    after = store.load(sid)
    assert len(after["directives"]) == 120 and after["directives"]["status"].eq("cannot").sum() >= 3
    pd.testing.assert_frame_equal(after["kpis"], current["kpis"])
    rolled = store.rollback(1, user="admin")
    assert rolled is None and len(store.load()["directives"]) == 300
    store.dispose()
