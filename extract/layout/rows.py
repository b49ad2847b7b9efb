"""Glyphs → rows → pieces and text: the smallest steps of the layout, for any producer.

A *row* is the glyphs that share a baseline band (vertical overlap), left to
right; on a page set in columns on a shared baseline grid one row crosses
every column.  A row is cut into *pieces* where its glyphs stand further
apart than a column gap; pieces are what the reading-order step moves
around.  Spaces are never taken from the producer: they are put back from
the gaps between glyph boxes, so a text layer that draws spaces, one that
positions every glyph, and OCR all give the same text.
"""

from __future__ import annotations

import bisect
import operator
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from ..lexicon import lexicon
from ..model import Box, Glyph, TextLine
from .params import LayoutParams

TINY = 1e-6  # the smallest size a glyph box is given (a zero-height glyph still has a centre)


@cache
def is_wide(ch: str) -> bool:
    """Full-width (kana, kanji, full-width forms): such glyphs are one em wide."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def em_of(glyphs: Iterable[Glyph]) -> float:
    """The character size of some text: the median width of its full-width glyphs, else 0.9 of the
    median glyph height (a Latin-only line)."""
    glyphs = glyphs if isinstance(glyphs, Sequence) else list(glyphs)
    wide_of = is_wide  # every glyph of a page comes here once a line
    wide = [g.x1 - g.x0 for g in glyphs if wide_of(g.text[:1])]
    if len(wide) >= 3:
        wide.sort()
        return max(wide[len(wide) // 2], TINY)
    heights = [g.bottom - g.top for g in glyphs]
    if heights:
        heights.sort()
        return max(0.9 * heights[len(heights) // 2], TINY)
    return 1.0


@dataclass(slots=True)
class Row:
    """Glyphs sharing a baseline band, left to right."""

    glyphs: list[Glyph]
    top: float
    bottom: float
    _n: int = 1

    @property
    def x0(self) -> float:
        return self.glyphs[0].x0

    @property
    def x1(self) -> float:
        return max(g.x1 for g in self.glyphs)

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, TINY)

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    def add(self, g: Glyph) -> None:
        # the band is the running mean of the glyphs' bands, so that one tall glyph (a bracket,
        # an OCR word box around 予算) does not widen it into the next row
        self._n += 1
        self.top += (g.top - self.top) / self._n
        self.bottom += (g.bottom - self.bottom) / self._n
        self.glyphs.append(g)


def dedupe(glyphs: list[Glyph], em: float, params: LayoutParams) -> list[Glyph]:
    """Glyphs drawn twice at one place (fake bold, shadows) once."""
    if params.dedupe_distance <= 0:
        return glyphs
    step = max(params.dedupe_distance * em, TINY)
    keys = [(g.text, round(g.x0 / step), round(g.top / step)) for g in glyphs]
    if len(set(keys)) == len(keys):
        return glyphs  # the common case: nothing drawn twice
    seen: set[tuple[str, int, int]] = set()
    out = []
    for g, key in zip(glyphs, keys, strict=True):
        if key not in seen:
            seen.add(key)
            out.append(g)
    return out


def drop_reread_ink(glyphs: list[Glyph], em: float, params: LayoutParams) -> list[Glyph]:
    """OCR characters read twice from one stretch of ink by two words, once (the earlier word's).

    Tesseract now and then splits a line set large into two overlapping lines
    (``5.Society5.0を支える世界最`` and ``世界最高水準の大型…``, the scanned
    two-column rendering's p1): both then hold ``世界最``.  Only a character that
    stands on a character of the other word counts: the extents of two whole
    words are not enough, since a long line that is skewed a little spans the
    height of the lines next to it when they are set close (LibreOffice's
    one-column rendering in Noto Sans lost whole lines so).
    """
    words: dict[int, list[Glyph]] = {}
    for g in glyphs:
        if g.run >= 0:
            words.setdefault(g.run, []).append(g)
    if len(words) < 2:
        return glyphs
    # (top, bottom, x0, x1, run), top down: a word meets only the few that start above its foot
    spans = sorted(
        (min(g.top for g in w), max(g.bottom for g in w), min(g.x0 for g in w), max(g.x1 for g in w), run)
        for run, w in words.items()
    )
    overlap = params.word_overlap * em
    dropped: set[int] = set()  # ids of glyphs read again
    by_left: dict[int, tuple[list[Glyph], list[float], float, float]] = {}  # a word's ink, sorted once

    def sorted_ink(run: int) -> tuple[list[Glyph], list[float], float, float]:
        if run not in by_left:
            ink = sorted(words[run], key=_LEFT)
            by_left[run] = (ink, [o.x0 for o in ink], max(o.x1 - o.x0 for o in ink), max(o.x1 for o in ink))
        return by_left[run]

    for i, (top, bottom, x0, x1, run) in enumerate(spans):
        for ytop, ybottom, y0, y1, other in spans[i + 1 :]:
            if ytop >= bottom:
                break
            shared = min(bottom, ybottom) - ytop
            if shared < params.line_overlap * min(bottom - top, ybottom - ytop):
                continue
            if min(x1, y1) - max(x0, y0) <= overlap:
                continue
            first, later = (run, other) if x0 <= y0 else (other, run)
            ink, lefts, widest, end = sorted_ink(first)
            dropped.update(
                id(g)
                for g in words[later]
                if g.cx < end and _stands_on(g, ink, lefts, widest, params.line_overlap)
            )
    return [g for g in glyphs if id(g) not in dropped] if dropped else glyphs


_LEFT = operator.attrgetter("x0")


def _stands_on(g: Glyph, ink: Sequence[Glyph], lefts: Sequence[float], widest: float, share: float) -> bool:
    """Whether ``g`` overlaps one of ``ink`` (sorted by left edge, ``lefts``; none wider than
    ``widest``) across and, by ``share`` of the smaller height, down: the same ink."""
    k = bisect.bisect_left(lefts, g.x1)
    while k > 0:
        k -= 1
        o = ink[k]
        if o.x0 + widest <= g.x0:
            break
        if o.x1 > g.x0:
            down = min(o.bottom, g.bottom) - max(o.top, g.top)
            if down >= share * min(o.bottom - o.top, g.bottom - g.top):
                return True
    return False


OPEN_ROWS = 8  # rows still open for glyphs while sweeping down a page (a glyph sits in one of the last few)


def group_rows(glyphs: Sequence[Glyph], params: LayoutParams) -> list[Row]:
    """Glyphs into rows by vertical overlap, top to bottom, each row left to right."""
    # every glyph of a page comes here at least twice (the page, then each column): the open rows'
    # bands are kept in plain lists and the Row objects made at the end
    one = _one_row(glyphs, params.line_overlap)
    return [one] if one is not None else sweep_rows(glyphs, params.line_overlap)


def sweep_rows(glyphs: Sequence[Glyph], share: float) -> list[Row]:
    """Rows found by sweeping down the glyphs: each joins the last open row it overlaps by
    ``share`` of the shorter of the two."""
    members: list[list[Glyph]] = []
    tops: list[float] = []
    bottoms: list[float] = []
    counts: list[int] = []
    for g in sorted(glyphs, key=_CENTRE):
        top, bottom = g.top, g.bottom
        height = bottom - top if bottom - top > TINY else TINY
        last = len(members) - 1
        for k in range(last, last - OPEN_ROWS if last >= OPEN_ROWS else -1, -1):
            rtop, rbottom = tops[k], bottoms[k]
            overlap = (rbottom if rbottom < bottom else bottom) - (rtop if rtop > top else top)
            band = rbottom - rtop
            if overlap >= share * (height if height < band else band):
                # the band is the running mean of the glyphs' bands, so that one tall glyph (a
                # bracket, an OCR word box around 予算) does not widen it into the next row
                n = counts[k] + 1
                counts[k] = n
                tops[k] = rtop + (top - rtop) / n
                bottoms[k] = rbottom + (bottom - rbottom) / n
                members[k].append(g)
                break
        else:
            members.append([g])
            tops.append(top)
            bottoms.append(bottom)
            counts.append(1)
    rows = [Row(m, t, b, n) for m, t, b, n in zip(members, tops, bottoms, counts, strict=True)]
    for row in rows:
        _order_row(row)
    rows.sort(key=lambda r: (r.top, r.x0))
    return rows


def _one_row(glyphs: Sequence[Glyph], share: float) -> Row | None:
    """The glyphs as one row when they must all fall into one (else None): when the band every
    glyph covers is at least ``share`` of the tallest glyph, each overlaps any mean of their bands
    by that much, so ``sweep_rows`` would put each in the first row.  Most calls come here with
    one line of a column, read again from a row that crossed the page."""
    if not glyphs:
        return None
    common = min(g.bottom for g in glyphs) - max(g.top for g in glyphs)
    tallest = max(g.bottom - g.top for g in glyphs)
    if common < share * (tallest if tallest > TINY else TINY):
        return None
    ordered = sorted(glyphs, key=_CENTRE)
    n = len(ordered)
    row = Row(ordered, sum(g.top for g in ordered) / n, sum(g.bottom for g in ordered) / n, n)
    _order_row(row)
    return row


def _centre(g: Glyph) -> tuple[float, float]:
    return (g.top + g.bottom, g.x0)


_CENTRE = _centre


def _order_row(row: Row) -> None:
    """Left to right; an OCR word's characters stay together, in their order, where its box
    overlaps another word's (word boxes are not character boxes)."""
    start: dict[int, float] = {}
    for g in row.glyphs:
        if g.run >= 0:
            start[g.run] = min(start.get(g.run, g.x0), g.x0)
    if not start:  # a text layer's glyphs: the key below is (x0, -1, x0), and ties keep their order
        row.glyphs.sort(key=_X0)
        return
    row.glyphs.sort(key=lambda g: (start.get(g.run, g.x0), g.run, g.order if g.run >= 0 else g.x0))


_X0 = operator.attrgetter("x0")


@dataclass(slots=True)
class Piece:
    """A run of a row's glyphs between gaps wider than a column gap (or a frame standing as one)."""

    glyphs: list[Glyph]
    x0: float
    top: float
    x1: float
    bottom: float
    em: float
    frame: object = None  # a ruled table or box read as one unit (see regions.Frame)
    core_top: float = field(default=0.0)
    core_bottom: float = field(default=0.0)


def ink_right(glyph: Glyph, hanging: frozenset[str] = frozenset()) -> float:
    """Where a glyph's ink ends: a full-width comma or full stop (``hanging``, from ja.toml) inks
    the left half of its box only, and hung past a column's edge (ぶら下げ) its box would fill
    the gutter beside it."""
    if glyph.text in hanging:
        return glyph.x0 + glyph.width / 2
    return glyph.x1


def split_row(row: Row, em: float, params: LayoutParams, core: float) -> list[Piece]:
    """A row cut where its glyphs stand a column gap apart (never inside an OCR word)."""
    gap = params.column_gap * em
    hanging = lexicon().hanging  # looked up once a row: every glyph of a document comes here
    first = row.glyphs[0]
    current = [first]
    cuts: list[tuple[list[Glyph], float]] = []  # each piece and where its ink ends
    right = piece_right = ink_right(first, hanging)
    previous = first
    for g in row.glyphs[1:]:  # ink_right inlined: every glyph of a document comes here
        ink = g.x0 + (g.x1 - g.x0) / 2 if g.text in hanging else g.x1
        if g.x0 - right > gap and not (g.run >= 0 and g.run == previous.run):
            cuts.append((current, piece_right))
            current = [g]
            piece_right = ink
        else:
            current.append(g)
            if ink > piece_right:
                piece_right = ink
        if ink > right:
            right = ink
        previous = g
    cuts.append((current, piece_right))
    half = core * row.height / 2
    cy = row.cy
    return [
        Piece(p, p[0].x0, row.top, x1, row.bottom, em, core_top=cy - half, core_bottom=cy + half)
        for p, x1 in cuts
    ]


class Spaces:
    """The spaces a text layer drew, found again between two glyphs of a line.

    Layout works on ink only; a drawn space says that a space stands between
    two glyphs even where the gap is narrow (``III 技術開発…``, ``- ✓ 事業規模``).
    """

    def __init__(self, spaces: Sequence[Glyph], em: float) -> None:
        self.step = max(em, TINY)
        self.buckets: dict[int, list[Glyph]] = {}
        for g in spaces:
            self.buckets.setdefault(round(g.cy / self.step), []).append(g)

    def between(self, left: Glyph, right: Glyph) -> bool:
        if not self.buckets:
            return False
        key = round(left.cy / self.step)
        half = max(left.height, TINY) / 2
        for k in (key - 1, key, key + 1):
            for g in self.buckets.get(k, ()):
                if left.cx < g.cx < right.cx and abs(g.cy - left.cy) < half:
                    return True
        return False

    def along(self, glyphs: Sequence[Glyph]) -> list[float]:
        """The centres, left to right, of the drawn spaces level with a line's glyphs."""
        if not self.buckets or not glyphs:
            return []
        first = glyphs[0]
        key = round(first.cy / self.step)
        half = max(first.height, TINY) / 2
        return sorted(
            g.cx
            for k in (key - 1, key, key + 1)
            for g in self.buckets.get(k, ())
            if abs(g.cy - first.cy) < half
        )


NO_SPACES = Spaces((), 1.0)


@cache
def _kind(ch: str) -> str:
    if ch.isdigit():
        return "digit"
    if is_wide(ch):
        return "wide"
    return "narrow"


def separator(left: Glyph, right: Glyph, em: float, params: LayoutParams, spaces: Spaces = NO_SPACES) -> str:
    """What stands between two neighbouring glyphs of a line: a space, or nothing."""
    if left.run >= 0 and left.run == right.run:
        return ""  # inside one OCR word: as tesseract read it
    if spaces.between(left, right):
        return " "
    return " " if _gap_space(left, right, params.word_space * em, params.cjk_space * em) else ""


def _gap_space(left: Glyph, right: Glyph, word: float, cjk: float) -> bool:
    """Whether the gap between two glyphs is a space: wider than ``word`` (points) between Latin
    letters or digits, than ``cjk`` next to kana or kanji (``separator`` without drawn spaces)."""
    if left.run >= 0 and left.run == right.run:
        return False
    gap = right.x0 - left.x1
    a, b = _kind(left.text[-1:]), _kind(right.text[:1])
    if a == "digit" and b == "digit":
        return gap > word  # never glue two numbers into one
    if a == "wide" or b == "wide":
        return gap > cjk
    return gap > word


def line_of(
    glyphs: Sequence[Glyph], em: float, params: LayoutParams, number: int = 0, spaces: Spaces = NO_SPACES
) -> TextLine:
    """Glyphs of one visual line as text, a box and a confidence per character."""
    text: list[str] = []
    boxes: list[Box | None] = []
    confs: list[float | None] = []
    drawn = spaces.along(glyphs)
    n_drawn = len(drawn)
    word, cjk = params.word_space * em, params.cjk_space * em  # as ``separator`` scales them
    narrowest = min(word, cjk)  # a gap no wider is never a space, whatever the glyphs
    has_conf = False
    k = 0
    prev: Glyph | None = None
    for g in glyphs:  # one pass, inlined: every character of a document goes through here
        if prev is not None:
            if n_drawn:
                left, right = (prev.x0 + prev.x1) / 2, (g.x0 + g.x1) / 2
                while k < n_drawn and drawn[k] <= left:
                    k += 1
                drawn_between = k < n_drawn and drawn[k] < right
            else:
                drawn_between = False
            if drawn_between or (g.x0 - prev.x1 > narrowest and _gap_space(prev, g, word, cjk)):
                text.append(" ")
                boxes.append(None)
                confs.append(None)
        text.append(g.text)
        box = (g.x0, g.top, g.x1, g.bottom)
        conf = g.conf
        has_conf = has_conf or (conf is not None and g.text != "")
        if len(g.text) == 1:
            boxes.append(box)
            confs.append(conf)
        else:
            boxes.extend([box] * len(g.text))
            confs.extend([conf] * len(g.text))
        prev = g
    return TextLine("".join(text), boxes, confs if has_conf else None, number)


def join_lines(lines: Sequence[TextLine]) -> TextLine:
    """Visual lines that wrapped, as one logical line (see ``TextLine.joined``)."""
    return TextLine.joined(lines)
