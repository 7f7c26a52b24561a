"""Fix in place (issue 15): the cells with errors corrected on the page, checked again,
published, audited (who, when, file, sheet, cell, old → new), and downloadable corrected."""

from __future__ import annotations

import io

import openpyxl

from tests.helpers.hand import register_with_bad_statuses
from tracker.publish import flow as pub
from tracker.read.corrections import Correction, fixable

NAME = "ทะเบียน_แก้.xlsx"


def _fixes(*pairs: tuple[int, str]) -> list[Correction]:
    return [Correction(NAME, "ทะเบียน", row, "E", "", new) for row, new in pairs]


def test_the_cells_with_errors_are_listed_once_each(store):
    prepared = pub.prepare([(NAME, register_with_bad_statuses())], store=store, sandbox=False)
    cells = fixable(prepared.issues)
    assert cells[["sheet", "row", "letter", "value"]].values.tolist() == [
        ["ทะเบียน", 3, "E", "เสร็จครึ่งๆ"],
        ["ทะเบียน", 5, "E", "??"],
    ]
    assert set(cells["column"]) == {"สถานะ (E)"}


def test_corrected_cells_pass_publish_and_are_audited(store):
    data = register_with_bad_statuses()
    fixes = _fixes((3, "ดำเนินการแล้ว"), (5, "อยู่ระหว่างดำเนินการ"))
    prepared = pub.prepare([(NAME, data)], store=store, sandbox=False, corrections=fixes)
    assert not prepared.has_errors, prepared.report()
    assert [(c.row, c.old, c.new) for c in prepared.corrections] == [
        (3, "เสร็จครึ่งๆ", "ดำเนินการแล้ว"),
        (5, "??", "อยู่ระหว่างดำเนินการ"),
    ]
    # a corrected upload is not the same upload as the file alone
    plain = pub.prepare([(NAME, data)], store=store, sandbox=False)
    assert plain.sha256 != prepared.sha256
    sid = pub.publish(prepared, store, "analyst@bma.go.th")
    loaded = store.load(sid)["directives"].sort_values("row")
    assert loaded["status"].astype(str).tolist() == ["done", "done", "in_progress"]
    audit = store.audit_log()
    edits = audit[audit["action"] == "cell_edit"]
    assert edits["user"].tolist() == ["analyst@bma.go.th"] * 2
    assert edits["snapshot_id"].tolist() == [sid, sid]
    assert edits["message"].iloc[0] == f"{NAME} · ทะเบียน · E3: “เสร็จครึ่งๆ” → “ดำเนินการแล้ว”"


def test_a_correction_for_a_cell_that_is_not_there_is_ignored(store):
    fixes = [*_fixes((3, "ดำเนินการแล้ว")), Correction("other.xlsx", "x", 2, "A", "", "y")]
    fixes.append(Correction(NAME, "ทะเบียน", 900, "E", "", "done"))
    prepared = pub.prepare(
        [(NAME, register_with_bad_statuses())], store=store, sandbox=False, corrections=fixes
    )
    assert [c.row for c in prepared.corrections] == [3]
    assert [c.row for c in fixable(prepared.issues).itertuples()] == [5]


def test_the_corrected_workbook_keeps_every_cell_in_place_and_no_formula(store):
    fixes = _fixes((3, "ดำเนินการแล้ว"), (5, "=1+1"))
    prepared = pub.prepare(
        [(NAME, register_with_bad_statuses())], store=store, sandbox=False, corrections=fixes
    )
    from tracker.present.exports import cells_xlsx

    wb = openpyxl.load_workbook(io.BytesIO(cells_xlsx(prepared.corrected_sheets)))
    ws = wb["ทะเบียน"]
    assert ws["A1"].value == "ทะเบียนข้อสั่งการ ปีงบประมาณ พ.ศ. ๒๕๖๗"
    assert ws["E2"].value == "สถานะ"
    assert ws["E3"].value == "ดำเนินการแล้ว"
    assert ws["E4"].value == "ดำเนินการแล้ว"
    assert ws["E5"].value == "=1+1" and ws["E5"].data_type == "s"  # text, not a formula
    assert ws["C4"].value == "สำนักการโยธา"
