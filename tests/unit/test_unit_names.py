"""Units' names in English mode (issue 16 item 5): district offices from the district table,
departments from tracker/data/departments_en.csv; the data keeps the Thai name."""

from __future__ import annotations

from tracker.agencies import departments
from tracker.present.charts import short_units
from tracker.unit_names import unit_name, unit_names

THAI = range(0x0E00, 0x0E80)


def test_every_listed_department_has_an_english_name():
    missing = [d for d in sorted(departments()) if unit_name(d, "en") == d]
    assert not missing
    for d in departments():
        assert not any(ord(c) in THAI for c in unit_name(d, "en")), d


def test_official_names_and_district_offices():
    assert unit_name("สำนักการโยธา", "en") == "Public Works Department"
    assert unit_name("สำนักการระบายน้ำ", "en") == "Drainage and Sewerage Department"
    assert unit_name("สำนักงานเขตบางนา", "en") == "Bang Na District Office"
    assert unit_name("สำนักงานเขต บางนา", "en") == "Bang Na District Office"


def test_thai_mode_and_unknown_names_stay_as_written():
    assert unit_name("สำนักการโยธา", "th") == "สำนักการโยธา"
    assert unit_name("หน่วยที่ไม่รู้จัก", "en") == "หน่วยที่ไม่รู้จัก"
    assert unit_name(None, "en") == ""
    assert unit_names(["สำนักการคลัง", "x"], "en") == ["Finance Department", "x"]


def test_short_axis_labels_in_english():
    names = ["สำนักงานเขตบางนา", "สำนักการโยธา"]
    assert short_units(names, "en") == ["Bang Na District", "Public Works Department"]
    assert short_units(names, "th") == ["เขตบางนา", "สำนักการโยธา"]
