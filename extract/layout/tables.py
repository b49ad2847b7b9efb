"""Tables of the page model: ruled grids filled with their glyphs, and unruled tables found by
their aligned columns; header rows identified in both.

A ruled table's cells come from ``rules.Grid``; every glyph goes to the cell
that holds its centre, and a cell's several visual lines stay one cell.  An
unruled table is a run of strips that the reading-order step found split by
gutters into columns too narrow for text whose rows share baselines; its
column boundaries are the gutters common to most of its rows, and a visual
row whose every cell continues the text of the cell above (that text ran
into its column's right edge) belongs to the row above, so wrapped cells
stay whole.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import regex

from ..lexicon import alternation, lexicon
from ..model import Cell, Glyph, Table, TextLine
from .params import LayoutParams
from .rows import NO_SPACES, Piece, Spaces, em_of, group_rows, line_of


@cache
def _patterns() -> tuple[regex.Pattern[str], regex.Pattern[str]]:
    lex = lexicon()
    eras = alternation([e.name for e in lex.eras])
    # digits that do not make a row a data row: era years, 第1号, years in headings
    not_data = regex.compile(
        rf"(?:{eras})\s?(?:\d{{1,2}}|元)\s?年度?|\d{{4}}\s?年度?|第\s?\d{{1,2}}\s?[号次表]|\(\s?\d{{1,2}}\s?\)"
    )
    digit = regex.compile(r"[0-9０-９]")
    return not_data, digit


def is_data_text(text: str) -> bool:
    """Whether a cell's text holds figures (a header names years and numbers tables, but states none)."""
    not_data, digit = _patterns()
    return bool(digit.search(not_data.sub("", text)))


def header_rows(rows: Sequence[Sequence[str]], limit: int = 4) -> int:
    """How many leading rows are headings: rows before the first one with figures (at most ``limit``)."""
    for k, row in enumerate(rows):
        if any(is_data_text(text) for text in row):
            return k if k <= limit else 0
    return 0


def cell_lines(
    glyphs: Sequence[Glyph], em: float, params: LayoutParams, spaces: Spaces = NO_SPACES
) -> list[TextLine]:
    """A cell's glyphs as its visual lines, top to bottom."""
    if not glyphs:
        return []
    local = em_of(glyphs)
    return [line_of(row.glyphs, local, params, spaces=spaces) for row in group_rows(glyphs, params)]


def ruled_table(
    grid: object, glyphs: Sequence[Glyph], em: float, params: LayoutParams, spaces: Spaces = NO_SPACES
) -> Table:
    """A ruled grid with its glyphs in their cells."""
    from .rules import Grid

    assert isinstance(grid, Grid)
    # a glyph belongs to the smallest cell over it: an L-shaped ruling (a 款 row over its 項
    # rows, the 款 column left open below) makes a box that overlaps the 項 cells
    owner: dict[tuple[int, int], int] = {}
    for n, cell in sorted(enumerate(grid.cells), key=lambda nc: nc[1].row_span * nc[1].col_span):
        for r in range(cell.row, cell.row + cell.row_span):
            for c in range(cell.col, cell.col + cell.col_span):
                owner.setdefault((r, c), n)
    inside: list[list[Glyph]] = [[] for _ in grid.cells]
    xs, ys = grid.xs, grid.ys
    for g in glyphs:
        c = bisect.bisect_right(xs, (g.x0 + g.x1) / 2) - 1
        r = bisect.bisect_right(ys, (g.top + g.bottom) / 2) - 1
        n = owner.get((r, c))  # type: ignore[assignment]
        if n is not None:
            inside[n].append(g)
    cells = [
        Cell(gc.row, gc.col, cell_lines(inside[n], em, params, spaces), gc.box, gc.row_span, gc.col_span)
        for n, gc in enumerate(grid.cells)
    ]
    table = split_tall_rows(Table(cells, grid.n_rows, grid.n_cols, box=grid.box, ruled=True), params)
    join_cells(table, em, params)
    table.header_rows = header_rows(row_texts(table))
    return table


