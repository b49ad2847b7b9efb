"""Every layout of the shared document, as excerpts copied from it verbatim.

Each case is a few real lines and the records a reader takes from them:
(kind, fiscal_year, amount_yen, program, parent).
"""

from __future__ import annotations

import pytest

from yosan import extract_text
from yosan.records import clean_title
from yosan.tokens import label_only

M = 1_000_000
FUGAKU_NAME = "スーパーコンピュータ「富岳(ふがく)」(ポスト「京」)の製造・システム開発"
CLIMATE = "気候変動適応戦略イニシアチブ"
PLATFORM_NAME = "地球環境情報プラットフォーム構築推進プログラム"
# The 気候変動 sentence whose ※ note names an ended programme's previous-year amount.
ENDED_NOTE = [
    ("budget", 2020, 1127 * M, "気候変動適応戦略イニシアチブ", ""),
    ("previous", 2019, 1281 * M, "気候変動適応戦略イニシアチブ", ""),
    ("previous", 2019, 354 * M, "気候変動適応技術社会実装プログラム", "気候変動適応戦略イニシアチブ"),
]
CLIMATE_BOX = [("budget", 2020, 1127 * M, CLIMATE, ""), ("previous", 2019, 1281 * M, CLIMATE, "")]
# an item under the 気候変動 box (page 42), as a table row and as OCR read it
PLATFORM = [
    ("budget", 2020, 382 * M, PLATFORM_NAME, CLIMATE),
    ("previous", 2019, 373 * M, PLATFORM_NAME, CLIMATE),
    ("supplementary", 2019, 460 * M, PLATFORM_NAME, CLIMATE),
]
# the box of labels over its values (page 2), as text and as OCR read it
FUGAKU = [
    ("budget", 2020, 5975 * M, FUGAKU_NAME, ""),
    ("previous", 2019, 5671 * M, FUGAKU_NAME, ""),
    ("supplementary", 2019, 14400 * M, FUGAKU_NAME, ""),
]

