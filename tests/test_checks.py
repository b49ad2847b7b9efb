"""`yosan validate`: the checks budget documents satisfy, found from the records (issue 13).

The hand-checked answer keys (tests/keys/dev) are correct, so every check must
pass on them; any one figure changed must be flagged wherever a check covers
it.  The keys cover a few pages of each document, so checks that may reach an
unannotated page are skipped, never run on part of their figures.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import GOLDEN, ROOT, SHARED

from yosan.checks import (
    Check,
    format_check,
    mutation_test,
    precision,
    validate,
)
from yosan.keys import Coverage, read_key
from yosan.model import Record

KEYS = ROOT / "tests" / "keys" / "dev"
CORPUS = SHARED / "corpus"
KEY_FILES = sorted(KEYS.glob("*.csv"))
MEXT = GOLDEN / "mext-r2-science-points.csv"
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="../shared/corpus is absent: the keys' page counts come from its PDFs"
)


def key(name: str, documents: bool = True) -> tuple[list[Record], dict[str, Coverage]]:
    return read_key(KEYS / f"{name}.csv", [CORPUS] if documents and CORPUS.is_dir() else [])


def find(records: list[Record], **fields: object) -> int:
    """The index of the one record with these fields."""
    hits = [i for i, r in enumerate(records) if all(getattr(r, k) == v for k, v in fields.items())]
    assert len(hits) == 1, (fields, len(hits))
    return hits[0]


def checks_of(result, i: int) -> list[Check]:
    return [c for c in result.checks if i in c.records]


# --- the keys are correct: every check passes ---------------------------------------------------


@pytest.mark.parametrize("path", KEY_FILES, ids=lambda p: p.stem)
def test_every_check_passes_on_the_keys(path: Path) -> None:
    documents = [CORPUS] if CORPUS.is_dir() else []
    records, coverage = read_key(path, documents)
    result = validate(records, coverage)
    assert result.checks, "no check found"
    assert result.ok, "\n".join(format_check(c) for c in result.failed)


# Checks found on each key and the figures they cover, with the documents' page counts known.
EXPECTED = {
    "fuji_r6_yosansho": (103, 242, 297),
    "fuji_r7_gaiyo": (78, 189, 240),
    "fuji_r7_sainyu01_shizei": (49, 73, 96),
    "fuji_r7_sainyu22_shisai": (19, 48, 60),
    "fuji_r7_saishutsu05-06_notext": (62, 191, 250),
    "fuji_r8_gaiyo": (66, 163, 224),
    "fuji_r8_sainyu01_shizei": (18, 35, 53),
    "fuji_r8_sainyu15_kokko": (24, 75, 186),
    "fuji_r8_saishutsu01_gikai": (6, 29, 49),
    "fuji_r8_saishutsu05_rodo": (14, 47, 60),
    "fuji_r8_saishutsu12_kosai": (26, 36, 36),
    "kodaira_r2_rinjikai_scan": (156, 249, 275),
}


@needs_corpus
def test_checks_and_coverage_on_the_keys() -> None:
    assert set(EXPECTED) == {p.stem for p in KEY_FILES}
    found = {}
    for path in KEY_FILES:
        s = validate(*read_key(path, [CORPUS])).summary()
        found[path.stem] = (s["checks"], s["covered"], s["figures"])
    assert found == EXPECTED
    checks = sum(v[0] for v in found.values())
    covered = sum(v[1] for v in found.values())
    figures = sum(v[2] for v in found.values())
    print(f"keys: {checks} checks, {covered} of {figures} figures ({100 * covered / figures:.1f}%) covered")
    assert covered / figures > 0.7


# --- a changed figure is flagged wherever a check covers it ---------------------------------------


@pytest.mark.parametrize("path", KEY_FILES, ids=lambda p: p.stem)
def test_every_covered_figure_changed_is_flagged(path: Path) -> None:
    records, coverage = read_key(path, [CORPUS] if CORPUS.is_dir() else [])
    m = mutation_test(records, coverage, full=False)
    print(path.stem, m.line())
    assert m.covered > 0
    assert all(n == m.covered for n in m.flagged.values()), m.line()  # 千円 books: exact sums
    assert m.false_alarms == 0


@pytest.mark.parametrize("name", ["fuji_r8_saishutsu05_rodo", "fuji_r8_saishutsu12_kosai"])
def test_mutations_found_by_running_validate_again(name: str) -> None:
    """The quick mutation test (the checks found once, evaluated with a changed figure) agrees with
    running validate again on each changed set of records."""
    records, coverage = key(name)
    assert mutation_test(records, coverage, full=True) == mutation_test(records, coverage, full=False)


@pytest.mark.parametrize("name", ["kodaira_r2_rinjikai_scan", "fuji_r6_yosansho"])
def test_which_checks_apply_never_depends_on_the_amounts(name: str) -> None:
    records, coverage = key(name)
    base = validate(records, coverage)
    shape = [(c.rule, c.subject, c.value, c.left, c.right) for c in base.checks]
    for i in range(0, len(records), 11):
        changed = [replace(r) for r in records]
        changed[i].amount_yen = changed[i].amount_yen * 10 + 7000
        again = validate(changed, coverage)
        assert [(c.rule, c.subject, c.value, c.left, c.right) for c in again.checks] == shape
        assert [(s.rule, s.subject, s.reason) for s in again.skipped] == [
            (s.rule, s.subject, s.reason) for s in base.skipped
        ]


def test_mext_pr_sheet_programmes_equal_their_breakdown_within_the_rounding() -> None:
    from yosan.recordfile import read_record_file

    records, coverage = read_record_file(MEXT)
    result = validate(records, coverage)
    assert result.ok, "\n".join(format_check(c) for c in result.failed)
    s = result.summary()
    assert (s["checks"], s["covered"], s["figures"]) == (52, 121, 197)
    ba = [c for c in result.checks if c.subject == "BA活動等" and c.value == "本年度 FY2020"]
    assert len(ba) == 1 and ba[0].rule == "内訳計=事業"
    # 1,779 + 622 + 2,452 = 4,853 百万円 against 4,854: four figures rounded to 1 百万円 allow 2
    assert (ba[0].left_value, ba[0].right_value, ba[0].tolerance) == (4_853_000_000, 4_854_000_000, 2_000_000)
    # ○ items are highlights, not a breakdown: 200 + 240 + 4,367 is not 橋渡し研究戦略的推進プログラム's 4,982
    skipped = {s.subject: s.reason for s in result.skipped}
    assert "highlights" in skipped["橋渡し研究戦略的推進プログラム"]
    m = mutation_test(records, coverage, full=False)
    print(m.line())
    last, first = m.flagged.values()
    assert m.false_alarms == 0
    # a change of one 百万円 can hide in the rounding; a changed first digit only in 3百万円 (文部科学省)
    assert (last, first, m.covered) == (67, 120, 121)


# --- single checks, on real rows ----------------------------------------------------------------


def test_row_check_this_year_less_last_year_is_the_difference() -> None:
    records, coverage = key("fuji_r8_saishutsu05_rodo")
    budget = find(records, program="労政費", kind="budget")
    difference = find(records, program="労政費", kind="difference")
    result = validate(records, coverage)
    row = [c for c in checks_of(result, difference) if c.rule == "本年度−前年度=比較"]
    assert [(c.left_value, c.right_value) for c in row] == [(132_209_000 - 114_424_000, 17_785_000)]
    records[difference].amount_yen = 17_786_000  # one 千円 off
    result = validate(records, coverage)
    failed = [c for c in result.failed if difference in c.records]
    assert [c.rule for c in failed] == ["本年度−前年度=比較"]
    assert failed[0].difference == -1000 and failed[0].pages == (1,)
    assert result.records[difference].check == "failed"
    assert result.records[difference].confidence == 0.5
    assert result.records[budget].check == "failed"  # in the failed check too: which one is wrong is unknown
    assert "failed 本年度−前年度=比較" in format_check(failed[0])


def test_financing_columns_add_up_to_this_year() -> None:
    records, coverage = key("fuji_r8_saishutsu05_rodo")
    result = validate(records, coverage)
    i = find(records, program="労政費", kind="other", column="一般財源")
    financing = [c for c in checks_of(result, i) if c.rule == "財源内訳計=本年度"]
    # 国県支出金 6,546 + その他 576 + 一般財源 125,087 = 132,209 (地方債 blank)
    assert [(len(c.left), c.left_value, c.right_value) for c in financing] == [(3, 132_209_000, 132_209_000)]


def test_supplementary_budget_base_plus_amendment_is_the_revised_total() -> None:
    records, coverage = key("kodaira_r2_rinjikai_scan")
    result = validate(records, coverage)
    revised = [
        i for i, r in enumerate(records) if r.page == 35 and r.program == "国庫支出金" and r.kind == "revised"
    ]
    rows = [c for c in checks_of(result, revised[0]) if c.rule == "補正前+補正額=計"]
    assert [(c.left_value, c.right_value) for c in rows] == [
        (12_832_941_000 + 19_825_300_000, 32_658_241_000)
    ]
    # 14 特別定額給付金給付事業費 is new: a blank 補正前の額 in a table that has the column is 0
    new = find(records, program="特別定額給付金給付事業費", kind="revised")
    assert [c.left_label for c in checks_of(result, new) if c.rule == "補正前+補正額=計"] == [
        "補正額 (補正前の額なし)"
    ]
    # the 条文 (p.34) states 補正額 and 総額 but no 補正前の額: no such check there, but 総額 = 歳入合計
    bill = find(records, page=34, kind="revised")
    assert {c.rule for c in checks_of(result, bill)} == {"総額=歳入合計", "総額=歳出合計"}


def test_hierarchy_sums_in_a_supplementary_budget_use_the_amendment_only() -> None:
    records, coverage = key("kodaira_r2_rinjikai_scan")
    result = validate(records, coverage)
    rules = {(c.rule, c.value.split()[0]) for c in result.checks}
    assert ("款計=歳入合計", "補正額") in rules and ("目計=項", "補正額") in rules
    assert not any(c.value.startswith(("補正前", "計 ")) for c in result.checks if "計=" in c.rule)


@needs_corpus  # 項計=款 needs the page counts of the corpus PDFs (the key's coverage)
def test_items_under_their_programme_each_level() -> None:
    result = validate(*key("fuji_r8_saishutsu12_kosai"))  # 12款 公債費: one page, all of it
    by_rule = {c.rule for c in result.checks}
    assert {"項計=款", "目計=項", "目計=計", "節計=目", "細節計=節", "説明計=目", "説明計=説明"} <= by_rule
    interest = [c for c in result.checks if c.rule == "節計=目" and c.subject.endswith("2 利子")]
    assert [(c.left_value, c.right_value) for c in interest] == [(449_151_000, 449_151_000)]
    records, coverage = key("fuji_r8_saishutsu05_rodo")
    result = validate(records, coverage)
    setsu = [c for c in result.checks if c.rule == "細節計=節" and c.subject.endswith("3 職員手当等")]
    # 扶養 423 + 地域 798 + 住居 684 + 通勤 680 + 時間外 2,000 + 休日 50 + 期末 4,640 + 勤勉 3,585 = 12,860
    assert [(len(c.left), c.left_value) for c in setsu] == [(8, 12_860_000)]


def test_a_group_that_may_continue_on_a_page_not_in_the_key_is_skipped() -> None:
    records, coverage = key("fuji_r8_saishutsu05_rodo")
    result = validate(records, coverage)
    # 労政費's 節 on page 1 (printed 372) go on to page 2, which the dev key does not annotate
    skipped = [s for s in result.skipped if s.rule == "節計=目" and s.subject.endswith("1 労政費")]
    assert skipped and "page 2" in skipped[0].reason
    assert not [c for c in result.checks if c.rule == "節計=目" and c.subject.endswith("1 労政費")]
    # the same records said to cover every page: the 節 (42,046千円 of 132,209) are then a failed sum
    everything = validate(records, {})
    failed = [c for c in everything.failed if c.rule == "節計=目" and c.subject.endswith("1 労政費")]
    assert [(c.left_value, c.right_value) for c in failed] == [(42_046_000, 132_209_000)]


def test_a_list_opening_with_code_1_and_closed_by_its_total_is_complete() -> None:
    records, coverage = key("fuji_r8_gaiyo")
    result = validate(records, coverage)
    # 総括 歳入 (p.17): 款 1 to 22 and 歳入合計 on one page, pages 16 and 18 not in the dev key
    total = [c for c in result.checks if c.rule == "款計=歳入合計" and c.pages == (17,)]
    assert {c.value for c in total} == {"本年度 FY2026", "前年度 FY2025", "比較 FY2026"}
    assert all(len(c.left) == 22 for c in total)
    previous = next(c for c in total if c.value == "前年度 FY2025")
    assert (previous.left_value, previous.right_value) == (104_500_000_000, 104_500_000_000)


def test_revenue_items_of_one_name_under_two_sections_are_two_items() -> None:
    """歳入's 説明 explain the 節 beside them: 個人番号カード交付事務費補助金 4,592 (節 1) and 77,715 (節 2)."""
    records, coverage = key("fuji_r8_sainyu15_kokko")
    result = validate(records, coverage)
    assert result.ok
    items = [
        i
        for i, r in enumerate(records)
        if r.program == "個人番号カード交付事務費補助金" and r.kind == "budget"
    ]
    assert [records[i].amount_yen for i in items] == [4_592_000, 77_715_000]
    assert not any(c.rule == "再掲=初出" for i in items for c in checks_of(result, i))


