"""Bangkok districts, district groups and agency-name matching."""

from __future__ import annotations

import pandas as pd
import pytest

from tracker import places
from tracker.places import (
    district_codes,
    district_name,
    district_of,
    districts,
    normalize_agency,
    zone_of_code,
    zones,
)

DISTRICTS = pd.read_csv(places.DISTRICTS_CSV, dtype={"code": str})
ROWS = list(DISTRICTS.itertuples(index=False))
IDS = [r.code for r in ROWS]


def test_districts_table():
    df = districts()
    assert len(df) == 50
    assert df["code"].is_unique and df["name_th"].is_unique and df["name_en"].is_unique
    assert {"code", "name_th", "name_en", "zone_th", "zone_en"} <= set(df.columns)
    assert all(isinstance(c, str) and len(c) == 4 for c in df["code"])
    assert df.loc[df["code"] == "1047", "name_th"].item() == "บางนา"


def test_districts_returns_a_copy():
    df = districts()
    df["code"] = "x"
    df["extra"] = 1
    again = districts()
    assert "extra" not in again.columns
    assert again["code"].iloc[0] == "1001"


def test_zones_stable_and_complete():
    got = zones()
    assert got == zones()
    assert got == [
        ("กรุงเทพกลาง", "Central Bangkok"),
        ("กรุงเทพใต้", "South Bangkok"),
        ("กรุงเทพเหนือ", "North Bangkok"),
        ("กรุงเทพตะวันออก", "East Bangkok"),
        ("กรุงธนเหนือ", "North Thonburi"),
        ("กรุงธนใต้", "South Thonburi"),
    ]
    assert {th for th, _ in got} == set(DISTRICTS["zone_th"])


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_every_district_resolves(row):
    assert district_of("สำนักงานเขต" + row.name_th) == row.code
    assert district_of("สำนักงานเขต " + row.name_th) == row.code
    assert district_of("เขต" + row.name_th) == row.code
    assert district_of(row.name_th) == row.code
    assert district_of(row.name_en) == row.code
    assert district_of(row.name_en.upper()) == row.code
    assert district_of(row.code) == row.code
    assert normalize_agency(" สำนักงานเขต  " + row.name_th + " ") == "สำนักงานเขต" + row.name_th
    assert zone_of_code(row.code) == (row.zone_th, row.zone_en)
    assert district_name(row.code, "th") == row.name_th
    assert district_name(row.code, "en") == row.name_en


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("สำนักงานเขตบางนา", "1047"),
        ("สำนักงานเขต บางนา", "1047"),
        ("สำนักงานเขต เขตบางนา", "1047"),
        ("เขตบางนา", "1047"),
        ("บางนา", "1047"),
        ("  บาง นา ", "1047"),
        ("Bang Na", "1047"),
        ("bang na", "1047"),
        ("BANGNA", "1047"),
        ("Bang Na District", "1047"),
        ("Bang Na District Office", "1047"),
        ("Khet Bang Na", "1047"),
        ("1047", "1047"),
        ("๑๐๔๗", "1047"),
        ("1047.0", "1047"),
        (1047, "1047"),
        (1047.0, "1047"),
        ("สนข.บางนา", "1047"),
        ("สำนักงานเขตบางนา กรุงเทพมหานคร", "1047"),
        ("สํานักงานเขตบางนา", "1047"),  # นิคหิต + สระอา from a PDF copy
        ("สำนักงานเขตป้อมปราบศัตรูพ่าย", "1008"),
        ("เขตป้อมปราบฯ", "1008"),
        ("Pom Prap Sattru Phai", "1008"),
        ("Bangkok Noi", "1020"),
        ("Bangkok Yai", "1016"),
        ("Sathorn", "1028"),
        ("Klong Toey", "1033"),
        ("Don Muang", "1036"),
        ("ราษฏร์บูรณะ", "1024"),
        ("สำนักงานเขตราษฎร์บูรณะ", "1024"),
        ("สำนักงานเขตวังทองหลาง", "1045"),
    ],
)
def test_district_of(name, code):
    assert district_of(name) == code


