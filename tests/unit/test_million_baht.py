"""Budget cards in millions of baht, the full amount on hover (issue 16 item 6)."""

from __future__ import annotations

from tracker.present import finance_views as fv


def test_millions_of_baht_to_two_places():
    assert fv.millions(4_129_941_969.0) == "4,129.94"
    assert fv.millions(13_503_069.0) == "13.50"
    assert fv.millions(0.0) == "0.00"
    assert fv.millions(None) == "-"
    assert fv.millions(float("nan")) == "-"


def test_the_full_amount_to_the_satang_in_each_language():
    assert fv.full_amount(4_129_941_969.0, "th") == "เต็มจำนวน 4,129,941,969.00 บาท"
    assert fv.full_amount(4_129_941_969.0, "en") == "Full amount: 4,129,941,969.00 baht"
    assert fv.full_amount(None, "en") is None


def test_the_built_in_targets_source_in_one_language():
    from tracker.metrics.targets import SOURCE

    en = fv.source_in(SOURCE, "en")
    th = fv.source_in(SOURCE, "th")
    assert en.startswith("Thai Cabinet / Budget Bureau") and not any(
        "\u0e00" <= c <= "\u0e7f" for c in en
    )
    assert th.startswith("มาตรการเร่งรัดการเบิกจ่ายงบประมาณ") and "Thai Cabinet" not in th
    # a source the user wrote in targets.toml is shown as written
    assert fv.source_in("หนังสือ กทม. · letter", "en") == "หนังสือ กทม. · letter"
