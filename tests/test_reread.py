"""OCR lines read a second time: when the second reading replaces the first.

The strings are readings captured on the 43-page document scanned by
``bench/bench_ocr.py`` (page layout reading first, the line cut out and read
again second); the confidences are the decision's inputs, not captured.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from yosan import glyphs, ocr, readings

FONT = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"

# first reading, second reading, confidences (first, second), ink dropped at the left, kept
LINES = [
    ("創菜等ライフサイエンス研究支援基盤事業", "創薬等ライフサイエンス研究支援基盤事業", 0.71, 0.85, False, True),
    ("大型和光施設「SPRING-8」", "大型放射光施設「SPRING-8」", 0.62, 0.80, False, True),
    ("スーパーコンピュータ「富岳」及び革新的ハイパフォーマンス・コンピューティング(HPCU)の運営",
     "スーパーコンピュータ「富岳」及び革新的ハイパフォーマンス・コンピューティング(HPCI)の運営", 0.70, 0.79, False, True),
    # less confident: the first reading stays
    ("創菜等ライフサイエンス研究支援基盤事業", "創薬等ライフサイエンス研究支援基盤事業", 0.85, 0.71, False, False),
    # a column break is never added; one the page reading put inside a title may go
    ("大型和光施設「SPRING-8」", "大型放射光\t施設「SPRING-8」", 0.62, 0.80, False, False),
    ("地球環境\t情報プラットフォーム構築推", "地球環境 情報プラットフォーム構築推", 0.70, 0.80, False, True),
    # numbers: never other digits, never a lost 円, never a malformed amount
    ("令和2年度予算額(案)48,514百万円", "令和2年度予算額(案)48.514百万", 0.80, 0.90, False, False),
    ("5,975百万円(5,671百万円)", "5.975自方和(5.671自円)", 0.80, 0.90, False, False),
    ("○次世代がん医療創生研究事業3,551百万円(3651百万円)", "○次世代がん医療創生研究事業3,551百万円(3,651百万円)",
     0.80, 0.90, False, True),
    ("21,347百万円(21,839百万円)", "21,347百万円(21,889百万円)", 0.80, 0.95, False, False),
    # a comma read as a point is no malformed amount: the repairs mend it (whole scan p13, seed 11)
    ("令和2年度巴算額(案):2,140百万円", "令和2年度予算額(案):2.140百万円", 0.70, 0.85, False, True),
    # an item number where the first reading has marks and no word, whatever the confidence
    # (whole scan p6, seed 11); not where it has a word, nor in place of another number
    ("(の|Spring-8-SACLAの利用促進※", "②Spring-8-SACLAの利用促進※", 0.88, 0.59, False, True),
    ("9原型炉設計活動や計算機シミュレーション活動等2.452百万円(2.525百万円)",
     "-⑨原型炉設計活動や計算機シミュレーション活動等2.452百万円(2.525百万円)", 0.82, 0.88, False, True),
    ("19原型炉設計活動", "⑨原型炉設計活動", 0.82, 0.88, False, False),
    ("創菜等ライフサイエンス研究支援基盤事業", "②創薬等ライフサイエンス研究支援基盤事業", 0.85, 0.71, False, False),
    ("③Spring-8-SACLAの利用促進", "②Spring-8-SACLAの利用促進", 0.88, 0.59, False, False),
    # leading digits only where ink was found left of the first reading
    ("240百万円", "7,240百万円", 0.80, 0.80, True, True),
    ("240百万円", "7,240百万円", 0.80, 0.80, False, False),
]  # fmt: skip


@pytest.mark.parametrize(("first", "again", "conf", "conf_again", "dropped", "kept"), LINES)
def test_when_a_line_read_again_replaces_the_first_reading(
    first: str, again: str, conf: float, conf_again: float, dropped: bool, kept: bool
) -> None:
    assert readings.better_reading(first, again, conf, conf_again, dropped) is kept


# the number opening a line as jpn read it, as eng read it, and what is kept
NUMBERS = [
    ("240", "7,240", "7,240"),  # whole scan p17 (seeds 7 and 123): `7,` dropped
    ("171", "7,171", "7,171"),  # whole scan p17 (seed 123)
    ("7171", "7,171", "7,171"),  # whole scan p17 (seed 7): the comma dropped
    ("240", "2408", None),  # the unit's kanji read as a digit
    ("171", "7171845", None),  # 百万円 read as 845
    ("240", "240", None),
    ("1,358", "11,358", None),  # a digit, not a whole group with its comma
    ("5,975", "5.975", None),  # eng's reading is not well formed
]


@pytest.mark.parametrize(("first", "again", "kept"), NUMBERS)
def test_english_reading_of_a_leading_amount(first: str, again: str, kept: str | None) -> None:
    assert readings.english_number(first, again) == kept


@pytest.mark.parametrize("text", ["7,240百万円", "7,171百万円", "1,358千円", "240円"])
def test_the_digits_of_a_leading_amount_end_before_its_unit(text: str) -> None:
    """The span read in English holds the digits and commas and none of the unit's kanji."""
    font = ImageFont.truetype(FONT, 44)  # 10.5 pt at 300 dpi
    image = Image.new("L", (900, 90), 255)
    draw = ImageDraw.Draw(image)
    draw.text((120, 20), text, font=font, fill=0)
    digits = text.rstrip("百千万円")
    unit_left = 120 + draw.textlength(digits, font=font)
    band = np.asarray(image)
    span = glyphs.digit_span(band, 40, 44.0)
    assert span is not None
    x0, x1 = span
    assert 115 <= x0 <= 125
    assert unit_left - 12 <= x1 <= unit_left + 2


