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


def _compact_pattern() -> regex.Pattern[str]:
    lex = lexicon()
    marks = alternation([*lex.strong_markers, *lex.weak_markers])
    return regex.compile(rf"^(?:(?:{marks})\s?)+|\s+")


_COMPACT = _compact_pattern()
# a name up to its first figure or bracketed figure: `気候変動適応戦略イニシアチブ 1,127百万円 …`
_NAME = regex.compile(r"^(.*?)(?=\s?[(（]?[▲△]?\d[\d,，.]*\s?[千百十万億兆]*円|$)")
_SENTENCE_END = regex.compile(r"[。．]$")


def _key(text: str) -> str:
    return _COMPACT.sub("", text)


def _name(text: str) -> str:
    m = _NAME.match(text)
    return _key(m[1]) if m else ""


def _titles(lines: Iterable[TextLine]) -> set[str]:
    """Lines printed on their own (one row), as keys: names that stand alone somewhere (not a
    box's label, not a sentence)."""
    from .wrap import new_item

    label = new_item()
    found = set()
    for line in lines:
        if line.rows == 1:
            for key in (_key(line.text), _name(line.text)):
                if len(key) >= TITLE_MIN and not _SENTENCE_END.search(key) and not label.match(key):
                    found.add(key)
    return found


def restore_breaks(pages: Sequence[Page]) -> None:
    """Cut rejoined lines again at breaks where one side alone is a line printed on its own."""
    titles = _titles(line for page in pages for line in page.lines())
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
