"""OCR'd programme names settled against the document (names read on the whole-document scans).

The misread names are as OCR printed them on the generated document scanned
by ``bench/bench_ocr.py`` (seeds 7 and 99); the other titles are the lines
the same document states them in.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from yosan.model import Record
from yosan.names import Contexts, distance, settle_ocr_names


def _record(program: str, layer: str = "ocr", parent: str = "") -> Record:
    return Record(
        source="scan.pdf", page=1, line=1, section="", program=program, parent=parent, kind="budget",
        fiscal_year=2020, era="", account="general", status="", amount_yen=1, unit="百万円",
        approx=False, raw="", note="", source_layer=layer,
    )  # fmt: skip


CASES = [
    # a bullet read as a character glued to the title; the name stands as a line elsewhere
    ("員技術開発個別課題", ["技術開発個別課題", "員技術開発個別課題"], "技術開発個別課題"),
    ("休戦略的国際共同研究プログラム(SICORP)", ["戦略的国際共同研究プログラム(SICORP)"],
     "戦略的国際共同研究プログラム(SICORP)"),
    ("IV幹細胞・再生医学イノベーション創出プログラム", ["幹細胞・再生医学イノベーション創出プログラム"],
     "幹細胞・再生医学イノベーション創出プログラム"),
    # one misread kanji; the document spells the name right more often
    ("スーパーコンピュータ「富二(ふがく)」(ポスト「京」)の製造・システム開発",
     ["スーパーコンピュータ「富岳(ふがく)」(ポスト「京」)の製造・システム開発"] * 2,
     "スーパーコンピュータ「富岳(ふがく)」(ポスト「京」)の製造・システム開発"),
    # a bullet read as a particle (whole scan, seed 123, page 13; seed 7, page 13); `X線` is a name
    ("で戦略的国際共同研究プログラム(SICORP)", [], "戦略的国際共同研究プログラム(SICORP)"),
    ("X線自由電子レーザー施設(SACLA)の整備・共用", [], "X線自由電子レーザー施設(SACLA)の整備・共用"),
    ("や地球規模課題対応国際科学技術協力プログラム(SATREPS)", [], "地球規模課題対応国際科学技術協力プログラム(SATREPS)"),
    ("V疾患特異的iPS細胞の利活用促進・難病研究加速プログラム", [],
     "疾患特異的iPS細胞の利活用促進・難病研究加速プログラム"),  # a check mark (seeds 123 and 2024, p25)
    ("V字回復プログラム", [], "V字回復プログラム"),
    # a name longer by a word is another name, however often it is stated (pages 13 and 14)
    ("地球規模課題対応国際科学技術協力プログラム(SATREPS)",
     ["JST地球規模課題対応国際科学技術協力プログラム(SATREPS)"] * 3,
     "地球規模課題対応国際科学技術協力プログラム(SATREPS)"),
    # a speck read as 1 inside the name, stated so more often than without (scanned Chromium
    # rendering in three columns, p16 and its records; p13 states it right once); a digit the
    # name writes stays
    ("気候変動適応戦略1イニシアチブ", ["気候変動適応戦略1イニシアチブ"] * 2 + ["気候変動適応戦略イニシアチブ"],
     "気候変動適応戦略イニシアチブ"),
    ("第1期計画推進事業", ["第1期計画推進事業"] * 2, "第1期計画推進事業"),
    # specks read as marks (WeasyPrint, IPAex Gothic, three columns, scanned: the programme's own
    # page states the misread with its records, the summary the name)
    ("省エネルギー社会の実現に資する次世・代半導体研究開発",
     ["省エネルギー社会の実現に資する次世・代半導体研究開発"] * 2 + ["省エネルギー社会の実現に資する次世代半導体研究開発"],
     "省エネルギー社会の実現に資する次世代半導体研究開発"),
    ("統合的気候】モデル高度:化研究プログラム", ["統合的気候】モデル高度:化研究プログラム"] * 3 + ["統合的気候モデル高度化研究プログラム"],
     "統合的気候モデル高度化研究プログラム"),
    ("大強度陽子加速器施設((J-PARC)の整備・共用", ["大強度陽子加速器施設(J-PARC)の整備・共用"],
     "大強度陽子加速器施設(J-PARC)の整備・共用"),
    ("日本・アジア青少年サイエンス交流事業", ["日本・アジア青少年サイエンス交流事業"], "日本・アジア青少年サイエンス交流事業"),
    # nothing to settle against: the name stays as read
    ("新興・再典感染症研究基盤創生事業", ["新興・再典感染症研究基盤創生事業"], "新興・再典感染症研究基盤創生事業"),
    # two real names one character apart, each stated once: neither is taken for the other
    ("先端研究基盤共用促進事業", ["先端研究基盤共用推進事業"], "先端研究基盤共用促進事業"),
]  # fmt: skip


@pytest.mark.parametrize(("read", "titles", "expected"), CASES, ids=[c[0][:12] for c in CASES])
def test_settle_ocr_names(read: str, titles: list[str], expected: str) -> None:
    records = [_record(read)]
    settle_ocr_names(records, titles)
    assert records[0].program == expected


def test_text_layer_names_are_never_changed() -> None:
    records = [_record("員技術開発個別課題", layer="text")]
    settle_ocr_names(records, ["技術開発個別課題"] * 3)
    assert records[0].program == "員技術開発個別課題"


def test_parent_is_settled_too() -> None:
    records = [_record("施設の整備費", parent="休戦略的国際共同研究プログラム(SICORP)")]
    settle_ocr_names(records, ["戦略的国際共同研究プログラム(SICORP)"])
    assert records[0].parent == "戦略的国際共同研究プログラム(SICORP)"


@pytest.mark.parametrize(
    ("a", "b", "limit", "expected"),
    [
        ("協力", "協カ", 1, 1),
        ("富岳", "富二", 1, 1),
        ("abc", "abc", 1, 0),
        ("abcd", "wxyz", 1, 2),
        ("ab", "abcd", 1, 2),
    ],
)
def test_distance_stops_past_its_limit(a: str, b: str, limit: int, expected: int) -> None:
    assert distance(a, b, limit) == expected


ROOT = Path(__file__).resolve().parent.parent
TEXT = ROOT / "fixtures" / "mext-r2-science-points.txt"
GOLDEN = ROOT / "golden" / "mext-r2-science-points.csv"


def _lines() -> list[str]:
    return [line for line in TEXT.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        # two-column scan (WeasyPrint, seed 7), p14: a name the document states once
        (
            "戦略的創造研究推進事業先端的低誠素化技術開発(ALCA)",
            "戦略的創造研究推進事業先端的低炭素化技術開発(ALCA)",
        ),
        # a kanji only one of its contexts contradicts is left (創生研究 beside 創造研究 is a
        # word beside another), unless that context is a whole term in brackets: 「富岳」 is
        # quoted the same way each time (a scanned WeasyPrint rendering in Noto Serif CJK, p1:
        # 「富病」, and the two-column scan's 「富首」)
        ("次世代がん医療創生研究事業", "次世代がん医療創生研究事業"),
        ("スーパーコンピュータ「富首」・HPCIの運営", "スーパーコンピュータ「富岳」・HPCIの運営"),
        (
            "スーパーコンピュータ「富病」(ポスト「京」)の製造・システム開発",
            "スーパーコンピュータ「富岳」(ポスト「京」)の製造・システム開発",
        ),
        # a katakana read twice, the document writing the word once elsewhere (the same scan, p24)
        ("先進超伝導トトカマク装置(JT-60SA)の運転と整備", "先進超伝導トカマク装置(JT-60SA)の運転と整備"),
        # ... or again with its voicing mark (LibreOffice, Noto Sans, one column, scanned, p10)
        ("日本・アジア青少年サイエンスズ交流事業", "日本・アジア青少年サイエンス交流事業"),
        # p5: a katakana read for the kanji it looks like, where a katakana word goes on (the
        # repair rule leaves `協カプログラム`: `Xカード` is a word)
        (
            "地球規模課題対応国際科学技術協カプログラム(SATREPS)",
            "地球規模課題対応国際科学技術協力プログラム(SATREPS)",
        ),
        # whole scan (seed 11) p42: a speck read as a point inside a katakana word the document
        # writes without it (a point the document writes, メディカル・メガバンク, is kept: the
        # golden's names below)
        ("統合的気候モデル高度化研究プログラ・ム", "統合的気候モデル高度化研究プログラム"),
        # left: a character read twice, one read into a word
        ("ITER計画、BA活動等等の核融合研究開発の実施", "ITER計画、BA活動等等の核融合研究開発の実施"),
        ("科学技術イノフベーション政策の推進", "科学技術イノフベーション政策の推進"),
    ],
)
def test_a_kanji_the_documents_contexts_contradict_is_replaced(read: str, meant: str) -> None:
    contexts = Contexts([*_lines(), read])
    assert contexts.spelt(read) == meant


def test_the_documents_own_names_keep_their_spelling() -> None:
    """Every programme and parent name of the hand-checked golden, against the document's text."""
    with GOLDEN.open(encoding="utf-8", newline="") as fh:
        names = {n for r in csv.DictReader(fh) for n in (r["program"], r["parent"]) if n}
    contexts = Contexts(_lines())
    assert len(names) > 50
    assert [n for n in sorted(names) if contexts.spelt(n) != n] == []


def test_a_budget_books_names_are_not_spelt_by_context() -> None:
    """A book's names are short and a kanji apart (総合管理 beside 総務管理 in the Fuji R6
    book): in a book, contexts decide nothing."""
    misread = "戦略的創造研究推進事業先端的低誠素化技術開発(ALCA)"
    texts = [*_lines(), misread]
    records = [_record(misread, parent="一般会計 > 2 総務費 > 1 総務管理費")]
    settle_ocr_names(records, texts)
    assert records[0].program == misread
    records = [_record(misread)]
    settle_ocr_names(records, texts)  # the same outside a book
    assert records[0].program == "戦略的創造研究推進事業先端的低炭素化技術開発(ALCA)"
