"""Codes and names of budget-book entries: ``５款 労働費`` is code 5 at level 款, named 労働費.

Budget books print each entry with its code (款・項・目・節 numbers, 説明 item
numbers such as ``001`` or ``021101``), sometimes with the level after it
(``５款``), sometimes glued to the name by the text layer (``1労政費``).  A
number followed by a counter (``1号分``, ``４人``) is part of the name, not a
code.  Totals rows (``計``, ``歳 入 合 計``) have no code.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import regex

from ..lexicon import alternation, book_words
from ..model import Level

_WORDS = book_words()

CODE_RE = regex.compile(
    rf"""
    ^(?:{_WORDS.ordinal}\s?(?=\d{{1,3}}\s?(?:{alternation(_WORDS.levels)})))?  # 第 of 第１款
    (?P<code>\d{{1,8}}(?:-\d{{1,3}})?)           # 5, 001, 021101, 12-16
    (?:\s?(?P<level>{alternation(_WORDS.levels)})  # 款 / 項 / 目 / 節 after the number
      | (?!{alternation(_WORDS.code_stops)}))      # 1号分, 4人: a count glued on, not a code
    (?:\s?[.．、])?\s?                           # １.市税 (補正予算整理表)
    (?P<name>[^\d\s.,，].*)$                     # the name: not another number
    """,
    regex.VERBOSE,
)
_SPACES = regex.compile(r"\s+")
_TOTALS = {t: t for t in _WORDS.totals}


@dataclass(frozen=True)
class Entry:
    code: str  # as printed, without its level (5, 001); '' when none
    name: str  # without the code, spaces removed between CJK characters
    level: Level  # from the code's level word (５款), or NONE


NAME_CACHE = 4096  # names kept once tidied or split: a book's reader asks for the same ones again and again


@lru_cache(maxsize=NAME_CACHE)
def tidy_name(text: str) -> str:
    """A name as a user reads it: NFKC, spaces between CJK characters gone (``労 働 費``)."""
    from ..normalize import tidy_spaces

    return tidy_spaces(unicodedata.normalize("NFKC", text)).strip()


@lru_cache(maxsize=NAME_CACHE)
def split_code(text: str) -> Entry:
    """The code, level and name of an entry as printed."""
    text = tidy_name(text)
    m = CODE_RE.match(text)
    if not m:
        return Entry("", text, Level.NONE)
    level = Level(m["level"]) if m["level"] else Level.NONE
    return Entry(m["code"], tidy_name(m["name"]), level)


_SIDE_TOTAL = regex.compile(rf"^(?P<side>{alternation(_WORDS.sections)})(?!.*\p{{Han}}{{2}})\S{{2,12}}$")


def total_name(text: str, misread: bool = False) -> str:
    """``計``, ``歳入合計`` … when the text names a totals row (spaces ignored), else ''.

    With ``misread`` (OCR), 歳入 or 歳出 followed by a few characters that hold no
    word (歳入′口△、言1コ」1‐: 合計 printed spaced out) is that side's total.
    """
    squeezed = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    found = _TOTALS.get(squeezed, "")
    if not found and misread:
        m = _SIDE_TOTAL.match(squeezed)
        if m:
            found = _TOTALS.get(m["side"] + "合計", "")
    return found


def distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of two short names, or ``limit + 1`` once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        best = row[0]
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
            best = min(best, row[j])
        if best > limit:
            return limit + 1
    return row[-1]


def _rare(ch: str) -> bool:
    """A kanji outside JIS X 0208 level 1 (the everyday set): a sign of a misread or a wrong map."""
    if not ("\u4e00" <= ch <= "\u9fff"):
        return False
    try:
        code = ch.encode("euc_jp")
    except UnicodeEncodeError:
        return True
    return len(code) != 2 or not 0xB0 <= code[0] <= 0xCF


def standard_name(name: str, level: Level, misread: bool) -> str:
    """A standard 款 or 節/細節 name that ``name`` is a misreading of, or ``name`` itself.

    Only when the name is not standard itself, when it was read by OCR or holds
    a rare kanji (a text layer's wrong map: 報郸 for 報酬), and when exactly one
    standard name is nearest, within one edit per four characters.
    """
    if level in (Level.SETSU, Level.SAISETSU):
        pool: tuple[str, ...] = _WORDS.setsu + _WORDS.saisetsu
    elif level == Level.KAN:
        pool = tuple(sorted(_WORDS.revenue_kan | _WORDS.expenditure_kan))
    else:
        return name
    if name in pool or not name or not (misread or any(_rare(ch) for ch in name)):
        return name
    limit = max(1, len(name) // 4)
    scored = [(distance(name, w, limit), w) for w in pool]
    best = min(d for d, _ in scored)
    near = [w for d, w in scored if d == best]
    return near[0] if best <= limit and len(near) == 1 else name
