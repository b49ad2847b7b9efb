"""Ruling lines → grids of cells (ruled tables and boxes), for text layers and scans alike.

pdfplumber's lattice method, as small steps: ``snap_and_join`` (rules this
close become one, pieces that meet become one line) → ``intersections`` →
``grid_cells`` (the smallest box whose four corners are joined by rules) →
``cells_to_grids`` (cells that touch form a table, with row and column
indices and spans).  Text layers give the rules from their drawn paths, scans
from the long strokes OpenCV finds in the image; both arrive here as
``Ruling`` segments in points.  Every step sorts or hashes, so the cost grows
with the number of rules, never with the size of the page.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Box, Ruling
from .params import LayoutParams


@dataclass(frozen=True, slots=True)
class Line:
    """A merged rule: at ``at`` (y of a horizontal, x of a vertical), from ``lo`` to ``hi``."""

    at: float
    lo: float
    hi: float


@dataclass(frozen=True, slots=True)
class GridCell:
    row: int
    col: int
    row_span: int
    col_span: int
    box: Box


@dataclass(frozen=True, slots=True)
class Grid:
    """One ruled table (or a box: one cell): its outline, the rules' positions and its cells."""

    box: Box
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    cells: tuple[GridCell, ...]

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1


def snap_and_join(segments: Sequence[tuple[float, float, float]], tolerance: float) -> list[Line]:
    """Segments (at, lo, hi) whose ``at`` lie within ``tolerance`` share one ``at`` (their mean);
    along it, pieces that overlap or meet within ``tolerance`` become one line."""
    out: list[Line] = []
    ordered = sorted(segments)
    i = 0
    while i < len(ordered):
        j = i + 1
        while j < len(ordered) and ordered[j][0] - ordered[j - 1][0] <= tolerance:
            j += 1
        group = ordered[i:j]
        at = sum(s[0] for s in group) / len(group)
        spans = sorted((s[1], s[2]) for s in group)
        lo, hi = spans[0]
        for a, b in spans[1:]:
            if a <= hi + tolerance:
                hi = max(hi, b)
            else:
                out.append(Line(at, lo, hi))
                lo, hi = a, b
        out.append(Line(at, lo, hi))
        i = j
    return out


def rules_to_lines(rulings: Sequence[Ruling], params: LayoutParams) -> tuple[list[Line], list[Line]]:
    """Horizontal and vertical merged lines from rulings (a thin filled rectangle is a rule)."""
    horizontal: list[tuple[float, float, float]] = []
    vertical: list[tuple[float, float, float]] = []
    for r in rulings[: params.max_rules]:
        width, height = r.x1 - r.x0, r.bottom - r.top
        if width >= height and width >= params.min_rule:
            horizontal.append(((r.top + r.bottom) / 2, r.x0, r.x1))
        elif height > width and height >= params.min_rule:
            vertical.append(((r.x0 + r.x1) / 2, r.top, r.bottom))
    h = [ln for ln in snap_and_join(horizontal, params.snap) if ln.hi - ln.lo >= params.snap]
    v = [ln for ln in snap_and_join(vertical, params.snap) if ln.hi - ln.lo >= params.snap]
    return h, v


def intersections(h: Sequence[Line], v: Sequence[Line], tolerance: float) -> set[tuple[int, int]]:
    """(index in h, index in v) of every horizontal and vertical line that cross or meet."""
    order = sorted(range(len(v)), key=lambda k: v[k].at)
    xs = [v[k].at for k in order]
    found: set[tuple[int, int]] = set()
    for i, hl in enumerate(h):
        lo = bisect.bisect_left(xs, hl.lo - tolerance)
        hi = bisect.bisect_right(xs, hl.hi + tolerance)
        for k in order[lo:hi]:
            vl = v[k]
            if vl.lo - tolerance <= hl.at <= vl.hi + tolerance:
                found.add((i, k))
    return found


