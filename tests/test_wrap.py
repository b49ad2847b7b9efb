"""Wrapped lines and gutters on pages set the way word processors set them.

Each case is a few real lines of the shared document as a renderer placed them
(9 pt IPAex: full-width glyphs 9 pt wide, Latin and digits about half that),
from the two- and three-column WeasyPrint and LibreOffice renderings that
``bench/bench_layouts.py`` scores.  The engine gets the glyphs and must give
back the lines a reader sees.
"""

from __future__ import annotations

import math
import unicodedata

import pytest

from yosan.layout import analyse_page
from yosan.layout.breaks import restore_breaks
from yosan.model import Glyph, Layer, Page, TextBlock, TextLine

EM = 9.0
PITCH = 13.5  # the renderings' line pitch


def _row(text: str, x0: float, top: float, width: float | None = None) -> list[Glyph]:
    """One printed line: each wide character an em wide, the narrow ones (Latin, digits, ASCII
    brackets) sharing what is left of ``width`` em (half an em each when it is not given)."""
    wide = [unicodedata.east_asian_width(ch) in "WFA" for ch in text]
    narrow = (width - sum(wide)) * EM / (len(text) - sum(wide)) if width and not all(wide) else EM / 2
    glyphs, x = [], x0
    for ch, is_wide in zip(text, wide, strict=True):
        step = EM if is_wide else narrow
        glyphs.append(Glyph(ch, x, top, x + step, top + EM))  # a drawn space too, as text layers give it
        x += step
    return glyphs


Row = tuple[str, float] | tuple[str, float, float]


# The three-column renderings' column: 17 wide characters fill it (a line that wrapped), and the
# widest line, with Latin in it, reaches 17.18 em (the right edge the wrap test sees).
FULL = "ーク構築を牽引すべく、相手国との協"
# (set a blank line above the rest: nothing continues it)
WIDE = ("(HPCI:革新的ハイパフォーマンス・コ", 0, 17.18)


def _lines(rows: list[Row], x0: float = 42.5, top: float = 44.8) -> list[str]:
    """The page's logical lines for rows printed one under another (text, indent in em[, width in
    em]), under ``WIDE``, the column's widest line."""
    glyphs = [
        g
        for k, (text, indent, *width) in enumerate([WIDE, *rows])
        for g in _row(text, x0 + indent * EM, top + (k + bool(k)) * PITCH, *width)
    ]
    page = analyse_page(glyphs, width=595, height=842, layer=Layer.TEXT)
    first, *lines = [
        line.text for block in page.blocks if isinstance(block, TextBlock) for line in block.lines
    ]
    assert first == WIDE[0]
    return lines


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(
            # three-column WeasyPrint, p16: the last line of a ※ note stops 1.08 em short of the
            # edge; the programme's title under it is a line of its own
            [
                ("リカル装置(UHD)計画(国立大学法人", 0, 16.49),
                ("運営費交付金等(別途計上))等を実施", 0, 16.1),
                ("気候変動適応戦略イニシアチブ", 0),
            ],
            [
                "リカル装置(UHD)計画(国立大学法人運営費交付金等(別途計上))等を実施",
                "気候変動適応戦略イニシアチブ",
            ],
            id="a paragraph's last line an em short is no wrap",
        ),
        pytest.param(
            # 力・ move down together (・ never starts a line): the line above stopped 1.5 em short
            [("次世代EV自動車の実現に向け、高出", 0, 15.7), ("力・高容量かつ安全な電池の開発", 0)],
            ["次世代EV自動車の実現に向け、高出力・高容量かつ安全な電池の開発"],
            id="kinsoku: a character and the 。・ after it move down together",
        ),
        pytest.param(
            # 「 never ends a line: 「富 moved down together
            [("AIの安定的な運用を行うとともに、", 0, 15.75), ("「富岳」を用いた成果創出", 0)],
            ["AIの安定的な運用を行うとともに、「富岳」を用いた成果創出"],
            id="kinsoku: an opening bracket moves down with what follows it",
        ),
        pytest.param(
            # three-column WeasyPrint, p3: a description, then its item's figures on a line alone
            [
                ("- ① SACLAの共用運転の実施", 0),
                ("- 5,133時間運転の確保及び維持管理等", 0, 17.0),
                ("5,525百万円(5,525百万円)", 0),
            ],
            [
                "- ① SACLAの共用運転の実施",
                "- 5,133時間運転の確保及び維持管理等",
                "5,525百万円(5,525百万円)",
            ],
            id="figures under a description are a line of their own",
        ),
        pytest.param(
            # … but the other half of a pair wrapped under an item goes on (p16: JT-60SA)
            [("- ① 先進超伝導トカマク装置(JT-60SA)の運転 1,779百万円", 0, 21.0), ("(4,231百万円)", 0)],
            ["- ① 先進超伝導トカマク装置(JT-60SA)の運転 1,779百万円(4,231百万円)"],
            id="a bracketed figure after an amount is the rest of the pair",
        ),
        pytest.param(
            # a box of labels over figures, scanned (WeasyPrint, Noto Serif, two columns, p17):
            # OCR lost the ) of (前年度予算額), and the bracket it left open took 1,127百万円, the
            # budget's figure, as the previous year's
            [("令和2年度予算額(案)", 0), ("(前年度予算額", 0), ("1,127百万円", 0), ("1,281百万円)", 0)],
            ["令和2年度予算額(案)", "(前年度予算額", "1,127百万円", "1,281百万円)"],
            id="a label's open bracket does not take a figure that leaves it open",
        ),
        pytest.param(
            # … while a figure that closes it is the label's, wrapped (the generated PDF, p35)
            [("(前年度予算額", 0), ("1,550百万円)", 0)],
            ["(前年度予算額1,550百万円)"],
            id="a label wrapped before the figure that closes its bracket",
        ),
        pytest.param(
            # LibreOffice, IPAex Mincho, two columns (p17: …シミュレーション活動等 2,452 / 百万円(2,525
            # 百万円)): the renderer broke an amount before its unit, here 4.5 em short of the edge
            [("- ③ 原型炉設計活動等 2,452", 0), ("百万円(2,525百万円)", 0)],
            ["- ③ 原型炉設計活動等 2,452百万円(2,525百万円)"],
            id="a money unit opening a line is the rest of the figure above",
        ),
        pytest.param(
            [("- ③ 原型炉設計活動等 3,166百万", 0), ("円 (4,886百万円)", 0)],
            ["- ③ 原型炉設計活動等 3,166百万円 (4,886百万円)"],
            id="円 alone after 百万",
        ),
    ],
)
def test_wrapped_lines(rows: list[Row], expected: list[str]) -> None:
    assert _lines(rows) == expected