LAYOUTS = {
    "label and amount on one line, chapter box": (
        "5.Society 5.0を支える世界最高水準の 大型研究施設の整備・利活用の促進\n\n"
        "令和2年度予算額(案) 48,514百万円\n(前年度予算額) 47,665百万円\n\n文部科学省\n\n"
        "令和元年度補正予算額(案) 18,198百万円\n",
        [
            (
                "budget",
                2020,
                48514 * M,
                "5. Society 5.0を支える世界最高水準の大型研究施設の整備・利活用の促進",
                "",
            ),
            (
                "previous",
                2019,
                47665 * M,
                "5. Society 5.0を支える世界最高水準の大型研究施設の整備・利活用の促進",
                "",
            ),
            (
                "supplementary",
                2019,
                18198 * M,
                "5. Society 5.0を支える世界最高水準の大型研究施設の整備・利活用の促進",
                "",
            ),
        ],
    ),
    "colon labels and a previous label in brackets": (
        "◆戦略的国際共同研究プログラム (SICORP)\n\n"
        "令和2年度予算額(案): 1,078百万円 (前年度予算額: 1,034百万円)\n",
        [
            ("budget", 2020, 1078 * M, "戦略的国際共同研究プログラム(SICORP)", ""),
            ("previous", 2019, 1034 * M, "戦略的国際共同研究プログラム(SICORP)", ""),
        ],
    ),
    "title, label and amounts on one line, full-width colon": (
        "○海外特別研究員事業 令和2年度予算額(案)：2,284百万円 (前年度予算額：2,284百万円)\n",
        [
            ("budget", 2020, 2284 * M, "海外特別研究員事業", ""),
            ("previous", 2019, 2284 * M, "海外特別研究員事業", ""),
        ],
    ),
    "box of labels, then its values": (
        "スーパーコンピュータ「富岳（ふがく）」（ポスト「京」）の製造・システム開発\n\n"
        "令和2年度予算額(案)\n(前年度予算額)\n\n5,975百万円\n5,671百万円\n\n\n\n文部科学省\n\n"
        "令和元年度補正予算額(案)\n\n14,400百万円\n",
        FUGAKU,
    ),
    "interleaved labels and values, unbalanced bracket": (
        "橋渡し研究戦略的推進プログラム\n\n令和2年度予算額(案)\n\n4,982百万円\n\n(前年度予算額)\n\n4,982百万円)\n",
        [
            ("budget", 2020, 4982 * M, "橋渡し研究戦略的推進プログラム", ""),
            ("previous", 2019, 4982 * M, "橋渡し研究戦略的推進プログラム", ""),
        ],
    ),
    "tab between label and value, lone closing bracket": (
        "6. 科学技術イノベーションの戦略的国際展開\n\n"
        "令和2年度予算額(案)\t14,269百万円\n(前年度予算額)\t14,038百万円)\n",
        [
            ("budget", 2020, 14269 * M, "6. 科学技術イノベーションの戦略的国際展開", ""),
            ("previous", 2019, 14038 * M, "6. 科学技術イノベーションの戦略的国際展開", ""),
        ],
    ),
    "pair under a title with a paragraph between, supplementary in 【】": (
        "官民地域パートナーシップによる 次世代放射光施設の推進\n\n"
        "科学的にも産業的にも高い利用ニーズが見込まれ、研究力強化と生産性向上に貢献する、次世代放射光施設について、整備を着実に進める。\n\n"
        "1,732百万円(1,326百万円)\n【令和元年度補正予算額(案) 3,798百万円】\n",
        [
            ("budget", 2020, 1732 * M, "官民地域パートナーシップによる次世代放射光施設の推進", ""),
            ("previous", 2019, 1326 * M, "官民地域パートナーシップによる次世代放射光施設の推進", ""),
            ("supplementary", 2019, 3798 * M, "官民地域パートナーシップによる次世代放射光施設の推進", ""),
        ],
    ),
    "※ markers between a pair, and a group total": (
        "最先端大型研究施設の整備・共用\n\n大型放射光施設「SPRING-8」\n\n9,679百万円※1(9,721百万円※1)\n\n"
        "※1 SACLAF分の利用促進交付金を含む\n生命科学や地球・惑星科学等の基礎研究に至るまで幅広い分野の研究者に提供。\n\n\n\n"
        "40,681百万円(36,292百万円)\n",
        [
            ("budget", 2020, 9679 * M, "大型放射光施設「SPRING-8」", ""),
            ("previous", 2019, 9721 * M, "大型放射光施設「SPRING-8」", ""),
            ("budget", 2020, 40681 * M, "最先端大型研究施設の整備・共用", ""),
            ("previous", 2019, 36292 * M, "最先端大型研究施設の整備・共用", ""),
        ],
    ),
    "circled breakdown items under a detail box": (
        "官民地域パートナーシップによる次世代放射光施設の推進\n\n令和2年度予算額(案)\n1,732百万円\n(前年度予算額)\n1,326百万円\n\n"
        "【事業概要】\n\n<官民地域パートナーシップによる次世代放射光施設の整備>\n\n"
        "- ① **施設の整備費 1,358百万円(952百万円)**\n施設整備の着実な推進に必要な、電磁石等を整備する。\n"
        "- ② **業務実施費 373百万円(373百万円)**\n",
        [
            ("budget", 2020, 1732 * M, "官民地域パートナーシップによる次世代放射光施設の推進", ""),
            ("previous", 2019, 1326 * M, "官民地域パートナーシップによる次世代放射光施設の推進", ""),
            (
                "budget",
                2020,
                1358 * M,
                "施設の整備費",
                "官民地域パートナーシップによる次世代放射光施設の推進",
            ),
            (
                "previous",
                2019,
                952 * M,
                "施設の整備費",
                "官民地域パートナーシップによる次世代放射光施設の推進",
            ),
            ("budget", 2020, 373 * M, "業務実施費", "官民地域パートナーシップによる次世代放射光施設の推進"),
            ("previous", 2019, 373 * M, "業務実施費", "官民地域パートナーシップによる次世代放射光施設の推進"),
        ],
    ),
    "item title, a bullet, then the amount": (
        "SPring-8の整備・共用\n\n令和2年度予算額(案)\n9,679百万円\n(前年度予算額)\n9,721百万円\n\n"
        "① Spring-8の共用運転の実施\n\n- 5,000時間運転の確保及び維持管理等\n\n8,300百万円(8,340百万円)\n",
        [
            ("budget", 2020, 9679 * M, "SPring-8の整備・共用", ""),
            ("previous", 2019, 9721 * M, "SPring-8の整備・共用", ""),
            ("budget", 2020, 8300 * M, "Spring-8の共用運転の実施", "SPring-8の整備・共用"),
            ("previous", 2019, 8340 * M, "Spring-8の共用運転の実施", "SPring-8の整備・共用"),
        ],
    ),
    "Roman numerals and 億円 items": (
        "再生医療実現拠点ネットワークプログラム\n\n令和2年度予算額(案)\n(前年度予算額)\n\n9,066百万円\n9,066百万円)\n\n"
        "I iPS細胞研究中核拠点\n\n2,700百万円\n\n臨床応用を見据えた安全性・標準化に関する研究等を実施\n\n"
        "II 疾患・組織別実用化研究拠点\n\n3,000百万円\n\n事業の推進体制整備・調査分析\n\n0.3億円\n",
        [
            ("budget", 2020, 9066 * M, "再生医療実現拠点ネットワークプログラム", ""),
            ("previous", 2019, 9066 * M, "再生医療実現拠点ネットワークプログラム", ""),
            ("budget", 2020, 2700 * M, "iPS細胞研究中核拠点", "再生医療実現拠点ネットワークプログラム"),
            (
                "budget",
                2020,
                3000 * M,
                "疾患・組織別実用化研究拠点",
                "再生医療実現拠点ネットワークプログラム",
            ),
            (
                "budget",
                2020,
                30 * M,
                "事業の推進体制整備・調査分析",
                "再生医療実現拠点ネットワークプログラム",
            ),
        ],
    ),
    "numbered items with full-width brackets": (
        "スーパーコンピュータ「富岳」及び 革新的ハイパフォーマンス・コンピューティング（HPCI）の運営\n\n"
        "令和2年度予算額（案）\n（前年度予算額）\n\n14,554百万円\n10,123百万円\n\n事業概要\n\n"
        "1. 「富岳」の運営等 12,555百万円（8,064百万円）\n",
        [
            (
                "budget",
                2020,
                14554 * M,
                "スーパーコンピュータ「富岳」及び革新的ハイパフォーマンス・コンピューティング(HPCI)の運営",
                "",
            ),
            (
                "previous",
                2019,
                10123 * M,
                "スーパーコンピュータ「富岳」及び革新的ハイパフォーマンス・コンピューティング(HPCI)の運営",
                "",
            ),
            (
                "budget",
                2020,
                12555 * M,
                "「富岳」の運営等",
                "スーパーコンピュータ「富岳」及び革新的ハイパフォーマンス・コンピューティング(HPCI)の運営",
            ),
            (
                "previous",
                2019,
                8064 * M,
                "「富岳」の運営等",
                "スーパーコンピュータ「富岳」及び革新的ハイパフォーマンス・コンピューティング(HPCI)の運営",
            ),
        ],
    ),
    "organisation shares are budget amounts, not previous-year": (
        "研究活動の不正行為への対応\n\n令和2年度予算額(案) 120百万円\n(前年度予算額) 124百万円\n\n"
        "研究公正推進事業 105百万円 (105百万円)\n\n"
        "<日本学術振興会> (39百万円)\t\t<科学技術振興機構> (42百万円)\t<日本医療研究開発機構> (21百万円)\n",
        [
            ("budget", 2020, 120 * M, "研究活動の不正行為への対応", ""),
            ("previous", 2019, 124 * M, "研究活動の不正行為への対応", ""),
            ("budget", 2020, 105 * M, "研究公正推進事業", "研究活動の不正行為への対応"),
            ("previous", 2019, 105 * M, "研究公正推進事業", "研究活動の不正行為への対応"),
            ("budget", 2020, 39 * M, "日本学術振興会", "研究公正推進事業"),
            ("budget", 2020, 42 * M, "科学技術振興機構", "研究公正推進事業"),
            ("budget", 2020, 21 * M, "日本医療研究開発機構", "研究公正推進事業"),
        ],
    ),
    "flattened table: header of programmes, amounts per column, 補正 in a cell": (
        "気候変動適応戦略イニシアチブ\n\n令和2年度予算額(案)\n(前年度予算額)\n\n1,127百万円\n1,281百万円)\n\n"
        "\t統合的気候モデル高度化研究プログラム 《平成29～令和3年度》\t地球環境情報プラットフォーム構築推進プログラム 《平成28～令和2年度》\n"
        "予算額(案)\t744百万円 (554百万円)\t382百万円 (373百万円) 【令和元年度補正予算額(案) 460百万円】\n",
        [
            ("budget", 2020, 1127 * M, "気候変動適応戦略イニシアチブ", ""),
            ("previous", 2019, 1281 * M, "気候変動適応戦略イニシアチブ", ""),
            ("budget", 2020, 744 * M, "統合的気候モデル高度化研究プログラム", "気候変動適応戦略イニシアチブ"),
            (
                "previous",
                2019,
                554 * M,
                "統合的気候モデル高度化研究プログラム",
                "気候変動適応戦略イニシアチブ",
            ),
            *PLATFORM,
        ],
    ),
    "reconstruction account notes": (
        "東北メディカル・メガバンク計画\n\n令和2年度予算額（案） 1,989百万円\n（前年度予算額） 1,457百万円\n"
        "※復興特別会計に別途1,597百万円（1,597百万円）計上\n",
        [
            ("budget", 2020, 1989 * M, "東北メディカル・メガバンク計画", ""),
            ("previous", 2019, 1457 * M, "東北メディカル・メガバンク計画", ""),
            ("budget", 2020, 1597 * M, "東北メディカル・メガバンク計画", ""),
            ("previous", 2019, 1597 * M, "東北メディカル・メガバンク計画", ""),
        ],
    ),
    "money that is not a budget line": (
        "JST 地球規模課題対応国際科学技術協力プログラム (SATREPS)\n\n令和2年度予算額(案)\n(前年度予算額)\n1,876百万円\n1,777百万円\n\n"
        " - ✓ 支援額：35百万円程度／年・課題 (別途JICAが60百万円／年を上限に支援)\n"
        "世界に先駆けて再生医療を実現!\n\n10年間で約1,100億円の支援\n",
        [
            ("budget", 2020, 1876 * M, "JST地球規模課題対応国際科学技術協力プログラム(SATREPS)", ""),
            ("previous", 2019, 1777 * M, "JST地球規模課題対応国際科学技術協力プログラム(SATREPS)", ""),
            ("other", None, 35 * M, "JST地球規模課題対応国際科学技術協力プログラム(SATREPS)", ""),
            ("other", None, 60 * M, "JST地球規模課題対応国際科学技術協力プログラム(SATREPS)", ""),
            ("other", None, 110_000 * M, "JST地球規模課題対応国際科学技術協力プログラム(SATREPS)", ""),
        ],
    ),
    "a note naming an ended programme's previous-year amount": (
        "気候変動適応戦略イニシアチブ 1,127百万円 (1,281百万円)\n\n"
        "地球環境情報プラットフォームの構築・安定的運用を一体的に推進。 ※ 前年度予算額には令和元年度終了事業の"
        "気候変動適応技術社会実装プログラム(354百万円)が含まれる\n",
        ENDED_NOTE,
    ),
    "the same note cut by a column break before its programme": (  # WeasyPrint, Gothic, 3 columns, scanned, p13
        "気候変動適応戦略イニシアチブ 1,127百万円 (1,281百万円)\n\n"
        "地球環境情報プラットフォームの構築・安定的運用を一体的に推進。 ※ 前年度予算額には令和元年度\n\n"
        "終了事業の気候変動適応技術社会実装プログラム(354百万円)が含まれる\n",
        ENDED_NOTE,
    ),
    "two values on one OCR line under stacked labels": (  # whole scan p2 (seed 7)
        "スーパーコンピュータ「富岳(ふがく)」(ポスト「京」)の製造・システム開発\n令和2年度予算額(案)\n(前年度予算額)\n"
        "5,975百万円 5,671百万円\n文部科学省\n令和元年度補正予算額(案)\n14,400百万円\n",
        FUGAKU,
    ),
    "a gap read as a column break in prose, then a title": (  # whole scan p42 (seed 123)
        "-気候変動に係る政策立案や具体的な対策の\t基盤となる気候モデルの高度化等により、 *気候変動メカニズムの人解明や高精\n"
        '度予測情報の創出"を推進する。\n【事業概要・イメージ】\n統合的気候モデル高度化研究プログラム《平成29〜令和3年度》\n'
        "予算額(案)\t744百万円(554百万円)\n",
        [
            ("budget", 2020, 744 * M, "統合的気候モデル高度化研究プログラム", ""),
            ("previous", 2019, 554 * M, "統合的気候モデル高度化研究プログラム", ""),
        ],
    ),
    "a 補正 label over its value after an item's amounts": (  # whole scan p42 (seed 7)
        "気候変動適応戦略イニシアチブ\n令和2年度予算額(案)\n1,127百万円\n(前年度予算額\n1,281百万円)\n"
        "地球環境 情報プラットフォーム構築推進プログラム 《平成28〜令和2年度》382百万円(373百万円)\n"
        "令和元年度補正予算額(案)\n460百万円】\n",
        [
            *CLIMATE_BOX,
            *PLATFORM,
        ],
    ),
    "a 補正 label ending an item's line, its value below": (  # whole scan p42 (seed 2024)
        "気候変動適応戦略イニシアチブ\n令和2年度予算額(案)\n1,127百万円\n(前年度予算額\n1,281百万円)\n"
        "地球環境 情報プラットフォーム構築推進プログラム《平成28一令和2年度》382百万円(373百万円) 【令和元年度補正予算額(案)\n"
        "460百万円】\n",
        [
            *CLIMATE_BOX,
            *PLATFORM,
        ],
    ),
}


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_layout(name: str) -> None:
    text, expected = LAYOUTS[name]
    # An excerpt may lack the labels the document's year comes from: give it.
    records = extract_text(text, fiscal_year=2020)
    got = [(r.kind, r.fiscal_year, r.amount_yen, r.program, r.parent) for r in records]
    assert got == expected


