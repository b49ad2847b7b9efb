"""Visual lines → logical lines: text that wrapped at its column's right edge is rejoined.

A line continues on the next when it reaches the right edge shared by the
lines that start at its left margin, and the next line starts no further left
than a paragraph indent, follows closely and does not open a new item (a
bullet, ①, ※, a bracketed label).  Lines of different regions (the columns
of a page, a box) never join; each region has its own right edge.  An amount
may wrap too (``5,975百`` / ``万円``): it is rejoined like any text.
"""

from __future__ import annotations

import bisect
import itertools
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import regex

from ..lexicon import alternation, lexicon, roman_item
from ..model import Box, TextLine
from .params import LayoutParams
from .rows import join_lines


@cache
def new_item() -> regex.Pattern[str]:
    """What opens a line of its own: a bullet or numbering, a note mark, a 補正 bracket, or the
    label of an amount box (令和2年度予算額(案), 前年度予算額: never the end of a wrapped title)."""
    lex = lexicon()
    marks = alternation([*lex.strong_markers, *lex.weak_markers, *lex.line_openers])
    eras = alternation([e.name for e in lex.eras])
    labels = alternation([w for kind, words in lex.labels.items() if kind != "other" for w in words])
    return regex.compile(
        rf"""
        ^\s*(?:{marks})              # ○ ・ ① ※ 【 …
        | ^\d{{1,2}}[.．]             # 1.
        | ^{roman_item()}                # I / II / II疾患…
        | ^\s*[(（]?(?:(?:{eras})\s?(?:\d{{1,2}}|元)\s?年度\s?)?(?:{labels})   # a box's label
        """,
        regex.VERBOSE,
    )


# What a line-breaker keeps together at the start of a line: an amount with its unit and
# brackets, a Latin word or an acronym in brackets; else one character.
_LEAD = regex.compile(
    r"^[(\[【<（]?[▲△]?[\d,.]+[千百十万億兆]*円?[)\]】>）]?|^[(\[（]?[A-Za-z0-9][A-Za-z0-9.\-]*[)\]）]?|^."
)
OPEN = "(（[［【〔<＜「『"
CLOSE = ")）]］】〕>＞」』"


def lead_length(text: str) -> int:
    """How many characters a line starts with that a line-breaker moves down together."""
    m = _LEAD.match(text)
    return max(1, len(m[0])) if m else 1


# A run a line-breaker never splits: Latin letters and digits with the points, commas and
# hyphens inside them (``iPS``, ``JT-60SA``, ``2050``).
_RUN = regex.compile(r"[A-Za-z0-9][A-Za-z0-9.,\-]*")


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def _lead_width(line: TextLine, em: float) -> float:
    """Width of what the line starts with that could not have been set at the end of the line
    above: its first character or Latin run, with the opening brackets before it and the
    characters a line may not start with after it (JIS X 4051's 禁則: ``力・`` and ``「富`` move
    down together).  Each wide character counts at least one em: OCR boxes hug the ink."""
    text, boxes = line.text, list(line.boxes or [])
    lex = lexicon()
    start = i = len(text) - len(text.lstrip())
    while i < len(text) and text[i] in lex.no_line_end:
        i += 1
    run = _RUN.match(text, i)
    i = run.end() if run else i + 1
    while i < len(text) and text[i] in lex.no_line_start:
        i += 1
    real = [b for b in boxes[start:i] if b is not None]
    measured = real[-1][2] - real[0][0] if real else 0.0
    return max(measured, em * sum(_is_wide(ch) for ch in text[start:i]))


def unclosed(text: str) -> bool:
    """Whether a bracket opened in the line is still open at its end (the text goes on below)."""
    depth = 0
    for ch in text:
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE and depth:
            depth -= 1
    return depth > 0


