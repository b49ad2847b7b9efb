"""Line breaks the wrap test removed, put back where the document itself says so.

A heading that happens to fill its column to the edge looks, on the page,
exactly like the first line of a wrapped paragraph: same font, same size,
no space after it.  The document settles it: budget documents state each
programme's name more than once (on the summary page, atop its detail page).
When one side of a rejoined break is, alone, a line the document prints on
its own elsewhere (a name at least ``TITLE_MIN`` characters long), the break
was a line break: the line is cut there again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import regex

from ..lexicon import alternation, lexicon
from ..model import Page, TextBlock, TextLine

TITLE_MIN = 6  # characters: shorter names (推進, 事業概要) are too common to decide anything
TAIL_MIN = 10  # characters: a name found only after breaks must be longer to count
_KANA = regex.compile(r"^[\p{Hiragana}ーンァィゥェォッャュョヮ]")  # a particle, or inside a word


def _compact_pattern() -> regex.Pattern[str]:
    lex = lexicon()
    marks = alternation([*lex.strong_markers, *lex.weak_markers])
    return regex.compile(rf"^(?:(?:{marks})\s?)+|\s+")


_COMPACT = _compact_pattern()
# a line opened by a numbering mark (◇ ○ ① …): an item of its own, whatever its rows
_NUMBERED = regex.compile(rf"^\s*(?:{alternation(lexicon().strong_markers)})")
# a name up to its first figure or bracketed figure: `気候変動適応戦略イニシアチブ 1,127百万円 …`
_NAME = regex.compile(r"^(.*?)(?=\s?[(（]?[▲△]?\d[\d,，.]*\s?[千百十万億兆]*円|$)")
_SENTENCE_END = regex.compile(r"[。．]$")


def _key(text: str) -> str:
    return _COMPACT.sub("", text)


def _name(text: str) -> str:
    m = _NAME.match(text)
    return _key(m[1]) if m else ""


def _titles(lines: Iterable[TextLine]) -> set[str]:
    """Lines printed on their own (one row, or several after a numbering mark: a summary page's
    ``◇グローバルに活躍する…`` wrapped in a narrow column), as keys: names that stand alone
    somewhere (not a box's label, not a sentence)."""
    from .wrap import new_item

    label = new_item()
    found = set()
    for line in lines:
        if line.rows == 1 or _NUMBERED.match(line.text):
            for key in (_key(line.text), _name(line.text)):
                if len(key) >= TITLE_MIN and not _SENTENCE_END.search(key) and not label.match(key):
                    found.add(key)
    return found


def _repeated_tails(lines: Iterable[TextLine]) -> set[str]:
    """Names that open the rest of a rejoined line after a break in two lines or more, each time
    after other text: a title rejoined with whatever ended above it, on the summary page and on
    its detail page (a scan's ``…環境エネルギー問題に対応`` / ``気候変動適応戦略イニシアチブ``).
    Only names of ``TAIL_MIN`` characters or more that do not open with hiragana (a wrapped line
    goes on with ``の整備・共用`` after many names) or inside a katakana word."""
    heads: dict[str, set[str]] = {}
    for line in lines:
        for at in line.breaks:
            key = _name(line.text[at:])
            if len(key) >= TAIL_MIN and not _KANA.match(key) and not _SENTENCE_END.search(key):
                heads.setdefault(key, set()).add(_key(line.text[:at]))
    return {key for key, before in heads.items() if len(before) >= 2}


def restore_breaks(pages: Sequence[Page]) -> None:
    """Cut rejoined lines again at breaks where one side alone is a line printed on its own."""
    lines = [line for page in pages for line in page.lines()]
    titles = _titles(lines) | _repeated_tails(lines)
    if not titles:
        return
    for page in pages:
        for block in page.blocks:
            if isinstance(block, TextBlock) and any(line.breaks for line in block.lines):
                block.lines = [part for line in block.lines for part in _cut(line, titles)]


def _cut(line: TextLine, titles: set[str]) -> list[TextLine]:
    for at in line.breaks:
        if _key(line.text[:at]) in titles or _name(line.text[at:]) in titles:
            first, rest = line.split(at)
            return [first, *_cut(rest, titles)]
    return [line]
