"""What each column of a budget-book table holds, read from its headers.

A budget book names its columns (``目 | 本年度予算額 | 前年度予算額 | 比 較 |
本年度予算額の財源内訳 > 特定財源 > 国県支出金 …``), and the wording varies
from city to city, so the vocabulary lives in ``data/ja.toml`` (``[book]``)
and is matched on NFKC text with every space removed.  A column's headers are
read from the bottom up: the most specific header decides (``国県支出金``
under ``財源内訳`` is a funding share named 国県支出金; ``千円`` at the bottom is
the column's unit, not its meaning).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

import regex

from ..eras import ERA_YEAR_RE, era_from_match
from ..lexicon import alternation, book_words, lexicon
from ..model import Kind, Level, Table

_UNIT = regex.compile(
    rf"^[(（]?(?:単位[:：]?)?(?P<unit>[{''.join(lexicon().small_units)}]?[{''.join(lexicon().large_units)}]?円)[)）]?$"
)


class Role(StrEnum):
    NAME = "name"  # codes and names (款, 項, 目, 節 区分, 事項)
    MONEY = "money"  # one figure per row
    EXPLAIN = "explain"  # 説明: a list of items with their own figures
    TEXT = "text"  # anything else: rates, periods, methods, remarks


@dataclass(frozen=True)
class Column:
    """One column's meaning."""

    role: Role
    kind: Kind | None = None  # for money
    column: str = ""  # for kind other: the header it stands under (国県支出金, 限度額)
    level: Level = Level.NONE  # for names
    year: int | None = None  # a year its header states (令和4年度当初)
    unit: str = ""  # 千円 from a header row
    period: bool = False  # figures over several years (債務負担行為 with a 期間 column)


