"""The catalogues and the registry of codes agree: both languages, same keys, same parameters;
every code the source uses is registered; every issue text belongs to a registered code."""

import dataclasses
import pickle
import re
import string
from pathlib import Path

import pytest

from messages.codes import CODES, ISSUES, spec
from messages.i18n import catalogue
from messages.problems import Bilingual, Issue, issue
from tracker.checks.validate import ISSUE_COLUMNS, issues_frame, make_issue

ROOT = Path(__file__).resolve().parents[2]


def _placeholders(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_same_keys_in_both_languages():
    th, en = catalogue("th"), catalogue("en")
    assert set(th) == set(en), set(th) ^ set(en)


def test_no_empty_messages():
    for lang in ("th", "en"):
        assert all(v.strip() for v in catalogue(lang).values()), lang


def test_every_registered_code_has_both_texts_with_the_same_parameters():
    th, en = catalogue("th"), catalogue("en")
    assert len(CODES) >= 60
    for code in CODES.values():
        assert code.key in th and code.key in en, code
        assert _placeholders(th[code.key]) == _placeholders(en[code.key]), code


def test_every_issue_text_belongs_to_a_registered_code():
    orphans = {k for k in catalogue("th") if k.startswith("issue.") and k[6:] not in ISSUES}
    assert orphans == set()


def _codes_in_code() -> set[str]:
    pattern = re.compile(
        r"""(?:make_issue|\.issue|more_rows)\(\s*["'](?:error|warning|info)["'],\s*["'](\w+)["']"""
    )
    codes = set()
    for path in [*ROOT.glob("tracker/**/*.py"), *ROOT.glob("data_sources/**/*.py")]:
        codes |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return codes


def test_every_issue_code_written_in_the_source_is_registered_with_its_severity():
    text = "\n".join(
        p.read_text(encoding="utf-8")
        for p in [*ROOT.glob("tracker/**/*.py"), *ROOT.glob("data_sources/**/*.py")]
    )
    pattern = r"""(?:make_issue|\.issue)\(\s*["'](error|warning|info)["'],\s*["'](\w+)["']"""
    found = re.findall(pattern, text)
    assert len(found) >= 20
    for severity, code in found:
        assert spec(code).severity in (severity, "any"), (code, severity)
    assert _codes_in_code() <= set(CODES)


def test_an_issue_holds_its_code_and_parameters_and_renders_only_when_shown():
    names = {f.name for f in dataclasses.fields(Issue)}
    assert "message_th" not in names and "message_en" not in names
    found = make_issue(
        "error",
        "unreadable_file",
        file="งบ.xlsx",
        value="bad zip",
        reason=Bilingual("ไฟล์เสีย", "damaged"),
    )
    assert found.message_th == "อ่านไฟล์ไม่ได้: ไฟล์เสีย"
    assert found.message_en == "File cannot be read: damaged"
    assert pickle.loads(pickle.dumps(found)) == found
    assert list(found.to_dict()) == list(ISSUE_COLUMNS)


def test_column_key_header_and_letter_are_kept_apart_and_shown_together():
    found = issue(
        "error",
        "unknown_status",
        file="ทะเบียน.xlsx",
        sheet="ข้อสั่งการ",
        row=7,
        column_key="status",
        header="สถานะ",
        letter="L",
        value="งงงง",
    )
    assert (found.column_key, found.header, found.letter) == ("status", "สถานะ", "L")
    assert found.column == "สถานะ (L)"
    row = issues_frame([found]).iloc[0]
    assert row["column"] == "สถานะ (L)" and row["row"] == 7
    assert "งงงง" in row["message_th"] and "งงงง" in row["message_en"]
    # a cross-row check names the canonical column only
    assert issue("error", "duplicate_id", column_key="directive_id", rows="3, 9").column == (
        "directive_id"
    )


def test_the_registry_refuses_what_it_does_not_know():
    with pytest.raises(KeyError, match="unregistered"):
        issue("error", "no_such_code")
    with pytest.raises(ValueError, match="registered as error"):
        issue("info", "unknown_status")
    with pytest.raises(ValueError, match="needs"):
        issue("info", "more_rows", value="unknown_status")  # n missing
    with pytest.raises(TypeError):
        make_issue("error", "unknown_status", column="สถานะ (L)")