def test_punctuation_hung_past_the_edge_does_not_move_it() -> None:
    """LibreOffice hangs 、 and 。 past the right edge (ぶら下げ): a line that filled the column
    without one still ran into the edge (three-column rendering, p1: …の製造・シス / テム開発,
    beside ``イン)をし、`` whose 、 hangs to 18.4 em)."""
    rows = [
        (FULL, 0),
        ("く）」（ポスト「京」）の製造・シス", 0),  # 17 wide characters: full
        ("テム開発", 0),
        ("最大限に活かし原子レベルの超微細(A)、", 0),  # 17.5 em, and a 、 hung past the edge
    ]
    assert "く）」（ポスト「京」）の製造・システム開発" in "".join(_lines(rows)[:2])
    assert "の製造・システム開発" in _lines(rows)[0]


def _column(texts: list[str], x0: float, top: float) -> list[Glyph]:
    return [g for k, text in enumerate(texts) for g in _row(text, x0, top + k * PITCH)]


def test_columns_whose_baselines_are_offset_are_read_one_after_another() -> None:
    """A word processor's columns share no baseline grid (LibreOffice, p5: the right column starts
    under a box, half a line lower): rows interleave and never share a strip, yet they are two
    columns; and a 。 hung into the gutter does not close it."""
    left = [
        "国際頭脳循環への参画、研究ネットワ",
        "ーク構築を牽引すべく、相手国との協",
        "働による国際共同研究の共同公募を強",
    ]
    left = [*(left * 4)[:11], "力に推進。我が国の国際共同研究の強。"]  # the last hangs 。 into the gutter
    right = [
        "ニーズに基づき地球規模課題の解決と",
        "将来的な社会実装に向けた国際共同研",
        "究を推進する。出口ステークホルダー",
    ]
    right = (right * 4)[:12]
    # the columns 1.6 em apart; the hung 。 comes within 0.6 em of the right column
    glyphs = _column(left, 42.5, 100.0) + _column(right, 210.1, 100.0 + PITCH / 2)
    page = analyse_page(glyphs, width=595, height=842, layer=Layer.TEXT)
    blocks = [b for b in page.blocks if isinstance(b, TextBlock)]
    assert len(blocks) == 2, [b.region for b in blocks]
    text = ["".join(line.text for line in block.lines) for block in blocks]
    assert text == ["".join(left), "".join(right)]


