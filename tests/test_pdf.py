"""Text-layer PDFs: the generated fixtures (fixtures/make_pdfs.py) and the real corpus.

The generated PDFs typeset the shared document, so their records are checked
against what the source lines state (and against the text golden).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import FIXTURES, SHARED

from yosan import extract_file
from yosan.pdf import broken_text_reason

PDF = FIXTURES / "pdf"
M = 1_000_000


def _facts(records: list) -> list[tuple]:
    return [(r.kind, r.fiscal_year, r.amount_yen, r.program, r.parent) for r in records]


def test_two_column_page_reads_each_column_in_turn() -> None:
    """Source lines 1078-1152; a naive reader interleaves the columns."""
    records = extract_file(PDF / "two-column.pdf")
    chapter = "8. 健康・医療分野の研究開発の推進"
    pairs = [
        ("8. 健康・医療分野の研究開発の推進", 86029, 85372),
        ("再生医療実現拠点ネットワークプログラム", 9066, 9066),
        ("東北メディカル・メガバンク計画(健康者コホート)", 1989, 1457),
        ("東北メディカル・メガバンク計画(健康者コホート)", 1597, 1597),  # ＜参考：復興特別会計＞
        ("橋渡し研究戦略的推進プログラム", 4982, 4982),
        ("次世代がん医療創生研究事業", 3551, 3651),
        ("新興・再興感染症研究基盤創生事業", 3014, 3082),
        ("創薬等ライフサイエンス研究支援基盤事業", 3694, 2924),
        ("革新的先端研究開発支援事業", 8796, 8796),
    ]
    expected = []
    for name, budget, previous in pairs:
        expected += [("budget", 2020, budget * M, name, ""), ("previous", 2019, previous * M, name, "")]
    assert _facts(records) == expected
    assert {r.section for r in records} == {chapter}
    assert [r.account for r in records].count("reconstruction") == 2
    assert all(r.page == 1 and r.x0 is not None and r.x0 < r.x1 and r.top < r.bottom for r in records)


def test_pr_sheet_box_at_the_top_right_and_items() -> None:
    """Source lines 185-212: the boxed amounts at the top right belong to the title at the left."""
    records = extract_file(PDF / "pr-sheet.pdf")
    title = "官民地域パートナーシップによる次世代放射光施設の推進"
    assert _facts(records)[:7] == [
        ("budget", 2020, 1732 * M, title, ""),
        ("previous", 2019, 1326 * M, title, ""),
        ("supplementary", 2019, 3798 * M, title, ""),
        ("budget", 2020, 1358 * M, "施設の整備費", title),
        ("previous", 2019, 952 * M, "施設の整備費", title),
        ("budget", 2020, 373 * M, "業務実施費", title),
        ("previous", 2019, 373 * M, "業務実施費", title),
    ]


def test_whole_document_pdf_states_the_same_amounts_as_the_text() -> None:
    """43 pages with a running header and page numbers (dropped), wrapped lines (rejoined)."""
    text = extract_file(FIXTURES / "mext-r2-science-points.txt")
    pdf = extract_file(PDF / "mext-r2-science-points.pdf")
    key = Counter((r.kind, r.fiscal_year, r.amount_yen, r.era, r.account) for r in text)
    assert Counter((r.kind, r.fiscal_year, r.amount_yen, r.era, r.account) for r in pdf) == key
    # including the tables whose cells wrap inside their columns (pages 22, 42)
    assert [(r.amount_yen, r.program, r.parent) for r in pdf] == [
        (r.amount_yen, r.program, r.parent) for r in text
    ]
    pages = [r.page for r in pdf]
    assert pages == sorted(pages) and pages[-1] >= 40
    assert not any("主要事項" in r.raw or (r.raw.startswith("- ") and r.raw.endswith(" -")) for r in pdf)


@pytest.mark.parametrize(
    ("chars", "broken"),
    [
        ("令和2年度予算額(案) 48,514百万円", False),
        ("(cid:123)(cid:45)(cid:67)(cid:89)" * 3, True),
        ("\x00\x00\x00\x00予算\x00\x00", True),
        ("\ue000\ue001\ue002\ue003\ue004予算", True),
        ("⼈⼝⼀⼆⼤⼩⼭⼯予算", True),
        # Chromium's renderings rewritten by Ghostscript's pdfwrite: kana and kanji named as
        # Latin-1 letters or ASCII marks (Noto Serif, p5; IPAex Mincho, p3)
        (
            "賃û送料û⼿数料\x7f別表~xzº2⽂部ù学省ð和元\x80度補正Î算Ý(案) 1,095百万Ö国際û国際共\\研究1国際協⼒{¸»STI for SDGs~推進等{取º組\x7f1ù学技術~戦略的z国際展開²⼀層推進\x89»20背o1s|国~基礎的研究⼒´競Ï⼒~強化1国及s国⺠~安全û安⼼~確保1社会実装~推進1地球環境問Üxいs\x7f世界的課Üx~®献等~\x7f±{1国際ýóøワü¿~強化²÷»必要|あ»2û⽇q~⼤学û",
            True,
        ),
        (
            "射光施設**2⽣命科学1環境・¸ýċ¾ー{¹新材料開発~w広範z分野w先端的・⾰新的z研究開発{貢献2- 平成9年~供⽤開始{¹20年以上|経過\x871利⽤者\x7f着実{増加2毎年約17,000⼈~産学官~研究者|利⽤2- 同等性能~⼤型放射光施設²有\x89»~\x7f⽇⽶欧~\x7fwあº(他{⽶国APS1欧州ESRF1PETRA III)1Spring-8\x7f安定zăーĀ性能²発揮中2事業概要0事業~⽬的・⽬標1Spr",
            True,
        ),
        ("平成28~令和2年度", False),  # a range: the ~ has a figure on one side
        ("Société Générale 東京支店 1,000百万円", False),  # a French name beside kanji
    ],
)
def test_broken_text_layer_is_detected(chars: str, broken: bool) -> None:
    assert (broken_text_reason(chars) is not None) is broken


CORPUS = SHARED / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present (real PDFs)")


@needs_corpus
@pytest.mark.parametrize(
    ("name", "amount_yen"),
    [
        ("fuji_r8_saishutsu12_kosai.pdf", 7_606_642_000),  # 12款 公債費 本年度 7,606,642千円
        ("fuji_r8_saishutsu01_gikai.pdf", 488_451_000),  # 1款 議会費 本年度 488,451千円
    ],
)
def test_corpus_pdf_runs_and_finds_its_total(name: str, amount_yen: int) -> None:
    records = extract_file(CORPUS / name)
    assert amount_yen in {r.amount_yen for r in records}
    assert all(r.unit == "千円" and r.page >= 1 for r in records)


@needs_corpus
def test_corpus_budget_book_row_under_kind_headers() -> None:
    """目 | 本年度予算額 | 前年度予算額 | 比較 with 千円 printed in each cell's corner (MANIFEST figures)."""
    records = extract_file(CORPUS / "fuji_r8_saishutsu01_gikai.pdf")
    row = [
        (r.kind, r.amount_yen, r.column)
        for r in records
        if r.page == 1 and r.level == "目" and r.program == "議会費"
    ]
    # 財源内訳: その他 1,013 + 一般財源 487,438 = 本年度 488,451 (千円)
    assert row == [
        ("budget", 488_451_000, ""),
        ("previous", 499_446_000, ""),
        ("difference", -10_995_000, ""),
        ("other", 1_013_000, "その他"),
        ("other", 487_438_000, "一般財源"),
    ]


