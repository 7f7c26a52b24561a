"""Thai data conventions: digits, amounts, BE dates, fiscal years, formatting, text."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tracker import thai
from tracker.thai import (
    EN_MONTHS_FULL,
    TH_MONTHS_FULL,
    TH_MONTHS_SHORT,
    clean_text,
    collapse_spaces,
    find_date_in_text,
    fiscal_quarter,
    fiscal_year,
    fiscal_year_bounds,
    fiscal_year_series,
    format_amount,
    format_date,
    format_date_en,
    format_date_th,
    format_datetime,
    format_int,
    format_pct,
    html_to_text,
    is_missing,
    normalize_fiscal_year,
    parse_date,
    parse_date_series,
    parse_datetime,
    parse_datetime_series,
    parse_decimal,
    parse_decimal_series,
    parse_int,
    parse_int_series,
    parse_level,
    parse_percent,
    rate_pct,
    round_half_up,
    to_arabic_digits,
)

NOV23 = date(2023, 11, 23)


# --- digits and missing ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("๐๑๒๓๔๕๖๗๘๙", "0123456789"),
        ("ปีงบประมาณ ๒๕๖๗", "ปีงบประมาณ 2567"),
        ("abc 12", "abc 12"),
        ("", ""),
    ],
)
def test_to_arabic_digits(text, expected):
    assert to_arabic_digits(text) == expected


@pytest.mark.parametrize(
    "value", [None, float("nan"), np.nan, pd.NA, pd.NaT, "", "   ", "\u00a0", "-", "–", "—", " - "]
)
def test_is_missing_true(value):
    assert is_missing(value) is True


@pytest.mark.parametrize("value", ["0", 0, 0.0, "ไม่มี", "a", "-5", Decimal("0")])
def test_is_missing_false(value):
    assert is_missing(value) is False


# --- numbers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("๑๒,๒๐๓,๕๐๐.-", Decimal("12203500")),
        ("12,203,500.00", Decimal("12203500")),
        ("4094769.47", Decimal("4094769.47")),
        ("1.5", Decimal("1.5")),
        ("45000", Decimal("45000")),
        (" 258,369 บาท", Decimal("258369")),
        ("258,369.- บาท", Decimal("258369")),
        ("฿1,000", Decimal("1000")),
        ("(1,000)", Decimal("-1000")),
        ("-1,000.50", Decimal("-1000.50")),
        ("−25", Decimal("-25")),
        (".5", Decimal("0.5")),
        ("1E3", Decimal("1000")),
        ("0.00", Decimal("0")),
        (4094769.47, Decimal("4094769.47")),
        (12203500, Decimal("12203500")),
        (np.int64(7), Decimal("7")),
        (Decimal("1.25"), Decimal("1.25")),
    ],
)
def test_parse_decimal(text, expected):
    got = parse_decimal(text)
    assert got == expected
    assert isinstance(got, Decimal)


@pytest.mark.parametrize("text", [None, "", "-", "—", float("nan")])
def test_parse_decimal_missing(text):
    assert parse_decimal(text) is None


@pytest.mark.parametrize(
    "text",
    ["abc", "1,23", "12.3.4", "1,2345", "NaN", "Infinity", "12 34", "(-5)", float("inf"), True],
)
def test_parse_decimal_invalid(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("๓๓.๕๕%", Decimal("33.55")),
        ("33.55 %", Decimal("33.55")),
        ("ร้อยละ 33.55", Decimal("33.55")),
        ("ร้อยละ ๑๐๐", Decimal("100")),
        ("33.55", Decimal("33.55")),
        (33.55, Decimal("33.55")),
        ("-", None),
    ],
)
def test_parse_percent(text, expected):
    assert parse_percent(text) == expected


@pytest.mark.parametrize("text", ["%", "ร้อยละ", "สามสิบ %"])
def test_parse_percent_invalid(text):
    with pytest.raises(ValueError):
        parse_percent(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ระดับ ๕", 5),
        ("ระดับที่ ๕", 5),
        ("ระดับ 5", 5),
        ("ระดับ5", 5),
        ("5", 5),
        ("๕", 5),
        ("5.0", 5),
        (5, 5),
        (5.0, 5),
        ("ระดับ ๑ - กำหนดแนวทางการดำเนินงาน ระดับ ๒ - ...", 1),
        ("ระดับความสำเร็จ ๓", 3),
        ("Level 4", 4),
        ("", None),
        ("-", None),
    ],
)
def test_parse_level(text, expected):
    assert parse_level(text) == expected


@pytest.mark.parametrize("text", ["ระดับ 4.5", "abc", "-1", "ห้า", 4.5])
def test_parse_level_invalid(text):
    with pytest.raises(ValueError):
        parse_level(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("๒๕๖๗", 2567),
        ("2567", 2567),
        ("2567.0", 2567),
        ("รอบที่ ๒", 2),
        ("ปีงบประมาณ พ.ศ. ๒๕๖๗", 2567),
        ("1,234", 1234),
        (2567.0, 2567),
        (np.int64(2), 2),
        ("-", None),
        (None, None),
    ],
)
def test_parse_int(text, expected):
    assert parse_int(text) == expected


@pytest.mark.parametrize("text", ["2567.5", "abc", "ปี 2566 รอบ 2", "ข้อ 1.1", 2.5])
def test_parse_int_invalid(text):
    with pytest.raises(ValueError):
        parse_int(text)


@pytest.mark.parametrize(
    ("n", "expected"), [(67, 2567), (0, 2500), (2567, 2567), (2024, 2567), (2023, 2566)]
)
def test_normalize_fiscal_year(n, expected):
    assert normalize_fiscal_year(n) == expected


@pytest.mark.parametrize("n", [150, 1900, 9999, -1])
def test_normalize_fiscal_year_invalid(n):
    with pytest.raises(ValueError):
        normalize_fiscal_year(n)


# --- dates -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("๒๓ พ.ย. ๖๖", NOV23),
        ("23 พ.ย. 66", NOV23),
        ("23 พ.ย.66", NOV23),
        ("23พย66", NOV23),
        ("23 พฤศจิกายน 2566", NOV23),
        ("วันที่ ๓๑ มีนาคม พ.ศ. ๒๕๖๗", date(2024, 3, 31)),
        ("วันพฤหัสบดีที่ 23 พฤศจิกายน 2566", NOV23),
        ("23/11/2566", NOV23),
        ("23-11-2566", NOV23),
        ("23.11.2566", NOV23),
        ("23/11/66", NOV23),
        ("2023-11-23", NOV23),
        ("2566-11-23", NOV23),
        ("2023-11-23 00:00:00", NOV23),
        ("2023-11-23T14:05:22", NOV23),
        ("20231123", NOV23),
        ("45253", NOV23),
        ("45253.0", NOV23),
        (45253, NOV23),
        (45253.99, NOV23),
        ("23 Nov 2023", NOV23),
        ("23-Nov-2023", NOV23),
        ("November 23, 2023", NOV23),
        ("Nov. 23 2023", NOV23),
        ("Thursday, 23 November 2023", NOV23),
        ("23 พฤศจิกายน ค.ศ. 2023", NOV23),
        ("1 มี.ค 67", date(2024, 3, 1)),
        ("1 มค 67", date(2024, 1, 1)),
        ("29 ก.พ. 2567", date(2024, 2, 29)),
        ("29/02/2567", date(2024, 2, 29)),
        ("31 มีนา 67", date(2024, 3, 31)),
        ("\u200b23/11/2566\u00a0", NOV23),
        (datetime(2023, 11, 23, 14, 5), NOV23),
        (pd.Timestamp("2023-11-23 10:00"), NOV23),
        (NOV23, NOV23),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("month", range(1, 13))
@pytest.mark.parametrize("style", ["full", "short", "short_nodot", "short_space", "english"])
def test_parse_date_every_month_name(month, style):
    name = {
        "full": TH_MONTHS_FULL[month - 1],
        "short": TH_MONTHS_SHORT[month - 1],
        "short_nodot": TH_MONTHS_SHORT[month - 1].replace(".", ""),
        "short_space": TH_MONTHS_SHORT[month - 1].replace(".", ". ").strip(),
        "english": EN_MONTHS_FULL[month - 1],
    }[style]
    year = "2567" if style != "english" else "2024"
    assert parse_date(f"15 {name} {year}") == date(2024, month, 15)
    if style != "english":
        assert parse_date(f"๑๕ {name} ๖๗") == date(2024, month, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1/1/66", date(2023, 1, 1)),
        ("1/1/67", date(2024, 1, 1)),
        ("30/9/99", date(2056, 9, 30)),
        ("1/10/00", date(1957, 10, 1)),
        ("1 ต.ค. 66", date(2023, 10, 1)),
    ],
)
def test_two_digit_years_are_buddhist_era(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2566",
        "29/02/2566",
        "13/13/2566",
        "23/13/2566",
        "32 มกราคม 2567",
        "abc",
        "2566",
        "23/11",
        "1899-01-01",
        "23/11/1850",
        "พ.ย. 2566",
        "23 ฟฟฟ 2566",
        "10000",
        "23/11/2566 25:00",
        "23 พฤศจิกายน พ.ศ. 2023",
        "วันที่ " * 50 + "23/11/2566",
        float("inf"),
    ],
)
def test_parse_date_invalid(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize("text", [None, "", " ", "-", "—", float("nan"), pd.NaT])
def test_parse_date_missing(text):
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "dayfirst", "expected"),
    [
        ("23/11/2566, 14:05:22", True, datetime(2023, 11, 23, 14, 5, 22)),
        ("23/11/2566 14:05:22", True, datetime(2023, 11, 23, 14, 5, 22)),
        ("๒๓/๑๑/๒๕๖๖ ๑๔:๐๕:๒๒", True, datetime(2023, 11, 23, 14, 5, 22)),
        ("11/23/2023 14:05:22", False, datetime(2023, 11, 23, 14, 5, 22)),
        ("11/23/2023 14:05:22", True, datetime(2023, 11, 23, 14, 5, 22)),
        ("23/11/2023 14:05:22", False, datetime(2023, 11, 23, 14, 5, 22)),
        ("1/2/2023 8:00:00", False, datetime(2023, 1, 2, 8)),
        ("1/2/2023 8:00:00", True, datetime(2023, 2, 1, 8)),
        ("1/2/2566 8:00:00", False, datetime(2023, 2, 1, 8)),
        ("11/23/2023 2:05:22 PM", False, datetime(2023, 11, 23, 14, 5, 22)),
        ("11/23/2023 12:05:22 AM", False, datetime(2023, 11, 23, 0, 5, 22)),
        ("2023-11-23 14:05:22", True, datetime(2023, 11, 23, 14, 5, 22)),
        ("2023-11-23T14:05:22.250", True, datetime(2023, 11, 23, 14, 5, 22, 250000)),
        ("2023-11-23T07:05:22Z", True, datetime(2023, 11, 23, 14, 5, 22)),
        ("2023-11-23T14:05:22+07:00", True, datetime(2023, 11, 23, 14, 5, 22)),
        ("23 พ.ย. 66 เวลา 14.05 น.", True, datetime(2023, 11, 23, 14, 5)),
        ("45253.5868", True, datetime(2023, 11, 23, 14, 5)),
        ("45253.5", True, datetime(2023, 11, 23, 12)),
        ("23/11/2566", True, datetime(2023, 11, 23)),
    ],
)
def test_parse_datetime(text, dayfirst, expected):
    assert parse_datetime(text, dayfirst=dayfirst) == expected


@pytest.mark.parametrize(
    "text",
    ["23/11/2566 24:00:00", "23/11/2566 14:60", "11/23/2023 13:05 PM", "14:05:22", "23/11/2566 ,"],
)
def test_parse_datetime_invalid(text):
    with pytest.raises(ValueError):
        parse_datetime(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ข้อมูล ณ วันที่ ๓๑ มีนาคม พ.ศ. ๒๕๖๗", date(2024, 3, 31)),
        ("ผลการเบิกจ่าย (ณ ๓๑ มี.ค. ๖๗)", date(2024, 3, 31)),
        ("รายงาน ณ 23/11/2566 เวลา 10.00 น.", NOV23),
        ("as of November 23, 2023", NOV23),
        ("as of 2023-11-23", NOV23),
        ("ข้อมูล ณ วันที่ 31 ก.พ. 67 หรือ 1 มี.ค. 67", date(2024, 3, 1)),
        ("ผลการเบิกจ่าย", None),
        ("ปีงบประมาณ ๒๕๖๗", None),
        (None, None),
    ],
)
def test_find_date_in_text(text, expected):
    assert find_date_in_text(text) == expected


# --- vectorised versions ---------------------------------------------------------------------
DATE_VALUES = [
    "23/11/2566, 14:05:22",
    "23/11/2566 14:05",
    "๒๓ พ.ย. ๖๖",
    "23 พฤศจิกายน 2566",
    "2023-11-23",
    "2023-11-23 00:00:00",
    "2023-11-23T14:05:22Z",
    "45253",
    "45253.5868",
    "20231123",
    "1/2/2023",
    "11/23/2023 14:05:22",
    "23/11/2023",
    "1/2/66",
    "31/02/2566",
    "23/11/2566 25:00",
    "13/13/2566",
    "abc",
    "10000",
    "1/1/1850",
    "-",
    "",
    " ",
    None,
    45253,
    45253.5,
    datetime(2023, 11, 23, 9, 30),
    date(2023, 11, 23),
    pd.Timestamp("2023-11-23 08:00"),
]


def _scalar_dt(value, dayfirst):
    try:
        return parse_datetime(value, dayfirst=dayfirst), False
    except ValueError:
        return None, True


@pytest.mark.parametrize("dayfirst", [True, False])
def test_datetime_series_agrees_with_scalar(dayfirst):
    series = pd.Series(DATE_VALUES * 3, dtype=object)
    values, invalid = parse_datetime_series(series, dayfirst=dayfirst)
    assert str(values.dtype) == "datetime64[ns]"
    assert invalid.dtype == bool
    for i, raw in enumerate(series):
        expected, bad = _scalar_dt(raw, dayfirst)
        assert bool(invalid.iloc[i]) is bad, raw
        got = values.iloc[i]
        assert pd.isna(got) if expected is None else got == pd.Timestamp(expected), raw


@pytest.mark.parametrize("dtype", ["str", object])
def test_date_series_agrees_with_scalar(dtype):
    texts = [v for v in DATE_VALUES if isinstance(v, str) or v is None]
    series = pd.Series(texts, dtype=dtype, index=range(100, 100 + len(texts)))
    values, invalid = parse_date_series(series, dayfirst=True)
    assert list(values.index) == list(series.index)
    for i, raw in enumerate(texts):
        expected, bad = _scalar_dt(raw, True)
        assert bool(invalid.iloc[i]) is bad, raw
        got = values.iloc[i]
        if expected is None:
            assert pd.isna(got), raw
        else:
            assert got == pd.Timestamp(expected.date()), raw


@pytest.mark.parametrize(
    ("values", "expected_last"),
    [
        (["23/11/2023", "1/2/2023"], date(2023, 2, 1)),  # a first part > 12 → day first
        (["11/23/2023", "1/2/2023"], date(2023, 1, 2)),  # a second part > 12 → month first
        (["1/2/2566", "3/4/2566"], date(2023, 4, 3)),  # BE years → day first
        (["11/2/2566", "3/4/2023"], date(2023, 4, 3)),  # BE and ambiguous CE → day first
        (["1/2/2023", "3/4/2023"], date(2023, 4, 3)),  # ambiguous → day first
        (["11/23/2023 14:05:22", "1/2/2023 0:00:00"], date(2023, 1, 2)),  # Forms, en locale
        (["23/11/2566, 14:05:22", "1/2/2566, 8:00:00"], date(2023, 2, 1)),  # Forms, th locale
    ],
)
def test_dayfirst_inference(values, expected_last):
    got, invalid = parse_date_series(pd.Series(values))
    assert not invalid.any()
    assert got.iloc[-1].date() == expected_last


def test_datetime_series_of_datetime_and_numeric_dtypes():
    dt = pd.Series(pd.to_datetime(["2023-11-23 14:05", None]))
    values, invalid = parse_datetime_series(dt)
    assert values.iloc[0] == pd.Timestamp("2023-11-23 14:05") and pd.isna(values.iloc[1])
    assert not invalid.any()
    nums = pd.Series([45253.5, np.nan, 5.0])
    values, invalid = parse_datetime_series(nums)
    assert values.iloc[0] == pd.Timestamp("2023-11-23 12:00")
    assert invalid.tolist() == [False, False, True]


def test_date_series_bulk_paths_agree_with_scalar():
    rng = np.random.default_rng(1)
    n = 100_000
    days, months, years = rng.integers(1, 29, n), rng.integers(1, 13, n), rng.integers(60, 69, n)
    hh, mm, ss = rng.integers(0, 24, n), rng.integers(0, 60, n), rng.integers(0, 60, n)
    stamps = [
        f"{d}/{m}/25{y}, {h}:{mi:02d}:{s:02d}"
        for d, m, y, h, mi, s in zip(days, months, years, hh, mm, ss, strict=True)
    ]
    series = pd.Series(stamps)
    values, invalid = parse_datetime_series(series)
    assert not invalid.any() and not values.isna().any()
    assert values.iloc[7] == pd.Timestamp(parse_datetime(stamps[7]))
    amounts = pd.Series(
        [f"{v:,}.{c:02d}" for v, c in zip(rng.integers(0, 10**8, n), hh, strict=True)]
    )
    parsed, bad = parse_decimal_series(amounts)
    assert not bad.any() and parsed.iloc[3] == float(parse_decimal(amounts.iloc[3]))


DECIMAL_VALUES = [
    "๑๒,๒๐๓,๕๐๐.-",
    "12,203,500.00",
    "4094769.47",
    " 258,369 บาท",
    "(1,000)",
    "1,23",
    "abc",
    "-",
    "",
    None,
    "1.",
    "-5",
    4094769.47,
    7,
]


def test_decimal_series_agrees_with_scalar():
    series = pd.Series(DECIMAL_VALUES * 2, dtype=object)
    values, invalid = parse_decimal_series(series)
    assert values.dtype == "float64"
    for i, raw in enumerate(series):
        try:
            expected, bad = parse_decimal(raw), False
        except ValueError:
            expected, bad = None, True
        assert bool(invalid.iloc[i]) is bad, raw
        if expected is None:
            assert np.isnan(values.iloc[i]), raw
        else:
            assert values.iloc[i] == float(expected), raw


def test_decimal_series_of_numbers_keeps_values():
    values, invalid = parse_decimal_series(pd.Series([1.5, np.nan, np.inf]))
    assert values.iloc[0] == 1.5 and np.isnan(values.iloc[1]) and np.isnan(values.iloc[2])
    assert invalid.tolist() == [False, False, True]


INT_VALUES = ["๒๕๖๗", "2567", "2567.0", "รอบที่ ๒", "2567.5", "abc", "-", None, "", 2.0, "1,234"]


def test_int_series_agrees_with_scalar():
    series = pd.Series(INT_VALUES * 2, dtype=object)
    values, invalid = parse_int_series(series)
    assert str(values.dtype) == "Int64"
    for i, raw in enumerate(series):
        try:
            expected, bad = parse_int(raw), False
        except ValueError:
            expected, bad = None, True
        assert bool(invalid.iloc[i]) is bad, raw
        assert pd.isna(values.iloc[i]) if expected is None else values.iloc[i] == expected, raw


# --- fiscal year -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("d", "fy", "quarter"),
    [
        (date(2023, 9, 30), 2566, 4),
        (date(2023, 10, 1), 2567, 1),
        (date(2023, 12, 31), 2567, 1),
        (date(2024, 1, 1), 2567, 2),
        (date(2024, 3, 31), 2567, 2),
        (date(2024, 4, 1), 2567, 3),
        (date(2024, 6, 30), 2567, 3),
        (date(2024, 7, 1), 2567, 4),
        (date(2024, 9, 30), 2567, 4),
        (date(2024, 10, 1), 2568, 1),
        (datetime(2024, 9, 30, 23, 59), 2567, 4),
    ],
)
def test_fiscal_year_and_quarter(d, fy, quarter):
    assert fiscal_year(d) == fy
    assert fiscal_quarter(d) == quarter


@pytest.mark.parametrize(
    ("fy", "bounds"),
    [
        (2567, (date(2023, 10, 1), date(2024, 9, 30))),
        (67, (date(2023, 10, 1), date(2024, 9, 30))),
        (2566, (date(2022, 10, 1), date(2023, 9, 30))),
    ],
)
def test_fiscal_year_bounds(fy, bounds):
    assert fiscal_year_bounds(fy) == bounds
    start, end = bounds
    assert fiscal_year(start) == fiscal_year(end) == normalize_fiscal_year(fy)


def test_fiscal_year_series_matches_scalar():
    days = ["2023-09-30", "2023-10-01", "2024-09-30 23:00", "2024-10-01", None]
    series, _ = parse_datetime_series(pd.Series(days))
    got = fiscal_year_series(series)
    assert str(got.dtype) == "Int64"
    assert got.tolist()[:4] == [2566, 2567, 2567, 2568]
    assert got.tolist()[:4] == [fiscal_year(d) for d in series.iloc[:4]]
    assert pd.isna(got.iloc[4])


# --- money -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("disbursed", "allocated", "expected"),
    [
        ("4,094,769.47", "12,203,500.00", Decimal("33.55")),
        (Decimal("266500"), Decimal("1041200"), Decimal("25.60")),
        (Decimal("0"), Decimal("258369"), Decimal("0.00")),
        ("4361269.47", "13503069", Decimal("32.30")),
        (5, 0, None),
        (5, None, None),
        (None, 100, None),
        ("-", "100", None),
        (1, 3, Decimal("33.33")),
        (2, 3, Decimal("66.67")),
    ],
)
def test_rate_pct_golden(disbursed, allocated, expected):
    got = rate_pct(disbursed, allocated)
    assert got == expected
    if expected is not None:
        assert str(got) == str(expected)


@pytest.mark.parametrize(
    ("x", "places", "expected"),
    [
        (Decimal("33.555"), 2, "33.56"),
        (Decimal("2.675"), 2, "2.68"),
        (Decimal("-1.005"), 2, "-1.01"),
        (Decimal("0.5"), 0, "1"),
        (Decimal("1.5"), 0, "2"),
        (Decimal("2.5"), 0, "3"),
        (2.675, 2, "2.68"),
    ],
)
def test_round_half_up(x, places, expected):
    assert str(round_half_up(x, places)) == expected


# --- formatting ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("func", "value", "expected"),
    [
        (format_date_th, NOV23, "23 พ.ย. 2566"),
        (format_date_th, date(2024, 3, 1), "1 มี.ค. 2567"),
        (format_date_th, pd.Timestamp("2023-11-23 10:00"), "23 พ.ย. 2566"),
        (format_date_th, None, "-"),
        (format_date_th, pd.NaT, "-"),
        (format_date_en, NOV23, "23 Nov 2023"),
        (format_date_en, None, "-"),
        (format_amount, Decimal("12203500"), "12,203,500.00"),
        (format_amount, 4094769.47, "4,094,769.47"),
        (format_amount, Decimal("-1000"), "-1,000.00"),
        (format_amount, Decimal("0.005"), "0.01"),
        (format_amount, Decimal("-0.001"), "0.00"),
        (format_amount, None, "-"),
        (format_amount, float("nan"), "-"),
        (format_pct, Decimal("33.55"), "33.55%"),
        (format_pct, 25.6, "25.60%"),
        (format_pct, None, "-"),
        (format_int, 1234, "1,234"),
        (format_int, 1234567.0, "1,234,567"),
        (format_int, 0, "0"),
        (format_int, None, "-"),
    ],
)
def test_formatting(func, value, expected):
    assert func(value) == expected


@pytest.mark.parametrize(
    ("lang", "expected"), [("th", "23 พ.ย. 2566"), ("en", "23 Nov 2023"), ("EN", "23 Nov 2023")]
)
def test_format_date_lang(lang, expected):
    assert format_date(NOV23, lang) == expected
    assert format_datetime(datetime(2023, 11, 23, 14, 5), lang) == expected + " 14:05"


@pytest.mark.parametrize("month", range(1, 13))
def test_format_then_parse_round_trip(month):
    d = date(2024, month, 9)
    assert parse_date(format_date_th(d)) == d
    assert parse_date(format_date_en(d)) == d


# --- text ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  a   b\t\tc  ", "a b c"),
        ("บรรทัด ๑\r\nบรรทัด  ๒", "บรรทัด ๑\nบรรทัด ๒"),
        ("a\u00a0b\u200bc", "a bc"),
        ("x\n\n\n\ny", "x\n\ny"),
        ("  line one  \n  line two  ", "line one\nline two"),
        ("a_x000D_\nb", "a\nb"),
        ("สํานักงาน", "สำนักงาน"),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_clean_text(text, expected):
    assert clean_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  a \n b\t c ", "a b c"),
        ("สำนักงานเขต\u00a0\u00a0บางนา", "สำนักงานเขต บางนา"),
        ("\u200b", ""),
        (None, ""),
    ],
)
def test_collapse_spaces(text, expected):
    assert collapse_spaces(text) == expected


@pytest.mark.parametrize(
    ("html_text", "expected"),
    [
        (
            "<p><u>ระดับ ๑</u></p><ul><li>ก</li><li>ข</li></ul>",
            "ระดับ ๑\n• ก\n• ข",
        ),
        ("a<br>b<br/>c", "a\nb\nc"),
        ("<div>x</div><div>y &amp; z</div>", "x\ny & z"),
        ("<p>A&nbsp;B &lt;C&gt;</p>", "A B <C>"),
        ("<p>ok</p><script>alert('x')</script><style>p{color:red}</style>", "ok"),
        ("<b>bold</b> <i>italic</i>", "bold italic"),
        ("<table><tr><td>1</td><td>2</td></tr></table>", "1 2"),
        ("a < b", "a < b"),
        ("5 < 6 and 7 > 3", "5 < 6 and 7 > 3"),
        ("plain text\nline two", "plain text\nline two"),
        ("<p>a < b</p>", "a < b"),
        ("", ""),
        (None, ""),
    ],
)
def test_html_to_text(html_text, expected):
    assert html_to_text(html_text) == expected


@pytest.mark.parametrize(
    "html_text",
    [
        "<script>alert(1)</script>",
        "<p>x</p><script>alert(1)",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "<SCRIPT src=x></SCRIPT>text",
        "<scr<script>ipt>alert(1)</script>",
        "text <script",
        "<p>&lt;ScRiPt&gt;</p>",
    ],
)
def test_html_to_text_never_returns_script(html_text):
    out = html_to_text(html_text)
    assert "<script" not in out.lower()
    assert "alert(1)" not in out or "&lt;" in html_text or "<scr<" in html_text


_REPO = Path(thai.__file__).resolve().parents[2]  # tracker/thai/__init__.py -> the repository
_PURE_MODULES = [
    *sorted(p.relative_to(_REPO).as_posix() for p in (_REPO / "tracker" / "thai").glob("*.py")),
    "tracker/places.py",
]


@pytest.mark.parametrize("module", _PURE_MODULES)
def test_module_has_no_streamlit(module):
    source = (_REPO / module).read_text(encoding="utf-8")
    assert "import streamlit" not in source and "from streamlit" not in source


def test_shorten_never_splits_a_syllable_and_says_it_cut():
    assert thai.shorten("รอบที่ ๑") == "รอบที่ ๑"
    exact = "ก" * 80
    assert thai.shorten(exact) == exact
    # the 80th character (index 79) is a tone mark over the consonant before it
    title = "ก" * 78 + "ที่" + "สำนักงานเขต" * 3
    short = thai.shorten(title)
    assert short.endswith("…") and len(short) <= 80
    assert short == "ก" * 78 + "…"  # not "…ท…" nor "ที" without its tone mark
    spaced = "ข้อสั่งการ " * 10
    assert thai.shorten(spaced, 20) == "ข้อสั่งการ ข้อสั่งก…"