def test_detail_page_without_title_takes_the_summary_name() -> None:
    """A box whose title was lost repeats a figure pair stated under the programme's name."""
    text = (
        "戦略的創造研究推進事業 先端的低炭素化技術開発 (ALCA) 3,166百万円 (4,886百万円)\n\n"
        "＜テーマ例＞ 空気を肥料とする窒素固定植物の創出\n\n"
        "窒素固定酵素を植物で発現させ、空気中の窒素を自らの肥料とする植物を作製。\n\n"
        "令和2年度予算額(案) 3,166百万円\n(前年度予算額) 4,886百万円\n※運営費交付金中の推計額\n"
    )
    records = extract_text(text)
    assert [r.program for r in records[2:]] == ["戦略的創造研究推進事業先端的低炭素化技術開発(ALCA)"] * 2
    assert records[2].note == "※運営費交付金中の推計額"


def test_fields_of_a_labelled_amount() -> None:
    (budget, previous) = extract_text(
        "令和2年度予算額(案) 5,975百万円 (前年度予算額 5,671百万円)", source="x.txt"
    )
    assert (budget.source, budget.page, budget.line) == ("x.txt", None, 1)
    assert (budget.era, budget.status, budget.unit, budget.account) == (
        "令和2年度",
        "draft",
        "百万円",
        "general",
    )
    assert (previous.era, previous.status, previous.fiscal_year) == ("", "", 2019)
    assert budget.raw == "令和2年度予算額(案) 5,975百万円 (前年度予算額 5,671百万円)"