@needs_corpus  # 項計=款 needs the page counts of the corpus PDFs (the key's coverage)
def test_a_restated_figure_equals_its_first_statement() -> None:
    records, coverage = key("fuji_r8_saishutsu05_rodo")
    repeat = find(records, page=3, level="款", kind="budget")
    assert records[repeat].repeat == 1
    result = validate(records, coverage)
    # and 項計=款 on page 3: the headers restated there add up too
    assert [c.rule for c in checks_of(result, repeat)] == ["項計=款", "再掲=初出"]
    records[repeat].amount_yen = 159_936_000  # two digits swapped on the page-3 header
    failed = validate(records, coverage).failed
    assert [(c.rule, c.left_value, c.right_value) for c in failed] == [
        ("項計=款", 159_963_000, 159_936_000),
        ("再掲=初出", 159_936_000, 159_963_000),
    ]


def test_inputs_given_together_restate_each_other() -> None:
    """第1表 (gaiyo p.4) and the 市税 detail file's 項 headers state the same figures."""
    gaiyo, gaiyo_cov = key("fuji_r8_gaiyo")
    shizei, shizei_cov = key("fuji_r8_sainyu01_shizei")
    records = gaiyo + shizei
    coverage = gaiyo_cov | shizei_cov
    header = len(gaiyo) + find(shizei, page=1, level="項", program="市民税", kind="budget")
    result = validate(records, coverage)
    across = [c for c in checks_of(result, header) if c.rule == "再掲=初出"]
    assert [(c.left_label, c.right_label) for c in across] == [
        ("fuji_r8_sainyu01_shizei.pdf p.1", "fuji_r8_gaiyo.pdf p.4")
    ]
    records[header] = replace(records[header], amount_yen=18_791_000_000)
    failed = validate(records, coverage).failed
    assert any(c.rule == "再掲=初出" and header in c.records for c in failed)


