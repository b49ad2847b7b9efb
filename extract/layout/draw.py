"""What the layout engine saw, drawn over the page, or dumped as JSON (as pdfplumber's visual debugging).

Text blocks are outlined in blue with their place in the reading order, each
line underlined and numbered; tables in red with every cell; furniture in grey.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from ..errors import InputError
from ..model import Box, Page, Table, TextBlock, TextLine

BLUE, RED, GREY, GREEN = (30, 90, 220), (210, 40, 40), (150, 150, 150), (20, 150, 60)
FONT_PATHS = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    for path in FONT_PATHS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default()


def draw_page(page: Page, image: Image.Image) -> Image.Image:
    """The model drawn over ``image`` (the page rendered at any scale)."""
    canvas = image.convert("RGB")
    pen = ImageDraw.Draw(canvas)
    scale = canvas.width / page.width if page.width else 1.0
    font = _font(max(10, int(9 * scale)))

    def rect(box: Box | None, colour: tuple[int, int, int], width: int = 2) -> None:
        if box is not None:
            pen.rectangle(
                [box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale], outline=colour, width=width
            )

    for k, block in enumerate(page.blocks, start=1):
        if isinstance(block, Table):
            rect(block.box, RED, 3)
            for cell in block.cells:
                rect(cell.box, RED, 1)
                if cell.row < block.header_rows and cell.box:
                    pen.text((cell.box[0] * scale + 2, cell.box[1] * scale + 1), "H", fill=RED, font=font)
            if block.box:
                pen.text(
                    (block.box[0] * scale, block.box[1] * scale - font.size - 2),  # type: ignore[union-attr]
                    f"{k} table {block.n_rows}x{block.n_cols}",
                    fill=RED,
                    font=font,
                )
        else:
            rect(block.box, BLUE, 2)
            if block.box:
                pen.text(
                    (block.box[0] * scale, block.box[1] * scale - font.size - 2),  # type: ignore[union-attr]
                    f"{k}",
                    fill=BLUE,
                    font=font,
                )
            for line in block.lines:
                _underline(pen, line, scale, font)
    for item in page.furniture:
        rect(item.line.extent(), GREY, 2)
    return canvas


def _underline(pen: ImageDraw.ImageDraw, line: TextLine, scale: float, font: Any) -> None:
    extent = line.extent()
    if extent is None:
        return
    x0, _, x1, bottom = (v * scale for v in extent)
    pen.line([x0, bottom, x1, bottom], fill=GREEN, width=1)
    pen.text((max(0, x0 - font.size * 1.6), bottom - font.size), str(line.number), fill=GREEN, font=font)


def page_json(page: Page) -> dict[str, Any]:
    """The page model as plain data (boxes rounded to 0.1 pt)."""

    def box(b: Box | None) -> list[float] | None:
        return None if b is None else [round(v, 1) for v in b]

    def line(ln: TextLine) -> dict[str, Any]:
        return {"number": ln.number, "text": ln.text, "box": box(ln.extent()), "rows": ln.rows}

    blocks: list[dict[str, Any]] = []
    for block in page.blocks:
        if isinstance(block, TextBlock):
            blocks.append(
                {
                    "type": "text",
                    "region": block.region,
                    "box": box(block.box),
                    "lines": [line(ln) for ln in block.lines],
                }
            )
        else:
            blocks.append(
                {
                    "type": "table",
                    "ruled": block.ruled,
                    "box": box(block.box),
                    "rows": block.n_rows,
                    "columns": block.n_cols,
                    "header_rows": block.header_rows,
                    "headers": [list(p) for p in block.header_paths()],
                    "unit": block.unit,
                    "row_numbers": block.row_numbers,
                    "cells": [
                        {
                            "row": c.row,
                            "col": c.col,
                            "row_span": c.row_span,
                            "col_span": c.col_span,
                            "text": c.text,
                            "box": box(c.box),
                        }
                        for c in block.cells
                    ],
                }
            )
    return {
        "page": page.number,
        "width": round(page.width, 1),
        "height": round(page.height, 1),
        "rotation": page.rotation,
        "layer": str(page.layer),
        "blocks": blocks,
        "furniture": [
            {"kind": str(f.kind), "text": f.line.text, "box": box(f.line.extent())} for f in page.furniture
        ],
    }


SCALE = 2.0  # pixels per point of the drawing (144 dpi)


def page_picture(path: Path, page: Page) -> Image.Image:
    """The page as the reader sees it: a PDF page rendered, an image file's frame, or white paper."""
    if page.number is not None and path.suffix.lower() != ".pdf" and path.read_bytes()[:5] != b"%PDF-":
        with Image.open(path) as image:
            image.seek(page.number - 1)
            frame = image.convert("RGB")
        return frame.resize((max(1, int(page.width * SCALE)), max(1, int(page.height * SCALE))))
    if page.number is not None:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        try:
            return pdf[page.number - 1].render(scale=SCALE).to_pil().convert("RGB")
        finally:
            pdf.close()
    return Image.new("RGB", (max(1, int(page.width * SCALE)), max(1, int(page.height * SCALE))), "white")


def choose(pages: list[Page], number: int | None, path: Path) -> list[Page]:
    """The pages asked for (all when ``number`` is None), or an error naming what exists."""
    if number is None:
        return pages
    chosen = [p for p in pages if p.number == number]
    if not chosen:
        raise InputError(path, f"no page {number} (the document has {len(pages)})")
    return chosen