def test_fiscal_year_override_and_negative_amounts() -> None:
    # a negative supplementary (減額補正), as in municipal 補正予算 books
    (record,) = extract_text("補正額 ▲1,234千円", fiscal_year=2024)
    assert (record.kind, record.amount_yen, record.fiscal_year, record.unit) == (
        "supplementary", -1_234_000, 2024, "千円",
    )  # fmt: skip
    # 比較 (this year minus last year) is a derived figure, not a budget
    (record,) = extract_text("比較 △10,995千円", fiscal_year=2026)
    assert (record.kind, record.amount_yen, record.fiscal_year) == ("other", -10_995_000, None)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "【平成30年度第2次補正予算額(案) 300億円】",
            ("supplementary", 2018, "平成30年度", "draft", 30_000_000_000),
        ),
        ("令和2年度補正予算(第1号) 1,000千円", ("supplementary", 2020, "令和2年度", "", 1_000_000)),
        ("令和３年度予算額（案）　１，２３４億円", ("budget", 2021, "令和3年度", "draft", 123_400_000_000)),
    ],
)
def test_labels_of_other_editions(line: str, expected: tuple) -> None:
    (record,) = extract_text(line)
    assert (record.kind, record.fiscal_year, record.era, record.status, record.amount_yen) == expected


