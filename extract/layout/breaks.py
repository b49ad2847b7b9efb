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

import itertools
from collections.abc import Iterable, Sequence

import regex

from ..lexicon import alternation, lexicon
from ..model import Cell, Page, Table, TextBlock, TextLine
from .tables import header_rows, row_texts
from .wrap import CLOSE, OPEN, cell_item, new_item, reach, unclosed

TITLE_MIN = 6  # characters: shorter names (推進, 事業概要) are too common to decide anything
TAIL_MIN = 10  # characters: a name found only after breaks must be longer to count
_KANA = regex.compile(r"^[\p{Hiragana}ーンァィゥェォッャュョヮ]")  # a particle, or inside a word


def _compact_pattern() -> regex.Pattern[str]:
    lex = lexicon()
    marks = alternation([*lex.strong_markers, *lex.weak_markers])
    return regex.compile(rf"^(?:(?:{marks})\s?)+|\s+")


_COMPACT = _compact_pattern()
# a line opened by a numbering mark (◇ ○ ① …): an item of its own, whatever its rows
_NUMBERED = regex.compile(rf"^\s*(?:{alternation(lexicon().strong_markers)})")
# a name ends where its first figure or bracketed figure starts: `気候変動適応戦略イニシアチブ 1,127百万円 …`
_UNITS = "".join([*lexicon().small_units, *lexicon().large_units])
_FIRST_FIGURE = regex.compile(rf"\s?[(（]?[▲△]?\d[\d,，.]*\s?[{_UNITS}]*円")
_SENTENCE_END = regex.compile(r"[。．]$")


def _key(text: str) -> str:
    return _COMPACT.sub("", text)


def _name(text: str) -> str:
    m = _FIRST_FIGURE.search(text)  # the leftmost: where a lazy `^(.*?)(?=figure|$)` would stop
    return _key(text[: m.start()] if m else text)


def _titles(lines: Iterable[TextLine]) -> set[str]:
    """Lines printed on their own (one row, or several after a numbering mark: a summary page's
    ``◇グローバルに活躍する…`` wrapped in a narrow column), as keys: names that stand alone
    somewhere (not a box's label, not a sentence)."""
    label = new_item()
    found = set()
    for line in lines:
        if line.rows == 1 or _NUMBERED.match(line.text):
            for key in (_key(line.text), _name(line.text)):
                if len(key) >= TITLE_MIN and not _SENTENCE_END.search(key) and not label.match(key):
                    found.add(key)
    return found


def _repeated_tails(lines: Iterable[TextLine]) -> set[str]:
    """Names that open the rest of a rejoined line after a break in two lines or more, each time
    after other text: a title rejoined with whatever ended above it, on the summary page and on
    its detail page (a scan's ``…環境エネルギー問題に対応`` / ``気候変動適応戦略イニシアチブ``).
    Only names of ``TAIL_MIN`` characters or more that do not open with hiragana (a wrapped line
    goes on with ``の整備・共用`` after many names) or inside a katakana word."""
    heads: dict[str, set[str]] = {}
    for line in lines:
        for at in line.breaks:
            key = _name(line.text[at:])
            if len(key) >= TAIL_MIN and not _KANA.match(key) and not _SENTENCE_END.search(key):
                heads.setdefault(key, set()).add(_key(line.text[:at]))
    return {key for key, before in heads.items() if len(before) >= 2}


def restore_breaks(pages: Sequence[Page]) -> None:
    """Cut rejoined lines again at breaks where one side alone is a line printed on its own."""
    lines = [line for page in pages for line in page.lines()]
    # a block's last line that runs to its edge may be a name cut by a column or page break: no
    # evidence of a name printed on its own
    blocks = [b for page in pages for b in page.blocks if isinstance(b, TextBlock)]
    feet = {id(b.lines[-1]) for b in blocks if _cut_off(b)}
    titles = _titles(ln for ln in lines if id(ln) not in feet) | _repeated_tails(lines)
    if not titles:
        return
    for page in pages:
        for block in page.blocks:
            if isinstance(block, TextBlock) and any(line.breaks for line in block.lines):
                block.lines = [part for line in block.lines for part in _cut(line, titles)]