@cache
def trailing_note() -> regex.Pattern[str]:
    """A line that is a note trailing the name above, alone: ``【再掲】※``, ``【新規】``."""
    lex = lexicon()
    return regex.compile(
        rf"""^\s*【\s*(?:{alternation(lex.trailing_notes)})\s*】   # 【再掲】
        [\s※*\d]*$                                                 # note marks, nothing else
        """,
        regex.VERBOSE,
    )


@cache
def cell_item() -> regex.Pattern[str]:
    """What opens a new line inside a table cell: a bullet, numbering or ※."""
    lex = lexicon()
    marks = alternation([*lex.strong_markers, *lex.weak_markers, "※"])
    return regex.compile(rf"^\s*(?:{marks})|^\d{{1,2}}[.．]\D|^\(\d{{1,2}}\)")


_MIDDLE_DOT = "・"
_PROLONGED = tuple(lexicon().prolonged)
_KATAKANA_END = regex.compile(r"\p{Katakana}$")
_CLAUSE_ENDS = ("、", "，")
_BRACKETS = tuple(lexicon().bracket_openers)
_CLOSERS = tuple(lexicon().closers)
_SENTENCE_ENDS = tuple(lexicon().sentence_ends)


_UNIT_CHARS = "".join([*lexicon().small_units, *lexicon().large_units])  # 十 百 千 万 億 兆


def _unit() -> str:
    """A money unit before 円 as the wrap tests see it: layout comes before the OCR repairs, so
    any two kanji between a figure and 円 are its unit, misread or not (``5,525百方円``)."""
    return rf"(?:[{_UNIT_CHARS}]|\p{{Han}}){{0,2}}{lexicon().yen}"


@cache
def _amount_end() -> regex.Pattern[str]:
    return regex.compile(rf"\d\s?{_unit()}[)）\]】]*\s*$")


@cache
def _amount_line() -> regex.Pattern[str]:
    """A line that holds amounts and nothing else (``5,525百万円(5,525百万円)``, ``1,281百万円)``)."""
    amount = rf"[(（【]?\s?[▲△]?\d[\d,，.]*\s?{_unit()}\s?(?:※\s?\d*)?[)）】]?"
    return regex.compile(rf"^\s*(?:{amount}\s*)+$")


_NUMBER_START = regex.compile(r"^\s*[(（\[【]?[▲△]?\d")
# a line that ends with a whole figure: digits grouped by commas, or a bare number
_FIGURE_END = regex.compile(r"(?<![\d,.])[▲△]?\d{1,3}(?:,\d{3})*\s*$")
# a line that is one whole figure (under another: a column of figures; `(3` / `9百万円)` is not)
_FIGURE_LINE = regex.compile(r"^\s*[▲△]?\d{1,3}(?:,\d{3})*\s*$")
_BRACKETED_FIGURE = regex.compile(r"^\s*[(（][▲△]?\d")


@cache
def _unit_split() -> tuple[regex.Pattern[str], regex.Pattern[str]]:
    return (
        regex.compile(rf"\d[{_UNIT_CHARS}]*\s*$"),  # a figure, perhaps with the unit's first kanji
        regex.compile(rf"^\s*[{_UNIT_CHARS}]*{lexicon().yen}"),  # the rest of a money unit
    )


def unit_after_figure(above: str, below: str) -> bool:
    """Whether the line below opens with the money unit of the figure that ends the line above:
    ``…活動等 2,452`` / ``百万円(2,525百万円)`` (LibreOffice, IPAex Mincho, two columns),
    ``3,166百万`` / ``円``."""
    end, start = _unit_split()
    return bool(end.search(above)) and bool(start.match(below))


@cache
def _label_end() -> regex.Pattern[str]:
    """A line that ends with a budget label, its bracket perhaps open: ``(前年度予算額``."""
    words = [w for kind, ws in lexicon().labels.items() if kind != "other" for w in ws]
    return regex.compile(rf"(?:{alternation(words)})\s?(?:\(案\)|案)?\s*$")


