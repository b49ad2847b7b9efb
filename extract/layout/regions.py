"""Reading order: a page (or a column, or a box) cut along its whitespace, recursively.

The method is a recursive cut on whitespace, in the spirit of the XY-cut and
of Breuel's whitespace analysis, adapted to pages whose columns share their
baselines (as every word processor sets them):

1. the region's pieces (runs of a row's glyphs between column-wide gaps, and
   ruled tables or boxes standing as one piece) are grouped into horizontal
   *strips*: pieces whose cores (the middle of each row) overlap vertically;
2. a *gutter* is an x-interval at least ``column_gap`` wide that no piece
   crosses over a run of consecutive strips, with text on both of its sides
   in at least ``gutter_rows`` of them (a strip with text on one side only, a
   short last line or a paragraph break in one column, does not end it).  It
   is found by one sweep down the strips keeping the intervals still open,
   so the cost grows with the number of pieces, not with the page's size;
3. the strips above the best gutter's run, the run, and the strips below it
   are read in that order; the run is two *columns* (left read before right,
   each cut again the same way: three columns are a column beside two) when
   both sides are wide enough for text, or else a *table* when its rows share
   baselines across the gutter (a list of names with their amounts), whose
   rows are read across;
4. a region with no gutter is read strip by strip, and a strip row by row.

Strips at the top of a run that do not start at the right column's left edge
(a box set at the top right beside the title) or that are set larger than
the run (a heading) are read before the run.
"""

from __future__ import annotations

import bisect
import itertools
import statistics
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ..model import Box, Glyph, Table
from .params import LayoutParams
from .rows import NO_SPACES, Piece, Spaces, em_of, group_rows, is_wide, split_row


@dataclass
class Frame:
    """A ruled table or box, read as one unit wherever it stands."""

    box: Box
    table: Table | None = None  # a ruled table of two columns or more
    glyphs: list[Glyph] = field(default_factory=list)  # the text of a box, read as a region of its own
    name: str = ""
    children: list[Frame] = field(default_factory=list)  # tables and boxes inside a box


@dataclass
class Visual:
    """One visual line in reading order, and the region (column, box) it was read in."""

    glyphs: list[Glyph]
    region: str
    region_box: Box
    em: float


@dataclass
class TableAt:
    """A table in reading order."""

    table: Table
    top: float


Item = Visual | TableAt


@dataclass
class Strip:
    pieces: list[Piece]
    top: float
    bottom: float

    @property
    def x0(self) -> float:
        return min(p.x0 for p in self.pieces)

    @property
    def x1(self) -> float:
        return max(p.x1 for p in self.pieces)

    def rows(self, a: float, b: float) -> int:
        """How many rows of text the strip stands for on both sides of a gutter: one, or, where a
        table or box stands on each side, as many as the lower of them fills (the two ruled
        pages of a spread are one strip)."""

        def side(pieces: list[Piece]) -> int:
            return max(
                (
                    round((p.bottom - p.top) / (ROW_PITCH * p.em)) if p.frame is not None else 1
                    for p in pieces
                ),
                default=0,
            )

        left = side([p for p in self.pieces if p.x1 <= a])
        right = side([p for p in self.pieces if p.x0 >= b])
        return max(1, min(left, right))


ROW_PITCH = 1.5  # em: the height a row of text takes, leading included
SPECK_GLYPHS = 2  # a piece of at most this many glyphs alone in a column may be dust read as text


@dataclass
class Gutter:
    a: float  # the whitespace interval
    b: float
    first: int  # strips first..last
    last: int
    support: int  # strips with text on both sides (or on the other side than the strip above)
    side: int = 3  # where its last strip has text: 1 on the left, 2 on the right, 3 both
    top: float = 0.0  # the top of its last strip


def make_strips(pieces: Sequence[Piece]) -> list[Strip]:
    """Pieces level with each other, top to bottom: a piece joins the strip whose first piece's
    core it overlaps.  (Overlap with the strip's last piece would chain the rows of columns whose
    baselines are offset into one strip the height of the page.)"""
    strips: list[Strip] = []
    anchor = -float("inf")  # the core bottom of the current strip's first piece
    for piece in sorted(pieces, key=lambda p: (p.core_top, p.x0)):
        if strips and piece.core_top < anchor:
            strip = strips[-1]
            strip.pieces.append(piece)
            strip.bottom = max(strip.bottom, piece.core_bottom)
        else:
            strips.append(Strip([piece], piece.core_top, piece.core_bottom))
            anchor = piece.core_bottom
    for strip in strips:
        strip.pieces.sort(key=lambda p: p.x0)
    return strips