def _cut_off(block: TextBlock) -> bool:
    """Whether the block's last line ends within an em of the block's right edge (a hung ``。``
    counted at its left side), where a column or page break may have cut it."""
    boxes = [b for b in (block.lines[-1].boxes or ()) if b is not None] if block.lines else []
    if not boxes:
        return False
    edge = max(reach(line, line.extent()) for line in block.lines)
    last = boxes[-1]
    return last[2] >= edge - (last[3] - last[1])


def _cut(line: TextLine, titles: set[str]) -> list[TextLine]:
    for at in line.breaks:
        if _key(line.text[:at]) in titles or _name(line.text[at:]) in titles:
            first, rest = line.split(at)
            return [first, *_cut(rest, titles)]
    return [line]


def join_across_breaks(pages: Sequence[Page]) -> None:
    """Rejoin a line that a column or page break cut: the last line of a block and the first
    line of the next one, where the break fell inside a bracket (the first leaves ``「`` open and
    the second closes it first: ``…「政策のための科`` / ``学」の推進 555百万円``, ``(前年度予算額:
    1,034`` / ``百万円)``) or where the document prints the joined text elsewhere as one line (a
    programme's name, on its summary and its detail page: ``ITER計画、BA活動等の核融合研究開`` /
    ``発の実施``), or where a page ends inside a wrapped paragraph's sentence, its last line
    cut at the edge.  Only then: joining the foot of every column to the head of the next merged
    the columns of tables drawn without rules as often as it mended a title.  On one page the
    joined line takes the first line's place; across pages it takes the second's, so that its
    figures keep their page (the first must hold none), and the characters from the other page
    lose their boxes."""
    known = {k for line in (ln for page in pages for ln in page.lines()) for k in _keys(line.text)}
    alone = {_key(line.text) for page in pages for line in page.lines()}  # whole lines
    blocks = [(page, b) for page in pages for b in page.blocks if isinstance(b, TextBlock) and b.lines]
    for (page_a, a), (page_b, b) in itertools.pairwise(blocks):
        if not a.lines or not b.lines:
            continue
        same = page_a is page_b
        # a paragraph cut mid-sentence is rejoined across pages only: on one page the foot of a
        # column may be a table's column read as text, and the next column's head its neighbour
        turned = not same and page_a.blocks[-1] is a and page_b.blocks[0] is b and _cut_off(a)
        if not (
            _goes_on_across(a.lines[-1], b.lines[0], known, same, turned)
            or (same and _name_cut_by_a_column(a, b, alone))
        ):
            continue
        if same:
            a.lines[-1] = TextLine.joined([a.lines[-1], b.lines.pop(0)])
        else:
            above = a.lines.pop()
            b.lines[0] = TextLine.joined([TextLine(above.text, number=above.number), b.lines[0]])
    for page in pages:
        page.blocks = [b for b in page.blocks if not isinstance(b, TextBlock) or b.lines]


def _name_cut_by_a_column(a: TextBlock, b: TextBlock, alone: set[str]) -> bool:
    """Whether the foot of a column is a name that the next column goes on with, its figures
    after it (Chromium, three columns: ``戦略的創造研究推進事業先端的低炭素`` /
    ``化技術開発(ALCA) 3,166百万円(4,886百万円)``): the last line is one row that ran into
    the column's edge, holds no figure and ends no sentence; the first line of the next column
    (to its right, starting higher up) is a piece of a name, no item of its own nor a name the
    document prints as a line of its own (``alone``), then a figure."""
    above, below = a.lines[-1], b.lines[0]
    ea, eb = above.extent(), below.extent()
    if ea is None or eb is None or above.rows != 1 or not (eb[0] >= ea[2] and eb[1] < ea[1]):
        return False
    tail = _TAIL_THEN_FIGURE.match(below.text)
    return (
        tail is not None
        and _cut_off(a)
        and not _AMOUNT_IN.search(above.text)
        and not above.text.rstrip().endswith(_ENDS)
        and not new_item().match(below.text)
        and _key(tail["tail"]) not in alone
    )