# Tables whose header row names the kinds, read as lines (tab-separated cells),
# as the PDF reader gives them.  Each case: the lines, then (kind, fiscal_year,
# amount_yen, program, unit) per record.
KIND_TABLES = {
    "PR sheet grid under (単位：百万円), bare numbers, － for none": (
        "(単位：百万円)\n"
        "事業名\t令和2年度予算額(案)\t前年度予算額\t令和元年度補正予算額(案)\n"
        "施設の整備費\t1,358\t952\t3,798\n"
        "業務実施費\t373\t373\t－\n",
        [
            ("budget", 2020, 1358 * M, "施設の整備費", "百万円"),
            ("previous", 2019, 952 * M, "施設の整備費", "百万円"),
            ("supplementary", 2019, 3798 * M, "施設の整備費", "百万円"),
            ("budget", 2020, 373 * M, "業務実施費", "百万円"),
            ("previous", 2019, 373 * M, "業務実施費", "百万円"),
        ],
    ),
    "budget book row, 千円 printed in each cell's corner, spaced-out 比　較": (
        "目\t本年度予算額\t前年度予算額\t比　　　較\t本　年　度　予　算　額　の　財　源　内　訳\n"
        "区　　分\t金　　額\n"
        "1 議会費\t 千円488,451\t千円499,446\t千円△10,995\t 千円\t千円\t千円1,013\t 千円487,438\n"
        "2 給料\t49,604\t\n",
        [
            ("budget", 2020, 488_451_000, "議会費", "千円"),
            ("previous", 2019, 499_446_000, "議会費", "千円"),
            ("difference", 2020, -10_995_000, "議会費", "千円"),  # 比較, the year of 本年度
            ("budget", 2020, 49_604_000, "給料", "千円"),  # the unit carries down the column
        ],
    ),
    "bare numbers without a unit note are not money": (
        "事業名\t予算額\t前年度予算額\n施設の整備費\t1,358\t952\n",
        [],
    ),
}


