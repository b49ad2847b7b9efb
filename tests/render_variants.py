"""A second, deliberately different PDF renderer for the shared document.

``fixtures/make_pdfs.py`` never breaks a line inside an amount and uses one
font and page size.  This renderer breaks lines at any character (so
``5,975百万円`` can end a line as ``5,975百`` and start the next with
``万円``), sets the text in IPAex Mincho at other sizes on A5/B5/Letter pages,
and can flow the body in two columns.  The PDF tests render the document in
several such variants and check the records against the text golden.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A5, B5, LETTER
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONTS = {
    "mincho": "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
    "gothic": "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
}
PAGES = {"a5": A5, "b5": B5, "letter": LETTER}


@dataclass(frozen=True)
class Variant:
    name: str
    page: str = "a5"
    font: str = "mincho"
    size: float = 8.0
    columns: int = 1
    margin: float = 36.0


def _register(font: str) -> str:
    name = f"Variant-{font}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, FONTS[font]))
    return name


def _wrap(text: str, width: float, font: str, size: float) -> list[str]:
    """Break at any character when the next one would cross the edge."""
    lines, current = [], ""
    for ch in text:
        if current and pdfmetrics.stringWidth(current + ch, font, size) > width:
            lines.append(current)
            current = ch
        else:
            current += ch
    if current.strip():
        lines.append(current)
    return lines


def render(source: Path, out: Path, variant: Variant) -> Path:
    """Write the document as ``out``; returns it."""
    font = _register(variant.font)
    page_w, page_h = PAGES[variant.page]
    gutter = 14.0
    col_w = (page_w - 2 * variant.margin - gutter * (variant.columns - 1)) / variant.columns
    leading = variant.size * 1.45
    pen = canvas.Canvas(str(out), pagesize=(page_w, page_h), invariant=1)
    pen.setFont(font, variant.size)
    top = page_h - variant.margin - variant.size
    bottom = variant.margin + 10
    state = {"col": 0, "y": top, "page": 1}

    def new_column() -> None:
        state["col"] += 1
        state["y"] = top
        if state["col"] >= variant.columns:
            pen.setFont(font, 6)
            pen.drawCentredString(page_w / 2, variant.margin / 2, f"- {state['page']} -")
            pen.showPage()
            pen.setFont(font, variant.size)
            state["col"] = 0
            state["page"] += 1

    def put(rows: list[list[tuple[float, str]]]) -> None:
        if state["y"] - leading * len(rows) < bottom and len(rows) * leading < top - bottom:
            new_column()
        for row in rows:
            if state["y"] < bottom:
                new_column()
            x0 = variant.margin + state["col"] * (col_w + gutter)
            for dx, text in row:
                pen.drawString(x0 + dx, state["y"], text)
            state["y"] -= leading

    for line in source.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            state["y"] -= leading * 0.6
            continue
        if "\t" in line:
            cells = line.split("\t")
            pitch = col_w / len(cells)
            wrapped = [_wrap(c, pitch - 6, font, variant.size) for c in cells]
            depth = max(len(w) for w in wrapped)
            put([[(i * pitch, w[k]) for i, w in enumerate(wrapped) if k < len(w)] for k in range(depth)])
        else:
            put([[(0.0, part)] for part in _wrap(line, col_w, font, variant.size)])
    pen.setFont(font, 6)
    pen.drawCentredString(page_w / 2, variant.margin / 2, f"- {state['page']} -")
    pen.showPage()
    pen.save()
    return out
