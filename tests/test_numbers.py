"""Amounts: real strings from the documents, and the edge cases the pitfalls notes list."""

from __future__ import annotations

from decimal import Decimal

import pytest

from yosan.normalize import normalize_text
from yosan.numbers import AmountError, find_amounts, parse_amount

AMOUNTS = [
    # (text as printed, yen, unit, approx)
    ("5,975百万円", 5_975_000_000, "百万円", False),
    ("５，９７５百万円", 5_975_000_000, "百万円", False),  # full-width digits and comma
    ("0.3億円", 30_000_000, "億円", False),
    ("0.7億円", 70_000_000, "億円", False),
    ("3千万円", 30_000_000, "千万円", False),
    ("三千万円", 30_000_000, "千万円", False),
    ("5兆3,060億円", 5_306_000_000_000, "億円", False),
    ("4兆303億円", 4_030_300_000_000, "億円", False),
    ("1兆2,345億円", 1_234_500_000_000, "億円", False),
    ("約3.5兆円", 3_500_000_000_000, "兆円", True),
    ("約1,100億円", 110_000_000_000, "億円", True),
    ("35百万円程度", 35_000_000, "百万円", True),
    ("3千万円程度", 30_000_000, "千万円", True),
    ("114,424千円", 114_424_000, "千円", False),
    ("▲10,995千円", -10_995_000, "千円", False),
    ("△30,900千円", -30_900_000, "千円", False),
    ("1億2,000万円", 120_000_000, "万円", False),
    ("608億円", 60_800_000_000, "億円", False),
    ("12,345円", 12_345, "円", False),
    ("二千五百万円", 25_000_000, "百万円", False),
    ("14, 400百万円", 14_400_000_000, "百万円", False),  # OCR/PDF space after a comma
    ("5,181 百万円", 5_181_000_000, "百万円", False),  # OCR: a space before the unit (scan p40)
]


@pytest.mark.parametrize(("text", "yen", "unit", "approx"), AMOUNTS)
def test_parse_amount(text: str, yen: int, unit: str, approx: bool) -> None:
    amount = parse_amount(normalize_text(text))
    assert amount.yen == Decimal(yen)
    assert isinstance(amount.yen, Decimal)
    assert amount.unit == unit
    assert amount.approx is approx
    assert amount.negative is (yen < 0)


@pytest.mark.parametrize("text", ["千円", "百万円", "(単位:千円)", "円", "1,2345円"])
def test_not_amounts(text: str) -> None:
    with pytest.raises(AmountError):
        parse_amount(text)


LINES = [
    # real lines from the shared document and the amounts found on them
    ("令和2年度予算額(案) 48,514百万円", ["48,514百万円"]),
    ("9,679百万円※1(9,721百万円※1)", ["9,679百万円", "9,721百万円"]),
    ("+ 共進化実現プロジェクト0.2億円", ["0.2億円"]),
    ("*パワーデバイス市場見込み：2025年に約3.5兆円（2015年の1.3倍）", ["約3.5兆円"]),
    ("注1:円の大きさは当該国又は地域の論文数を示している。", []),
    ("- ① **施設の整備費 1,358百万円(952百万円)**", ["1,358百万円", "952百万円"]),
    ("①1,358百万円", ["1,358百万円"]),  # ① must not become a digit
    # a dash cell standing apart is no minus sign (OCR, whole scan p12, seed 777); a glued one is
    ("令和2年度予算額(案)\t-\t14,269百万円", ["14,269百万円"]),
    ("-2,700百万円", ["-2,700百万円"]),
    ("▲ 102百万円", ["▲ 102百万円"]),
]


@pytest.mark.parametrize(("line", "found"), LINES)
def test_find_amounts_in_lines(line: str, found: list[str]) -> None:
    assert [m[0] for m in find_amounts(normalize_text(line))] == found
