"""Inspected units' names in the user's language (issue 16 item 5).

The data keeps the Thai name; English labels come from tracker/data/bangkok_districts.csv
("สำนักงานเขตบางนา" → "Bang Na District Office") and tracker/data/departments_en.csv (the
BMA's English names of its departments, e.g. "สำนักการโยธา" → "Public Works Department").
A name neither knows is shown as written.
"""

from __future__ import annotations

import csv
from functools import cache, lru_cache

from tracker import DATA_DIR
from tracker.places import district_name, district_of, normalize_agency

DEPARTMENTS_EN = DATA_DIR / "departments_en.csv"
DISTRICT_OFFICE_EN = "{name} District Office"


@cache
def _departments_en() -> dict[str, str]:
    with DEPARTMENTS_EN.open(encoding="utf-8", newline="") as fh:
        return {normalize_agency(r["name_th"]): r["name_en"].strip() for r in csv.DictReader(fh)}


def unit_name(name: object, lang: str) -> str:
    """A unit's name in ``lang``: Thai as stored; English from the district and department
    tables, else the stored name."""
    text = "" if name is None else str(name)
    if lang != "en" or not text:
        return text
    return _english(text)


@lru_cache(maxsize=8192)
def _english(text: str) -> str:  # the same few hundred units, row after row
    english = _departments_en().get(normalize_agency(text))
    if english:
        return english
    code = district_of(text)
    if code is not None:
        return DISTRICT_OFFICE_EN.format(name=district_name(code, "en"))
    return text


def unit_names(names: list[str], lang: str) -> list[str]:
    return [unit_name(n, lang) for n in names]