def join_cells(table: Table, em: float, params: LayoutParams) -> None:
    """In each cell, the visual lines that wrapped rejoined (a cell may also hold a list: 説明 items)."""
    from .wrap import join_wrapped

    for cell in table.cells:
        if len(cell.lines) > 1:
            cell.lines = join_wrapped(cell.lines, [""] * len(cell.lines), em, params, in_cell=True)


def _centre(line: TextLine) -> tuple[float, float]:
    box = line.extent()
    return ((box[1] + box[3]) / 2, max(box[3] - box[1], 1e-6)) if box else (0.0, 1e-6)


def split_tall_rows(table: Table, params: LayoutParams) -> Table:
    """Ruled rows that hold several table rows, told apart by the baselines their cells share.

    A budget book rules its 目 table's columns but draws one tall row for all
    its 目: each cell holds several lines, and the lines level with each
    other across columns are one row (``1 労政費 | 132,209 | 114,424 …``).
    A row is split when at least two levels of it have text in two columns
    or more; a line with no neighbour at its level (the second line of a
    wrapped name) stays with the level above it in its column.  A row whose
    cells merely wrap (one level shared, or none) stays one row.
    """
    by_row: dict[int, list[Cell]] = {}
    for cell in table.cells:
        by_row.setdefault(cell.row, []).append(cell)
    new_cells: list[Cell] = []
    shift = 0
    mapping: dict[int, tuple[int, int]] = {}  # old row → (first new row, rows)
    table.bands = list(range(table.n_rows))
    for r in range(table.n_rows):
        cells = by_row.get(r, [])
        single = [c for c in cells if c.row_span == 1]
        levels = _levels(single)
        shared = [lv for lv in levels if len({col for col, _ in lv}) >= 2]
        # a level a cell's text wrapped into does not start a row (a header whose cells all wrap
        # at the same baselines is one row)
        rights = {c.col: (c.box[2] if c.box else 0.0) for c in single}
        shared = [lv for k, lv in enumerate(shared) if k == 0 or not _wraps_into(levels, lv, rights, params)]
        if len(shared) < 2:
            mapping[r] = (r + shift, 1)
            continue
        groups = _assign(levels, shared)
        mapping[r] = (r + shift, len(shared))
        for c in single:
            for k, lines in enumerate(groups):
                mine = [ln for col, ln in lines if col == c.col]
                if mine:
                    extent = [ln.extent() for ln in mine]
                    real = [b for b in extent if b]
                    box = (
                        (
                            min(b[0] for b in real),
                            min(b[1] for b in real),
                            max(b[2] for b in real),
                            max(b[3] for b in real),
                        )
                        if real
                        else c.box
                    )
                    new_cells.append(Cell(r + shift + k, c.col, mine, box, 1, c.col_span))
        shift += len(shared) - 1
    if not shift:
        return table
    table.bands = [r for r in range(table.n_rows) for _ in range(mapping[r][1])]
    for cell in table.cells:
        first, count = mapping[cell.row]
        if cell.row_span == 1 and count > 1:
            continue  # split above
        last_row = cell.row + cell.row_span - 1
        end_first, end_count = mapping[last_row]
        cell.row, cell.row_span = first, end_first + end_count - first
        new_cells.append(cell)
    new_cells.sort(key=lambda c: (c.row, c.col))
    table.cells = new_cells
    table.n_rows += shift
    return table