def _word(text: str, x0: float, x1: float) -> ocr._Word:
    return ocr._Word(key=(1, 1, 1), x0=x0, top=100, x1=x1, bottom=144, text=text, conf=0.9)


@pytest.mark.parametrize(
    ("words", "kept"),
    [
        # whole scan p1 (seed 2024): a speck a column's width past the sentence
        (
            [
                ("に、世界最高水準の汎用性のあるスーパーコンピュータの整備を着実に進める。", 200, 1900),
                (".", 2100, 2108),
            ],
            1,
        ),
        ([("会の構築に貢献。", 200, 560), ("ーー", 800, 880)], 1),  # whole scan p2 (seed 7)
        (
            [
                ("に、世界最高水準の汎用性のあるスーパーコンピュータの整備を着実に進める。", 211, 1749),
                ("「", 1900, 1910),
            ],
            1,
        ),
        ([("・", 100, 110), ("共通基盤技術の開発", 400, 800)], 1),
        # marks close to the text, and lone marks, stay
        ([("進める", 200, 332), ("。", 340, 384)], 2),
        ([("-", 200, 220)], 1),
    ],
)
def test_specks_apart_at_a_line_end_are_dust(words: list[tuple[str, int, int]], kept: int) -> None:
    line = ocr._without_specks([_word(*w) for w in words])
    assert len(line) == kept
    assert line[0].text == max(words, key=lambda w: len(w[0]))[0]


def _glyph(char: str, font: str, blur: float, size: int = 44) -> np.ndarray:
    """One character drawn at 10.5 pt and 300 dpi, blurred as a scan is, cropped to its ink."""
    image = Image.new("L", (3 * size, 3 * size), 255)
    ImageDraw.Draw(image).text((size, size), char, font=ImageFont.truetype(font, size), fill=0)
    ink = np.asarray(image.filter(ImageFilter.GaussianBlur(blur)) if blur else image) < 128
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


MINCHO = "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"