@pytest.mark.parametrize("name", list(KIND_TABLES))
def test_kind_header_table(name: str) -> None:
    text, expected = KIND_TABLES[name]
    got = [
        (r.kind, r.fiscal_year, r.amount_yen, r.program, r.unit) for r in extract_text(text, fiscal_year=2020)
    ]
    assert got == expected


def test_unit_note_expires_after_its_table() -> None:
    text = (
        "(単位：千円)\n事業名\t予算額\t前年度予算額\nA事業\t100\t90\n"
        + "本文の段落。\n" * 8
        + "B事業\t5\t4\n"
    )
    assert [(r.program, r.amount_yen) for r in extract_text(text, fiscal_year=2020)] == [
        ("A事業", 100_000),
        ("A事業", 90_000),
    ]


def test_a_huge_line_stays_linear_and_raw_is_a_window() -> None:
    """A table flattened into one line (hostile or broken input): every amount, `raw` around each."""
    line = "予算額 1,000百万円 " * 3000
    records = extract_text(line, fiscal_year=2020)
    assert len(records) == 3000 and {r.amount_yen for r in records} == {1_000_000_000}
    assert all(len(r.raw) <= 2 * 100 + 20 and "1,000百万円" in r.raw for r in records)


@pytest.mark.parametrize(
    ("line", "labelled"),
    [
        ("(前年度予算額) - 14,038百万円)", True),  # whole scan p12 (seed 11): a speck read as a dash
        ("(前年度予算額) ・ 14,038百万円)", True),
        ("(前年度予算額)\t-\t14,038百万円", False),  # between tabs a dash is a cell of its own
    ],
)
def test_a_speck_between_a_label_and_its_amount(line: str, labelled: bool) -> None:
    text = f"6.科学技術イノベーションの戦略的国際展開\n令和2年度予算額(案) 14,269百万円\n{line}"
    record = extract_text(text)[1]
    assert record.amount_yen == 14_038_000_000
    assert (record.kind == "previous") is labelled


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("・(前年度予算額)", "previous"),  # whole scan p28 (seed 777): a bullet first
        (". (前年度予算額)", "previous"),  # whole scan p2 (seed 777): a speck
        ("-令和元年度補正予算額(案)", "supplementary"),  # LibreOffice, IPAex Mincho, 2 columns, scanned, p7
    ],
)
def test_a_label_line_with_a_speck_is_still_a_label_line(line: str, kind: str) -> None:
    assert [label.kind for label in label_only(line)] == [kind]


