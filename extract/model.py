"""The data model every step shares: glyphs, the page model (blocks, tables) and records.

The pipeline is source → glyphs with positions → page model → normalised
text → amount tokens → records → checks → output.  Each step imports its
inputs and outputs from here and from nowhere else, so there are no import
cycles and a text layer, an OCR reading and a plain text file all end in the
same ``Page`` objects.

Coordinates are PDF points on the visible page: ``x0`` from the left,
``top`` measured down from the top edge (page rotation applied), as
pdfplumber reports them, so a box means the same whichever reader produced it.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import overload

Box = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points
_NO_BOX = (math.nan,) * 4


class Layer(StrEnum):
    """Where the characters of a page came from."""

    TEXT = "text"  # a PDF text layer, or a plain text file
    OCR = "ocr"  # recognised from the page image


class Kind(StrEnum):
    """What an amount is.  Defined once; every step uses these values."""

    BUDGET = "budget"  # 本年度, 当初, 予算額(案)
    PREVIOUS = "previous"  # 前年度
    DIFFERENCE = "difference"  # 比較, 増減, 差引
    BASE = "base"  # 補正前の額
    SUPPLEMENTARY = "supplementary"  # 補正額
    REVISED = "revised"  # 計 beside 補正前/補正額, 補正後の額
    REQUEST = "request"  # 概算要求額
    OTHER = "other"  # money that is not a budget line; `column` says which


class Level(StrEnum):
    """A record's place in a budget book's hierarchy (empty for PR documents)."""

    NONE = ""
    ACCOUNT = "会計"
    KAN = "款"
    KOU = "項"
    MOKU = "目"
    SETSU = "節"
    SAISETSU = "細節"
    ITEM = "説明"
    TABLE = "表"  # a row of a 第N表 (債務負担行為, 地方債) that is not a 款 or 項
    TOTAL = "合計"


class BlockRole(StrEnum):
    BODY = "body"
    NOTE = "note"  # a side note beside the body


class FurnitureKind(StrEnum):
    RUNNING_HEAD = "running_head"
    PAGE_NUMBER = "page_number"


# --- glyphs ------------------------------------------------------------------------


@dataclass(slots=True)
class Glyph:
    """One character with its box, as a text layer or OCR gave it."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    conf: float | None = None  # 0-1 for OCR, None for a text layer
    run: int = -1  # the producer's word: OCR glyphs of one word share it and are never split
    order: int = 0  # the glyph's place in its word (OCR boxes are shares of the word's box, not exact)
    font: int = -1  # which of the page's fonts, where known (at the ends of the text layer's lines)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True, slots=True)
class Ruling:
    """A straight ruling line: a horizontal (``top == bottom``) or vertical (``x0 == x1``) segment."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return self.x1 - self.x0 >= self.bottom - self.top


class PackedBoxes(Sequence[Box | None]):
    """One box per character, packed as float32 (16 bytes a character instead of ~170).

    A 612-page book keeps every line until its records are built; tuples of
    Python floats made memory grow with the page count.
    """

    __slots__ = ("_data", "_extent")

    def __init__(self, boxes: Iterable[Box | None]) -> None:
        data = array("f")
        for box in boxes:
            data.extend(box or _NO_BOX)
        self._data = data
        self._extent: Box | bool | None = False  # not computed yet (the boxes never change)
        if data:
            # computed here, where a page worker packs its lines, rather than later in the one
            # process that marks furniture and builds records; it travels with the boxes
            self.extent()

    def extent(self) -> Box | None:
        """The box around every character's box (computed once: the book reader asks often)."""
        if self._extent is False:
            data = self._data
            x0s = [v for v in data[0::4] if v == v]  # NaN marks a character without a box
            if not x0s:
                self._extent = None
            else:
                tops = [v for v in data[1::4] if v == v]
                x1s = [v for v in data[2::4] if v == v]
                bottoms = [v for v in data[3::4] if v == v]
                self._extent = (min(x0s), min(tops), max(x1s), max(bottoms))
        return self._extent  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self._data) // 4

    def __iter__(self) -> Iterator[Box | None]:
        # one pass over the four columns (the generic Sequence iteration indexes one box at a time)
        data = self._data
        rows = zip(data[0::4], data[1::4], data[2::4], data[3::4], strict=True)
        return iter([None if box[0] != box[0] else box for box in rows])

    def __reduce__(self) -> tuple[object, ...]:
        return (_unpack_boxes, (self._data.tobytes(), self._extent))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    @overload
    def __getitem__(self, index: int) -> Box | None: ...
    @overload
    def __getitem__(self, index: slice) -> list[Box | None]: ...
    def __getitem__(self, index: int | slice) -> Box | list[Box | None] | None:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        x0, top, x1, bottom = self._data[4 * index : 4 * index + 4]
        return None if math.isnan(x0) else (x0, top, x1, bottom)


