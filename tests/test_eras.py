"""Era years to fiscal years: 年度 runs April to March, 令和元年度 = 平成31年度 = FY2019."""

from __future__ import annotations

import pytest

from yosan.eras import parse_era_year
from yosan.normalize import normalize_text

ERAS = [
    ("令和2年度予算額(案)", "令和2年度", 2020),
    ("令和元年度補正予算額(案)", "令和元年度", 2019),
    ("平成31年度", "平成31年度", 2019),
    ("平成32年度", "平成32年度", 2020),  # printed before the era changed; still FY2020
    ("平成30年度補正", "平成30年度", 2018),
    ("令和二年度", "令和二年度", 2020),
    ("令和十二年度", "令和十二年度", 2030),
    ("令和２年度", "令和2年度", 2020),  # full-width digit
    ("㋿2年度", "令和2年度", 2020),  # era ligature
    ("㍻31年度", "平成31年度", 2019),
    ("R2", "R2", 2020),
    ("R2年度", "R2年度", 2020),
    ("H31年度", "H31年度", 2019),
    ("昭和57年度", "昭和57年度", 1982),
    ("2020年度", "2020年度", 2020),
    ("令和 2 年度", "令和2年度", 2020),
]


@pytest.mark.parametrize(("text", "label", "fiscal_year"), ERAS)
def test_era_years(text: str, label: str, fiscal_year: int) -> None:
    era = parse_era_year(normalize_text(text))
    assert era is not None
    assert (era.label, era.fiscal_year) == (label, fiscal_year)


@pytest.mark.parametrize("text", ["ROM2", "予算額", "PR2020", "Spring-8"])
def test_no_era(text: str) -> None:
    assert parse_era_year(text) is None