@pytest.mark.parametrize(
    "name",
    [
        "สำนักการโยธา",
        "สำนักการระบายน้ำ",
        "กองงานผู้ตรวจราชการ สำนักปลัดกรุงเทพมหานคร",
        "สำนักงานเขต",
        "เขต",
        "สำนักงานเขตบางนา ฝ่ายโยธา",
        "โรงเรียนวัดบางนา",
        "Department of Public Works",
        "1099",
        "47",
        1047.5,
        "",
        "-",
        None,
        float("nan"),
    ],
)
def test_district_of_not_a_district(name):
    assert district_of(name) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("สำนักงานเขต บางนา", "สำนักงานเขตบางนา"),
        ("  สำนักงานเขตบางนา  ", "สำนักงานเขตบางนา"),
        ("เขตบางนา", "สำนักงานเขตบางนา"),
        ("Bang Na", "สำนักงานเขตบางนา"),
        ("สำนักงานเขต เขตบางนา", "สำนักงานเขตบางนา"),
        ("สำนักการโยธา", "สำนักการโยธา"),
        ("  สำนัก  การโยธา ", "สำนัก การโยธา"),
        ("กองงานผู้ตรวจราชการ\u00a0 สำนักปลัดกรุงเทพมหานคร", "กองงานผู้ตรวจราชการ สำนักปลัดกรุงเทพมหานคร"),
        ("สํานักการคลัง", "สำนักการคลัง"),
        ("-", ""),
        (None, ""),
    ],
)
def test_normalize_agency(name, expected):
    assert normalize_agency(name) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("1047", ("กรุงเทพใต้", "South Bangkok")),
        ("1001", ("กรุงเทพกลาง", "Central Bangkok")),
        (1003, ("กรุงเทพตะวันออก", "East Bangkok")),
        ("1050", ("กรุงธนใต้", "South Thonburi")),
        ("9999", None),
        (None, None),
        ("", None),
    ],
)
def test_zone_of_code(code, expected):
    assert zone_of_code(code) == expected


@pytest.mark.parametrize(
    ("code", "lang", "expected"),
    [
        ("1047", "th", "บางนา"),
        ("1047", "en", "Bang Na"),
        ("1008", "th", "ป้อมปราบศัตรูพ่าย"),
        (1008.0, "en", "Pom Prap Sattru Phai"),
        ("0000", "th", None),
        (None, "en", None),
    ],
)
def test_district_name(code, lang, expected):
    assert district_name(code, lang) == expected


def test_district_codes_agrees_with_scalar():
    values = [
        "สำนักงานเขตบางนา",
        None,
        "สำนักการโยธา",
        "Bang Na",
        "เขตดุสิต",
        "-",
        "สำนักงานเขตบางนา",
        "1008",
    ]
    series = pd.Series(values * 50, index=range(1000, 1400), name="agency", dtype=object)
    got = district_codes(series)
    assert list(got.index) == list(series.index)
    assert got.name == "agency"
    for raw, code in zip(series, got, strict=True):
        expected = district_of(raw)
        assert pd.isna(code) if expected is None else code == expected, raw


def test_district_codes_of_string_dtype_and_empty():
    got = district_codes(pd.Series(["บางนา", None, "x"], dtype="str"))
    assert got.iloc[0] == "1047" and pd.isna(got.iloc[1]) and pd.isna(got.iloc[2])
    assert len(district_codes(pd.Series([], dtype="str"))) == 0


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Vadhana", "1039"),
        ("Rajthevee", "1037"),
        ("Ratchathevi", "1037"),
        ("Pravet", "1032"),
        ("Bungkum", "1027"),
        ("Kannayao", "1043"),
        ("Thungkru", "1049"),
        ("Jomtong", "1035"),
        ("Taweewattana", "1048"),
        ("Bangplad", "1025"),
        ("Bang Plad District Office", "1025"),
    ],
)
def test_old_english_spellings(name, code):
    assert district_of(name) == code
