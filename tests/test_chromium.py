"""The shared document printed by a third producer: Chromium's print to PDF (Blink's layout,
Skia's PDF backend), from the HTML WeasyPrint gets (``render_html``).

Skia sets a Latin item number and the kanji after it (``II 疾患・組織別…``) with a 0.35 em gap
and no drawn space, so the name read ``II疾患…``; and a line opened that way was taken for the
wrap of the sentence above (``…研究を支援`` / ``III 技術開発個別課題``).  The records of chapter
8's 再生医療 programmes, drawn in one and three columns, are compared with the text golden.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import AMOUNT_KINDS, golden_keys
from render_html import SOURCE, HtmlVariant, chromium, drawn_lines, render

from yosan import extract_file

pytestmark = pytest.mark.skipif(
    chromium() is None, reason="Chromium is not installed (apt-get install chromium)"
)

SPAN = (1078, 1262)  # chapter 8 from its heading to 再生医療実現拠点ネットワークプログラム: items I to V


@pytest.mark.parametrize(
    "variant",
    [
        HtmlVariant("serif-1col", producer="chromium", font="noto-serif", columns=1),
        HtmlVariant("sans-3col", producer="chromium", font="noto-sans", columns=3),
    ],
    ids=lambda v: v.name,
)
def test_chromium_rendering_has_the_golden_records(variant: HtmlVariant, tmp_path: Path) -> None:
    pdf = render(SOURCE, tmp_path / "c.pdf", variant, lines=SPAN)
    found, missing = drawn_lines(pdf, SOURCE, SPAN)
    assert not missing
    gold = golden_keys(set(found))
    assert sum(gold.values()) >= 6
    got = Counter(
        (r.kind, str(r.fiscal_year or ""), str(r.amount_yen), r.program.replace(" ", ""))
        for r in extract_file(pdf)
        if r.kind in AMOUNT_KINDS
    )
    assert got == gold, f"missed {sorted((gold - got).elements())}, extra {sorted((got - gold).elements())}"