def squeeze(text: str) -> str:
    """Header text as it is matched: NFKC, no spaces."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _words(words: Sequence[str]) -> regex.Pattern[str]:
    return regex.compile(rf"(?:{alternation([squeeze(w) for w in words])})")


@dataclass(frozen=True)
class _Vocabulary:
    kinds: tuple[tuple[Kind, regex.Pattern[str]], ...]
    funding: regex.Pattern[str]
    not_money: regex.Pattern[str]
    period: regex.Pattern[str]
    explanation: regex.Pattern[str]
    names: dict[str, Level]


def _vocabulary() -> _Vocabulary:
    words = book_words()
    return _Vocabulary(
        kinds=tuple((Kind(kind), _words(ws)) for kind, ws in words.kinds.items()),
        funding=_words(words.funding),
        not_money=_words(words.not_money),
        period=_words(words.period),
        explanation=_words(words.explanation),
        names={squeeze(k): Level(v) for k, v in words.names.items()},
    )


_VOCAB = _vocabulary()


def header_unit(text: str) -> str:
    """The unit a header or a cell states on its own (``千円``, ``(単位:千円)``), or ''."""
    m = _UNIT.match(squeeze(text))
    return m["unit"] if m else ""


def _kind_of(text: str) -> tuple[Kind, str] | None:
    """The kind a header names, with the words that said it: the longest match wins."""
    best: tuple[int, Kind, str] | None = None
    for kind, pattern in _VOCAB.kinds:
        for m in pattern.finditer(text):
            if best is None or len(m[0]) > best[0]:
                best = (len(m[0]), kind, m[0])
    return (best[1], best[2]) if best else None


_PUNCT = regex.compile(r"[。、.,・:：;'\"`]")


def _all_words() -> tuple[str, ...]:
    words = book_words()
    every = [w for ws in words.kinds.values() for w in ws] + list(words.funding) + list(words.not_money)
    every += list(words.explanation) + list(words.names)
    return tuple(sorted({squeeze(w) for w in every if len(squeeze(w)) >= 2}))


_ALL = _all_words()
_ANY_WORD = regex.compile(rf"(?:{alternation(list(_ALL))})")


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by one substitution, insertion or deletion."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:k] + long_[k + 1 :] == short for k in range(len(long_)))


def misread_header(text: str) -> str:
    """The header word OCR misread as ``text`` (比電 → 比較 is ambiguous with 比率: ''), one edit away.

    Only a word of two characters or more, only when exactly one word is that
    near, and a two-character word only by a substitution (OCR rarely drops a
    character of a short header, and one edit of two characters is a lot).
    """
    text = _PUNCT.sub("", text)
    if len(text) < 2 or text in _ALL:
        return text if text in _ALL else ""
    near = {w for w in _ALL if _one_edit(text, w) and (len(w) >= 3 or len(w) == len(text))}
    return near.pop() if len(near) == 1 else ""


def classify(path: Sequence[str], misreads: bool = False) -> Column | None:
    """A column's meaning from its headers (top down), or None when they say nothing known.

    With ``misreads`` (an OCR page), a header that names nothing is read as the
    one vocabulary word it is one edit away from, and a short unknown text at the
    bottom (a unit OCR garbled: 子由 for 千円) is passed over.
    """
    texts = [squeeze(t) for t in path if squeeze(t)]
    if misreads:
        texts = [t if _ANY_WORD.search(t) or header_unit(t) else (misread_header(t) or t) for t in texts]
    unit = ""
    while texts and header_unit(texts[-1]):
        unit = header_unit(texts.pop())
    if misreads and len(texts) >= 2 and len(texts[-1]) <= 2 and not _ANY_WORD.search(texts[-1]):
        texts.pop()
    if not texts:
        return None
    bottom = texts[-1]
    if bottom in _VOCAB.names:
        return Column(Role.NAME, level=_VOCAB.names[bottom], unit=unit)
    whole = "".join(texts)
    if _VOCAB.explanation.fullmatch(bottom):
        return Column(Role.EXPLAIN, unit=unit)
    if _VOCAB.not_money.search(bottom):
        return Column(Role.TEXT, period=bool(_VOCAB.period.search(bottom)))
    m = ERA_YEAR_RE.search(whole)
    year = era_from_match(m).fiscal_year if m else None
    if _VOCAB.funding.search(whole):
        # a share of the budget: named by the most specific header (国県支出金, 一般財源)
        return Column(Role.MONEY, Kind.OTHER, column=bottom, year=year, unit=unit)
    # the bottom header says it, unless a longer word runs over two header rows
    # (前年度 / 予算額 is 前年度予算額, not 予算額)
    found = _kind_of(bottom)
    longer = _kind_of("".join(texts[-2:])) if len(texts) >= 2 else None
    if longer is not None and (found is None or len(longer[1]) > len(found[1]) + 1):
        found = longer
    found = found or _kind_of(whole)
    if found is None:
        return None
    kind, word = found
    if kind == Kind.OTHER:
        return Column(Role.MONEY, kind, column=word, year=year, unit=unit)
    return Column(Role.MONEY, kind, year=year, unit=unit)


def classify_table(table: Table, misreads: bool = False) -> list[Column | None] | None:
    """The meaning of each column, or None when the headers do not make a budget table.

    A budget table names at least one column of figures; 計 counts as revised
    only beside 補正前の額 or 補正額 (elsewhere it is no column of its own).
    """
    if table.header_rows == 0:
        return None
    columns = [classify(path, misreads) for path in table.header_paths()]
    kinds = {c.kind for c in columns if c is not None and c.role == Role.MONEY}
    if not kinds and not any(c is not None and c.role == Role.EXPLAIN for c in columns):
        return None
    has_amendment = bool(kinds & {Kind.BASE, Kind.SUPPLEMENTARY})
    out: list[Column | None] = []
    for path, col in zip(table.header_paths(), columns, strict=True):
        if (
            col is not None
            and col.kind == Kind.REVISED
            and not has_amendment
            and squeeze(path[-1] if path else "") == "計"
        ):
            col = None
        out.append(col)
    if any(c is not None and c.period for c in out):
        out = [replace(c, period=True) if c is not None and c.role == Role.MONEY else c for c in out]
    return _names_between(table, out)


_NEXT_LEVEL = {Level.KAN: Level.KOU, Level.KOU: Level.MOKU, Level.MOKU: Level.SETSU}
_NAMED = regex.compile(r"^\s?\d{1,3}\s?\S*[\p{Han}\p{Katakana}]")


def _names_between(table: Table, columns: list[Column | None]) -> list[Column | None]:
    """A column whose header says nothing known, right after a name column and before the figures,
    that holds coded names (``1総務費国庫補助金``), is the next level's names (an OCR'd 目 read as 上)."""
    out = list(columns)
    grid = table.grid()
    for k in range(1, len(out)):
        before, col = out[k - 1], out[k]
        if col is not None or before is None or before.role != Role.NAME or before.level not in _NEXT_LEVEL:
            continue
        if not any(c is not None and c.role == Role.MONEY for c in out[k + 1 :]):
            continue
        texts = [grid[r][k].text for r in range(table.header_rows, table.n_rows) if grid[r][k] is not None]  # type: ignore[union-attr]
        texts = [t for t in texts if t.strip()]
        if texts and all(_NAMED.match(unicodedata.normalize("NFKC", t)) for t in texts):
            out[k] = Column(Role.NAME, level=_NEXT_LEVEL[before.level])
    return out
