"""Column mapping (issue 15): a register whose agency column has a header nobody taught us.

Fixtures are typed by hand with openpyxl the way an office types them (a title line, then the
header), not written by the sample writer. The mapping is saved per file-name pattern in the
database (SQLite and PostgreSQL), audited, and applied on the next upload and by the CLI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.hand import HEADER, hand_register_bytes
from tracker.publish import flow as pub
from tracker.read.loader import build_dataset, read_paths
from tracker.read.mapping import guess, mapping_from_choices, source_pattern

ROOT = Path(__file__).resolve().parents[2]
register = hand_register_bytes


def test_an_unknown_header_is_listed_with_every_header_of_the_file(tmp_path):
    path = tmp_path / "ทะเบียน_2567.xlsx"
    path.write_bytes(register())
    tables, bad = read_paths([path], sandbox=False)
    ds = build_dataset(tables, bad)
    assert [i.code for i in ds.issues if i.severity == "error"] == ["missing_column"]
    assert len(ds.directives) == 0
    (table,) = ds.unmatched
    assert (table.source, table.sheet, table.kind, table.missing) == (
        "ทะเบียน_2567.xlsx",
        "ทะเบียน",
        "directives",
        ["agency"],
    )
    assert [h[0] for h in table.headers.values()] == HEADER
    assert table.headers["C"] == ("ผู้ปฏิบัติ", "", "")
    assert table.headers["E"][1] == "status"
    assert table.unused == ["ผู้ปฏิบัติ", "หมายเหตุ"]
    # with the mapping the same file reads all its rows and the error is gone
    ds = build_dataset(tables, bad, mapping=mapping_from_choices({"ผู้ปฏิบัติ": "agency"}))
    assert not [i for i in ds.issues if i.severity == "error"]
    assert ds.directives["agency"].astype(str).tolist()[:2] == ["สำนักงานเขตบางรัก", "สำนักการโยธา"]
    assert ds.unmatched == []


def test_guesses_and_patterns():
    assert guess("หน่วยงานผู้รับผิดชอบหลัก", "directives") == "agency"
    assert guess("xyz", "directives") == ""
    assert source_pattern("ทะเบียน_๒๕๖๗_v2.xlsx") == source_pattern("ทะเบียน_2568_V3.XLSX")
    assert source_pattern("ทะเบียน_2568.xlsx") == "ทะเบียน_#"
    assert source_pattern("งบประมาณ.xlsx") != source_pattern("ทะเบียน.xlsx")


def test_a_saved_mapping_applies_to_the_next_file_named_alike_and_is_audited(store):
    first = pub.prepare([("ทะเบียน_2567.xlsx", register())], store=store, sandbox=False)
    assert "has_errors" in first.blockers()
    pattern = source_pattern(first.dataset.unmatched[0].source)
    saved = store.save_column_mappings(pattern, {"ผู้ปฏิบัติ": "agency", "หมายเหตุ": ""}, "ana")
    assert saved == 1
    second = pub.prepare([("ทะเบียน_2568.xlsx", register(5))], store=store, sandbox=False)
    assert second.blockers() == [], second.report()
    assert second.counts["directives"] == 5
    assert second.saved_mappings[["pattern", "header", "field", "saved_by"]].values.tolist() == [
        ["ทะเบียน_#", "ผู้ปฏิบัติ", "agency", "ana"]
    ]
    # another file name is read as it is
    other = pub.prepare([("สรุป.xlsx", register())], store=store, sandbox=False)
    assert "has_errors" in other.blockers()
    audit = store.audit_log()
    row = audit[audit["action"] == "column_mapping"].iloc[-1]
    assert (row["user"], row["source"], row["message"]) == ("ana", "ทะเบียน_#", "ผู้ปฏิบัติ → agency")
    # saving again replaces the pattern's mapping (nothing stale stays)
    store.save_column_mappings(pattern, {"ผู้ปฏิบัติ": "text"}, "ana")
    assert store.column_mappings([pattern])["field"].tolist() == ["text"]


def test_the_cli_import_applies_the_saved_mapping(tmp_path):
    from tracker.store import Store

    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    s = Store(url)
    s.upgrade()
    s.save_column_mappings("ทะเบียน_#", {"ผู้ปฏิบัติ": "agency"}, "ana")
    s.dispose()
    path = tmp_path / "ทะเบียน_2569.xlsx"
    path.write_bytes(register(4))
    env = {**os.environ, "TRACKER_DATABASE_URL": url}
    out = subprocess.run(
        [sys.executable, "-m", "tracker", "import", "--user", "ana", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    s = Store(url)
    loaded = s.load()
    s.dispose()
    assert len(loaded["directives"]) == 4
    assert "สำนักการโยธา" in set(loaded["directives"]["agency"].astype(str))


def test_the_mapping_table_upgrades_in_place(db_url):
    """A database made before the mapping table gains it on upgrade (Alembic 0003)."""
    from tracker.store import Store

    s = Store(db_url)
    s.upgrade("0002")
    with pytest.raises(Exception):  # noqa: B017 - the table is not there yet
        s.column_mappings(["ทะเบียน_#"])
    s.upgrade()
    assert s.column_mappings(["ทะเบียน_#"]).empty
    s.dispose()