def grid_cells(h: Sequence[Line], v: Sequence[Line], points: set[tuple[int, int]]) -> list[Box]:
    """The smallest joined box to the lower right of each intersection (pdfplumber's rule).

    Two points are joined when they lie on one merged line: the corners
    (i, k) and (i, l) are joined along h[i], (i, k) and (j, k) along v[k].
    """
    along_h: dict[int, list[int]] = defaultdict(list)  # h index → v indices on it, left to right
    along_v: dict[int, list[int]] = defaultdict(list)  # v index → h indices on it, top to bottom
    for i, k in points:
        along_h[i].append(k)
        along_v[k].append(i)
    for ks in along_h.values():
        ks.sort(key=lambda k: v[k].at)
    for is_ in along_v.values():
        is_.sort(key=lambda i: h[i].at)
    cells: list[Box] = []
    for i, k in points:
        below = [j for j in along_v[k] if h[j].at > h[i].at]
        right = [m for m in along_h[i] if v[m].at > v[k].at]
        found = None
        for j in below:
            for m in right:
                if (j, m) in points:
                    found = (v[k].at, h[i].at, v[m].at, h[j].at)
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


def cells_to_grids(cells: Sequence[Box], params: LayoutParams) -> list[Grid]:
    """Cells that share a corner form one table; each gets its row, column and spans."""
    cells = [c for c in cells if c[2] - c[0] >= params.min_cell and c[3] - c[1] >= params.min_cell]
    if not cells:
        return []
    parent = list(range(len(cells)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    step = max(params.snap, 1e-9)
    corner_owner: dict[tuple[int, int], int] = {}
    for n, (x0, top, x1, bottom) in enumerate(cells):
        for x, y in ((x0, top), (x1, top), (x0, bottom), (x1, bottom)):
            key = (round(x / step), round(y / step))
            if key in corner_owner:
                parent[find(n)] = find(corner_owner[key])
            else:
                corner_owner[key] = n
    groups: dict[int, list[Box]] = defaultdict(list)
    for n, cell in enumerate(cells):
        groups[find(n)].append(cell)
    grids = []
    for group in groups.values():
        xs = _positions([c[0] for c in group] + [c[2] for c in group], params.snap)
        ys = _positions([c[1] for c in group] + [c[3] for c in group], params.snap)
        placed = []
        for x0, top, x1, bottom in sorted(set(group), key=lambda c: (c[1], c[0])):
            col, col_end = _index(xs, x0), _index(xs, x1)
            row, row_end = _index(ys, top), _index(ys, bottom)
            placed.append(
                GridCell(row, col, max(1, row_end - row), max(1, col_end - col), (x0, top, x1, bottom))
            )
        box = (xs[0], ys[0], xs[-1], ys[-1])
        grids.append(Grid(box, tuple(xs), tuple(ys), tuple(placed)))
    grids.sort(key=lambda g: (g.box[1], g.box[0]))
    return grids


def _positions(values: list[float], tolerance: float) -> list[float]:
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > tolerance:
            out.append(value)
    return out


def _index(positions: list[float], value: float) -> int:
    k = bisect.bisect_left(positions, value)
    if k == len(positions) or (k > 0 and value - positions[k - 1] < positions[k] - value):
        k -= 1
    return k


def close_open_ends(h: list[Line], v: list[Line], tolerance: float) -> list[Line]:
    """Horizontal lines where two or more vertical rules end together on no horizontal rule: a
    table cut by the page's edge (it goes on overleaf) still has its last row."""
    extra: list[Line] = []
    for end in ("lo", "hi"):
        loose = [
            ln
            for ln in v
            if not any(
                abs(hl.at - getattr(ln, end)) <= tolerance and hl.lo - tolerance <= ln.at <= hl.hi + tolerance
                for hl in h
            )
        ]
        loose.sort(key=lambda ln: getattr(ln, end))
        group: list[Line] = []
        for ln in [*loose, None]:
            if ln is not None and group and getattr(ln, end) - getattr(group[-1], end) <= tolerance:
                group.append(ln)
                continue
            if len(group) >= 2:
                at = sum(getattr(g, end) for g in group) / len(group)
                extra.append(Line(at, min(g.at for g in group), max(g.at for g in group)))
            group = [ln] if ln is not None else []
    return extra


def find_grids(rulings: Sequence[Ruling], params: LayoutParams) -> list[Grid]:
    """Every ruled table and box of a page, top to bottom."""
    if len(rulings) < 4:
        return []
    h, v = rules_to_lines(rulings, params)
    if len(v) >= 2:
        h = h + close_open_ends(h, v, params.snap)
    if len(h) < 2 or len(v) < 2:
        return []
    points = intersections(h, v, params.snap)
    return cells_to_grids(grid_cells(h, v, points), params)
