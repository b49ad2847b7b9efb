"""The budget-book reader's parts, on the documents' own cells, headers, 説明 lines and sentences.

Every example is a string as the corpus prints it (Fuji's R6–R8 books, the
Kodaira scan) unless it says otherwise; the page is given where it helps.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from yosan.book.cells import cell_figures, to_yen
from yosan.book.codes import split_code, standard_name, total_name
from yosan.book.columns import Column, Role, classify, misread_header
from yosan.book.document import TITLE_RE, is_supplementary, year_from_path
from yosan.book.explain import read_line, repair_ending
from yosan.book.params import BookParams
from yosan.book.prose import read_sentences
from yosan.book.reader import HEADING_RE, Node, era_label, mark_repeats
from yosan.book.reader import Path as BookPath
from yosan.eras import ERA_YEAR_RE, era_from_match
from yosan.model import Cell, Kind, Level, Record, TextLine
from yosan.normalize import normalize_text

# --- codes and names: (cell text, code, level, name) -----------------------------------

CODES = [
    ("５款 労働費", "5", Level.KAN, "労働費"),  # rodo p1 heading
    ("１項 労働費", "1", Level.KOU, "労働費"),
    ("1労政費", "1", Level.NONE, "労政費"),  # a text layer glues the code (rodo p1 目)
    ("1 元金", "1", Level.NONE, "元金"),  # kosai p1
    ("10需用費", "10", Level.NONE, "需用費"),
    ("18負担金、補助及び交付金", "18", Level.NONE, "負担金、補助及び交付金"),
    ("１.市 税", "1", Level.NONE, "市税"),  # 補正予算整理表 (gaiyo p15)
    ("2種別割", "2", Level.NONE, "種別割"),  # r7 shizei p2: 種 starts a name here
    ("1社会福祉債", "1", Level.NONE, "社会福祉債"),  # r7 shisai p1
    ("21諸収入", "21", Level.NONE, "諸収入"),
    ("1号分", "", Level.NONE, "1号分"),  # a count, not a code (kokko 説明)
    ("扶養手当", "", Level.NONE, "扶養手当"),  # a 細節 has no code
    ("勤労者総合福祉センタ ー費", "", Level.NONE, "勤労者総合福祉センター費"),  # rodo p3, wrapped
    ("12-16 電算関係業務委託", "12-16", Level.NONE, "電算関係業務委託"),  # Kodaira 節-細節
    ("2026年度分", "", Level.NONE, "2026年度分"),
]


@pytest.mark.parametrize(("text", "code", "level", "name"), CODES, ids=[c[0] for c in CODES])
def test_split_code(text: str, code: str, level: Level, name: str) -> None:
    entry = split_code(text)
    assert (entry.code, entry.level, entry.name) == (code, level, name)


TOTALS = [
    ("計", "計"),
    ("歳 入 合 計", "歳入合計"),
    ("歳出合計", "歳出合計"),
    ("合 計", "合計"),
    ("計画調整費", ""),
]


@pytest.mark.parametrize(("text", "name"), TOTALS)
def test_total_names(text: str, name: str) -> None:
    assert total_name(text) == name


# (as read, level, by OCR, standard): OCR misreads (R7 no-text pages) and a text layer's wrong
# glyph map (R8 rodo p1 報郸, kosai p1 償遯金); a name near no single standard one stays.
STANDARD = [
    ("勤勉下当", Level.SAISETSU, True, "勤勉手当"),
    ("通勤王当", Level.SAISETSU, True, "通勤手当"),
    ("音通旅費", Level.SAISETSU, True, "普通旅費"),
    ("報偵費", Level.SETSU, True, "報償費"),
    ("協用費", Level.SETSU, True, "需用費"),
    ("光独水費", Level.SAISETSU, True, "光熱水費"),
    ("報郸", Level.SETSU, False, "報酬"),
    ("償遯金、利子及び割引料", Level.SETSU, False, "償還金、利子及び割引料"),
    ("期木隆当", Level.SAISETSU, True, "期木隆当"),  # two edits in four characters: left alone
    ("食費", Level.SAISETSU, False, "食費"),  # a text layer's common kanji are trusted
    ("音通旅費", Level.SAISETSU, False, "音通旅費"),
    ("労働費", Level.KAN, True, "労働費"),
    ("農林水産業賛", Level.KAN, True, "農林水産業費"),
]


@pytest.mark.parametrize(
    ("name", "level", "ocr", "expected"), STANDARD, ids=[s[0] + str(s[2]) for s in STANDARD]
)
def test_standard_names(name: str, level: Level, ocr: bool, expected: str) -> None:
    assert standard_name(name, level, ocr) == expected


# --- headers: a column's header texts from the top down → its meaning --------------------

HEADERS = [
    (("目",), Column(Role.NAME, level=Level.MOKU)),
    (("本年度予算額", "千円"), Column(Role.MONEY, Kind.BUDGET, unit="千円")),
    (("前年度予算額", "千円"), Column(Role.MONEY, Kind.PREVIOUS, unit="千円")),
    (("比 較", "千円"), Column(Role.MONEY, Kind.DIFFERENCE, unit="千円")),
    (
        ("本 年 度 予 算 額 の 財 源 内 訳", "特 定 財 源", "国県支出金", "千円"),
        Column(Role.MONEY, Kind.OTHER, column="国県支出金", unit="千円"),
    ),
    (
        ("本 年 度 予 算 額 の 財 源 内 訳", "一般財源", "千円"),
        Column(Role.MONEY, Kind.OTHER, column="一般財源", unit="千円"),
    ),
    (("節", "区 分"), Column(Role.NAME, level=Level.SETSU)),
    (("節", "金 額", "千円"), Column(Role.MONEY, Kind.BUDGET, unit="千円")),
    (("説 明", "千円"), Column(Role.EXPLAIN, unit="千円")),
    (("款",), Column(Role.NAME, level=Level.KAN)),
    (("項",), Column(Role.NAME, level=Level.KOU)),
    (("金 額",), Column(Role.MONEY, Kind.BUDGET)),
    (("事 項",), Column(Role.NAME, level=Level.TABLE)),
    (("限 度 額",), Column(Role.MONEY, Kind.OTHER, column="限度額")),
    (("起 債 の 目 的",), Column(Role.NAME, level=Level.TABLE)),
    (("利 率",), Column(Role.TEXT)),
    (("期 間",), Column(Role.TEXT, period=True)),
    (("補正前の額",), Column(Role.MONEY, Kind.BASE)),  # Kodaira p35
    (("補 正 額",), Column(Role.MONEY, Kind.SUPPLEMENTARY)),
    (("令和４年度当初",), Column(Role.MONEY, Kind.BUDGET, year=2022)),  # a summary's 目的別 table
    (("伸率", "%"), Column(Role.TEXT)),
    (("構成比",), Column(Role.TEXT)),
]


@pytest.mark.parametrize(("path", "column"), HEADERS, ids=["/".join(h[0]) for h in HEADERS])
def test_header_meanings(path: tuple[str, ...], column: Column) -> None:
    assert classify(path) == column


# OCR's readings of the R7 no-text pages' headers: one edit away from exactly one header word
MISREAD = [
    ("全 額", "金額"),
    ("全。額", "金額"),
    ("玩 明", "説明"),
    ("謗 明", "説明"),
    ("避 明", "説明"),
    ("比 電", ""),
]


@pytest.mark.parametrize(("text", "word"), MISREAD)
def test_misread_headers(text: str, word: str) -> None:
    """比電 is one edit from 比較 and from 比率: no guess (the arithmetic names that column)."""
    assert misread_header("".join(text.split())) == word


def test_ocr_unit_garbled_under_a_header_is_passed_over() -> None:
    assert classify(("節", "全 額", "子由"), misreads=True) == Column(Role.MONEY, Kind.BUDGET)
    assert classify(("節", "全 額", "子由")) is None


# --- cells ------------------------------------------------------------------------------


def _cell(*lines: str) -> Cell:
    text_lines = [TextLine(t, [(0.0, 10.0 * k, 10.0, 10.0 * k + 8)] * len(t)) for k, t in enumerate(lines)]
    return Cell(0, 0, [TextLine.joined(text_lines)])


CELLS = [
    (("132,209",), [Decimal(132209)], ""),
    (("△72,993",), [Decimal(-72993)], ""),
    (("▲1,500",), [Decimal(-1500)], ""),
    (("千円", "49,286,300"), [Decimal(49286300)], "千円"),  # 第1表's first figure, unit above it
    (("千円88",), [Decimal(88)], "千円"),  # rodo p2: the unit on the figure's row
    (("１４，９１３",), [Decimal(14913)], ""),  # full width (第2表)
    (("0",), [Decimal(0)], ""),
    (("-",), [], ""),
    (("寄附金額に応じた諸経費にかかる金額",), [], ""),  # words in place of a figure (第2表)
    (("2,21 9",), [Decimal(2219)], ""),  # a text layer's split digits, rejoined
]


@pytest.mark.parametrize(("lines", "figures", "unit"), CELLS, ids=["/".join(c[0]) for c in CELLS])
def test_cell_figures(lines: tuple[str, ...], figures: list[Decimal], unit: str) -> None:
    found, stated = cell_figures(_cell(*lines), "t", 1)
    assert [f.value for f in found] == figures
    assert stated == unit


def test_a_malformed_figure_is_refused_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    found, _ = cell_figures(_cell("69,086, ()0()"), "kodaira.pdf", 35)
    assert found == []
    assert "kodaira.pdf: page 35: figure '69,086, ()0()' not read" in caplog.text


def test_yen_is_exact() -> None:
    assert to_yen(Decimal(132209), "千円") == 132_209_000
    assert to_yen(Decimal(-72993), "千円") == -72_993_000
    assert to_yen(Decimal("1.5"), "億円") == 150_000_000
    assert to_yen(Decimal("76.05"), "円") is None  # no whole number of yen: a rate


# --- 説明 lines: (line, code, name, [(figure, base)]) ----------------------------------

EXPLAIN = [
    ("001 給与費 40,418", "001", "給与費", [(40418, False)]),  # rodo p1
    ("001 ふじマイスター選定委員会委員 ４人 31", "001", "ふじマイスター選定委員会委員", [(31, False)]),
    ("002 一般職 ５人 38,408", "002", "一般職", [(38408, False)]),
    ("キッズジョブ2026開催負担金 2,800", "", "キッズジョブ2026開催負担金", [(2800, False)]),
    ("調定見込額 404,000×98.9％", "", "調定見込額", [(404000, True)]),  # r8 shizei p1
    (
        "母子生活支援施設 13,741×1／2 6,870",
        "",
        "母子生活支援施設",
        [(13741, True), (6870, False)],
    ),  # kokko p1
    ("1号分 833,070×0.74×1／2 308,236", "", "1号分", [(833070, True), (308236, False)]),
    ("162,900×1／2", "", "", [(162900, True)]),
    ("住居確保給付事業 3,027×3／4", "", "住居確保給付事業", [(3027, True)]),
    ("(15,088,000-1,150,000)×98.9%", "", "", [(15088000, True), (1150000, True)]),  # r6 p29
    ("算定標準額 3,991,000×1.4%", "", "算定標準額", [(3991000, True)]),
    ("施設型給付", "", "施設型給付", []),  # a heading
    ("(定数外)", "", "(定数外)", []),
    (
        "021101 情報システム管理・運営事業 37,200",
        "021101",
        "情報システム管理・運営事業",
        [(37200, False)],
    ),  # Kodaira
    ("001給与費 39,104", "001", "給与費", [(39104, False)]),  # OCR glues the code (R7 no-text p1)
    ("002一般職5人 37,243", "002", "一般職", [(37243, False)]),
    ("内職相談員1人", "", "内職相談員", []),
]


@pytest.mark.parametrize(("text", "code", "name", "figures"), EXPLAIN, ids=[e[0] for e in EXPLAIN])
def test_explain_lines(text: str, code: str, name: str, figures: list[tuple[int, bool]]) -> None:
    line = read_line(TextLine(text))
    assert (line.code, line.name) == (code, name)
    assert [(f.value, f.base) for f in line.figures] == figures


ENDINGS = [
    ("技能フェスティバル開催事業補助多", "技能フェスティバル開催事業補助金"),
    ("県食肉センター再編整備事業負担多", "県食肉センター再編整備事業負担金"),
    ("勤労者くらしの資金貸付事業旨", "勤労者くらしの資金貸付事業費"),
    ("補助員", "補助員"),  # 員 is no misreading of 金
    ("世界緑茶協会負担金", "世界緑茶協会負担金"),
]


@pytest.mark.parametrize(("read", "right"), ENDINGS)
def test_ocr_name_endings(read: str, right: str) -> None:
    assert repair_ending(read) == right


# --- headings: the 款 or 項 a page's table is under ------------------------------------------

HEADINGS = [
    ("５款 労働費 159,963千円", "5", "款", "労働費", "159,963千円"),  # Fuji R8
    ("第１款 議会費", "1", "款", "議会費", None),  # reportlab portrait book
    ("２項 徴税費", "2", "項", "徴税費", None),
    ("（款）１ 議会費 ４２４，５４５千円", "1", "款", "議会費", "424,545千円"),  # LibreOffice landscape book
    ("【項】２ 児童福祉費", "2", "項", "児童福祉費", None),
    ("1 報酬 168,480", None, None, None, None),  # a 節 row, not a heading
    ("（単位：千円）", None, None, None, None),
]


@pytest.mark.parametrize(("text", "code", "level", "name", "amount"), HEADINGS)
def test_headings(text: str, code: str | None, level: str | None, name: str | None, amount: str | None) -> None:
    m = HEADING_RE.match(normalize_text(text))
    if code is None:
        assert m is None
        return
    assert m is not None
    assert (m["code"], m["level"], m["name"], m["amount"]) == (code, level, name, amount)


# --- the book's year, from its title or its file -------------------------------------------

TITLES = [
    ("令和８年度 一般会計予算書", 2026, False),
    ("令和８年度富士市一般会計予算", 2026, False),
    ("令和2年度小平市一般会計補正予算（第1号）", 2020, True),
    ("令和４年度当初予算の概要", 2022, False),
    ("令和８年度富士市の一般会計の予算は、次に定める", None, False),  # prose, not a title
    ("令和2年5月小平市議会臨時会", None, False),  # a date, not a fiscal year
]


@pytest.mark.parametrize(("text", "year", "supplementary"), TITLES)
def test_titles(text: str, year: int | None, supplementary: bool) -> None:
    m = TITLE_RE.search(normalize_text(text))
    if year is None:
        assert m is None
        return
    assert m is not None and is_supplementary(m[0]) == supplementary
    assert era_from_match(ERA_YEAR_RE.match(m["year"])).fiscal_year == year


PATHS = [
    ("../shared/corpus/fuji_r8_saishutsu05_rodo.pdf", 2026),
    ("R7/分割/歳入_01款_市税.pdf", 2025),
    ("H30/予算書.pdf", 2018),
    ("budget_FY2027.pdf", 2027),
    ("2027年度予算.pdf", 2027),
    ("report.pdf", None),
    ("chapter_rr2.pdf", None),
]


@pytest.mark.parametrize(("path", "year"), PATHS)
def test_year_from_path(path: str, year: int | None) -> None:
    assert year_from_path(path) == year


def test_era_labels() -> None:
    assert era_label(2026, "令和") == "令和8年度"
    assert era_label(2019, "令和") == "令和元年度"
    assert era_label(None, "令和") == ""


# --- summary sentences --------------------------------------------------------------------

SENTENCES = [
    (
        "令和４年度一般会計当初予算は、23,340,000千円で、令和３年度当初予算に比べて、490,000千円、2.1％の減額となりました。",
        [("一般会計", Kind.BUDGET, 2022, 23_340_000_000), ("一般会計", Kind.DIFFERENCE, 2022, -490_000_000)],
    ),
    (
        "自主財源は、12,345,678千円で、対前年度比 56,718千円の増となりました。",
        [("自主財源", Kind.BUDGET, None, 12_345_678_000), ("自主財源", Kind.DIFFERENCE, None, 56_718_000)],
    ),
    (
        "歳入のうち市税は、10,123,456千円で、前年度に比べ123,456千円、1.2％の増となっています。",
        [("市税", Kind.BUDGET, None, 10_123_456_000), ("市税", Kind.DIFFERENCE, None, 123_456_000)],
    ),
    # 第1条: the account's totals (program '' is the account); Fuji R8 gaiyo p3 and the Kodaira scan
    (
        "歳入歳出予算の総額は、歳入歳出それぞれ１１０，８００，０００千円と定める。",
        [("", Kind.BUDGET, None, 110_800_000_000)],
    ),
    (
        "第1条 歳入歳出予算の総額に歳入歳出それぞれ198億2，530万円を増額し、歳入",
        [("", Kind.SUPPLEMENTARY, None, 19_825_300_000)],
    ),
    ("歳出予算の総額を歳入歳出それぞれ889億1 , 130万円とする。", [("", Kind.REVISED, None, 88_911_300_000)]),
    (
        "第1条歳入歳出予算の総額に歳入歳出それぞれ17億870万9，000円を増額し、",
        [("", Kind.SUPPLEMENTARY, None, 1_708_709_000)],
    ),
    ("一時借入金の借入れの最高額は、５，０００，０００千円と定める。", []),  # no total of the budget
]


@pytest.mark.parametrize(("text", "facts"), SENTENCES, ids=[s[0][:12] for s in SENTENCES])
def test_summary_sentences(text: str, facts: list[tuple[str, Kind, int | None, int]]) -> None:
    got = [(s.program, s.kind, s.fiscal_year, s.yen) for s in read_sentences(normalize_text(text))]
    assert got == facts


# --- the path and repeats -----------------------------------------------------------------


def test_a_restated_heading_keeps_the_path_below_it() -> None:
    path = BookPath("一般会計")
    for node in (
        Node(Level.KAN, "5", "労働費", 1),
        Node(Level.KOU, "1", "労働費", 2),
        Node(Level.MOKU, "1", "労政費", 3),
    ):
        path.enter(node)
    path.enter(Node(Level.KOU, "1", "労働費", 2))  # the next page's heading
    assert path.parent(4) == "一般会計 > 5 労働費 > 1 労働費 > 1 労政費"
    path.enter(Node(Level.KOU, "2", "職業訓練費", 2))
    assert path.parent(4) == "一般会計 > 5 労働費 > 2 職業訓練費"


def _record(page: int, level: str, program: str, yen: int) -> Record:
    return Record("b.pdf", page, 1, "歳出", program, "一般会計", "budget", 2026, "", "一般会計", "", yen, "千円",
                  False, "", "", level=level)  # fmt: skip


def test_repeats_point_at_the_first_statement() -> None:
    records = [_record(1, "款", "労働費", 5), _record(2, "款", "労働費", 5), _record(3, "款", "労働費", 5),
               _record(3, "説明", "給与費", 7), _record(4, "説明", "給与費", 7), _record(4, "款", "労働費", 6)]  # fmt: skip
    mark_repeats(records)
    assert [r.repeat for r in records] == [None, 1, 1, None, None, None]


def test_params_are_validated() -> None:
    with pytest.raises(ValueError, match="pair_overlap"):
        BookParams(pair_overlap=2)
    with pytest.raises(ValueError, match="level_slack"):
        BookParams(level_slack=-1)
