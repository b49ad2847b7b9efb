"""The generated budget books (fixtures/book, made by fixtures/make_book.py) against their keys.

The keys are written by the generator from the same data as the PDFs (which it checks add up:
節 to 目, 目 to 項, 本年度 − 前年度 = 比較, 財源 to 本年度, 補正前 + 補正額 = 計), so they are the
truth for every figure printed.  Three producers (WeasyPrint, reportlab, LibreOffice), three
fonts, ruled A3 spreads, an unruled portrait book and a landscape book of one wide ruled table per
page (a 説明's names and figures in two columns, full-width digits): the second producer for every
rule the book reader and the layout engine apply to the Fuji books.
"""

from __future__ import annotations

import csv
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from yosan.pipeline import Options, extract_document

BOOKS = Path(__file__).resolve().parent.parent / "fixtures" / "book"


def _name(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


Fact = tuple[str, ...]


def _fact(page: object, amount: object, kind: str, year: object, program: str, *rest: object) -> Fact:
    return (str(page), str(amount), kind, str(year or ""), _name(program), *(_name(str(x or "")) for x in rest))


@cache
def _facts(stem: str) -> tuple[Counter[Fact], Counter[Fact], Counter[tuple[str, str]]]:
    """(key facts, extracted facts, extracted (page, amount) of figures the key holds).  A fact
    is every column the key states: page, amount, kind, fiscal year, programme, level, section,
    parent path, code, source column and the page a repeat restates."""
    with (BOOKS / f"{stem}.key.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    key = Counter(
        _fact(
            r["page"], r["amount_yen"], r["kind"], r["fiscal_year"], r["program"],
            r["level"], r["section"], r["parent"], r["code"], r["column"], r["repeat_of_page"],
        )
        for r in rows
    )
    records = extract_document(BOOKS / f"{stem}.pdf", Options()).records
    got = Counter(
        _fact(
            r.page, r.amount_yen, r.kind, r.fiscal_year, r.program,
            r.level, r.section, r.parent, r.code, r.column, r.repeat,
        )
        for r in records
    )
    amounts = {(p, a) for p, a, *_ in key}
    reported = Counter((str(r.page), str(r.amount_yen)) for r in records if (str(r.page), str(r.amount_yen)) in amounts)
    return key, got, reported


# found: key figures extracted with every column the key states right (see _facts)
FLOORS = {
    "book-spread-weasyprint": 1.0,  # 337/337
    "supplementary-weasyprint": 1.0,  # 62/62
    "summary-reportlab": 1.0,  # 16/16
    "book-portrait-reportlab": 0.97,  # 152/156: see the xfail below
    "book-landscape-libreoffice": 1.0,  # 187/187
}


@pytest.mark.parametrize("stem", list(FLOORS))
def test_generated_book_figures_are_found(stem: str) -> None:
    key, got, _ = _facts(stem)
    found = sum((key & got).values())
    assert found >= FLOORS[stem] * sum(key.values()), f"{found}/{sum(key.values())}: {sorted((key - got).elements())[:8]}"


@pytest.mark.parametrize("stem", list(FLOORS))
def test_generated_book_figures_are_labelled_right(stem: str) -> None:
    """Of the figures reported whose amount the key holds, nearly all have the key's labels."""
    key, got, reported = _facts(stem)
    right = sum((key & got).values())
    assert right >= 0.9 * sum(reported.values())


@pytest.mark.xfail(
    strict=True,
    reason="unruled p4: the 目 児童措置費 row's 比較 ▲544,300 is read with the 計 row and 節 11 役務費 "
    "5,000 with the 目 (a one-目 page where the 目 and its total stand two rows apart); p3's last 説明 "
    "item 地域活動支援センター負 / 担金 stands under a wrapped 節 name and is taken for it",
)
def test_generated_unruled_portrait_book_has_every_figure_right() -> None:
    key, got, _ = _facts("book-portrait-reportlab")
    assert sum((key & got).values()) == sum(key.values())


def test_generated_spread_sums_to_its_printed_total() -> None:
    """The figures not marked as repeats sum, per kind, to what the book prints as 歳出合計."""
    records = extract_document(BOOKS / "book-spread-weasyprint.pdf", Options()).records
    totals = [r for r in records if r.level == "合計" and r.program == "歳出合計" and r.kind == "budget"]
    assert totals, "the 第1表 歳出合計 is read"
    kan = [r for r in records if r.section == "歳出" and r.level == "款" and r.kind == "budget" and not r.repeat]
    assert sum(r.amount_yen for r in kan) == totals[0].amount_yen


@pytest.mark.parametrize(
    "stem", ["book-spread-weasyprint", "book-landscape-libreoffice", "supplementary-weasyprint", "summary-reportlab"]
)
def test_generated_books_add_up(stem: str) -> None:
    """The books' own arithmetic (本年度 − 前年度 = 比較, 節 to 目, 財源 to 本年度, 補正前 + 補正額 = 計,
    repeats equal to their first statement) holds on what is extracted from them."""
    from yosan import validate

    result = validate(extract_document(BOOKS / f"{stem}.pdf", Options()).records)
    assert len(result.checks) >= 9
    assert not result.failed, [str(c) for c in result.failed[:3]]
