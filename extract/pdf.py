"""Step 1 for PDFs: pages become lines with positions, in reading order.

Characters (pdfplumber, after ``dedupe_chars`` for overprinted bold) are
grouped into visual rows by vertical overlap, so a label and its amount drawn
as separate objects stay on one line; wide horizontal gaps become tabs, which
the text core reads as table cells.  A two-column body is detected by its
gutter (rows whose left part wraps at the same x) and read column by column.
Ruled tables come from pdfplumber's table finder, one tab-separated line per
row.  Running headers and page numbers (text repeated in the top or bottom
band of many pages) are dropped.  Pages whose text layer is broken are
reported and skipped, never turned into garbage records.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import regex

from .errors import InputError, OcrUnavailable
from .pdfchars import Char, Edge, damage_notes, distinct_pages, geometry, open_pdf, page_chars, page_edges
from .pipeline import Options
from .sources import Box, Line, PackedBoxes
from .tables import find_tables

log = logging.getLogger("yosan")

HEADER_BAND = 0.07  # top and bottom share of the page where running heads live
_PageLine = tuple[float, str, list[Box | None]]  # (top, text, a box per character)
_DIGITS = regex.compile(r"\d+")
_PAGE_NUMBER = regex.compile(r"^[\s\-–—−ー(（]*\d{1,4}[\s\-–—−ー)）/]*(?:\d{1,4})?[\s\-–—−ー)）]*$")


@dataclass
class _Row:
    top: float
    bottom: float
    chars: list[dict]


def broken_text_reason(chars: list[Char], unmapped: int = 0) -> str | None:
    """Why a page's text layer cannot be trusted, or None."""
    text = "".join(c["text"] for c in chars)
    if not text.strip():
        return None
    n = len(text)
    if unmapped > max(3, n // 20):
        return f"{unmapped} glyphs without Unicode"
    cid = text.count("(cid:")
    nul = text.count("\x00")
    pua = sum(1 for ch in text if 0xE000 <= ord(ch) <= 0xF8FF)
    radicals = sum(1 for ch in text if 0x2F00 <= ord(ch) <= 0x2FDF or 0x2E80 <= ord(ch) <= 0x2EFF)
    if cid and cid * 5 >= n / 20:
        return f"{cid} unmapped (cid:NNN) glyphs"
    if nul > max(3, n // 50):
        return f"{nul} NUL characters"
    if pua > max(3, n // 50):
        return f"{pua} private-use characters"
    if radicals > max(5, n // 10):
        return f"{radicals} radical characters in place of kanji"
    return None


def _rows(chars: list[dict]) -> list[_Row]:
    """Group characters into visual rows by vertical overlap."""
    rows: list[_Row] = []
    for ch in sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"])):
        height = max(ch["bottom"] - ch["top"], 0.1)
        for row in reversed(rows[-4:]):
            overlap = min(row.bottom, ch["bottom"]) - max(row.top, ch["top"])
            if overlap >= 0.5 * min(height, row.bottom - row.top):
                row.chars.append(ch)
                row.top, row.bottom = min(row.top, ch["top"]), max(row.bottom, ch["bottom"])
                break
        else:
            rows.append(_Row(ch["top"], ch["bottom"], [ch]))
    for row in rows:
        row.chars.sort(key=lambda c: c["x0"])
    rows.sort(key=lambda r: r.top)
    return rows


def _chunks(row: _Row, gap: float) -> list[list[dict]]:
    """Split a row where characters are further apart than ``gap``."""
    out: list[list[dict]] = [[row.chars[0]]]
    for prev, ch in itertools.pairwise(row.chars):
        if ch["x0"] - prev["x1"] > gap:
            out.append([ch])
        else:
            out[-1].append(ch)
    return out


def _char_width(chars: list[dict]) -> float:
    widths = [c["x1"] - c["x0"] for c in chars if c["text"].strip()]
    return statistics.median(widths) if widths else 5.0


def _gutter(rows: list[_Row], lo: float, hi: float, em: float) -> float | None:
    """The x of a two-column gutter between ``lo`` and ``hi``, or None.

    An x in the middle of the region is a gutter when few rows run across it
    while many rows have text on each side of it, whether or not the two
    sides share baselines.  The right side's text must start at one x and one
    side must wrap at one edge (text fills its column); a list of names with
    their amounts in a column fails that test, so it stays rows.
    """
    width = hi - lo
    runs = [[(run[0]["x0"], run[-1]["x1"]) for run in _chunks(row, 1.5 * em)] for row in rows]
    runs = [[(a, b) for a, b in row if b > lo and a < hi] for row in runs]
    scores: dict[int, int] = {}
    for k in range(int((lo + 0.3 * width) // em) + 1, int((lo + 0.7 * width) // em) + 1):
        x = k * em
        across = sum(1 for row in runs if any(a < x < b for a, b in row))
        left = sum(1 for row in runs if any(b <= x for a, b in row))
        right = sum(1 for row in runs if any(a >= x for a, b in row))
        if across <= max(2, 0.35 * len(runs)) and min(left, right) >= 6:
            scores[k] = min(left, right) - 2 * across
    if not scores:
        return None
    best = max(scores, key=lambda k: (scores[k], -k))
    first = last = best  # the middle of the clearest band around the best x
    while first - 1 in scores and scores[first - 1] >= scores[best] - 2:
        first -= 1
    while last + 1 in scores and scores[last + 1] >= scores[best] - 2:
        last += 1
    x = (first + last) // 2 * em
    across_rows = {i for i, row in enumerate(runs) if any(a < x < b for a, b in row)}
    ends = [
        max(b for a, b in row if b <= x)
        for i, row in enumerate(runs)
        if i not in across_rows and any(b <= x for a, b in row)
    ]
    starts = [
        min(a for a, b in row if a >= x)
        for i, row in enumerate(runs)
        if i not in across_rows and any(a >= x for a, b in row)
    ]
    edges = [
        max(b for a, b in row if a >= x)
        for i, row in enumerate(runs)
        if i not in across_rows and any(a >= x for a, b in row)
    ]
    if not ends or not starts:
        return None
    left_edge, right_edge = max(ends), max(edges)
    right_start = Counter(round(b) for b in starts).most_common(1)[0][0]  # where most right lines start
    wraps = sum(1 for a in ends if a >= left_edge - 3 * em) >= 0.4 * len(ends)
    # most right-hand rows have text starting at one x (in three columns some
    # rows have text only in the third, so a share of one half will do)
    near = [
        any(abs(a - right_start) <= 1.5 * em for a, _ in row)
        for i, row in enumerate(runs)
        if i not in across_rows and any(a >= x for a, b in row)
    ]
    aligned = sum(near) >= 0.5 * len(near) and sum(
        1 for b in starts if b < right_start - 1.5 * em
    ) <= 0.2 * len(starts)
    # or the right side is a text column of its own: wide, and wrapping at one edge
    wide = right_edge - right_start >= 0.3 * width
    right_wraps = sum(1 for e in edges if e >= right_edge - 2 * em) >= 0.4 * len(edges)
    if not aligned or not (wraps or (wide and right_wraps)):
        return None
    return (max((a for a in ends if a < right_start), default=left_edge) + right_start) / 2


def _line_of(chars: list[dict], em: float) -> tuple[str, list[Box | None]]:
    """Text of a run of characters, big gaps as tabs, with each character's box."""
    text: list[str] = []
    boxes: list[Box | None] = []
    prev = None
    for ch in chars:
        if prev is not None:
            gap = ch["x0"] - prev["x1"]
            if gap > 2.5 * em:
                text.append("\t")
                boxes.append(None)
            elif gap > 0.3 * em:
                text.append(" ")
                boxes.append(None)
        text.append(ch["text"])
        boxes.extend([(ch["x0"], ch["top"], ch["x1"], ch["bottom"])] * len(ch["text"]))
        prev = ch
    return "".join(text), boxes


@dataclass
class _Cell:
    x0: float
    x1: float
    chars: list[Char]


def _cells(row: _Row, em: float) -> list[_Cell]:
    """A row cut where characters are further apart than a column gutter (narrower than a tab)."""
    return [_Cell(run[0]["x0"], run[-1]["x1"], run) for run in _chunks(row, 0.7 * em)]


def _column_of(cell: _Cell, starts: list[float], em: float) -> int | None:
    """The column a cell starts in and fits inside, or None."""
    for c, x in enumerate(starts):
        if abs(cell.x0 - x) <= em:
            if c + 1 < len(starts) and cell.x1 > starts[c + 1] - 0.3 * em:
                return None
            return c
    return None


def _grid_blocks(rows: list[_Row], em: float) -> list[tuple[int, int, list[float]]]:
    """Runs of rows laid out on three or more column starts: tables whose cells wrap.

    Each run is (first row, last row + 1, column starts).  Two columns are
    left to the gutter test (they are as often a two-column page).
    """
    cells = [_cells(r, em) for r in rows]
    blocks = []
    i = 0
    while i < len(rows):
        if len(cells[i]) < 2:
            i += 1
            continue
        starts = sorted(c.x0 for c in cells[i])
        j = i + 1
        while j < len(rows) and rows[j].top - rows[j - 1].bottom < 1.5 * em:
            new = [c.x0 for c in cells[j] if all(abs(c.x0 - x) > em for x in starts)]
            trial = sorted(starts + new) if len(cells[j]) >= 2 else starts
            if any(_column_of(c, trial, em) is None for c in cells[j]):
                break
            starts = trial
            j += 1
        # a table has rows across three columns, and three columns each
        # starting several rows; a two-column page has two (an amount beside
        # a label inside one column starts a third only once or twice)
        wide_rows = sum(1 for k in range(i, j) if len(cells[k]) >= 3)
        used = Counter(_column_of(c, starts, em) for k in range(i, j) for c in cells[k])
        laid_out = len(starts) >= 3 and wide_rows >= 2
        if laid_out and sum(1 for c, n in used.items() if c is not None and n >= 3) >= 3:
            if _cells_start_together(rows[i:j], starts, em):
                blocks.append((i, j, starts))
            i = j  # a table, or columns of text: either way no table starts inside it
        else:
            i += 1
    return blocks


def _cells_start_together(rows: list[_Row], starts: list[float], em: float) -> bool:
    """Whether new text starts in all columns at once (a table) rather than column by column.

    In a table a row's cells begin on the same line; while one cell goes on,
    the others are empty.  In three text columns a paragraph begins in one
    column while its neighbours go on.
    """
    placed = _placed(rows, starts, em)
    right = _right_edges(placed, len(starts))
    last: dict[int, _Cell] = {}
    mixed = shared = 0
    for row in placed:
        flags = [col in last and _continues(last[col], cell, right[col], em) for col, cell in row]
        if len(row) >= 2:
            shared += 1
            mixed += any(flags) and not all(flags)
        last = dict(row)
    return mixed <= 0.15 * shared


def _placed(rows: list[_Row], starts: list[float], em: float) -> list[list[tuple[int, _Cell]]]:
    return [[(col, c) for c in _cells(r, em) if (col := _column_of(c, starts, em)) is not None] for r in rows]


def _right_edges(placed: list[list[tuple[int, _Cell]]], columns: int) -> list[float]:
    right = [0.0] * columns
    for row in placed:
        for col, cell in row:
            right[col] = max(right[col], cell.x1)
    return right


def _continues(above: _Cell, cell: _Cell, right: float, em: float) -> bool:
    """A cell's line goes on from the line above: that one was stopped by the column edge."""
    return right - above.x1 < _lead_width(cell) + 0.5 * em and not _NEW_CELL_ITEM.match(
        "".join(ch["text"] for ch in cell.chars)
    )


# Bullets and numbers open a new cell; a bracket may be a wrapped (39百万円).
_NEW_CELL_ITEM = regex.compile(r"^[\-・*※①-⑳○◯●◆◇■□★☆✓➢▷]|^\d{1,2}[.．]\D|^\(\d{1,2}\)")
# What a line-breaker keeps together: an amount with its unit and brackets, a Latin word.
_LEAD = regex.compile(r"^[(\[【<（]?[▲△]?[\d,.]+[千百十万億兆]*円?[)\]】>）]?|^[A-Za-z0-9]+|^.")


def _lead_width(cell: _Cell) -> float:
    """Width of the unit the line-breaker moved down: had it fitted above, it would be there."""
    text = "".join(ch["text"] for ch in cell.chars)
    m = _LEAD.match(text)
    n = max(1, len(m[0])) if m else 1
    return cell.chars[min(n, len(cell.chars)) - 1]["x1"] - cell.x0


def _grid_lines(rows: list[_Row], starts: list[float], em: float) -> list[_PageLine]:
    """A wrapped-cell table as one tab-separated line per table row.

    A visual row continues the table row above when each of its cells sits in
    a column whose text above reached that column's right edge (it wrapped)
    and does not open a new item (○, ・, ※ …).
    """
    placed = _placed(rows, starts, em)
    right = _right_edges(placed, len(starts))
    out: list[_PageLine] = []
    current: dict[int, list[Char]] = {}
    last: dict[int, _Cell] = {}
    top = 0.0

    def flush() -> None:
        if not current:
            return
        texts: list[str] = []
        boxes: list[Box | None] = []
        for col in range(max(current) + 1):
            text, bx = _line_of(current[col], em) if col in current else ("", [])
            texts.append(text)
            boxes.extend([*bx, None])
        out.append((top, "\t".join(texts), boxes[:-1]))
        current.clear()
        last.clear()

    for visual, row in zip(rows, placed, strict=True):
        continues = bool(current) and all(
            col in last and _continues(last[col], cell, right[col], em) for col, cell in row
        )
        if not continues:
            flush()
            top = visual.top
        for col, cell in row:
            current.setdefault(col, []).extend(cell.chars)
            last[col] = cell
    flush()
    return out


def _gutters(rows: list[_Row], lo: float, hi: float, em: float) -> list[float]:
    """The x of every column gutter between ``lo`` and ``hi``: a gutter, then the gutters of each side."""
    gutter = _gutter(rows, lo, hi, em)
    if gutter is None:
        return []
    left: list[Char] = []
    right: list[Char] = []
    for row in rows:
        if not any(c["x0"] < gutter < c["x1"] for c in row.chars):
            for c in row.chars:
                (left if _centre_x(c) < gutter else right).append(c)
    return [*_gutters(_rows(left), lo, gutter, em), gutter, *_gutters(_rows(right), gutter, hi, em)]


def _centre_x(ch: Char) -> float:
    return (ch["x0"] + ch["x1"]) / 2


def _reading_order(
    rows: list[_Row], width: float, em: float
) -> Iterator[tuple[float, list[dict] | _PageLine, str]]:
    """Yield (top, chars, region) per output line: full-width rows in order, columns one after the other.

    The region is "" on a page without columns, else the column's number or
    "F" (full width), so that wrapped lines are only rejoined within their
    column.  Columns are found by their gutters, two or more (a side of a
    gutter may have a gutter of its own: three columns).

    With gutters, each column's characters are grouped into rows on their
    own, so columns whose baselines do not line up are never mixed.  Rows at
    the top with nothing level with them in another column (a title, a box at
    the top right) are read first, in order; rows crossing a gutter (a
    heading over the columns) end one run of columns and start the next.
    """
    gutters = _gutters(rows, 0.0, width, em)
    if not gutters:
        for row in rows:
            yield row.top, row.chars, ""
        return
    crossing = [any(c["x0"] < g < c["x1"] for c in row.chars for g in gutters) for row in rows]
    columns: list[list[Char]] = [[] for _ in range(len(gutters) + 1)]
    for row, crosses in zip(rows, crossing, strict=True):
        if not crosses:
            for c in row.chars:
                columns[bisect.bisect(gutters, _centre_x(c))].append(c)
    items: list[tuple[float, str, _Row | _PageLine]] = [
        (row.top, "F", row) for row, crosses in zip(rows, crossing, strict=True) if crosses
    ]
    for n, chars in enumerate(columns):
        column_rows = _rows(chars)
        for first, end, starts in reversed(_grid_blocks(column_rows, em)):  # a table inside a column
            items.extend((line[0], str(n), line) for line in _grid_lines(column_rows[first:end], starts, em))
            del column_rows[first:end]
        items.extend((row.top, str(n), row) for row in column_rows)
    items.sort(key=lambda item: item[0])
    line = statistics.median(r.bottom - r.top for _, _, r in items if isinstance(r, _Row)) * 1.5

    def level_with_another_column(i: int) -> bool:
        top, side, _ = items[i]
        return side != "F" and any(s not in (side, "F") and abs(t - top) < 2 * line for t, s, _ in items)

    start = next((i for i in range(len(items)) if level_with_another_column(i)), len(items))
    for top, _, row in items[:start]:
        yield top, _content(row), "H"  # a title or a box above the columns: a region of its own
    run: list[list[tuple[float, list[dict] | _PageLine, str]]] = [[] for _ in columns]
    for top, side, row in items[start:]:
        if side == "F":
            for column in run:
                yield from column
                column.clear()
            yield top, _content(row), side
        else:
            run[int(side)].append((top, _content(row), side))
    for column in run:
        yield from column


def _content(row: _Row | _PageLine) -> list[dict] | _PageLine:
    """A row's characters, or a table row already made a line."""
    return row.chars if isinstance(row, _Row) else row


def _centre_y(ch: Char) -> float:
    return (ch["top"] + ch["bottom"]) / 2


def _cell_text(chars: list[Char], em: float) -> tuple[str, list[Box | None]]:
    """A cell's text: its visual lines joined (a wrapped label becomes one string)."""
    text, boxes = "", []
    for row in _rows(chars):
        t, b = _line_of(row.chars, em)
        text += t
        boxes.extend(b)
    return text, boxes


def _table_lines(chars: list[Char], edges: list[Edge], em: float) -> tuple[list[_PageLine], list[Box]]:
    """Ruled tables as tab-separated lines (top, text, boxes), and their bounding boxes."""
    lines: list[_PageLine] = []
    bboxes: list[Box] = []
    for rows in find_tables(edges):
        real = [c for row in rows for c in row if c]
        bbox = (
            min(c[0] for c in real),
            min(c[1] for c in real),
            max(c[2] for c in real),
            max(c[3] for c in real),
        )
        inside = sorted((c for c in chars if _inside(c, bbox)), key=_centre_y)
        if not inside:
            continue
        bboxes.append(bbox)
        centres = [_centre_y(c) for c in inside]
        for row in rows:
            real_cells = [c for c in row if c]
            lo = bisect.bisect_left(centres, min(c[1] for c in real_cells))
            hi = bisect.bisect_right(centres, max(c[3] for c in real_cells))
            in_row = inside[lo:hi]
            texts: list[str] = []
            boxes: list[Box | None] = []
            for cell in row:
                if cell is None:  # spanned by a cell to its left
                    continue
                t, b = _cell_text([c for c in in_row if _inside(c, cell)], em)
                t = t.replace("\t", " ")
                texts.append(t)
                boxes.extend(b)
                boxes.append(None)
            if any(t.strip() for t in texts):
                top = min(c[1] for c in row if c)
                lines.append((top, "\t".join(texts), boxes[:-1]))
    return lines, bboxes


_NEW_ITEM = regex.compile(r"^[\s\-・*※①-⑳○◯●◆◇■□★☆✓➢▷<＜【\[(（]|^\d{1,2}[.．]|^[IVX]+\s")


def _extent(boxes: list[Box | None]) -> tuple[float, float]:
    real = [b for b in boxes if b]
    return min(b[0] for b in real), max(b[2] for b in real)


def _join_wrapped(lines: list[_PageLine], em: float, regions: list[str] | None = None) -> list[_PageLine]:
    """Rejoin lines that wrapped at the right edge of their block (an amount can wrap too).

    A line continues on the next when it reaches the right edge shared by the
    lines that start at the same left margin, and the next line starts no
    further left and does not open a new item (①, ○, -, ※, 【 …).  Lines of
    different regions (the columns of a two-column page) never join, and each
    column has its own right edge.
    """
    if not lines:
        return lines
    regions = regions or [""] * len(lines)
    extents = [_extent(b) for _, _, b in lines]
    out = [lines[0]]
    for i in range(1, len(lines)):
        x0, x1 = extents[i - 1]
        region = regions[i - 1]
        right = max(
            e[1]
            for e, r in zip(extents, regions, strict=True)
            if r == region and (abs(e[0] - x0) < 2 * em or e[0] <= x0)
        )
        nx0, _ = extents[i]
        top, text, boxes = lines[i]
        wrapped = (
            regions[i] == region
            and x1 >= right - 1.5 * em
            and nx0 >= x0 - 2 * em
            and "\t" not in text
            and "\t" not in out[-1][1]
            and (not _NEW_ITEM.match(text) or (text.startswith("・") and x1 >= right - 0.5 * em))
            and top - lines[i - 1][0] < 3 * em
        )
        if wrapped:
            ptop, ptext, pboxes = out[-1]
            out[-1] = (ptop, ptext + text, [*pboxes, *boxes])
            extents[i] = (x0, extents[i][1])
        else:
            out.append(lines[i])
    return out


def _inside(ch: dict, bbox: tuple) -> bool:
    x0, top, x1, bottom = bbox
    cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


def page_lines(chars: list[Char], edges: list[Edge], width: float) -> list[_PageLine]:
    """One page's lines in reading order, each (top, text, per-character boxes)."""
    if not chars:
        return []
    em = _char_width(chars)
    tables, bboxes = _table_lines(chars, edges, em)
    if bboxes:
        chars = [c for c in chars if not any(_inside(c, b) for b in bboxes)]
    rows = _rows(chars)
    for first, end, starts in reversed(_grid_blocks(rows, em)):
        tables.extend(_grid_lines(rows[first:end], starts, em))
        del rows[first:end]
    ordered = list(_reading_order(rows, width, em))
    flow = _join_wrapped(
        [run if isinstance(run, tuple) else (top, *_line_of(run, em)) for top, run, _ in ordered],
        em,
        [r for _, _, r in ordered],
    )
    if not tables:
        return flow
    # place each table row among the flowing lines by its vertical position
    out: list[_PageLine] = []
    pending = sorted(tables, key=lambda t: t[0])
    for line in flow:
        while pending and pending[0][0] < line[0]:
            out.append(pending.pop(0))
        out.append(line)
    out.extend(pending)
    return out


def _in_band(top: float, height: float) -> bool:
    return top < HEADER_BAND * height or top > (1 - HEADER_BAND) * height


def _furniture_key(text: str) -> str:
    return _DIGITS.sub("#", regex.sub(r"\s+", "", text))


@dataclass
class _Page:
    number: int
    height: float
    lines: list[_PageLine]
    confidences: list[list[float | None]] | None = None  # per line, per character (OCR)
    wants_ocr: bool = False


def read_pdf(path: Path, options: Options | None = None) -> tuple[list[Line], int]:
    """All pages' lines and the page count; page-level problems are logged, never fatal.

    Pages without a usable text layer (none at all but something drawn, or a
    broken one) are read by OCR when ``options.ocr`` is auto; with always,
    every page is.  OCR runs after the text pages, ``options.jobs`` pages at
    a time in worker processes that render their own pages.
    """
    options = options or Options()
    doc = open_pdf(path, options.password, options.max_pages)
    for note in damage_notes(path):
        log.warning("%s: %s; read what could be recovered", path, note)
    try:
        count = len(doc)
        pages = [_read_page(path, doc, number, options.ocr) for number in _page_numbers(path, count, options)]
    finally:
        doc.close()
    wanted = [page for page in pages if page.wants_ocr]
    if wanted:
        _ocr_pages(path, wanted, options, everything=len(wanted) == len(pages))
    bands: Counter[str] = Counter()
    for page in pages:
        for top, text, _ in page.lines:
            if _in_band(top, page.height):
                bands[_furniture_key(text)] += 1
    repeated = {k for k, n in bands.items() if n >= max(2, len(pages) // 2)}
    out: list[Line] = []
    for page in pages:
        n = 0
        for i, (top, text, boxes) in enumerate(page.lines):
            if _in_band(top, page.height) and (_furniture_key(text) in repeated or _PAGE_NUMBER.match(text)):
                continue
            n += 1
            if page.confidences is None:
                out.append(Line(number=n, text=text, page=page.number, boxes=PackedBoxes(boxes)))
            else:
                confidences = tuple(page.confidences[i])
                line = Line(n, text, page.number, PackedBoxes(boxes), layer="ocr", confidences=confidences)
                out.append(line)
    return out, count


def _page_numbers(path: Path, count: int, options: Options) -> Iterator[int] | list[int]:
    """The pages to read: each page object once, when the page tree lists one again."""
    distinct = distinct_pages(path, count, options.password)
    if distinct is None:
        return range(1, count + 1)
    numbers, repeats = distinct
    log.warning(
        "%s: the page tree lists %d pages again (the same page object as an earlier page); each read once",
        path,
        repeats,
    )
    return numbers


def _ocr_pages(path: Path, pages: list[_Page], options: Options, everything: bool) -> None:
    """Fill in the lines of the pages that want OCR (a missing tesseract fails only a scan)."""
    from .ocr import ocr_pdf_pages

    try:
        found = ocr_pdf_pages(path, [p.number for p in pages], jobs=options.jobs, password=options.password)
    except OcrUnavailable as exc:
        if everything:
            raise InputError(path, f"no text layer, and {exc}") from None
        log.warning("%s: %d pages without a usable text layer skipped: %s", path, len(pages), exc)
        return
    for page in pages:
        lines = found.get(page.number, [])
        page.lines = [(line.top, line.text, list(line.boxes)) for line in lines]
        page.confidences = [list(line.confidences) for line in lines]


def _read_page(path: Path, doc: pdfium.PdfDocument, number: int, ocr: str = "auto") -> _Page:
    """One page's text-layer lines, or a mark that it wants OCR; the page is released before returning."""
    try:
        page = doc[number - 1]
    except Exception as exc:
        log.warning("%s: page %d: unreadable (%s); page skipped", path, number, exc)
        return _Page(number, 0.0, [])
    try:
        geo = geometry(page)
        if ocr == "always":
            return _Page(number, geo.height, [], wants_ocr=True)
        chars, unmapped = page_chars(page, geo)
        reason = broken_text_reason(chars, unmapped)
        if reason:
            then = "page skipped" if ocr == "never" else "reading it by OCR"
            log.warning("%s: page %d: broken text layer (%s); %s", path, number, reason, then)
            return _Page(number, geo.height, [], wants_ocr=ocr != "never")
        if not chars:  # a scan, or glyphs drawn as shapes; a blank page has nothing to read
            drawn = raw.FPDFPage_CountObjects(page.raw) > 0
            return _Page(number, geo.height, [], wants_ocr=drawn and ocr == "auto")
        return _Page(number, geo.height, page_lines(chars, page_edges(page, geo), geo.width))
    except Exception as exc:
        log.warning("%s: page %d: unreadable (%s); page skipped", path, number, type(exc).__name__)
        return _Page(number, 0.0, [])
    finally:
        page.close()
