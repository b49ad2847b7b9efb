"""Glyphs into rows: the one-row shortcut agrees with the sweep on real pages.

``group_rows`` makes a set of glyphs one row without sweeping when every
glyph covers a common band of at least ``line_overlap`` of the tallest.  The
shortcut must give what the sweep gives: the same glyphs in the same order,
the same band.  The glyph sets are the real ones of the fixture PDFs (each row
of each page, as the reading-order step passes them back), and sets the
shortcut must refuse.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import regex

from yosan.layout.breaks import _name
from yosan.layout.params import OCR, TEXT_LAYER
from yosan.layout.rows import _one_row, group_rows, sweep_rows
from yosan.model import Glyph
from yosan.pdfchars import geometry, open_pdf
from yosan.pdfglyphs import page_glyphs

ROOT = Path(__file__).resolve().parent.parent
PDFS = [
    ROOT / "fixtures" / "pdf" / "mext-r2-science-points.pdf",
    ROOT / "fixtures" / "layouts" / "three-col-weasyprint.pdf",
    ROOT / "fixtures" / "book" / "book-landscape-libreoffice.pdf",
]


def _pages(path: Path) -> list[list[Glyph]]:
    doc = open_pdf(path)
    try:
        out = []
        for page in doc:
            out.append([g for g in page_glyphs(page, geometry(page)).glyphs if g.text.strip()])
            page.close()
        return out
    finally:
        doc.close()


def _same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(
        [id(g) for g in x.glyphs] == [id(g) for g in y.glyphs]
        and x.top == pytest.approx(y.top, abs=1e-9)
        and x.bottom == pytest.approx(y.bottom, abs=1e-9)
        for x, y in zip(a, b, strict=True)
    )


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
@pytest.mark.parametrize("params", [TEXT_LAYER, OCR], ids=["text", "ocr"])
def test_one_row_shortcut_agrees_with_the_sweep(path: Path, params) -> None:
    share = params.line_overlap
    taken = rows = 0
    for glyphs in _pages(path):
        assert _same(group_rows(glyphs, params), sweep_rows(glyphs, share))
        for row in sweep_rows(glyphs, share):
            rows += 1
            one = _one_row(row.glyphs, share)
            if one is not None:
                taken += 1
                assert _same([one], sweep_rows(row.glyphs, share))
    assert taken >= rows / 2  # the shortcut is taken on most rows of these pages


def test_one_row_shortcut_refuses_glyphs_that_only_chain_together() -> None:
    # three glyphs each overlapping the next by half, the first and last not at all: the sweep
    # may chain them, but no common band holds all three
    glyphs = [Glyph("一", 0, 0, 10, 10), Glyph("二", 10, 5, 20, 15), Glyph("三", 20, 10, 30, 20)]
    assert _one_row(glyphs, 0.5) is None
    assert _one_row(glyphs[:2], 0.5) is not None  # 5 of 10 shared: the sweep joins them too
    assert len(sweep_rows(glyphs[:2], 0.5)) == 1


# the pattern ``_name`` replaced: a name runs up to its first figure
_LAZY_NAME = regex.compile(r"^(.*?)(?=\s?[(（]?[▲△]?\d[\d,，.]*\s?[千百十万億兆]*円|$)")


def test_name_search_agrees_with_the_lazy_match_on_the_documents_lines() -> None:
    from yosan.layout.breaks import _key

    text = (ROOT / "fixtures" / "mext-r2-science-points.txt").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) > 500
    with_figures = 0
    for line in lines:
        m = _LAZY_NAME.match(line)
        assert _name(line) == (_key(m[1]) if m else ""), line
        with_figures += m is not None and m.end(1) < len(line)
    assert with_figures > 100