def _unpack_boxes(data: bytes, extent: Box | bool | None = False) -> PackedBoxes:
    boxes = PackedBoxes(())
    boxes._data.frombytes(data)
    boxes._extent = extent
    return boxes


# --- the page model ------------------------------------------------------------------


@dataclass
class TextLine:
    """One logical line: a visual row, or several rows rejoined where the text wrapped.

    ``boxes`` and ``confidences`` have one entry per character of ``text``
    (None for a space the layout inserted); plain text input has neither.
    """

    text: str
    boxes: Sequence[Box | None] | None = None
    confidences: Sequence[float | None] | None = None
    number: int = 0  # 1-based: the source line for text input, the page's reading order for PDFs
    rows: int = 1  # visual rows joined into this line
    breaks: tuple[int, ...] = ()  # where in ``text`` each joined visual row starts (after the first)

    @classmethod
    def joined(cls, lines: Sequence[TextLine]) -> TextLine:
        """Visual lines that wrapped, as one logical line: the text runs on (Japanese needs no
        space), except that two Latin words keep one."""
        if len(lines) == 1:
            return lines[0]
        text = ""
        boxes: list[Box | None] = []
        confs: list[float | None] = []
        breaks: list[int] = []
        for line in lines:
            if text and _word_break(text[-1], line.text[:1]):
                text += " "
                boxes.append(None)
                confs.append(None)
            if text:
                breaks.append(len(text))
            breaks.extend(len(text) + b for b in line.breaks)
            text += line.text
            boxes.extend(line.boxes or [None] * len(line.text))
            confs.extend(line.confidences or [None] * len(line.text))
        has_conf = any(line.confidences for line in lines)
        number = lines[0].number if lines else 0
        rows = sum(line.rows for line in lines)
        return cls(text, boxes, confs if has_conf else None, number, rows, tuple(breaks))

    def split(self, at: int) -> tuple[TextLine, TextLine]:
        """The line cut in two where one of its joined rows starts (``at`` in ``breaks``)."""
        k = self.breaks.index(at)
        boxes = list(self.boxes) if self.boxes is not None else None
        confs = list(self.confidences) if self.confidences is not None else None
        head = TextLine(
            self.text[:at].rstrip(),
            boxes[:at] if boxes is not None else None,
            confs[:at] if confs is not None else None,
            self.number,
            k + 1,
            self.breaks[:k],
        )
        head.boxes = head.boxes[: len(head.text)] if head.boxes is not None else None
        head.confidences = head.confidences[: len(head.text)] if head.confidences is not None else None
        tail = TextLine(
            self.text[at:],
            boxes[at:] if boxes is not None else None,
            confs[at:] if confs is not None else None,
            self.number,
            self.rows - k - 1,
            tuple(b - at for b in self.breaks[k + 1 :]),
        )
        return head, tail

    def visual(self) -> list[TextLine]:
        """The visual rows this line was joined from (a cell's list items, taken apart again)."""
        out: list[TextLine] = []
        rest = self
        for at in reversed(self.breaks):
            rest, tail = rest.split(at)
            out.append(tail)
        out.append(rest)
        return [line for line in reversed(out) if line.text.strip()]

    @classmethod
    def side_by_side(cls, lines: Sequence[TextLine], separator: str, number: int = 0) -> TextLine:
        """Lines that stand side by side (a table row's cells) as one line, ``separator`` between."""
        text = separator.join(line.text for line in lines)
        boxes: list[Box | None] = []
        confs: list[float | None] = []
        for k, line in enumerate(lines):
            if k:
                boxes.extend([None] * len(separator))
                confs.extend([None] * len(separator))
            boxes.extend(line.boxes or [None] * len(line.text))
            confs.extend(line.confidences or [None] * len(line.text))
        has_conf = any(line.confidences for line in lines)
        return cls(text, boxes, confs if has_conf else None, number)

    def extent(self) -> Box | None:
        boxes = self.boxes
        if isinstance(boxes, PackedBoxes):
            return boxes.extent()
        real = [b for b in boxes or () if b is not None]
        if not real:
            return None
        x0s, tops, x1s, bottoms = zip(*real, strict=True)
        return (min(x0s), min(tops), max(x1s), max(bottoms))


@dataclass
class TextBlock:
    """Lines read one after another inside one column (or frame) of a page."""

    lines: list[TextLine]
    box: Box | None = None
    region: str = ""  # which column or frame: lines of different regions never rejoin
    role: BlockRole = BlockRole.BODY


@dataclass
class Cell:
    """A table cell: its place in the grid, its span and its lines (a wrapped cell is one cell)."""

    row: int
    col: int
    lines: list[TextLine]
    box: Box | None = None
    row_span: int = 1
    col_span: int = 1

    @property
    def text(self) -> str:
        return joined_text(self.lines)  # as ``line().text``, without joining the boxes

    def line(self) -> TextLine:
        """The cell's lines as one (a wrapped label is one string)."""
        return TextLine.joined(self.lines) if self.lines else TextLine("")


