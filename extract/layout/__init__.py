"""Step 3: positioned glyphs → the page model, one implementation for text layers and OCR.

``analyse_page`` takes a page's glyphs (PDFium characters, or characters
split from tesseract's words) and its ruling lines (drawn paths, or strokes
found in the image) and returns a ``Page``: ruled tables and boxes
(``rules``), reading order over whitespace gutters (``regions``), unruled
tables (``tables``), wrapped lines rejoined (``wrap``), all driven by one
``LayoutParams`` (``params``).  ``mark_furniture`` then takes running heads and
page numbers out of a document's pages.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Glyph, Layer, PackedBoxes, Page, Ruling, Table, TextBlock
from .breaks import join_across_breaks, join_split_rows, restore_breaks
from .furniture import mark_furniture, number_lines
from .params import OCR, TEXT_LAYER, LayoutParams
from .regions import Frame, TableAt, Visual, order_region
from .rows import Spaces, dedupe, drop_reread_ink, em_of, line_of
from .rules import Grid, find_grids
from .tables import ruled_table
from .wrap import join_wrapped

__all__ = [
    "OCR",
    "TEXT_LAYER",
    "LayoutParams",
    "analyse_page",
    "finish_document",
    "mark_furniture",
    "number_lines",
    "restore_breaks",
]


def _contains(
    outer: tuple[float, float, float, float], inner: tuple[float, float, float, float], slack: float
) -> bool:
    return (
        outer[0] - slack <= inner[0]
        and outer[1] - slack <= inner[1]
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


def _frames(
    grids: Sequence[Grid], glyphs: list[Glyph], em: float, params: LayoutParams, spaces: Spaces
) -> tuple[list[Frame], list[Glyph]]:
    """Ruled grids as frames (tables, or boxes whose text is read as a region of its own), nested
    where a grid sits inside a box; and the glyphs outside every grid."""
    if not grids:
        return [], glyphs
    # innermost first: a glyph belongs to the smallest grid around it
    order = sorted(
        range(len(grids)),
        key=lambda k: (grids[k].box[2] - grids[k].box[0]) * (grids[k].box[3] - grids[k].box[1]),
    )
    owned: list[list[Glyph]] = [[] for _ in grids]
    flow: list[Glyph] = []
    boxes = [(k, *grids[k].box) for k in order]
    for g in glyphs:
        cx, cy = (g.x0 + g.x1) / 2, (g.top + g.bottom) / 2
        for k, x0, top, x1, bottom in boxes:
            if x0 <= cx <= x1 and top <= cy <= bottom:
                owned[k].append(g)
                break
        else:
            flow.append(g)
    parent: list[int | None] = [None] * len(grids)
    for k in order:  # the smallest box grid around each grid holds it
        for j in order:
            if (
                j != k
                and grids[j].n_cols == 1
                and _area(grids[j]) > _area(grids[k])
                and _contains(grids[j].box, grids[k].box, params.snap)
            ):
                parent[k] = j
                break
    frames: dict[int, Frame] = {}
    for k in order:
        grid = grids[k]
        if grid.n_cols >= 2:
            frames[k] = Frame(grid.box, table=ruled_table(grid, owned[k], em, params, spaces), name=f"T{k}")
        else:
            frames[k] = Frame(grid.box, glyphs=owned[k], name=f"B{k}")
    top_level = []
    for k in order:
        if parent[k] is None:
            top_level.append(frames[k])
        else:
            holder = frames[parent[k]]  # type: ignore[index]
            holder.children.append(frames[k])
    return top_level, flow


def _area(grid: Grid) -> float:
    return (grid.box[2] - grid.box[0]) * (grid.box[3] - grid.box[1])


def analyse_page(
    glyphs: Sequence[Glyph],
    rulings: Sequence[Ruling] = (),
    *,
    number: int | None = None,
    width: float = 0.0,
    height: float = 0.0,
    rotation: int = 0,
    layer: Layer = Layer.TEXT,
    params: LayoutParams | None = None,
    slope: float = 0.0,
) -> Page:
    """One page's glyphs and rules as blocks in reading order.  ``slope``: how far right a
    column's edge runs per point down the page (a scan's skew that was not turned back), for
    the test of wrapped lines, which compares line ends down a whole column."""
    params = params or (OCR if layer == Layer.OCR else TEXT_LAYER)
    page = Page(number, width, height, rotation, layer)
    ink = [g for g in glyphs if g.text.strip()]
    if not ink:
        return page
    em = em_of(ink)
    ink = drop_reread_ink(dedupe(ink, em, params), em, params)
    spaces = Spaces([g for g in glyphs if not g.text.strip()], em)
    frames, flow = _frames(find_grids(rulings, params), ink, em, params, spaces)
    items = order_region(flow, frames, em, params, spaces=spaces)
    page.blocks = _blocks(items, params, spaces, slope)
    pack(page)
    return page


def finish_document(pages: Sequence[Page], params: LayoutParams) -> None:
    """What needs the whole document: furniture marked, a bracket cut by a column or page break
    rejoined, line breaks the document itself shows put back, lines numbered."""
    mark_furniture(pages, params)
    join_across_breaks(pages)
    join_split_rows(pages, params.snap)
    restore_breaks(pages)
    for page in pages:
        number_lines(page)


def pack(page: Page) -> None:
    """Every line's character boxes packed as float32 (a long document keeps them all until its
    records are built, and worker processes send them back)."""
    for block in page.blocks:
        lines = block.lines if isinstance(block, TextBlock) else [ln for c in block.cells for ln in c.lines]
        for line in lines:
            if line.boxes is not None and not isinstance(line.boxes, PackedBoxes):
                line.boxes = PackedBoxes(line.boxes)


def _blocks(
    items: Sequence[Visual | TableAt], params: LayoutParams, spaces: Spaces, slope: float = 0.0
) -> list[TextBlock | Table]:
    """Visual lines grouped by region into blocks, wrapped lines rejoined; tables as they come.

    (Text that runs on from the foot of one column to the head of the next is not rejoined:
    tried, it joined the columns of tables drawn without rules as often as it mended a
    sentence, and a sentence cut there holds no figure of its own.)"""
    blocks: list[TextBlock | Table] = []
    run: list[Visual] = []

    def flush() -> None:
        if run:
            lines = [line_of(v.glyphs, em_of(v.glyphs), params, spaces=spaces) for v in run]
            fonts = [(v.glyphs[0].font, v.glyphs[-1].font) for v in run]
            joined = join_wrapped(lines, [v.region for v in run], run[0].em, params, fonts, slope=slope)
            blocks.append(TextBlock(joined, run[0].region_box, run[0].region))
            run.clear()

    for item in items:
        if isinstance(item, TableAt):
            flush()
            blocks.append(item.table)
        elif run and item.region != run[-1].region:
            flush()
            run.append(item)
        else:
            run.append(item)
    flush()
    return blocks
