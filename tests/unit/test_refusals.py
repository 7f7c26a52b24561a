"""The readers' refusals: registered codes, catalogued texts in both languages, never a
sentence in the code; an UnreadableFile pickles and crosses the sandbox as code + parameters."""

from __future__ import annotations

import ast
import json
import pickle
import string
from pathlib import Path

import pytest

from data_sources.base import UnreadableFile, refuse
from data_sources.sandbox import _child_error, _params_json
from messages.codes import spec
from messages.i18n import catalogue
from messages.problems import Refusal
from messages.reader_codes import READER_REFUSALS, READER_VARIANTS, reader_key

ROOT = Path(__file__).resolve().parents[2]
# Variants whose Thai text omits a detail the English names (kept byte-identical for now).
THAI_OMITS = {"read.macro_enabled.found": {"why"}, "read.zip_bomb.ratio": {"part"}}
# Calls that pass a code on instead of naming one: (file, enclosing function).
FORWARDERS = {
    ("base.py", "refuse"),
    ("http_source.py", "_error"),
    ("sandbox.py", "_child_error"),
}
# Builders of a refusal, and the parameters they fill in themselves.
BUILDERS = {"refuse": set(), "UnreadableFile": set(), "_error": {"url"}}


def _placeholders(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _all_keys() -> list[str]:
    keys = list(READER_REFUSALS.values())
    for code, variants in READER_VARIANTS.items():
        keys += [reader_key(code, variant) for variant in variants]
    return keys


def test_every_reader_code_has_thai_and_english_texts_with_the_same_placeholders():
    th, en = catalogue("th"), catalogue("en")
    assert len(READER_REFUSALS) >= 30
    for code, key in READER_REFUSALS.items():
        assert key == f"read.{code}" and spec(code).kind == "refusal", code
        assert th.get(key, "").strip() and en.get(key, "").strip(), key
        assert _placeholders(th[key]) == _placeholders(en[key]), key
        assert "variant" not in _placeholders(en[key]), key
    for key in set(_all_keys()) - set(READER_REFUSALS.values()):
        assert th.get(key, "").strip() and en.get(key, "").strip(), key
        omitted = THAI_OMITS.get(key, set())
        assert _placeholders(th[key]) | omitted == _placeholders(en[key]), key
    assert set(READER_VARIANTS) <= set(READER_REFUSALS)


def test_the_read_catalogues_hold_only_registered_codes_and_their_variants():
    for lang in ("th", "en"):
        read_keys = {k for k in catalogue(lang) if k.startswith("read.")}
        assert read_keys == set(_all_keys()), lang


class _Calls(ast.NodeVisitor):
    """Every call building a refusal in one file, with its innermost enclosing function."""

    def __init__(self, file: str) -> None:
        self.file, self.function, self.found = file, "", []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        outer, self.function = self.function, node.name
        self.generic_visit(node)
        self.function = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in BUILDERS and (name != "_error" or self.file == "http_source.py"):
            self.found.append((self.file, self.function, node))
        self.generic_visit(node)


def _refusal_calls() -> list[tuple[str, str, ast.Call]]:
    """Every call building a refusal in data_sources/: (file, enclosing function, call)."""
    found = []
    for path in sorted((ROOT / "data_sources").glob("*.py")):
        visitor = _Calls(path.name)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
        found += visitor.found
    return found


def test_every_refusal_in_data_sources_names_a_registered_code_and_its_parameters():
    calls = _refusal_calls()
    assert len(calls) >= 45
    checked = 0
    for file, function, call in calls:
        where = f"data_sources/{file}:{call.lineno}"
        func = call.func
        builder = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        assert len(call.args) == 2, f"{where}: (name, code, **params), no texts"
        code = call.args[1]
        if not isinstance(code, ast.Constant):
            assert (file, function) in FORWARDERS, f"{where}: name the code"
            continue
        assert code.value in READER_REFUSALS, f"{where}: {code.value} is not registered"
        keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
        variant = keywords.get("variant")
        if variant is not None:
            assert isinstance(variant, ast.Constant), where
            key = reader_key(code.value, variant.value)  # a declared variant, or ValueError
        else:
            key = READER_REFUSALS[code.value]
        if all(k.arg is not None for k in call.keywords):  # no **params: all named here
            given = set(keywords) | BUILDERS[builder]
            for lang in ("th", "en"):
                missing = _placeholders(catalogue(lang)[key]) - given
                assert not missing, f"{where}: {key} needs {sorted(missing)}"
        checked += 1
    assert checked >= 45


def test_an_unreadable_file_survives_pickling_and_renders_its_reasons():
    error = refuse(
        "ยาว.csv",
        "cell_too_long",
        row=2,
        column="D",
        length=40_000,
        limit=32_767,
        setting="TRACKER_MAX_CELL_CHARS",
    )
    assert isinstance(error, Refusal)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is UnreadableFile
    assert (again.source, again.code, again.params) == (error.source, error.code, error.params)
    assert again.reason_th == (
        "เซลล์ในแถวที่ 2 คอลัมน์ D ยาว 40,000 ตัวอักษร เกินกำหนด 32,767 ตัวอักษร"
        " (ผู้ดูแลระบบขยายได้ด้วยค่าตั้ง TRACKER_MAX_CELL_CHARS)"
    )
    assert again.reason_en == (
        "The cell in row 2, column D holds 40,000 characters, more than the limit of 32,767."
        " An administrator can raise the setting TRACKER_MAX_CELL_CHARS to admit it."
    )
    assert (again.message_th, again.message_en) == (again.reason_th, again.reason_en)
    assert str(again) == f"ยาว.csv: {again.reason_en}"
    variant = pickle.loads(
        pickle.dumps(
            refuse(
                "a.csv",
                "too_large",
                variant="csv_columns",
                count=20_001,
                limit=16_384,
                setting="TRACKER_MAX_CSV_COLUMNS",
            )
        )
    )
    assert variant.code == "too_large" and variant.key == "read.too_large.csv_columns"
    assert variant.reason_en == (
        "The CSV file has 20,001 columns, more than the limit of 16,384. An administrator can"
        " raise the setting TRACKER_MAX_CSV_COLUMNS to admit it."
    )
    assert variant.reason_th == (
        "ไฟล์ CSV มี 20,001 คอลัมน์ เกินกำหนด 16,384 คอลัมน์"
        " (ผู้ดูแลระบบขยายได้ด้วยค่าตั้ง TRACKER_MAX_CSV_COLUMNS)"
    )


def test_a_refusal_needs_a_registered_code_a_declared_variant_and_its_parameters():
    with pytest.raises(KeyError, match="unregistered"):
        refuse("x.csv", "csv_encoding")  # one failure, one code: bad_encoding
    with pytest.raises(ValueError, match="needs"):
        refuse("x.csv", "cell_too_long", row=2)
    with pytest.raises(ValueError, match="no variant"):
        refuse("x.csv", "too_large", variant="nope")
    with pytest.raises(ValueError, match="needs"):
        refuse("x.csv", "too_large", variant="csv_columns", limit=1)
    with pytest.raises(ValueError, match="not a refusal"):
        refuse("x.csv", "missing_column")


@pytest.mark.parametrize(
    "error",
    [
        refuse("งบ.csv", "bad_encoding", name="งบ.csv"),
        refuse(
            "งบ.csv",
            "too_large",
            variant="csv_rows",
            limit=1_048_576,
            setting="TRACKER_MAX_CSV_ROWS",
        ),
        refuse("งบ.xlsx", "parse_failed", variant="workbook_sheet", sheet="ชีต 1", detail="x"),
        refuse("งบ.xlsx", "timeout", seconds=0.5, setting="TRACKER_SANDBOX_SECONDS"),
    ],
    ids=lambda e: e.key,
)
def test_the_sandbox_child_sends_a_code_and_parameters_and_the_parent_rebuilds_them(error):
    sent = {"status": "error", "code": error.code, "params": _params_json(error)}
    header = json.loads(json.dumps(sent))
    assert "th" not in header and "en" not in header
    rebuilt = _child_error(header, error.source)
    assert (rebuilt.code, rebuilt.params) == (error.code, error.params)
    assert (rebuilt.reason_th, rebuilt.reason_en) == (error.reason_th, error.reason_en)


@pytest.mark.parametrize(
    "header",
    [
        {"code": "store_error", "params": {}},  # registered, but not a reader's refusal
        {"code": ["timeout"], "params": {"seconds": 1}},
        {"code": "too_large", "params": {"variant": "csv_columns", "count": "many", "limit": 1}},
        {"code": "cell_too_long", "params": {"row": 1}},  # parameters missing
        {"code": "xml_attack", "params": {"part": ["a", "list"]}},
        {"code": "not_found", "th": "ข้อความ", "en": "a text"},  # sentences are not accepted
        {"code": "parse_failed", "detail": "boom"},
    ],
)
def test_a_child_header_that_does_not_hold_up_becomes_a_damaged_file(header):
    rebuilt = _child_error({"status": "error", **header}, "เสีย.xlsx")
    assert (rebuilt.code, rebuilt.source, rebuilt.key) == (
        "parse_failed",
        "เสีย.xlsx",
        "read.parse_failed",
    )
    assert rebuilt.reason_en.startswith("The file is damaged or incomplete (")