@pytest.mark.parametrize("blur", [0, 1.0], ids=["sharp", "blurred"])
@pytest.mark.parametrize("font", [FONT, MINCHO], ids=["gothic", "mincho"])
@pytest.mark.parametrize(
    ("char", "shape"),
    [
        ("◆", "◆"),
        ("●", "◆"),
        ("◇", "○"),
        ("○", "○"),
        # what tesseract read them as, and look-alikes: not bullets
        ("殺", None),
        ("心", None),
        ("休", None),
        ("革", None),  # read as ◆ when the first rule was only "solid, corners empty" (scan p24, seed 99)
        ("回", None),
        ("先", None),
        ("長", None),  # a narrow top, a full stroke, a narrow foot (scan p35, seed 123; p40, seed 2024)
        ("十", None),
        ("中", None),  # an outline of strokes, but strokes inside (scan p1, seed 123)
        ("Q", None),
        ("口", None),  # a square, corners inked
        ("□", None),
        ("の", None),
        ("O", None),  # taller than wide
        ("①", None),  # a circled number is repair's: its digit is inside
    ],
)
def test_bullets_are_told_by_their_shape(char: str, shape: str | None, font: str, blur: float) -> None:
    assert glyphs.bullet_shape(_glyph(char, font, blur)) == shape


# 長 as the scan shows it (whole scan p29, seed 123, the line 長崎大学BSL4施設を…): blurred
# bold, a narrow top, a full-width stroke, a narrow foot; an early rule took it for ◆.
SCANNED_NAGA = [
    "........###......................",
    ".......#######################...",
    "......#######################....",
    "......####.#################.....",
    "......###........................",
    "......####.......................",
    "......######################.....",
    "......######################.....",
    "......####.#################.....",
    "......###........................",
    "......####.......................",
    "......######################.....",
    "......######################.....",
    "......#####.###############......",
    "......####.......................",
    "..##..####..#....................",
    ".################################",
    "#################################",
    ".....######.##.##################",
    "......####.....####........####..",
    "......###.......###........###...",
    "......###........###.....#####...",
    "......###........####...#####....",
    "......###.........###.######.....",
    "......###..........#######.......",
    "......###...........#####........",
    "......###............####........",
    "......####....####....####.......",
    "......############.....#####.....",
    "...##############......#######...",
    "..############...........########",
    "..#######.#................######",
    ".......#......................##.",
]


def test_a_scanned_kanji_is_not_a_bullet() -> None:
    glyph = np.array([[c == "#" for c in row] for row in SCANNED_NAGA])
    assert glyphs.bullet_shape(glyph) is None


# whole scan p23 (seed 99): the page reading, the line read alone, and the English reading
PAGE_23 = "〇再生医療実現拠点ネットワークプログラム93.066百万円(3.066百万円)"
ALONE_23 = "〇再生医療実現拠点ネットワークプログラム9.066百万円(9.066百万円)"
ENGLISH_23 = "OBFERARMAZY KI-DTOTISA 9,0668 AA(Y9,0668 FA)"


@pytest.mark.parametrize(
    ("first", "again", "english", "side"),
    [
        (PAGE_23, ALONE_23, ENGLISH_23, "again"),
        (ALONE_23, PAGE_23, ENGLISH_23, "first"),
        (PAGE_23, ALONE_23, "OBFERARMAZY 3,0668 AA(Y3,0668 FA)", None),  # with neither: no guess
        (PAGE_23, ALONE_23, "", None),
        # whole scan p17 (seed 123): 百万円 read as 845
        ("171百万円", "7,171百万円", "7171845", "again"),
    ],
)
def test_an_english_reading_settles_disputed_amounts(
    first: str, again: str, english: str, side: str | None
) -> None:
    assert readings.disputed_amounts(first, again)
    assert readings.vote(first, again, english) == side


# two-column scan (WeasyPrint, seed 7) p11: `4,982百万円)` read as 邊982 on the page, with
# a 4 too many alone, and right in English
PAGE_11 = "-邊982百万円)"
ALONE_11 = "44.982百万円)"
ENGLISH_11 = "4,982Fl)"


