from __future__ import annotations

import pytest

from yosan.normalize import normalize_map, normalize_text, tidy_spaces

CASES = [
    ("５，９７５百万円（前年度）", "5,975百万円(前年度)"),
    ("①1,358百万円", "①1,358百万円"),  # NFKC would make this 11,358
    ("⑳ ㉑ ㊿", "⑳ ㉑ ㊿"),
    ("⼈材育成", "人材育成"),  # Kangxi radical U+2F08
    ("⻝品", "食品"),  # CJK Radicals Supplement U+2EDD: NFKC leaves it
    ("⻑期", "長期"),
    ("㍻31年度 ㋿2年度", "平成31年度 令和2年度"),
    ("▲1,234 △5", "▲1,234 △5"),
    ("\u22121,234", "-1,234"),  # minus sign
    ("令和2年度予算額\u3000(案)", "令和2年度予算額 (案)"),  # ideographic space
    ("ｶﾞｽ", "ガス"),  # half-width kana with a voiced mark stays one character
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_origin_map_points_back_to_source() -> None:
    raw = "㍻31年度 ①５百万円"
    norm = normalize_map(raw)
    assert len(norm.origin) == len(norm.text)
    five = norm.text.index("5")
    assert raw[norm.origin[five]] == "５"
    assert raw[norm.origin[norm.text.index("成")]] == "㍻"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "官民地域パートナーシップによる 次世代放射光施設の推進",
            "官民地域パートナーシップによる次世代放射光施設の推進",
        ),
        ("Society 5.0 を支える", "Society 5.0を支える"),
        ("JST  地球規模", "JST地球規模"),
        ("ITER機構の活動(分担金)", "ITER機構の活動(分担金)"),
    ],
)
def test_tidy_spaces(raw: str, expected: str) -> None:
    assert tidy_spaces(raw) == expected
