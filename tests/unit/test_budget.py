"""tracker.read.budget_form (reading rules, validation), tracker.metrics.budget_sums (metrics, JSON
rows) and tracker.metrics.targets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from data_sources.base import RawTable
from tracker import thai
from tracker.metrics import budget_sums
from tracker.metrics.targets import DEFAULT, Targets, load_targets
from tracker.read import budget_form as budget
from tracker.read.headers import detect

HEADER = ["ประเภทงบรายจ่าย", "งบประมาณหลังปรับโอน", "ผลการเบิกจ่าย", "ร้อยละการเบิกจ่าย"]
TITLE = [["หน่วยงาน : สำนักงานเขตบางนา สำนักปลัดกรุงเทพมหานคร"], ["ข้อมูล ณ วันที่ 31 มีนาคม 2567"]]
FIRST = 4  # Excel row of the first data row below TITLE + HEADER


def raw_table(rows: list[list[str | None]], sheet: str = "งบ") -> RawTable:
    width = max(len(r) for r in rows)
    frame = pd.DataFrame([[*r, *([None] * (width - len(r)))] for r in rows], dtype=object)
    return RawTable(source="b.xlsx", sheet=sheet, frame=frame)


def read(body: list[list[str | None]], title=TITLE, header=HEADER, **kw):
    raw = raw_table([*title, header, *body])
    match = detect(raw)
    assert match is not None and match.kind == "budget" and not match.missing
    return budget.normalize(raw, match, **kw)


def codes(issues, severity=None) -> set[tuple[str, str, int | None]]:
    return {(i.severity, i.code, i.row) for i in issues if severity in (None, i.severity)}


# --- labels ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "kind", "dashed"),
    [
        ("- งบดำเนินงาน", "operating", True),
        ("งบดำเนินงาน", "operating", False),
        ("– งบลงทุน", "investment", True),
        ("- งบเงินอุดหนุน", "subsidy", True),
        ("- งบรายจ่ายอื่น", "other", True),
        ("งบกลาง (ไม่รวมงบบุคลากร)", "central", False),
        ("งบประมาณกันเงินไว้เบิกเหลือมปี แบบไม่มีหนี้ผูกพัน (ไม่รวมงบบุคลากร)", "carryover", False),
        ("งบประมาณกันเงินไว้เบิกเหลื่อมปี", "carryover", False),
        ("งบประมาณประจำปี", "annual", False),
        ("งบประมาณรายจ่ายประจำปี พ.ศ. 2567", "annual", False),
        ("- งบบุคลากร", "personnel", True),
        ("รวมทั้งสิ้น", "total", False),
        ("รวม", "total", False),
        ("Total", "total", False),
        ("Operating", "operating", False),
        ("Investment", "investment", False),
        ("Subsidy", "subsidy", False),
        ("Other expenditure", "other", False),
        ("Central fund", "central", False),
        ("Carry-over", "carryover", False),
        ("1. งบดำเนินงาน", "operating", False),
        ("งบพิเศษ", None, False),
        ("หมายเหตุ", None, False),
    ],
)
def test_classify_label(label, kind, dashed):
    assert budget.classify_label(label) == (kind, dashed)


# --- reading ---------------------------------------------------------------------------------
def test_reads_unit_as_of_and_fiscal_year_from_titles():
    df, issues = read([["- งบดำเนินงาน", "๑,๐๐๐.-", "๒๕๐", "25%"]])
    assert df[["unit", "fiscal_year", "budget_type", "allocated", "disbursed", "rate_pct"]].iloc[
        0
    ].tolist() == ["สำนักงานเขตบางนา", 2567, "operating", 1000.0, 250.0, 25.0]
    assert df["as_of"].iloc[0] == pd.Timestamp(2024, 3, 31)
    assert df["row"].tolist() == [FIRST]
    assert issues == []


def test_columns_override_titles_and_default_unit():
    header = [*HEADER, "หน่วยงาน", "ณ วันที่", "ปีงบประมาณ"]
    body = [
        ["งบดำเนินงาน", "100", "50", "", "สำนักการโยธา", "30/06/2567", "2567"],
        ["งบดำเนินงาน", "100", "60", "", "", "", ""],
    ]
    df, issues = read(body, title=[["ตาราง"]], header=header, default_unit="กองกลาง")
    assert df["unit"].tolist() == ["สำนักการโยธา", "กองกลาง"]
    assert df["as_of"].iloc[0] == pd.Timestamp(2024, 6, 30)
    assert ("error", "missing_as_of", 4) in codes(issues)  # second row has no as-of anywhere


def test_rates_recomputed_half_up_and_typed_rate_only_compared():
    body = [
        ["งบดำเนินงาน", "3", "1", "33.33"],  # 33.333… → 33.33
        ["งบลงทุน", "2000", "670.9", "๓๓.๕๕%"],  # 33.545 → 33.55 (half up)
        ["งบรายจ่ายอื่น", "200", "100", "40"],  # typed rate wrong
    ]
    df, issues = read(body)
    assert df["rate_pct"].tolist() == [33.33, 33.55, 50.0]
    assert codes(issues) == {("warning", "rate_mismatch", FIRST + 2)}
    assert next(i for i in issues if i.code == "rate_mismatch").column.endswith("(D)")


def test_not_applicable_kept_with_null_amounts_and_excluded_from_sums():
    df, issues = read([["งบลงทุน", "-", "-", "-"], ["งบกลาง", "100", "0", "0"]])
    inv = df[df["budget_type"] == "investment"].iloc[0]
    assert pd.isna(inv["allocated"]) and pd.isna(inv["disbursed"]) and pd.isna(inv["rate_pct"])
    total = budget_sums.by_type(df).set_index("budget_type").loc["total"]
    assert total.tolist() == [100.0, 0.0, 0.0]
    assert issues == []


def test_total_row_checked_and_not_kept():
    body = [
        ["งบดำเนินงาน", "100", "10", ""],
        ["งบกลาง", "50", "5", ""],
        ["รวมทั้งสิ้น", "150", "15", "10.00"],
    ]
    df, issues = read(body)
    assert "total" not in set(df["budget_type"]) and len(df) == 2
    assert issues == []


def test_total_including_personnel_is_accepted():
    body = [
        ["งบบุคลากร", "1000", "500", ""],
        ["งบดำเนินงาน", "100", "10", ""],
        ["รวม", "1,100", "510", ""],
    ]
    df, issues = read(body)
    assert df["budget_type"].tolist() == ["operating"]
    assert codes(issues) == {("info", "personnel_excluded", FIRST)}


def test_carryover_section_rows_add_up_to_one_carryover_row():
    body = [
        ["งบประมาณกันเงินไว้เบิกเหลื่อมปี", None, None, None],
        ["- งบดำเนินงาน", "100", "40", ""],
        ["- งบลงทุน", "300", "60", ""],
        ["งบประมาณประจำปี", None, None, None],
        ["- งบดำเนินงาน", "1000", "500", ""],
    ]
    df, issues = read(body)
    assert df[["budget_type", "allocated", "disbursed", "rate_pct", "row"]].values.tolist() == [
        ["carryover", 400.0, 100.0, 25.0, FIRST + 1],
        ["operating", 1000.0, 500.0, 50.0, FIRST + 4],
    ]
    assert codes(issues) == {("info", "section_row", FIRST), ("info", "section_row", FIRST + 3)}


def test_annual_subtotal_row_checked_not_kept():
    body = [
        ["งบประมาณประจำปี", "300", "30", ""],
        ["- งบดำเนินงาน", "100", "10", ""],
        ["- งบลงทุน", "200", "20", ""],
        ["งบกลาง", "5", "0", ""],
    ]
    df, issues = read(body)
    assert df["budget_type"].tolist() == ["operating", "investment", "central"]
    assert issues == []


def test_repeated_two_row_header_skipped_and_as_of_taken_from_group_label():
    title = [
        ["หน่วยงาน : กองคลัง"],
        ["ประเภทงบรายจ่าย", "งบประมาณหลังปรับโอน", "ข้อมูล ณ วันที่ ๓๐ มิถุนายน พ.ศ. ๒๕๖๗", None],
    ]
    lower = [None, None, "ผลการเบิกจ่าย", "ร้อยละการเบิกจ่าย"]
    body = [["งบดำเนินงาน", "100", "10", ""], title[1], lower, ["งบกลาง", "100", "20", ""]]
    df, issues = _two_row(title, lower, body)
    assert set(df["as_of"]) == {pd.Timestamp(2024, 6, 30)}
    assert set(df["fiscal_year"]) == {2567}
    assert {(i.code, i.row) for i in issues} == {("repeated_header", 5), ("repeated_header", 6)}


def _two_row(title, lower, body):
    raw = raw_table([*title, lower, *body])
    match = detect(raw)
    assert match.header_rows == [1, 2] and not match.missing
    return budget.normalize(raw, match)


ERROR_CASES = [
    # (body rows, expected (severity, code, excel row), column letter or "")
    ([["งบดำเนินงาน", "abc", "10", ""]], ("error", "invalid_amount", FIRST), "B"),
    ([["งบดำเนินงาน", "100", "-5", ""]], ("error", "negative_amount", FIRST), "C"),
    ([["งบดำเนินงาน", "100", "150", ""]], ("error", "disbursed_over_allocated", FIRST), "C"),
    ([["งบดำเนินงาน", "0", "10", ""]], ("error", "disbursed_without_allocation", FIRST), "C"),
    ([["งบดำเนินงาน", "100", "10", "20%"]], ("warning", "rate_mismatch", FIRST), "D"),
    ([["งบดำเนินงาน", "100", "10", "สิบ"]], ("warning", "invalid_rate", FIRST), "D"),
    ([["งบพิเศษ", "100", "10", ""]], ("warning", "unknown_budget_type", FIRST), "A"),
    ([["งบดำเนินงาน", "100", "-", ""]], ("warning", "partial_amounts", FIRST), "C"),
    ([["งบบุคลากร", "100", "10", ""]], ("info", "personnel_excluded", FIRST), "A"),
    ([[None, "100", "10", ""]], ("error", "missing_value", FIRST), "A"),
    (
        [["งบดำเนินงาน", "100", "10", ""], ["งบดำเนินงาน", "100", "10", ""]],
        ("warning", "duplicate_budget_type", FIRST + 1),
        "A",
    ),
    (
        [["งบดำเนินงาน", "100", "10", ""], ["รวมทั้งสิ้น", "100.02", "10", ""]],
        ("warning", "total_mismatch", FIRST + 1),
        "B",
    ),
    (
        [["งบดำเนินงาน", "100", "10", ""], ["รวม", "100", "10", "12"]],
        ("warning", "rate_mismatch", FIRST + 1),
        "D",
    ),
    (
        [["งบประมาณประจำปี", "300", "30", ""], ["- งบดำเนินงาน", "100", "10", ""]],
        ("warning", "subtotal_mismatch", FIRST),
        "B",
    ),
    (
        [["งบประมาณประจำปี", "300", "30", ""], ["งบกลาง", "100", "10", ""]],
        ("warning", "unknown_budget_type", FIRST),
        "A",
    ),
]


@pytest.mark.parametrize(("body", "expected", "letter"), ERROR_CASES)
def test_validation_issue_with_its_row_and_column(body, expected, letter):
    _, issues = read(body)
    found = [i for i in issues if (i.severity, i.code, i.row) == expected]
    assert found, [(i.severity, i.code, i.row) for i in issues]
    assert found[0].column.endswith(f"({letter})")
    assert found[0].sheet == "งบ" and found[0].file == "b.xlsx"


def test_rate_typed_as_an_excel_percent_fraction_is_not_a_mismatch():
    _, issues = read([["งบดำเนินงาน", "12203500", "4094769.47", "0.3355"]])
    assert issues == []


def test_within_tolerance_is_not_a_mismatch():
    body = [["งบดำเนินงาน", "100", "10", "10.01"], ["รวม", "100.01", "10", "9.99"]]
    _, issues = read(body)
    assert issues == []


def test_as_of_outside_the_fiscal_year_given_in_the_title():
    title = [["ประจำปีงบประมาณ พ.ศ. ๒๕๖๘"], ["หน่วยงาน : กองคลัง"], ["ข้อมูล ณ วันที่ 31 มีนาคม 2567"]]
    df, issues = read([["งบดำเนินงาน", "100", "10", ""], ["งบกลาง", "1", "0", ""]], title=title)
    assert codes(issues) == {("error", "as_of_outside_fy", 5)}  # once per sheet
    assert set(df["fiscal_year"]) == {2568}


@pytest.mark.parametrize(
    ("title", "code"),
    [([["ข้อมูล ณ วันที่ 31 มีนาคม 2567"]], "missing_unit"), ([["หน่วยงาน : กองคลัง"]], "missing_as_of")],
)
def test_missing_unit_or_as_of_is_an_error_naming_the_sheet(title, code):
    _, issues = read([["งบดำเนินงาน", "100", "10", ""]], title=title)
    issue = next(i for i in issues if i.code == code)
    assert issue.severity == "error" and issue.value == "งบ" and issue.row == 3


# --- metrics ---------------------------------------------------------------------------------
def frame(rows: list[tuple]) -> pd.DataFrame:
    """Canonical budget rows from (unit, as_of, type, allocated, disbursed)."""
    from tracker.dataset import conform

    df = pd.DataFrame(rows, columns=["unit", "as_of", "budget_type", "allocated", "disbursed"])
    df["as_of"] = pd.to_datetime(df["as_of"])
    df["fiscal_year"] = 2567
    df["rate_pct"] = [
        budget._float(
            thai.rate_pct(
                None if pd.isna(d) else Decimal(str(d)), None if pd.isna(a) else Decimal(str(a))
            )
        )
        for a, d in zip(df["allocated"], df["disbursed"], strict=True)
    ]
    df["row"] = range(1, len(df) + 1)
    return conform(df, "budget")


NAN = float("nan")
DATA = frame(
    [
        ("ก", "2023-12-31", "operating", 100.10, 20.20),
        ("ก", "2024-03-31", "operating", 100.10, 50.05),
        ("ก", "2024-03-31", "investment", 0.2, 0.1),
        ("ก", "2024-03-31", "subsidy", NAN, NAN),
        ("ข", "2023-12-31", "operating", 1000, 100),
        ("ข", "2024-03-31", "operating", 1000, 600),
    ]
)


def test_by_type_latest_as_of_per_unit_with_exact_total():
    table = budget_sums.by_type(DATA).set_index("budget_type")
    assert list(table.index) == ["operating", "investment", "subsidy", "total"]
    assert table.loc["operating"].tolist() == [1100.10, 650.05, 59.09]
    assert table.loc["investment"].tolist() == [0.2, 0.1, 50.0]
    assert table.loc["subsidy"].isna().all()
    assert table.loc["total"].tolist() == [1100.30, 650.15, 59.09]


def test_by_type_one_unit_and_date():
    table = budget_sums.by_type(DATA, unit="ก", as_of=date(2023, 12, 31)).set_index("budget_type")
    assert table.loc["total"].tolist() == [100.10, 20.20, 20.18]


def test_by_unit_flags_units_below_the_target_for_the_date():
    targets = Targets(quarterly={2567: {1: Decimal(20), 2: Decimal(55)}})
    table = budget_sums.by_unit(DATA, targets=targets).set_index("unit")
    assert table.loc["ก", ["rate_pct", "target", "below_target"]].tolist() == [50.0, 55.0, True]
    assert table.loc["ข", ["rate_pct", "target", "below_target"]].tolist() == [60.0, 55.0, False]
    early = budget_sums.by_unit(DATA, as_of=date(2023, 12, 31), targets=targets).set_index("unit")
    assert early["target"].tolist() == [20.0, 20.0]
    assert early["below_target"].tolist() == [False, True]


def test_by_unit_without_a_target_never_flags():
    table = budget_sums.by_unit(DATA)  # built-in defaults: no quarterly targets for Q2
    assert table["target"].isna().all() and not table["below_target"].any()


def test_cumulative_rate_over_dates():
    targets = Targets(quarterly={2567: {1: Decimal(20), 2: Decimal(55)}})
    line = budget_sums.cumulative(DATA, targets=targets)
    assert line["as_of"].tolist() == [pd.Timestamp(2023, 12, 31), pd.Timestamp(2024, 3, 31)]
    assert line["rate_pct"].tolist() == [10.93, 59.09]
    assert line["target"].tolist() == [20.0, 55.0]
    assert budget_sums.cumulative(DATA, unit="ข")["rate_pct"].tolist() == [10.0, 60.0]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [(None, Decimal("59.09")), (date(2023, 12, 31), Decimal("10.93")), (date(2020, 1, 1), None)],
)
def test_overall_rate(as_of, expected):
    assert budget_sums.overall_rate(DATA, as_of) == expected


def test_overall_rate_none_when_nothing_applicable():
    assert budget_sums.overall_rate(DATA[DATA["budget_type"] == "subsidy"]) is None


def test_json_rows_have_a_computed_total_per_unit_and_date():
    rows = budget_sums.to_json_rows(DATA)
    assert len(rows) == 6 + 4
    totals = [r for r in rows if r["budget_type"] == "total"]
    assert [
        (r["unit"], r["as_of"], r["allocated"], r["disbursed"], r["rate_pct"]) for r in totals
    ] == [
        ("ก", "2023-12-31", 100.1, 20.2, 20.18),
        ("ก", "2024-03-31", 100.3, 50.15, 50.0),
        ("ข", "2023-12-31", 1000.0, 100.0, 10.0),
        ("ข", "2024-03-31", 1000.0, 600.0, 60.0),
    ]
    na = next(r for r in rows if r["budget_type"] == "subsidy")
    assert na["allocated"] is None and na["disbursed"] is None and na["rate_pct"] is None
    assert set(rows[0]) == {
        "unit",
        "fiscal_year",
        "as_of",
        "budget_type",
        "allocated",
        "disbursed",
        "rate_pct",
    }


def test_empty_frames():
    empty = DATA.iloc[0:0]
    assert budget_sums.by_type(empty).empty and budget_sums.by_unit(empty).empty
    assert budget_sums.cumulative(empty).empty and budget_sums.to_json_rows(empty) == []


# --- targets ---------------------------------------------------------------------------------
def test_default_targets_are_the_fy2569_government_ones():
    assert [DEFAULT.full_year(k) for k in ("overall", "current", "capital")] == [93, 98, 75]
    assert "2569" in DEFAULT.source
    assert DEFAULT.kind_of("investment") == "capital"
    assert DEFAULT.kind_of("operating") == "current"
    assert DEFAULT.kind_of("carryover") is None


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2023, 12, 15), None),  # before the end of Q1
        (date(2023, 12, 31), Decimal(30)),
        (date(2024, 2, 15), Decimal(30)),  # mid Q2: the last completed quarter
        (date(2024, 3, 31), Decimal(52)),
        (date(2024, 6, 30), Decimal(75)),
        (date(2024, 9, 29), Decimal(75)),
        (date(2024, 9, 30), Decimal(93)),  # Q4 not entered: full-year overall
    ],
)
def test_targets_for_date(as_of, expected):
    targets = Targets(
        full_year_pct={2567: {"overall": Decimal(93)}},
        quarterly={2567: {1: Decimal(30), 2: Decimal(52), 3: Decimal(75)}},
    )
    assert targets.for_date(as_of) == expected


def test_targets_hold_for_their_own_fiscal_year_only():
    # the built-in targets are FY 2569's: FY 2567 figures get none (issue 16)
    assert DEFAULT.for_date(date(2024, 9, 30)) is None  # FY 2567 Q4
    assert DEFAULT.for_date(date(2026, 9, 30)) == 93  # FY 2569 Q4: the full-year target
    assert DEFAULT.full_year("overall", 2567) is None
    assert DEFAULT.full_year("capital", 2569) == 75
    assert DEFAULT.years() == [2569]
    assert DEFAULT.for_year(2567).years() == [] and DEFAULT.for_year(2567).full_year() is None
    assert DEFAULT.for_year(2569).full_year("current") == 98
    quarterly = Targets(quarterly={2567: {1: Decimal(30)}})
    assert quarterly.years() == [2567, 2569]
    assert quarterly.for_date(date(2024, 9, 30)) is None  # Q4 of 2567: no full-year 2567
    assert quarterly.for_year(2567).quarterly == {2567: {1: Decimal(30)}}


def test_full_year_targets_of_other_years_from_toml(tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text(
        "[full_year]\nfiscal_year = 2570\noverall = 91\n\n[full_year.2567]\noverall = 90\n"
        "capital = 70\n",
        encoding="utf-8",
    )
    t = load_targets(path)
    assert t.issues == ()
    assert t.years() == [2567, 2569, 2570]
    assert t.full_year("overall", 2570) == 91 and t.full_year("capital", 2570) is None
    assert t.full_year("overall", 2567) == 90 and t.full_year("current", 2567) is None
    assert t.full_year("overall", 2569) == 93  # the built-in year stays
    assert t.for_date(date(2024, 9, 30)) == 90  # FY 2567 Q4 falls back to its own full year


def test_load_targets_from_toml(tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text(
        "[full_year]\noverall = 90\n\n[quarterly.2567]\nQ1 = 25\nQ2 = '50%'\n\n"
        "[quarterly.2024]\n3 = 70\n\n[kinds]\ncarryover = 'capital'\n",
        encoding="utf-8",
    )
    t = load_targets(path)
    assert t.issues == ()
    # [full_year] without a fiscal_year is FY 2569's (the built-in year), over its figures
    assert t.full_year("overall", 2569) == 90 and t.full_year("capital", 2569) == 75
    assert t.cumulative(2567, "Q2") == 50 and t.cumulative(2567, 3) == 70  # CE 2024 → 2567
    assert t.kind_of("carryover") == "capital"


@pytest.mark.parametrize(
    ("text", "code", "column"),
    [
        ("[full_year\n", "invalid_targets_file", ""),
        ("[full_year]\noverall = 120\n", "invalid_target_value", "full_year.overall"),
        ("[full_year]\nbogus = 10\n", "invalid_target_value", "full_year.bogus"),
        ("[quarterly.2567]\nQ5 = 10\n", "invalid_target_value", "quarterly.2567.Q5"),
        ("[quarterly.abc]\nQ1 = 10\n", "invalid_target_value", "quarterly.abc"),
        ("[kinds]\noperating = 'x'\n", "invalid_target_value", "kinds.operating"),
        ("full_year = 5\n", "invalid_target_value", "full_year"),
        (
            "[full_year]\nfiscal_year = 'x'\noverall = 90\n",
            "invalid_target_value",
            "full_year.fiscal_year",
        ),
        ("[full_year.abc]\noverall = 90\n", "invalid_target_value", "full_year.abc"),
    ],
)
def test_bad_targets_file_gives_warnings_and_defaults(tmp_path, text, code, column):
    path = tmp_path / "targets.toml"
    path.write_text(text, encoding="utf-8")
    t = load_targets(path)
    assert [(i.severity, i.code, i.column) for i in t.issues] == [("warning", code, column)]
    assert t.full_year("overall") == 93


def test_example_targets_file_loads_cleanly():
    from tracker.metrics.targets import PROJECT_ROOT

    t = load_targets(PROJECT_ROOT / "targets.example.toml")
    assert t.issues == () and t.cumulative(2569, "Q4") == 93
