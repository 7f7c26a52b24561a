"""Each sheet read is let go as soon as it is normalised (issue 20): what a million-directive
register costs is one sheet's cells at a time, not the whole workbook's to the end.

Caught before: ``summary`` and ``import`` kept a second reference to the list of sheets they
had read, so the register's cells (a shared-memory mapping of 800 MB at 1M directives) stayed
while the responses were read and the snapshot written.
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from data_sources import excel, xlsx_split
from tracker import cli
from tracker.dev.sample import write_sample
from tracker.publish import flow
from tracker.read import loader


@pytest.fixture
def workbook(tmp_path) -> Path:
    path = tmp_path / "ทะเบียน.xlsx"
    write_sample(path, directives=300)
    return path


def _watch(monkeypatch, reader_module) -> list[int]:
    """For each sheet normalised: how many sheets read before it are still alive."""
    refs: list[weakref.ref] = []
    still_alive: list[int] = []
    real_read = reader_module.read_file

    def read_file(*args, **kwargs):
        tables = real_read(*args, **kwargs)
        refs.extend(weakref.ref(t) for t in tables)
        return tables

    real_detect = loader.detect_tables

    def detect_tables(raw, *args, **kwargs):
        gc.collect()
        position = next(i for i, r in enumerate(refs) if r() is raw)
        still_alive.append(sum(r() is not None for r in refs[:position]))
        return real_detect(raw, *args, **kwargs)

    monkeypatch.setattr(reader_module, "read_file", read_file)
    monkeypatch.setattr(loader, "detect_tables", detect_tables)
    return still_alive


def test_summary_lets_each_sheet_go(monkeypatch, workbook):
    import data_sources.files as files

    still_alive = _watch(monkeypatch, files)
    result = cli._load([str(workbook)], None, None)
    assert len(result.dataset.directives) == 300
    assert len(still_alive) > 5  # every sheet was watched
    assert set(still_alive) == {0}, still_alive


def test_import_lets_each_sheet_go(monkeypatch, workbook):
    still_alive = _watch(monkeypatch, flow)
    prepared = flow.prepare([(workbook.name, workbook)], sandbox=False)
    assert len(prepared.dataset.directives) == 300
    assert len(still_alive) > 5
    assert set(still_alive) == {0}, still_alive


def test_a_big_sheet_read_in_blocks_is_let_go_before_the_next(monkeypatch, workbook):
    """In the parse child: sheet 1 is read while only its own cells are held."""
    monkeypatch.setattr(xlsx_split, "SPLIT_BYTES", 4096)
    monkeypatch.setattr(xlsx_split, "CHUNK_BYTES", 8192)
    monkeypatch.setattr(xlsx_split, "_READ_BYTES", 4096)
    monkeypatch.setattr(excel, "PARALLEL_MAX_BYTES", 0)
    assert xlsx_split.sheets_to_cut(str(workbook))[:2] == [0, 1]
    parsed: list[weakref.ref] = []
    alive_when_parsing: list[int] = []
    real = excel._parse_blocks

    def parse_blocks(*args, **kwargs):
        gc.collect()
        alive_when_parsing.append(sum(r() is not None for r in parsed))
        sheet = real(*args, **kwargs)
        parsed.append(weakref.ref(sheet.table))
        return sheet

    monkeypatch.setattr(excel, "_parse_blocks", parse_blocks)
    rows = []
    for sheet in excel.iter_workbook(str(workbook), workbook.name):
        rows.append(sheet.table.num_rows)
        del sheet  # as the sandbox child does once a sheet is handed over
    assert rows[0] > 300 and rows[1] > 100
    assert len(alive_when_parsing) > 2
    assert set(alive_when_parsing) == {0}  # the register was let go before the responses