def _keys(text: str) -> tuple[str, ...]:
    keys = (_key(text), _name(text))
    return tuple(k for k in keys if len(k) >= TITLE_MIN)


def _goes_on_across(
    above: TextLine, below: TextLine, known: set[str], same_page: bool, at_edge: bool
) -> bool:
    """Whether ``below`` goes on from ``above`` across a break: ``below`` does not start anew (a
    bullet, ①, ※), ``above`` holds no figure unless both are on one page, and the joined text is
    a line of the document's (``known``), or ``above`` is a paragraph that wrapped and was cut
    mid-sentence at its block's edge by a page break (``at_edge``: ``…食糧生産の低`` /
    ``炭素化に貢献``), or ``below`` closes a bracket that ``above`` left open, before it opens
    one."""
    if new_item().match(below.text) or (not same_page and _AMOUNT_IN.search(above.text)):
        return False
    joined = above.text + below.text
    if any(k in known for k in _keys(joined)) and not any(k in known for k in _keys(below.text)):
        return True
    if at_edge and above.rows >= PARAGRAPH_ROWS and not above.text.rstrip().endswith(_ENDS):
        return True
    return _closes_bracket(above.text, below.text)


def _closes_bracket(above: str, below: str) -> bool:
    """Whether ``below`` closes a bracket that ``above`` left open, before it opens one."""
    if not unclosed(above):
        return False
    for ch in below:
        if ch in OPEN:
            return False
        if ch in CLOSE:
            return True
    return False


_ENDS = tuple({*lexicon().sentence_ends, *lexicon().closers, *CLOSE})  # what may end a paragraph
TAIL_FIGURE_MAX = 24  # characters: the most of a name that a column break carries over with its figures
PARAGRAPH_ROWS = 2  # a line wrapped this many rows or more is a paragraph's, not a title or a cell
_AMOUNT_IN = regex.compile(rf"\d\s?[{_UNITS}]*{lexicon().yen}")  # a figure with its unit: 1,078百万円
# the rest of a name (no figure, bracket or mark first), then its figure: `化技術開発(ALCA) 3,166百万円`
_TAIL_THEN_FIGURE = regex.compile(
    rf"""^(?P<tail>[^\s\d(（\[【<＜※][^\d]{{0,{TAIL_FIGURE_MAX}}}?)   # 化技術開発(ALCA)
    \s?[(（]?[▲△]?\d[\d,，]*\s?[{_UNITS}]*{lexicon().yen}          # 3,166百万円
    """,
    regex.VERBOSE,
)


def join_split_rows(pages: Sequence[Page], snap: float) -> None:
    """Rejoin a table row that a column or page break split in two: the last row of a table and
    the first row of the next one in reading order, when the second table stands at the head of
    the next column or page, has the same columns (widths within ``snap`` points: the same
    table), and each cell the break cut wrapped to its cell's edge mid-sentence (a header cell
    ``統合的気候モデル高度化研究プロ`` / ``グラム《平成29～令和3年度》``) or left a bracket open
    that the cell below closes (``382百万円(373百万円)【令和元年度補正予算額(案)`` /
    ``460百万円】``).  The joined row takes the second table's place, as a line cut across pages
    does (the first row must then hold no figure); a table left with no rows is removed."""
    tables = [(page, b) for page in pages for b in page.blocks if isinstance(b, Table)]
    for (page_a, a), (page_b, b) in itertools.pairwise(tables):
        if not a.n_rows or not b.n_rows or not _next_in_order(page_a, a, page_b, b):
            continue
        same = page_a is page_b
        if not _row_goes_on(a, b, snap, same):
            continue
        _move_last_row(a, b, same)
        if not a.n_rows:
            page_a.blocks.remove(a)