def _occupied(strip: Strip, gap: float, joined: float = 0.0) -> list[tuple[float, float]]:
    """The x-intervals a strip's pieces cover, joined where closer than ``gap``, or than
    ``joined`` next to kana or kanji (a blank the line reader would not even make a space)."""
    spans: list[tuple[float, float]] = []
    last: Piece | None = None
    for p in strip.pieces:
        blank = p.x0 - spans[-1][1] if spans else 0.0
        if spans and (blank < gap or (blank < joined and _wide_between(last, p))):
            spans[-1] = (spans[-1][0], max(spans[-1][1], p.x1))
        else:
            spans.append((p.x0, p.x1))
        last = p if last is None or p.x1 >= last.x1 else last
    return spans


def _wide_between(left: Piece | None, right: Piece) -> bool:
    """Whether a full-width glyph ends ``left`` or starts ``right``."""
    return bool(
        (left is not None and left.glyphs and is_wide(left.glyphs[-1].text[-1:]))
        or (right.glyphs and is_wide(right.glyphs[0].text[:1]))
    )


def find_gutters(
    strips: Sequence[Strip], x0: float, x1: float, gap: float, pitch: float = 0.0, joined: float = 0.0
) -> list[Gutter]:
    """Every gutter of a run of strips: whitespace at least ``gap`` wide that no piece crosses.

    A strip with text on one side supports the gutter too when the strip above, within
    ``pitch``, has text on the other: columns whose baselines are offset (a word processor's
    columns, which share no baseline grid) interleave their rows and never share a strip.  With
    ``pitch``, whitespace beside a strip's text (up to the region's edge) starts a gutter too.
    Whitespace narrower than ``joined`` next to kana or kanji is none (see ``_occupied``)."""
    done: list[Gutter] = []
    active: list[Gutter] = []
    for s, strip in enumerate(strips):
        spans = _occupied(strip, gap, joined)
        free: list[tuple[float, float]] = []
        edge = x0
        for a, b in spans:
            if a - edge >= gap:
                free.append((edge, a))
            edge = max(edge, b)
        if x1 - edge >= gap:
            free.append((edge, x1))
        left_end, right_start = spans[0][0], spans[-1][1]
        survivors: dict[tuple[float, float], Gutter] = {}
        reborn: list[tuple[float, float]] = []  # whitespace where a gutter narrowed to nothing
        for g in active:
            alive = False
            for fa, fb in free:
                a, b = max(g.a, fa), min(g.b, fb)
                if b - a < gap:
                    if b > a and fb - fa >= gap and left_end < fa and fb < right_start:
                        reborn.append((fa, fb))
                    continue
                alive = True
                side = (1 if left_end < a else 0) | (2 if right_start > b else 0)
                if side == 3:
                    gain = strip.rows(a, b)
                else:
                    gain = int(bool(side) and g.side | side == 3 and strip.top - g.top <= pitch)
                key = (a, b)
                grown = Gutter(a, b, g.first, s, g.support + gain, side or g.side, strip.top)
                if key not in survivors or survivors[key].support < grown.support:
                    survivors[key] = grown
            if not alive:
                done.append(g)
        for fa, fb in free:  # interior whitespace of this strip starts a gutter of its own
            if any(a < fb and fa < b for a, b in survivors):
                continue
            if left_end < fa and fb < right_start:
                rows = strip.rows(fa, fb)
                survivors[(fa, fb)] = Gutter(fa, fb, s, s, rows, 3, strip.top)
            elif pitch and (left_end < fa or fb < right_start):  # beside text, for offset columns
                survivors[(fa, fb)] = Gutter(fa, fb, s, s, 0, 1 if left_end < fa else 2, strip.top)
        # and so does whitespace a gutter ran into and died in, though a narrower gutter goes on
        # inside it (the 千円 over a column of figures ends a hair past the figures' edge)
        for fa, fb in reborn:
            if (fa, fb) not in survivors:
                rows = strip.rows(fa, fb)
                survivors[(fa, fb)] = Gutter(fa, fb, s, s, rows, 3, strip.top)
        active = list(survivors.values())
    return done + active


@dataclass
class _Ctx:
    params: LayoutParams
    em: float
    out: list[Item]
    spaces: Spaces