def amount_under_label(above: str, below: str) -> bool:
    """Whether a line of amounts alone that closes no bracket follows a line that ends with a
    label whose bracket is open: OCR lost the ``)`` of ``(前年度予算額)`` in a box of labels
    over figures, and joining the first figure to it would shift the box's figures by one
    (``(前年度予算額`` / ``1,550百万円)``, which closes it, is a label wrapped before its figure)."""
    return bool(_label_end().search(above)) and bool(_amount_line().match(below)) and unclosed(above + below)


def amount_after_amount(above: str, below: str) -> bool:
    """Whether a line that ends with a whole amount (or a whole figure over another: a table's
    column of 千円 figures) is followed by one that starts with a number: a column of figures set flush
    right, never a wrapped line (a bracketed figure after an amount is the other half of a pair,
    and may have wrapped)."""
    return (
        bool(_amount_end().search(above) or (_FIGURE_END.search(above) and _FIGURE_LINE.match(below)))
        and bool(_NUMBER_START.match(below))
        and not _BRACKETED_FIGURE.match(below)
    )


def _widest_gap(line: TextLine) -> float:
    """The widest horizontal gap between neighbouring characters of a line."""
    widest = 0.0
    right = None
    for box in line.boxes or ():
        if box is None:
            continue
        if right is not None:
            widest = max(widest, box[0] - right)
        right = box[2]
    return widest


@dataclass(frozen=True)
class Edge:
    """Where a line ends and the next begins, as the wrap test needs them."""

    line: TextLine
    box: Box
    font: int = -1  # the font of its last glyph (above) or first glyph (below); -1 unknown


def goes_on(
    above: Edge,
    below: Edge,
    right: float,
    margin: float,
    em: float,
    params: LayoutParams,
    in_cell: bool = False,
) -> bool:
    """Whether ``below`` continues the text of ``above``: the text wrapped at the edge ``right``.

    ``margin`` is the left edge of the paragraph ``above`` belongs to.  The
    line above ran into the edge (or stopped where the next line's first Latin
    word would not have fitted, or left a bracket open), and the line below
    starts no further left than an indent and left of where the line above ends (a
    ``（単位 千円）`` set right under a short title is beside it), opens no new item (a bullet, ①,
    ※, a box label; a bracket after a figure or a sentence), is set in the
    same font, and neither line is a row of cells nor a figure under a figure.  In a table cell
    (``in_cell``) only bullets and ※ open a line: a cell's ``<名称> (39百万円)`` is one text.
    """
    text, before = below.line.text, above.line.text
    if unit_after_figure(before, text) and below.box[0] < above.box[2]:
        return True  # a money unit never opens a line: the renderer broke an amount in two
    if not in_cell and before.rstrip().endswith(_SENTENCE_ENDS):
        return False  # a sentence ended: what follows may be a title, and prose loses nothing
    # the line above ran into the edge when what opens the line below would not have fitted
    # after it (a space may have stood between them where either side is Latin)
    tail, head = before.rstrip()[-1:], text.lstrip()[:1]
    space = 0.0 if _is_wide(tail or "あ") and _is_wide(head or "あ") else params.wrap_space * em
    need = _lead_width(below.line, em) + space
    reached = above.box[2] + need > right - params.wrap_fit * em or unclosed(before)
    if in_cell:
        opens = bool(cell_item().match(text))
    else:
        # a bracket opens a line after a figure or a sentence, unless it holds a figure itself:
        # `5,975百万円` / `(5,671百万円)` is one pair wrapped
        opens = (bool(new_item().match(text)) and not trailing_note().match(text)) or (
            text.lstrip().startswith(_BRACKETS)
            and before.rstrip().endswith(_CLOSERS)
            and not _BRACKETED_FIGURE.match(text)
        )
    # a sentence broken after a clause (…490,000千円、 / 2.1％の減額…): 2. is no numbering there
    if opens and before.rstrip().endswith(_CLAUSE_ENDS) and _NUMBER_START.match(text):
        opens = False
    # a katakana word broken before its long-vowel mark, which is also a bullet
    if opens and text.lstrip().startswith(_PROLONGED) and _KATAKANA_END.search(before):
        opens = False
    # a name broken before ・ by a renderer without kinsoku rules: ・ right at the edge
    if opens and text.lstrip().startswith(_MIDDLE_DOT) and above.box[2] >= right - 0.5 * em:
        opens = False
    # a line set in another font than the end of the line above starts a paragraph (a bold
    # heading that happens to fill its column)
    refont = -1 not in (above.font, below.font) and above.font != below.font
    cells = params.cell_gap * em
    return (
        reached
        and not opens
        and not refont
        and _widest_gap(above.line) <= cells
        and _widest_gap(below.line) <= cells
        and not amount_after_amount(before, text)
        and not amount_under_label(before, text)
        and below.box[0] >= margin - params.wrap_indent * em
        and below.box[0] < above.box[2]  # it starts under the line above, not beside it
    )