def _next_in_order(page_a: Page, a: Table, page_b: Page, b: Table) -> bool:
    """Whether ``b`` follows ``a`` with nothing between, at the head of a new column or page."""
    if page_a is page_b:
        k = page_a.blocks.index(a)
        if k + 1 >= len(page_a.blocks) or page_a.blocks[k + 1] is not b:
            return False
        return a.box is not None and b.box is not None and b.box[1] < a.box[1] and b.box[0] > a.box[0]
    return page_a.blocks[-1] is a and page_b.blocks[0] is b


def _widths(table: Table, row: int) -> list[float] | None:
    cells = sorted((c for c in table.cells if c.row == row and c.col_span == 1), key=lambda c: c.col)
    if len(cells) != table.n_cols or any(c.box is None for c in cells):
        return None
    return [c.box[2] - c.box[0] for c in cells]  # type: ignore[index]


def _row_goes_on(a: Table, b: Table, snap: float, same_page: bool) -> bool:
    last = a.n_rows - 1
    if a.n_cols != b.n_cols or a.n_cols < 2 or a.ruled != b.ruled:
        return False
    wa, wb = _widths(a, last), _widths(b, 0)
    if wa is None or wb is None or any(abs(x - y) > snap for x, y in zip(wa, wb, strict=True)):
        return False
    above = {c.col: c for c in a.cells if c.row == last}
    below = {c.col: c for c in b.cells if c.row == 0}
    cut = 0
    for col, cell in above.items():
        other = below.get(col)
        if not cell.lines or other is None or not other.lines:
            continue
        if cell_item().match(other.lines[0].text):
            return False
        if not (_cut_cell(cell) or _closes_bracket(cell.text, other.text)):
            return False
        cut += 1
    if not same_page and any(_AMOUNT_IN.search(c.text) for c in above.values()):
        return False
    return cut > 0


def _cut_cell(cell: Cell) -> bool:
    """Whether a cell's text wrapped and its last row runs to the cell's text edge, not ending a
    sentence: the break cut it."""
    line = cell.lines[-1]
    boxes = [x for x in (line.boxes or ()) if x is not None]
    if line.rows < PARAGRAPH_ROWS or not boxes or line.text.rstrip().endswith(_ENDS):
        return False
    edge = max(reach(ln, ln.extent()) for ln in cell.lines)
    return boxes[-1][2] >= edge - (boxes[-1][3] - boxes[-1][1])


def _move_last_row(a: Table, b: Table, same_page: bool) -> None:
    """``a``'s last row joined to the head of ``b``'s first row, cell by cell."""
    last = a.n_rows - 1
    below = {c.col: c for c in b.cells if c.row == 0}
    for cell in [c for c in a.cells if c.row + c.row_span - 1 == last]:
        if cell.row < last:  # a cell spanning down into the row: it ends a row higher
            cell.row_span -= 1
            continue
        a.cells.remove(cell)
        if not cell.lines:
            continue
        lines = cell.lines if same_page else [TextLine(ln.text, number=ln.number) for ln in cell.lines]
        other = below.get(cell.col)
        if other is None:
            b.cells.append(Cell(0, cell.col, lines, cell.box, 1, cell.col_span))
        elif other.lines:
            other.lines = [*lines[:-1], TextLine.joined([lines[-1], other.lines[0]]), *other.lines[1:]]
        else:
            other.lines = lines
    a.n_rows = last
    a.header_rows = min(a.header_rows, a.n_rows)
    del a.row_numbers[last:]
    del a.bands[last:]
    b.header_rows = header_rows(row_texts(b))