def order_region(
    glyphs: Sequence[Glyph],
    frames: Sequence[Frame],
    em: float,
    params: LayoutParams,
    name: str = "",
    spaces: Spaces = NO_SPACES,
) -> list[Item]:
    """The region's visual lines and tables in reading order."""
    ctx = _Ctx(params, em, [], spaces)
    _order(ctx, _pieces(glyphs, frames, em, params), name)
    return ctx.out


def _pieces(glyphs: Sequence[Glyph], frames: Sequence[Frame], em: float, params: LayoutParams) -> list[Piece]:
    pieces = [p for row in group_rows(glyphs, params) for p in split_row(row, em, params, params.core)]
    for frame in frames:
        x0, top, x1, bottom = frame.box
        pieces.append(Piece([], x0, top, x1, bottom, em, frame=frame, core_top=top, core_bottom=bottom))
    return pieces


def _glyphs_of(pieces: Sequence[Piece]) -> tuple[list[Glyph], list[Frame]]:
    glyphs = [g for p in pieces for g in p.glyphs]
    frames = [p.frame for p in pieces if isinstance(p.frame, Frame)]
    return glyphs, frames


def _box(pieces: Sequence[Piece]) -> Box:
    return (
        min(p.x0 for p in pieces),
        min(p.top for p in pieces),
        max(p.x1 for p in pieces),
        max(p.bottom for p in pieces),
    )


def _order(ctx: _Ctx, pieces: list[Piece], name: str) -> None:
    if not pieces:
        return
    strips = make_strips(pieces)
    gap = ctx.params.column_gap * ctx.em
    x0, _, x1, _ = _box(pieces)
    params = ctx.params
    joined = params.cjk_space * ctx.em  # wider than the column gap on scans only
    gutters = [
        g
        for g in find_gutters(strips, x0, x1, gap, joined=joined)
        if g.support >= params.gutter_rows and _sides_wide(strips, g, params.min_column * ctx.em)
    ]
    if not gutters:  # columns whose baselines are offset: rows interleave, with text on both sides
        gutters = [
            g
            for g in find_gutters(strips, x0, x1, gap, ROW_PITCH * ctx.em, joined)
            if g.support >= params.gutter_rows and _sides_wide(strips, g, params.text_column_width * ctx.em)
        ]
    if not gutters:
        for strip in strips:
            _read_strip(ctx, strip, name)
        return
    table = _find_table(strips, gutters, ctx)
    if table is not None:
        first, last, found = table
        before = [p for s in strips[:first] for p in s.pieces]
        after = [p for s in strips[last + 1 :] for p in s.pieces]
        if before:
            _order(ctx, _regroup(before, ctx), name)
        ctx.out.append(TableAt(found, strips[first].top))
        if after:
            _order(ctx, _regroup(after, ctx), name)
        return
    best = max(gutters, key=lambda g: (g.support, g.last - g.first, -g.a))
    first = _trim_top(strips, best, ctx)
    end = _section_break(strips, best, first, ctx)
    before = [p for s in strips[:first] for p in s.pieces]
    run = strips[first:end]
    after = [p for s in strips[end:] for p in s.pieces]
    if before:
        _order(ctx, _regroup(before, ctx), name)
    _read_run(ctx, run, best, name)
    if after:
        _order(ctx, _regroup(after, ctx), name)


def _sides_wide(strips: Sequence[Strip], g: Gutter, width: float) -> bool:
    """Whether both sides of a gutter hold something wider than a list's bullets or numbers."""
    left = right = 0.0
    for s in strips[g.first : g.last + 1]:
        for p in s.pieces:
            if p.x1 <= g.a:
                left = max(left, g.a - p.x0)
            elif p.x0 >= g.b:
                right = max(right, p.x1 - g.b)
    return left >= width and right >= width


def _find_table(
    strips: Sequence[Strip], gutters: Sequence[Gutter], ctx: _Ctx
) -> tuple[int, int, Table] | None:
    """A run of strips laid out on three columns or more whose cells start together: a table.

    Each gutter's run of strips is tried with the gutters that run through
    most of it as column boundaries, the longest run first.  Columns of one
    width fit for text are never a table (three columns of short lines start
    together too).
    """
    # first with every gutter a column boundary; then without the gutters a line crosses, which
    # run inside a column (a 説明 column's own figures beside its items)
    return _find_table_with(strips, gutters, ctx, False) or _find_table_with(strips, gutters, ctx, True)