def test_a_title_printed_wrapped_after_its_number_cuts_a_rejoined_line() -> None:
    """The summary page prints ``◇グローバルに活躍する若手研究者の育成等`` over two rows of a
    narrow column; on the detail page the title followed a bullet line that filled its column
    and was rejoined to it.  The numbered summary line cuts it again."""
    summary = _column(["◇グローバルに活躍する若手研究者の", "育成等"], 42.5, 100.0)
    detail = _column(
        [
            "- ・それぞれ日本側研究機関・研究者",
            "及び相手国側研究機関、研究者を支援",
            "グローバルに活躍する若手研究者の育",
            "成等",
        ],
        42.5,
        100.0,
    )
    pages = [
        analyse_page(summary, number=1, width=595, height=842, layer=Layer.TEXT),
        analyse_page(detail, number=2, width=595, height=842, layer=Layer.TEXT),
    ]
    restore_breaks(pages)
    assert [line.text for line in _page_lines(pages[1])] == [
        "- ・それぞれ日本側研究機関・研究者及び相手国側研究機関、研究者を支援",
        "グローバルに活躍する若手研究者の育成等",
    ]


def _page_lines(page: Page) -> list:
    return [line for block in page.blocks if isinstance(block, TextBlock) for line in block.lines]


def test_ocr_words_that_read_the_same_ink_twice_count_once() -> None:
    """The scanned two-column rendering, p1: tesseract read the heading as two overlapping lines,
    ``5.Society5.0を支える世界最`` and ``世界最高水準の大型…`` (glyph boxes as it gave them)."""
    first = [
        Glyph(ch, 42 + 9 * k, 50, 51 + 9 * k, 62, run=3) for k, ch in enumerate("5.Societyを支える世界最")
    ]
    second = [
        Glyph(ch, 170 + 11 * k, 51, 181 + 11 * k, 63, run=66)
        for k, ch in enumerate("世界最高水準の大型研究施設")
    ]
    second = [g for g in second if g.x0 >= first[-3].x0]  # 世 of the second line stands on the first's 世
    page = analyse_page(first + second, width=595, height=842, layer=Layer.OCR)
    (text,) = [line.text for line in _page_lines(page)]
    assert text.count("世界最") == 1 and text.endswith("高水準の大型研究施設")


def test_a_name_after_breaks_in_two_rejoined_lines_cuts_them() -> None:
    """On the scan both places that print 気候変動適応戦略イニシアチブ had it rejoined to the line
    above it (a heading, a ※ note); the name after the break, twice after other text, is a title."""
    detail = _column(
        ["地球観測・予測情報を活用して環境エネルギー問", "題に対応", "気候変動適応戦略イニシアチブ"],
        42.5,
        100.0,
    )
    note = _column(
        ["※その他、核融合科学研究所の大型ヘリカル装置", "計画等を実施", "気候変動適応戦略イニシアチブ"],
        42.5,
        100.0,
    )
    pages = [
        analyse_page(g, number=n, width=595, height=842, layer=Layer.TEXT)
        for n, g in ((1, detail), (2, note))
    ]
    for page in pages:  # rejoined as a scan's ragged edges allow (OCR's wrap_fit)
        for block in page.blocks:
            if isinstance(block, TextBlock):
                block.lines = [TextLine.joined(block.lines)] if len(block.lines) > 1 else block.lines
    restore_breaks(pages)
    for page in pages:
        assert _page_lines(page)[-1].text == "気候変動適応戦略イニシアチブ"


def test_a_note_set_right_under_a_short_title_is_beside_it_not_its_wrap() -> None:
    """Fuji R8 予算の概要 p12: ``第３表 地方債`` alone on its line, then ``（単位 千円）`` flush
    right one line lower.  The title is its own paragraph's widest line, so it "reached" the
    edge; read as one wrapped line, the 第3表 heading was lost and the 地方債 rows went under
    第2表 (a line that starts right of where the line above ends cannot continue it)."""
    glyphs = [*_row("第３表　地方債", 63.5, 32.9), *_row("（単位　千円）", 465.7, 32.9 + PITCH)]
    page = analyse_page(glyphs, width=595, height=842, layer=Layer.TEXT)
    lines = [line.text for block in page.blocks if isinstance(block, TextBlock) for line in block.lines]
    assert [unicodedata.normalize("NFKC", t).replace(" ", "") for t in lines] == ["第3表地方債", "(単位千円)"]