@pytest.mark.parametrize(
    ("first", "again", "english", "numbers"),
    [
        (PAGE_11, ALONE_11, ENGLISH_11, [(0, 6, "4,982")]),
        (PAGE_11, ALONE_11, "4982Fl)", None),  # not well formed: no number
        (PAGE_11, ALONE_11, "49,982Fl)", None),  # two digits from the page's reading
        (PAGE_11, ALONE_11, "", None),
        # a third digit where the two differ in one: no evidence
        ("3,651百万円", "3,657百万円", "3,654", None),
        # one digit dropped on the page, another added alone: the one between, if only one
        ("3,51百万円", "3,6551百万円", "3,551", [(0, 6, "3,551")]),
        ("3,51百万円", "3,6551百万円", "3,551 3,651", None),
    ],
)
def test_an_english_reading_between_two_others_is_taken(
    first: str, again: str, english: str, numbers: list[tuple[int, int, str]] | None
) -> None:
    """Where it sides with neither: a number one digit from each reading, the only one."""
    assert readings.disputed_amounts(first, again)
    assert readings.vote(first, again, english) is None
    assert readings.median_amounts(first, again, english) == numbers


def test_readings_that_agree_on_amounts_are_not_disputed() -> None:
    assert not readings.disputed_amounts("創菜等3,694百万円(2,924百万円)", "創薬等3,694百万円(2,924百万円)")
    assert not readings.disputed_amounts("3,694百万円", "3,694百万円(2,924百万円)")  # not the same amounts


def _inked(*runs: tuple[int, int]) -> np.ndarray:
    """A white 40-pixel band with black ink over the given column runs (rows 5-35)."""
    image = np.full((40, 600), 255, dtype=np.uint8)
    for x0, x1 in runs:
        image[5:35, x0:x1] = 0
    return image


def _word(text: str, x0: float, x1: float, top: float = 5, bottom: float = 35) -> ocr._Word:
    return ocr._Word(key=(1, 1, 1), x0=x0, top=top, x1=x1, bottom=bottom, text=text, conf=0.9)


# Characters 30 pixels wide, 4 apart: one run of ink per character.
_CHARS = [(10 + 34 * i, 40 + 34 * i) for i in range(12)]


@pytest.mark.parametrize(
    ("words", "ink", "boxes"),
    [
        # two-column scan p10: `…関する` then `調査` given a speck's box at the end of its ink
        (
            [_word("関する", 10, 108), _word("調査", 210, 216), _word("検討", 248, 312)],
            _CHARS[:9],
            [(10, 108), (108, 216), (248, 312)],
        ),
        # excerpt scan p1: `…解決に` given a box that ends two characters short
        ([_word("課題の解決に", 10, 148), _word("貢献", 214, 278)], _CHARS[:8], [(10, 214), (214, 278)]),
        # a gap the page shows (a label and its amount three characters apart) stays
        (
            [_word("予算額", 10, 108), _word("5,975", 214, 312)],
            _CHARS[:3] + _CHARS[6:9],
            [(10, 108), (214, 312)],
        ),
    ],
)
def test_gaps_the_ink_does_not_show_are_closed(
    words: list[ocr._Word], ink: list[tuple[int, int]], boxes: list[tuple[int, int]]
) -> None:
    closed = ocr._inked_gaps_closed(words, _inked(*ink))
    assert [(w.x0, w.x1) for w in closed] == boxes
    assert [w.text for w in closed] == [w.text for w in words]


@pytest.mark.parametrize(
    ("text", "garbled"),
    [
        # both readings of a scanned WeasyPrint page (Noto Serif CJK, two columns, p1); the line
        # read alone: 1,732百万円(1,326百万円
        ("132百還(1326相", True),
        ("1,732百万円(1,326百万円", False),
        ("令和2年度予算額(案)48.514百万", True),  # 円 lost: the lone reading may find it
        ("5,975百万円(5,671百万円)", False),
        ("約1,100億円", False),
        ("17千円", False),
        ("3GeV級放射光源", False),  # no unit kanji after the number
        ("平成29年9月より", False),
        ("100倍のアプリケーション", False),
        ("30万人", True),  # a unit that makes no money: read again, kept unless it finds more
        # Kodaira's scan p34: an amount in 億 and 万
        ("第1条 歳入歳出予算の総額に歳入歳出それぞれ198億2,530万円を増額し、歳入", False),
    ],
)
def test_numbers_with_a_broken_unit_are_read_again(text: str, garbled: bool) -> None:
    assert readings.garbled_amount(text) is garbled