def _find_table_with(
    strips: Sequence[Strip], gutters: Sequence[Gutter], ctx: _Ctx, inner: bool
) -> tuple[int, int, Table] | None:
    from .tables import apart, starts, unruled_table

    params, em = ctx.params, ctx.em
    for g in sorted(gutters, key=lambda g: (-(g.last - g.first), g.a)):
        span = g.last - g.first + 1
        if span < params.table_rows:
            continue
        crossing = [
            h for h in gutters if min(h.last, g.last) - max(h.first, g.first) + 1 >= params.table_share * span
        ]
        bounds = sorted({(h.a + h.b) / 2 for h in crossing})
        if len(bounds) < 2:
            continue
        lead = _below_lead(strips, g.first, g.last, bounds, params)
        run = strips[lead : g.last + 1]
        pieces = [p for s in run for p in s.pieces]
        x0, _, x1, _ = _box(pieces)
        crossers = [(b, p) for b in bounds for p in pieces if p.x0 < b < p.x1]
        crossed = {b for b, _ in crossers}
        if crossed and not (inner and all(_figure(p) for _, p in crossers)):
            continue  # text runs over it: no column boundary
        bounds = _filled(run, [b for b in bounds if b not in crossed], params.table_rows)
        if len(bounds) < 2:
            continue
        widths = [b - a for a, b in itertools.pairwise([x0, *bounds, x1])]
        found = starts(run, bounds, em, header_max=params.header_rows_max)
        if found.shared < 2 or apart(run, bounds, em, params.mixed_starts, params.header_rows_max):
            continue
        # columns of one width fit for text are a table only when some cell wrapped (lines of
        # a list set in columns start together too, but nothing ever goes on beside them)
        even = max(widths) <= 1.3 * min(widths) and min(widths) >= params.text_column_width * em
        if even and not found.continued:
            continue
        first = _below_lead(strips, _header_above(strips, lead, bounds), g.last, bounds, params)
        table = unruled_table(strips[first : g.last + 1], em, params, bounds, ctx.spaces)
        if table is not None:
            return first, g.last, table
    return None


def _filled(run: Sequence[Strip], bounds: list[float], rows: int) -> list[float]:
    """Column boundaries without those of a column of specks: a mark of dust read as ``|`` in a
    scan's gutter makes two gutters and a column holding that one glyph (fewer than ``rows``
    strips with text there, each of ``SPECK_GLYPHS`` glyphs at most; a column of headings such as
    ``2020年度`` stays)."""
    while len(bounds) >= 2:
        counts = [0] * (len(bounds) + 1)
        wordy = [False] * (len(bounds) + 1)
        for strip in run:
            seen = set()
            for p in strip.pieces:
                if p.glyphs:
                    k = bisect.bisect(bounds, (p.x0 + p.x1) / 2)
                    seen.add(k)
                    wordy[k] = wordy[k] or len(p.glyphs) > SPECK_GLYPHS
            for k in seen:
                counts[k] += 1
        specks = [k for k in range(len(counts)) if counts[k] < rows and not wordy[k]]
        if not specks:
            break
        del bounds[min(specks[0], len(bounds) - 1)]  # the column joins its neighbour
    return bounds


def _figure(piece: Piece) -> bool:
    from .tables import is_figure

    return is_figure("".join(g.text for g in piece.glyphs))


def _header_above(strips: Sequence[Strip], first: int, bounds: Sequence[float]) -> int:
    """The table's first strip, moved up over the strips right above it that fill two of its
    columns or more without crossing a boundary (a header whose cells have no label column)."""
    while first > 0:
        above = strips[first - 1]
        if any(p.x0 < b < p.x1 for p in above.pieces for b in bounds):
            break
        columns = {bisect.bisect(bounds, (p.x0 + p.x1) / 2) for p in above.pieces}
        if len(columns) < 2:
            break
        first -= 1
    return first


def _below_lead(
    strips: Sequence[Strip], first: int, last: int, bounds: Sequence[float], params: LayoutParams
) -> int:
    """The table's first strip, moved down to its header: a row of headings (no figures, in two
    columns or more) under rows of figures starts the table, and those rows above it are the
    lines that lead into it (a budget book's 款 and 項 with their totals)."""
    from .tables import is_data_text

    def figures(strip: Strip) -> bool:
        return any(is_data_text("".join(g.text for g in p.glyphs)) for p in strip.pieces)

    for k in range(first, min(last, first + params.header_rows_max)):
        if figures(strips[k]):
            continue
        columns = {bisect.bisect(bounds, (p.x0 + p.x1) / 2) for p in strips[k].pieces if p.glyphs}
        if k > first and len(columns) >= 2 and any(figures(s) for s in strips[k + 1 : last + 1]):
            return k
        break
    return first