def joined_text(lines: Sequence[TextLine]) -> str:
    """The text of ``TextLine.joined(lines)`` (of an empty list: ''), built without the boxes."""
    if len(lines) == 1:
        return lines[0].text
    text = ""
    for line in lines:
        if text and _word_break(text[-1], line.text[:1]):
            text += " "
        text += line.text
    return text


def _word_break(last: str, first: str) -> bool:
    """A Latin word wrapped at a space (a number wrapped inside itself runs on)."""
    return last.isascii() and last.isalpha() and first.isascii() and first.isalnum()


@dataclass
class Table:
    """A table: cells in a grid, header rows identified, its unit note and caption attached."""

    cells: list[Cell]
    n_rows: int
    n_cols: int
    header_rows: int = 0  # the first rows that hold column headings
    box: Box | None = None
    ruled: bool = False
    caption: str = ""  # a title line right above the table, if any
    unit: str = ""  # the unit declared for bare numbers, e.g. 千円 from `(単位：千円)`
    row_numbers: list[int] = field(default_factory=list)  # a line number per row (reading order)
    bands: list[int] = field(default_factory=list)  # per row, the ruled row it stands in (ruled tables)

    def grid(self) -> list[list[Cell | None]]:
        """Rows of cells by column; a spanned position holds the spanning cell's origin only."""
        rows: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            if 0 <= cell.row < self.n_rows and 0 <= cell.col < self.n_cols:
                rows[cell.row][cell.col] = cell
        return rows

    def covering(self, row: int, col: int) -> Cell | None:
        """The cell that covers a grid position, spans included."""
        for cell in self.cells:
            if cell.row <= row < cell.row + cell.row_span and cell.col <= col < cell.col + cell.col_span:
                return cell
        return None

    def header_paths(self) -> list[tuple[str, ...]]:
        """Per column, the header texts from the top down (a spanning header counts for each column)."""
        paths: list[tuple[str, ...]] = []
        for col in range(self.n_cols):
            path: list[str] = []
            for row in range(self.header_rows):
                cell = self.covering(row, col)
                text = cell.text if cell is not None else ""
                if text and (not path or path[-1] != text):
                    path.append(text)
            paths.append(tuple(path))
        return paths


Block = TextBlock | Table


@dataclass
class Furniture:
    """Page furniture: printed on the page, never part of the document's content."""

    kind: FurnitureKind
    line: TextLine


@dataclass
class Page:
    """One page in reading order."""

    number: int | None  # 1-based page of a PDF or image; None for plain text
    width: float = 0.0
    height: float = 0.0
    rotation: int = 0
    layer: Layer = Layer.TEXT
    blocks: list[Block] = field(default_factory=list)
    furniture: list[Furniture] = field(default_factory=list)

    def lines(self) -> Iterator[TextLine]:
        """Every text line of the blocks, in reading order (table cells not included)."""
        for block in self.blocks:
            if isinstance(block, TextBlock):
                yield from block.lines


# --- records -----------------------------------------------------------------------

COLUMNS = (
    "source", "page", "line", "section", "level", "code", "program", "parent", "kind", "column",
    "fiscal_year", "era", "account", "status", "amount_yen", "unit", "approx", "repeat", "check",
    "raw", "note",
)  # fmt: skip
POSITION_COLUMNS = ("x0", "top", "x1", "bottom")
LAYER_COLUMNS = ("source_layer", "confidence")
ALL_COLUMNS = COLUMNS + POSITION_COLUMNS + LAYER_COLUMNS
KINDS = tuple(kind.value for kind in Kind)


@dataclass
class Record:
    """One stated amount.  Field order is the output column order."""

    source: str
    page: int | None
    line: int
    section: str  # a PR document's chapter; a budget book's 歳入 or 歳出
    program: str
    parent: str  # the owning programme; in a budget book the path from the account down
    kind: str  # Kind
    fiscal_year: int | None
    era: str
    account: str
    status: str
    amount_yen: int
    unit: str
    approx: bool
    raw: str
    note: str
    level: str = ""  # Level: 款, 項, 目, 節, 細節, 説明, 合計, 会計; empty outside budget books
    code: str = ""  # the code as printed (5, 1, 001), without 款/項
    column: str = ""  # for kind other: the column it came from (国県支出金, 限度額 …)
    repeat: int | None = None  # the page that first stated this figure, when this one restates it
    check: str = ""  # passed, failed or empty: what the document's own arithmetic says (yosan validate)
    x0: float | None = None
    top: float | None = None
    x1: float | None = None
    bottom: float | None = None
    source_layer: str = "text"  # where the characters came from: "text" or "ocr"
    confidence: float = 1.0  # OCR's word confidence for the amount (1.0 for a text layer)

    def as_row(self, columns: Sequence[str] = COLUMNS) -> dict[str, object]:
        return {c: getattr(self, c) for c in columns}


assert sorted(f.name for f in fields(Record)) == sorted(ALL_COLUMNS)  # the columns say the order