def _wraps_into(
    levels: list[list[tuple[int, TextLine]]],
    level: list[tuple[int, TextLine]],
    rights: dict[int, float],
    params: LayoutParams,
) -> bool:
    """Whether a cell's line at ``level`` goes on from its line at the level above: a text cut
    there by its cell's edge (a row of wrapped cells, or a label such as ``予算`` / ``額(案)`` beside
    figures set lower, centred in the row); a ruled row is not split inside a cell's wrapped text.
    A figure is never the rest of a wrapped text, nor is anything the rest of a unit."""
    from .wrap import Edge, goes_on

    k = next(i for i, lv in enumerate(levels) if lv is level)
    if k == 0:
        return False
    # each column's line above is its own nearest, which need not be on the level just above (a
    # figure centred in the row between a label's two lines is a level of its own)
    above: dict[int, TextLine] = {}
    for lv in levels[:k]:
        above.update(lv)
    for col, line in level:
        prev = above.get(col)
        if _whole_number(line.text) or (prev is not None and _UNIT_ONLY.match(prev.text)):
            return False  # a figure starts a row (the lines level with it are the row's)
    for col, line in level:
        prev = above.get(col)
        box, pbox = line.extent(), prev.extent() if prev else None
        if prev is None or box is None or pbox is None:
            continue
        em = max(box[3] - box[1], 1e-6)
        margin = min(box[0], pbox[0])
        right = rights.get(col, pbox[2]) - 0.5 * em
        if goes_on(Edge(prev, pbox), Edge(line, box), right, margin, em, params, in_cell=True):
            return True
    return False


_UNIT_ONLY = regex.compile(r"^\s*[(（]?[千百十万億兆]*円[)）]?\s*$")
_NUMBER_ONLY = regex.compile(r"^\s*[▲△-]?[\d０-９][\d０-９,，.]*\s*[千百十万億兆]*円?\s*$")


def _whole_number(text: str) -> bool:
    return bool(_NUMBER_ONLY.match(text))


def _levels(cells: Sequence[Cell]) -> list[list[tuple[int, TextLine]]]:
    """The lines of some cells grouped by level: lines whose centres lie within half a line of each other."""
    lines = sorted(((_centre(ln), c.col, ln) for c in cells for ln in c.lines), key=lambda t: t[0][0])
    levels: list[list[tuple[int, TextLine]]] = []
    centre = -float("inf")
    for (y, height), col, line in lines:
        if levels and y - centre <= 0.5 * height:
            levels[-1].append((col, line))
        else:
            levels.append([(col, line)])
            centre = y
    return levels


def _assign(
    levels: list[list[tuple[int, TextLine]]], shared: list[list[tuple[int, TextLine]]]
) -> list[list[tuple[int, TextLine]]]:
    """Levels joined into the table rows they belong to: a level with text in one column only
    goes with the nearest shared level above it (or the first, above them all)."""
    groups: list[list[tuple[int, TextLine]]] = [[] for _ in shared]
    index = {id(lv): k for k, lv in enumerate(shared)}
    current = 0
    for level in levels:
        if id(level) in index:
            current = index[id(level)]
        groups[current].extend(level)
    return groups


def row_texts(table: Table) -> list[list[str]]:
    rows: list[list[str]] = [[] for _ in range(table.n_rows)]
    for cell in table.cells:
        if 0 <= cell.row < table.n_rows:
            rows[cell.row].append(cell.text)
    return rows


def _lead_width(piece: Piece) -> float:
    """Width of the unit a line-breaker moved down: had it fitted above, it would be there."""
    from .wrap import lead_length

    n = lead_length("".join(g.text for g in piece.glyphs))
    k = 0
    for i, g in enumerate(piece.glyphs):  # glyph holding character n - 1
        k += len(g.text)
        if k >= n:
            return piece.glyphs[i].x1 - piece.x0
    return piece.x1 - piece.x0


