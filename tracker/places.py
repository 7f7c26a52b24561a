"""Bangkok's 50 districts and six district groups (กลุ่มเขต), and agency-name matching.

Data: tracker/data/bangkok_districts.csv (code, name_th, name_en, zone_th, zone_en, …).
``district_of`` recognises a district office however it is written ("สำนักงานเขตบางนา",
"สำนักงานเขต บางนา", "เขตบางนา", "สนข.บางนา", "บางนา", "Bang Na", "Bang Na District", "1047")
and returns None for departments ("สำนักการโยธา").
"""

from __future__ import annotations

import numbers
import re
from functools import cache

import numpy as np
import pandas as pd

from tracker import PACKAGE_DIR
from tracker.thai import collapse_spaces, is_missing, to_arabic_digits

__all__ = [
    "DISTRICTS_CSV",
    "ZONE_ORDER",
    "district_codes",
    "district_name",
    "district_of",
    "districts",
    "normalize_agency",
    "zone_of_code",
    "zones",
]

DISTRICTS_CSV = PACKAGE_DIR / "data" / "bangkok_districts.csv"

# The BMA's usual order of the six district groups.
ZONE_ORDER = (
    "กรุงเทพกลาง",
    "กรุงเทพใต้",
    "กรุงเทพเหนือ",
    "กรุงเทพตะวันออก",
    "กรุงธนเหนือ",
    "กรุงธนใต้",
)

OFFICE_PREFIX = "สำนักงานเขต"
# Thai prefixes naming a district office, longest first; "เขต" repeated is tolerated.
_TH_PREFIXES = ("สำนักงานเขต", "สนข.", "สนข", "สน.เขต", "เขต")
_TH_SUFFIXES = ("กรุงเทพมหานคร", "กทม.", "กทม")
_EN_NOISE_RE = re.compile(r"\b(?:district\s+office|district|khet|office)\b", re.I)

# Other spellings seen in real sheets (abbreviations, misspellings, older romanisations).
_ALIASES: dict[str, str] = {
    "ป้อมปราบ": "1008",
    "ป้อมปราบฯ": "1008",
    "ป้อมปราบศัตรูพ่ายฯ": "1008",
    "ราษฏร์บูรณะ": "1024",
    "pomprab": "1008",
    "pompapsattruphai": "1008",
    "pomprabsattruphai": "1008",
    "sathorn": "1028",
    "klongtoey": "1033",
    "khlongtoey": "1033",
    "klongtoei": "1033",
    "donmuang": "1036",
    "huaykwang": "1017",
    "huaikwang": "1017",
    "wattana": "1039",
    "vadhana": "1039",  # BMA's own traditional spelling (and the boundary source's)
    "rajthevee": "1037",
    "ratchathevi": "1037",
    "rajathevi": "1037",
    "pravet": "1032",
    "praves": "1032",
    "bungkum": "1027",
    "buengkum": "1027",
    "kannayao": "1043",
    "khannayao": "1043",
    "thungkru": "1049",
    "tungkru": "1049",
    "jomtong": "1035",
    "chomtong": "1035",
    "taweewattana": "1048",
    "thaweewattana": "1048",
    "bangplad": "1025",
    "bangphlad": "1025",
    "phayathai": "1014",
    "jatujak": "1030",
    "chatuchak": "1030",
    "ratburana": "1024",
    "ratchatewi": "1037",
    "bangkapi": "1006",
    "pathumwan": "1007",
    "thonburi": "1015",
    "klongsan": "1018",
    "klongsamwa": "1046",
    "bangkhunthien": "1021",
    "phasicharoen": "1022",
    "ladkrabang": "1011",
    "ladprao": "1038",
    "minburi": "1010",
    "samphanthawongse": "1013",
    "samphanthawong": "1013",
}


@cache
def _table() -> pd.DataFrame:
    """The districts table as read (cached; never hand out this object itself)."""
    df = pd.read_csv(DISTRICTS_CSV, dtype={"code": str}, encoding="utf-8")
    df["code"] = df["code"].str.strip()
    return df


def districts() -> pd.DataFrame:
    """The 50 districts: code (str, e.g. "1047"), name_th, name_en, zone_th, zone_en, …."""
    return _table().copy()


def zones() -> list[tuple[str, str]]:
    """The six district groups as (zone_th, zone_en), in the BMA's usual order."""
    return list(_zones())