def test_rounding_is_what_the_unit_declares_and_nothing_looser() -> None:
    def rec(program: str, amount: int, unit: str, parent: str = "") -> Record:
        return Record("t.txt", None, 1, "1. 章", program, parent, "budget", 2020, "", "general", "", amount,
                      unit, False, "", "")  # fmt: skip

    # BA活動等 and its three items, as the MEXT sheet prints them (百万円)
    items = [("JT-60SA", 1_779), ("原型加速器", 622), ("原型炉設計", 2_452)]
    for total, passes in ((4_854, True), (4_855, True), (4_856, False)):
        records = [rec("BA活動等", total * 10**6, "百万円")]
        records += [rec(n, a * 10**6, "百万円", "BA活動等") for n, a in items]
        assert validate(records).ok is passes, total  # 4 figures: up to 2 百万円 apart
    # the same figures in 千円 are exact: one 千円 apart fails
    records = [rec("BA活動等", 4_854_000, "千円")] + [rec(n, a * 1000, "千円", "BA活動等") for n, a in items]
    assert not validate(records).ok
    assert precision(rec("x", 30_000_000, "億円")) == 10**7  # 0.3億円: printed to 0.1億円
    assert precision(rec("x", 110_000_000_000, "億円")) == 10**8
    assert precision(rec("x", 132_209_000, "千円")) == 0