def test_landscape_page_drawn_rotated_reads_upright(tmp_path: Path) -> None:
    """A landscape table page as scanners and office suites save it: content turned, /Rotate 90."""
    import pypdfium2 as pdfium
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("IPAexG", "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"))
    drawn = tmp_path / "drawn.pdf"
    pen = canvas.Canvas(str(drawn), pagesize=(595, 842), invariant=1)
    pen.setFont("IPAexG", 12)
    pen.translate(500, 100)
    pen.rotate(90)  # lines run up the portrait page
    pen.drawString(0, 40, "官民地域パートナーシップによる次世代放射光施設の推進")  # a title, set apart
    pen.drawString(0, 0, "令和2年度予算額(案) 1,732百万円")
    pen.drawString(0, -20, "(前年度予算額 1,326百万円)")
    pen.showPage()
    pen.save()
    doc = pdfium.PdfDocument(str(drawn))
    doc[0].set_rotation(90)  # shown turned clockwise: the lines read left to right
    rotated = tmp_path / "rotated.pdf"
    doc.save(str(rotated))
    doc.close()
    records = extract_file(rotated, fiscal_year=2020)
    assert [(r.kind, r.amount_yen, r.line) for r in records] == [
        ("budget", 1_732_000_000, 2),
        ("previous", 1_326_000_000, 3),
    ]
    assert records[0].program == "官民地域パートナーシップによる次世代放射光施設の推進"
    # boxes are on the page as displayed (842 x 595): user y=100.. is x=100.., the glyphs rise
    # from user x=500 towards x=488 (their top)
    budget = records[0]
    assert 100 <= budget.x0 < budget.x1 < 842 and 485 < budget.top < budget.bottom < 505


@needs_corpus
def test_corpus_pdf_without_text_layer_gives_no_records_without_ocr() -> None:
    """No text at all (glyphs drawn as shapes): with --ocr never nothing is read, and no garbage.

    With OCR (the default) its pages are read: tests/test_ocr.py."""
    assert extract_file(CORPUS / "fuji_r7_saishutsu05-06_notext.pdf", ocr="never") == []
