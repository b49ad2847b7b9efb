"""A budget book's own facts: its fiscal year, its account, whether it amends a budget.

A book states its year once, on the cover or in its title (``令和８年度
富士市一般会計予算``, ``令和7年度一般会計補正予算(第3号)``); its detail pages
do not repeat it.  A file split out of a book (``歳入_01款_市税.pdf``) may
not state it at all: then the year comes from the file's name or its folder
(``R8/分割/…``, ``fuji_r8_…``), with a warning, unless the caller gives it.
One document may hold several budgets (a council's papers: 補正予算 第1号,
第2号 and a special account), so each title holds for the pages after it.
"""

from __future__ import annotations

import logging
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import regex

from ..eras import ERA_YEAR_RE, era_from_match
from ..lexicon import alternation, book_words, lexicon
from ..model import FurnitureKind, Page

log = logging.getLogger("yosan")
_WORDS = book_words()

TITLE_RE = regex.compile(
    rf"""
    (?P<year>{ERA_YEAR_RE.pattern})                 # 令和８年度 (a fiscal year, not 令和2年5月)
    (?<=年度)\s?
    (?P<body>[^。、,0-9]{{0,30}}?)                   # 富士市一般会計 / 小平市国民健康保険事業特別会計補正
    (?:{alternation(_WORDS.budget_title)})          # 予算 / 予算書
    (?:\s?[(（]?案[)）]?)?(?:の?概要)?                 # 予算(案)の概要
    (?!額|の|は|に|を|で|が|と)                        # 予算額 is a label, 予算は… is prose
    """,
    regex.VERBOSE,
)
_ACCOUNT = regex.compile(rf"[\p{{Han}}\p{{Katakana}}ー・]+{regex.escape(_WORDS.account_suffix)}")
_GENERAL = _WORDS.default_account
_MUNICIPALITY = regex.compile(r"^\p{Han}{1,4}?[市町村区](?=\p{Han}{4})")
_ERAS = alternation([e.name for e in lexicon().eras] + [a for e in lexicon().eras for a in e.abbreviations])
# In a path: R8, r8, 令和8 (a folder or a file-name part), or FY2026 / 2026年度.
_PATH_YEAR = regex.compile(
    rf"""
    (?<![A-Za-z0-9])(?P<era>{_ERAS}|[rhRH])[_ -]?(?P<n>\d{{1,2}})(?!\d)   # R8, r8, 令和8, H30
    | (?<!\d)(?P<g>20\d\d)(?=年度|_|-|\.|$)                             # 2027年度, FY2027.pdf
    """,
    regex.VERBOSE,
)
TITLE_LINES = 12  # lines at the top of a page where a title stands


@dataclass(frozen=True)
class Budget:
    """The budget a run of pages belongs to."""

    fiscal_year: int | None
    account: str
    supplementary: bool  # a 補正予算: figures of 節 and 説明 are the amendment
    era: str  # the era its year is written in (令和), for the records' era labels
    first_page: int | None  # where its title stands


_SUPPLEMENTARY = regex.compile(rf"(?:{alternation(_WORDS.supplementary_title)})")


def is_supplementary(title: str) -> bool:
    """Whether a budget title is a 補正予算's."""
    return _SUPPLEMENTARY.search(title) is not None


def _account(body: str) -> str:
    found = _ACCOUNT.findall(body)
    if not found:
        return ""
    name = max(found, key=len)
    if name.endswith(_GENERAL):
        return _GENERAL
    return _MUNICIPALITY.sub("", name)


def titles(pages: Sequence[Page]) -> list[tuple[int, Budget]]:
    """Each budget title the pages state, with the index of the page it stands on."""
    out: list[tuple[int, Budget]] = []
    for index, page in enumerate(pages):
        # a title repeated atop every page is a running head: furniture, and still the title
        heads = [f.line for f in page.furniture if f.kind == FurnitureKind.RUNNING_HEAD]
        lines = [unicodedata.normalize("NFKC", line.text) for line in [*heads, *page.lines()]][:TITLE_LINES]
        text = " ".join(lines)
        for m in TITLE_RE.finditer(text):
            year = era_from_match(ERA_YEAR_RE.match(m["year"]))
            era = regex.match(r"\D+", year.label)
            budget = Budget(
                year.fiscal_year,
                _account(m["body"]) or _GENERAL,
                is_supplementary(m[0]),
                era[0] if era else "",
                page.number,
            )
            if not out or out[-1][1] != budget:
                out.append((index, budget))
            break
    return out


def year_from_path(path: str) -> int | None:
    """A fiscal year a file's name or folder states (``R8/分割/…``, ``fuji_r8_…``), or None."""
    for part in reversed(regex.split(r"[\\/]", unicodedata.normalize("NFKC", path))):
        m = _PATH_YEAR.search(part)
        if m:
            if m["g"]:
                return int(m["g"])
            letter = m["era"].upper() if len(m["era"]) == 1 else m["era"]
            era = lexicon().era(letter)
            return era.start + int(m["n"]) - 1
    return None


def budgets(
    pages: Sequence[Page], source: str, path: str = "", fiscal_year: int | None = None
) -> list[Budget]:
    """The budget of every page: the last title at or before it, else the book's main one.

    ``fiscal_year`` (the caller's) wins over everything; a book that states no year
    takes it from ``path`` with a warning.
    """
    found = titles(pages)
    if found:
        years = Counter(b.fiscal_year for _, b in found)
        main = max(found, key=lambda ib: (years[ib[1].fiscal_year], -ib[0]))[1]
    else:
        year = year_from_path(path or source)
        if year is not None and fiscal_year is None:
            log.warning("%s: the document states no fiscal year; %d taken from its file name", source, year)
        main = Budget(year, _GENERAL, False, "令和" if year and year >= 2019 else "", None)
    out: list[Budget] = []
    k = -1
    for index in range(len(pages)):
        while k + 1 < len(found) and found[k + 1][0] <= index:
            k += 1
        budget = found[k][1] if k >= 0 else main
        if fiscal_year is not None:
            budget = Budget(fiscal_year, budget.account, budget.supplementary, budget.era, budget.first_page)
        out.append(budget)
    return out