def test_ocr_figure_corrected_when_its_other_reading_passes() -> None:
    records, coverage = key("fuji_r8_saishutsu05_rodo")
    i = find(records, program="労政費", kind="difference")
    records[i] = replace(records[i], amount_yen=17_735_000, source_layer="ocr", confidence=0.8)  # 8 read as 3
    readings = {17_735_000: [17_735_000, 17_785_000, 11_785_000]}
    result = validate(records, coverage, alternatives=lambda r: readings.get(r.amount_yen, []))
    assert result.ok
    fixed = result.records[i]
    assert (fixed.amount_yen, fixed.check) == (17_785_000, "corrected")
    assert "corrected by check 本年度−前年度=比較: read 17,735,000, 17,785,000 passes" in fixed.note
    assert records[i].amount_yen == 17_735_000  # the records given are not changed
    # a text-layer figure is never changed; without other readings nothing is
    text = [replace(r, source_layer="text") if k == i else r for k, r in enumerate(records)]
    assert not validate(text, coverage, alternatives=lambda r: [17_785_000]).ok
    assert not validate(records, coverage).ok


def test_ocr_figure_not_corrected_when_two_readings_would_do() -> None:
    records, coverage = key("fuji_r8_saishutsu05_rodo")
    d = find(records, program="労政費", kind="difference")
    p = find(records, program="労政費", kind="previous")
    records[d] = replace(records[d], amount_yen=17_735_000, source_layer="ocr")
    records[p] = replace(records[p], source_layer="ocr")
    # either reading makes the row add up: which figure is wrong is not known
    readings = {17_735_000: [17_785_000], 114_424_000: [114_474_000]}
    result = validate(records, coverage, alternatives=lambda r: readings.get(r.amount_yen, []))
    assert not result.corrections and not result.ok


