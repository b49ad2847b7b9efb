"""説明 lines: ``001 給与費 40,418``, ``調定見込額 404,000×98.9％``, ``母子生活支援施設 13,741×1／2 6,870``.

The 説明 column of a detail page lists items, each on its own line: an
optional item code, a name, counts (``４人``) and figures in the table's unit.
A figure right before ``×`` is the base of a formula (``other``, column
算定基礎), the figure after a formula is the item's amount, and numbers
inside the formula (rates, fractions) or glued into a name
(``キッズジョブ2026開催負担金``) are no money at all.  Nesting is by
indentation, so each line keeps the position where its text starts.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

from ..lexicon import alternation, book_words, ocr_misreads
from ..model import TextLine
from ..normalize import normalize_map

_WORDS = book_words()
_TIMES = alternation(_WORDS.times)
_DIVIDE = alternation(_WORDS.divide)
_COUNTERS = alternation(_WORDS.counters)
_BOX_MARKS = frozenset(ocr_misreads().box_marks)

# One number of a 説明 line, with what stands around it.
NUMBER_RE = regex.compile(
    rf"""
    (?P<before>{_TIMES}|{_DIVIDE}|[-+(（])?\s?        # ×0.74, /2, (15,088,000-…
    (?P<sign>[△▲])?
    (?<![\d.,])(?P<digits>\d{{1,3}}(?:,\s?\d{{3}})+|\d+)(?P<decimal>\.\d+)?(?![\d,])  # 37,200 (OCR: 15, 478)
    (?=(?P<after>\s?(?:{_TIMES}|{_DIVIDE}|{_COUNTERS}|[)）])))?  # ×, /, 人, ) (read, not taken)
    """,
    regex.VERBOSE,
)
# An item code: 001, 021101, 12-16 (a 節-細節 pair), with a space after it, or glued to the
# name as OCR prints it (001給与費) when it is three or six digits and no count follows.
_CODE = regex.compile(
    rf"^(?P<code>\d{{3,8}}(?:-\d{{1,3}})?|\d{{1,2}}-\d{{1,3}})\s"
    rf"|^(?P<glued>\d{{3}}|\d{{6}})(?=[\p{{Han}}\p{{Hiragana}}\p{{Katakana}}A-Za-z(（])(?!{alternation(_WORDS.code_stops)})"
)
_TAIL_JUNK = regex.compile(r"[\s:：]+$")
# the patterns each number and line is tested with, compiled once (a book has thousands of 説明 lines)
_TIMES_RE = regex.compile(_TIMES)
_DIVIDE_RE = regex.compile(_DIVIDE)
_COUNTERS_RE = regex.compile(_COUNTERS)
_LETTER = regex.compile(r"[\p{L}]")
_WORD_CHAR = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}A-Za-z]")
_TIMES_AFTER = regex.compile(rf"\s?(?:{_TIMES})")
_BRACKET_TIMES = regex.compile(rf"[^\s]*?[)）]\s?(?:{_TIMES})")
_TERM_TIMES = regex.compile(rf"\s?[-+]\s?[\d,]+\s?[)）]\s?(?:{_TIMES})")
_NAME_TAIL = regex.compile(rf"\s?[(（]?$|(?<=\S)\s?(?<![\d,])\d+\s?(?:{_COUNTERS})\S*$")
BASE_COLUMN = "算定基礎"


@dataclass(frozen=True)
class Figure:
    value: int  # in the line's unit, signed
    base: bool  # the base of a formula (×)
    start: int  # span in the normalised text
    end: int


@dataclass(frozen=True)
class ExplainLine:
    code: str
    name: str
    figures: tuple[Figure, ...]
    indent: float  # x where the text starts (the code, or the name)
    top: float
    bottom: float
    text: str  # normalised
    line: TextLine  # as read, for positions
    origin: tuple[int, ...]  # normalised index → index in ``line.text``

    @property
    def heading(self) -> bool:
        """A line with a name and no figure: a heading over the items below it, or a description."""
        return not self.figures and bool(self.name)


def _is_money(m: regex.Match[str], text: str) -> tuple[bool, bool]:
    """(money, base): whether a number is a figure, and whether it is a formula's base."""
    before, after = (m["before"] or "").strip(), (m["after"] or "").strip()
    if m["decimal"]:
        return False, False  # rates: 98.9, 0.74
    if before and (_TIMES_RE.fullmatch(before) or _DIVIDE_RE.fullmatch(before)):
        return False, False  # ×1／2, /2
    if after and _DIVIDE_RE.fullmatch(after):
        return False, False  # 1／2
    if after and _COUNTERS_RE.fullmatch(after):
        return False, False  # ４人, 1号分
    start, end = m.span("digits")
    glued_before = start > 0 and _LETTER.match(text[start - 1]) is not None and not m["sign"]
    glued_after = (
        end < len(text)
        and _WORD_CHAR.match(text[end]) is not None
        and text[end] not in _BOX_MARKS  # 357,177口新型…: a remark's □ as OCR prints it
    )
    if glued_before or glued_after:
        return False, False  # キッズジョブ2026開催負担金
    base = bool(after and _TIMES_RE.fullmatch(after))
    if not base and after in (")", "）"):
        # (15,088,000-1,150,000)×98.9%: the bracket closes a formula's base
        base = _TIMES_AFTER.match(text[m.end() :]) is not None
    if before in ("(", "（", "-", "+") and not base:
        rest = text[m.end() :]
        base = _BRACKET_TIMES.match(rest) is not None or _TERM_TIMES.match(rest) is not None
    return True, base


