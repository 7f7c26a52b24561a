"""Both catalogues have the same keys, and every issue code used in the code has both texts."""

import re
from pathlib import Path

from tracker.i18n import catalogue

ROOT = Path(__file__).resolve().parents[2]


def test_same_keys_in_both_languages():
    th, en = catalogue("th"), catalogue("en")
    assert set(th) == set(en), set(th) ^ set(en)


def test_no_empty_messages():
    for lang in ("th", "en"):
        assert all(v.strip() for v in catalogue(lang).values()), lang


def _codes_in_code() -> set[str]:
    pattern = re.compile(
        r"""(?:make_issue|\.issue)\(\s*["'](?:error|warning|info)["'],\s*["'](\w+)["']"""
    )
    codes = set()
    for path in [*ROOT.glob("tracker/**/*.py"), *ROOT.glob("data_sources/**/*.py")]:
        codes |= set(pattern.findall(path.read_text(encoding="utf-8")))
    codes |= set(re.findall(r'"(\w+)",\s*\n?\s*"(?:error|warning)"', ""))
    return codes


def test_every_issue_code_has_thai_and_english():
    codes = _codes_in_code()
    assert len(codes) >= 15
    for code in sorted(codes):
        for lang in ("th", "en"):
            assert f"issue.{code}" in catalogue(lang), (code, lang)
