"""Plain text → the page model: the source's own lines, and its tab-separated rows as tables.

A text file has no positions, so there is nothing to lay out: each line is a
line (numbered as an editor numbers it), and each run of lines holding a tab
is a table whose cells are the tab-separated fields, so the record builder
reads a table the same way whatever the input was.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Cell, Layer, Page, Table, TextBlock, TextLine
from .tables import header_rows

TAB = "\t"


def text_page(lines: Sequence[str]) -> Page:
    """One page (number None) holding every line; runs of tab-separated lines as tables."""
    page = Page(None, layer=Layer.TEXT)
    run: list[TextLine] = []
    table_rows: list[tuple[int, list[str]]] = []

    def flush_text() -> None:
        if run:
            page.blocks.append(TextBlock(list(run)))
            run.clear()

    def flush_table() -> None:
        if table_rows:
            page.blocks.append(_table(table_rows))
            table_rows.clear()

    for number, text in enumerate(lines, start=1):
        if TAB in text:
            flush_text()
            table_rows.append((number, text.split(TAB)))
        else:
            flush_table()
            run.append(TextLine(text, number=number))
    flush_text()
    flush_table()
    return page


def _table(rows: list[tuple[int, list[str]]]) -> Table:
    n_cols = max(len(cells) for _, cells in rows)
    cells = [
        Cell(r, c, [TextLine(text)] if text else [])
        for r, (_, fields) in enumerate(rows)
        for c, text in enumerate(fields)
    ]
    table = Table(cells, len(rows), n_cols, row_numbers=[number for number, _ in rows])
    table.header_rows = header_rows([fields for _, fields in rows])
    return table
