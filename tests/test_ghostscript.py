"""Renderings rewritten by Ghostscript's pdfwrite, as many municipal PDFs were made (Fuji City's
R8 books went through DocuWorks and then Ghostscript).

Ghostscript re-embeds each font with maps of its own.  From WeasyPrint's IPAex Mincho it keeps
the font's glyph order (Adobe-Japan1's, by reading) and names the glyphs rightly; chance runs of
one offset in that map were "mended" by ``tounicode`` (百 into 犀), so every amount was lost.
From Chromium's fonts it loses the kana and many kanji to Latin-1 letters and ASCII marks
(``ð和2度Î算Ý`` for 令和2年度予算額): such pages must be read by OCR, not as text.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import pytest
from conftest import AMOUNT_KINDS, golden_keys
from render_html import SOURCE, HtmlVariant, chromium, drawn_lines, ghostscript, render

from yosan import extract_file

pytestmark = pytest.mark.skipif(
    ghostscript() is None, reason="Ghostscript is not installed (apt-get install ghostscript)"
)

SPAN = (466, 620)  # chapter 2 from J-PARC on: 步 (outside cp932, line 470) makes the maps suspect


def test_a_weasyprint_rendering_rewritten_by_ghostscript_keeps_its_records(tmp_path: Path) -> None:
    variant = HtmlVariant("gs-2col", columns=2, rewrite="ghostscript")
    plain = render(SOURCE, tmp_path / "plain.pdf", HtmlVariant("plain-2col", columns=2), lines=SPAN)
    found, missing = drawn_lines(plain, SOURCE, SPAN)
    assert not missing
    gold = golden_keys(set(found))
    assert sum(gold.values()) >= 6
    pdf = render(SOURCE, tmp_path / "gs.pdf", variant, lines=SPAN)
    got = Counter(
        (r.kind, str(r.fiscal_year or ""), str(r.amount_yen), r.program.replace(" ", ""))
        for r in extract_file(pdf)
        if r.kind in AMOUNT_KINDS
    )
    assert got == gold, f"missed {sorted((gold - got).elements())}, extra {sorted((got - gold).elements())}"


@pytest.mark.skipif(chromium() is None, reason="Chromium is not installed (apt-get install chromium)")
def test_a_chromium_rendering_whose_maps_ghostscript_lost_is_no_text(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    variant = HtmlVariant("chromium-gs", producer="chromium", font="noto-serif", rewrite="ghostscript")
    pdf = render(SOURCE, tmp_path / "c.pdf", variant, lines=SPAN)
    with caplog.at_level(logging.WARNING, logger="yosan"):
        records = extract_file(pdf, ocr="never")
    assert "broken text layer" in caplog.text and "between kana and kanji" in caplog.text
    assert records == []  # every page left to OCR, none read as text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="yosan"):
        extract_file(
            render(SOURCE, tmp_path / "plain.pdf", HtmlVariant("c", producer="chromium"), lines=SPAN)
        )
    assert "broken text layer" not in caplog.text