@pytest.mark.parametrize(
    ("text", "count"),
    [
        # whole scan p34 (seed 11): the line read alone has 1,468 with its comma as a point, the
        # English reading sides with it; it is no worse formed than the page reading's 468
        ("省エネルギー社会の実現に資する次世代半導体研究開発1.468百万円(1,550百万円)", 0),
        ("省エネルギー社会の実現に資する次世代半導体研究開発468百万円(1,550百万円)", 0),
        ("1,46,8百万円", 1),  # no repair makes this an amount
    ],
)
def test_malformed_counts_numbers_the_repairs_leave_malformed(text: str, count: int) -> None:
    assert readings.malformed(text) == count


def _drawn_line(text: str, x: int = 60) -> tuple[np.ndarray, list[tuple[float, float, float, float]]]:
    """A line drawn at 10.5 pt and 300 dpi, and each character's box."""
    font = ImageFont.truetype(FONT, 44)
    image = Image.new("L", (60 + 60 * len(text), 100), 255)
    draw = ImageDraw.Draw(image)
    draw.text((x, 25), text, font=font, fill=0)
    boxes = []
    for i in range(len(text)):
        left, right = x + draw.textlength(text[:i], font=font), x + draw.textlength(text[: i + 1], font=font)
        boxes.append((left, 25.0, right, 70.0))
    return np.asarray(image), boxes


@pytest.mark.parametrize(
    ("drawn", "first", "read"),
    [
        # whole scan p13, seeds 11 and 12: jpn dropped `2,` after the colon in both its readings
        ("(前年度予算額：2,284百万円)", "(前年度予算額:284百万円)", "(前年度予算額:2,284百万円)"),
        # whole scan p17, seeds 7 and 123: the same at the start of a line
        ("7,240百万円", "240百万円", "7,240百万円"),
        # a reading with all its digits stays as it is
        ("(前年度予算額：2,284百万円)", "(前年度予算額:2,284百万円)", "(前年度予算額:2,284百万円)"),
        ("令和2年度予算額(案)：1,358百万円", "令和2年度予算額(案):1,358百万円", "令和2年度予算額(案):1,358百万円"),
    ],
)
def test_leading_groups_jpn_dropped_are_read_in_english(drawn: str, first: str, read: str) -> None:
    import cv2

    image, drawn_boxes = _drawn_line(drawn)
    # jpn's boxes: each character it read on the drawn one; a number's box spans every drawn digit
    number = readings.AMOUNT_NUMBER.search(drawn)
    assert number is not None
    start = number.start()
    head = [drawn_boxes[i] for i in range(start)]
    digits = drawn_boxes[number.start() : number.end()]
    short = readings.AMOUNT_NUMBER.search(first)
    assert short is not None
    span = (digits[0][0], 25.0, digits[-1][2], 70.0)
    step = (span[2] - span[0]) / len(short[0])
    body = [(span[0] + i * step, 25.0, span[0] + (i + 1) * step, 70.0) for i in range(len(short[0]))]
    tail = drawn_boxes[number.end() :]
    boxes: list[tuple[float, float, float, float] | None] = [*head, *body, *tail]
    assert len(boxes) == len(first)
    line = ocr._PxLine(boxes[0][0], 25, boxes[-1][2], 70, first, boxes, [0.9] * len(first))  # type: ignore[index]
    lines = [line]
    ocr._reread_amounts_in_english(image, lines, cv2.getRotationMatrix2D((0, 0), 0, 1.0), 300)
    assert lines[0].text == read
    assert len(lines[0].boxes) == len(read) == len(lines[0].confs)