# OCR prints a thousands comma as a point: 357.177 (three digits after it) is 357,177.
_POINT_COMMA = regex.compile(r"(?<=(?<![\d.,])\d{1,3})\.(?=\s?\d{3}(?![\d.,]))")


def read_line(line: TextLine, ocr: bool = False) -> ExplainLine:
    """One visual 説明 line, its code, name and figures (``ocr``: its points may be commas)."""
    norm = normalize_map(line.text)
    text = norm.text
    if ocr:
        text = _POINT_COMMA.sub(",", text)
    figures: list[Figure] = []
    first_money = len(text)
    code = ""
    body_start = 0
    m = _CODE.match(text)
    if m:
        code, body_start = m["code"] or m["glued"], m.end()
    for n in NUMBER_RE.finditer(text, body_start):
        money, base = _is_money(n, text)
        if not money:
            continue
        value = int(n["digits"].replace(",", "").replace(" ", ""))
        if n["sign"]:
            value = -value
        figures.append(
            Figure(value, base, n.start("sign") if n["sign"] else n.start("digits"), n.end("digits"))
        )
        first_money = min(first_money, figures[-1].start)
    name = text[body_start:first_money]
    # a formula's bracket and a count before the figures are no part of the name
    name = _NAME_TAIL.sub("", name.rstrip())
    name = _TAIL_JUNK.sub("", name)
    from ..normalize import tidy_spaces

    name = tidy_spaces(unicodedata.normalize("NFKC", name))
    box = line.extent()
    indent = box[0] if box else 0.0
    return ExplainLine(
        code,
        name,
        tuple(figures),
        indent,
        box[1] if box else 0.0,
        box[3] if box else 0.0,
        text,
        line,
        norm.origin,
    )


def _ending_rules() -> list[tuple[regex.Pattern[str], str]]:
    rules = []
    for right, (after, misreads) in ocr_misreads().name_endings.items():
        rules.append((regex.compile(rf"(?<=(?:{alternation(after)}))[{''.join(misreads)}]$"), right))
    return rules


_ENDINGS = _ending_rules()


def repair_ending(name: str) -> str:
    """An OCR'd name with its last kanji put right where its ending says it (補助多 → 補助金)."""
    for pattern, right in _ENDINGS:
        name = pattern.sub(right, name)
    return name