def _ocr_row(text: str, x0: float, top: float) -> list[Glyph]:
    """A scanned line as tesseract boxes it: wide characters on a 9 pt pitch, each box hugging
    its ink (8 pt wide, 7.4 high), an ASCII point a sliver."""
    glyphs, x = [], x0
    for ch in text:
        wide = unicodedata.east_asian_width(ch) in "WFA"
        glyphs.append(Glyph(ch, x, top, x + (8.0 if wide else 0.7), top + 7.4, conf=0.9))
        x += EM if wide else 2.0
    return glyphs


@pytest.mark.parametrize(
    ("dust", "title", "joined"),
    [
        # 16 wide characters: ム (one more) would not have fitted
        pytest.param(False, "型放射光施設の整備・共用のシステ", True, id="clean edge"),
        pytest.param(True, "型放射光施設の整備・共用のシステ", True, id="a speck past the edge"),
        pytest.param(True, "放射光施設の整備・共用のシステ", False, id="two em short: finished"),
    ],
)
def test_a_speck_past_one_lines_end_does_not_move_the_columns_edge(
    dust: bool, title: str, joined: bool
) -> None:
    """A scanned Chromium rendering in three columns (IPAex Gothic, p1): the column's lines end
    within an em of each other, but one read ``…において先導的.`` with a speck 7 pt past them; with
    that as the edge, ``…の製造・システ`` looked finished and ``ム開発`` became a title of its own."""
    body = "世界最高レベルの大強度陽子ビームか"  # 17 wide characters: the column is full
    rows = [body] * 12 + [body + "." if dust else body] + [body] * 8 + ["世界最高レベルの大強度陽子ビーム。"]
    glyphs = [g for k, text in enumerate(rows) for g in _ocr_row(text, 220.0, 100.0 + k * PITCH)]
    if dust:  # the speck stands 7 pt right of the line's last kanji
        (k,) = [k for k, g in enumerate(glyphs) if g.text == "."]
        glyphs[k] = Glyph(".", 379.2, glyphs[k].top + 6.0, 379.9, glyphs[k].top + 7.0, conf=0.5)
    top = 100.0 + len(rows) * PITCH + PITCH  # a blank line, then the title over two rows
    glyphs += _ocr_row(title, 220.0, top) + _ocr_row("ム開発", 220.0, top + PITCH)
    page = analyse_page(glyphs, width=595, height=842, layer=Layer.OCR)
    texts = [line.text for line in _page_lines(page)]
    assert (title + "ム開発" in texts) is joined, texts[-2:]


def test_a_heading_across_the_column_still_sets_its_edge() -> None:
    """A scanned one-column rendering (LibreOffice, Noto Sans CJK, p10): the chapter heading runs
    across the page over the PR box's short lines, two of which end level; the box's title
    ``…政策の推進`` ends there too, and is finished: the heading, 12 em further, is no speck."""
    rows = [
        "7.社会とともに創り進める科学技術イノベーション政策の推進",
        "※運営費交付金中の推計額を含む等",
        "科学技術イノベーション政策の推進",
        "令和2年度予算額(案)",
    ]
    assert len(rows[1]) == len(rows[2]) == 16 and len(rows[0]) > 28
    glyphs = [g for k, text in enumerate(rows) for g in _ocr_row(text, 44.0, 100.0 + k * PITCH)]
    page = analyse_page(glyphs, width=595, height=842, layer=Layer.OCR)
    assert [line.text for line in _page_lines(page)][-2:] == rows[-2:]


def test_a_skewed_scans_column_edge_is_slanted_as_its_lines() -> None:
    """A scanned WeasyPrint rendering in three columns (IPAex Gothic, p10), skewed by 0.9° and not
    turned back (``ocr.DESKEW_ABOVE``): the column's lines start 11 pt further left at its foot
    than at its head, and so end; ``○創薬等ライフサイエンス研究支援基`` / ``盤事業…`` at the foot
    wrapped at the edge, though short of the edge set by the lines at the head."""
    slope = math.tan(math.radians(-0.9))
    body = "世界最高レベルの大強度陽子ビームか"  # 17 wide characters: the column is full
    rows = [body] * 40 + ["○創薬等ライフサイエンス研究支援", "基盤事業3,694百万円(2,924百万円)"]  # 16: full
    glyphs = [
        g
        for k, text in enumerate(rows)
        for g in _ocr_row(text, 48.0 + slope * (k * PITCH), 100.0 + k * PITCH)
    ]
    for level, joined in ((0.0, False), (slope, True)):
        page = analyse_page(glyphs, width=595, height=842, layer=Layer.OCR, slope=level)
        texts = [line.text for line in _page_lines(page)]
        assert ("○創薬等ライフサイエンス研究支援基盤事業3,694百万円(2,924百万円)" in texts) is joined, texts[
            -2:
        ]
        assert texts[0] == body * 40
