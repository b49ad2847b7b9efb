"""Budget-book pages to records: every figure with its kind, year, code, level and path.

A detail page of a budget book is one hierarchy drawn across a page (or an A3
spread of two printed pages): headings ``５款 労働費 159,963千円`` and
``１項 労働費``, then a table whose 目 rows carry 本年度/前年度/比較 and the
財源内訳, and beside it the 節 rows (区分, 金額) and the 説明 items, each
standing level with the 目 it belongs to.  The reader follows that:

1. each table's columns are read from its headers (``columns``); a table
   without headers takes the columns of an earlier one drawn at the same
   places (a 項's second table on a page);
2. the *spine* (headings, and rows of 款, 項, 目 and 第N表 entries) is read in
   reading order and sets the path 一般会計 > 款 > 項 > 目;
3. 節 rows and 説明 lines belong to the last 目 row at or above them on the
   page, else to the 目 the previous page ended with; 説明 items nest by
   indentation;
4. a table of figures without names (the 財源内訳 half of a spread) takes the
   names of the rows it stands level with;
5. a figure that restates one already given (the 款/項 heading atop every
   page, 総括 restating 第1表) is marked as a repeat of the page that first
   gave it, so that sums over the records are right.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

import regex

from ..layout.tables import is_data_text
from ..lexicon import alternation, book_words
from ..model import Kind, Layer, Level, Page, Record, Table, TextBlock, TextLine
from ..normalize import normalize_map, normalize_text
from ..numbers import AmountError, find_amounts, parse_amount
from ..tokens import unit_note
from .cells import Figure, cell_figures, to_yen
from .codes import Entry, split_code, standard_name, tidy_name, total_name
from .columns import Column, Role, classify_table, header_unit, squeeze
from .document import Budget, budgets
from .explain import BASE_COLUMN, ExplainLine, read_line, repair_ending
from .params import BOOK, BookParams
from .prose import read_sentences

log = logging.getLogger("yosan")
_WORDS = book_words()

RANK = {Level.ACCOUNT: 0, Level.KAN: 1, Level.KOU: 2, Level.MOKU: 3, Level.SETSU: 4, Level.SAISETSU: 5}
SPINE = (Level.KAN, Level.KOU, Level.MOKU, Level.TABLE)
_LEVEL_WORDS = alternation(_WORDS.levels)
HEADING_RE = regex.compile(
    rf"""
    ^(?:
        (?:{_WORDS.ordinal}\s?)?(?P<code>\d{{1,3}})\s?(?P<level>{_LEVEL_WORDS})     # ５款 / 第１項
      | [(（【]\s?(?P<level>{_LEVEL_WORDS})\s?[)）】]\s?(?P<code>\d{{1,3}})        # （款）１ / 【項】２
    )\s?
    (?P<name>[^\d\s].*?)                                # 労働費
    (?:\s*(?P<amount>[△▲]?\d{{1,3}}(?:,\d{{3}})*\s?[千百万億]*円))?$  # 159,963千円
    """,
    regex.VERBOSE,
)
_KOU_IN_NAME = regex.compile(
    rf"\s?(?:{_WORDS.ordinal}\s?)?(?P<code>\d{{1,3}})\s?{Level.KOU}\s?(?P<name>[^\d\s]\S*)$"
)
_KOU_CODE_AT_END = regex.compile(rf"\s?(?:{_WORDS.ordinal}\s?)?\d{{1,3}}\s?{Level.KOU}$")
OCR_HEADING_RE = regex.compile(
    r"""
    ^(?P<code>\d{1,2})(?P<level>[^\d\s])\s?            # 5寺 (5款 misread)
    (?P<name>[^\d\s].*?)
    (?:\s*(?P<amount>[△▲]?\d{1,3}(?:,\d{3})*\s?[千百万億]*円))$
    """,
    regex.VERBOSE,
)
_SECTIONS = alternation(_WORDS.sections)
SECTION_RE = regex.compile(
    rf"^(?:\d{{1,2}}\s?)?[(（]?\s?(?P<section>{_SECTIONS})\s?[)）]?$|(?P<running>{_SECTIONS})予算書"
)
TABLE_TITLE_RE = regex.compile(r"^第\s?(?P<n>\d{1,2})\s?表\s?(?P<title>\S.*)$")
_GROUPED = regex.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_INK = regex.compile(r"\S.*\S|\S")  # a text's span without the spaces around it
_UNIT = regex.compile(r"[千百万億]*円")
_LEAD_UNIT = regex.compile(r"^([千百万億]?円)(?=\S)")  # 千円 glued before a 説明 column's first item
_LEAD_CODE = regex.compile(r"^(\d{3,8})\s")


# --- the path --------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    level: Level
    code: str
    name: str
    rank: int

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}" if self.code else self.name


@dataclass
class Path:
    """Where the reader stands: 会計 > 款 > 項 > 目 (or > 第N表)."""

    account: str
    section: str = ""
    nodes: list[Node] = field(default_factory=list)

    def enter(self, node: Node) -> None:
        """Stand at ``node``; the same entry again (a page's heading restated) keeps what is below it."""
        for k, have in enumerate(self.nodes):
            if have.rank == node.rank and (have.code, have.name) == (node.code, node.name):
                return
            if have.rank >= node.rank:
                del self.nodes[k:]
                break
        self.nodes.append(node)

    def parent(self, rank: int) -> str:
        return " > ".join([self.account] + [n.label for n in self.nodes if n.rank < rank])

    def copy(self) -> Path:
        return Path(self.account, self.section, list(self.nodes))


# --- cells ------------------------------------------------------------------------


def _box(line: TextLine, start: int, end: int) -> dict[str, object]:
    boxes = [b for b in (line.boxes or [])[start:end] if b is not None]
    where: dict[str, object] = {}
    if boxes:
        where |= {
            "x0": round(min(b[0] for b in boxes), 1),
            "top": round(min(b[1] for b in boxes), 1),
            "x1": round(max(b[2] for b in boxes), 1),
            "bottom": round(max(b[3] for b in boxes), 1),
        }
    if line.confidences:
        scores = [c for c in line.confidences[start:end] if c is not None]
        if scores:
            where["confidence"] = round(min(scores), 2)
    return where


def _top(lines: Sequence[TextLine]) -> float | None:
    tops = [e[1] for e in (line.extent() for line in lines) if e is not None]
    return min(tops) if tops else None


def _span(lines: Sequence[TextLine]) -> tuple[float, float] | None:
    boxes = [e for e in (line.extent() for line in lines) if e is not None]
    if not boxes:
        return None
    return min(b[1] for b in boxes), max(b[3] for b in boxes)


def _em(lines: Sequence[TextLine]) -> float:
    heights = sorted(e[3] - e[1] for e in (line.extent() for line in lines) if e is not None)
    return heights[len(heights) // 2] if heights else 10.0


# --- tables -----------------------------------------------------------------------


@dataclass
class Group:
    """Name columns and the figures that follow them (目 | 本年度 | 前年度 …, or 節 区分 | 金額)."""

    names: list[int]
    money: list[int]


def groups_of(columns: Sequence[Column | None]) -> tuple[list[Group], list[int], list[int]]:
    """Column groups, the money columns before any name (a table of figures only), the 説明 columns."""
    groups: list[Group] = []
    orphans: list[int] = []
    explain: list[int] = []
    for k, col in enumerate(columns):
        if col is None or col.role == Role.TEXT:
            continue
        if col.role == Role.EXPLAIN:
            explain.append(k)
        elif col.role == Role.NAME:
            if groups and not groups[-1].money:
                groups[-1].names.append(k)
            else:
                groups.append(Group([k], []))
        elif groups:
            groups[-1].money.append(k)
        else:
            orphans.append(k)
    return groups, orphans, explain


def _book_table(columns: Sequence[Column | None] | None) -> bool:
    """Whether a table names entries of a budget's hierarchy (款, 項, 目 or 節)."""
    return any(
        c is not None and c.role == Role.NAME and c.level in (Level.KAN, Level.KOU, Level.MOKU, Level.SETSU)
        for c in columns or ()
    )


def _kan_by_name(table: Table, columns: list[Column | None]) -> list[Column | None]:
    """A 区分 column whose entries are 款 names without codes (議会費, 総務費 in a summary's
    目的別 table) lists 款, not 節."""
    grid = table.grid()
    out = list(columns)
    standard = _WORDS.revenue_kan | _WORDS.expenditure_kan
    for k, col in enumerate(columns):
        if col is None or col.role != Role.NAME or col.level != Level.SETSU:
            continue
        names = [
            split_code(grid[r][k].text)  # type: ignore[union-attr]
            for r in range(table.header_rows, table.n_rows)
            if grid[r][k] is not None and grid[r][k].text.strip()  # type: ignore[union-attr]
        ]
        named = [e for e in names if not total_name(e.name)]
        kan = sum(e.name in standard for e in named)
        if named and all(not e.code for e in named) and kan * 2 > len(named):
            out[k] = replace(col, level=Level.KAN)
    return out


def _halves(line: TextLine, gap: float) -> list[str]:
    """A line's texts between gaps wider than ``gap`` line heights (its whole text when none)."""
    boxes = list(line.boxes or ())
    extent = line.extent()
    if len(boxes) != len(line.text) or extent is None:
        return [line.text]
    height = extent[3] - extent[1]
    parts: list[str] = []
    start, right = 0, None
    for i, box in enumerate(boxes):
        if box is None:
            continue
        if right is not None and box[0] - right > gap * height:
            parts.append(line.text[start:i])
            start = i
        right = box[2] if right is None else max(right, box[2])
    parts.append(line.text[start:])
    return [p for p in parts if p.strip()] or [line.text]


def _number_cells(table: Table) -> None:
    """A cell's lines take their row's line number (a record's ``line``, as for text lines)."""
    for cell in table.cells:
        if 0 <= cell.row < len(table.row_numbers):
            for line in cell.lines:
                line.number = table.row_numbers[cell.row]


def _col_lefts(table: Table) -> list[float | None]:
    lefts: list[float | None] = [None] * table.n_cols
    for cell in table.cells:
        if cell.col_span == 1 and cell.box is not None:
            x = cell.box[0]
            have = lefts[cell.col]
            lefts[cell.col] = x if have is None else min(have, x)
    return lefts


@dataclass
class _Known:
    """A table whose headers were read, kept so that a later table drawn alike takes its columns."""

    lefts: list[float | None]
    columns: list[Column | None]


def _same_columns(a: list[float | None], b: list[float | None], params: BookParams) -> bool:
    if len(a) != len(b):
        return False
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    return len(pairs) >= max(1, len(a) - 1) and all(abs(x - y) <= params.column_slack for x, y in pairs)


# --- events on a page -------------------------------------------------------------


@dataclass
class Row:
    """One data row of a column group, its names merged where they wrapped."""

    table: Table
    group: Group
    index: int
    names: list[tuple[int, list[TextLine]]]  # name column → its lines
    figures: dict[int, list[Figure]]  # money column → figures
    lines: list[TextLine]  # every line of the row (for its position)
    money_text: bool = False  # any text in its money cells (a figure, or words in their place)
    columns: list[Column | None] = field(default_factory=list)  # its table's columns

    @property
    def name_text(self) -> str:
        return "".join(tidy_name(TextLine.joined(ls).text) for _, ls in self.names if ls)

    @property
    def has_figures(self) -> bool:
        return any(self.figures.values())

    def span(self) -> tuple[float, float] | None:
        return _span([line for _, ls in self.names for line in ls] or self.lines)


@dataclass
class Snapshot:
    top: float
    path: Path


@dataclass
class _State:
    source: str
    budgets: list[Budget]
    params: BookParams
    known: list[_Known] = field(default_factory=list)
    path: Path | None = None
    carried: Path | None = None  # the path a page's first 節 and 説明 belong to
    setsu: Node | None = None  # the 節 the last 節 row stood under (for its 細節)
    setsu_of: str = ""  # … and the 目 it belongs to
    explain_stack: list[tuple[float, str, str]] = field(default_factory=list)  # indent, label, name
    explain_of: str = ""
    unit: str = ""
    records: list[Record] = field(default_factory=list)
    claimed: set[int] = field(default_factory=set)


class BookReader:
    """Reads the budget-book pages of a document (other pages are left to ``records``)."""

    def __init__(
        self,
        pages: Sequence[Page],
        source: str,
        path: str = "",
        fiscal_year: int | None = None,
        params: BookParams = BOOK,
    ) -> None:
        self.pages = pages
        self._page_number: int | None = None
        self._ocr_page = False
        self._ocr_unit = ""
        self._named_before: list[tuple[Row, Path]] = []
        self._spine_before: list[Snapshot] = []
        self._where = (path, fiscal_year)
        self._classified: dict[int, list[Column | None] | None] = {}  # a table's columns, by id
        self.state = _State(source, [], params)

    # ------------------------------------------------------------------ entry
    def read(self) -> tuple[list[Record], set[int]]:
        """Records of the book's figures, and the ids of the blocks and lines they came from."""
        st = self.state
        tables = [(p.layer, t) for p in self.pages for t in p.blocks if isinstance(t, Table)]
        classified = [(layer, classify_table(t, misreads=layer == Layer.OCR)) for layer, t in tables]
        # each table's headers read once: ``_columns`` takes them from here (the tables do not change)
        self._classified = {id(t): cols for (_, t), (_, cols) in zip(tables, classified, strict=True)}
        if not any(_book_table(cols) for _, cols in classified):
            return [], set()  # no 款・項・目・節 anywhere: a PR sheet's tables are read as text
        # OCR garbles the small 千円 of a header (千由, 子由, or 円 alone): on scanned pages the unit
        # is the one most of the document's headers state
        units = Counter(
            c.unit for layer, cols in classified if layer == Layer.OCR for c in cols or [] if c and c.unit
        )
        self._ocr_unit = units.most_common(1)[0][0] if units else ""
        st.budgets = budgets(self.pages, st.source, *self._where)
        for index, page in enumerate(self.pages):
            budget = st.budgets[index]
            if st.path is None or st.path.account != budget.account:
                st.path = Path(budget.account)
            self._page(page, budget)
        mark_repeats(st.records)
        return st.records, st.claimed

    # ------------------------------------------------------------------ a page
    def _page(self, page: Page, budget: Budget) -> None:
        st = self.state
        self._page_number = page.number
        self._ocr_page = page.layer == Layer.OCR
        assert st.path is not None
        columns_of: dict[int, list[Column | None]] = {}
        for block in page.blocks:
            if isinstance(block, Table):
                cols = self._columns(block, page.layer)
                if cols is not None:
                    columns_of[id(block)] = cols
        if not columns_of:
            self._headings_only(page, budget)
            self._spine_before = []
            return
        page_unit = ""
        snapshots: list[Snapshot] = []
        later: list[tuple[Table, list[Column | None]]] = []
        named_rows: list[tuple[Row, Path]] = []
        lines = [line for block in page.blocks if isinstance(block, TextBlock) for line in block.lines]
        amounts_only = [line for line in lines if _amount_only(line)]
        st.carried = st.path.copy()
        for block in page.blocks:
            if isinstance(block, TextBlock):
                for line in block.lines:
                    page_unit = self._line(line, page, budget, amounts_only, snapshots) or page_unit
                continue
            cols = columns_of.get(id(block))
            if cols is None:
                continue
            st.claimed.add(id(block))
            _number_cells(block)
            unit = block.unit or page_unit
            groups, orphans, explain = groups_of(cols)
            for group in groups:
                if any(cols[k] is not None and cols[k].level in SPINE for k in group.names):  # type: ignore[union-attr]
                    for row in self._rows(block, group, cols):
                        path = self._spine_row(row, cols, page, budget, unit)
                        named_rows.append((row, path))
                        top = _top(row.lines)
                        if top is not None:
                            snapshots.append(Snapshot(top, path.copy()))
            later.append((block, cols))
        # the right page of a spread printed as a PDF page of its own: its 節 rows stand level
        # with the 目 rows of the page before, which had no 節 of its own
        level_with = snapshots or self._spine_before
        setsu = False
        for block, cols in later:
            unit = block.unit or page_unit
            groups, orphans, explain = groups_of(cols)
            setsu = setsu or bool(explain)
            for group in groups:
                if not any(cols[k] is not None and cols[k].level in SPINE for k in group.names):  # type: ignore[union-attr]
                    setsu = True
                    for row in self._rows(block, group, cols):
                        path = self._under(level_with, row.span())
                        self._setsu_row(row, cols, page, budget, unit, path)
                        named_rows.append((row, path))
            if orphans:
                # the two printed pages of a spread may be two PDF pages: the names stand on the one before
                self._orphans(block, orphans, cols, page, budget, unit, named_rows or self._named_before)
            for run in _runs(explain):
                self._explain(block, run, cols, page, budget, unit, level_with)
        if snapshots:
            st.path = snapshots[-1].path.copy()
        self._named_before = named_rows
        self._spine_before = snapshots if snapshots and not setsu else []

    def _columns(self, table: Table, layer: Layer = Layer.TEXT) -> list[Column | None] | None:
        st = self.state
        lefts = _col_lefts(table)
        ocr = layer == Layer.OCR
        if id(table) in self._classified:
            cols = self._classified.pop(id(table))
        else:
            cols = classify_table(table, misreads=ocr)
        if cols is not None:
            cols = _kan_by_name(table, by_arithmetic(table, cols))
            if ocr and self._ocr_unit:
                cols = [
                    replace(c, unit=self._ocr_unit) if c is not None and c.role != Role.NAME else c
                    for c in cols
                ]
            st.known.append(_Known(lefts, cols))
            return cols
        if table.header_rows or not any(is_data_text(cell.text) for cell in table.cells):
            # a table with no figures is no continuation: on a page whose 目 all stand on the page
            # before, the 目 table is its header rows alone (目 | 本年度予算額 | … / 千円)
            return None
        for known in reversed(st.known):
            if _same_columns(known.lefts, lefts, st.params):
                return known.columns
        return None

    def _headings_only(self, page: Page, budget: Budget) -> None:
        """A page of a book with no table read: its headings still set the path and give figures."""
        lines = list(page.lines())
        amounts_only = [line for line in lines if _amount_only(line)]
        snapshots: list[Snapshot] = []
        for line in lines:
            self._line(line, page, budget, amounts_only, snapshots, claim=bool(self.state.records))

    # ------------------------------------------------------------------ text lines
    def _line(
        self,
        line: TextLine,
        page: Page,
        budget: Budget,
        amounts_only: list[TextLine],
        snapshots: list[Snapshot],
        claim: bool = True,
    ) -> str:
        """A heading, section or table title sets the path; a unit note is returned."""
        st = self.state
        assert st.path is not None
        text = normalize_text(line.text).strip()
        squeezed = squeeze(text)
        note = unit_note(text)
        if note:
            if claim:
                st.claimed.add(id(line))
            return note
        m = SECTION_RE.match(squeezed)
        if m and len(squeezed) <= 24:
            section = m["section"] or m["running"]
            if section != st.path.section:
                st.path.section = section
                st.path.nodes = [n for n in st.path.nodes if n.rank < RANK[Level.KAN]]
            if claim:
                st.claimed.add(id(line))
            return ""
        # the two printed pages of a spread put their titles on one baseline: read the halves
        halves = _halves(line, st.params.spread_gap)
        m = next((t for t in (TABLE_TITLE_RE.match(tidy_name(normalize_text(h))) for h in halves) if t), None)
        if m:
            title = f"第{m['n']}表 {tidy_name(m['title'])}"
            st.path.nodes = []
            if "歳入歳出" not in squeeze(m[0]):
                st.path.section = ""
                st.path.enter(Node(Level.TABLE, "", title, 1))
            return ""
        m = HEADING_RE.match(text)
        if m is not None:
            level = Level(m["level"])
            name = tidy_name(m["name"])
        else:
            # OCR misreads the small 款 of a heading (5寺労働費): a standard 款 name still says it
            m = OCR_HEADING_RE.match(text) if page.layer == Layer.OCR else None
            if m is None:
                return ""
            level = Level.KAN
            name = standard_name(tidy_name(m["name"]), Level.KAN, True)
            if name not in _WORDS.revenue_kan | _WORDS.expenditure_kan:
                return ""
        nodes = []
        if level == Level.KAN:
            # a running head cut after the 項's code (１５款 国庫支出金 ２項 / 国庫補助金): the 款 alone
            name = _KOU_CODE_AT_END.sub("", name)
        inner = _KOU_IN_NAME.search(name) if level == Level.KAN else None
        if inner is not None:
            # ２２款 市債 １項 市債 5,353,100千円: the 款 and its 項 on one line state one figure (or
            # none: a running head); the path enters both
            kan_name = name[: inner.start()].strip()
            kan_name = standard_name(kan_name, Level.KAN, False)
            nodes.append(Node(Level.KAN, m["code"], kan_name, RANK[Level.KAN]))
            nodes.append(Node(Level.KOU, inner["code"], tidy_name(inner["name"]), RANK[Level.KOU]))
        else:
            if page.layer == Layer.OCR or level == Level.KAN:
                name = standard_name(name, level, page.layer == Layer.OCR)
            nodes.append(Node(level, m["code"], name, RANK.get(level, 1)))
        for node in nodes:
            self._section_from(node)
            st.path.enter(node)
        if claim:
            st.claimed.add(id(line))
        top = _top([line])
        if top is not None:
            snapshots.append(Snapshot(top, st.path.copy()))
        amount_line, start, end = line, -1, -1
        if m["amount"]:
            start, end = m.span("amount")
        else:
            partner = _partner(line, amounts_only, st.params)
            if partner is not None:
                amount_line = partner
                amounts_only.remove(partner)
                st.claimed.add(id(partner))
                norm = normalize_text(partner.text)
                start, end = _INK.search(norm).span()
        if start < 0:
            return ""
        norm = normalize_text(amount_line.text)
        found = find_amounts(norm[start:end] if amount_line is line else norm)
        if not found:
            return ""
        token = found[0]
        try:
            amount = parse_amount(token[0])
            yen = -int(amount.yen) if amount.negative else int(amount.yen)
        except AmountError:
            return ""
        unit = _UNIT.search(token[0])
        kind = Kind.SUPPLEMENTARY if budget.supplementary else Kind.BUDGET
        for node in nodes:
            self._emit(
                page,
                line if amount_line is line else amount_line,
                node,
                st.path.parent(node.rank),
                kind,
                "",
                budget,
                yen,
                unit[0] if unit else "",
                text,
                (0, len(amount_line.text)),
            )
        return ""

    def _section_from(self, node: Node) -> None:
        st = self.state
        assert st.path is not None
        if node.level != Level.KAN:
            return
        # a 款's name says its side (the lists are disjoint): 第1表 and 総括 go from 歳入 to 歳出
        # without a heading of their own on some books
        if node.name in _WORDS.revenue_kan:
            st.path.section = "歳入"
        elif node.name in _WORDS.expenditure_kan:
            st.path.section = "歳出"

    # ------------------------------------------------------------------ rows
    def _rows(self, table: Table, group: Group, cols: list[Column | None]) -> Iterator[Row]:
        """The data rows of a group, wrapped names rejoined."""
        st = self.state
        grid = table.grid()
        rows: list[Row] = []
        for r in range(table.header_rows, table.n_rows):
            names = [(k, grid[r][k].lines if grid[r][k] is not None else []) for k in group.names]  # type: ignore[union-attr]
            names = [(k, [ln for ln in ls if ln.text.strip()]) for k, ls in names]
            figures: dict[int, list[Figure]] = {}
            lines = [ln for _, ls in names for ln in ls]
            for k in group.money:
                cell = grid[r][k]
                found, unit = cell_figures(cell, st.source, self._page_number)
                if unit:
                    self._column_units[id(table), k] = unit
                figures[k] = found
                if cell is not None:
                    lines.extend(cell.lines)
            if not any(ls for _, ls in names) and not any(figures.values()):
                continue
            texts = any(grid[r][k] is not None and grid[r][k].text.strip() for k in group.money)  # type: ignore[union-attr]
            rows.append(Row(table, group, r, names, figures, lines, texts, cols))
        merged: list[Row] = []
        for row in rows:
            prev = merged[-1] if merged else None
            entry = split_code(row.name_text) if row.name_text else None
            together = prev is not None and (
                not table.bands or table.bands[prev.index] == table.bands[row.index]
            )
            if (
                prev is not None
                and together
                and entry is not None
                and not row.money_text
                and not entry.code
                and not total_name(row.name_text)
                and prev.name_text
            ):
                _append_names(prev, row)  # 負担金、補助 / 及び交付金
                continue
            if (
                prev is not None
                and together
                and not prev.money_text
                and prev.name_text
                and row.has_figures
                and not row.name_text
            ):
                prev.figures = row.figures  # a name whose figures stand on its last line
                prev.lines.extend(row.lines)
                continue
            if (
                prev is not None
                and together
                and entry is not None
                and not entry.code
                and not total_name(row.name_text)
                and not prev.money_text
                and prev.name_text
                and row.has_figures
            ):
                _append_names(prev, row)  # 総合福祉会館運営管理業務 / (令和9年度設定分) 930,000
                prev.figures = row.figures
                continue
            merged.append(row)
        yield from merged

    @property
    def _column_units(self) -> dict[tuple[int, int], str]:
        if not hasattr(self, "_units"):
            self._units: dict[tuple[int, int], str] = {}
        return self._units

    def _unit(self, table: Table, k: int, col: Column, unit: str) -> str:
        st = self.state
        found = col.unit or self._column_units.get((id(table), k)) or unit or st.unit
        if found:
            st.unit = found
        return found

    def _entry(self, row: Row) -> tuple[Entry, Level] | None:
        """The row's entry and level: the rightmost name column with text (第1表's 款 | 項)."""
        for k, ls in reversed(row.names):
            if not ls:
                continue
            text = TextLine.joined(ls).text
            col = row.columns[k]
            assert col is not None
            total = total_name(text, misread=self._ocr_page)
            if total:
                return Entry("", total, Level.TOTAL), Level.TOTAL
            entry = split_code(text)
            return entry, entry.level or col.level
        return None

    def _spine_row(self, row: Row, cols: list[Column | None], page: Page, budget: Budget, unit: str) -> Path:
        st = self.state
        assert st.path is not None
        found = self._entry(row)
        if found is None:
            return st.path.copy()
        entry, level = found
        if level == Level.TOTAL:
            # a 計 sums the 目 of its 項, or in a 第N表 (地方債) the table's rows; a 合計 the 款
            in_table = any(n.level == Level.TABLE for n in st.path.nodes)
            of = RANK[Level.KOU] if in_table else RANK[Level.MOKU]
            parent = st.path.parent(of if entry.name == "計" else RANK[Level.KAN])
            node = Node(Level.TOTAL, "", entry.name, 9)
            self._row_records(row, cols, page, budget, unit, node, parent)
            return st.path.copy()
        rank = RANK.get(level, 2 if any(n.level == Level.TABLE for n in st.path.nodes) else 1)
        node = Node(level, entry.code, standard_name(entry.name, level, page.layer == Layer.OCR), rank)
        self._section_from(node)
        st.path.enter(node)
        self._row_records(row, cols, page, budget, unit, node, st.path.parent(rank))
        return st.path.copy()

    def _under(self, snapshots: list[Snapshot], span: tuple[float, float] | None) -> Path:
        """The path a row or line at ``span`` belongs to: the last spine row at or above it."""
        st = self.state
        assert st.carried is not None
        if span is None or not snapshots:
            return (snapshots[-1].path if snapshots else st.carried).copy()
        slack = st.params.level_slack * (span[1] - span[0])
        best = None
        for snap in snapshots:
            if snap.top <= span[0] + slack:
                best = snap
        return (best.path if best is not None else st.carried).copy()

    def _setsu_row(
        self, row: Row, cols: list[Column | None], page: Page, budget: Budget, unit: str, path: Path
    ) -> None:
        st = self.state
        found = self._entry(row)
        if found is None:
            return
        entry, level = found
        ocr = page.layer == Layer.OCR
        owner = path.parent(RANK[Level.SETSU])
        if level == Level.TOTAL:
            self._row_records(row, cols, page, budget, unit, Node(Level.TOTAL, "", entry.name, 9), owner)
            return
        if entry.code or st.setsu is None or st.setsu_of != owner:
            node = Node(
                Level.SETSU, entry.code, standard_name(entry.name, Level.SETSU, ocr), RANK[Level.SETSU]
            )
            st.setsu, st.setsu_of = node, owner
            self._row_records(row, cols, page, budget, unit, node, owner)
            return
        node = Node(Level.SAISETSU, "", standard_name(entry.name, Level.SAISETSU, ocr), RANK[Level.SAISETSU])
        self._row_records(row, cols, page, budget, unit, node, f"{owner} > {st.setsu.label}")

    def _row_records(
        self,
        row: Row,
        cols: list[Column | None],
        page: Page,
        budget: Budget,
        unit: str,
        node: Node,
        parent: str,
    ) -> None:
        raw = " ".join(tidy_name(TextLine.joined(ls).text) for ls in [ls for _, ls in row.names] if ls)
        texts = [raw] + [
            normalize_text(f.line.text).strip() for k in row.group.money for f in row.figures.get(k, [])
        ]
        for k in row.group.money:
            col = cols[k]
            assert col is not None
            for fig in row.figures.get(k, []):
                self._figure(
                    page, budget, node, parent, col, self._unit(row.table, k, col, unit), fig, " ".join(texts)
                )

    def _figure(
        self,
        page: Page,
        budget: Budget,
        node: Node,
        parent: str,
        col: Column,
        unit: str,
        fig: Figure,
        raw: str,
        kind: Kind | None = None,
    ) -> None:
        st = self.state
        if not unit:
            log.warning("%s: page %s: figure %s not read: no unit stated", st.source, page.number, fig.value)
            return
        yen = to_yen(fig.value, unit)
        if yen is None:
            return
        kind = kind or col.kind or Kind.BUDGET
        if kind == Kind.BUDGET and budget.supplementary and col.kind == Kind.BUDGET and not col.year:
            kind = Kind.SUPPLEMENTARY  # a 補正 bill's 金額 is the amendment
        self._emit(
            page,
            fig.line,
            node,
            parent,
            kind,
            col.column,
            budget,
            yen,
            unit,
            raw,
            (fig.start, fig.end),
            year=col.year,
            period=col.period,
        )

    def _emit(
        self,
        page: Page,
        line: TextLine,
        node: Node,
        parent: str,
        kind: Kind,
        column: str,
        budget: Budget,
        yen: int,
        unit: str,
        raw: str,
        span: tuple[int, int],
        year: int | None = None,
        period: bool = False,
    ) -> None:
        st = self.state
        assert st.path is not None
        fiscal_year = year
        if fiscal_year is None and budget.fiscal_year is not None and not period:
            fiscal_year = budget.fiscal_year - 1 if kind == Kind.PREVIOUS else budget.fiscal_year
        if (
            year is not None
            and budget.fiscal_year is not None
            and kind == Kind.BUDGET
            and year == budget.fiscal_year - 1
        ):
            kind = Kind.PREVIOUS  # 令和3年度当初 in a 令和4年度 summary
        where = _box(line, *span)
        st.records.append(
            Record(
                source=st.source,
                page=page.number,
                line=line.number,
                section=st.path.section if node.level != Level.TABLE else "",
                program=node.name,
                parent=parent,
                kind=str(kind),
                fiscal_year=fiscal_year,
                era=era_label(fiscal_year, budget.era),
                account=budget.account,
                status="",
                amount_yen=yen,
                unit=unit,
                approx=False,
                raw=raw[:400],
                note="",
                level=str(node.level),
                code=node.code,
                column=column,
                source_layer=str(page.layer),
                **where,  # type: ignore[arg-type]
            )
        )

    # ------------------------------------------------------------------ figures without names
    def _orphans(
        self,
        table: Table,
        orphans: list[int],
        cols: list[Column | None],
        page: Page,
        budget: Budget,
        unit: str,
        named: list[tuple[Row, Path]],
    ) -> None:
        """A table of figures only (財源内訳 of a spread): each row takes the names of the row beside it."""
        st = self.state
        grid = table.grid()
        for r in range(table.header_rows, table.n_rows):
            figures = {k: cell_figures(grid[r][k], st.source, page.number) for k in orphans}
            for k, (_, stated) in figures.items():
                if stated:
                    self._column_units[id(table), k] = stated
            lines = [ln for k in orphans if grid[r][k] is not None for ln in grid[r][k].lines]  # type: ignore[union-attr]
            # the unit printed in the corner of a row's cell (千円 over 424,545) is not where it stands
            span = _span([ln for ln in lines if not header_unit(ln.text)] or lines)
            if span is None or not any(f for f, _ in figures.values()):
                continue
            best, overlap = None, 0.0
            for row, path in named:
                other = row.span()
                if other is None:
                    continue
                o = min(span[1], other[1]) - max(span[0], other[0])
                if o > overlap:
                    best, overlap = (row, path), o
            if best is None or overlap < st.params.pair_overlap * min(span[1] - span[0], 1e9):
                log.warning(
                    "%s: page %s: figures of row %d stand level with no named row", st.source, page.number, r
                )
                continue
            row, path = best
            found = self._entry(row)
            if found is None:
                continue
            entry, level = found
            node = Node(level, entry.code, entry.name, RANK.get(level, 1))
            parent = _parent_of(row, path, node)
            for k, (figs, _) in figures.items():
                col = cols[k]
                assert col is not None
                for fig in figs:
                    self._figure(
                        page,
                        budget,
                        node,
                        parent,
                        col,
                        self._unit(table, k, col, unit),
                        fig,
                        f"{node.name} {normalize_text(fig.line.text).strip()}",
                    )

    # ------------------------------------------------------------------ 説明
    def _name_goes_on(
        self, above: ExplainLine, item: ExplainLine, em: float, edge: float | None = None
    ) -> bool:
        """Whether ``item`` (a name alone) ends the name of the item above, which ran into its
        figure, or into the right edge ``edge`` of the names' column when its figures stand in
        a column of their own: a wrapped 説明 name whose remainder stands on the next line."""
        params = self.state.params
        if item.figures or item.code or not item.name or not above.figures or not above.name:
            return False
        if item.top - above.bottom > params.wrap_leading * em or item.indent < above.indent - em:
            return False
        boxes = list(above.line.boxes or ())
        text = above.line.text
        end = text.find(above.name[-1])
        digit = next((i for i in range(end + 1, len(text)) if text[i].isdigit()), -1)
        if end < 0 or digit < 0 or len(boxes) != len(text):
            return False
        name_box, figure_box = boxes[end], boxes[digit]
        if name_box is None or figure_box is None:
            return False
        if edge is not None and figure_box[0] > edge:
            return edge - name_box[2] <= params.name_gap * em
        return figure_box[0] - name_box[2] <= params.name_gap * em

    def _explain(
        self,
        table: Table,
        run: list[int],
        cols: list[Column | None],
        page: Page,
        budget: Budget,
        unit: str,
        snapshots: list[Snapshot],
    ) -> None:
        st = self.state
        k = run[0]
        col = cols[k]
        assert col is not None
        by_column: list[list[TextLine]] = []
        seen: set[int] = set()
        for j in run:
            here: list[TextLine] = []
            for cell in table.cells:
                inside = cell.col <= j < cell.col + cell.col_span and cell.row >= table.header_rows
                if inside and id(cell) not in seen:
                    seen.add(id(cell))
                    here.extend(cell.line().visual() if cell.lines else [])
            by_column.append(here)
        lines = _side_by_side(by_column, st.params.pair_overlap)
        # where the names' column ends, when the figures stand in a column of their own
        edges = [c.box[2] for c in table.cells if c.col + c.col_span - 1 == k and c.box is not None]
        edge = max(edges) if len(run) > 1 and edges else None
        lines.sort(key=lambda ln: (ln.extent() or (0, 0, 0, 0))[1])
        items: list[ExplainLine] = []
        em = _em(lines)  # the lines' median height, asked for every line below
        for line in lines:
            text = normalize_text(line.text).strip()
            stated = header_unit(text)
            if stated:
                self._column_units[id(table), k] = stated
                continue
            lead = _LEAD_UNIT.match(text)
            if lead:
                self._column_units[id(table), k] = lead[1]
            item = read_line(line, ocr=page.layer == Layer.OCR)
            if page.layer == Layer.OCR and item.name:
                item = replace(item, name=repair_ending(item.name))
            if lead and item.name.startswith(lead[1]):
                item = replace(item, name=item.name[len(lead[1]) :].strip(), code=_code_after(item, lead[1]))
            if items and not item.figures and not item.code and item.name[:1] in "(（" and items[-1].figures:
                items[-1] = replace(items[-1], name=items[-1].name + item.name)  # (定数外)
                continue
            if items and self._name_goes_on(items[-1], item, em, edge):
                items[-1] = replace(items[-1], name=items[-1].name + item.name)  # 負担 / 金
                continue
            items.append(item)
        unit_here = self._unit(table, k, col, unit)
        previous: tuple[str, str] | None = None  # the last item's name and parent
        for item in items:
            path = self._under(snapshots, (item.top, item.bottom))
            owner = path.parent(RANK[Level.SETSU])
            if owner != st.explain_of:
                st.explain_stack, st.explain_of, previous = [], owner, None
            stack = st.explain_stack
            if item.name or item.code:
                while stack and stack[-1][0] >= item.indent - st.params.indent_slack * em:
                    stack.pop()
            parent = " > ".join([owner] + [label for _, label, _ in stack])
            name = item.name
            if not name and previous is not None:
                name, parent = previous
            node = Node(Level.ITEM, item.code if item.name else "", name, 6)
            raw = item.text
            for fig in item.figures:
                kind = Kind.OTHER if fig.base else None
                column = (
                    replace(col, kind=Kind.OTHER, column=BASE_COLUMN)
                    if fig.base
                    else replace(col, kind=Kind.BUDGET)
                )
                start = item.origin[fig.start] if fig.start < len(item.origin) else 0
                end = item.origin[fig.end - 1] + 1 if fig.end - 1 < len(item.origin) else len(item.line.text)
                self._figure(
                    page,
                    budget,
                    node,
                    parent,
                    column,
                    unit_here,
                    Figure(Decimal(fig.value), item.line, start, end),
                    raw,
                    kind,
                )
            if item.name:
                label = f"{item.code} {item.name}" if item.code else item.name
                stack.append((item.indent, label, item.name))
                previous = (item.name, parent)


def _runs(ks: Sequence[int]) -> list[list[int]]:
    """Adjacent column indices as runs: one 説明 printed in two columns (names | figures)."""
    runs: list[list[int]] = []
    for k in ks:
        if runs and runs[-1][-1] == k - 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    return runs


def _side_by_side(by_column: Sequence[Sequence[TextLine]], overlap: float) -> list[TextLine]:
    """The lines of a 説明 printed in several columns (its names in one, their figures in the next,
    as a spreadsheet prints it), each line of a later column joined to the line of the first it
    stands level with (``overlap``: of the shorter line's height); a line level with none stands
    alone."""
    if len(by_column) == 1:
        return list(by_column[0])
    rows: list[list[TextLine]] = [[line] for line in by_column[0]]
    alone: list[TextLine] = []
    for lines in by_column[1:]:
        for line in lines:
            box = line.extent()
            best, most = None, 0.0
            for row in rows:
                other = row[0].extent()
                if box is None or other is None:
                    continue
                o = min(box[3], other[3]) - max(box[1], other[1])
                if o > most and o >= overlap * min(box[3] - box[1], other[3] - other[1]):
                    best, most = row, o
            if best is None:
                alone.append(line)
            else:
                best.append(line)
    return [TextLine.side_by_side(row, "  ") if len(row) > 1 else row[0] for row in rows] + alone


def by_arithmetic(table: Table, cols: list[Column | None]) -> list[Column | None]:
    """Columns whose headers said nothing known, named by the document's own arithmetic.

    A column whose figures are 本年度 − 前年度 on every row that has all three
    is 比較; one that is 補正前 + 補正額 is the revised total (an OCR'd 比較 read
    as 比電 is as likely 比率 by its letters, but not by its figures).
    """
    index = {c.kind: k for k, c in enumerate(cols) if c is not None and c.role == Role.MONEY}
    rules = []
    if Kind.BUDGET in index and Kind.PREVIOUS in index and Kind.DIFFERENCE not in index:
        rules.append((Kind.DIFFERENCE, index[Kind.BUDGET], index[Kind.PREVIOUS], -1))
    if Kind.BASE in index and Kind.SUPPLEMENTARY in index and Kind.REVISED not in index:
        rules.append((Kind.REVISED, index[Kind.BASE], index[Kind.SUPPLEMENTARY], 1))
    if not rules:
        return cols
    grid = table.grid()

    def value(r: int, k: int) -> Decimal | None:
        figures, _ = cell_figures(grid[r][k], "", None)
        return figures[0].value if len(figures) == 1 else None

    out = list(cols)
    for k, col in enumerate(cols):
        if col is not None or not any(c is not None and c.role == Role.NAME for c in cols[:k]):
            continue
        for kind, a, b, sign in rules:
            checked = 0
            for r in range(table.header_rows, table.n_rows):
                x, y, z = value(r, a), value(r, b), value(r, k)
                if x is None or y is None or z is None:
                    continue
                if z != x + sign * y:
                    checked = -1
                    break
                checked += 1
            if checked >= 1:
                out[k] = Column(
                    Role.MONEY, kind, unit=next((c.unit for c in cols if c is not None and c.unit), "")
                )
                break
    return out


def _code_after(item: ExplainLine, unit: str) -> str:
    if item.code:
        return item.code
    m = _LEAD_CODE.match(item.name)
    return m[1] if m else ""


def _parent_of(row: Row, path: Path, node: Node) -> str:
    if node.level == Level.TOTAL:
        return path.parent(RANK[Level.KAN] if node.name != "計" else RANK[Level.MOKU])
    return path.parent(node.rank)


def _append_names(prev: Row, row: Row) -> None:
    by_col = dict(prev.names)
    for k, ls in row.names:
        if ls:
            by_col.setdefault(k, []).extend(ls)
    prev.names = [(k, by_col.get(k, [])) for k, _ in prev.names]
    prev.lines.extend(row.lines)


def _amount_only(line: TextLine) -> bool:
    text = normalize_text(line.text).strip()
    found = find_amounts(text)
    return len(found) == 1 and found[0].span() == (0, len(text))


def _partner(line: TextLine, candidates: list[TextLine], params: BookParams) -> TextLine | None:
    """The amount printed on ``line``'s baseline at its right (a heading's figure)."""
    box = line.extent()
    if box is None:
        return None
    best = None
    for other in candidates:
        ob = other.extent()
        if ob is None or ob[0] < box[2]:
            continue
        overlap = min(box[3], ob[3]) - max(box[1], ob[1])
        level = overlap >= params.pair_overlap * min(box[3] - box[1], ob[3] - ob[1])
        if level and (best is None or ob[0] < best.extent()[0]):  # type: ignore[index]
            best = other
    return best


def era_label(fiscal_year: int | None, era: str) -> str:
    """``令和8年度`` for 2026 in a book written in 令和 (the era its own title uses)."""
    from ..lexicon import lexicon

    if fiscal_year is None or not era:
        return ""
    try:
        start = lexicon().era(era).start
    except KeyError:
        return ""
    n = fiscal_year - start + 1
    if n < 1:
        return ""
    return f"{era}{lexicon().first_year if n == 1 else n}年度"


REPEAT_LEVELS = {str(Level.KAN), str(Level.KOU), str(Level.MOKU), str(Level.TOTAL), str(Level.ACCOUNT)}


def mark_repeats(records: list[Record]) -> None:
    """Flag each figure that restates an earlier one (same entry, kind, column, year and amount)."""
    first: dict[tuple[object, ...], int | None] = {}
    for k, r in enumerate(records):
        if r.level not in REPEAT_LEVELS:
            continue
        key = (
            r.account,
            r.section,
            r.level,
            r.code,
            r.program,
            r.parent,
            r.kind,
            r.column,
            r.fiscal_year,
            r.amount_yen,
        )
        if key in first:
            records[k] = replace(r, repeat=first[key] if first[key] is not None else 0)
        else:
            first[key] = r.page


def read_book(
    pages: Sequence[Page], source: str, path: str = "", fiscal_year: int | None = None
) -> tuple[list[Record], set[int]]:
    """The records of a document's budget-book pages and summary sentences, and the ids of the
    blocks and lines they consumed."""
    records, claimed = BookReader(pages, source, path, fiscal_year).read()
    found = [
        (index, line, statements)
        for index, page in enumerate(pages)
        for line in page.lines()
        if id(line) not in claimed and (statements := read_sentences(normalize_text(line.text)))
    ]
    if not found:
        return records, claimed
    books = budgets(pages, source, path, fiscal_year)
    for index, line, statements in found:
        page, budget = pages[index], books[index]
        claimed.add(id(line))
        for s in statements:
            year = s.fiscal_year if s.fiscal_year is not None else budget.fiscal_year
            article = not s.program  # a 第1条: the account's own totals
            program = s.program or budget.account
            account = article or program == budget.account
            group = program in _WORDS.revenue_groups  # 自主財源 is a share of 歳入
            start, end = _origin_span(line.text, s.start, s.end)
            records.append(
                Record(
                    source=source,
                    page=page.number,
                    line=line.number,
                    section="歳入" if group else "",
                    program=program,
                    parent="" if account else budget.account,
                    kind=str(s.kind),
                    fiscal_year=year,
                    era=era_label(year, budget.era),
                    account=budget.account,
                    status="",
                    amount_yen=s.yen,
                    unit=s.unit,
                    approx=False,
                    raw=normalize_text(line.text).strip()[:400],
                    note="",
                    level=str(Level.ACCOUNT) if account else "",  # 自主財源 is a share, not a total
                    source_layer=str(page.layer),
                    **_box(line, start, end),  # type: ignore[arg-type]
                )
            )
    order = {page.number: k for k, page in enumerate(pages)}
    records.sort(key=lambda r: (order.get(r.page, 0), r.line or 0))
    return records, claimed


def _origin_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A span of the normalised text as a span of ``text`` (for the figure's position)."""
    origin = normalize_map(text).origin
    if not origin or start >= len(origin):
        return 0, len(text)
    return origin[start], origin[min(end, len(origin)) - 1] + 1