def _ink_rows(*bands: tuple[int, int], width: int = 400) -> np.ndarray:
    image = np.full((300, width), 255, dtype=np.uint8)
    for top, bottom in bands:
        image[top:bottom, 20:380:6] = 0  # strokes of characters, columns apart
    return image


def _px_line(top: float, bottom: float, text: str = "進プログラム") -> ocr._PxLine:
    boxes: list[tuple[float, float, float, float] | None] = [
        (20 + 40 * i, top, 60 + 40 * i, bottom) for i in range(len(text))
    ]
    return ocr._PxLine(20, top, 60 + 40 * (len(text) - 1), bottom, text, boxes, [0.9] * len(text))


def test_a_line_boxed_into_the_next_is_cut_to_its_ink() -> None:
    """Whole scan p42 (seed 12): a table cell's words boxed 55 pixels high over 34-pixel lines,
    down into the next line, so the two made one table row."""
    image = _ink_rows((20, 54), (80, 114), (131, 165), (200, 234))
    lines = [_px_line(20, 54), _px_line(80, 135), _px_line(131, 165), _px_line(200, 234)]
    cut = ocr._banded(lines, image)
    assert (cut[1].top, cut[1].bottom) == (80, 114)
    assert {(b[1], b[3]) for b in cut[1].boxes if b is not None} == {(80, 114)}
    assert [(ln.top, ln.bottom) for k, ln in enumerate(cut) if k != 1] == [(20, 54), (131, 165), (200, 234)]


def test_a_large_title_and_a_thin_stroke_keep_their_boxes() -> None:
    image = _ink_rows((20, 54), (80, 140), (160, 194), (230, 236))
    lines = [_px_line(20, 54), _px_line(80, 140), _px_line(160, 194), _px_line(224, 270, "ーーー")]
    cut = ocr._banded(lines, image)
    assert [(ln.top, ln.bottom) for ln in cut] == [(20, 54), (80, 140), (160, 194), (224, 270)]


def test_a_box_mostly_outside_its_band_takes_the_band() -> None:
    """Whole scan p4 (seed 99): `1,732百万円` with 円 boxed below its digits."""
    assert ocr._cut((0, 105, 40, 150), 80, 120) == (0, 80, 40, 120)
    assert ocr._cut((0, 70, 40, 118), 80, 120) == (0, 80, 40, 118)
    assert ocr._cut(None, 80, 120) is None


def _drawn(text: str, bold: bool = False) -> np.ndarray:
    font = ImageFont.truetype("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf", 44)
    image = Image.new("L", (60 + 50 * len(text), 80), 255)
    ImageDraw.Draw(image).text((20, 15), text, font=font, fill=0, stroke_width=2 if bold else 0, stroke_fill=0)
    return np.asarray(image) < 128


@pytest.mark.parametrize("word", ["事業", "三重", "国際", "支援"])
def test_strokes_are_measured_alike_in_every_direction(word: str) -> None:
    """A scanned Chromium rendering in three columns, p5: ``事業`` under a title it finishes came
    out bold (its long bars measured as thick strokes) and was not joined to it."""
    usual = ocr._stroke(_drawn("日本・アジア青少年サイエンス交流"))
    assert ocr._stroke(_drawn(word)) < ocr.BOLD * usual
    assert ocr._stroke(_drawn(word, bold=True)) > ocr.BOLD * usual