def test_checks_feed_back_passed_failed_or_empty() -> None:
    records, coverage = key("fuji_r8_saishutsu05_rodo")
    result = validate(records, coverage)
    checks = {r.check for r in result.records}
    assert checks == {"passed", ""}
    formula_base = find(records, program="県シルバー人材センター連合会負担金")
    assert result.records[formula_base].check == ""  # remarks under a coded item: no check covers it
    assert all(r.confidence == 1.0 for r in result.records)
    frame = result.frame()
    assert len(frame) == len(result.checks) and str(frame["difference_yen"].dtype) == "Int64"


def test_records_of_a_whole_document_run_every_check() -> None:
    """Records that cover their document whole (an extractor's output): no group is skipped, and
    第3表 地方債's 39 rows (pages 12 and 13) add up to its 計, a column of kind other."""
    records, _ = key("fuji_r8_gaiyo", documents=False)
    result = validate(records)
    assert not result.skipped
    table = [c for c in result.checks if c.rule == "表計=計"]
    assert [(len(c.left), c.left_value, c.right_value, c.pages) for c in table] == [
        (39, 7_602_600_000, 7_602_600_000, (12, 13))
    ]
    # but 19 繰入金's 項 1 is on page 5, which the dev key leaves out: the key is not a whole document
    assert [(c.rule, c.subject, c.left_value) for c in result.failed] == [
        ("項計=款", "歳入 一般会計 > 19 繰入金", 2_009_536_000)
    ]