def _regroup(pieces: list[Piece], ctx: _Ctx) -> list[Piece]:
    """Pieces of a sub-region made again from its own glyphs (its rows may differ from the page's)."""
    glyphs, frames = _glyphs_of(pieces)
    return _pieces(glyphs, frames, ctx.em, ctx.params)


def _trim_top(strips: Sequence[Strip], gutter: Gutter, ctx: _Ctx) -> int:
    """The first strip of the run: strips above that do not start at the right column's edge
    (a box at the top right) or that are set as a heading are read before the run."""
    run = strips[gutter.first : gutter.last + 1]
    starts = [
        min(p.x0 for p in s.pieces if p.x0 >= gutter.b)
        for s in run
        if any(p.x0 >= gutter.b for p in s.pieces)
    ]
    if not starts:
        return gutter.first
    unit = ctx.em
    edge = Counter(round(x / unit) for x in starts).most_common(1)[0][0] * unit
    sizes = [p.em for s in run for p in s.pieces if p.glyphs]
    body = statistics.median(sizes) if sizes else ctx.em
    first = gutter.first
    while first < gutter.last:
        strip = strips[first]
        right = [p.x0 for p in strip.pieces if p.x0 >= gutter.b]
        off_edge = bool(right) and abs(min(right) - edge) > ctx.params.wrap_indent * unit
        heading = any(p.glyphs and p.em >= ctx.params.heading_scale * body for p in strip.pieces)
        if not (off_edge or heading):
            break
        first += 1
    return first


def _section_break(strips: Sequence[Strip], gutter: Gutter, first: int, ctx: _Ctx) -> int:
    """Where the columns of the run end: at a heading on one side of the gutter, set larger
    than the run's text, below columns that end level with each other (a new section under
    balanced columns, as word processors and CSS columns set one: ``6. 科学技術イノベーション
    の戦略的国際展開`` across the page, too short to cross the gutter).  The heading and what
    follows it are read after the columns, not as the foot of one of them.  Returns the strip
    after the run's last."""
    end = gutter.last + 1
    sizes = [em_of(p.glyphs) for s in strips[first:end] for p in s.pieces if _sized(p)]
    if not sizes:
        return end
    body = statistics.median(sizes)
    pitch, large = ctx.params.section_level * ROW_PITCH * body, ctx.params.section_scale * body
    spanning = _spanning(strips[first:end], gutter, ctx.params.section_span)
    left_end = right_end = -float("inf")  # where each side's text above ends
    above_heading = True  # the strip above is a heading's (or there is none): no break under it
    for k in range(first, end):
        pieces = strips[k].pieces  # a table or box beside the heading is the other side's
        lefts = [p for p in pieces if p.x1 <= gutter.a]
        rights = [p for p in pieces if p.x0 >= gutter.b]
        one_side = bool(pieces) and (not lefts or not rights)
        heading = any(_sized(p) and em_of(p.glyphs) >= large for p in pieces) or (
            one_side and any(id(p) in spanning for p in pieces)
        )
        level = abs(left_end - right_end) <= pitch and max(left_end, right_end) > -float("inf")
        if one_side and heading and level and not above_heading:
            return k
        above_heading = heading
        if lefts:
            left_end = max(left_end, max(p.bottom for p in lefts))
        if rights:
            right_end = max(right_end, max(p.bottom for p in rights))
    return end


