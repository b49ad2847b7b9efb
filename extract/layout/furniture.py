"""Page furniture, marked in one place for every kind of input: running heads and page numbers.

A line in the top or bottom band of its page is furniture when it is a page
number (``- 12 -``, ``12/43``) or when the same text, digits aside, stands
in that band on many pages.  A line that states money (円, or a grouped
number) is never furniture: the 款 total atop every page of a budget book
is a figure, repeated.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import regex

from ..model import Furniture, FurnitureKind, Layer, Page, Table, TextBlock, TextLine
from ..names import distance
from .params import LayoutParams

_PAGE_NUMBER = regex.compile(r"^[\s\-–—−ー一(（]*\d{1,4}[\s\-–—−ー一)）/]*(?:\d{1,4})?[\s\-–—−ー一)）]*$")
_DIGITS = regex.compile(r"\d+")
_SPACE = regex.compile(r"\s+")
_MONEY = regex.compile(r"円|\d{1,3}(?:[,，]\d{3})+")


def _key(text: str) -> str:
    return _DIGITS.sub("#", _SPACE.sub("", text))


def _in_band(line: TextLine, page: Page, params: LayoutParams) -> bool:
    extent = line.extent()
    if extent is None or page.height <= 0:
        return False
    band = params.furniture_band * page.height
    return extent[1] < band or extent[3] > page.height - band


def mark_furniture(pages: Sequence[Page], params: LayoutParams) -> None:
    """Move running heads and page numbers out of the pages' blocks into ``page.furniture``."""
    counts: Counter[str] = Counter()
    for page in pages:
        seen = {_key(line.text) for line in page.lines() if _in_band(line, page, params)}
        counts.update(seen)
    repeated = {k for k, n in counts.items() if n >= max(2, params.furniture_share * len(pages))}
    for page in pages:
        for block in page.blocks:
            if isinstance(block, Table):
                _table_edges(block, page, params, repeated)
                continue
            kept = []
            for line in block.lines:
                kind = _furniture(line, page, params, repeated)
                if kind is not None:
                    page.furniture.append(Furniture(kind, line))
                    continue
                kept.append(line)
            block.lines = kept
        page.blocks = [b for b in page.blocks if not isinstance(b, TextBlock) or b.lines]


def _furniture(line: TextLine, page: Page, params: LayoutParams, repeated: set[str]) -> FurnitureKind | None:
    if not _in_band(line, page, params) or _MONEY.search(line.text):
        return None
    text = line.text.strip()
    if _PAGE_NUMBER.match(text):
        return FurnitureKind.PAGE_NUMBER
    key = _key(text)
    if key in repeated:
        return FurnitureKind.RUNNING_HEAD
    limit = min(params.furniture_misreads, len(key) // 6) if page.layer is Layer.OCR else 0
    if limit and any(distance(key, head, limit) <= limit for head in repeated):
        return FurnitureKind.RUNNING_HEAD
    return None


def _table_edges(table: Table, page: Page, params: LayoutParams, repeated: set[str]) -> None:
    """An unruled table's first or last row that is furniture (the page number under a table
    set without rules lines up with its columns) leaves the table."""
    if table.ruled:
        return
    for row in (table.n_rows - 1, 0):
        cells = [c for c in table.cells if c.row == row]
        if table.n_rows < 2 or any(c.row_span > 1 for c in cells) or not cells:
            continue
        line = TextLine.joined([ln for c in sorted(cells, key=lambda c: c.col) for ln in c.lines])
        kind = _furniture(line, page, params, repeated)
        if kind is None:
            continue
        page.furniture.append(Furniture(kind, line))
        table.cells = [c for c in table.cells if c.row != row]
        for c in table.cells:
            if c.row > row:
                c.row -= 1
        table.n_rows -= 1
        for seq in (table.row_numbers, table.bands):
            if len(seq) > row:
                del seq[row]
        if row == 0 and table.header_rows:
            table.header_rows -= 1


def number_lines(page: Page) -> None:
    """Number the page's lines and table rows 1, 2, … in reading order (a record's ``line``)."""
    n = 0
    for block in page.blocks:
        if isinstance(block, TextBlock):
            for line in block.lines:
                n += 1
                line.number = n
        else:
            block.row_numbers = list(range(n + 1, n + 1 + block.n_rows))
            n += block.n_rows