@cache
def _zones() -> tuple[tuple[str, str], ...]:
    pairs = _table()[["zone_th", "zone_en"]].drop_duplicates()
    order = {z: i for i, z in enumerate(ZONE_ORDER)}
    ranked = sorted(
        (
            (order.get(th, len(order) + i), th, en)
            for i, (th, en) in enumerate(pairs.itertuples(index=False))
        )
    )
    return tuple((th, en) for _, th, en in ranked)


def _latin_key(s: str) -> str:
    """Comparison key of a romanised name: lower case, letters only ("Bang Na" → "bangna")."""
    return re.sub(r"[^a-z]", "", s.lower())


def _thai_key(s: str) -> str:
    """Comparison key of a Thai name: no spaces at all."""
    return re.sub(r"\s+", "", s)


@cache
def _lookup() -> dict[str, str]:
    """Name/alias key → district code."""
    out: dict[str, str] = {}
    for row in _table().itertuples(index=False):
        out[_thai_key(row.name_th)] = row.code
        out[_latin_key(row.name_en)] = row.code
        out[row.code] = row.code
    for alias, code in _ALIASES.items():
        out[_thai_key(alias) if re.search(r"[\u0e00-\u0e7f]", alias) else _latin_key(alias)] = code
    return out


def _strip_affixes(name: str) -> str:
    """Remove district-office prefixes (repeatable, e.g. "สำนักงานเขต เขตบางนา") and suffixes."""
    t = _thai_key(name)
    changed = True
    while changed:
        changed = False
        for suffix in _TH_SUFFIXES:
            if t.endswith(suffix) and len(t) > len(suffix):
                t, changed = t[: -len(suffix)], True
        for prefix in _TH_PREFIXES:
            if t.startswith(prefix) and len(t) > len(prefix):
                t, changed = t[len(prefix) :], True
                break
    return t


def district_of(name: object) -> str | None:
    """District code of an agency/district name, English name or code; None if not a district."""
    if is_missing(name):
        return None
    if isinstance(name, numbers.Real) and not isinstance(name, bool):
        if not float(name).is_integer():
            return None
        name = str(int(float(name)))
    text = to_arabic_digits(collapse_spaces(name))
    if not text:
        return None
    table = _lookup()
    if re.fullmatch(r"[0-9]{4}(?:\.0+)?", text):
        return table.get(text[:4]) if text[:4] in _table()["code"].values else None
    if re.search(r"[\u0e00-\u0e7f]", text):
        return table.get(_strip_affixes(text))
    key = _latin_key(_EN_NOISE_RE.sub(" ", text))
    return table.get(key) if key else None


def normalize_agency(name: object) -> str:
    """Canonical agency name: whitespace collapsed; a district office as "สำนักงานเขต<name>".

    Anything recognised by ``district_of`` ("สำนักงานเขต บางนา", "เขตบางนา", "Bang Na",
    "1047") becomes "สำนักงานเขตบางนา"; other names (departments such as "สำนักการโยธา")
    only have their whitespace and look-alike Thai characters cleaned. Missing → "".
    """
    if is_missing(name):
        return ""
    text = collapse_spaces(name)
    code = district_of(text)
    if code is not None:
        return OFFICE_PREFIX + (district_name(code, "th") or text)
    return text


def zone_of_code(code: object) -> tuple[str, str] | None:
    """(zone_th, zone_en) of a district code; None for an unknown code."""
    row = _row(code)
    return None if row is None else (row["zone_th"], row["zone_en"])


def district_name(code: object, lang: str = "th") -> str | None:
    """District name in the language ("th" → "บางนา", "en" → "Bang Na"); None if unknown."""
    row = _row(code)
    if row is None:
        return None
    return row["name_en"] if str(lang).lower().startswith("en") else row["name_th"]


@cache
def _rows() -> dict[str, dict[str, str]]:
    return {r["code"]: r for r in _table().to_dict("records")}


def _row(code: object) -> dict[str, str] | None:
    if is_missing(code):
        return None
    key = to_arabic_digits(str(code)).strip()
    if re.fullmatch(r"[0-9]{4}\.0+", key):
        key = key[:4]
    return _rows().get(key)


def district_codes(series: pd.Series) -> pd.Series:
    """Vectorised ``district_of``: one lookup per distinct value, mapped back (str, NaN if none)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    found = np.array([*(district_of(v) for v in uniques), None], dtype=object)
    out = found[codes]  # code -1 (missing) picks the trailing None
    return pd.Series(out, index=series.index, name=series.name, dtype="str")