def _figures_of_item(first: TextLine, above: TextLine, below: TextLine) -> bool:
    """Whether ``below`` is a line of amounts alone under a description (a paragraph opened by a
    bullet such as ``-``): it states the figures of the item above the description
    (``- ① SACLAの共用運転の実施`` / ``- 5,133時間運転の確保…等`` / ``5,525百万円(5,525百万円)``),
    unless a bracket above still waits for it."""
    pair = bool(_BRACKETED_FIGURE.match(below.text) and _amount_end().search(above.text))
    return (
        bool(_amount_line().match(below.text))
        and bool(_weak_opener().match(first.text))
        and not unclosed(above.text)
        and not pair  # `1,779百万円` / `(4,231百万円)`: the other half of a pair
    )


@cache
def _weak_opener() -> regex.Pattern[str]:
    """A description's bullet, not followed by an item's number (``- ①`` opens an item)."""
    lex = lexicon()
    return regex.compile(
        rf"^\s*(?:{alternation(lex.weak_markers)})(?!\s*(?:{alternation(lex.strong_markers)}))"
    )


# punctuation that may not start a line, so a renderer may set it past the edge (not ー, ッ, 々:
# letters that fill the line like any other)
_OVERFLOWING = frozenset(ch for ch in lexicon().no_line_start if unicodedata.category(ch).startswith("P"))


def reach(line: TextLine, extent: Box | None) -> float:
    """How far right a line reaches the edge: punctuation that may not start a line, kept at
    the end of this one past the edge (a comma or full stop hung, ぶら下げ; a ``：`` a renderer
    without 追い込み lets overflow: LibreOffice's ``出典：``), counts at its left side, or one
    such line would set its column's edge an em too far right."""
    if extent is None:
        return 0.0
    text, boxes = line.text.rstrip(), line.boxes
    if text[-1:] in _OVERFLOWING and boxes is not None and len(text) <= len(boxes):
        last = boxes[len(text) - 1]
        if last is not None and last[0] > extent[0]:
            return last[0]
    return extent[2]


def _edges(reaches: Sequence[float], agree: float, lone: float) -> list[float]:
    """Per prefix of ``reaches`` (lines by left edge), the right edge of those lines: the furthest
    reach that another comes within ``agree`` of (``LayoutParams.edge_agree``), unless the
    furthest of all is more than ``lone`` past it (or none agree, or ``agree`` is 0).  Reaches go
    in buckets ``agree`` wide, so that each line looks at three buckets: linear in the lines."""
    out: list[float] = []
    furthest = agreed = -float("inf")
    low: dict[int, float] = {}
    high: dict[int, float] = {}
    for x in reaches:
        furthest = max(furthest, x)
        if agree > 0:
            b = math.floor(x / agree)
            if b in high:  # one bucket: within ``agree`` of each other
                agreed = max(agreed, x, high[b])
            if b - 1 in high and high[b - 1] >= x - agree:
                agreed = max(agreed, x)
            if b + 1 in low and low[b + 1] <= x + agree:
                agreed = max(agreed, low[b + 1])
            low[b], high[b] = min(low.get(b, x), x), max(high.get(b, x), x)
        out.append(agreed if furthest - agreed <= lone else furthest)
    return out


