"""Ruled tables: cells from the ruling lines of a page.

The lattice algorithm is pdfplumber's (snap and join the edges, find their
intersections, the smallest box whose four corners are joined by edges is a
cell, touching cells form a table), applied to PDFium's lines.  The
cell search is re-implemented over integer edge ids: pdfplumber's version
hashes edge dictionaries on every comparison and took half the run time on a
612-page budget book whose every page is a ruled table.
"""

from __future__ import annotations

from collections import defaultdict

from .sources import Box

Edge = dict  # {"x0", "top", "x1", "bottom", "width", "height", "orientation", "doctop"}
TOLERANCE = 3  # points: lines this close are the same line, ends this close meet


def find_tables(edges: list[Edge]) -> list[list[list[Box | None]]]:
    """Each table as rows of cell boxes (None where a cell to the left spans the column)."""
    from pdfplumber.table import Table, cells_to_tables, edges_to_intersections, merge_edges

    if len(edges) < 4:
        return []
    t = TOLERANCE
    merged = merge_edges(edges, t, t, t, t)  # snap x, snap y, join x, join y
    merged = [e for e in merged if (e["width"] if e["orientation"] == "h" else e["height"]) >= t]
    cells = intersections_to_cells(edges_to_intersections(merged, t, t), merged)
    tables = []
    for group in cells_to_tables(cells):
        rows = [row.cells for row in Table(None, group).rows]  # type: ignore[arg-type]
        if rows and max(len(r) for r in rows) >= 2:
            tables.append(rows)
    return tables


def intersections_to_cells(intersections: dict, edges: list[Edge]) -> list[Box]:
    """The smallest joined box to the lower right of every intersection (pdfplumber's rule)."""
    ids = {id(e): i for i, e in enumerate(edges)}
    joins = {
        point: (frozenset(ids[id(e)] for e in found["v"]), frozenset(ids[id(e)] for e in found["h"]))
        for point, found in intersections.items()
    }
    below: dict[float, list[float]] = defaultdict(list)  # x → the ys of points on it, ascending
    right: dict[float, list[float]] = defaultdict(list)  # y → the xs of points on it, ascending
    for x, y in sorted(joins):
        below[x].append(y)
        right[y].append(x)

    def vertical(p: tuple[float, float], q: tuple[float, float]) -> bool:
        return bool(joins[p][0] & joins[q][0])

    def horizontal(p: tuple[float, float], q: tuple[float, float]) -> bool:
        return bool(joins[p][1] & joins[q][1])

    cells: list[Box] = []
    for point in sorted(joins):
        x, y = point
        for by in (v for v in below[x] if v > y):
            if not vertical(point, (x, by)):
                continue
            found = None
            for rx in (h for h in right[y] if h > x):
                if not horizontal(point, (rx, y)):
                    continue
                corner = (rx, by)
                if corner in joins and vertical(corner, (rx, y)) and horizontal(corner, (x, by)):
                    found = (x, y, rx, by)
                    break
            if found:
                cells.append(found)
                break
    return cells