def _spanning(run: Sequence[Strip], gutter: Gutter, share: float) -> set[int]:
    """Pieces (by ``id``) running across more than ``share`` of their side of the gutter, on a
    side whose pieces are mostly narrower than half of it (it holds columns); none when
    ``share`` is 0."""
    if not share:
        return set()
    out: set[int] = set()
    for side in (lambda p: p.x1 <= gutter.a, lambda p: p.x0 >= gutter.b):
        pieces = [p for s in run for p in s.pieces if side(p)]
        if len(pieces) < 3:
            continue
        x0, x1 = min(p.x0 for p in pieces), max(p.x1 for p in pieces)
        widths = sorted(p.x1 - p.x0 for p in pieces)
        if widths[len(widths) // 2] > (x1 - x0) / 2:
            continue  # one column on this side: a wide row is just a full line
        out.update(id(p) for p in pieces if p.x1 - p.x0 > share * (x1 - x0) and _sized(p))
    return out


def _sized(piece: Piece) -> bool:
    """Whether a piece holds enough full-width glyphs for its character size to be measured
    (one glyph's box, or a Latin word's, is no measure of the font's size)."""
    return sum(is_wide(g.text[:1]) for g in piece.glyphs) >= HEADING_GLYPHS


HEADING_GLYPHS = 3  # full-width glyphs a piece needs before its size tells a heading


def _read_run(ctx: _Ctx, run: Sequence[Strip], gutter: Gutter, name: str) -> None:
    """A run of strips split by a gutter: two columns of text, or a table read across.

    A table, when text does not start apart across the gutter and one side is
    too narrow for a column of text while the rows share baselines across it
    (a list of names and their amounts).
    """
    from .tables import apart, column_bounds, unruled_table

    pieces = [p for s in run for p in s.pieces]
    left = [p for p in pieces if p.x1 <= gutter.a + 1e-9]
    right = [p for p in pieces if p.x0 >= gutter.b - 1e-9]
    if len(left) + len(right) < len(pieces):  # something crosses (cannot happen): read as rows
        for strip in run:
            _read_strip(ctx, strip, name)
        return
    params, em = ctx.params, ctx.em
    middle = (gutter.a + gutter.b) / 2
    wide = params.text_column_width * em
    left_width = gutter.a - min((p.x0 for p in left), default=gutter.a)
    right_width = max((p.x1 for p in right), default=gutter.b) - gutter.b
    if min(left_width, right_width) < wide and len(run) >= params.table_rows:
        texty = [s for s in run if any(p.glyphs for p in s.pieces)]
        lefty = [any(p.x1 <= gutter.a for p in s.pieces) for s in texty]
        righty = [any(p.x0 >= gutter.b for p in s.pieces) for s in texty]
        both = sum(a and b for a, b in zip(lefty, righty, strict=True))
        # the narrow side's lines each level with a line of the other side: figures set beside
        # their names (with lines between that have no figure), not a column of its own
        narrow = righty if right_width < left_width else lefty
        attached = sum(narrow) >= params.table_rows and both >= params.attached * sum(narrow)
        aligned = bool(texty) and (both >= params.synchrony * len(texty) or attached)
        if aligned and not apart(run, [middle], em, params.mixed_starts):
            bounds = sorted({*column_bounds(run, em, params), middle})
            table = unruled_table(run, em, params, bounds, ctx.spaces)
            if table is not None:
                ctx.out.append(TableAt(table, run[0].top))
                return
    _order(ctx, _regroup(left, ctx), name + "L")
    _order(ctx, _regroup(right, ctx), name + "R")


def _read_strip(ctx: _Ctx, strip: Strip, name: str) -> None:
    """A strip with no gutter: its frames and rows in order (side by side: left to right)."""
    frames = [p for p in strip.pieces if isinstance(p.frame, Frame)]
    if not frames:
        _emit_rows(ctx, strip.pieces, name)
        return
    # stacks: pieces side by side with whitespace between them over the whole strip
    stacks: list[list[Piece]] = []
    right = -float("inf")
    for p in sorted(strip.pieces, key=lambda p: p.x0):
        if stacks and p.x0 < right:
            stacks[-1].append(p)
        else:
            stacks.append([p])
        right = max(right, p.x1)
    for k, stack in enumerate(stacks):
        region = name + (f"S{k}" if len(stacks) > 1 else "")
        for item in sorted(stack, key=lambda p: (p.top, p.x0)) if len(stack) > 1 else stack:
            if isinstance(item.frame, Frame):
                _read_frame(ctx, item.frame, region)
            else:
                _emit_rows(ctx, [item], region)


def _read_frame(ctx: _Ctx, frame: Frame, name: str) -> None:
    if frame.table is not None:
        ctx.out.append(TableAt(frame.table, frame.box[1]))
    elif frame.glyphs or frame.children:
        _order(ctx, _pieces(frame.glyphs, frame.children, ctx.em, ctx.params), name + frame.name)


def _emit_rows(ctx: _Ctx, pieces: Sequence[Piece], name: str) -> None:
    """Pieces with no gutter between them, as visual lines (a row's pieces left to right)."""
    glyphs = [g for p in pieces for g in p.glyphs]
    if not glyphs:
        return
    box = _box(pieces)
    for row in group_rows(glyphs, ctx.params):
        ctx.out.append(Visual(row.glyphs, name, box, ctx.em))


def walk(items: Sequence[Item]) -> Iterator[Visual]:
    for item in items:
        if isinstance(item, Visual):
            yield item
