"""`yosan link` and `yosan diff`: Fuji's R6, R7 and R8 keys as editions of one book (issue 13)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import ROOT

from yosan.editions import diff, editions, link, similarity
from yosan.keys import read_key
from yosan.model import Record

KEYS = ROOT / "tests" / "keys" / "dev"


def keys(*prefixes: str) -> list[Record]:
    records: list[Record] = []
    for path in sorted(KEYS.glob("*.csv")):
        if path.stem.startswith(prefixes):
            records += read_key(path)[0]
    return records


@pytest.fixture(scope="module")
def r7_r8() -> list[Record]:
    return keys("fuji_r7_", "fuji_r8_")


def test_inputs_grouped_into_editions_by_fiscal_year(r7_r8: list[Record]) -> None:
    eds = editions(r7_r8)
    assert [(e.year, len(e.sources)) for e in eds] == [(2025, 4), (2026, 6)]
    kodaira = editions(keys("kodaira_"))
    assert [(e.year, e.revised) for e in kodaira] == [(2020, True)]


def test_r8_previous_year_equals_r7_this_year(r7_r8: list[Record]) -> None:
    linked = link(r7_r8)
    by_path = {x.new.path: x for x in linked.links}
    kojin = by_path["一般会計 > 1 市税 > 1 市民税 > 1 個人"]
    assert (kojin.previous, kojin.old_budget, kojin.status) == (15_840_700_000, 15_840_700_000, "= 本年度")
    assert kojin.new.where("previous") == "fuji_r8_sainyu01_shizei.pdf p.1"
    assert kojin.match.old.where("budget") == "fuji_r7_sainyu01_shizei.pdf p.1"
    rosei = by_path["一般会計 > 5 労働費 > 1 労働費 > 1 労政費"]  # R7's figure is on the no-text scan
    assert (rosei.previous, rosei.status) == (114_424_000, "= 本年度")
    # the 総括 (R8 p.17) against R7's 第1表: every 款 and 歳入合計
    gaiyo = [x for x in linked.links if x.new.where("previous") == "fuji_r8_gaiyo.pdf p.17"]
    assert len(gaiyo) == 23 and all(x.ok for x in gaiyo)
    paired = [x for x in linked.links if x.match is not None]
    assert len(paired) == 29 and all(x.ok for x in paired) and not linked.mismatches
    moku = [x for x in paired if x.new.level == "目"]
    # the 目 both dev keys print: 個人, 法人, 固定資産税, 労政費, 勤労者総合福祉センター費
    assert len(moku) == 5
    assert "29 pairs with FY2025's programme, 29 equal its 本年度 (100.0%), 0 mismatches" in linked.report()


def test_a_廃目_without_its_code_is_matched_as_renumbered(r7_r8: list[Record]) -> None:
    linked = link(r7_r8)
    center = [x for x in linked.links if x.new.program == "勤労者総合福祉センター費"]
    assert len(center) == 1
    m = center[0].match
    assert (m.how, m.score, m.old.code, m.new.code) == ("renumbered", 1.0, "2", "")
    assert center[0].previous == 72_993_000 and center[0].ok


def test_a_mismatch_is_reported_with_both_pages(r7_r8: list[Record]) -> None:
    changed = [
        replace(r, amount_yen=15_840_600_000) if r.source == "fuji_r8_sainyu01_shizei.pdf"
        and r.program == "個人" and r.kind == "previous" else r
        for r in r7_r8
    ]  # fmt: skip
    linked = link(changed)
    assert [x.new.path for x in linked.mismatches] == ["一般会計 > 1 市税 > 1 市民税 > 1 個人"]
    line = next(x for x in linked.report().splitlines() if x.startswith("mismatch"))
    assert "FY2026 前年度 15,840,600,000 (fuji_r8_sainyu01_shizei.pdf p.1)" in line
    assert "FY2025 本年度 15,840,700,000 (fuji_r7_sainyu01_shizei.pdf p.1)" in line
    assert "difference -100,000" in line


def test_a_rename_is_matched_by_similarity_with_its_score(r7_r8: list[Record]) -> None:
    renamed = [replace(r, program="労政総務費") if r.source.startswith("fuji_r8") and r.program == "労政費" else r
               for r in r7_r8]  # fmt: skip
    renamed = [
        replace(r, parent=r.parent.replace("> 1 労政費", "> 1 労政総務費"))
        if r.source.startswith("fuji_r8")
        else r
        for r in renamed
    ]
    linked = link(renamed)
    x = next(x for x in linked.links if x.new.program == "労政総務費")
    assert (x.match.how, x.match.old.program, x.status) == ("renamed", "労政費", "= 本年度")
    assert x.match.score == similarity("労政費", "労政総務費") == 0.75
    assert (
        "renamed   一般会計 > 5 労働費 > 1 労働費 > 1 労政費 -> 一般会計 > 5 労働費 > 1 労働費 > 1 労政総務費 (score 0.75)"
        in (linked.report())
    )
    # a name nothing like the old one under the same code is not taken for it
    other = [replace(r, program="観光振興費") if r.source.startswith("fuji_r8") and r.program == "労政費" else r
             for r in r7_r8]  # fmt: skip
    assert not [x for x in link(other).links if x.new.program == "観光振興費" and x.match]


def test_previous_year_against_the_revised_total_after_a_supplementary_budget() -> None:
    """Kodaira's 第2号 revised 16款 国庫支出金 to 33,723,572千円; a FY2021 book stating that as its 前年度
    (the figure is Kodaira's, the FY2021 record is made up for the test) links to the 補正後 total."""
    old = keys("kodaira_")
    new = Record("kodaira_r3.csv", 1, 1, "歳入", "国庫支出金", "一般会計", "previous", 2020, "", "", "",
                 33_723_572_000, "千円", False, "", "", level="款", code="16")  # fmt: skip
    this = replace(new, kind="budget", fiscal_year=2021, amount_yen=30_000_000_000)
    linked = link([*old, new, this])
    (x,) = linked.links
    assert (x.status, x.old_revised, x.match.old.where("revised")) == (
        "= 補正後",
        33_723_572_000,
        "kodaira_r2_rinjikai_scan.pdf p.53",
    )
    stale = link([*old, replace(new, amount_yen=32_658_241_000), this])  # 第1号's total: not the last
    assert stale.links[0].status == "mismatch"


def test_time_series_one_row_per_programme_one_column_per_year() -> None:
    linked = link(keys("fuji_r6_", "fuji_r7_", "fuji_r8_"))
    series = linked.series()
    assert [c for c in series.columns if c.startswith("FY")] == ["FY2024", "FY2025", "FY2026"]
    rosei = series[series.path == "一般会計 > 5 労働費 > 1 労働費 > 1 労政費"]
    assert len(rosei) == 1
    assert rosei[["FY2024", "FY2025", "FY2026"]].iloc[0].tolist() == [111_568_000, 114_424_000, 132_209_000]
    # the 廃目 keeps one row under its newest name, with its R7 figure
    center = series[series.program == "勤労者総合福祉センター費"]
    assert len(center) == 1 and center["FY2026"].iloc[0] == 0 and center["FY2025"].iloc[0] == 72_993_000
    assert str(series["FY2025"].dtype) == "Int64"
    assert series.path.is_unique


def test_diff_lists_changes_new_and_ended(r7_r8: list[Record]) -> None:
    d = diff(r7_r8)
    assert (d.old_year, d.new_year) == (2025, 2026)
    by_path = {c.path: c for c in d.changes}
    kotei = by_path["一般会計 > 1 市税 > 2 固定資産税 > 1 固定資産税"]
    assert (kotei.old, kotei.new, kotei.change, kotei.percent) == (
        23_180_700_000,
        23_806_300_000,
        625_600_000,
        2.7,
    )
    assert [c.path for c in d.ended] == ["一般会計 > 5 労働費 > 1 労働費 > 勤労者総合福祉センター費"]
    assert [c.path for c in d.new] == ["一般会計 > 15 国庫支出金 > 2 国庫補助金 > 6 消防費補助金"]  # 前年度 0
    text = d.report(top=3)
    assert "Largest increases (yen), top 3:" in text
    rows = [" ".join(line.split()) for line in text.splitlines()]
    assert (
        "625,600,000 +2.7% 23,180,700,000 23,806,300,000 目 一般会計 > 1 市税 > 2 固定資産税 > 1 固定資産税"
        in rows
    )
    kan = diff(r7_r8, level="款")
    assert {c.level for c in kan.changes} == {"款"}


def test_diff_needs_two_editions() -> None:
    with pytest.raises(ValueError, match="two editions"):
        diff(keys("fuji_r8_"))