@pytest.mark.parametrize(
    ("line", "title"),
    [
        (
            '-①"SACLAの共用運転の実施“"',
            "SACLAの共用運転の実施",
        ),  # whole scan p8 (seed 7): bold marks as quotes
        (
            "日本・アジア青少年サイエンス交流事業.",
            "日本・アジア青少年サイエンス交流事業",
        ),  # scan p13 (seed 31337)
        ("スーパーコンピュータ「富岳」・HPCIの運営・", "スーパーコンピュータ「富岳」・HPCIの運営"),  # scan p2
        ("Society 5.0", "Society 5.0"),
        (
            '-②"SPRING-8・SACLAの利用促進【再掲】※*"',
            "SPRING-8・SACLAの利用促進【再掲】",
        ),  # scan p8 (seed 2718)
        ("「富岳」の“運用”", "「富岳」の“運用”"),  # a quotation stays
        ("○『SACLAの共用運転の実施", "SACLAの共用運転の実施"),
        # a bracket closed that the name never opened (whole scan p24, seed 11; Kodaira's scan)
        ("○橋渡し研究戦略的推進プログラム」", "橋渡し研究戦略的推進プログラム"),
        ("国民健康保険税の減額)", "国民健康保険税の減額"),
        ("大強度陽子加速器施設(J-PARC)", "大強度陽子加速器施設(J-PARC)"),  # opened: kept
        ("「富岳」", "「富岳」"),
        # bold marks read as a kana before a Latin name (LibreOffice, Noto Sans, scanned, p4)
        ("せSACLAの共用運転の実施", "SACLAの共用運転の実施"),
        ("がんSACLA", "がんSACLA"),
        # a period whose 《 OCR lost (LibreOffice, Noto Sans, one column, scanned, p24)
        ("統合的気候モデル高度化研究プログラム平成29〜令和3年度》", "統合的気候モデル高度化研究プログラム"),
        ("統合的気候モデル高度化研究プログラム《平成29〜令和3年度》", "統合的気候モデル高度化研究プログラム"),
        ("事業(平成28年度〜)", "事業"),
        ("次世代の研究(令和元年度〜令和5年度)", "次世代の研究"),
    ],
)
def test_titles_lose_dangling_marks(line: str, title: str) -> None:
    assert clean_title(line) == title


@pytest.mark.parametrize(
    ("line", "title"),
    [
        # Chromium (Skia) with Noto CJK, p15: the space after II is a 0.35 em gap, read as none
        ("II疾患・組織別実用化研究拠点", "疾患・組織別実用化研究拠点"),
        ("IV幹細胞・再生医学イノベーション創出プログラム", "幹細胞・再生医学イノベーション創出プログラム"),
        (
            "V疾患特異的iPS細胞の利活用促進・難病研究加速プログラム",
            "疾患特異的iPS細胞の利活用促進・難病研究加速プログラム",
        ),
        ("II 疾患・組織別実用化研究拠点", "疾患・組織別実用化研究拠点"),
        # a Roman letter that begins a word stays (the document's X線自由電子レーザー)
        ("X線自由電子レーザー施設(SACLA)の共用", "X線自由電子レーザー施設(SACLA)の共用"),
        ("II型糖尿病の研究", "II型糖尿病の研究"),
        ("ICT活用推進事業", "ICT活用推進事業"),
    ],
)
def test_a_roman_item_number_glued_to_its_name_is_dropped(line: str, title: str) -> None:
    assert clean_title(line) == title


@pytest.mark.parametrize(
    ("heading", "owner"),
    [
        # as the document prints it: the PR sheet's title, in two lines, is the chapter's
        (
            "7．社会とともに創り進める科学技術イノベーション政策の推進",
            "7. 社会とともに創り進める科学技術イノベーション政策の推進",
        ),
        # the chapter heading misread on a scan (LibreOffice, IPAex Mincho, two columns, p7),
        # the title under the box read right: still the chapter's second line
        (
            "7．社会とともに創り進める科学技術イノベーショソ政策の推進",
            "7. 社会とともに創り進める科学技術イノベーショソ政策の推進",
        ),
        # two misreads in a short title are another title
        ("7．社会とともに創り進める科学技術イノベーション政策の推進", None),
    ],
)
def test_a_title_that_is_the_rest_of_a_misread_chapter_heading(heading: str, owner: str | None) -> None:
    title = "科学技術イノベーション政策の推進" if owner is not None else "科学技術イノベ政策の推進化"
    text = f"{heading}\n7. 社会とともに創り進める\n{title}\n令和2年度予算額(案)\n(前年度予算額)\n7,240百万円\n7,171百万円"
    records = extract_text(text)
    assert [r.amount_yen for r in records] == [7_240_000_000, 7_171_000_000]
    assert {r.program for r in records} == {owner or title}
