"""`python -m tracker import / snapshots / rollback / template / summary --current` on both
databases, and the contract test that pins the JSON shapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.helpers.registers import V1, V2, csv_bytes
from tracker.cli import main
from tracker.dev.sample import write_sample
from tracker.present.template import REGISTER_SHEET

ROOT = Path(__file__).resolve().parents[2]

SUMMARY_KEYS = {"directives", "kpis", "budget", "issues", "time_to_done", "units"}
DIRECTIVE_KEYS = {"total", "by_status", "by_agency", "by_factor", "by_group", "by_district"}
SNAPSHOT_KEYS = {"id", "created_at", "user", "source", "rows", "sha256", "note", "current"}


@pytest.fixture
def cli(db_url, monkeypatch, capsys):
    """Run ``python -m tracker`` in-process on a fresh database; returns (code, out, err)."""
    monkeypatch.setenv("TRACKER_DATABASE_URL", db_url)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main([str(a) for a in argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cli_files")
    out = {
        "v1": d / "ทะเบียน v1.csv",
        "v2": d / "v2.csv",
        "bad": d / "bad.csv",
        "fake": d / "fake.xlsx",
        "wb": d / "sample.xlsx",
    }
    out["v1"].write_bytes(csv_bytes(V1))
    out["v2"].write_bytes(csv_bytes(V2))
    out["bad"].write_bytes(csv_bytes([("A1", "สำนักงานเขตบางนา", "เสร็จครึ่งหนึ่ง", "")]))
    out["fake"].write_bytes(b"this is not a workbook\n\x00\x01")
    write_sample(out["wb"], directives=30, seed=5)
    return out


def test_import_snapshots_duplicate_rollback(cli, files):
    code, out, _ = cli("import", files["v1"], "--note", "รอบแรก", "--user", "somchai")
    assert code == 0 and "#1" in out
    code, _, err = cli("import", files["v1"])
    assert code == 1
    assert "#1" in err and "already published" in err
    code, out, _ = cli("import", files["v2"])
    assert code == 0 and "#2" in out

    code, out, _ = cli("snapshots", "--json")
    snaps = json.loads(out)
    assert [(s["id"], s["current"], s["user"], s["note"]) for s in snaps] == [
        (1, False, "somchai", "รอบแรก"),
        (2, True, "cli", ""),
    ]
    assert snaps[0]["source"] == "ทะเบียน v1.csv" and snaps[0]["rows"] == 3
    assert snaps[0]["created_at"].endswith("Z")

    assert cli("rollback", "1")[0] == 0
    code, out, _ = cli("snapshots")
    assert code == 0
    assert [line[0] for line in out.splitlines()] == ["*", " "]  # #1 is current again
    code, _, err = cli("rollback", "99")
    assert code == 1 and "99" in err


@pytest.mark.parametrize(
    ("key", "code", "issue", "why"),
    [
        ("bad", 1, "unknown_status", "error(s) found"),
        ("fake", 2, "unreadable_file", "Unreadable file(s)"),
    ],
)
def test_import_refusals_publish_nothing(cli, files, key, code, issue, why):
    got, out, err = cli("import", files[key])
    assert got == code
    assert issue in out and why in err
    assert json.loads(cli("snapshots", "--json")[1]) == []


def test_import_missing_file_is_unreadable(cli, tmp_path):
    code, _, err = cli("import", tmp_path / "nope.xlsx")
    assert code == 2 and "nope.xlsx" in err


def test_template_command_and_blank_template_is_not_published(cli, tmp_path):
    out = tmp_path / "แบบฟอร์ม.xlsx"
    assert cli("template", out)[0] == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == REGISTER_SHEET
    code, _, err = cli("import", out)
    assert code == 1 and "no rows" in err


def test_summary_current_equals_summary_of_the_files(cli, files):
    code, _, err = cli("summary", "--current", "--json")
    assert code == 1 and "Nothing has been published" in err
    assert cli("import", files["wb"])[0] == 0
    code, out, _ = cli("summary", "--current", "--json")
    assert code == 0
    current = json.loads(out)
    from_files = json.loads(cli("summary", files["wb"], "--json")[1])
    # contract: the same keys as the file summary, plus the snapshot they come from
    assert set(from_files) == SUMMARY_KEYS
    assert set(current) == SUMMARY_KEYS | {"snapshot"}
    assert set(current["directives"]) == DIRECTIVE_KEYS
    assert set(current["snapshot"]) == SNAPSHOT_KEYS
    assert current["snapshot"]["id"] == 1 and current["snapshot"]["current"] is True
    assert current["issues"] == []  # a published snapshot carries no open errors
    for key in ("directives", "kpis", "budget", "time_to_done", "units"):
        assert current[key] == from_files[key], key
    code, out, _ = cli("summary", "--current")
    assert code == 0 and "snapshot #1" in out and f"{current['directives']['total']}" in out


def test_summary_needs_files_or_current(cli):
    code, _, err = cli("summary")
    assert code == 2 and "--current" in err


def test_snapshots_json_contract(cli, files):
    cli("import", files["v1"])
    (item,) = json.loads(cli("snapshots", "--json")[1])
    assert set(item) == SNAPSHOT_KEYS
    assert {k: type(v).__name__ for k, v in item.items()} == {
        "id": "int",
        "created_at": "str",
        "user": "str",
        "source": "str",
        "rows": "int",
        "sha256": "str",
        "note": "str",
        "current": "bool",
    }
    assert len(item["sha256"]) == 64


def test_unreachable_database_exit_3(monkeypatch, capsys, tmp_path):
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'file' / 'x.sqlite'}")
    code = main(["snapshots"])
    err = capsys.readouterr().err
    assert code == 3
    assert "ฐานข้อมูล" in err and "database" in err.lower()
    assert "Traceback" not in err


def test_entry_point_in_a_subprocess(files, tmp_path):
    env = {**os.environ, "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}"}
    run = [sys.executable, "-m", "tracker"]
    done = subprocess.run(
        [*run, "import", str(files["bad"]), "--note", "x"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr  # the exit code reaches the shell
    assert "unknown_status" in done.stdout and "Traceback" not in done.stderr


def test_output_cut_short_by_the_reader_ends_quietly(tmp_path):
    """`python -m tracker summary --json … | head -c 100`: no "internal error", no traceback.
    The JSON (150 KB) is more than a pipe holds, so the writer is still writing when the
    reader goes away."""
    env = {**os.environ, "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tracker",
            "summary",
            "--json",
            "sample_data/bma_followup_sample.xlsx",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = proc.stdout.read(100)
    proc.stdout.close()  # the reader goes away, as `head -c 100` does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert first.startswith(b"{")
    assert "internal error" not in err and "Traceback" not in err and "Exception" not in err


def test_sample_prints_one_summary_line_and_json_on_request(tmp_path, capsys):
    out = tmp_path / "s.xlsx"
    assert main(["sample", str(out), "--directives", "30", "--seed", "2"]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 1 and "30 directives" in printed[0] and out.exists()
    assert main(["sample", str(out), "--directives", "30", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["directives"]["total"] == 30