NOTO_SERIF = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"  # index 0: JP
NOTO_SANS = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def _line_in(text: str, font: str, blur: float, size: int = 44) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A line drawn at 10.5 pt and 300 dpi as a scan shows it, and its box as ``_line_box``
    gives it: the height of its kanji (国's ink) and the margin each way."""
    face = ImageFont.truetype(font, size, index=0)
    image = Image.new("L", (size * (len(text) + 4), 4 * size), 255)
    ImageDraw.Draw(image).text((2 * size, size), text, font=face, fill=0)
    probe = Image.new("L", image.size, 255)
    ImageDraw.Draw(probe).text((2 * size, size), "国", font=face, fill=0)
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    rows = np.flatnonzero((np.asarray(probe) < 128).any(axis=1))
    margin = 8
    box = (size, int(rows[0]) - margin, image.size[0] - size, int(rows[-1]) + 1 + margin)
    return np.array(image), box


@pytest.mark.parametrize("blur", [0, 1.0], ids=["sharp", "blurred"])
@pytest.mark.parametrize(
    "font", [NOTO_SERIF, NOTO_SANS, FONT, MINCHO], ids=["noto-serif", "noto-sans", "gothic", "mincho"]
)
@pytest.mark.parametrize(
    ("text", "marks"),
    [
        # the source's bold marks around titles (WeasyPrint two columns in Noto Serif, scanned:
        # read 菩施設の整備費, 准業務実施費, なSACLAの共用運転の実施な)
        ("① **施設の整備費 1,358百万円(952百万円)**", 2),
        ("② **業務実施費 373百万円(373百万円)**", 2),
        ("① **SACLAの共用運転の実施**", 2),
        # letters whose ink reaches into the top alone, and marks that are not asterisks
        ("X線自由電子レーザー施設", 0),  # ー is as wide as two asterisks (seed 7 p3 lost one)
        ("ソシツンジ", 0),
        ("でござる。ぱぴぷ", 0),
        ("一二三「富岳」", 0),
        ("ラ行ト小六文", 0),
        ("“トップ論文誌”", 0),
        ("※1 SACLA分の利用促進交付金を含む", 0),
        ("1,732百万円(1,326百万円)", 0),
    ],
)
def test_asterisks_are_erased_before_a_line_is_read_again(text: str, marks: int, font: str, blur: float) -> None:
    image, box = _line_in(text, font, blur)
    before = image.copy()
    assert bool(ocr._erase_raised(image, box, 8)) == bool(marks)
    changed = np.flatnonzero((image != before).any(axis=0))
    if not marks:
        assert changed.size == 0
        return
    # the asterisks' ink is gone, and nothing else changed
    face = ImageFont.truetype(font, 44, index=0)
    sharp = Image.new("L", (image.shape[1], image.shape[0]), 255)
    ImageDraw.Draw(sharp).text((2 * 44, 44), text, font=face, fill=0)
    bare = sharp.copy()
    start = 0
    while (found := text.find("**", start)) >= 0:
        ImageDraw.Draw(bare).text((2 * 44 + face.getlength(text[:found]), 44), "**", font=face, fill=255)
        start = found + 2
    asterisks = np.flatnonzero((np.asarray(sharp) != np.asarray(bare)).any(axis=0))
    assert asterisks.size
    assert not (image[:, asterisks] < 128).any()
    near = {x + d for x in asterisks.tolist() for d in range(-3, 4)}  # a blurred edge's pixels
    assert set(changed.tolist()) <= near, sorted(set(changed.tolist()) - near)


def test_a_line_whose_amounts_both_readings_garbled_is_read_alone() -> None:
    """A scanned WeasyPrint page (Noto Serif CJK, two columns, p1): ``1,732百万円(1,326百万円)``
    read ``132百還(1326相`` from the page and from the stack of lines; read alone, right."""
    image, box = _line_in("1,732百万円(1,326百万円)", NOTO_SERIF, 1.0)
    x0, top, x1, bottom = box
    text = "132百還(1326相"
    step = (x1 - x0) / len(text)
    line = ocr._PxLine(
        x0, top + 8, x1, bottom - 8, text,
        [(x0 + k * step, top + 8, x0 + (k + 1) * step, bottom - 8) for k in range(len(text))],
        [0.5] * len(text),
    )
    out = [line]
    identity = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    ocr._reread_garbled_amounts(image, [box], out, identity, 300)
    assert readings.amount_digits(out[0].text) == ["1732", "1326"]  # a point for a comma is the repairs'
    assert (out[0].top, out[0].bottom) == (line.top, line.bottom)  # it keeps its place