def column_bounds(strips: Sequence[object], em: float, params: LayoutParams) -> list[float]:
    """The x of each gutter that runs through most of the strips (a table's column boundaries).

    A gutter counts when it runs through at least half the strips and has text on both sides
    in at least half as many strips as the best one (a wrapped cell leaves its neighbours empty).
    """
    from .regions import Strip, find_gutters

    runs = [s for s in strips if isinstance(s, Strip)]
    gap = params.column_gap * em
    x0 = min(s.x0 for s in runs)
    x1 = max(s.x1 for s in runs)
    found = find_gutters(runs, x0, x1, gap)
    if not found:
        return []
    need = max(params.table_rows, max(g.support for g in found) // 2)
    spans = sorted((g.a, g.b) for g in found if g.support >= need and 2 * (g.last - g.first + 1) >= len(runs))
    bounds: list[float] = []
    last_b = -float("inf")
    for a, b in spans:
        if a < last_b:  # overlapping candidates: one gutter
            continue
        bounds.append((a + b) / 2)
        last_b = b
    return bounds


def place(
    strips: Sequence[object], bounds: Sequence[float]
) -> tuple[list[list[tuple[int, Piece]]], list[float]]:
    """Each strip's text pieces with their column, and each column's right edge."""
    placed = [
        [(bisect.bisect(bounds, (p.x0 + p.x1) / 2), p) for p in s.pieces if p.glyphs]  # type: ignore[attr-defined]
        for s in strips
    ]
    right = [-float("inf")] * (len(bounds) + 1)
    for row in placed:
        for col, p in row:
            right[col] = max(right[col], p.x1)
    return placed, right


def continues(above: Piece, piece: Piece, right: float, em: float) -> bool:
    """A cell's line goes on from the line above: that one was stopped by the column edge."""
    from .wrap import amount_after_amount, cell_item

    text = "".join(g.text for g in piece.glyphs)
    before = "".join(g.text for g in above.glyphs)
    return (
        right - above.x1 < _lead_width(piece) + 0.5 * em
        and not cell_item().match(text)
        and not amount_after_amount(before, text)
        and not _unit_only().match(before)  # a column's unit (千円) over its first figure
        and not _FIGURE.match(before)  # a figure alone ends its item (a 説明 line's amount)
    )


@cache
def _unit_only() -> regex.Pattern[str]:
    lex = lexicon()
    units = "".join([*lex.small_units, *lex.large_units])
    return regex.compile(rf"^[(（]?[{units}]*{lex.yen}[)）]?$")


@dataclass(frozen=True)
class Starts:
    """How text starts across the columns of a run of strips."""

    shared: int  # strips with text in two columns or more
    mixed: int  # of those, strips where text starts in one column and goes on in another
    continued: int  # strips where a column's text goes on from the strip above (a wrapped cell)


def starts(
    strips: Sequence[object], bounds: Sequence[float], em: float, pair: int | None = None, header_max: int = 0
) -> Starts:
    """Whether new text starts in all columns at once (a table) or column by column (text).

    In a table a row's cells begin on the same line; while one cell goes on,
    the others are empty.  In columns of text a paragraph begins in one
    column while its neighbours go on.  With ``pair`` only that column and
    the next one are looked at.  The rows before the first row of figures,
    when there are at most ``header_max`` of them, are a header: a heading
    set on two lines (本年度 / 予算額) beside one on one line (目) says nothing
    about columns of text, and the first row of figures goes on from no heading.
    """
    placed, right = place(strips, bounds)
    header = next(
        (k for k, row in enumerate(placed) if any(is_data_text(_text(p)) for _, p in row)), len(placed)
    )
    if header > header_max:
        header = 0
    if pair is not None:
        placed = [[(c, p) for c, p in row if c in (pair, pair + 1)] for row in placed]
    mixed = shared = continued = 0
    last: dict[int, Piece] = {}  # the row above's piece per column: a line goes on from there only
    for k, row in enumerate(placed):
        flags = [k > header and col in last and continues(last[col], p, right[col], em) for col, p in row]
        continued += any(flags)
        if len({col for col, _ in row}) >= 2:
            shared += 1
            mixed += k >= header and any(flags) and not all(flags)
        last = {col: p for col, p in row}
    return Starts(shared, mixed, continued)


def _text(piece: Piece) -> str:
    return "".join(g.text for g in piece.glyphs)


def apart(
    strips: Sequence[object], bounds: Sequence[float], em: float, mixed_share: float, header_max: int = 0
) -> bool:
    """Whether two neighbouring columns are columns of text, not a table's: text starts apart
    across their boundary (see ``starts``), or their lines sit on baselines of their own."""
    placed, _ = place(strips, bounds)
    for k in range(len(bounds)):
        found = starts(strips, bounds, em, pair=k, header_max=header_max)
        # a column of figures is no column of text, whatever starts beside it
        if found.mixed > mixed_share * max(found.shared, 1):
            return True
        if _offset(placed, k, mixed_share):
            return True
    return False


_FIGURE = regex.compile(r"^[(（]?[▲△\-−]?\d[\d,，.]*[%％]?[千百万億]*円?[)）]?$")


def is_figure(text: str) -> bool:
    """Whether a piece of text is a figure alone (``1,853,280``, ``▲6,655``, ``98.9%``)."""
    return bool(_FIGURE.match(text))


LEVEL = 0.75  # a share of the smaller core: lines that overlap this much are on one baseline


def _level(a: Piece, b: Piece) -> bool:
    smaller = max(min(a.core_bottom - a.core_top, b.core_bottom - b.core_top), 1e-9)
    return min(a.core_bottom, b.core_bottom) - max(a.core_top, b.core_top) >= LEVEL * smaller


def _offset(placed: list[list[tuple[int, Piece]]], pair: int, share: float) -> bool:
    """Whether the lines of columns ``pair`` and ``pair + 1`` are set on baselines of their own
    (text columns each on its grid); a table's cells share their rows' baselines."""
    left = [p for row in placed for c, p in row if c == pair and p.glyphs]
    right = [p for row in placed for c, p in row if c == pair + 1 and p.glyphs]
    if not left or not right:
        return False
    right.sort(key=lambda p: p.core_top)
    middles = [(p.core_top + p.core_bottom) / 2 for p in right]
    near = level = 0
    for a in left:
        height = max(a.bottom - a.top, 1e-9)
        middle = (a.core_top + a.core_bottom) / 2
        lo = bisect.bisect_left(middles, middle - height)
        hi = bisect.bisect_right(middles, middle + height)
        if lo == hi:
            continue
        near += 1
        if any(_level(a, b) for b in right[lo:hi]):
            level += 1
    return near >= 3 and level < (1 - share) * near


def unruled_table(
    run: Sequence[object],
    em: float,
    params: LayoutParams,
    bounds: Sequence[float] | None = None,
    spaces: Spaces = NO_SPACES,
) -> Table | None:
    """A run of strips whose gutters make a table: cells by column, wrapped cells rejoined."""
    from .regions import Strip

    strips = [s for s in run if isinstance(s, Strip)]
    bounds = list(bounds) if bounds is not None else column_bounds(strips, em, params)
    if not bounds:
        return None
    x0 = min(s.x0 for s in strips)
    x1 = max(s.x1 for s in strips)
    n_cols = len(bounds) + 1
    placed, right = place(strips, bounds)
    rows: list[dict[int, list[Piece]]] = []
    last: dict[int, Piece] = {}
    for row in placed:
        if not row:
            continue
        joined = bool(rows) and all(col in last and continues(last[col], p, right[col], em) for col, p in row)
        if not joined:
            rows.append({})
            last = {}
        for col, p in row:
            rows[-1].setdefault(col, []).append(p)
            last[col] = p
    if len(rows) < params.table_rows:
        return None
    cells = []
    for r, row_cells in enumerate(rows):
        for col, pieces in sorted(row_cells.items()):
            glyphs = [g for p in pieces for g in p.glyphs]
            box = (
                min(p.x0 for p in pieces),
                min(p.top for p in pieces),
                max(p.x1 for p in pieces),
                max(p.bottom for p in pieces),
            )
            cells.append(Cell(r, col, cell_lines(glyphs, em, params, spaces), box))
    box = (x0, min(s.top for s in strips), x1, max(max(p.bottom for p in s.pieces) for s in strips))
    table = Table(cells, len(rows), n_cols, box=box, ruled=False)
    join_cells(table, em, params)
    table.header_rows = header_rows(row_texts(table))
    return table