def _shift(box: Box | None, slope: float) -> float:
    """How far right of where it would stand on a level page a box stands (by its middle)."""
    return 0.0 if box is None or not slope else slope * (box[1] + box[3]) / 2


def _upright(box: Box | None, slope: float) -> Box | None:
    """``box`` moved to where it would stand on a level page: on a skewed scan a column's edge
    runs at a slant (0.9° is 11 pt over 700 pt of column), so line ends compare level only so."""
    if box is None or not slope:
        return box
    dx = _shift(box, slope)
    return (box[0] - dx, box[1], box[2] - dx, box[3])


def join_wrapped(
    lines: Sequence[TextLine],
    regions: Sequence[str],
    em: float,
    params: LayoutParams,
    fonts: Sequence[tuple[int, int]] | None = None,
    in_cell: bool = False,
    slope: float = 0.0,
) -> list[TextLine]:
    """Rejoin the lines of a column (or cell) that wrapped (``goes_on``); ``fonts`` are the fonts
    of each line's first and last glyph (-1 where unknown).  A line follows the one above within
    ``wrap_leading`` of its height, and no further than the region's usual line pitch plus half:
    more is a paragraph's spacing."""
    if not lines:
        return []
    drawn = [line.extent() for line in lines]
    extents = [_upright(box, slope) for box in drawn]
    fonts = fonts or [(-1, -1)] * len(lines)
    # per region, lines by left edge with the right edge of each prefix of them (``_edges``): the
    # right edge of the lines starting left of x is one bisect away (a page of many lines stays linear)
    by_region: dict[str, tuple[list[float], list[float]]] = {}
    pitch: dict[str, float] = {}
    reaches = [reach(line, box) - _shift(box, slope) for line, box in zip(lines, drawn, strict=True)]
    for region in set(regions):
        boxes = [e for e, r in zip(extents, regions, strict=True) if e is not None and r == region]
        ends = [x for x, e, r in zip(reaches, extents, regions, strict=True) if e is not None and r == region]
        pairs = sorted((e[0], x) for e, x in zip(boxes, ends, strict=True))
        by_region[region] = (
            [x0 for x0, _ in pairs],
            _edges([x1 for _, x1 in pairs], params.edge_agree * em, params.edge_lone * em),
        )
        steps = sorted(b[1] - a[1] for a, b in itertools.pairwise(boxes) if b[1] > a[1])
        pitch[region] = steps[len(steps) // 2] if steps else float("inf")
    out: list[list[int]] = [[0]]
    for i in range(1, len(lines)):
        prev, this = extents[i - 1], extents[i]
        group = out[-1]
        if prev is None or this is None or regions[i] != regions[i - 1]:
            out.append([i])
            continue
        x0 = extents[group[0]][0] if extents[group[0]] else prev[0]  # type: ignore[index]  # the paragraph's first line
        margin = min(x0, prev[0])
        lefts, rights = by_region[regions[i]]
        right = rights[max(0, bisect.bisect_left(lefts, margin + params.wrap_indent * em) - 1)]
        step = this[1] - prev[1]
        close = (
            0
            < step
            < min(
                params.wrap_leading * max(prev[3] - prev[1], 1e-6), params.paragraph_gap * pitch[regions[i]]
            )
        )
        above = Edge(lines[i - 1], prev, fonts[i - 1][1])
        below = Edge(lines[i], this, fonts[i][0])
        if (
            close
            and not _figures_of_item(lines[group[0]], lines[i - 1], lines[i])
            and goes_on(above, below, right, margin, em, params, in_cell)
        ):
            group.append(i)
        else:
            out.append([i])
    return [join_lines([lines[k] for k in group]) for group in out]
