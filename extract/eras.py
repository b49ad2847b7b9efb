"""Japanese era years (令和2年度, 平成31年度, R2, ㋿2) to Gregorian fiscal years.

Date libraries (japanera, jeraconv) parse calendar dates, not fiscal years,
and reject the 平成32年度 that documents printed before the era change still
use.  A fiscal year only needs the era's first year, so a table is exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from .lexicon import alternation, lexicon
from .numbers import kanji_digits_value, section_value

_LEX = lexicon()
_ERA_NAMES = alternation([e.name for e in _LEX.eras])
_ERA_ABBR = alternation([a for e in _LEX.eras for a in e.abbreviations])
_KANJI_YEAR = "".join(_LEX.digits) + "".join(_LEX.small_units)

ERA_YEAR_RE = regex.compile(
    rf"""
    (?:
        (?P<era>{_ERA_NAMES})\s?                       # 令和 / 平成 (㋿ and ㍻ are NFKC-folded)
        (?P<year>{_LEX.first_year}|\d{{1,2}}|[{_KANJI_YEAR}]{{1,3}})\s?
        (?P<suffix>年度|年)?
      | (?<![A-Za-z])(?P<abbr>{_ERA_ABBR})\s?          # R2 / H31 / R2年度
        (?P<abbr_year>{_LEX.first_year}|\d{{1,2}})(?![\d.])
        (?P<abbr_suffix>年度|年)?
      | (?<!\d)(?P<gregorian>(?:19|20)\d\d)\s?年度      # 2020年度
    )
    """,
    regex.VERBOSE,
)


@dataclass(frozen=True)
class EraYear:
    label: str  # as written, normalised (令和2年度)
    fiscal_year: int


def _year_number(text: str) -> int:
    if text == _LEX.first_year:
        return 1
    if text.isdigit():
        return int(text)
    if any(ch in _LEX.small_units for ch in text):
        return int(section_value(text))
    return int(kanji_digits_value(text))


def era_from_match(m: regex.Match[str]) -> EraYear:
    if m["gregorian"]:
        return EraYear(m[0].replace(" ", ""), int(m["gregorian"]))
    if m["era"]:
        era, year = _LEX.era(m["era"]), _year_number(m["year"])
    else:
        era, year = _LEX.era(m["abbr"]), _year_number(m["abbr_year"])
    return EraYear(m[0].replace(" ", ""), era.start + year - 1)


def parse_era_year(text: str) -> EraYear | None:
    """The first era year in normalised ``text``, or None."""
    m = ERA_YEAR_RE.search(text)
    return era_from_match(m) if m else None
